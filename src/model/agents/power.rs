//! The power system's state of the year (MODEL.md section 7.22), kept for the record phase.

use crate::energy::year::PowerYear;
use bevy_ecs::prelude::Resource;

/// This year's dispatch (None when `[power]` is off) and the error that stopped it, which
/// the runner returns after the year ([`crate::model::run_year`]).
#[derive(Resource, Clone, Debug, Default)]
pub struct PowerState {
    /// The year's dispatch.
    pub year: Option<PowerYear>,
    /// Why this year's dispatch failed (names the year).
    pub error: Option<String>,
}
