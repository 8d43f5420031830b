//! Phase 11, record: appends the year's rows to the output buffers ([`Buffers`]); the runner
//! streams them to Parquet between years. Firm rows are written when the output options ask
//! for them (`output.firm_level`, `output.firm_every_years`; a run condition).

use crate::config::kinds::FirmLevel;
use crate::econ::profit::profit;
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::firm::ledger;
use crate::model::agents::goods::GoodsMarkets;
use crate::model::agents::plan::PlanState;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::technology::TechState;
use crate::model::agents::totals::YearTotals;
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::RecordedFirm;
use crate::output::tables::{CityYear, MarketYear, NationYear};
use crate::output::{Buffers, Cat};
use crate::rng::{Stream, keyed};
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Run condition: firm rows are wanted this year.
pub fn firm_rows_this_year(params: Res<RunParams>, clock: Res<Clock>) -> bool {
    let o = &params.scenario.output;
    o.firm_level != FirmLevel::None
        && (clock.year - params.scenario.start_year()) % o.firm_every_years as i32 == 0
}

/// Whether the firm with draw key `key` is in the output sample.
pub fn in_sample(params: &RunParams, key: u64) -> bool {
    let o = &params.scenario.output;
    match o.firm_level {
        FirmLevel::All => true,
        FirmLevel::None => false,
        FirmLevel::Sample => {
            keyed(params.seed, Stream::OutputSample, key, 0, 0).random::<f64>()
                < o.firm_sample_share
        }
    }
}

/// Appends `firm_year` rows.
pub fn record_firms(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut buf: ResMut<Buffers>,
    firms: Query<RecordedFirm>,
) {
    let b = &mut buf.firm_year;
    let sample = params.scenario.output.firm_level == FirmLevel::Sample;
    for f in &firms {
        let (info, prod, cov, acc, flows, exp, tech, int, std) = (
            f.info, f.prod, f.cov, f.acc, f.flows, f.exp, f.tech, f.int, f.std,
        );
        if sample && !in_sample(&params, info.key) {
            continue;
        }
        b.run_id.push(params.run_id);
        b.year.push(clock.year);
        b.firm_id.push(info.id);
        b.market.push(Cat::from_opt(cov.market));
        b.output.push(prod.output);
        b.emissions.push(flows.emissions);
        b.counterfactual_emissions
            .push(flows.counterfactual_emissions);
        b.gross_emissions.push(flows.gross_emissions);
        b.operational_abatement.push(flows.abatement);
        b.allocation.push(acc.allocation);
        b.net_purchase.push(acc.net_purchase);
        b.offsets.push(acc.offsets);
        b.surrendered.push(acc.surrendered);
        b.bank.push(acc.bank);
        b.bank_exit.push(acc.bank_exit);
        b.bank_entry.push(acc.bank_entry);
        b.bank_exit_cancelled.push(acc.bank_exit_cancelled);
        b.bank_dormant.push(acc.dormant);
        b.shortfall.push(acc.shortfall);
        b.penalty.push(acc.penalty);
        let fuel = params.scenario.sectors[info.sector as usize].fuel_price;
        let l = ledger(fuel, prod, flows, acc, tech, int);
        let pr_fuel = l.fuel_cost_change;
        let pr = profit(&l);
        b.product_price.push(prod.price);
        b.revenue.push(pr.revenue);
        b.production_cost.push(pr.production_cost);
        b.carbon_payments.push(pr.carbon_payments);
        b.free_allocation_value.push(pr.free_allocation_value);
        b.profit.push(pr.profit);
        b.shadow_price.push(flows.shadow_price);
        b.abatement_cost.push(flows.abatement_cost);
        b.expected_price.push(exp.price);
        b.investment_cost.push(tech.cost);
        b.fuel_cost_change.push(pr_fuel);
        b.capex_committed.push(tech.committed);
        b.adopted.push(Cat::from_opt(tech.new_tech));
        b.technologies.push(tech.installed);
        b.energy_intensity.push(int.energy);
        b.standard_limit.push(std.regulated.then_some(std.limit));
        b.standard_gap.push(std.regulated.then_some(std.gap));
        b.curtailed_output.push(std.curtailed);
        b.curtailment_cost.push(std.curtailment_cost);
        b.subsidy.push(tech.subsidy);
        b.electricity.push(flows.electricity_mwh);
        b.indirect_emissions.push(flows.indirect_emissions);
    }
}

