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

/// Sums of one technology over a region (the nation or an agglomeration).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RegionSums {
    /// Firms of the technology's sector.
    pub firms: f64,
    /// Firms aware of it.
    pub aware: f64,
    /// Firms with it installed.
    pub adopters: f64,
    /// Installed capacity, units of annual capacity.
    pub cum_capacity: f64,
    /// Sum over cities of unit capex x firms (divide by `firms` for the firm-weighted mean),
    /// CNY per unit of annual capacity.
    pub capex_x_firms: f64,
}

impl TechState {
    /// Index of (technology, city).
    pub fn at(&self, tech: usize, city: u32) -> usize {
        tech * self.cities + city as usize
    }

    /// Sums of technology `tech` for the nation (index 0) and each agglomeration `g`
    /// (index 1 + g), adding cities in id order.
    pub fn region_sums(&self, tech: usize) -> Vec<RegionSums> {
        let mut sums = vec![RegionSums::default(); 1 + self.agglomerations];
        for c in 0..self.cities {
            let i = self.at(tech, c as u32);
            let add = |r: &mut RegionSums| {
                r.firms += f64::from(self.firms[i]);
                r.aware += f64::from(self.aware[i]);
                r.adopters += f64::from(self.adopters[i]);
                r.cum_capacity += self.cum_capacity[i];
                r.capex_x_firms += self.capex[i] * f64::from(self.firms[i]);
            };
            add(&mut sums[0]);
            if let Some(g) = self.city_agglomeration[c] {
                add(&mut sums[1 + g as usize]);
            }
        }
        sums
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_sums_add_cities_to_nation_and_agglomeration() {
        // One technology, three cities; cities 0 and 2 in agglomeration 0.
        let st = TechState {
            cities: 3,
            agglomerations: 1,
            city_agglomeration: vec![Some(0), None, Some(0)],
            firms: vec![2, 3, 5],
            aware: vec![1, 0, 4],
            adopters: vec![1, 0, 2],
            cum_capacity: vec![10.0, 0.0, 30.0],
            capex: vec![100.0, 200.0, 50.0],
            share: vec![0.0; 3],
            milestones: vec![None; 2],
        };
        let r = st.region_sums(0);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].firms, r[0].aware, r[0].adopters), (10.0, 5.0, 3.0));
        assert_eq!(r[0].cum_capacity, 40.0);
        assert_eq!(r[0].capex_x_firms, 200.0 + 600.0 + 250.0);
        assert_eq!(
            (r[1].firms, r[1].adopters, r[1].cum_capacity),
            (7.0, 3.0, 40.0)
        );
        assert_eq!(r[1].capex_x_firms, 450.0);
    }
}
