//! Offset credits in the clearing phase (MODEL.md section 7.20; the arithmetic is in
//! [`crate::market::offsets`]): this year's sources of a market from its cities, the clearing
//! with the use limit, and what the sources' cities sold, reduced, earned and spent.
//!
//! Sources: with a user table, each row's potential spread over its cities by their non-firm
//! uncovered emissions (`CityInfo::uncovered_base`); otherwise every eligible city with
//! `potential_share x` its non-firm uncovered emissions and a marginal cost drawn per city
//! (`Stream::OffsetMac`). What an earlier market bought from a city this year is taken off its
//! potential, and no city reduces more than its non-firm emissions, so a tonne is credited
//! once. (A later market sees the rest of a city's potential with its marginal cost starting
//! again from 0: an approximation for two markets buying in one city in one year.)
//!
//! Units: t CO2, CNY per t CO2, CNY.

use crate::config::{MarketSpec, OffsetSpec};
use crate::market::mechanism::plain_bid;
use crate::market::offsets::{OffsetSource, offset_price, split};
use crate::market::{Bid, Clearing, ClearingRules, ClearingScratch, clear};
use crate::model::agents::city::{CityInfo, CityState};
use crate::rng::{Stream, keyed};
use bevy_ecs::prelude::*;

/// This year's sources of one market and what became of them.
#[derive(Default)]
pub struct OffsetBook {
    /// Sources, one per (source, city).
    sources: Vec<OffsetSource>,
    /// City id of each source.
    owners: Vec<u32>,
    /// Credits sold by each source, t CO2.
    sold: Vec<f64>,
    /// Non-firm uncovered emissions per city before this year's offsets, t CO2 (index =
    /// city id), and what offsets already reduced there this year, t CO2.
    gross: Vec<(f64, f64, f64)>,
    /// Credits, reduction and cost per city id.
    per_city: Vec<[f64; 3]>,
}

/// The offset outcome of one clearing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OffsetOutcome {
    /// Credits bought by the covered firms, t CO2.
    pub used: f64,
    /// Offset price, CNY per t CO2.
    pub price: f64,
    /// Use limit, t CO2.
    pub limit: f64,
    /// Real reduction behind the credits, t CO2.
    pub reduction: f64,
}

/// Zeroes every city's offset flows for the year (before any market clears).
pub fn open_year(cities: &mut Query<(&CityInfo, &mut CityState)>) {
    for (_, mut st) in cities.iter_mut() {
        st.offset_credits = 0.0;
        st.offset_abatement = 0.0;
        st.offset_revenue = 0.0;
        st.offset_cost = 0.0;
    }
}

/// Fills `book` with market `spec`'s sources in `year` from the cities' state.
pub fn sources(
    spec: &MarketSpec,
    o: &OffsetSpec,
    (seed, year): (u64, i32),
    cities: &Query<(&CityInfo, &mut CityState)>,
    book: &mut OffsetBook,
) {
    book.sources.clear();
    book.owners.clear();
    book.gross.clear();
    book.gross.resize(o.eligible.len(), (0.0, 0.0, 0.0));
    for (info, st) in cities.iter() {
        if let Some(g) = book.gross.get_mut(info.id as usize) {
            *g = (
                st.uncovered_other + st.offset_abatement,
                st.offset_abatement,
                info.uncovered_base,
            );
        }
    }
    let d = o.non_additional_share;
    // What is left of a city's potential: less what earlier markets bought this year, and
    // never more than its non-firm emissions left (a reduction comes out of them).
    let push = |book: &mut OffsetBook, city: u32, potential: f64, mac: f64| {
        let (gross, used, _) = book.gross[city as usize];
        let left = (potential - used).min(gross - used);
        if left > 0.0 && mac > 0.0 {
            book.sources.push(OffsetSource::new(left, mac, d));
            book.owners.push(city);
        }
    };
    if o.sources.is_empty() {
        for city in 0..o.eligible.len() as u32 {
            if !o.eligible[city as usize] {
                continue;
            }
            let mut rng = keyed(
                seed,
                Stream::OffsetMac,
                u64::from(city),
                0,
                u32::from(spec.id),
            );
            let mac = o.mac_price.sample(&mut rng);
            let potential = o.potential_share * book.gross[city as usize].0;
            push(book, city, potential, mac);
        }
    } else {
        for src in &o.sources {
            let total: f64 = src.cities.iter().map(|c| book.gross[*c as usize].2).sum();
            let n = src.cities.len() as f64;
            for &city in &src.cities {
                let base = book.gross[city as usize].2;
                let w = if total > 0.0 { base / total } else { 1.0 / n };
                push(book, city, w * src.potential_t.at(year), src.mac_price);
            }
        }
    }
}

