//! Phase 3, expectations (MODEL.md sections 7.3 and 7.19). Each firm's expected carbon price
//! this year and next, by its expectations mode (its sector's, else its market's):
//! * `adaptive`: `E_t = E_{t-1} + lambda (p_{t-1} - E_{t-1})`, held flat. A firm entering a
//!   market expects the market's last price, or its launch price before its first clearing;
//! * `announced`: the market's announced path ([`announce`]): each future year's announced
//!   supply cleared against last year's emissions and aggregate MAC (a tax: the tax path);
//! * `foresight`: the path the fixed point feeds in ([`crate::foresight`]); before its first
//!   iteration firms expect adaptively.
//!
//! Uncovered firms expect no carbon price this year. The market's announced floor bounds
//! expectations from below. A firm under an administrative standard plans with its own last
//! shadow price when that is higher. Each market's regulator books what a banked allowance
//! is worth now, `E[p_{t+1}] / (1 + discount_rate)` (not under `adaptive`): the floor of
//! intertemporal arbitrage under `foresight` ([`crate::market::mechanism::Banking`]).

use crate::config::kinds::{AllocationRule, CapBasis, Expectations};
use crate::config::{MarketSpec, Scenario};
use crate::econ::expectations::{MarketKnowledge, announced_price};
use crate::model::agents::firm::{Behaviour, Coverage, Expectation, FirmInfo};
use crate::model::agents::outlook::Outlook;
use crate::model::agents::plan::Standard;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::{Clock, RunParams};
use crate::model::systems::policy::covering_market;
use bevy_ecs::prelude::*;

/// Updates the announced paths, the markets' bank values and every firm's expected carbon
/// price.
pub fn update_expectations(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut outlook: ResMut<Outlook>,
    mut regs: Query<&mut Regulator>,
    mut firms: Query<(
        &FirmInfo,
        &Coverage,
        &Behaviour,
        &Standard,
        &mut Expectation,
    )>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let mut last = vec![None; s.markets.len()];
    let uses_announced = uses(s, Expectations::Announced);
    for mut r in &mut regs {
        let m = r.market as usize;
        last[m] = r.last_price;
        let spec = &s.markets[m];
        if uses_announced {
            announce(s, spec, &r.known, year, &mut outlook);
        }
        r.book.bank_value = if spec.year(year).last {
            0.0
        } else {
            outlook
                .at(spec.expectations, m, year + 1)
                .map_or(0.0, |p| p / (1.0 + spec.discount_rate))
        };
    }
    for (info, cov, beh, std, mut exp) in &mut firms {
        let (market, next) = match cov.market {
            None => (0.0, 0.0),
            Some(m) => {
                let m = m as usize;
                let spec = &s.markets[m];
                let mode = spec.expectations_of(&s.sectors[info.sector as usize]);
                let adaptive = match last[m] {
                    None => spec.launch_price,
                    Some(p) if cov.entered == year => p,
                    Some(p) => exp.market + beh.lambda * (p - exp.market),
                };
                let e = outlook.at(mode, m, year).unwrap_or(adaptive);
                let e = e.max(spec.price_floor(year));
                (e, outlook.at(mode, m, year + 1).unwrap_or(e))
            }
        };
        exp.market = market;
        exp.next = next;
        // `std.shadow` still holds last year's value here (the Market phase resets it).
        exp.price = if std.regulated {
            exp.market.max(std.shadow)
        } else {
            exp.market
        };
    }
}

/// Whether a firm of sector `sector` looks ahead when it invests: some market covering the
/// sector has non-adaptive expectations for it.
pub fn looks_ahead(s: &Scenario, sector: usize) -> bool {
    s.markets.iter().any(|m| {
        m.sector_from[sector].is_some()
            && m.expectations_of(&s.sectors[sector]) != Expectations::Adaptive
    })
}

