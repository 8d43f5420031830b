//! Obligation cap: a firm never owes more than its free allocation plus a share of its
//! emissions (China's national market in its first cycles: 20 %; its gas units: 0, they owe
//! at most their allocation).

use super::{Bidder, MarketYear, Mechanism, Obligation};
use crate::market::Bid;

/// Caps what a covered firm owes at `allocation + share x verified emissions` up to `until`;
/// the rest of its emissions is forgiven. Bids carry the cap: where it binds, a tonne abated
/// saves `share` t of obligation, so the firm abates `share x p / s` and its demand falls
/// with slope `share^2 / s`; it abates beyond the cap once that is cheaper
/// ([`Bid::switch_price`]).
#[derive(Clone, Debug)]
pub struct ObligationCap {
    /// Share of (forecast, then verified) emissions owed beyond free allocation.
    pub share: f64,
    /// Last year the cap applies (None: every year).
    pub until: Option<i32>,
    /// Which firm classes it applies to, by class id (empty: every class).
    pub classes: Vec<bool>,
}

impl ObligationCap {
    fn applies(&self, year: i32, class: u16) -> bool {
        self.until.is_none_or(|u| year <= u)
            && (self.classes.is_empty() || self.classes.get(class as usize) == Some(&true))
    }
}

impl Mechanism for ObligationCap {
    fn name(&self) -> &'static str {
        "obligation_cap"
    }
    fn bid(&self, y: MarketYear, firm: &Bidder, bid: &mut Bid) {
        if self.applies(y.year, firm.class) {
            bid.cap_allocation = firm.allocation;
            bid.cap_share = self.share;
        }
    }
    fn obligation(&self, y: MarketYear, o: &mut Obligation) {
        if self.applies(y.year, o.class) {
            o.owed = o.emissions.min(o.allocation + self.share * o.emissions);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn caps_bid_and_obligation_until_its_last_year() {
        let m = ObligationCap {
            share: 0.2,
            until: Some(2025),
            classes: vec![],
        };
        let firm = Bidder {
            allocation: 50.0,
            gross_allocation: 50.0,
            hedge_share: 0.0,
            speculation: 0.0,
            expected_price: 0.0,
            discount_rate: 0.0,
            bank_carry: 1.0,
            class: 0,
        };
        let mut b = bid(100.0, 50.0);
        m.bid(year(2025), &firm, &mut b);
        assert_eq!((b.cap_allocation, b.cap_share), (50.0, 0.2));
        // Owes 50 + 0.2 x 100 = 70 t at no abatement; 50 + 0.2 x 90 = 68 t at 10 t abated.
        assert_eq!(b.obligation_at(0.0), 70.0);
        assert!((b.obligation_at(10.0) - 68.0).abs() < 1e-12);
        let mut later = bid(100.0, 50.0);
        m.bid(year(2026), &firm, &mut later);
        assert_eq!(later.cap_allocation, f64::INFINITY);
        let mut o = Obligation {
            emissions: 100.0,
            allocation: 50.0,
            gross_allocation: 50.0,
            owed: 100.0,
            available: 60.0,
            class: 0,
        };
        m.obligation(year(2025), &mut o);
        assert_eq!(o.owed, 70.0);
        // Allocation above emissions: owes its emissions, not more.
        o.allocation = 120.0;
        m.obligation(year(2025), &mut o);
        assert_eq!(o.owed, 100.0);
    }

    #[test]
    fn a_group_cap_applies_to_its_class_only() {
        // Gas units (class 1) owe at most their allocation (share 0); coal (class 0) owes all.
        let m = ObligationCap {
            share: 0.0,
            until: None,
            classes: vec![false, true],
        };
        let o = |class| Obligation {
            emissions: 100.0,
            allocation: 50.0,
            gross_allocation: 50.0,
            owed: 100.0,
            available: 50.0,
            class,
        };
        let (mut gas, mut coal) = (o(1), o(0));
        m.obligation(year(2030), &mut gas);
        m.obligation(year(2030), &mut coal);
        assert_eq!((gas.owed, coal.owed), (50.0, 100.0));
        let firm = |class| Bidder {
            allocation: 50.0,
            gross_allocation: 50.0,
            hedge_share: 0.0,
            speculation: 0.0,
            expected_price: 0.0,
            discount_rate: 0.0,
            bank_carry: 1.0,
            class,
        };
        let (mut b_gas, mut b_coal) = (bid(100.0, 50.0), bid(100.0, 50.0));
        m.bid(year(2030), &firm(1), &mut b_gas);
        m.bid(year(2030), &firm(0), &mut b_coal);
        assert_eq!((b_gas.cap_allocation, b_gas.cap_share), (50.0, 0.0));
        assert_eq!(b_coal.cap_allocation, f64::INFINITY);
        // At a low price the gas unit owes its allocation and trades nothing; where abating
        // beyond the cap pays (MAC slope 1: at 100 CNY/t it abates 100 t) it sells its
        // allocation.
        assert_eq!(b_gas.net_demand(1.0), 0.0);
        assert_eq!(b_gas.net_demand(100.0), -50.0);
    }
}
