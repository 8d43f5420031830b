//! The penalty as a price ceiling: without make-good, a tonne short costs only the penalty.

use super::{MarketBook, MarketYear, Mechanism};
use crate::market::{Bid, ClearingRules};
use crate::series::Series;

/// Without make-good a firm short of a tonne pays `multiple x p + per_t` and owes nothing
/// more, so no firm buys (and every holder would rather sell) at a price above what a tonne
/// short costs: with `multiple < 1` the price cannot exceed `per_t / (1 - multiple)` (CNY per
/// t CO2), a ceiling. Buyers rationed there abate up to that marginal cost and pay the
/// penalty on the rest (see [`crate::market::Bid::position`]). With make-good (the tonne is
/// still owed next year) or `multiple >= 1` a shortfall always costs more than the price and
/// this mechanism is not built.
#[derive(Clone, Debug)]
pub struct PenaltyCeiling {
    /// Penalty per t short as a multiple of the clearing price, below 1.
    pub multiple: f64,
    /// Penalty per t short, CNY per t CO2, by year.
    pub per_t: Series,
}

impl PenaltyCeiling {
    /// The price above which a tonne short costs less than a tonne bought, CNY per t CO2.
    pub fn ceiling(&self, year: i32) -> f64 {
        self.per_t.at(year) / (1.0 - self.multiple)
    }
}

impl Mechanism for PenaltyCeiling {
    fn name(&self) -> &'static str {
        "penalty_ceiling"
    }
    fn rules(&self, y: MarketYear, _: &[Bid], _: &mut MarketBook, rules: &mut ClearingRules) {
        rules.ceiling = rules.ceiling.min(self.ceiling(y.year)).max(rules.floor);
    }
    fn price_ceiling(&self, year: i32) -> Option<f64> {
        Some(self.ceiling(year))
    }
}

#[cfg(test)]
mod tests {
    use super::super::open_rules;
    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_penalty_below_the_price_caps_it() {
        // 0.5 x p + 100 < p for p > 200: the ceiling is 200 CNY/t.
        let m = PenaltyCeiling {
            multiple: 0.5,
            per_t: flat(100.0),
        };
        let mut rules = open_rules();
        m.rules(year(2025), &[], &mut MarketBook::default(), &mut rules);
        assert_eq!(rules.ceiling, 200.0);
        assert_eq!(m.price_ceiling(2025), Some(200.0));
        // Never below the floor.
        let mut high_floor = open_rules();
        high_floor.floor = 300.0;
        m.rules(year(2025), &[], &mut MarketBook::default(), &mut high_floor);
        assert_eq!(high_floor.ceiling, 300.0);
    }
}
