//! Phase 3, expectations: adaptive price expectations
//! `E_t = E_{t-1} + lambda (p_{t-1} - E_{t-1})`. A firm entering a market expects the
//! market's last price, or its launch price before its first clearing; uncovered firms expect
//! no carbon price. The market's announced floor bounds expectations from below. A firm under
//! an administrative standard plans with its own last shadow price when that is higher.

use crate::model::agents::firm::{Behaviour, Coverage, Expectation};
use crate::model::agents::plan::Standard;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Updates every firm's expected carbon price.
pub fn update_expectations(
    params: Res<RunParams>,
    clock: Res<Clock>,
    regs: Query<&Regulator>,
    mut firms: Query<(&Coverage, &Behaviour, &Standard, &mut Expectation)>,
) {
    let s = &params.scenario;
    let last = super::last_prices(&regs, s.markets.len());
    for (cov, beh, std, mut exp) in &mut firms {
        exp.market = match cov.market {
            None => 0.0,
            Some(m) => {
                let spec = &s.markets[m as usize];
                let e = match last[m as usize] {
                    None => spec.launch_price,
                    Some(p) if cov.entered == clock.year => p,
                    Some(p) => exp.market + beh.lambda * (p - exp.market),
                };
                e.max(spec.price_floor(clock.year))
            }
        };
        // `std.shadow` still holds last year's value here (the Market phase resets it).
        exp.price = if std.regulated {
            exp.market.max(std.shadow)
        } else {
            exp.market
        };
    }
}
