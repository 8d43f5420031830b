//! Phase 10, accounting (MODEL.md section 5): city, market and national aggregates, the
//! least-cost benchmark, and the equity indices. Province and agglomeration aggregates are
//! sums of `city_year` rows over the `cities` table's `province` and `agglomeration`.
//!
//! Least-cost benchmark: the same total operational abatement of all covered firms in the
//! year, achieved at one marginal cost across them (a shadow clearing on the same firms with
//! their true MAC slopes and bounds); `operational_cost_ratio = actual cost / least cost`.

use crate::econ::inequality::{gini_weighted, theil_weighted};
use crate::econ::profit::profit;
use crate::market::{Bid, ClearingRules, ClearingScratch, clear};
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::firm::ledger;
use crate::model::agents::totals::{MarketTotals, NationTotals, Receipts, RunTotals, YearTotals};
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::AccountedFirm;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// Scratch buffers, reused across years.
#[derive(Default)]
pub struct Scratch {
    city: Vec<CityState>,
    bids: Vec<Bid>,
    trades: Vec<f64>,
    clearing: ClearingScratch,
    burden: Vec<f64>,
    burden_weight: Vec<f64>,
    groups: Vec<usize>,
}

/// The totals accounting writes and the receipts it reads.
#[derive(SystemParam)]
pub struct Sums<'w> {
    /// This year's market and national sums (set).
    year: ResMut<'w, YearTotals>,
    /// The run's cumulative sums (added to).
    run: ResMut<'w, RunTotals>,
    /// Recycled revenue per city this year.
    receipts: Res<'w, Receipts>,
    /// R&D spending this year (`[research]`).
    research: Res<'w, crate::model::agents::research::ResearchState>,
}

/// Computes the year's aggregates and updates cities and run totals. Steps: [`firm_sums`],
/// [`least_cost`], [`update_cities`], [`RunTotals::add_year`].
pub fn account(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut scratch: Local<Scratch>,
    sums: Sums,
    firms: Query<AccountedFirm>,
    mut cities: Query<(&CityInfo, &mut CityState)>,
) {
    let Sums {
        year: mut totals,
        mut run,
        receipts,
        research,
    } = sums;
    let s = &params.scenario;
    let sc = &mut *scratch;
    sc.city.clear();
    sc.city
        .resize(s.geography.cities.len(), CityState::default());
    totals.markets.clear();
    totals
        .markets
        .resize(s.markets.len(), MarketTotals::default());
    let mut nation = NationTotals::default();
    firm_sums(s, &firms, sc, &mut totals.markets, &mut nation);
    least_cost(sc, &mut nation);
    nation.research_cost = research.total_spent;
    update_cities(
        &mut cities,
        (&receipts, &research.city_cost),
        s.geography.agglomerations.len(),
        sc,
        &mut nation,
    );
    run.add_year(&nation, clock.year);
    totals.nation = nation;
}

/// Sums every firm into its city, its market and the nation; collects the bids of the
/// least-cost benchmark (every firm under a carbon policy: covered by a market or regulated
/// by a standard) and the gross-emission-weighted dispersion of their shadow prices.
fn firm_sums(
    s: &crate::config::Scenario,
    firms: &Query<AccountedFirm>,
    sc: &mut Scratch,
    markets: &mut [MarketTotals],
    nation: &mut NationTotals,
) {
    sc.bids.clear();
    let (mut w_sum, mut w_p, mut w_p2) = (0.0, 0.0, 0.0);
    for f in firms {
        let (flows, acc, tech, std) = (f.flows, f.acc, f.tech, f.std);
        let c = &mut sc.city[f.info.city as usize];
        c.curtailment_cost += std.curtailment_cost;
        c.recycled += tech.subsidy;
        nation.curtailment_cost += std.curtailment_cost;
        c.abatement_cost += flows.abatement_cost;
        c.investment_cost += tech.cost;
        let fuel = f.prod.output
            * f.int
                .fuel_cost_change_per_unit(s.sectors[f.info.sector as usize].fuel_price);
        c.fuel_cost_change += fuel;
        nation.fuel_cost_change += fuel;
        c.installed += f64::from(tech.installed);
        c.slots += tech.slots.len() as f64;
        nation.investment_cost += tech.cost;
        nation.counterfactual += flows.counterfactual_emissions;
        nation.firm_emissions += flows.emissions;
        c.penalty += acc.penalty;
        let allowance_payment = (acc.net_purchase - acc.offsets) * flows.price;
        c.net_allowance_value += allowance_payment;
        c.offset_payments += acc.offset_payment;
        nation.offset_payments += acc.offset_payment;
        let sector_fuel = s.sectors[f.info.sector as usize].fuel_price;
        let pr = profit(&ledger(sector_fuel, f.prod, flows, acc, tech, f.int));
        nation.allowance_payments += allowance_payment;
        nation.free_allocation_value += pr.free_allocation_value;
        nation.revenue += pr.revenue;
        nation.profit += pr.profit;
        c.net_allowance_purchases += acc.net_purchase;
        if let Some(o) = f.cov.previous
            && f.cov.previous != f.cov.market
        {
            markets[o as usize].bank_exit += acc.bank_exit;
        }
        match f.cov.market {
            None => c.emissions_uncovered_firms += flows.emissions,
            Some(m) => {
                // Under an upstream market only the emissions of its fuels are covered; the
                // rest (process emissions, other fuels) stays uncovered.
                let counted = f.cov.counted(flows.emissions);
                c.emissions_covered += counted;
                if f.cov.direct_share != 1.0 {
                    c.emissions_uncovered_firms += flows.emissions - counted;
                }
                let t = &mut markets[m as usize];
                t.emissions += counted;
                t.indirect_emissions += flows.indirect_emissions;
                t.abatement += flows.abatement;
                t.abatement_cost += flows.abatement_cost;
                t.bank_start += acc.bank_start;
                t.bank_end += acc.bank;
                t.bank_entry += acc.bank_entry;
                t.surrendered += acc.surrendered;
                t.cancelled += acc.cancelled;
                t.borrowed += acc.borrowed;
                t.shortfall += acc.shortfall;
                t.forgiven += acc.forgiven;
                t.penalties += acc.penalty;
                nation.covered += counted;
            }
        }
        // Efficiency is judged over every firm under a carbon policy: covered by a market
        // or regulated by a standard.
        if f.cov.market.is_none() && !std.regulated {
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
            mac_slope: f.mac.slope(f.cap.base_output, f.prod.output),
            abatement_max: f.mac.max_share * e,
            abatement_min: 0.0,
            holdings: e,
            cap_allocation: f64::INFINITY,
            cap_share: 1.0,
            bank_hedge: 0.0,
            bank_slope: 0.0,
            bank_value: 0.0,
        });
    }
    if w_sum > 0.0 {
        let mean = w_p / w_sum;
        nation.shadow_price_sd = (w_p2 / w_sum - mean * mean).max(0.0).sqrt();
    }
}

