//! The systems of one simulated year, one file per phase (MODEL.md section 3). Each system is
//! a plain function; the arithmetic it needs lives in [`crate::market`] and [`crate::econ`].

pub mod accounting;
pub mod administrative;
pub mod allocation;
pub mod compliance;
pub mod diffusion;
pub mod expectations;
pub mod investment;
pub mod macroeconomy;
pub mod market;
pub mod policy;
pub mod production;

pub mod recycling;
pub mod targets;

use crate::model::agents::regulator::Regulator;
use bevy_ecs::prelude::*;

/// Last clearing price per market id (None before a market's first clearing).
pub(crate) fn last_prices(regs: &Query<&Regulator>, n: usize) -> Vec<Option<f64>> {
    let mut v = vec![None; n];
    for r in regs {
        v[r.market as usize] = r.last_price;
    }
    v
}
