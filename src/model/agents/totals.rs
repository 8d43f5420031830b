//! What the year's and the run's accounting adds up, as resources of the run's World
//! (inserted by [`crate::model::world::build_world`]): recycled receipts per city
//! ([`Receipts`]), this year's market and national sums ([`YearTotals`], read by the record
//! phase) and the run's cumulative sums ([`RunTotals`]) with the headline metrics of the
//! `summary` row computed from them ([`RunTotals::summary`]).

use bevy_ecs::prelude::*;

/// Receipts per city this year (index = city id), CNY; written by recycling, read by
/// accounting.
#[derive(Resource, Clone, Debug, Default)]
pub struct Receipts(pub Vec<f64>);

/// This year's eco-compensation flows (`markets[].compensation`, MODEL.md 7.25): (market,
/// paying province, receiving province, CNY); written by recycling, recorded as
/// `compensation_year` rows.
#[derive(Resource, Clone, Debug, Default)]
pub struct CompensationFlows(pub Vec<(u16, u16, u16, f64)>);

/// Sums over one market's covered firms in one year.
#[derive(Clone, Copy, Debug, Default)]
pub struct MarketTotals {
    /// Realised emissions, t CO2.
    pub emissions: f64,
    /// Operational abatement, t CO2.
    pub abatement: f64,
    /// Operational abatement cost, CNY.
    pub abatement_cost: f64,
    /// Banks at the start of the year, t CO2.
    pub bank_start: f64,
    /// Banks at the end of the year, t CO2.
    pub bank_end: f64,
    /// Taken out of the market's banks by firms that left it this year, t CO2.
    pub bank_exit: f64,
    /// Put into the market's banks by conversion or returning dormant allowances, t CO2.
    pub bank_entry: f64,
    /// Surrendered, t CO2.
    pub surrendered: f64,
    /// Cancelled, t CO2.
    pub cancelled: f64,
    /// Borrowed from next year's allocation, t CO2.
    pub borrowed: f64,
    /// Shortfall, t CO2.
    pub shortfall: f64,
    /// Forgiven by the obligation cap, t CO2.
    pub forgiven: f64,
    /// Penalties, CNY.
    pub penalties: f64,
    /// Counted indirect emissions of the covered firms, t CO2.
    pub indirect_emissions: f64,
}

/// The national row of the year.
#[derive(Clone, Copy, Debug, Default)]
pub struct NationTotals {
    /// GDP, CNY.
    pub gdp: f64,
    /// Covered firms' emissions, t CO2.
    pub covered: f64,
    /// Uncovered firms' and non-firm emissions, t CO2.
    pub uncovered: f64,
    /// Covered operational abatement, t CO2.
    pub abatement: f64,
    /// Covered abatement cost, CNY.
    pub abatement_cost: f64,
    /// Penalties, CNY.
    pub penalties: f64,
    /// Investment cost of all firms, CNY.
    pub investment_cost: f64,
    /// Value added lost to curtailment, CNY.
    pub curtailment_cost: f64,
    /// Fuel cost change of all firms against their build intensities, CNY (negative: saved).
    pub fuel_cost_change: f64,
    /// Counterfactual emissions of all firms, t CO2.
    pub counterfactual: f64,
    /// Transfers: firms' net payments for allowances (auction, reserve and tax revenue of
    /// the regulators), CNY.
    pub allowance_payments: f64,
    /// Transfers: revenue paid back to cities and, as capex subsidies, to firms, CNY.
    pub recycled: f64,
    /// Transfers: firms' payments for offset credits (the sources' revenue), CNY.
    pub offset_payments: f64,
    /// Real reduction of non-firm uncovered emissions behind the offsets used, t CO2.
    pub offset_abatement: f64,
    /// Cost of the real offset reductions, CNY (social cost).
    pub offset_cost: f64,
    /// R&D programmes' spending this year, from city budgets and market revenue, CNY
    /// (social cost).
    pub research_cost: f64,
    /// Free allocation valued at each market's price, CNY.
    pub free_allocation_value: f64,
    /// Firms' revenue (product price x output), CNY.
    pub revenue: f64,
    /// Firms' profit ([`crate::econ::profit`]), CNY.
    pub profit: f64,
    /// Firms' realised emissions, t CO2.
    pub firm_emissions: f64,
    /// Least cost of the same abatement, CNY.
    pub least_cost: f64,
    /// Uniform price of the least-cost benchmark, CNY per t.
    pub least_cost_price: f64,
    /// Gross-emission-weighted sd of covered firms' shadow prices, CNY per t.
    pub shadow_price_sd: f64,
    /// Gini of cost burden per GDP across cities.
    pub gini: Option<f64>,
    /// Population-weighted Theil of cost burden per GDP over cities with a positive burden.
    pub theil: Option<crate::econ::inequality::Theil>,
}

