//! Phase 7, bidding and clearing (MODEL.md section 4.3). Each covered firm submits its net
//! demand schedule (operational abatement, desired bank, obligation cap); each active market
//! clears at one uniform price with [`crate::market::clear`]; trades settle. With bounded
//! rationality on, a firm bids with a perceived MAC slope (lognormal noise) and a forecast of
//! its emissions (relative error); it then abates what its perceived slope says at the
//! clearing price, and the gap between its bid and its realised position goes to compliance.
//! A firm whose capped obligation (China's early-cycle 20 % rule) binds at the clearing price
//! does not abate: abating would not lower what it owes. Uncovered firms do not abate.

use crate::config::{MarketSpec, Scenario};
use crate::market::mechanism::{Bidder, open_rules, plain_bid};
use crate::market::{Bid, Clearing, ClearingRules, ClearingScratch, clear};
use crate::model::agents::firm::Mac;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::{BiddingFirm, BiddingFirmItem};
use crate::rng::{Stream, keyed};
use bevy_ecs::prelude::*;
use rand_distr::{Distribution, StandardNormal};

/// Bids per market, reused across years.
#[derive(Default)]
pub struct Book {
    bids: Vec<Vec<(Entity, Bid, f64)>>,
    plain: Vec<Bid>,
    trades: Vec<f64>,
    scratch: ClearingScratch,
}

/// Builds bids, clears every active market and settles trades and abatement. Steps:
/// [`firm_bid`] per covered firm, [`clearing_rules`] and [`crate::market::clear`] per
/// active market, [`record_outcome`], [`settle`].
pub fn clear_markets(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut book: Local<Book>,
    mut regs: Query<&mut Regulator>,
    mut firms: Query<BiddingFirm>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let book = &mut *book;
    book.bids.resize_with(s.markets.len(), Vec::new);
    for b in &mut book.bids {
        b.clear();
    }
    for mut f in &mut firms {
        let e = f.flows.gross_emissions;
        f.flows.price = 0.0;
        if !f.std.regulated {
            // Firms under a standard keep what the administrative phase set.
            let flows = &mut *f.flows;
            flows.shadow_price = 0.0;
            flows.abatement = 0.0;
            flows.abatement_cost = 0.0;
            flows.emissions = e;
        }
        let Some(m) = f.cov.market else { continue };
        let (bid, slope) = firm_bid(s, &s.markets[m as usize], params.seed, year, &f);
        book.bids[m as usize].push((f.entity, bid, slope));
    }
    for mut reg in &mut regs {
        let m = reg.market as usize;
        if !reg.active {
            continue;
        }
        let spec = &s.markets[m];
        book.plain.clear();
        book.plain.extend(book.bids[m].iter().map(|x| x.1));
        let rules = clearing_rules(spec, year, &book.plain, &mut reg);
        let out = clear(&book.plain, &rules, &mut book.scratch, &mut book.trades);
        record_outcome(spec, year, &out, &mut reg);
        settle(&book.bids[m], &book.trades, out.price, &mut firms);
    }
}

/// A covered firm's bid and its true MAC slope at this year's output (CNY/t per t). With
/// bounded rationality it bids a noisy slope and a forecast of its emissions; banking adds
/// a hedge, a speculative slope and the discounted expected price of a banked allowance
/// (not in a tax market or the market's last year); the obligation cap caps what it owes.
fn firm_bid(
    s: &Scenario,
    spec: &MarketSpec,
    seed: u64,
    year: i32,
    f: &BiddingFirmItem<'_, '_>,
) -> (Bid, f64) {
    let beh_cfg = &s.behaviour;
    let (beh, acc, mac) = (f.beh, &*f.acc, f.mac);
    let e = f.flows.gross_emissions;
    let slope = mac.slope(f.cap.base_output, f.prod.output);
    let (mut bid_slope, mut bid_e) = (slope, e);
    if beh_cfg.bid_noise > 0.0 || beh_cfg.forecast_error > 0.0 {
        let mut rng = keyed(seed, Stream::BidNoise, f.info.key, year as u32, 0);
        let z1: f64 = StandardNormal.sample(&mut rng);
        let z2: f64 = StandardNormal.sample(&mut keyed(
            seed,
            Stream::ForecastError,
            f.info.key,
            year as u32,
            0,
        ));
        bid_slope = slope * (beh_cfg.bid_noise * z1).exp();
        bid_e = (e * (1.0 + beh_cfg.forecast_error * z2)).max(0.0);
    }
    let holdings = acc.bank_start + acc.allocation;
    let abatement_max = mac.max_share * bid_e;
    let abatement = (f.std.abatement.min(abatement_max), abatement_max);
    let mut bid = plain_bid(bid_e, bid_slope, abatement, holdings);
    let bidder = Bidder {
        allocation: acc.allocation,
        hedge_share: beh.hedge_share,
        speculation: beh.speculation,
        expected_price: f.exp.market,
        hurdle_rate: beh.hurdle_rate,
    };
    let y = spec.year(year);
    for mech in &spec.mechanisms {
        mech.bid(y, &bidder, &mut bid);
    }
    (bid, slope)
}

