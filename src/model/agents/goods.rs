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
}

/// Drawn city shares, kept for the `cities` table.
#[derive(Resource, Clone, Debug)]
pub struct CityDraws(pub Vec<CityShares>);
