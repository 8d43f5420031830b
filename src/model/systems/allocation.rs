//! Phase 6, allocation (MODEL.md section 4.2). Free allocation for the year:
//! * `benchmark`: benchmark x actual output x (1 - auction share): allocating after
//!   production is the ex-post true-up; there is no fixed cap;
//! * `grandfathering`: (1 - auction share) x cap, split by base-period emissions (entry-year
//!   baseline, or last year's emissions with `grandfathering_base = "last_year"`);
//! * `auction`: nothing free; the whole cap is offered.
//!
//! The cap is `cap_factor x` the covered firms' base-period emissions (or, with
//! `cap_basis = "baseline"`, their baseline emissions this year, direct plus the indirect
//! emissions the market counts), or `cap_t`. The auction
//! offers `auction share x` the cap (or x the benchmark total). Make-good debt from earlier
//! shortfalls is deducted from the free allocation.

use crate::config::kinds::{AllocationRule, CapBasis, GrandfatheringBase};
use crate::config::{MarketSpec, Scenario};
use crate::market::mechanism::AllocationTotals;
use crate::model::agents::firm::{Account, Coverage, FirmInfo, Production, YearFlows};
use crate::model::agents::regulator::Regulator;
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Per market sums, reused across years.
#[derive(Default)]
pub struct Scratch {
    base: Vec<f64>,
    gross: Vec<f64>,
    bench_total: Vec<f64>,
    free: Vec<f64>,
    participants: Vec<u32>,
    /// Covered output per market and sector id under a benchmark, units.
    bench_output: Vec<Vec<f64>>,
    /// Covered firms' banks at the start of the year per market, t CO2.
    banks: Vec<f64>,
}

fn base_of(cov: &Coverage, rule: GrandfatheringBase, year: i32) -> f64 {
    match rule {
        GrandfatheringBase::LastYear if cov.entered < year => cov.last_emissions,
        _ => cov.base_emissions,
    }
}

/// The allocation query: identity, coverage, output and gross emissions; the account is
/// set.
type AllocatedFirm = (
    &'static FirmInfo,
    &'static Coverage,
    &'static Production,
    &'static YearFlows,
    &'static mut Account,
);

/// Sets each covered firm's free allocation and each market's auction volume. Steps:
/// [`market_sums`], [`cap`] per market, [`free_allocation`] per firm, and each market's
/// mechanisms at allocation ([`crate::market::mechanism::Mechanism::allocate`]).
pub fn allocate(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut scratch: Local<Scratch>,
    mut regs: Query<&mut Regulator>,
    mut firms: Query<AllocatedFirm>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let sc = &mut *scratch;
    market_sums(s, year, sc, &firms);
    let caps: Vec<f64> = s.markets.iter().map(|spec| cap(spec, year, sc)).collect();
    for (_, cov, prod, _, mut acc) in &mut firms {
        acc.start_year();
        let Some(m) = cov.market else { continue };
        let m = m as usize;
        let free = free_allocation(&s.markets[m], year, cov, prod, caps[m], sc.base[m]);
        let deduction = acc.debt.min(free);
        acc.debt -= deduction;
        acc.allocation = free - deduction;
        acc.gross_allocation = free;
        sc.free[m] += acc.allocation;
        sc.banks[m] += acc.bank_start;
    }
    for mut r in &mut regs {
        let m = r.market as usize;
        if !r.active {
            continue;
        }
        let spec = &s.markets[m];
        r.year.free_allocation = sc.free[m];
        r.year.participants = sc.participants[m];
        r.known.gross = sc.gross[m];
        r.known.base = sc.base[m];
        r.known.benchmark_output.clone_from(&sc.bench_output[m]);
        let totals = AllocationTotals {
            auction_base: match spec.allocation {
                AllocationRule::Benchmark => sc.bench_total[m],
                _ => caps[m],
            },
            auction_share: spec.auction_share.at(year),
        };
        // Without an auction mechanism (a tax market) nothing is offered here; a tax sells
        // what is demanded at the tax when the market clears.
        r.book.auctioned = 0.0;
        r.book.tnac = sc.banks[m];
        let y = spec.year(year);
        for mech in &spec.mechanisms {
            mech.allocate(y, &totals, &mut r.book);
        }
    }
}