/// Appends this year's eco-compensation flows (`compensation_year`, MODEL.md 7.25).
pub fn record_compensation(
    params: Res<RunParams>,
    clock: Res<Clock>,
    comp: Res<crate::model::agents::totals::CompensationFlows>,
    mut buf: ResMut<Buffers>,
) {
    let c = &mut buf.compensation_year;
    for &(m, from, to, amount) in &comp.0 {
        c.run_id.push(params.run_id);
        c.year.push(clock.year);
        c.market.push(Cat::of(m));
        c.from_province.push(Cat::of(from));
        c.to_province.push(Cat::of(to));
        c.amount.push(amount);
    }
}

/// Appends this year's `fuel_year` rows (every fuel x province, MODEL.md 7.27).
pub fn record_fuels(
    params: Res<RunParams>,
    clock: Res<Clock>,
    state: Res<crate::model::agents::fuel::FuelState>,
    mut buf: ResMut<Buffers>,
) {
    let s = &params.scenario;
    let n = s.fuels.len();
    let b = &mut buf.fuel_year;
    for p in 0..s.geography.provinces.len() {
        for (k, fuel) in s.fuels.iter().enumerate() {
            let d = &state.deliveries[p * n + k];
            let price = state.price[k];
            b.run_id.push(params.run_id);
            b.year.push(clock.year);
            b.fuel.push(fuel.name.clone());
            b.province.push(Cat::of(p as u16));
            b.use_tce.push(d.use_tce);
            b.emissions.push(d.emissions);
            b.upstream_covered.push(d.upstream_covered);
            b.producer_price.push(price);
            b.levy.push(d.levy);
            b.delivered_price.push(if d.use_tce > 0.0 {
                price + d.levy / d.use_tce
            } else {
                price
            });
        }
    }
}

/// Appends this year's R&D programme rows (`research_year`, MODEL.md 7.26).
pub fn record_research(
    params: Res<RunParams>,
    clock: Res<Clock>,
    state: Res<crate::model::agents::research::ResearchState>,
    mut buf: ResMut<Buffers>,
) {
    let Some(r) = &params.scenario.research else {
        return;
    };
    let b = &mut buf.research_year;
    for (k, p) in r.programmes.iter().enumerate() {
        let units = state.stock[k].len() / params.scenario.technologies.len().max(1);
        for &t in &p.technologies {
            b.run_id.push(params.run_id);
            b.year.push(clock.year);
            b.programme.push(p.name.clone());
            b.technology.push(Cat::of(t as u16));
            b.spending.push(state.spent[k][t]);
            let stock = &state.stock[k];
            b.stock.push(if p.joint {
                stock[t]
            } else {
                stock[t * units..(t + 1) * units].iter().sum()
            });
        }
    }
}

/// Appends `city_year`, `market_year` and `nation_year` rows.
pub fn record_aggregates(
    params: Res<RunParams>,
    clock: Res<Clock>,
    totals: Res<YearTotals>,
    plans: Res<PlanState>,
    mut buf: ResMut<Buffers>,
    cities: Query<(&CityInfo, &CityState)>,
    regs: Query<&Regulator>,
) {
    let (run_id, year) = (params.run_id, clock.year);
    let buf = &mut *buf;
    let cities_met = city_rows(run_id, year, &plans, &cities, &mut buf.city_year);
    market_rows(run_id, year, &totals, &regs, &mut buf.market_year);
    nation_row(run_id, year, &totals, cities_met, &mut buf.nation_year);
}

/// `city_year` rows; returns (cities meeting their target, cities with a target).
fn city_rows(
    run_id: u64,
    year: i32,
    plans: &PlanState,
    cities: &Query<(&CityInfo, &CityState)>,
    b: &mut CityYear,
) -> (usize, usize) {
    let mut cities_met = (0usize, 0usize);
    for (info, st) in cities {
        if let Some(m) = st.target_met {
            cities_met.1 += 1;
            cities_met.0 += usize::from(m);
        }
        b.run_id.push(run_id);
        b.year.push(year);
        b.city_id.push(info.id);
        b.gdp.push(st.gdp);
        b.population.push(st.population);
        b.emissions_covered.push(st.emissions_covered);
        b.emissions_uncovered
            .push(st.emissions_uncovered_firms + st.uncovered_other);
        b.abatement_cost.push(st.abatement_cost);
        b.penalty.push(st.penalty);
        b.net_allowance_purchases.push(st.net_allowance_purchases);
        b.net_allowance_value.push(st.net_allowance_value);
        b.investment_cost.push(st.investment_cost);
        b.fuel_cost_change.push(st.fuel_cost_change);
        b.cost_burden.push(st.cost_burden());
        b.adoption_share.push(st.adoption_share());
        let c = info.id as usize;
        b.target_intensity
            .push(plans.target_carbon.get(c).copied().flatten());
        b.intensity.push(st.carbon_intensity);
        b.target_met.push(st.target_met);
        b.target_energy_intensity
            .push(plans.target_energy.get(c).copied().flatten());
        b.energy_intensity.push(st.energy_intensity);
        b.energy_use.push(st.energy_use);
        b.energy_cap.push(plans.cap.get(c).copied().flatten());
        b.curtailment_cost.push(st.curtailment_cost);
        b.recycled_revenue.push(st.recycled);
        b.offset_credits.push(st.offset_credits);
        b.offset_abatement.push(st.offset_abatement);
        b.offset_revenue.push(st.offset_revenue);
        b.offset_cost.push(st.offset_cost);
        b.offset_payments.push(st.offset_payments);
        b.research_cost.push(st.research_cost);
    }
    cities_met
}

