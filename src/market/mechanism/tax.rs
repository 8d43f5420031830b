//! Carbon tax: a market whose price is fixed.

use super::{MarketBook, MarketYear, Mechanism};
use crate::market::{Bid, ClearingRules};
use crate::series::Series;

/// A carbon tax, as a market whose price is fixed at the tax: nothing is allocated free and
/// the regulator sells whatever is demanded at the tax (its auction volume is set at
/// clearing). It replaces the price band, the auction and the reserve.
#[derive(Clone, Debug)]
pub struct Tax {
    /// Tax by year, CNY per t CO2.
    pub rate: Series,
}

impl Mechanism for Tax {
    fn name(&self) -> &'static str {
        "tax"
    }
    fn rules(&self, y: MarketYear, bids: &[Bid], book: &mut MarketBook, rules: &mut ClearingRules) {
        let t = self.rate.at(y.year);
        book.auctioned = bids.iter().map(|b| b.net_demand(t).max(0.0)).sum();
        *rules = ClearingRules {
            floor: t,
            ceiling: t,
            auction_volume: book.auctioned,
            reserve_price: t,
            ccr_volume: 0.0,
        };
    }
    fn fixed_price(&self, year: i32) -> Option<f64> {
        Some(self.rate.at(year))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{MarketBook, open_rules};
    use super::*;
    use crate::market::{ClearingScratch, clear};

    #[test]
    fn sells_what_is_demanded_at_the_tax() {
        let m = Tax { rate: flat(50.0) };
        // Slope 1: each firm abates 50 t at the tax; holds nothing, so buys E - 50.
        let bids = [bid(80.0, 0.0), bid(120.0, 0.0), bid(40.0, 0.0)];
        let mut book = MarketBook::default();
        let mut rules = open_rules();
        m.rules(year(2025), &bids, &mut book, &mut rules);
        assert_eq!(book.auctioned, 30.0 + 70.0);
        assert_eq!(
            (rules.floor, rules.ceiling, rules.reserve_price),
            (50.0, 50.0, 50.0)
        );
        let out = clear(&bids, &rules, &mut ClearingScratch::new(), &mut Vec::new());
        assert_eq!(out.price, 50.0);
        assert_eq!(m.fixed_price(2020), Some(50.0));
        assert!((out.auction_sold - 100.0).abs() < 1e-9);
    }
}