/// Fills `path` with the carbon price a firm (sector `sector`, city `city`, last year's gross
/// emissions `last_gross` t CO2) expects for each year from `year` to the run's end (index 0
/// = this year, its market expectation `now`): in each later year the price of the market
/// the announced timeline says will cover it (from the threshold test on `last_gross`),
/// under that market's mode for its sector, at least the market's floor; no market, no
/// price. Where a market has no path (adaptive, or foresight before its first iteration) the
/// firm's current market holds at `now` and another market counts 0.
#[allow(clippy::too_many_arguments)]
pub fn expected_path(
    s: &Scenario,
    outlook: &Outlook,
    (sector, city, last_gross): (usize, u32, f64),
    current: Option<u16>,
    now: f64,
    year: i32,
    path: &mut Vec<f64>,
) {
    path.clear();
    path.push(now);
    for t in year + 1..=s.end_year() {
        let p = match covering_market(s, sector, city, t, last_gross) {
            None => 0.0,
            Some(m) => {
                let spec = &s.markets[m];
                let mode = spec.expectations_of(&s.sectors[sector]);
                let held = if current == Some(m as u16) { now } else { 0.0 };
                outlook
                    .at(mode, m, t)
                    .unwrap_or(held)
                    .max(spec.price_floor(t))
            }
        };
        path.push(p);
    }
}

/// Whether any market, or any sector's override, uses `mode`.
pub fn uses(s: &Scenario, mode: Expectations) -> bool {
    s.markets.iter().any(|m| m.expectations == mode)
        || s.sectors.iter().any(|x| x.expectations == Some(mode))
}

/// Rewrites market `spec`'s announced path from `year` to the run's end: the tax where a tax
/// fixes the price (a tax path is announced in full); before the market's first clearing its launch price; else the price at
/// which last year's covered emissions and MAC ([`MarketKnowledge`]) meet each year's
/// announced supply ([`announced_supply`]), within the year's floor and ceiling, for the
/// `announced_years` years ahead that are announced (this year included), then held; 0 in
/// years the market does not operate.
pub fn announce(
    s: &Scenario,
    spec: &MarketSpec,
    known: &MarketKnowledge,
    year: i32,
    outlook: &mut Outlook,
) {
    let m = spec.id as usize;
    let (y0, y1) = (s.start_year(), s.end_year());
    outlook
        .announced
        .resize_with(s.markets.len(), || vec![0.0; (y1 - y0 + 1) as usize]);
    let path = &mut outlook.announced[m];
    let horizon = year + spec.announced_years as i32;
    for t in year.max(y0)..=y1 {
        let floor = spec.price_floor(t);
        let p = if !spec.active(t) {
            0.0
        } else if let Some(tax) = spec.fixed_price(t) {
            tax
        } else if t >= horizon && t > year.max(y0) {
            path[(t - 1 - y0) as usize].max(floor)
        } else if !known.known {
            spec.launch_price.max(floor)
        } else {
            let supply = announced_supply(spec, t, known);
            announced_price(known, supply, floor, spec.price_ceiling(t))
        };
        path[(t - y0) as usize] = p;
    }
}

