//! Price floor and ceiling: the band the market clears in.

use super::{MarketBook, MarketYear, Mechanism};
use crate::market::{Bid, ClearingRules};
use crate::series::Series;

/// A price band: the market clears at a price in `[floor, ceiling]` (CNY per t CO2); at the
/// floor private sellers are rationed, at the ceiling buyers (and the cost-containment
/// reserve sells, see [`super::CostContainment`]).
#[derive(Clone, Debug)]
pub struct PriceBand {
    /// Price floor by year, CNY per t CO2.
    pub floor: Series,
    /// Price ceiling by year, CNY per t CO2 (above the floor).
    pub ceiling: Series,
}

impl Mechanism for PriceBand {
    fn name(&self) -> &'static str {
        "price_band"
    }
    fn rules(&self, y: MarketYear, _: &[Bid], _: &mut MarketBook, rules: &mut ClearingRules) {
        rules.floor = self.floor.at(y.year);
        rules.ceiling = self.ceiling.at(y.year);
    }
    fn price_floor(&self, year: i32) -> Option<f64> {
        Some(self.floor.at(year))
    }
    fn price_ceiling(&self, year: i32) -> Option<f64> {
        Some(self.ceiling.at(year))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{MarketBook, open_rules};
    use super::*;

    #[test]
    fn sets_the_band_of_the_year() {
        let m = PriceBand {
            floor: ramp(10.0, 1.0),
            ceiling: flat(200.0),
        };
        let mut rules = open_rules();
        let mut book = MarketBook::default();
        m.rules(year(2023), &[], &mut book, &mut rules);
        assert_eq!((rules.floor, rules.ceiling), (13.0, 200.0));
        assert_eq!(rules.auction_volume, 0.0);
        assert_eq!(m.price_floor(2030), Some(20.0));
        assert_eq!(m.price_ceiling(2030), Some(200.0));
    }
}
