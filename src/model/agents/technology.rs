//! Technology state per (technology, city): counts, cumulative installed capacity, unit capex
//! and proximity-weighted adoption shares. Owned by the investment and diffusion phases; a
//! resource because it is indexed by (technology, city), not by entity.

use bevy_ecs::prelude::Resource;

/// State of every technology in every city, stored as `[technology * cities + city]`.
#[derive(Resource, Clone, Debug, Default)]
pub struct TechState {
    /// Number of cities.
    pub cities: usize,
    /// Number of agglomerations.
    pub agglomerations: usize,
    /// Agglomeration of each city (None: outside any agglomeration).
    pub city_agglomeration: Vec<Option<u8>>,
    /// Firms of the technology's sector in the city.
    pub firms: Vec<u32>,
    /// Firms aware of the technology.
    pub aware: Vec<u32>,
    /// Firms with the technology installed.
    pub adopters: Vec<u32>,
    /// Installed capacity, units of annual capacity (capacity at installation).
    pub cum_capacity: Vec<f64>,
    /// Unit capex for this year's decisions, CNY per unit of annual capacity.
    pub capex: Vec<f64>,
    /// Proximity-weighted adoption share used by the awareness hazard.
    pub share: Vec<f64>,
    /// First year the adoption share passed 50 %: `[technology * (1 + agglomerations) + r]`,
    /// r = 0 the nation, r = 1 + a agglomeration a.
    pub milestones: Vec<Option<i32>>,
}

impl TechState {
    /// Index of (technology, city).
    pub fn at(&self, tech: usize, city: u32) -> usize {
        tech * self.cities + city as usize
    }
}
