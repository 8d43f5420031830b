//! The emission peaks of the nation, every province and every agglomeration over the run
//! (MODEL.md 7.23), kept for the per-run `region_peaks` table.

use crate::config::{PeakRegion, Scenario};
use crate::econ::peak::Peak;
use bevy_ecs::prelude::Resource;

/// One running peak per region: the nation, then the provinces (by id), then the
/// agglomerations (by id).
#[derive(Resource, Clone, Debug, Default)]
pub struct PeakState {
    /// The regions in that order.
    pub regions: Vec<PeakRegion>,
    /// Their running peaks.
    pub peaks: Vec<Peak>,
    /// Last year added.
    pub last_year: Option<i32>,
}

impl PeakState {
    /// Every region of the scenario's geography, nothing added yet.
    pub fn new(s: &Scenario) -> Self {
        let g = &s.geography;
        let regions: Vec<PeakRegion> = std::iter::once(PeakRegion::Nation)
            .chain((0..g.provinces.len()).map(|p| PeakRegion::Province(p as u16)))
            .chain((0..g.agglomerations.len()).map(|a| PeakRegion::Agglomeration(a as u8)))
            .collect();
        PeakState {
            peaks: vec![Peak::default(); regions.len()],
            regions,
            last_year: None,
        }
    }

    /// Index of a province's peak.
    pub fn province(&self, p: u16) -> usize {
        1 + p as usize
    }

    /// Index of an agglomeration's peak.
    pub fn agglomeration(&self, provinces: usize, a: u8) -> usize {
        1 + provinces + a as usize
    }
}
