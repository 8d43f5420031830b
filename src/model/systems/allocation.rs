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
    /// Last year's covered emissions per market (of the firms it covered then), t CO2.
    last_covered: Vec<f64>,
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
    let mut caps: Vec<f64> = s.markets.iter().map(|spec| cap(spec, year, sc)).collect();
    // Absolute caps after a peak year: grandfathering and auction caps are lowered to them,
    // benchmark allocation is scaled down by a correction factor.
    let mut correction = vec![1.0; s.markets.len()];
    for mut r in &mut regs {
        let m = r.market as usize;
        r.year.peak_cap = None;
        r.year.correction_factor = None;
        let Some(pc) = s.markets[m].peak_cap else {
            continue;
        };
        if year == pc.0 + 1 && r.peak_base.is_none() {
            r.peak_base = Some(sc.last_covered[m]);
        }
        let Some(base) = r.peak_base.filter(|_| year > pc.0) else {
            continue;
        };
        let c = peak_cap_at(base, pc.1, year - pc.0);
        r.year.peak_cap = Some(c);
        match s.markets[m].allocation {
            AllocationRule::Benchmark => {
                correction[m] = correction_factor(c, sc.bench_total[m]);
                r.year.correction_factor = Some(correction[m]);
            }
            _ => caps[m] = caps[m].min(c),
        }
    }
    for (_, cov, prod, _, mut acc) in &mut firms {
        acc.start_year();
        let Some(m) = cov.market else { continue };
        let m = m as usize;
        let free = free_allocation(&s.markets[m], year, cov, prod, caps[m], sc.base[m]);
        let free = if correction[m] == 1.0 {
            free
        } else {
            free * correction[m]
        };
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
                AllocationRule::Benchmark if correction[m] != 1.0 => {
                    sc.bench_total[m] * correction[m]
                }
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
        &mut sc.last_covered,
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
    for (_, cov, _, _, _) in firms {
        if let Some(m) = cov.previous {
            sc.last_covered[m as usize] += cov.last_emissions;
        }
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

/// The absolute cap `years` years after the peak year, t CO2: the peak year's covered
/// emissions `base` falling by `decline` a year.
pub fn peak_cap_at(base: f64, decline: f64, years: i32) -> f64 {
    base * (1.0 - decline).powi(years)
}

/// Share of the benchmark supply (free allocation plus auction, `bench_total` t CO2) that
/// fits under `cap` t CO2: `min(1, cap / bench_total)` (1 without benchmark supply).
pub fn correction_factor(cap: f64, bench_total: f64) -> f64 {
    if bench_total > cap && bench_total > 0.0 {
        (cap / bench_total).max(0.0)
    } else {
        1.0
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
    use crate::model::agents::Clock;
    use crate::model::agents::firm::YearFlows;
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
    fn the_peak_cap_falls_from_the_peak_years_emissions_and_scales_benchmark_supply() {
        assert!((peak_cap_at(100.0, 0.1, 2) - 81.0).abs() < 1e-12);
        assert_eq!(peak_cap_at(100.0, 0.0, 5), 100.0);
        assert_eq!(correction_factor(50.0, 100.0), 0.5);
        assert_eq!(correction_factor(150.0, 100.0), 1.0);
        assert_eq!(correction_factor(10.0, 0.0), 1.0);
    }

    /// One year of `toml`, then the next year's allocation.
    fn second_year_allocation(toml: &str, set: &[&str]) -> (World, f64) {
        let mut w = world(toml, set);
        crate::model::testing::through_clearing(&mut w);
        run(&mut w, crate::model::systems::compliance::comply);
        let covered: f64 = firms::<YearFlows>(&mut w).iter().map(|f| f.emissions).sum();
        let year = w.resource::<Clock>().year;
        w.resource_mut::<Clock>().year = year + 1;
        run(&mut w, policy::update_regulators);
        run(&mut w, policy::assign_coverage);
        run(&mut w, production::produce);
        run(&mut w, allocate);
        (w, covered)
    }

    #[test]
    fn a_peak_cap_lowers_a_grandfathering_cap_after_the_peak_year() {
        // 2020: 300 t less 70 abated = 230 t covered. 2021: cap min(230, 230 x 0.5) = 115 t,
        // 38.33 t each.
        let (mut w, covered) = second_year_allocation(
            LINEAR_MAC,
            &["markets.market.peak_cap = { year = 2020, decline = 0.5 }"],
        );
        assert!((covered - 230.0).abs() < 1e-9, "{covered}");
        for a in firms::<Account>(&mut w) {
            assert!((a.allocation - 115.0 / 3.0).abs() < 1e-9, "{a:?}");
        }
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert_eq!(r.peak_base, Some(covered));
        assert!((r.year.peak_cap.unwrap() - 115.0).abs() < 1e-9);
        assert_eq!(r.year.correction_factor, None, "not a benchmark market");
        // Without it the cap stays 230 t.
        let (mut w, _) = second_year_allocation(LINEAR_MAC, &[]);
        assert!(
            firms::<Account>(&mut w)
                .iter()
                .all(|a| (a.allocation - 230.0 / 3.0).abs() < 1e-9)
        );
    }

    #[test]
    fn a_peak_cap_scales_benchmark_allocation_by_a_correction_factor() {
        let gas = include_str!("../../../configs/validation/gas_units.toml");
        let (mut w, _) = second_year_allocation(gas, &[]);
        let plain: Vec<f64> = firms::<Account>(&mut w)
            .iter()
            .map(|a| a.allocation)
            .collect();
        let (mut w, covered) = second_year_allocation(
            gas,
            &["markets.national.peak_cap = { year = 2021, decline = 0.2 }"],
        );
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        let cap = 0.8 * covered;
        let k = (cap / plain.iter().sum::<f64>()).min(1.0);
        assert!(k < 1.0, "the cap binds: {k}");
        assert!((r.year.correction_factor.unwrap() - k).abs() < 1e-12);
        let got: Vec<f64> = firms::<Account>(&mut w)
            .iter()
            .map(|a| a.allocation)
            .collect();
        for (g, p) in got.iter().zip(&plain) {
            assert!((g - k * p).abs() < 1e-9, "{got:?} vs {plain:?} x {k}");
        }
        assert!(
            (got.iter().sum::<f64>() - cap).abs() < 1e-9,
            "supply = the cap (nothing auctioned)"
        );
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