/// `market_year` rows of the active markets.
fn market_rows(
    run_id: u64,
    year: i32,
    totals: &YearTotals,
    regs: &Query<&Regulator>,
    b: &mut MarketYear,
) {
    for r in regs {
        if !r.active {
            continue;
        }
        let t = totals.market(r.market);
        let y = &r.year;
        b.run_id.push(run_id);
        b.year.push(year);
        b.market.push(Cat::of(r.market));
        b.price.push(y.price);
        b.volume.push(y.volume);
        b.covered_emissions.push(t.emissions);
        b.free_allocation.push(y.free_allocation);
        b.auctioned.push(r.book.auctioned);
        b.reserve_sales.push(y.reserve_sales);
        b.withheld.push(y.withheld);
        b.bank_start.push(t.bank_start);
        b.bank_total.push(t.bank_end);
        b.bank_exit.push(t.bank_exit);
        b.bank_entry.push(t.bank_entry);
        b.surrendered.push(t.surrendered);
        b.cancelled.push(t.cancelled);
        b.shortfall.push(t.shortfall);
        b.forgiven.push(t.forgiven);
        b.participants.push(y.participants);
        b.abatement.push(t.abatement);
        b.abatement_cost.push(t.abatement_cost);
        b.penalties.push(t.penalties);
        b.auction_revenue.push(y.revenue);
        b.recycled.push(y.recycled);
        b.research_funding.push(y.research_funding);
        b.peak_cap.push(y.peak_cap);
        b.correction_factor.push(y.correction_factor);
        b.fund_balance.push(r.fund);
        b.unmet_demand.push(y.unmet_demand);
        b.unsold_supply.push(y.unsold_supply);
        b.bank_value.push(r.book.bank_value);
        b.msr_intake.push(r.book.msr_intake);
        b.msr_release.push(r.book.msr_release);
        b.msr_invalidated.push(r.book.msr_invalidated);
        b.msr_stock.push(r.book.msr_stock);
        b.borrowed.push(t.borrowed);
        b.offsets_used.push(y.offsets_used);
        b.offset_price.push(y.offset_price);
        b.offset_limit.push(y.offset_limit);
        b.offset_reduction.push(y.offset_reduction);
        b.indirect_emissions.push(t.indirect_emissions);
    }
}

/// The `nation_year` row.
fn nation_row(
    run_id: u64,
    year: i32,
    totals: &YearTotals,
    cities_met: (usize, usize),
    b: &mut NationYear,
) {
    let n = &totals.nation;
    b.run_id.push(run_id);
    b.year.push(year);
    b.gdp.push(n.gdp);
    b.emissions.push(n.covered + n.uncovered);
    b.emissions_covered.push(n.covered);
    b.emissions_uncovered.push(n.uncovered);
    b.abatement.push(n.abatement);
    b.abatement_cost.push(n.abatement_cost);
    b.investment_cost.push(n.investment_cost);
    b.curtailment_cost.push(n.curtailment_cost);
    b.fuel_cost_change.push(n.fuel_cost_change);
    b.allowance_payments.push(n.allowance_payments);
    b.penalties.push(n.penalties);
    b.recycled_revenue.push(n.recycled);
    b.free_allocation_value.push(n.free_allocation_value);
    b.revenue.push(n.revenue);
    b.profit.push(n.profit);
    b.social_cost.push(n.social_cost());
    b.share_cities_meeting_target
        .push((cities_met.1 > 0).then(|| cities_met.0 as f64 / cities_met.1 as f64));
    b.counterfactual_emissions.push(n.counterfactual);
    b.least_cost.push(n.least_cost);
    b.least_cost_price.push(n.least_cost_price);
    b.operational_cost_ratio
        .push((n.least_cost > 0.0).then(|| n.abatement_cost / n.least_cost));
    b.shadow_price_sd.push(n.shadow_price_sd);
    b.gini_cost_burden.push(n.gini);
    b.theil_total.push(n.theil.map(|t| t.total));
    b.theil_between.push(n.theil.map(|t| t.between));
    b.theil_within.push(n.theil.map(|t| t.within));
    b.theil_population_share.push(n.theil.map(|t| t.coverage));
    b.offset_payments.push(n.offset_payments);
    b.offset_abatement.push(n.offset_abatement);
    b.offset_cost.push(n.offset_cost);
    b.research_cost.push(n.research_cost);
}

