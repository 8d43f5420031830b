//! Administrative regime state: the planning authority's targets per city (a resource, as it
//! is indexed by city) and each firm's standard (a component).

use bevy_ecs::prelude::{Component, Resource};

/// A firm's administrative standard this year.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Standard {
    /// Whether an enforced standard applies to the firm this year.
    pub regulated: bool,
    /// The firm's intensity in the plan's base year, in the metric's units per unit of
    /// output (tce or t CO2).
    pub base_intensity: f64,
    /// This year's limit, metric units per unit of output.
    pub limit: f64,
    /// Operational abatement the standard requires, t CO2 (a floor for market bids).
    pub abatement: f64,
    /// Part of the standard not met after all measures, metric units (tce or t CO2).
    pub gap: f64,
    /// Marginal cost of the last measure, CNY per t CO2.
    pub shadow: f64,
    /// Last year's shadow price, CNY per t CO2 (expectations under a standard).
    pub last_shadow: f64,
    /// Output curtailed because the city's energy cap binds, units.
    pub curtailed: f64,
    /// Value added lost to curtailment, CNY.
    pub curtailment_cost: f64,
    /// Output last year (after any curtailment), units; None in the run's first year. What
    /// cities project this year's output from.
    pub last_output: Option<f64>,
}

/// Targets and caps of the active plan, per city (index = city id).
#[derive(Resource, Clone, Debug, Default)]
pub struct PlanState {
    /// Active plan index.
    pub active: Option<usize>,
    /// City carbon intensity in the plan's base year, t CO2 per million CNY.
    pub base_carbon: Vec<f64>,
    /// City energy intensity in the plan's base year, tce per million CNY.
    pub base_energy: Vec<f64>,
    /// City energy use in the plan's base year, tce.
    pub base_energy_use: Vec<f64>,
    /// Cut of carbon intensity over the plan, per city.
    pub cut_carbon: Vec<Option<f64>>,
    /// Cut of energy intensity over the plan, per city.
    pub cut_energy: Vec<Option<f64>>,
    /// This year's carbon-intensity target, t CO2 per million CNY.
    pub target_carbon: Vec<Option<f64>>,
    /// This year's energy-intensity target, tce per million CNY.
    pub target_energy: Vec<Option<f64>>,
    /// This year's energy cap, tce.
    pub cap: Vec<Option<f64>>,
    /// Last year's city carbon intensity (set by accounting), t CO2 per million CNY.
    pub last_carbon: Vec<f64>,
    /// Last year's city energy intensity, tce per million CNY.
    pub last_energy: Vec<f64>,
    /// Last year's city energy use, tce.
    pub last_energy_use: Vec<f64>,
    /// Share of cities meeting their targets in the last year of the latest completed plan.
    pub share_cities_met: Option<f64>,
    /// Share of provinces meeting their targets in the last year of the latest completed plan.
    pub share_provinces_met: Option<f64>,
}
