//! Phase 8, compliance. Covered firms surrender allowances for realised emissions (direct,
//! plus the indirect emissions their market counts; the
//! obligation is capped at free allocation + share x emissions where an obligation cap
//! applies; the rest is forgiven). What they lack is the shortfall: it pays the penalty
//! (multiple x clearing price + per-tonne penalty, plus a fixed fine) and, with make-good on,
//! becomes debt deducted from next year's allocation. Unused allowances are banked where
//! banking is allowed, else cancelled. Every firm records last year's emissions for the
//! threshold test and grandfathering.

use crate::market::mechanism::{Obligation, Settlement};
use crate::model::agents::firm::{Account, Coverage, FirmInfo, YearFlows};
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Shortfalls below this many t CO2 are rounding, not a violation.
pub const SHORTFALL_TOLERANCE_T: f64 = 1e-6;

/// Settles every covered firm's obligation for the year.
pub fn comply(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut firms: Query<(&FirmInfo, &mut Coverage, &YearFlows, &mut Account)>,
) {
    let s = &params.scenario;
    let year = clock.year;
    for (info, mut cov, flows, mut acc) in &mut firms {
        cov.last_gross_emissions = flows.gross_emissions;
        cov.last_emissions = cov.counted(flows.emissions) + flows.indirect_emissions;
        cov.last_electricity_mwh = flows.electricity_mwh;
        let Some(m) = cov.market else { continue };
        let spec = &s.markets[m as usize];
        // Covered emissions: the direct emissions the market counts (all of them downstream,
        // those of its fuels upstream) plus the indirect emissions it counts.
        let em = cov.counted(flows.emissions) + flows.indirect_emissions;
        let y = spec.year(year);
        let mut o = Obligation {
            emissions: em,
            allocation: acc.allocation,
            gross_allocation: acc.gross_allocation,
            owed: em,
            available: acc.bank_start + acc.allocation + acc.net_purchase,
            class: info.class,
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
            net_sales: (-acc.net_purchase).max(0.0),
            gross_allocation: acc.gross_allocation,
            borrowed: 0.0,
        };
        for mech in &spec.mechanisms {
            mech.settle(y, &mut settled);
        }
        acc.bank = settled.bank;
        acc.cancelled = settled.cancelled;
        acc.borrowed = settled.borrowed;
        acc.debt += settled.borrowed;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{LINEAR_MAC, firms, run, through_clearing, world};

    fn year(w: &mut bevy_ecs::world::World) {
        through_clearing(w);
        run(w, comply);
    }

    #[test]
    fn firms_surrender_their_emissions_and_nothing_is_left() {
        // After clearing, each firm holds exactly its emissions (60, 80, 90 t): it surrenders
        // them, no shortfall, no bank (banking off), nothing cancelled.
        let mut w = world(LINEAR_MAC, &[]);
        year(&mut w);
        for (a, e) in firms::<Account>(&mut w).iter().zip([60.0, 80.0, 90.0]) {
            assert!((a.surrendered - e).abs() < 1e-6, "{a:?}");
            assert!(a.shortfall == 0.0 && a.bank == 0.0 && a.cancelled.abs() < 1e-6);
        }
    }

    #[test]
    fn a_capped_price_leaves_a_shortfall_that_pays_the_penalty_and_becomes_debt() {
        // Ceiling 100 CNY/t: at 100 the firms abate 10, 5, 2.5 t and nobody sells. A tonne
        // short costs 2 x 100 + 50 = 250 CNY plus, with make-good, the 100 CNY tonne owed
        // again next year: 350. Each must cover 23.33 t (grandfathered 76.67 t): firm 1
        // abates it (MAC 233 < 350), firms 2 and 3 stop at MAC 350 (17.5 and 8.75 t), short
        // 5.83 and 14.58 t: 20.42 t. They pay 250 CNY per t; make-good turns it into debt.
        let mut w = world(
            LINEAR_MAC,
            &[
                "markets.market.ceiling=100",
                "markets.market.penalty_price_multiple=2",
                "markets.market.penalty_per_t=50",
            ],
        );
        year(&mut w);
        let acc = firms::<Account>(&mut w);
        let short: f64 = acc.iter().map(|a| a.shortfall).sum();
        assert!(
            (short - (2.0 * 70.0 / 3.0 - 17.5 - 8.75)).abs() < 1e-6,
            "{acc:?}"
        );
        for a in &acc {
            assert!((a.penalty - a.shortfall * 250.0).abs() < 1e-6);
            assert!((a.debt - a.shortfall).abs() < 1e-12);
        }
    }

    #[test]
    fn without_make_good_a_penalty_below_the_price_caps_it_and_firms_abate_to_it() {
        // Without the penalty the case clears at 400 CNY/t. A tonne short costs 200 CNY and is
        // not owed again: nobody pays more than 200, so the price is 200; each firm abates to
        // MAC = 200 (20, 10, 5 t) and is short of the rest: 70 - 35 = 35 t, 200 CNY each.
        let mut w = world(
            LINEAR_MAC,
            &[
                "markets.market.make_good=false",
                "markets.market.penalty_per_t=200",
            ],
        );
        year(&mut w);
        let r = w
            .query::<&crate::model::agents::regulator::Regulator>()
            .single(&w)
            .unwrap()
            .clone();
        assert!((r.year.price - 200.0).abs() < 1e-9, "{:?}", r.year);
        let flows = firms::<YearFlows>(&mut w);
        for (f, a) in flows.iter().zip([20.0, 10.0, 5.0]) {
            assert!((f.abatement - a).abs() < 1e-9, "{f:?}");
        }
        let acc = firms::<Account>(&mut w);
        let short: f64 = acc.iter().map(|a| a.shortfall).sum();
        assert!((short - 35.0).abs() < 1e-6, "{acc:?}");
        for a in &acc {
            assert!((a.penalty - 200.0 * a.shortfall).abs() < 1e-6 && a.debt == 0.0);
        }
    }
}