impl OffsetBook {
    /// The sources as sellers in a clearing.
    pub fn bids(&self) -> impl Iterator<Item = Bid> + '_ {
        self.sources.iter().map(OffsetSource::bid)
    }
}

/// Clears a market whose first `firms` bids in `bids` are its covered firms' and the rest
/// the sources of `book` ([`OffsetBook::bids`]), with the use limit `limit_share x` the firms' emissions: first with every
/// source as a seller; if they sell more than the limit, again with the limit as a fixed
/// supply, the credit price then the supply price of the credits used. Leaves the firms'
/// trades first in `trades` and the credits sold per source in `book`.
pub fn clear_with_offsets(
    bids: &mut Vec<Bid>,
    firms: usize,
    limit_share: f64,
    rules: &ClearingRules,
    (scratch, trades): (&mut ClearingScratch, &mut Vec<f64>),
    book: &mut OffsetBook,
) -> (Clearing, OffsetOutcome) {
    let limit = limit_share * bids[..firms].iter().map(|b| b.emissions).sum::<f64>();
    let out = clear(bids, rules, scratch, trades);
    let used: f64 = -trades[firms..].iter().sum::<f64>();
    let (out, used, price) = if used <= limit * (1.0 + 1e-12) {
        book.sold.clear();
        book.sold
            .extend(trades[firms..].iter().map(|t| (-t).max(0.0)));
        (out, used.max(0.0), out.price)
    } else {
        bids.truncate(firms);
        bids.push(plain_bid(0.0, 1.0, (0.0, 0.0), limit));
        let out = clear(bids, rules, scratch, trades);
        let used = (-trades[firms]).max(0.0);
        let price = offset_price(&book.sources, used).min(out.price);
        split(&book.sources, price, used, &mut book.sold);
        (out, used, price)
    };
    bids.truncate(firms);
    trades.truncate(firms);
    let reduction = book
        .sources
        .iter()
        .zip(&book.sold)
        .map(|(s, q)| s.reduction(*q))
        .sum();
    let outcome = OffsetOutcome {
        used,
        price,
        limit,
        reduction,
    };
    (out, outcome)
}

/// Books what each source sold at `price` into its city: credits, real reduction (taken out
/// of its non-firm uncovered emissions), revenue and cost.
pub fn book_cities(
    book: &mut OffsetBook,
    price: f64,
    cities: &mut Query<(&CityInfo, &mut CityState)>,
) {
    let per_city = &mut book.per_city;
    per_city.clear();
    per_city.resize(book.gross.len(), [0.0; 3]);
    for ((s, &owner), &q) in book.sources.iter().zip(&book.owners).zip(&book.sold) {
        if let Some(c) = per_city.get_mut(owner as usize).filter(|_| q > 0.0) {
            c[0] += q;
            c[1] += s.reduction(q);
            c[2] += s.cost(q);
        }
    }
    for (info, mut st) in cities.iter_mut() {
        let Some(&[q, r, cost]) = per_city.get(info.id as usize) else {
            continue;
        };
        if q > 0.0 {
            st.offset_credits += q;
            st.offset_abatement += r;
            st.offset_revenue += price * q;
            st.offset_cost += cost;
            st.uncovered_other = (st.uncovered_other - r).max(0.0);
        }
    }
}