/// Appends `technology_year` rows: the nation and each agglomeration, per technology.
pub fn record_technologies(
    params: Res<RunParams>,
    clock: Res<Clock>,
    state: Res<TechState>,
    mut buf: ResMut<Buffers>,
) {
    let s = &params.scenario;
    let b = &mut buf.technology_year;
    for t in &s.technologies {
        // r = 0: nation; r = 1 + g: agglomeration g.
        let sums = state.region_sums(t.id);
        for (r, v) in sums.iter().enumerate() {
            b.run_id.push(params.run_id);
            b.year.push(clock.year);
            b.technology.push(Cat::of(t.id as u16));
            b.level.push(Cat::of(u16::from(r > 0)));
            b.region_id.push(if r == 0 { 0 } else { (r - 1) as u32 });
            b.region.push(if r == 0 {
                "China".to_string()
            } else {
                s.geography.agglomerations[r - 1].clone()
            });
            b.firms.push(v.firms as u32);
            b.aware.push(v.aware as u32);
            b.adopters.push(v.adopters as u32);
            b.adoption_share.push(if v.firms > 0.0 {
                v.adopters / v.firms
            } else {
                0.0
            });
            b.cumulative_capacity.push(v.cum_capacity);
            b.unit_capex.push(if v.firms > 0.0 {
                v.capex_x_firms / v.firms
            } else {
                t.capex
            });
        }
    }
}

/// Appends `goods_year` rows: each goods market's price, demand and carbon cost this year,
/// and its firms' output, revenue and profit.
pub fn record_goods(
    params: Res<RunParams>,
    clock: Res<Clock>,
    gm: Res<GoodsMarkets>,
    mut buf: ResMut<Buffers>,
    firms: Query<RecordedFirm>,
) {
    let s = &params.scenario;
    let n = gm.sector.len();
    let mut sums = vec![[0.0f64; 3]; n];
    for f in &firms {
        let g = f.info.goods_market as usize;
        let fuel = s.sectors[f.info.sector as usize].fuel_price;
        let pr = profit(&ledger(fuel, f.prod, f.flows, f.acc, f.tech, f.int));
        if let Some(x) = sums.get_mut(g) {
            x[0] += f.prod.output;
            x[1] += pr.revenue;
            x[2] += pr.profit;
        }
    }
    let b = &mut buf.goods_year;
    for (g, [output, revenue, profit]) in sums.into_iter().enumerate() {
        let sector = gm.sector[g];
        b.run_id.push(params.run_id);
        b.year.push(clock.year);
        b.goods_market.push(g as u32);
        b.sector.push(Cat::of(sector));
        b.region
            .push(goods_region(s, sector as usize, gm.region[g]));
        b.price.push(gm.price[g]);
        b.carbon_cost.push(gm.carbon_cost[g]);
        b.demand.push(gm.demand[g]);
        b.output.push(output);
        b.revenue.push(revenue);
        b.profit.push(profit);
    }
}

/// The name of region `r` of sector `sector`'s scope.
fn goods_region(s: &crate::config::Scenario, sector: usize, r: u32) -> String {
    use crate::config::kinds::Scope;
    let geo = &s.geography;
    let name = match s.sectors[sector].scope {
        Scope::National => None,
        Scope::Grid => crate::geography::GRIDS
            .get(r as usize)
            .map(|g| g.to_string()),
        Scope::Province => geo.provinces.get(r as usize).map(|p| p.name.clone()),
        Scope::City => geo.cities.get(r as usize).map(|c| c.name.clone()),
    };
    name.unwrap_or_else(|| "China".to_string())
}
