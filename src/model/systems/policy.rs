//! Phase 1, policy: the regime timeline for year t. Markets switch on and off, sectors join
//! the national market (leaving their pilot), and each firm's coverage is set: national
//! markets take precedence over pilots, then file order; a firm is covered when its sector
//! and city are in the market this year and its last-year gross emissions reach the
//! threshold. A firm that leaves every market loses its bank (expired); a firm that moves
//! between markets carries its bank.

use crate::config::kinds::{AllocationRule, MarketKind};
use crate::model::agents::firm::{Account, Coverage, FirmInfo};
use crate::model::agents::regulator::{MarketOutcome, Regulator};
use crate::model::agents::{Clock, RunParams};
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

/// Sets each firm's covering market and its marginal free allocation rate.
pub fn assign_coverage(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut firms: Query<(&FirmInfo, &mut Coverage, &mut Account)>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let order: Vec<usize> = s
        .markets
        .iter()
        .filter(|m| m.kind == MarketKind::National)
        .chain(s.markets.iter().filter(|m| m.kind == MarketKind::Pilot))
        .filter(|m| m.active(year))
        .map(|m| m.id as usize)
        .collect();
    for (info, mut cov, mut acc) in &mut firms {
        let sector = info.sector as usize;
        let market = order.iter().copied().find(|&m| {
            let spec = &s.markets[m];
            spec.covers(sector, info.city, year) && cov.last_gross_emissions >= spec.threshold_t
        });
        cov.previous = cov.market;
        cov.market = market.map(|m| m as u16);
        if cov.market != cov.previous && cov.market.is_some() {
            cov.entered = year;
            cov.base_emissions = cov.last_gross_emissions;
        }
        if cov.market.is_none() {
            acc.bank = 0.0;
            acc.debt = 0.0;
        }
        cov.free_rate = match market {
            Some(m) => {
                let spec = &s.markets[m];
                match (spec.allocation, &spec.benchmarks[sector]) {
                    (AllocationRule::Benchmark, Some(b)) => {
                        b.at(year) * (1.0 - spec.auction_share.at(year))
                    }
                    _ => 0.0,
                }
            }
            None => 0.0,
        };
    }
}
