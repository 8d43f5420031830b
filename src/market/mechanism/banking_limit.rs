//! China's 2023-24 banking limit: what a firm may carry into next year is capped.

use super::{MarketYear, Mechanism, Settlement};

/// Caps a firm's bank at `fixed_t + sales_multiple x net sales` (t CO2) in the years
/// `from..=until` (China's 2023-24 rule: 10,000 t + 1.5 x net sales); what is left beyond the
/// limit is cancelled. Runs after [`super::Banking`] at settlement.
#[derive(Clone, Debug)]
pub struct BankingLimit {
    /// Fixed part, t CO2 per firm and year.
    pub fixed_t: f64,
    /// t CO2 bankable per t of net sales this year.
    pub sales_multiple: f64,
    /// First year the limit applies.
    pub from: i32,
    /// Last year the limit applies.
    pub until: i32,
}

impl BankingLimit {
    /// The most a firm with `net_sales` (t CO2) may bank in `year`, t CO2 (infinite outside
    /// the limit's years).
    pub fn limit(&self, year: i32, net_sales: f64) -> f64 {
        if (self.from..=self.until).contains(&year) {
            self.fixed_t + self.sales_multiple * net_sales.max(0.0)
        } else {
            f64::INFINITY
        }
    }
}

impl Mechanism for BankingLimit {
    fn name(&self) -> &'static str {
        "banking_limit"
    }
    fn settle(&self, y: MarketYear, s: &mut Settlement) {
        let limit = self.limit(y.year, s.net_sales);
        if s.bank > limit {
            s.cancelled += s.bank - limit;
            s.bank = limit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn settled(leftover: f64, net_sales: f64) -> Settlement {
        Settlement {
            leftover,
            bank: leftover,
            cancelled: 0.0,
            net_sales,
            gross_allocation: 0.0,
            borrowed: 0.0,
        }
    }

    #[test]
    fn caps_the_bank_at_the_fixed_part_plus_a_multiple_of_net_sales_in_its_years() {
        let m = BankingLimit {
            fixed_t: 10_000.0,
            sales_multiple: 1.5,
            from: 2023,
            until: 2024,
        };
        // 30,000 t left, 8,000 t sold: at most 10,000 + 12,000 = 22,000 t banked.
        let mut s = settled(30_000.0, 8_000.0);
        m.settle(year(2023), &mut s);
        assert_eq!((s.bank, s.cancelled), (22_000.0, 8_000.0));
        // Below the limit: all banked.
        let mut small = settled(9_000.0, 0.0);
        m.settle(year(2024), &mut small);
        assert_eq!((small.bank, small.cancelled), (9_000.0, 0.0));
        // A buyer (no net sales) keeps 10,000 t at most.
        let mut buyer = settled(15_000.0, 0.0);
        m.settle(year(2024), &mut buyer);
        assert_eq!(buyer.bank, 10_000.0);
        // Outside 2023-24 no limit.
        let mut later = settled(30_000.0, 0.0);
        m.settle(year(2025), &mut later);
        assert_eq!(later.bank, 30_000.0);
    }
}
