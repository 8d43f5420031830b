//! Phase 7, bidding and clearing (MODEL.md section 4.3). Each covered firm submits its net
//! demand schedule (operational abatement, desired bank, obligation cap); each active market
//! clears at one uniform price with [`crate::market::clear`]; trades settle. With bounded
//! rationality on, a firm bids with a perceived MAC slope (lognormal noise) and a forecast of
//! its emissions (relative error); it then abates what its perceived slope says at the
//! clearing price, and the gap between its bid and its realised position goes to compliance.
//! A firm whose capped obligation (China's early-cycle 20 % rule) binds at the clearing price
//! does not abate: abating would not lower what it owes. Uncovered firms do not abate.

use crate::config::raw::{AllocationRule, Unsold};
use crate::market::{Bid, ClearingRules, ClearingScratch, clear};
use crate::model::agents::firm::{
    Account, Behaviour, Capacity, Coverage, Expectation, FirmInfo, Mac, Production, YearFlows,
};
use crate::model::agents::plan::Standard;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::{Clock, RunParams};
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

/// Builds bids, clears every active market and settles trades and abatement.
#[allow(clippy::type_complexity)]
pub fn clear_markets(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut book: Local<Book>,
    mut regs: Query<&mut Regulator>,
    mut firms: Query<(
        Entity,
        &FirmInfo,
        &Capacity,
        &Production,
        &Mac,
        &Behaviour,
        &Coverage,
        &Expectation,
        &mut Account,
        &mut YearFlows,
        &Standard,
    )>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let beh_cfg = &s.raw.behaviour;
    let book = &mut *book;
    book.bids.resize_with(s.markets.len(), Vec::new);
    for b in &mut book.bids {
        b.clear();
    }
    for (entity, info, cap, prod, mac, beh, cov, exp, acc, mut flows, std) in &mut firms {
        let e = flows.gross_emissions;
        flows.price = 0.0;
        if !std.regulated {
            // Firms under a standard keep what the administrative phase set.
            flows.shadow_price = 0.0;
            flows.abatement = 0.0;
            flows.abatement_cost = 0.0;
            flows.emissions = e;
        }
        let Some(m) = cov.market else { continue };
        let spec = &s.markets[m as usize];
        let slope = mac.slope(cap.base_output, prod.output);
        let (mut bid_slope, mut bid_e) = (slope, e);
        if beh_cfg.bid_noise > 0.0 || beh_cfg.forecast_error > 0.0 {
            let mut rng = keyed(params.seed, Stream::BidNoise, info.key, year as u32, 0);
            let z1: f64 = StandardNormal.sample(&mut rng);
            let z2: f64 = StandardNormal.sample(&mut keyed(
                params.seed,
                Stream::ForecastError,
                info.key,
                year as u32,
                0,
            ));
            bid_slope = slope * (beh_cfg.bid_noise * z1).exp();
            bid_e = (e * (1.0 + beh_cfg.forecast_error * z2)).max(0.0);
        }
        let banking =
            spec.raw.banking && year < spec.end_year && spec.raw.allocation != AllocationRule::Tax;
        let obligation_cap = match spec.obligation_cap(year) {
            Some(share) => acc.allocation + share * bid_e,
            None => f64::INFINITY,
        };
        let bid = Bid {
            emissions: bid_e,
            mac_slope: bid_slope,
            abatement_max: mac.max_share * bid_e,
            abatement_min: std.abatement.min(mac.max_share * bid_e),
            holdings: acc.bank_start + acc.allocation,
            obligation_cap,
            bank_hedge: if banking {
                beh.hedge_share * bid_e
            } else {
                0.0
            },
            bank_slope: if banking {
                beh.speculation * bid_e
            } else {
                0.0
            },
            bank_value: if banking {
                exp.market / (1.0 + beh.hurdle_rate)
            } else {
                0.0
            },
        };
        book.bids[m as usize].push((entity, bid, slope));
    }
    for mut reg in &mut regs {
        let m = reg.market as usize;
        if !reg.active {
            continue;
        }
        let spec = &s.markets[m];
        book.plain.clear();
        book.plain.extend(book.bids[m].iter().map(|x| x.1));
        let rules = match &spec.raw.tax {
            // A tax is a market whose price is fixed: the regulator sells what is demanded.
            Some(tax) => {
                let t = tax.at(year);
                reg.year.auctioned = book.plain.iter().map(|b| b.net_demand(t).max(0.0)).sum();
                ClearingRules {
                    floor: t,
                    ceiling: t,
                    auction_volume: reg.year.auctioned,
                    reserve_price: t,
                    ccr_volume: 0.0,
                }
            }
            None => ClearingRules {
                floor: spec.floor.at(year),
                ceiling: spec.ceiling.at(year),
                auction_volume: reg.year.auctioned,
                reserve_price: spec.reserve_price.at(year),
                ccr_volume: spec.ccr_volume_t.at(year) + reg.reserve_stock,
            },
        };
        let out = clear(&book.plain, &rules, &mut book.scratch, &mut book.trades);
        let p = out.price;
        reg.last_price = Some(p);
        let annual_ccr = spec.ccr_volume_t.at(year);
        reg.reserve_stock -= (out.ccr_sold - annual_ccr).max(0.0);
        if spec.raw.unsold_auction == Unsold::Reserve {
            reg.reserve_stock += out.withheld;
        }
        reg.year.price = p;
        reg.year.volume = out.volume;
        reg.year.reserve_sales = out.ccr_sold;
        reg.year.withheld = out.withheld;
        reg.year.unmet_demand = out.unmet_demand;
        reg.year.unsold_supply = out.unsold_supply;
        for (k, (entity, bid, true_slope)) in book.bids[m].iter().enumerate() {
            let Ok((_, _, _, _, mac, _, _, _, mut acc, mut flows, std)) = firms.get_mut(*entity)
            else {
                continue;
            };
            let capped = bid.emissions - bid.abatement(p) > bid.obligation_cap;
            let a = if capped {
                bid.abatement_min
            } else {
                bid.abatement(p).min(mac.max_share * flows.gross_emissions)
            };
            acc.net_purchase = book.trades.get(k).copied().unwrap_or(0.0);
            flows.abatement = a;
            flows.emissions = flows.gross_emissions - a;
            flows.abatement_cost = true_slope * a * a / 2.0;
            flows.price = p;
            let market_shadow = if capped { 0.0 } else { p };
            flows.shadow_price = market_shadow.max(std.shadow);
        }
    }
}
