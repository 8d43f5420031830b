//! The mechanisms of a market, built from its config (see [`crate::market::mechanism`]):
//! the one place that says which configured keys turn which mechanism on, and in what order
//! the mechanisms run at each hook.

use super::kinds::{AllocationRule, Expectations, Unsold};
use super::raw::RawMarket;
use super::scenario::SectorSpec;
use crate::market::mechanism::{
    Auction, Banking, BankingLimit, Borrowing, CostContainment, Mechanism, ObligationCap,
    PenaltyCeiling, PriceBand, StabilityReserve, Tax,
};
use std::sync::Arc;

/// A market's mechanisms in the order they run, over years `y0..=y1`:
/// * a tax market: [`Tax`] (it fixes the price, so no band, auction or reserve);
/// * any other market: [`PriceBand`], [`CostContainment`], [`Auction`] (the reserve books
///   its sales before the auction adds unsold volume to its stock), then
///   [`StabilityReserve`] if `msr` is set (it adjusts the auction volume), and
///   [`PenaltyCeiling`] if `make_good = false` and `penalty_price_multiple < 1` (the penalty
///   then caps the price);
/// * then [`ObligationCap`] if `obligation_cap_share` is set (for every firm class without its
///   own cap), one [`ObligationCap`] per group with its own `groups.<s>.<g>.obligation_cap_share`
///   (for that class only), [`Banking`] if `banking` (with
///   intertemporal arbitrage under `expectations = "foresight"`), [`Borrowing`] after it if
///   `borrowing` is set (it nets the borrowed capacity out of the bank), and [`BankingLimit`]
///   last if `banking_limit` is set.
pub fn build(m: &RawMarket, sectors: &[SectorSpec], y0: i32, y1: i32) -> Vec<Arc<dyn Mechanism>> {
    let mut list: Vec<Arc<dyn Mechanism>> = Vec::new();
    let tax = m
        .tax
        .as_ref()
        .filter(|_| m.allocation == AllocationRule::Tax);
    match tax {
        Some(rate) => list.push(Arc::new(Tax {
            rate: rate.resolve(y0, y1),
        })),
        None => {
            list.push(Arc::new(PriceBand {
                floor: m.floor.resolve(y0, y1),
                ceiling: m.ceiling.resolve(y0, y1),
            }));
            list.push(Arc::new(CostContainment {
                volume_t: m.ccr_volume_t.resolve(y0, y1),
            }));
            list.push(Arc::new(Auction {
                reserve_price: m.reserve_price.resolve(y0, y1),
                to_reserve: m.unsold_auction == Unsold::Reserve,
            }));
            if let Some(r) = &m.msr {
                list.push(Arc::new(StabilityReserve {
                    from: r.from.unwrap_or(m.start_year),
                    upper_t: r.upper_t,
                    lower_t: r.lower_t,
                    intake_rate: r.intake_rate,
                    release_t: r.release_t,
                    invalidate_above_t: r.invalidate_above_t,
                }));
            }
            if !m.make_good && m.penalty_price_multiple < 1.0 {
                list.push(Arc::new(PenaltyCeiling {
                    multiple: m.penalty_price_multiple,
                    per_t: m.penalty_per_t.resolve(y0, y1),
                }));
            }
        }
    }
    let classes: usize = sectors.iter().map(|s| 1 + s.groups.len()).sum();
    let own = group_caps(m, sectors);
    if let Some(share) = m.obligation_cap_share {
        let mut mask = vec![true; if own.is_empty() { 0 } else { classes }];
        for (class, _, _) in &own {
            mask[*class as usize] = false;
        }
        list.push(Arc::new(ObligationCap {
            share,
            until: m.obligation_cap_until,
            classes: mask,
        }));
    }
    for (class, share, until) in own {
        let mut mask = vec![false; classes];
        mask[class as usize] = true;
        list.push(Arc::new(ObligationCap {
            share,
            until,
            classes: mask,
        }));
    }
    if m.banking {
        list.push(Arc::new(Banking {
            in_bids: tax.is_none(),
            arbitrage: m.expectations == Expectations::Foresight,
        }));
        if let Some(b) = m.borrowing.as_ref().filter(|_| tax.is_none()) {
            list.push(Arc::new(Borrowing {
                share: b.share_of_allocation,
                from: b.from.unwrap_or(m.start_year),
                until: b.until.unwrap_or(i32::MAX),
            }));
        }
        if let Some(l) = &m.banking_limit {
            list.push(Arc::new(BankingLimit {
                fixed_t: l.fixed_t,
                sales_multiple: l.sales_multiple,
                from: l.from.unwrap_or(m.start_year),
                until: l.until.unwrap_or(m.end_year.unwrap_or(y1)),
            }));
        }
    }
    list
}

/// The groups of `m.groups` with their own obligation cap: (class id, share, last year).
/// Unknown sectors and groups are skipped (validation reports them).
fn group_caps(m: &RawMarket, sectors: &[SectorSpec]) -> Vec<(u16, f64, Option<i32>)> {
    let mut out = Vec::new();
    for (s, groups) in &m.groups {
        let Some(sec) = sectors.iter().find(|x| &x.name == s) else {
            continue;
        };
        for (g, rule) in groups {
            let Some(k) = sec.groups.iter().position(|x| &x.name == g) else {
                continue;
            };
            if let Some(share) = rule.obligation_cap_share {
                out.push((sec.class(Some(k)), share, rule.obligation_cap_until));
            }
        }
    }
    out
}
