//! Phase 10, accounting (MODEL.md section 5): city, market and national aggregates, the
//! least-cost benchmark, and the equity indices. Province and agglomeration aggregates are
//! sums of `city_year` rows over the `cities` table's `province` and `agglomeration`.
//!
//! Least-cost benchmark: the same total operational abatement of all covered firms in the
//! year, achieved at one marginal cost across them (a shadow clearing on the same firms with
//! their true MAC slopes and bounds); `cost_ratio_least_cost = actual cost / least cost`.

use crate::econ::inequality::{gini, theil_decomposed};
use crate::market::{Bid, ClearingRules, ClearingScratch, clear};
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::firm::{
    Account, Capacity, Coverage, FirmInfo, Mac, Production, Technologies, YearFlows,
};
use crate::model::agents::plan::Standard;
use crate::model::agents::totals::{MarketTotals, NationTotals, Receipts, RunTotals, YearTotals};
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Scratch buffers, reused across years.
#[derive(Default)]
pub struct Scratch {
    city: Vec<CityState>,
    bids: Vec<Bid>,
    trades: Vec<f64>,
    clearing: ClearingScratch,
    burden: Vec<f64>,
    groups: Vec<usize>,
}

/// Computes the year's aggregates and updates cities and run totals.
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn account(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut scratch: Local<Scratch>,
    mut totals: ResMut<YearTotals>,
    mut run: ResMut<RunTotals>,
    firms: Query<(
        &FirmInfo,
        &Capacity,
        &Production,
        &Mac,
        &Coverage,
        &Account,
        &YearFlows,
        &Technologies,
        &Standard,
    )>,
    receipts: Res<Receipts>,
    mut cities: Query<(&CityInfo, &mut CityState)>,
) {
    let s = &params.scenario;
    let sc = &mut *scratch;
    let n_cities = s.geography.cities.len();
    sc.city.clear();
    sc.city.resize(n_cities, CityState::default());
    totals.markets.clear();
    totals
        .markets
        .resize(s.markets.len(), MarketTotals::default());
    let mut nation = NationTotals::default();
    sc.bids.clear();
    let (mut w_sum, mut w_p, mut w_p2) = (0.0, 0.0, 0.0);
    for (info, cap, prod, mac, cov, acc, flows, tech, std) in &firms {
        let c = &mut sc.city[info.city as usize];
        c.curtailment_cost += std.curtailment_cost;
        c.recycled += tech.subsidy;
        nation.curtailment_cost += std.curtailment_cost;
        c.abatement_cost += flows.abatement_cost;
        c.investment_cost += tech.cost;
        c.installed += f64::from(tech.installed);
        c.slots += tech.slots.len() as f64;
        nation.investment_cost += tech.cost;
        nation.counterfactual += flows.counterfactual_emissions;
        nation.firm_emissions += flows.emissions;
        c.penalty += acc.penalty;
        c.net_allowance_value += acc.net_purchase * flows.price;
        c.net_allowance_purchases += acc.net_purchase;
        match cov.market {
            None => c.emissions_uncovered_firms += flows.emissions,
            Some(m) => {
                c.emissions_covered += flows.emissions;
                let t = &mut totals.markets[m as usize];
                t.emissions += flows.emissions;
                t.abatement += flows.abatement;
                t.abatement_cost += flows.abatement_cost;
                t.bank_start += acc.bank_start;
                t.bank_end += acc.bank;
                t.surrendered += acc.surrendered;
                t.cancelled += acc.cancelled;
                t.shortfall += acc.shortfall;
                t.forgiven += acc.forgiven;
                t.penalties += acc.penalty;
                nation.covered += flows.emissions;
            }
        }
        // Efficiency is judged over every firm under a carbon policy: covered by a market
        // or regulated by a standard.
        if cov.market.is_none() && !std.regulated {
            continue;
        }
        nation.abatement += flows.abatement;
        nation.abatement_cost += flows.abatement_cost;
        nation.penalties += acc.penalty;
        let w = flows.gross_emissions;
        w_sum += w;
        w_p += w * flows.shadow_price;
        w_p2 += w * flows.shadow_price * flows.shadow_price;
        let e = flows.gross_emissions;
        sc.bids.push(Bid {
            emissions: e,
            mac_slope: mac.slope(cap.base_output, prod.output),
            abatement_max: mac.max_share * e,
            abatement_min: 0.0,
            holdings: e,
            obligation_cap: f64::INFINITY,
            bank_hedge: 0.0,
            bank_slope: 0.0,
            bank_value: 0.0,
        });
    }
    if w_sum > 0.0 {
        let mean = w_p / w_sum;
        nation.shadow_price_sd = (w_p2 / w_sum - mean * mean).max(0.0).sqrt();
    }
    // Least-cost benchmark: holdings sum to total baseline minus the achieved abatement.
    let total_e: f64 = sc.bids.iter().map(|b| b.emissions).sum();
    if nation.abatement > 0.0 && total_e > 0.0 {
        for b in &mut sc.bids {
            b.holdings = b.emissions - nation.abatement * b.emissions / total_e;
        }
        let rules = ClearingRules {
            floor: 0.0,
            ceiling: 1e12,
            auction_volume: 0.0,
            reserve_price: f64::INFINITY,
            ccr_volume: 0.0,
        };
        let out = clear(&sc.bids, &rules, &mut sc.clearing, &mut sc.trades);
        nation.least_cost_price = out.price;
        nation.least_cost = sc.bids.iter().map(|b| b.abatement_cost(out.price)).sum();
    }
    sc.burden.clear();
    sc.groups.clear();
    let n_agg = s.geography.agglomerations.len();
    for (info, mut st) in &mut cities {
        let c = &sc.city[info.id as usize];
        st.emissions_covered = c.emissions_covered;
        st.emissions_uncovered_firms = c.emissions_uncovered_firms;
        st.abatement_cost = c.abatement_cost;
        st.penalty = c.penalty;
        st.investment_cost = c.investment_cost;
        st.installed = c.installed;
        st.slots = c.slots;
        st.net_allowance_value = c.net_allowance_value;
        st.net_allowance_purchases = c.net_allowance_purchases;
        st.curtailment_cost = c.curtailment_cost;
        st.recycled = c.recycled + receipts.0.get(info.id as usize).copied().unwrap_or(0.0);
        st.cum_burden += st.cost_burden();
        st.cum_gdp += st.gdp;
        nation.gdp += st.gdp;
        nation.uncovered += st.emissions_uncovered_firms + st.uncovered_other;
        if st.gdp > 0.0 {
            sc.burden.push(st.cost_burden() / st.gdp);
            sc.groups
                .push(info.agglomeration.map_or(n_agg, usize::from));
        }
    }
    nation.gini = gini(&sc.burden);
    nation.theil = theil_decomposed(&sc.burden, &sc.groups);
    let total = nation.covered + nation.uncovered;
    run.emissions += total;
    run.abatement += nation.abatement;
    run.abatement_cost += nation.abatement_cost;
    run.penalties += nation.penalties;
    run.investment_cost += nation.investment_cost;
    run.curtailment_cost += nation.curtailment_cost;
    run.abatement_vs_counterfactual += nation.counterfactual - nation.firm_emissions;
    run.least_cost += nation.least_cost;
    if run.peak.is_none_or(|(_, v)| total > v) {
        run.peak = Some((clock.year, total));
    }
    totals.nation = nation;
}
