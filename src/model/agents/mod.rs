//! Agents as bevy_ecs components: firms ([`firm`]), cities ([`city`]) and market regulators
//! ([`regulator`]), plus the run-wide resources ([`RunParams`], [`Clock`]).

pub mod capacity;
pub mod city;
pub mod firm;
pub mod fuel;
pub mod goods;
pub mod outlook;
pub mod peaks;
pub mod plan;
pub mod power;
pub mod regulator;
pub mod research;
pub mod technology;
pub mod totals;

use crate::config::Scenario;
use bevy_ecs::prelude::Resource;
use std::sync::Arc;

/// Immutable run parameters.
#[derive(Resource, Clone)]
pub struct RunParams {
    /// The resolved scenario.
    pub scenario: Arc<Scenario>,
    /// World seed (common across scenarios of a replicate).
    pub seed: u64,
    /// Run identifier written in every row.
    pub run_id: u64,
}

/// The simulated year being computed.
#[derive(Resource, Clone, Copy, Debug)]
pub struct Clock {
    /// Current year.
    pub year: i32,
}
