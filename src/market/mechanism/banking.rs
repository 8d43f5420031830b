//! Banking: unused allowances are carried into next year, and firms bid for a bank.

use super::{Bidder, MarketBook, MarketYear, Mechanism, Settlement};
use crate::market::{Bid, ClearingRules};

/// Banking: at compliance unused allowances go to the firm's bank (else they are
/// cancelled). With `in_bids`, firms also demand a bank when they bid, unless what they bank
/// would not be theirs to use next year (they leave the market or it closes, and its
/// `bank_on_exit` rule does not convert: no bank bought only to be lost): a hedge
/// (`hedge_share x` emissions), plus a speculative demand of slope `speculation x` emissions
/// around the discounted expected value `carry x E[p_{t+1}] / (1 + r)`. A tax market carries
/// allowances over but does not bid for a bank (`in_bids = false`).
///
/// With `arbitrage` (expectations `foresight`: a price path consistent with the bank it
/// produces), the market's firms as a whole
/// arbitrage between years: nobody sells an allowance below what it is worth banked, the
/// market's discounted expected next-year price `v = E[p_{t+1}] / (1 + r)`
/// ([`MarketBook::bank_value`]), so `v` is a floor of this year's clearing (not in the
/// market's last year). Where the floor binds, supply beyond demand stays with the sellers
/// (pro rata, `unsold_supply`) and is banked: the price then rises at `r` while the bank is
/// positive (Hotelling), and above `v` firms draw their banks down.
#[derive(Clone, Debug)]
pub struct Banking {
    /// Whether bids carry a banking demand.
    pub in_bids: bool,
    /// Whether the market's discounted expected next-year price floors the clearing.
    pub arbitrage: bool,
}

impl Mechanism for Banking {
    fn name(&self) -> &'static str {
        "banking"
    }
    fn bid(&self, _: MarketYear, firm: &Bidder, bid: &mut Bid) {
        if self.in_bids && firm.bank_carry > 0.0 {
            bid.bank_hedge = firm.hedge_share * bid.emissions;
            bid.bank_slope = firm.speculation * bid.emissions;
            bid.bank_value = firm.bank_carry * firm.expected_price / (1.0 + firm.discount_rate);
        }
    }
    fn rules(&self, y: MarketYear, _: &[Bid], book: &mut MarketBook, rules: &mut ClearingRules) {
        if self.in_bids && self.arbitrage && !y.last && book.bank_value > 0.0 {
            rules.floor = rules.floor.max(book.bank_value).min(rules.ceiling);
        }
    }
    fn settle(&self, _: MarketYear, s: &mut Settlement) {
        s.bank = s.leftover;
        s.cancelled = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn banks_leftovers_and_bids_for_a_bank_only_if_it_carries_over() {
        let m = Banking {
            in_bids: true,
            arbitrage: false,
        };
        let firm = Bidder {
            allocation: 0.0,
            gross_allocation: 0.0,
            hedge_share: 0.1,
            speculation: 0.5,
            expected_price: 110.0,
            discount_rate: 0.1,
            bank_carry: 1.0,
            class: 0,
        };
        let mut b = bid(100.0, 0.0);
        m.bid(year(2025), &firm, &mut b);
        assert_eq!((b.bank_hedge, b.bank_slope), (10.0, 50.0));
        assert!((b.bank_value - 100.0).abs() < 1e-12);
        // Leaving with a bank that would be lost: no bank demand.
        let mut lost = bid(100.0, 0.0);
        let gone = Bidder {
            bank_carry: 0.0,
            class: 0,
            ..firm
        };
        m.bid(year(2030), &gone, &mut lost);
        assert_eq!(lost, bid(100.0, 0.0));
        // Converted at 0.5 into the next market: half the value.
        let mut half = bid(100.0, 0.0);
        let converts = Bidder {
            bank_carry: 0.5,
            class: 0,
            ..firm
        };
        m.bid(year(2030), &converts, &mut half);
        assert!((half.bank_value - 50.0).abs() < 1e-12);
        let mut none = bid(100.0, 0.0);
        Banking {
            in_bids: false,
            arbitrage: false,
        }
        .bid(year(2025), &firm, &mut none);
        assert_eq!(none, bid(100.0, 0.0));
        let mut s = Settlement {
            leftover: 12.0,
            bank: 0.0,
            cancelled: 12.0,
            net_sales: 0.0,
            gross_allocation: 0.0,
            borrowed: 0.0,
        };
        m.settle(year(2025), &mut s);
        assert_eq!((s.bank, s.cancelled), (12.0, 0.0));
    }

    #[test]
    fn arbitrage_floors_the_clearing_at_the_bank_value_except_in_the_last_year() {
        let m = Banking {
            in_bids: true,
            arbitrage: true,
        };
        let mut book = MarketBook {
            bank_value: 120.0,
            ..MarketBook::default()
        };
        let mut rules = super::super::open_rules();
        rules.floor = 50.0;
        m.rules(year(2025), &[], &mut book, &mut rules);
        assert_eq!(rules.floor, 120.0);
        // Never above the ceiling; a higher floor stays.
        rules.ceiling = 100.0;
        m.rules(year(2025), &[], &mut book, &mut rules);
        assert_eq!(rules.floor, 100.0);
        let mut last = super::super::open_rules();
        let y = MarketYear {
            year: 2030,
            last: true,
        };
        m.rules(y, &[], &mut book, &mut last);
        assert_eq!(last.floor, 0.0, "nothing to bank for in the last year");
        let mut adaptive = super::super::open_rules();
        Banking {
            in_bids: true,
            arbitrage: false,
        }
        .rules(year(2025), &[], &mut book, &mut adaptive);
        assert_eq!(adaptive.floor, 0.0);
    }
}