/// This year's aggregates, read by the record phase.
#[derive(Resource, Debug, Default)]
pub struct YearTotals {
    /// Per market id.
    pub markets: Vec<MarketTotals>,
    /// National row.
    pub nation: NationTotals,
}

/// Cumulative totals over the run, for the `summary` row.
#[derive(Resource, Debug, Default)]
pub struct RunTotals {
    /// Sum of national emissions, t CO2.
    pub emissions: f64,
    /// Sum of covered abatement, t CO2.
    pub abatement: f64,
    /// Sum of abatement costs, CNY.
    pub abatement_cost: f64,
    /// Sum of penalties, CNY.
    pub penalties: f64,
    /// Sum of investment costs, CNY.
    pub investment_cost: f64,
    /// Sum of curtailment losses, CNY.
    pub curtailment_cost: f64,
    /// Sum of fuel cost changes, CNY (negative: saved).
    pub fuel_cost_change: f64,
    /// Sum of the offset sources' reduction costs, CNY.
    pub offset_cost: f64,
    /// Sum of R&D programmes' spending, CNY.
    pub research_cost: f64,
    /// Sum of firms' counterfactual minus realised emissions, t CO2.
    pub abatement_vs_counterfactual: f64,
    /// Sum of least costs, CNY.
    pub least_cost: f64,
    /// Sum of firms' net allowance payments (regulators' revenue), CNY.
    pub allowance_payments: f64,
    /// Sum of recycled revenue, CNY.
    pub recycled: f64,
    /// Sum of free allocation values, CNY.
    pub free_allocation_value: f64,
    /// Sum of firms' profits, CNY.
    pub profit: f64,
    /// Year and value of the highest national emissions.
    pub peak: Option<(i32, f64)>,
}

/// The values of the `summary` row (see `output/tables.rs` for their meaning).
#[derive(Clone, Debug, Default)]
pub struct SummaryRow {
    /// Cumulative emissions, t CO2.
    pub cumulative_emissions: f64,
    /// Cumulative operational abatement, t CO2.
    pub cumulative_abatement: f64,
    /// Cumulative abatement below firms' counterfactual, t CO2.
    pub abatement_vs_counterfactual: f64,
    /// Social cost (operational abatement + investment + fuel cost change + curtailment +
    /// offset sources' reductions; no transfers), CNY.
    pub total_cost: f64,
    /// Fuel cost change, CNY (negative: saved).
    pub fuel_cost_change: f64,
    /// Penalties paid (a transfer, not in the social cost), CNY.
    pub penalties: f64,
    /// Firms' net allowance payments (a transfer), CNY.
    pub allowance_payments: f64,
    /// Recycled revenue (a transfer), CNY.
    pub recycled: f64,
    /// Free allocation at the price, CNY.
    pub free_allocation_value: f64,
    /// Firms' profits, CNY.
    pub profit: f64,
    /// Investment cost, CNY.
    pub investment_cost: f64,
    /// Curtailment loss, CNY.
    pub curtailment_cost: f64,
    /// R&D programmes' spending, CNY (part of total_cost).
    pub research_cost: f64,
    /// Shares of cities and provinces meeting targets at the end of the latest plan.
    pub targets_met: (Option<f64>, Option<f64>),
    /// Cost per tonne abated, CNY/t.
    pub cost_per_tonne_vs_counterfactual: Option<f64>,
    /// Actual / least cost.
    pub operational_cost_ratio: Option<f64>,
    /// Gini of cumulative cost burden per GDP across cities.
    pub gini_cost_burden: Option<f64>,
    /// Peak year and emissions, t CO2.
    pub peak: (i32, f64),
    /// Whole runs of the foresight fixed point (0 without foresight).
    pub foresight_iterations: u32,
    /// Residual of the foresight fixed point, share (None without foresight).
    pub foresight_residual: Option<f64>,
    /// Fixed-point gap of the foresight path, share (None without foresight).
    pub foresight_gap: Option<f64>,
}

impl NationTotals {
    /// This year's social cost: abatement + investment + fuel cost change + curtailment +
    /// the offset sources' reductions + R&D spending, CNY (no transfers).
    pub fn social_cost(&self) -> f64 {
        self.abatement_cost
            + self.investment_cost
            + self.fuel_cost_change
            + self.curtailment_cost
            + self.offset_cost
            + self.research_cost
    }
}

impl YearTotals {
    /// This year's sums of market `m` (zeros for a market without covered firms).
    pub fn market(&self, m: u16) -> MarketTotals {
        self.markets.get(m as usize).copied().unwrap_or_default()
    }
}