/// The market's clearing rules this year: open rules ([`open_rules`]) changed by each of
/// the market's mechanisms in turn (a tax fixes the price and sets its auction volume here).
fn clearing_rules(
    spec: &MarketSpec,
    year: i32,
    bids: &[Bid],
    reg: &mut Regulator,
) -> ClearingRules {
    let mut rules = open_rules();
    let y = spec.year(year);
    for mech in &spec.mechanisms {
        mech.rules(y, bids, &mut reg.book, &mut rules);
    }
    rules
}

/// Books the clearing in the regulator: price, volume, reserve sales, withheld auction
/// volume, unmet demand and unsold supply; then each mechanism books what it keeps (the
/// reserve draws its stock for sales beyond this year's volume, the auction adds unsold
/// volume to it with `unsold_auction = "reserve"`).
fn record_outcome(spec: &MarketSpec, year: i32, out: &Clearing, reg: &mut Regulator) {
    let p = out.price;
    reg.last_price = Some(p);
    let y = spec.year(year);
    for mech in &spec.mechanisms {
        mech.after_clearing(y, out, &mut reg.book);
    }
    reg.year.price = p;
    reg.year.volume = out.volume;
    reg.year.reserve_sales = out.ccr_sold;
    reg.year.withheld = out.withheld;
    reg.year.unmet_demand = out.unmet_demand;
    reg.year.unsold_supply = out.unsold_supply;
}

/// Settles each bidder at price `p`: its trade, and the abatement its (perceived) slope says
/// at `p`, up to its true bound; a firm whose capped obligation binds abates only its
/// standard's floor and has a market shadow price of 0.
fn settle(bids: &[(Entity, Bid, f64)], trades: &[f64], p: f64, firms: &mut Query<BiddingFirm>) {
    for (k, (entity, bid, true_slope)) in bids.iter().enumerate() {
        let Ok(mut f) = firms.get_mut(*entity) else {
            continue;
        };
        let capped = bid.emissions - bid.abatement(p) > bid.obligation_cap;
        let max_share = f.mac.max_share;
        let a = if capped {
            bid.abatement_min
        } else {
            bid.abatement(p).min(max_share * f.flows.gross_emissions)
        };
        f.acc.net_purchase = trades.get(k).copied().unwrap_or(0.0);
        let shadow = f.std.shadow;
        let flows = &mut *f.flows;
        flows.abatement = a;
        flows.emissions = flows.gross_emissions - a;
        flows.abatement_cost = Mac::cost(*true_slope, a);
        flows.price = p;
        let market_shadow = if capped { 0.0 } else { p };
        flows.shadow_price = market_shadow.max(shadow);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::firm::YearFlows;
    use crate::model::testing::{LINEAR_MAC, firms, through_clearing, world};

    #[test]
    fn the_linear_mac_case_clears_at_400_with_abatement_by_slope() {
        // 300 t against a cap of 230 t: p = 70 / (1/10 + 1/20 + 1/40) = 400 CNY/t; each firm
        // abates p / s = 40, 20, 10 t at cost s a^2 / 2 = 8,000, 4,000, 2,000 CNY.
        let mut w = world(LINEAR_MAC, &[]);
        through_clearing(&mut w);
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert!((r.year.price - 400.0).abs() < 1e-9, "{:?}", r.year);
        let flows = firms::<YearFlows>(&mut w);
        for (f, (a, cost)) in flows
            .iter()
            .zip([(40.0, 8000.0), (20.0, 4000.0), (10.0, 2000.0)])
        {
            assert!((f.abatement - a).abs() < 1e-9, "{f:?}");
            assert!((f.abatement_cost - cost).abs() < 1e-6);
            assert!((f.emissions - (100.0 - a)).abs() < 1e-9);
            assert!((f.price - 400.0).abs() < 1e-9);
        }
    }
}