/// Market `spec`'s supply in `year` as announced, applied to what is known of its firms, t
/// CO2: the benchmarks of `year` x last year's covered output, or `cap_factor` of `year` x
/// last year's bases (or gross emissions, `cap_basis = "baseline"`), or `cap_t`.
pub fn announced_supply(spec: &MarketSpec, year: i32, known: &MarketKnowledge) -> f64 {
    match spec.allocation {
        AllocationRule::Benchmark => spec
            .benchmarks
            .iter()
            .zip(&known.benchmark_output)
            .filter_map(|(b, q)| b.as_ref().map(|b| b.at(year) * q))
            .sum(),
        AllocationRule::Tax => 0.0,
        AllocationRule::Grandfathering | AllocationRule::Auction => {
            match (&spec.cap_factor, &spec.cap_t) {
                (Some(f), _) => {
                    f.at(year)
                        * match spec.cap_basis {
                            CapBasis::BasePeriod => known.base,
                            CapBasis::Baseline => known.gross,
                        }
                }
                (None, Some(c)) => c.at(year),
                (None, None) => 0.0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{LINEAR_MAC, firms, run, through_clearing, world};

    /// Feeds the foresight path 100, 110, 121 CNY/t (2020-2022), assigns coverage and runs
    /// the expectations phase of the first year.
    fn expect_with_path(w: &mut World) {
        w.resource_mut::<Outlook>().foresight = vec![vec![100.0, 110.0, 121.0]];
        run(w, crate::model::systems::policy::update_regulators);
        run(w, crate::model::systems::policy::assign_coverage);
        run(w, update_expectations);
    }

    #[test]
    fn announced_expectations_clear_the_announced_cap_against_last_years_mac() {
        // Linear-MAC case with a cap of 230 t in 2020 and 2021, 195 t in 2022. After the 2020
        // clearing (300 t gross, 0.175 t per CNY/t): 2021 is expected at 70 / 0.175 = 400,
        // 2022 at 105 / 0.175 = 600 CNY/t. The bank of an allowance is worth 600 / 1.1.
        let mut w = world(
            LINEAR_MAC,
            &[
                "markets.market.cap_t=[[2020, 230], [2021, 230], [2022, 195]]",
                "markets.market.expectations=\"announced\"",
                "markets.market.discount_rate=0.1",
                "markets.market.banking=true",
            ],
        );
        through_clearing(&mut w);
        w.resource_mut::<Clock>().year = 2021;
        run(&mut w, update_expectations);
        for e in firms::<Expectation>(&mut w) {
            assert!((e.market - 400.0).abs() < 1e-9, "{e:?}");
            assert!((e.next - 600.0).abs() < 1e-9, "{e:?}");
        }
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert!((r.book.bank_value - 600.0 / 1.1).abs() < 1e-9);
    }

    #[test]
    fn a_sector_override_wins_over_the_market_mode() {
        // The market is adaptive, the sector foresight: firms read the fed path.
        let mut w = world(LINEAR_MAC, &["sectors.widget.expectations=\"foresight\""]);
        expect_with_path(&mut w);
        for e in firms::<Expectation>(&mut w) {
            assert_eq!((e.market, e.next), (100.0, 110.0));
        }
        // The market's own mode is adaptive: no bank value is booked.
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert_eq!(r.book.bank_value, 0.0);
    }

    #[test]
    fn beyond_the_announced_years_the_last_announced_price_holds() {
        // As above with the supply announced for one year only (2021): 2022 holds 400.
        let mut w = world(
            LINEAR_MAC,
            &[
                "markets.market.cap_t=[[2020, 230], [2021, 230], [2022, 195]]",
                "markets.market.expectations=\"announced\"",
                "markets.market.announced_years=1",
            ],
        );
        through_clearing(&mut w);
        w.resource_mut::<Clock>().year = 2021;
        run(&mut w, update_expectations);
        for e in firms::<Expectation>(&mut w) {
            assert!((e.market - 400.0).abs() < 1e-9 && (e.next - 400.0).abs() < 1e-9);
        }
    }

    #[test]
    fn foresight_expectations_read_the_fed_path_and_adaptive_ones_ignore_it() {
        let mut w = world(LINEAR_MAC, &["markets.market.expectations=\"foresight\""]);
        expect_with_path(&mut w);
        for e in firms::<Expectation>(&mut w) {
            assert_eq!((e.market, e.next), (100.0, 110.0));
        }
        let mut a = world(LINEAR_MAC, &["markets.market.launch_price=30"]);
        expect_with_path(&mut a);
        for e in firms::<Expectation>(&mut a) {
            assert_eq!((e.market, e.next), (30.0, 30.0));
        }
    }
}
