//! Exact uniform-price clearing by a sweep over sorted demand kinks.
//!
//! Units: quantities in t CO2, prices in CNY per t CO2.

use super::bid::{Bid, Kink};
use super::rules::{Clearing, ClearingRules, ClearingStatus};

/// Working memory of [`clear`]: one buffer of demand kinks (at most six per bid, three
/// without an obligation cap). Keep it between calls to avoid reallocating.
#[derive(Clone, Debug, Default)]
pub struct ClearingScratch {
    kinks: Vec<Kink>,
}

impl ClearingScratch {
    /// An empty scratch; it grows on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// A scratch sized for `bids` bids (3 kinks each, the most without a cap).
    pub fn with_capacity(bids: usize) -> Self {
        Self {
            kinks: Vec::with_capacity(bids.saturating_mul(3)),
        }
    }
}

/// Clears one uniform-price call market and writes each firm's trade into
/// `trades` (cleared first; `trades[i]` belongs to `bids[i]`, t CO2, positive =
/// purchase, negative = sale).
///
/// The price `p*` (CNY/t CO2) is the smallest `p` in `[floor, ceiling]` with
/// `D(p) <= Smax(p)`, where `D` is the sum of the bids' net demands and
/// `Smax(p)` the upper end of the regulator's supply set (`0` below the
/// reserve price, the auction volume from it on, plus the reserve volume at
/// the ceiling); `p* = ceiling` if no such price exists. The regulator sells
/// `R = clamp(D(p*), 0, Smax(p*))`, auction first. Trades start at
/// `D_i(p*)`; where `p*` is a bid's switch price (an obligation-capped firm indifferent
/// between staying capped and abating beyond the cap, [`Bid::switch_price`]), such bids take
/// what clears the market, between their right and left demands, pro rata to their jump;
/// then either buyers (`unmet_demand`, at the ceiling) or sellers
/// (`unsold_supply`, at the floor) are scaled pro rata so that
/// `sum(trades) = R`; the same scaling absorbs rounding elsewhere.
///
/// Exact up to floating-point rounding: kinks inside `(floor, ceiling)` are
/// sorted (O(n log n)), `D` is tracked segment by segment, and the crossing
/// segment is re-evaluated directly before solving its linear equation, so
/// `|D(p*) - level|` is a few ulps of the summed demands when the price is
/// interior, and `sum(trades)` matches `auction_sold + ccr_sold` to about
/// `n * 1e-16` relative. Invalid rules are sanitised (`ceiling < floor` is
/// raised to `floor`, negative volumes count as 0); bids are not checked
/// (see [`Bid::validate`]), and no finite input panics.
pub fn clear(
    bids: &[Bid],
    rules: &ClearingRules,
    scratch: &mut ClearingScratch,
    trades: &mut Vec<f64>,
) -> Clearing {
    let floor = rules.floor;
    let ceiling = rules.ceiling.max(floor);
    let auction_volume = rules.auction_volume.max(0.0);
    let reserve = rules.reserve_price;
    let price = clearing_price(
        bids,
        floor,
        ceiling,
        auction_volume,
        reserve,
        &mut scratch.kinks,
    );

    let at_ceiling = price >= ceiling;
    let auction_cap = if price >= reserve {
        auction_volume
    } else {
        0.0
    };
    let ccr_cap = if at_ceiling {
        rules.ccr_volume.max(0.0)
    } else {
        0.0
    };

    trades.clear();
    trades.extend(bids.iter().map(|b| b.net_demand(price)));
    fill_jumps(bids, price, auction_cap + ccr_cap, trades);
    let (mut buy, mut sell) = (0.0, 0.0);
    for &t in trades.iter() {
        if t > 0.0 {
            buy += t;
        } else {
            sell -= t;
        }
    }
    let wanted = (buy - sell).max(0.0);
    let auction_sold = wanted.min(auction_cap);
    let ccr_sold = (wanted - auction_sold).max(0.0).min(ccr_cap);
    let regulator = auction_sold + ccr_sold;

    let status = if at_ceiling {
        ClearingStatus::AtCeiling
    } else if price <= floor {
        ClearingStatus::AtFloor
    } else if price == reserve {
        ClearingStatus::AtReserve
    } else {
        ClearingStatus::Interior
    };

    // Ration the long side so that purchases - sales == regulator sales.
    let supply = sell + regulator;
    let (mut unmet_demand, mut unsold_supply) = (0.0, 0.0);
    if buy > supply {
        scale(trades, true, supply / buy);
        unmet_demand = buy - supply;
    } else if buy < supply && sell > 0.0 {
        scale(trades, false, ((buy - regulator) / sell).clamp(0.0, 1.0));
        unsold_supply = supply - buy;
    }
    if status != ClearingStatus::AtCeiling {
        unmet_demand = 0.0;
    }
    if status != ClearingStatus::AtFloor {
        unsold_supply = 0.0;
    }
    let volume = trades.iter().filter(|t| **t > 0.0).sum();

    Clearing {
        price,
        auction_sold,
        ccr_sold,
        withheld: auction_volume - auction_sold,
        status,
        unmet_demand,
        unsold_supply,
        volume,
    }
}

