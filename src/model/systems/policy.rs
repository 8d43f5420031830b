//! Phase 1, policy: the regime timeline for year t. Markets switch on and off, sectors join
//! the national market (leaving their pilot), and each firm's coverage is set: national
//! markets take precedence over pilots, then file order; a firm is covered when its sector
//! and city are in the market this year and its last-year gross emissions reach the
//! threshold. When a firm's market changes, its bank follows the rule of the market it leaves
//! (`bank_on_exit`: kept dormant, cancelled or converted; [`crate::model::bank_exit`]); a
//! firm that leaves every market has its make-good debt forgiven.

use crate::config::Scenario;
use crate::config::kinds::{AllocationRule, MarketKind};
use crate::model::agents::firm::{Account, Coverage, FirmInfo, Lifecycle};
use crate::model::agents::power::PowerState;
use crate::model::agents::regulator::{MarketOutcome, Regulator};
use crate::model::agents::{Clock, RunParams};
use crate::model::bank_exit::{ExitRule, change_market};
use bevy_ecs::prelude::*;

/// Advances the clock's markets: active flags and fresh year outcomes.
pub fn update_regulators(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut regs: Query<&mut Regulator>,
) {
    for mut r in &mut regs {
        let m = &params.scenario.markets[r.market as usize];
        r.active = m.active(clock.year);
        r.year = MarketOutcome::default();
    }
}

/// The market covering a firm of `sector` in `city` in `year` whose gross emissions last
/// year were `last_gross` t CO2: the first national market (file order) that covers it and
/// whose threshold it reaches, else the first such pilot.
pub fn covering_market(
    s: &Scenario,
    sector: usize,
    city: u32,
    year: i32,
    last_gross: f64,
) -> Option<usize> {
    [MarketKind::National, MarketKind::Pilot]
        .into_iter()
        .find_map(|kind| {
            s.markets.iter().find(|m| {
                m.kind == kind && m.covers(sector, city, year) && last_gross >= m.threshold_t
            })
        })
        .map(|m| m.id as usize)
}

/// Sets each firm's covering market, its marginal free allocation rate and the factor at
/// which it expects its market to count its electricity (last year's dispatch: the power
/// state still holds it in this phase).
pub fn assign_coverage(
    params: Res<RunParams>,
    clock: Res<Clock>,
    power: Res<PowerState>,
    mut firms: Query<(&FirmInfo, &Lifecycle, &mut Coverage, &mut Account)>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let rule = |m: u16| {
        let spec = &s.markets[m as usize];
        ExitRule {
            on_exit: spec.bank_on_exit,
            rate: spec.bank_conversion_rate,
            closed: year > spec.end_year,
        }
    };
    for (info, life, mut cov, mut acc) in &mut firms {
        let sector = info.sector as usize;
        // A plant that no longer produces (retired or exited, `[capacity]`) leaves its market.
        let market = if life.operating(year) {
            covering_market(s, sector, info.city, year, cov.last_gross_emissions)
        } else {
            None
        };
        cov.previous = cov.market;
        cov.market = market.map(|m| m as u16);
        cov.indirect_factor = cov.market.map_or(0.0, |m| {
            super::indirect::firm_factor(s, m, info.city, power.year.as_ref())
        });
        if cov.market != cov.previous && cov.market.is_some() {
            cov.entered = year;
            // Its indirect part is added once this year's factor is known
            // ([`super::indirect::count_indirect`]).
            cov.base_emissions = cov.last_gross_emissions;
        }
        change_market(&mut acc, cov.previous, cov.market, rule);
        if cov.market.is_none() {
            acc.debt = 0.0;
        }
        cov.free_rate = match market {
            Some(m) => {
                let spec = &s.markets[m];
                match (spec.allocation, &spec.benchmarks[info.class as usize]) {
                    (AllocationRule::Benchmark, Some(b)) => {
                        let p = s.geography.cities[info.city as usize].province as usize;
                        b.at(year) * (1.0 - spec.auction_share.at(year)) * spec.benchmark_factor[p]
                    }
                    _ => 0.0,
                }
            }
            None => 0.0,
        };
    }
}