/// Least-cost benchmark: the same total operational abatement at one marginal cost across
/// the collected bids (holdings sum to total baseline minus the achieved abatement).
fn least_cost(sc: &mut Scratch, nation: &mut NationTotals) {
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
}

/// Writes the city sums into each city's state (with the revenue it received), adds its GDP
/// and other emissions to the nation, and computes Gini and Theil of cost burden per GDP
/// (Theil groups: agglomerations, the rest as one group).
fn update_cities(
    cities: &mut Query<(&CityInfo, &mut CityState)>,
    (receipts, research): (&Receipts, &[f64]),
    n_agg: usize,
    sc: &mut Scratch,
    nation: &mut NationTotals,
) {
    sc.burden.clear();
    sc.burden_weight.clear();
    sc.groups.clear();
    for (info, mut st) in cities.iter_mut() {
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
        st.fuel_cost_change = c.fuel_cost_change;
        st.offset_payments = c.offset_payments;
        st.research_cost = research.get(info.id as usize).copied().unwrap_or(0.0);
        nation.offset_abatement += st.offset_abatement;
        nation.offset_cost += st.offset_cost;
        st.recycled = c.recycled + receipts.0.get(info.id as usize).copied().unwrap_or(0.0);
        st.cum_burden += st.cost_burden();
        st.cum_gdp += st.gdp;
        nation.gdp += st.gdp;
        nation.recycled += st.recycled;
        nation.uncovered += st.emissions_uncovered_firms + st.uncovered_other;
        if st.gdp > 0.0 {
            sc.burden.push(st.cost_burden() / st.gdp);
            sc.burden_weight.push(st.population);
            sc.groups
                .push(info.agglomeration.map_or(n_agg, usize::from));
        }
    }
    nation.gini = gini_weighted(&sc.burden, &sc.burden_weight);
    nation.theil = theil_weighted(&sc.burden, &sc.burden_weight, &sc.groups);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::regulator::Regulator;
    use crate::model::systems::{compliance, recycling};
    use crate::model::testing::{LINEAR_MAC, run, through_clearing, world};

    fn year(w: &mut World) {
        through_clearing(w);
        run(w, compliance::comply);
        run(w, recycling::recycle_revenue);
        run(w, account);
    }

    #[test]
    fn a_market_is_its_own_least_cost_benchmark() {
        // 70 t abated at one price (400 CNY/t) costs 14,000 CNY, which is the least cost of
        // 70 t: the benchmark clears at the same price and the ratio is 1.
        let mut w = world(LINEAR_MAC, &[]);
        year(&mut w);
        let n = w.resource::<YearTotals>().nation;
        assert!((n.abatement - 70.0).abs() < 1e-9, "{n:?}");
        assert!((n.abatement_cost - 14_000.0).abs() < 1e-6);
        assert!((n.least_cost - 14_000.0).abs() < 1e-6);
        assert!((n.least_cost_price - 400.0).abs() < 1e-6);
        assert!((n.covered - 230.0).abs() < 1e-9);
    }

    #[test]
    fn auction_revenue_goes_to_cities_by_population() {
        // 40 % of the cap auctioned at the clearing price; with recycling by population every
        // yuan reaches a city, in proportion to its population.
        let mut w = world(
            LINEAR_MAC,
            &[
                "markets.market.auction_share=0.4",
                "markets.market.recycling=\"population\"",
            ],
        );
        year(&mut w);
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert!(r.year.revenue > 0.0);
        let expected = (r.book.auctioned - r.year.withheld + r.year.reserve_sales) * r.year.price;
        assert!((r.year.revenue - expected).abs() < 1e-6);
        assert!((r.year.recycled - r.year.revenue).abs() < 1e-6 * r.year.revenue);
        let mut q = w.query::<(&CityInfo, &CityState)>();
        let cities: Vec<(f64, f64)> = q
            .iter(&w)
            .map(|(_, s)| (s.population, s.recycled))
            .collect();
        let pop: f64 = cities.iter().map(|c| c.0).sum();
        let paid: f64 = cities.iter().map(|c| c.1).sum();
        assert!(
            (paid - r.year.revenue).abs() < 1e-6 * r.year.revenue,
            "{paid}"
        );
        for (p, got) in cities {
            assert!((got - r.year.revenue * p / pop).abs() < 1e-6 * r.year.revenue);
        }
    }
}
