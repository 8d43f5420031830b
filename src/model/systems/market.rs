//! Phase 7, bidding and clearing (MODEL.md section 4.3). Each covered firm submits its net
//! demand schedule (operational abatement, desired bank, obligation cap); each active market
//! clears at one uniform price with [`crate::market::clear`]; trades settle. With bounded
//! rationality on, a firm bids with a perceived MAC slope (lognormal noise) and a forecast of
//! its emissions (relative error); it then abates what its perceived slope says at the
//! clearing price, and the gap between its bid and its realised position goes to compliance.
//! A firm whose capped obligation (China's early-cycle 20 % rule) binds abates where a tonne
//! abated saves the share of a tonne it owes (`0.2 p / s`). A buyer rationed at the ceiling
//! abates further, up to a marginal cost equal to the penalty it would pay per tonne short,
//! before it pays a shortfall. Uncovered firms do not abate.

use crate::config::kinds::Expectations;
use crate::config::{MarketSpec, Scenario};
use crate::market::mechanism::{Bidder, open_rules, plain_bid};
use crate::market::{Bid, Clearing, ClearingRules, ClearingScratch, clear};
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::firm::Mac;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::{BiddingFirm, BiddingFirmItem};
use crate::model::systems::offsets::{OffsetBook, OffsetOutcome, book_cities, clear_with_offsets};
use crate::model::systems::policy::covering_market;
use crate::rng::{Stream, keyed};
use bevy_ecs::prelude::*;
use rand_distr::{Distribution, StandardNormal};

/// Bids per market, reused across years.
#[derive(Default)]
pub struct Book {
    bids: Vec<Vec<(Entity, Bid, f64)>>,
    /// Per market: its bidders' operational abatement of owed tonnes per CNY/t of price,
    /// `sum_i s_i^2 / slope_i` (`s_i` the share of direct emissions the market counts: 1
    /// downstream), t CO2 per (CNY/t CO2).
    owed_per_price: Vec<f64>,
    plain: Vec<Bid>,
    trades: Vec<f64>,
    scratch: ClearingScratch,
    offsets: OffsetBook,
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
    mut cities: Query<(&CityInfo, &mut CityState)>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let book = &mut *book;
    super::offsets::open_year(&mut cities);
    book.bids.resize_with(s.markets.len(), Vec::new);
    for b in &mut book.bids {
        b.clear();
    }
    book.owed_per_price.clear();
    book.owed_per_price.resize(s.markets.len(), 0.0);
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
        if slope > 0.0 && slope.is_finite() {
            // A direct tonne abated saves `s` owed tonnes and costs `s p` at the margin.
            let share = f.cov.direct_share;
            book.owed_per_price[m as usize] += share * share / slope;
        }
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
        let offsets = spec.offsets.as_ref().filter(|o| o.active(year));
        if let Some(o) = offsets {
            super::offsets::sources(spec, o, (params.seed, year), &cities, &mut book.offsets);
            let n = book.plain.len();
            book.plain.extend(book.offsets.bids());
            let rules = clearing_rules(spec, year, &book.plain, &mut reg);
            let (out, off) = clear_with_offsets(
                &mut book.plain,
                n,
                o.limit_share,
                &rules,
                (&mut book.scratch, &mut book.trades),
                &mut book.offsets,
            );
            book_cities(&mut book.offsets, off.price, &mut cities);
            record_outcome(spec, year, &out, &mut reg);
            record_offsets(&off, &mut reg);
            settle_offsets(&book.bids[m], &off, &mut firms);
        } else {
            let rules = clearing_rules(spec, year, &book.plain, &mut reg);
            let out = clear(&book.plain, &rules, &mut book.scratch, &mut book.trades);
            record_outcome(spec, year, &out, &mut reg);
        }
        let out_price = reg.year.price;
        reg.known.known = true;
        reg.known.abatement_per_price = book.owed_per_price[m];
        let penalty = shortfall_penalty(spec, year, out_price);
        settle(&book.bids[m], &book.trades, out_price, penalty, &mut firms);
    }
}

/// Books a market's offsets in its regulator's row.
fn record_offsets(off: &OffsetOutcome, reg: &mut Regulator) {
    reg.year.offsets_used = off.used;
    reg.year.offset_price = off.price;
    reg.year.offset_limit = off.limit;
    reg.year.offset_reduction = off.reduction;
}

