//! Auction: the regulator sells a share of the cap (or of the benchmark total) at or above a
//! reserve price.

use super::{AllocationTotals, MarketBook, MarketYear, Mechanism};
use crate::market::{Bid, Clearing, ClearingRules};
use crate::series::Series;

/// An auction inside the clearing: `auction_share x auction_base` is offered at or above the
/// reserve price; what does not sell is withheld, and either cancelled or (with
/// `to_reserve`) added to the cost-containment reserve's stock.
#[derive(Clone, Debug)]
pub struct Auction {
    /// Auction reserve price by year, CNY per t CO2.
    pub reserve_price: Series,
    /// Whether unsold volume goes into the reserve stock (else it is cancelled).
    pub to_reserve: bool,
}

impl Mechanism for Auction {
    fn name(&self) -> &'static str {
        "auction"
    }
    fn allocate(&self, _: MarketYear, totals: &AllocationTotals, book: &mut MarketBook) {
        book.auctioned = totals.auction_share * totals.auction_base;
    }
    fn rules(&self, y: MarketYear, _: &[Bid], book: &mut MarketBook, rules: &mut ClearingRules) {
        rules.auction_volume = book.auctioned;
        rules.reserve_price = self.reserve_price.at(y.year);
    }
    fn after_clearing(&self, _: MarketYear, out: &Clearing, book: &mut MarketBook) {
        if self.to_reserve {
            book.reserve_stock += out.withheld;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{MarketBook, open_rules};
    use super::*;
    use crate::market::ClearingStatus;

    #[test]
    fn offers_its_share_at_the_reserve_price_and_keeps_what_is_unsold_if_told() {
        let totals = AllocationTotals {
            auction_base: 1000.0,
            auction_share: 0.25,
        };
        let out = Clearing {
            price: 30.0,
            auction_sold: 200.0,
            ccr_sold: 0.0,
            withheld: 50.0,
            status: ClearingStatus::AtReserve,
            unmet_demand: 0.0,
            unsold_supply: 0.0,
            volume: 200.0,
        };
        for (to_reserve, stock) in [(false, 7.0), (true, 57.0)] {
            let m = Auction {
                reserve_price: flat(30.0),
                to_reserve,
            };
            let mut book = MarketBook {
                auctioned: 0.0,
                reserve_stock: 7.0,
                ..MarketBook::default()
            };
            m.allocate(year(2025), &totals, &mut book);
            assert_eq!(book.auctioned, 250.0);
            let mut rules = open_rules();
            m.rules(year(2025), &[], &mut book, &mut rules);
            assert_eq!((rules.auction_volume, rules.reserve_price), (250.0, 30.0));
            m.after_clearing(year(2025), &out, &mut book);
            assert_eq!(book.reserve_stock, stock);
        }
    }
}
