//! The emission peaks of the nation, every province and every agglomeration, and of each city
//! with a target, over the run (MODEL.md 7.23), kept for the per-run `region_peaks` table.

use crate::config::{PeakRegion, Scenario};
use crate::econ::peak::Peak;
use bevy_ecs::prelude::Resource;

/// One running peak per region: the nation, then the provinces (by id), then the
/// agglomerations (by id), then the cities with a target (in target order).
#[derive(Resource, Clone, Debug, Default)]
pub struct PeakState {
    /// The regions in that order.
    pub regions: Vec<PeakRegion>,
    /// Their running peaks.
    pub peaks: Vec<Peak>,
    /// Last year added.
    pub last_year: Option<i32>,
    /// Per region, its emissions summed over the years of its budget target so far, t CO2
    /// (0 without a budget target).
    pub budget_emissions: Vec<f64>,
    /// Per region, the budget years of its target (None: no budget target).
    pub budget_years: Vec<Option<(i32, i32)>>,
    /// Per city id, the index of its region when it has a target of its own.
    pub city_region: Vec<Option<usize>>,
}

impl PeakState {
    /// Every region of the scenario's geography, nothing added yet.
    pub fn new(s: &Scenario) -> Self {
        let g = &s.geography;
        let regions: Vec<PeakRegion> = std::iter::once(PeakRegion::Nation)
            .chain((0..g.provinces.len()).map(|p| PeakRegion::Province(p as u16)))
            .chain((0..g.agglomerations.len()).map(|a| PeakRegion::Agglomeration(a as u8)))
            .chain(s.peaks.iter().filter_map(|t| match t.region {
                PeakRegion::City(c) => Some(PeakRegion::City(c)),
                _ => None,
            }))
            .collect();
        let mut city_region = vec![None; g.cities.len()];
        for (k, r) in regions.iter().enumerate() {
            if let PeakRegion::City(c) = r {
                city_region[*c as usize] = Some(k);
            }
        }
        let budget_years = regions
            .iter()
            .map(|r| {
                s.peaks
                    .iter()
                    .find(|t| t.region == *r && t.budget.is_some())
                    .map(|t| t.budget_years)
            })
            .collect();
        PeakState {
            peaks: vec![Peak::default(); regions.len()],
            budget_emissions: vec![0.0; regions.len()],
            budget_years,
            city_region,
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