impl RunTotals {
    /// Adds year `year`'s national row to the cumulative totals (peak: the first year with
    /// the highest national emissions).
    pub fn add_year(&mut self, nation: &NationTotals, year: i32) {
        let total = nation.covered + nation.uncovered;
        self.emissions += total;
        self.abatement += nation.abatement;
        self.abatement_cost += nation.abatement_cost;
        self.penalties += nation.penalties;
        self.investment_cost += nation.investment_cost;
        self.curtailment_cost += nation.curtailment_cost;
        self.fuel_cost_change += nation.fuel_cost_change;
        self.offset_cost += nation.offset_cost;
        self.research_cost += nation.research_cost;
        self.abatement_vs_counterfactual += nation.counterfactual - nation.firm_emissions;
        self.least_cost += nation.least_cost;
        self.allowance_payments += nation.allowance_payments;
        self.recycled += nation.recycled;
        self.free_allocation_value += nation.free_allocation_value;
        self.profit += nation.profit;
        if self.peak.is_none_or(|(_, v)| total > v) {
            self.peak = Some((year, total));
        }
    }

    /// Social cost: operational abatement + investment (capex annuities and opex) + fuel
    /// cost change + curtailment losses + the offset sources' reduction costs + R&D
    /// programmes' spending, CNY;
    /// transfers (penalties, allowance and offset payments, auction and tax revenue,
    /// recycling) are not in it.
    pub fn social_cost(&self) -> f64 {
        self.abatement_cost
            + self.investment_cost
            + self.fuel_cost_change
            + self.curtailment_cost
            + self.offset_cost
            + self.research_cost
    }

    /// The headline metrics of the run. `burden_gini` is the Gini of cumulative cost burden
    /// per cumulative GDP across cities, `targets_met` the shares of cities and provinces
    /// meeting the latest plan, `start_year` the peak year reported when nothing was emitted.
    pub fn summary(
        &self,
        burden_gini: Option<f64>,
        targets_met: (Option<f64>, Option<f64>),
        start_year: i32,
    ) -> SummaryRow {
        let least = self.least_cost;
        SummaryRow {
            cumulative_emissions: self.emissions,
            cumulative_abatement: self.abatement,
            abatement_vs_counterfactual: self.abatement_vs_counterfactual,
            total_cost: self.social_cost(),
            fuel_cost_change: self.fuel_cost_change,
            penalties: self.penalties,
            allowance_payments: self.allowance_payments,
            recycled: self.recycled,
            free_allocation_value: self.free_allocation_value,
            profit: self.profit,
            curtailment_cost: self.curtailment_cost,
            research_cost: self.research_cost,
            targets_met,
            investment_cost: self.investment_cost,
            cost_per_tonne_vs_counterfactual: (self.abatement_vs_counterfactual > 0.0)
                .then(|| self.social_cost() / self.abatement_vs_counterfactual),
            operational_cost_ratio: (least > 0.0).then(|| self.abatement_cost / least),
            gini_cost_burden: burden_gini,
            peak: self.peak.unwrap_or((start_year, 0.0)),
            foresight_iterations: 0,
            foresight_residual: None,
            foresight_gap: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_social_cost_without_transfers_and_guards_divisions() {
        let t = RunTotals {
            emissions: 100.0,
            abatement: 10.0,
            abatement_cost: 50.0,
            penalties: 5.0,
            investment_cost: 20.0,
            curtailment_cost: 10.0,
            fuel_cost_change: -16.0,
            offset_cost: 6.0,
            research_cost: 4.0,
            abatement_vs_counterfactual: 40.0,
            least_cost: 25.0,
            allowance_payments: 30.0,
            recycled: 12.0,
            free_allocation_value: 7.0,
            profit: 100.0,
            peak: Some((2030, 12.0)),
        };
        let s = t.summary(Some(0.3), (Some(1.0), None), 2020);
        // Social cost 50 + 20 - 16 + 10 + 6 + 4 = 74: fuel savings, the offset sources' cost
        // and R&D count, penalties (5) do not.
        assert_eq!(s.total_cost, 74.0);
        assert_eq!(s.research_cost, 4.0);
        assert_eq!((s.penalties, s.fuel_cost_change), (5.0, -16.0));
        // Transfers are reported apart, never in the social cost.
        assert_eq!((s.allowance_payments, s.recycled), (30.0, 12.0));
        assert_eq!((s.free_allocation_value, s.profit), (7.0, 100.0));
        assert_eq!(s.cost_per_tonne_vs_counterfactual, Some(74.0 / 40.0));
        assert_eq!(s.operational_cost_ratio, Some(2.0));
        assert_eq!(s.peak, (2030, 12.0));
        let empty = RunTotals::default().summary(None, (None, None), 2020);
        assert_eq!(empty.cost_per_tonne_vs_counterfactual, None);
        assert_eq!(empty.operational_cost_ratio, None);
        assert_eq!(empty.peak, (2020, 0.0));
    }
}
