//! Borrowing: a firm may surrender allowances of next year's allocation this year.

use super::{Bidder, MarketYear, Mechanism, Obligation, Settlement};
use crate::market::Bid;

/// Borrowing from next year's allocation (off in China since 2023; a config option): in the
/// years `from..=until` (not in the market's last year, and not for a firm about to leave
/// it) a firm may hold up to `share x` its free allocation (before the debt it repays is
/// deducted) more than it has, repaid from
/// next year's allocation (its debt, without penalty).
///
/// In its bid the capacity `L = share x allocation` is added to its holdings and to its
/// desired bank, and its bank demand falls steeply above the discounted expected next-year
/// price `v` (the whole capacity within `v x (1 + 1e-4)`): it borrows when a tonne now is
/// worth more than the tonne it repays next year, so with `foresight` the price rises at the
/// discount rate while firms borrow, as it does while they bank. At compliance `L` is added
/// to what it can surrender; what it uses of it becomes debt.
#[derive(Clone, Debug)]
pub struct Borrowing {
    /// Borrowing capacity as a share of the firm's free allocation this year.
    pub share: f64,
    /// First year a firm may borrow.
    pub from: i32,
    /// Last year a firm may borrow.
    pub until: i32,
}

/// Relative width of the price band above `v` in which a firm's whole capacity is borrowed.
const BAND: f64 = 1e-4;

impl Borrowing {
    /// A firm's capacity (t CO2) with free allocation `allocation` (t CO2) in `y`.
    pub fn capacity(&self, y: MarketYear, allocation: f64) -> f64 {
        if y.last || y.year < self.from || y.year > self.until {
            0.0
        } else {
            self.share * allocation.max(0.0)
        }
    }
}

impl Mechanism for Borrowing {
    fn name(&self) -> &'static str {
        "borrowing"
    }
    fn bid(&self, y: MarketYear, firm: &Bidder, bid: &mut Bid) {
        let cap = self.capacity(y, firm.gross_allocation);
        if cap <= 0.0 || firm.bank_carry <= 0.0 {
            return;
        }
        let v = firm.bank_carry * firm.expected_price / (1.0 + firm.discount_rate);
        bid.bank_value = v;
        bid.holdings += cap;
        bid.bank_hedge += cap;
        bid.bank_slope += cap / (BAND * v.max(1.0));
    }
    fn obligation(&self, y: MarketYear, o: &mut Obligation) {
        o.available += self.capacity(y, o.gross_allocation);
    }
    fn settle(&self, y: MarketYear, s: &mut Settlement) {
        let cap = self.capacity(y, s.gross_allocation);
        if cap <= 0.0 {
            return;
        }
        if s.bank >= cap {
            s.bank -= cap;
        } else {
            s.borrowed = cap - s.bank;
            s.bank = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn capacity_enters_holdings_and_bank_and_what_is_used_becomes_debt() {
        let m = Borrowing {
            share: 0.5,
            from: 2020,
            until: 2030,
        };
        let firm = Bidder {
            allocation: 40.0,
            gross_allocation: 40.0,
            hedge_share: 0.0,
            speculation: 0.0,
            expected_price: 110.0,
            discount_rate: 0.1,
            bank_carry: 1.0,
            class: 0,
        };
        let mut b = bid(100.0, 40.0);
        m.bid(year(2025), &firm, &mut b);
        // Capacity 20 t: holdings 60, desired bank 20 at v = 100, 0 from 100.01 on.
        assert_eq!((b.holdings, b.bank_hedge), (60.0, 20.0));
        assert!((b.desired_bank(100.0) - 20.0).abs() < 1e-9);
        assert_eq!(b.desired_bank(100.0 * (1.0 + BAND)), 0.0);
        // At compliance 20 t more are available; 12 t left of them: 8 t borrowed.
        let mut o = Obligation {
            emissions: 70.0,
            allocation: 40.0,
            gross_allocation: 40.0,
            owed: 70.0,
            available: 50.0,
            class: 0,
        };
        m.obligation(year(2025), &mut o);
        assert_eq!(o.available, 70.0);
        let mut s = Settlement {
            leftover: 12.0,
            bank: 12.0,
            cancelled: 0.0,
            net_sales: 0.0,
            gross_allocation: 40.0,
            borrowed: 0.0,
        };
        m.settle(year(2025), &mut s);
        assert_eq!((s.bank, s.borrowed), (0.0, 8.0));
        // 25 t left: the 20 t are repaid at once, 5 t banked.
        let mut t = Settlement {
            leftover: 25.0,
            bank: 25.0,
            borrowed: 0.0,
            ..s
        };
        m.settle(year(2025), &mut t);
        assert_eq!((t.bank, t.borrowed), (5.0, 0.0));
        // Not in the market's last year, nor outside its years.
        let last = MarketYear {
            year: 2025,
            last: true,
        };
        assert_eq!(m.capacity(last, 40.0), 0.0);
        assert_eq!(m.capacity(year(2031), 40.0), 0.0);
    }
}
