//! The state of capacity dynamics (`[capacity]`, MODEL.md section 7.24): plants decided but
//! not yet producing, the rows of plants that closed, and the next firm id.

use crate::config::Scenario;
use crate::geography::CityShares;
use crate::model::agents::firm::{
    Behaviour, Capacity, Expectation, FirmInfo, Intensity, Lifecycle, Mac, Production,
};
use crate::model::world::FirmSpawn;
use bevy_ecs::prelude::Resource;

/// A plant's attributes as the `firms` table reports them.
pub type FirmRow = (
    FirmInfo,
    Capacity,
    Production,
    Intensity,
    Mac,
    Behaviour,
    Lifecycle,
);

/// A plant under construction: spawned as a firm in its first year of output.
#[derive(Clone, Debug)]
pub struct Pending {
    /// Its drawn attributes.
    pub(crate) spawn: FirmSpawn,
    /// Its life cycle (`online` is the year it is spawned).
    pub life: Lifecycle,
    /// The expectation it starts with (the prices its location decision saw).
    pub expectation: Expectation,
    /// The city whose capacity it replaces or extends (origin of the location choice).
    pub origin: u32,
}

impl Pending {
    /// Its `firms` row.
    pub fn row(&self) -> FirmRow {
        let f = &self.spawn;
        (
            f.info,
            f.capacity,
            f.production,
            f.intensity,
            f.mac,
            f.behaviour,
            self.life,
        )
    }
}

/// Capacity dynamics state of a run.
#[derive(Resource, Clone, Debug, Default)]
pub struct CapacityState {
    /// Id of the next plant to enter (ids continue the initial population's).
    pub next_id: u32,
    /// Goods market offsets per sector (`offsets[s]..offsets[s + 1]`).
    pub offsets: Vec<u32>,
    /// Candidate cities of each goods market (the cities of its region), ids ascending.
    pub candidates: Vec<Vec<u32>>,
    /// Economic mass of each city for each sector (`sector x cities + city`): the weights by
    /// which the sector's initial firms were placed; within a ring of the proximity kernel,
    /// new plants are spread in proportion to it.
    pub mass: Vec<f64>,
    /// Size of a new plant per sector (`plant_size` x the mean capacity of the sector's initial
    /// plants in the start year), units per year; set in the first year.
    pub plant_size: Vec<Option<f64>>,
    /// Plants decided and not yet producing.
    pub pending: Vec<Pending>,
    /// Rows of plants that closed (retired or exited) and were removed from the World.
    pub closed: Vec<FirmRow>,
}

impl CapacityState {
    /// The state at world build: `firms` initial firms, the goods market `offsets`.
    pub fn new(s: &Scenario, firms: u32, offsets: &[u32], shares: &[CityShares]) -> Self {
        let n_gm = *offsets.last().unwrap_or(&0) as usize;
        let mut candidates = vec![Vec::new(); n_gm];
        let mut mass = Vec::new();
        if s.capacity.is_some() {
            for sid in 0..s.sectors.len() {
                mass.extend(crate::model::world::location_weights(s, sid, shares));
            }
            for sid in 0..s.sectors.len() {
                for c in &s.geography.cities {
                    let g = crate::model::world::goods_market(s, offsets, sid, c.id);
                    candidates[g as usize].push(c.id);
                }
            }
        }
        CapacityState {
            next_id: firms,
            offsets: offsets.to_vec(),
            candidates,
            mass,
            plant_size: vec![None; s.sectors.len()],
            pending: Vec::new(),
            closed: Vec::new(),
        }
    }
}
