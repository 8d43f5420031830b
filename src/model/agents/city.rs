//! City agents (prefecture-level governments).

use bevy_ecs::prelude::Component;

/// Static identity.
#[derive(Component, Clone, Copy, Debug)]
pub struct CityInfo {
    /// City id.
    pub id: u32,
    /// Province id.
    pub province: u16,
    /// Agglomeration id, if any.
    pub agglomeration: Option<u8>,
    /// GDP in the provinces table's data year, CNY per year.
    pub gdp_base: f64,
    /// Population in the data year, people.
    pub population_base: f64,
    /// Non-firm uncovered emissions in the CO2 data year, t CO2 per year.
    pub uncovered_base: f64,
}

/// This year's state and aggregates of the city's firms.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct CityState {
    /// GDP, CNY per year.
    pub gdp: f64,
    /// Population, people.
    pub population: f64,
    /// Non-firm uncovered emissions, t CO2.
    pub uncovered_other: f64,
    /// Emissions of covered firms, t CO2.
    pub emissions_covered: f64,
    /// Emissions of uncovered firms, t CO2.
    pub emissions_uncovered_firms: f64,
    /// Abatement cost of the city's firms, CNY.
    pub abatement_cost: f64,
    /// Penalties of the city's firms, CNY.
    pub penalty: f64,
    /// Investment cost of the city's firms, CNY.
    pub investment_cost: f64,
    /// Installed (firm, technology) pairs of the city's firms.
    pub installed: f64,
    /// (firm, technology) pairs of the city's firms.
    pub slots: f64,
    /// Net allowance purchases at the clearing price, CNY.
    pub net_allowance_value: f64,
    /// Net allowance purchases, t CO2.
    pub net_allowance_purchases: f64,
    /// Value added lost to curtailment of the city's firms, CNY.
    pub curtailment_cost: f64,
    /// Fuel cost change of the city's firms against their build intensities, CNY
    /// (negative: saved).
    pub fuel_cost_change: f64,
    /// Offset credits the city's uncovered sources sold this year, t CO2.
    pub offset_credits: f64,
    /// Real reduction of the city's non-firm uncovered emissions behind its credits, t CO2
    /// (already taken out of `uncovered_other`).
    pub offset_abatement: f64,
    /// What the city's sources received for their credits, CNY.
    pub offset_revenue: f64,
    /// Cost of the city's real offset reductions, CNY (social cost).
    pub offset_cost: f64,
    /// What the city's covered firms paid for the offsets they surrendered, CNY.
    pub offset_payments: f64,
    /// What the city's budget paid for R&D programmes this year (its GDP share of each
    /// programme budget it belongs to), CNY.
    pub research_cost: f64,
    /// Recycled revenue received by the city and capex subsidies to its firms, CNY.
    pub recycled: f64,
    /// Energy use: firms plus non-firm energy, tce.
    pub energy_use: f64,
    /// Carbon intensity, t CO2 per million CNY of GDP.
    pub carbon_intensity: f64,
    /// Energy intensity, tce per million CNY of GDP.
    pub energy_intensity: f64,
    /// Whether the city meets its plan targets this year (None: no target).
    pub target_met: Option<bool>,
    /// Cumulative cost burden, CNY.
    pub cum_burden: f64,
    /// Cumulative GDP, CNY.
    pub cum_gdp: f64,
}

impl CityState {
    /// This year's cost burden: abatement cost + investment cost + fuel cost change +
    /// penalties + net allowance value + curtailment loss - recycled revenue and subsidies
    /// received + offsets (the firms' payments for them and the sources' cost, minus the
    /// sources' revenue) + R&D paid from the city's budget, CNY (who bears what: social cost
    /// and transfers together).
    pub fn cost_burden(&self) -> f64 {
        self.abatement_cost
            + self.investment_cost
            + self.fuel_cost_change
            + self.penalty
            + self.net_allowance_value
            + self.curtailment_cost
            - self.recycled
            + self.offset_payments
            + self.offset_cost
            - self.offset_revenue
            + self.research_cost
    }

    /// Share of (firm, technology) pairs installed.
    pub fn adoption_share(&self) -> f64 {
        if self.slots > 0.0 {
            self.installed / self.slots
        } else {
            0.0
        }
    }
}
