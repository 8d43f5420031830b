//! The fuel-supply stage's state (`[fuels]`, MODEL.md section 7.27).

use crate::config::Scenario;
use bevy_ecs::prelude::Resource;

/// One province's deliveries of one fuel this year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Deliveries {
    /// Fuel used by the province's firms, tce.
    pub use_tce: f64,
    /// Carbon content of that fuel (the firms' direct emissions from it), t CO2.
    pub emissions: f64,
    /// Part of `emissions` covered at the source by an upstream market, t CO2.
    pub upstream_covered: f64,
    /// Carbon price paid on `upstream_covered` through the fuel price, CNY.
    pub levy: f64,
}

/// Producer prices, demand memory and this year's deliveries.
#[derive(Resource, Clone, Debug, Default)]
pub struct FuelState {
    /// Producer price per fuel this year, CNY per tce.
    pub price: Vec<f64>,
    /// National use per fuel in the first simulated year (the base of the supply curve), tce;
    /// 0 until that year is accounted.
    pub base_use: Vec<f64>,
    /// National use per fuel last year, tce.
    pub last_use: Vec<f64>,
    /// Fuel cost change per sector against base prices, CNY per t CO2 of direct emissions.
    pub markup: Vec<f64>,
    /// This year's deliveries per province and fuel (`province x fuels + fuel`).
    pub deliveries: Vec<Deliveries>,
}

impl FuelState {
    /// Base prices and no memory; empty without `[fuels]`.
    pub fn new(s: &Scenario) -> Self {
        if s.fuels.is_empty() {
            return FuelState::default();
        }
        let n = s.fuels.len();
        FuelState {
            price: s.fuels.iter().map(|f| f.price).collect(),
            base_use: vec![0.0; n],
            last_use: vec![0.0; n],
            markup: vec![0.0; s.sectors.len()],
            deliveries: vec![Deliveries::default(); n * s.geography.provinces.len()],
        }
    }
}
