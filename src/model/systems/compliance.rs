//! Phase 8, compliance. Covered firms surrender allowances for realised emissions (the
//! obligation is capped at free allocation + share x emissions where an obligation cap
//! applies; the rest is forgiven). What they lack is the shortfall: it pays the penalty
//! (multiple x clearing price + per-tonne penalty, plus a fixed fine) and, with make-good on,
//! becomes debt deducted from next year's allocation. Unused allowances are banked where
//! banking is allowed, else cancelled. Every firm records last year's emissions for the
//! threshold test and grandfathering.

use crate::market::mechanism::{Obligation, Settlement};
use crate::model::agents::firm::{Account, Coverage, YearFlows};
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Shortfalls below this many t CO2 are rounding, not a violation.
pub const SHORTFALL_TOLERANCE_T: f64 = 1e-6;

/// Settles every covered firm's obligation for the year.
pub fn comply(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut firms: Query<(&mut Coverage, &YearFlows, &mut Account)>,
) {
    let s = &params.scenario;
    let year = clock.year;
    for (mut cov, flows, mut acc) in &mut firms {
        cov.last_gross_emissions = flows.gross_emissions;
        cov.last_emissions = flows.emissions;
        let Some(m) = cov.market else { continue };
        let spec = &s.markets[m as usize];
        let em = flows.emissions;
        let y = spec.year(year);
        let mut o = Obligation {
            emissions: em,
            allocation: acc.allocation,
            owed: em,
            available: acc.bank_start + acc.allocation + acc.net_purchase,
        };
        for mech in &spec.mechanisms {
            mech.obligation(y, &mut o);
        }
        let (obligation, available) = (o.owed, o.available);
        let surrendered = obligation.min(available).max(0.0);
        let mut shortfall = obligation - surrendered;
        if shortfall < SHORTFALL_TOLERANCE_T {
            shortfall = 0.0;
        }
        let leftover = available - surrendered;
        acc.surrendered = surrendered;
        acc.forgiven = em - obligation;
        acc.shortfall = shortfall;
        let mut settled = Settlement {
            leftover,
            bank: 0.0,
            cancelled: leftover,
        };
        for mech in &spec.mechanisms {
            mech.settle(y, &mut settled);
        }
        acc.bank = settled.bank;
        acc.cancelled = settled.cancelled;
        if shortfall > 0.0 {
            acc.penalty = shortfall
                * (spec.penalty_price_multiple * flows.price + spec.penalty_per_t.at(year))
                + spec.penalty_fine;
            if spec.make_good {
                acc.debt += shortfall;
            }
        }
    }
}
