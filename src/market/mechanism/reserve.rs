//! Cost-containment reserve: extra allowances sold only at the price ceiling.

use super::{MarketBook, MarketYear, Mechanism};
use crate::market::{Bid, Clearing, ClearingRules};
use crate::series::Series;

/// A cost-containment reserve: at the ceiling the regulator sells up to this year's volume
/// plus the reserve stock (fed by unsold auction volume, see [`super::Auction`]). Sales
/// beyond this year's volume draw the stock down.
#[derive(Clone, Debug)]
pub struct CostContainment {
    /// Allowances offered at the ceiling each year, t CO2 per year.
    pub volume_t: Series,
}

impl Mechanism for CostContainment {
    fn name(&self) -> &'static str {
        "cost_containment"
    }
    fn rules(&self, y: MarketYear, _: &[Bid], book: &mut MarketBook, rules: &mut ClearingRules) {
        rules.ccr_volume = self.volume_t.at(y.year) + book.reserve_stock;
    }
    fn after_clearing(&self, y: MarketYear, out: &Clearing, book: &mut MarketBook) {
        book.reserve_stock -= (out.ccr_sold - self.volume_t.at(y.year)).max(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{MarketBook, open_rules};
    use super::*;
    use crate::market::ClearingStatus;

    fn sold(ccr_sold: f64) -> Clearing {
        Clearing {
            price: 100.0,
            auction_sold: 0.0,
            ccr_sold,
            withheld: 0.0,
            status: ClearingStatus::AtCeiling,
            unmet_demand: 0.0,
            unsold_supply: 0.0,
            volume: ccr_sold,
        }
    }

    #[test]
    fn offers_the_annual_volume_plus_the_stock_and_draws_the_stock_beyond_it() {
        let m = CostContainment {
            volume_t: flat(10.0),
        };
        let mut book = MarketBook {
            auctioned: 0.0,
            reserve_stock: 5.0,
            ..MarketBook::default()
        };
        let mut rules = open_rules();
        m.rules(year(2025), &[], &mut book, &mut rules);
        assert_eq!(rules.ccr_volume, 15.0);
        m.after_clearing(year(2025), &sold(8.0), &mut book);
        assert_eq!(book.reserve_stock, 5.0, "within the annual volume");
        m.after_clearing(year(2025), &sold(13.0), &mut book);
        assert_eq!(book.reserve_stock, 2.0, "3 t drawn from the stock");
    }
}