/// Per market: covered firms' grandfathering bases and gross emissions, the benchmark
/// total (t CO2) and the number of participants.
fn market_sums(s: &Scenario, year: i32, sc: &mut Scratch, firms: &Query<AllocatedFirm>) {
    let n = s.markets.len();
    for v in [
        &mut sc.base,
        &mut sc.gross,
        &mut sc.bench_total,
        &mut sc.free,
        &mut sc.banks,
    ] {
        v.clear();
        v.resize(n, 0.0);
    }
    sc.participants.clear();
    sc.participants.resize(n, 0);
    sc.bench_output.resize_with(n, Vec::new);
    for v in &mut sc.bench_output {
        v.clear();
        v.resize(s.classes(), 0.0);
    }
    for (info, cov, prod, flows, _) in firms {
        if let Some(m) = cov.market {
            let spec = &s.markets[m as usize];
            sc.base[m as usize] += base_of(cov, spec.grandfathering_base, year);
            sc.gross[m as usize] += cov.counted(flows.gross_emissions) + flows.indirect_emissions;
            if let Some(b) = &spec.benchmarks[info.class as usize] {
                // Output weighted by the province's benchmark adjustment factor (1 by default).
                let p = s.geography.cities[info.city as usize].province as usize;
                let output = prod.output * spec.benchmark_factor[p];
                sc.bench_total[m as usize] += b.at(year) * output;
                sc.bench_output[m as usize][info.class as usize] += output;
            }
            sc.participants[m as usize] += 1;
        }
    }
}

/// The market's cap this year, t CO2: `cap_factor x` its covered firms' base-period (or
/// baseline) emissions, or `cap_t`, or 0 (benchmark and tax markets have none).
fn cap(spec: &MarketSpec, year: i32, sc: &Scratch) -> f64 {
    let m = spec.id as usize;
    match (&spec.cap_factor, &spec.cap_t) {
        (Some(f), _) => {
            f.at(year)
                * match spec.cap_basis {
                    CapBasis::BasePeriod => sc.base[m],
                    CapBasis::Baseline => sc.gross[m],
                }
        }
        (None, Some(c)) => c.at(year),
        (None, None) => 0.0,
    }
}

/// A covered firm's free allocation before make-good deduction, t CO2: benchmark rate x
/// output, or its base's share of `(1 - auction share) x cap`, or 0 under a tax.
fn free_allocation(
    spec: &MarketSpec,
    year: i32,
    cov: &Coverage,
    prod: &Production,
    cap: f64,
    base_total: f64,
) -> f64 {
    match spec.allocation {
        AllocationRule::Tax => 0.0,
        AllocationRule::Benchmark => cov.free_rate * prod.output,
        AllocationRule::Grandfathering | AllocationRule::Auction => {
            let base = base_of(cov, spec.grandfathering_base, year);
            if base_total > 0.0 {
                (1.0 - spec.auction_share.at(year)) * cap * base / base_total
            } else {
                0.0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::systems::{policy, production};
    use crate::model::testing::{LINEAR_MAC, firms, run, world};

    #[test]
    fn grandfathering_splits_the_cap_by_base_emissions() {
        // Cap 230 t over three firms of 100 t: 76.67 t each, nothing auctioned.
        let mut w = world(LINEAR_MAC, &[]);
        run(&mut w, policy::update_regulators);
        run(&mut w, policy::assign_coverage);
        run(&mut w, production::produce);
        run(&mut w, allocate);
        for a in firms::<Account>(&mut w) {
            assert!((a.allocation - 230.0 / 3.0).abs() < 1e-9, "{a:?}");
        }
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert!((r.year.free_allocation - 230.0).abs() < 1e-9);
        assert_eq!(r.book.auctioned, 0.0);
        assert_eq!(r.year.participants, 3);
    }

    #[test]
    fn a_group_is_allocated_by_its_own_benchmark() {
        // Two coal plants at 0.8 t per unit and a gas unit at 0.5, 100 units each: 80, 80 and
        // 50 t free, 210 t in all.
        let gas = include_str!("../../../configs/validation/gas_units.toml");
        let mut w = world(gas, &[]);
        run(&mut w, policy::update_regulators);
        run(&mut w, policy::assign_coverage);
        run(&mut w, production::produce);
        run(&mut w, allocate);
        let got: Vec<f64> = firms::<Account>(&mut w)
            .iter()
            .map(|a| a.allocation)
            .collect();
        for (a, want) in got.iter().zip([80.0, 80.0, 50.0]) {
            assert!((a - want).abs() < 1e-9, "{got:?}");
        }
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert!((r.year.free_allocation - 210.0).abs() < 1e-9);
        assert!((r.known.benchmark_output.iter().sum::<f64>() - 300.0).abs() < 1e-9);
    }

    #[test]
    fn an_auction_share_is_offered_and_taken_out_of_free_allocation() {
        // 40 % of the cap auctioned: 92 t offered, 138 t free (46 t each).
        let mut w = world(LINEAR_MAC, &["markets.market.auction_share=0.4"]);
        run(&mut w, policy::update_regulators);
        run(&mut w, policy::assign_coverage);
        run(&mut w, production::produce);
        run(&mut w, allocate);
        for a in firms::<Account>(&mut w) {
            assert!((a.allocation - 46.0).abs() < 1e-9, "{a:?}");
        }
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert!((r.book.auctioned - 92.0).abs() < 1e-9);
    }
}
