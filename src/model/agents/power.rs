//! The power system's state of the year (MODEL.md section 7.22), kept for the record phase.

use crate::energy::dispatch::Dispatcher;
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

/// The dispatch program of the run, kept from one year to the next (HiGHS re-starts from last
/// year's optimal basis). One per World, so runs never share it.
#[derive(Resource, Debug, Default)]
pub struct PowerSolver(pub Dispatcher);
