//! Resources that describe the run's goods markets and drawn city shares, built once by
//! [`crate::model::world::build_world`].

use crate::geography::CityShares;
use bevy_ecs::prelude::*;

/// Goods markets: one per sector and scope region (MODEL.md section 3, step 4).
#[derive(Resource, Clone, Debug, Default)]
pub struct GoodsMarkets {
    /// Sector id of each goods market.
    pub sector: Vec<u16>,
    /// Base-year output of the market's firms, units per year (demand at the base price).
    pub base_demand: Vec<f64>,
    /// Region of each goods market within its sector's scope: 0 (national), the grid id,
    /// the province id or the city id.
    pub region: Vec<u32>,
    /// This year's product price, CNY per unit: the sector's price plus `pass_through` x
    /// the share-weighted expected carbon cost (at least 0.1 x the sector's price).
    pub price: Vec<f64>,
    /// This year's demand, units.
    pub demand: Vec<f64>,
    /// This year's share-weighted expected carbon cost per unit, CNY per unit.
    pub carbon_cost: Vec<f64>,
}

/// Drawn city shares, kept for the `cities` table.
#[derive(Resource, Clone, Debug)]
pub struct CityDraws(pub Vec<CityShares>);
