//! The year's schedule: one chained [`Phase`] set (MODEL.md section 3), single-threaded
//! (parallelism comes from running many Worlds at once), built with ambiguity detection set
//! to error so that an unordered conflict between systems fails the build.

use crate::model::systems::*;
use crate::output::collect::year as record;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};

/// The phases of one simulated year, in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Regime timeline, markets on/off, coverage.
    Policy,
    /// GDP, population, uncovered emissions.
    Macro,
    /// Price expectations.
    Expectations,
    /// Goods markets, output, gross emissions.
    Production,
    /// Abatement investment in technologies.
    Investment,
    /// Administrative standards: firm limits, forced adoption, operational abatement and
    /// curtailment, so that allocation sees the year's final output.
    Standards,
    /// Electricity use and counted indirect emissions, free allocation and auction volumes.
    Allocation,
    /// Bidding and clearing.
    Market,
    /// Surrender, penalties, banking.
    Compliance,
    /// Technology awareness (Bass) and learning (Wright).
    Diffusion,
    /// Aggregates and metrics.
    Accounting,
    /// Output rows.
    Record,
    /// Plant closure, exit and new plants (`[capacity]`), after this year's rows.
    Capacity,
}

/// Label of the yearly schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Year;

/// Builds the schedule of one simulated year.
pub fn year_schedule() -> Schedule {
    let mut s = Schedule::new(Year);
    s.set_executor(SingleThreadedExecutor::new());
    s.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    s.configure_sets(
        (
            Phase::Policy,
            Phase::Macro,
            Phase::Expectations,
            Phase::Production,
            Phase::Investment,
            Phase::Standards,
            Phase::Allocation,
            Phase::Market,
            Phase::Compliance,
            Phase::Diffusion,
            Phase::Accounting,
            Phase::Record,
            Phase::Capacity,
        )
            .chain(),
    );
    s.add_systems(
        (
            policy::update_regulators,
            policy::assign_coverage,
            administrative::update_plans,
        )
            .chain()
            .in_set(Phase::Policy),
    );
    s.add_systems(macroeconomy::grow_cities.in_set(Phase::Macro));
    s.add_systems(expectations::update_expectations.in_set(Phase::Expectations));
    s.add_systems(
        (
            renewal::renew_vintages,
            fuel::price_fuels,
            production::produce,
            power::dispatch_power,
        )
            .chain()
            .in_set(Phase::Production),
    );
    s.add_systems(investment::invest.in_set(Phase::Investment));
    s.add_systems(administrative::enforce_standards.in_set(Phase::Standards));
    s.add_systems(
        (indirect::count_indirect, allocation::allocate)
            .chain()
            .in_set(Phase::Allocation),
    );
    s.add_systems(market::clear_markets.in_set(Phase::Market));
    s.add_systems(compliance::comply.in_set(Phase::Compliance));
    s.add_systems(
        (research::accumulate_knowledge, diffusion::diffuse)
            .chain()
            .in_set(Phase::Diffusion),
    );
    s.add_systems(
        (
            fuel::account_fuels,
            recycling::recycle_revenue,
            accounting::account,
            targets::assess_targets,
            peaks::track_peaks,
        )
            .chain()
            .in_set(Phase::Accounting),
    );
    s.add_systems(
        (
            record::record_firms.run_if(record::firm_rows_this_year),
            record::record_aggregates,
            record::record_compensation,
            record::record_research,
            record::record_fuels,
            record::record_technologies,
            record::record_goods,
            crate::output::collect::power::record_power,
        )
            .chain()
            .in_set(Phase::Record),
    );
    s.add_systems(capacity::plan_capacity.in_set(Phase::Capacity));
    s
}