/// Shares the credits used over the market's bidders in proportion to their (forecast)
/// emissions, the basis of each one's limit, at the offset price.
fn settle_offsets(
    bids: &[(Entity, Bid, f64)],
    off: &OffsetOutcome,
    firms: &mut Query<BiddingFirm>,
) {
    let total: f64 = bids.iter().map(|b| b.1.emissions).sum();
    if total <= 0.0 || off.used <= 0.0 {
        return;
    }
    for (entity, bid, _) in bids {
        if let Ok(mut f) = firms.get_mut(*entity) {
            let u = off.used * bid.emissions / total;
            f.acc.offsets = u;
            f.acc.offset_payment = off.price * u;
        }
    }
}

/// A covered firm's bid and its true MAC slope at this year's output (CNY/t per t). With
/// bounded rationality it bids a noisy slope and a forecast of its emissions; banking adds
/// a hedge, a speculative slope and the discounted expected price of a banked allowance
/// (not in a tax market, and not when the firm's covering market next year, predicted from
/// the announced timeline and this year's gross emissions, would not take the bank; see
/// [`MarketSpec::bank_carry`]); the obligation cap caps what it owes.
fn firm_bid(
    s: &Scenario,
    spec: &MarketSpec,
    seed: u64,
    year: i32,
    f: &BiddingFirmItem<'_, '_>,
) -> (Bid, f64) {
    let beh_cfg = &s.behaviour;
    let (beh, acc, mac) = (f.beh, &*f.acc, f.mac);
    // It bids on its covered emissions (the direct ones its market counts plus the indirect
    // ones) and abates only direct ones. Under an upstream market it owes `s` t per t of
    // direct emissions (`s` = its fuels' share): in owed tonnes its MAC slope is `slope / s^2`
    // and its bounds are `s` times the direct ones (a direct tonne abated saves `s` owed).
    let direct = f.flows.gross_emissions;
    let share = f.cov.direct_share;
    let counted = f.cov.counted(direct);
    let e = counted + f.flows.indirect_emissions;
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
    let abatement_max = if e > counted {
        mac.max_share * bid_e * counted / e
    } else {
        mac.max_share * bid_e
    };
    let abatement = (
        f.cov.counted(f.std.abatement).min(abatement_max),
        abatement_max,
    );
    if share != 1.0 {
        bid_slope /= share * share;
    }
    let mut bid = plain_bid(bid_e, bid_slope, abatement, holdings);
    let bidder = Bidder {
        allocation: acc.allocation,
        gross_allocation: acc.gross_allocation,
        hedge_share: beh.hedge_share,
        speculation: beh.speculation,
        expected_price: f.exp.next,
        discount_rate: match spec.expectations_of(&s.sectors[f.info.sector as usize]) {
            Expectations::Adaptive => beh.hurdle_rate,
            _ => spec.discount_rate,
        },
        class: f.info.class,
        bank_carry: spec.bank_carry(covering_market(
            s,
            f.info.sector as usize,
            f.info.city,
            year + 1,
            direct,
        )),
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

/// What a covered firm pays per tonne it lacks at compliance when the market clears at `p`
/// (CNY/t CO2): the penalty multiple x `p` + the per-tonne penalty, plus `p` again with
/// make-good (the tonne is still owed next year). The fixed fine does not change at the
/// margin.
pub fn shortfall_penalty(spec: &MarketSpec, year: i32, p: f64) -> f64 {
    let make_good = if spec.make_good { p } else { 0.0 };
    spec.penalty_price_multiple * p + spec.penalty_per_t.at(year) + make_good
}

/// Settles each bidder at price `p`: its trade, and where that leaves it
/// ([`Bid::position`]: `a(p)` from its perceived slope, more up to the `penalty` where it was
/// rationed, exact cover at its switch price), up to its true bound; its shadow price is its
/// marginal abatement incentive (or its standard's, if higher).
fn settle(
    bids: &[(Entity, Bid, f64)],
    trades: &[f64],
    p: f64,
    penalty: f64,
    firms: &mut Query<BiddingFirm>,
) {
    for (k, (entity, bid, true_slope)) in bids.iter().enumerate() {
        let Ok(mut f) = firms.get_mut(*entity) else {
            continue;
        };
        let trade = trades.get(k).copied().unwrap_or(0.0);
        let pos = bid.position(p, trade, penalty);
        let max_share = f.mac.max_share;
        // Abatement in direct tonnes (the bid is in owed tonnes, `share` per direct tonne).
        let share = f.cov.direct_share;
        let owed = if share == 1.0 {
            pos.abatement
        } else {
            pos.abatement / share
        };
        let a = owed.min(max_share * f.flows.gross_emissions);
        f.acc.net_purchase = trade;
        let shadow = f.std.shadow;
        let flows = &mut *f.flows;
        flows.abatement = a;
        flows.emissions = flows.gross_emissions - a;
        flows.abatement_cost = Mac::cost(*true_slope, a);
        flows.price = p;
        flows.shadow_price = if share == 1.0 {
            pos.incentive
        } else {
            pos.incentive * share
        }
        .max(shadow);
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

    #[test]
    fn capped_firms_abate_a_fifth_of_what_the_price_says() {
        // Cap 150 t: 50 t each by grandfathering; each owes at most 50 + 0.2 x verified.
        // Firm 1 (s = 10) switches to abating beyond its cap at 625 CNY/t, firms 2 and 3
        // (s = 20, 40) only at 1,250 and 2,500. Demand 90 - 0.103 p = 0 at p = 873.79:
        // firm 1 abates p / 10 = 87.38 t, firms 2 and 3 stay capped and abate 0.2 p / s =
        // 8.74 and 4.37 t (not 0: each tonne still saves 0.2 t of obligation).
        let mut w = world(
            LINEAR_MAC,
            &[
                "markets.market.cap_t=150",
                "markets.market.obligation_cap_share=0.2",
            ],
        );
        through_clearing(&mut w);
        let p = w.query::<&Regulator>().single(&w).unwrap().year.price;
        assert!((p - 90.0 / 0.103).abs() < 1e-6, "{p}");
        let flows = firms::<YearFlows>(&mut w);
        let want = [p / 10.0, 0.2 * p / 20.0, 0.2 * p / 40.0];
        for (f, a) in flows.iter().zip(want) {
            assert!((f.abatement - a).abs() < 1e-6, "{f:?} vs {a}");
        }
        assert!((flows[1].shadow_price - 0.2 * p).abs() < 1e-9);
    }

    #[test]
    fn a_penalty_above_the_ceiling_is_abated_against_not_paid() {
        // Ceiling 300 CNY/t, penalty 1,000 CNY/t: at 300 the firms abate 30, 15, 7.5 t and
        // bid for 17.5 t more than there is; rationed, each abates further (its MAC stays
        // below 1,000) until covered: 70 t in all, no shortfall.
        let mut w = world(
            LINEAR_MAC,
            &[
                "markets.market.ceiling=300",
                "markets.market.penalty_per_t=1000",
            ],
        );
        through_clearing(&mut w);
        crate::model::testing::run(&mut w, crate::model::systems::compliance::comply);
        let flows = firms::<YearFlows>(&mut w);
        let total: f64 = flows.iter().map(|f| f.abatement).sum();
        assert!((total - 70.0).abs() < 1e-6, "{flows:?}");
        for (f, s) in flows.iter().zip([10.0, 20.0, 40.0]) {
            assert!(
                f.abatement * s <= 1000.0 + 1e-9 && f.shadow_price >= 300.0,
                "{f:?}"
            );
        }
        let acc = firms::<crate::model::agents::firm::Account>(&mut w);
        assert!(acc.iter().all(|a| a.shortfall == 0.0), "{acc:?}");
    }

    /// Alpha (100 units at 2.5 t CO2/unit, 40 % of it from coal) is covered upstream by a
    /// tax of 20 CNY/t from 2020. It expects the tax on 0.4 t per t emitted: its price rises
    /// by 20 x 0.4 x 2.5 = 20 CNY/unit, output falls to 100 / 1.2 = 83.33 units (elasticity
    /// 1), gross emissions to 208.33 t. Its MAC slope at that output is 10 x 100 / 83.33 =
    /// 12: a direct tonne abated saves 0.4 t owed, so it abates 20 x 0.4 / 12 = 0.667 t
    /// (shadow price 8 = 0.4 x 20) and owes 0.4 x (208.33 - 0.667) t.
    #[test]
    fn an_upstream_covered_firm_abates_and_owes_on_its_fuels_share_only() {
        let toml = UPSTREAM.replacen(
            "mac_slope = 1e9\nabatement_max = 0",
            "mac_slope = 10\nabatement_max = 100",
            1,
        );
        let mut w = world(
            &toml,
            &[
                "markets.tax.point = \"upstream\"",
                "markets.tax.fuels = [\"coal\"]",
                "markets.tax.start_year = 2020",
                "markets.tax.sectors = { alpha = 2020 }",
                "sectors.alpha.fuel_shares = { coal = 0.4 }",
                "sectors.alpha.abatement_max_share = 0.3",
            ],
        );
        through_clearing(&mut w);
        crate::model::testing::run(&mut w, crate::model::systems::compliance::comply);
        let flows = firms::<YearFlows>(&mut w);
        let acc = firms::<crate::model::agents::firm::Account>(&mut w);
        let cov = firms::<crate::model::agents::firm::Coverage>(&mut w);
        let gross = 250.0 / 1.2;
        let a = 20.0 * 0.4 / 12.0;
        let f = &flows[0];
        assert_eq!(cov[0].direct_share, 0.4);
        assert!((f.gross_emissions - gross).abs() < 1e-9, "{f:?}");
        assert!((f.abatement - a).abs() < 1e-9, "{f:?}");
        assert!((f.emissions - (gross - a)).abs() < 1e-9);
        assert!((f.shadow_price - 8.0).abs() < 1e-9);
        assert!((f.abatement_cost - 12.0 * a * a / 2.0).abs() < 1e-9);
        assert!(
            (acc[0].surrendered - 0.4 * (gross - a)).abs() < 1e-9,
            "{:?}",
            acc[0]
        );
        assert!((acc[0].net_purchase - 0.4 * (gross - a)).abs() < 1e-9);
        assert_eq!(acc[0].shortfall, 0.0);
        // Beta is not in the market: no price, no abatement.
        assert_eq!((flows[1].price, flows[1].abatement), (0.0, 0.0));
        assert!(cov[1].market.is_none());
        // What announced expectations read: owed abatement per CNY/t, s^2 / slope.
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert!(
            (r.known.abatement_per_price - 0.16 / 12.0).abs() < 1e-12,
            "{:?}",
            r.known
        );
    }

    const UPSTREAM: &str = include_str!("../../../configs/validation/upstream.toml");

    const OFFSETS: &str = include_str!("../../../configs/validation/offsets.toml");

    fn beijing(w: &mut World) -> CityState {
        let mut q = w.query::<(&CityInfo, &CityState)>();
        let id = w
            .resource::<RunParams>()
            .scenario
            .geography
            .city_id("Beijing")
            .unwrap();
        *q.iter(w).find(|(i, _)| i.id == id).unwrap().1
    }

    #[test]
    fn offsets_trade_at_the_permit_price_until_the_limit_binds() {
        // Credits q(p) = p / 20 up to 20 t. Limit 150 t: 70 - 0.175 p = p / 20 at 311.11.
        let mut w = world(OFFSETS, &[]);
        through_clearing(&mut w);
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        let p = 70.0 / 0.225;
        assert!((r.year.price - p).abs() < 1e-9, "{:?}", r.year);
        assert!((r.year.offsets_used - p / 20.0).abs() < 1e-9);
        assert!((r.year.offset_price - p).abs() < 1e-9);
        assert!((r.year.offset_limit - 150.0).abs() < 1e-9);
        let bj = beijing(&mut w);
        // Beijing sold the credits, reduced as much (all additional), at a cost of
        // 400 x r^2 / (2 x 20) and received p per credit.
        let q = p / 20.0;
        assert!((bj.offset_credits - q).abs() < 1e-9 && (bj.offset_abatement - q).abs() < 1e-9);
        assert!((bj.offset_cost - 10.0 * q * q).abs() < 1e-6);
        assert!((bj.offset_revenue - p * q).abs() < 1e-6);
        // Each firm bought a third of the credits (equal emissions).
        let acc = firms::<crate::model::agents::firm::Account>(&mut w);
        for a in &acc {
            assert!(
                (a.offsets - q / 3.0).abs() < 1e-9 && (a.offset_payment - p * q / 3.0).abs() < 1e-6
            );
        }
        let bought: f64 = acc.iter().map(|a| a.net_purchase).sum();
        assert!(
            bought.abs() - q < 1e-9,
            "firms' net purchases are the credits: {bought}"
        );
    }

    #[test]
    fn a_binding_limit_leaves_the_rent_with_the_buyers() {
        // Limit 3 % of 300 t = 9 t: 61 = 0.175 p at 348.57; credits cost 9 x 20 = 180.
        let mut w = world(OFFSETS, &["markets.market.offsets.limit_share=0.03"]);
        let before = {
            crate::model::testing::run(&mut w, crate::model::systems::macroeconomy::grow_cities);
            beijing(&mut w).uncovered_other
        };
        through_clearing(&mut w);
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        assert!((r.year.price - 61.0 / 0.175).abs() < 1e-9, "{:?}", r.year);
        assert!((r.year.offsets_used - 9.0).abs() < 1e-9);
        assert!((r.year.offset_price - 180.0).abs() < 1e-9);
        let bj = beijing(&mut w);
        assert!((bj.offset_revenue - 1620.0).abs() < 1e-6);
        assert!(
            (before - bj.uncovered_other - 9.0).abs() < 1e-6 * before.max(1.0),
            "{before} {bj:?}"
        );
    }
}