/// Bids whose demand drops at `price` (their switch price) take up to their jump, pro rata,
/// so that total demand reaches `supply` (the regulator's offer at `price`); `trades` holds
/// every bid's demand at `price` (the right limit) and is raised in place.
fn fill_jumps(bids: &[Bid], price: f64, supply: f64, trades: &mut [f64]) {
    let gap = supply - trades.iter().sum::<f64>();
    if gap <= 0.0 {
        return;
    }
    let jump = |b: &Bid| {
        b.jump()
            .filter(|k| k.price == price)
            .map_or(0.0, |k| k.jump)
    };
    let total: f64 = bids.iter().map(jump).sum();
    if total <= 0.0 {
        return;
    }
    let share = (gap / total).min(1.0);
    for (b, t) in bids.iter().zip(trades.iter_mut()) {
        let j = jump(b);
        if j > 0.0 {
            *t += share * j;
        }
    }
}

/// Multiplies the purchases (`buyers`) or the sales (`!buyers`) by `factor`.
fn scale(trades: &mut [f64], buyers: bool, factor: f64) {
    for t in trades.iter_mut().filter(|t| (**t > 0.0) == buyers) {
        *t *= factor;
    }
}

/// The clearing price rule of [`clear`]; `ceiling >= floor`.
fn clearing_price(
    bids: &[Bid],
    floor: f64,
    ceiling: f64,
    auction_volume: f64,
    reserve: f64,
    kinks: &mut Vec<Kink>,
) -> f64 {
    kinks.clear();
    let (mut d, mut m) = (0.0, 0.0);
    for bid in bids {
        d += bid.net_demand(floor);
        m += bid.slope_right(floor);
        kinks.extend(bid.kinks().filter(|k| floor < k.price && k.price < ceiling));
    }
    kinks.sort_unstable_by(|a, b| {
        a.price
            .total_cmp(&b.price)
            .then(a.slope_delta.total_cmp(&b.slope_delta))
    });
    let mut sweep = Sweep {
        bids,
        kinks,
        next: 0,
        p: floor,
        d,
        m,
    };
    let open = reserve.max(floor);
    if open < ceiling {
        if open > floor
            && let Some(p) = sweep.first_at_or_below(0.0, open)
        {
            return p;
        }
        sweep
            .first_at_or_below(auction_volume, ceiling)
            .unwrap_or(ceiling)
    } else {
        sweep.first_at_or_below(0.0, ceiling).unwrap_or(ceiling)
    }
}

/// Cursor over the piecewise-linear aggregate demand: `d = D(p)` and `m` its
/// right slope, with `kinks[next..]` (sorted) still ahead.
struct Sweep<'a> {
    bids: &'a [Bid],
    kinks: &'a [Kink],
    next: usize,
    p: f64,
    d: f64,
    m: f64,
}

impl Sweep<'_> {
    /// Smallest `q` in `[self.p, end]` with `D(q) <= level`; if there is none,
    /// moves the cursor to `end` (past kinks at `end`) and returns `None`.
    fn first_at_or_below(&mut self, level: f64, end: f64) -> Option<f64> {
        loop {
            if self.d <= level {
                return Some(self.p);
            }
            let (q, delta) = match self.kinks.get(self.next) {
                Some(k) if k.price <= end => (k.price, Some((k.slope_delta, k.jump))),
                _ => (end, None),
            };
            let dq = self.d + self.m * (q - self.p);
            if dq <= level {
                return Some(solve_in_segment(self.bids, self.p, q, level));
            }
            let Some((slope_delta, jump)) = delta else {
                self.p = q;
                self.d = dq;
                return None;
            };
            self.p = q;
            self.d = dq - jump;
            self.m += slope_delta;
            self.next += 1;
        }
    }
}

/// Solves `D(p) = level` on the linear segment `[a, b]`, re-evaluating `D(a)`
/// and the slope directly (not from the sweep's running sums).
fn solve_in_segment(bids: &[Bid], a: f64, b: f64, level: f64) -> f64 {
    let (mut d, mut m) = (0.0, 0.0);
    for bid in bids {
        d += bid.net_demand(a);
        m += bid.slope_right(a);
    }
    if d <= level {
        return a;
    }
    if m.is_nan() || m >= 0.0 {
        return b;
    }
    (a + (d - level) / -m).max(a).min(b)
}

#[cfg(test)]
mod tests;
