//! Tiny Worlds for the systems' unit tests: a World built from scenario text with the real
//! builder, the clock set to a year, and helpers to run systems once and read firms back in
//! id order.

use crate::config::{Scenario, parse_scenario};
use crate::model::agents::Clock;
use crate::model::agents::firm::FirmInfo;
use crate::model::world::build_world;
use bevy_ecs::prelude::*;
use bevy_ecs::system::RunSystemOnce;
use std::path::Path;
use std::sync::Arc;

/// The linear-MAC validation case (three firms of 100 t, MAC slopes 10, 20, 40, one market
/// with a cap of 230 t, grandfathering, no banking), the world's first year.
pub const LINEAR_MAC: &str = include_str!("../../configs/validation/linear_mac.toml");

/// A World of `toml` (with `--set` style `overrides`) at its first year.
pub fn world(toml: &str, overrides: &[&str]) -> World {
    let set: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s: Scenario = parse_scenario(toml, "test", Path::new("configs/validation"), &set)
        .unwrap_or_else(|e| panic!("test scenario: {e}"));
    let year = s.start_year();
    let mut w = build_world(Arc::new(s), 1, 0);
    w.resource_mut::<Clock>().year = year;
    w
}

/// Runs `system` once on `w`.
pub fn run<M>(w: &mut World, system: impl IntoSystem<(), (), M>) {
    w.run_system_once(system).expect("the system runs");
}

/// Runs one year's systems from the Policy phase through production (coverage, macro,
/// expectations, fuel prices, production; no power dispatch).
pub fn through_production(w: &mut World) {
    use crate::model::systems::{expectations, fuel, macroeconomy, policy, production};
    run(w, policy::update_regulators);
    run(w, policy::assign_coverage);
    run(w, macroeconomy::grow_cities);
    run(w, expectations::update_expectations);
    run(w, fuel::price_fuels);
    run(w, production::produce);
}

/// Runs one year's systems from the Policy phase through clearing (coverage, macro,
/// expectations, production, indirect emissions, allocation, bidding and clearing; no
/// standards, no power dispatch).
pub fn through_clearing(w: &mut World) {
    use crate::model::systems::{allocation, indirect, market};
    through_production(w);
    run(w, indirect::count_indirect);
    run(w, allocation::allocate);
    run(w, market::clear_markets);
}

/// Component `C` of every firm, in firm id order.
pub fn firms<C: Component + Clone>(w: &mut World) -> Vec<C> {
    let mut q = w.query::<(&FirmInfo, &C)>();
    let mut v: Vec<(u32, C)> = q.iter(w).map(|(i, c)| (i.id, c.clone())).collect();
    v.sort_by_key(|x| x.0);
    v.into_iter().map(|x| x.1).collect()
}
