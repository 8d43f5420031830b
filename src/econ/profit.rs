//! A firm's profit in one year, with the carbon market's part shown apart (pure).
//!
//! Units: CNY; quantities in units of output and t CO2, prices in CNY per unit and CNY per
//! t CO2.

/// What one firm's year adds up from.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Ledger {
    /// Output, units.
    pub output: f64,
    /// Product price of the firm's goods market, CNY per unit.
    pub product_price: f64,
    /// Variable unit cost at the firm's build intensity, CNY per unit.
    pub variable_cost: f64,
    /// Fuel cost change against the build intensity, CNY (negative: saved).
    pub fuel_cost_change: f64,
    /// Operational abatement cost, CNY.
    pub abatement_cost: f64,
    /// Investment cost (capex annuities and opex), CNY.
    pub investment_cost: f64,
    /// Capex subsidy received from a technology fund, CNY.
    pub subsidy: f64,
    /// Clearing price of its market (the tax in a tax market), CNY per t CO2.
    pub carbon_price: f64,
    /// Allowances bought (+) or sold (-), t CO2 (in a tax market: the tonnes taxed), offset
    /// credits bought included.
    pub net_purchase: f64,
    /// Offset credits bought (part of `net_purchase`), t CO2.
    pub offsets: f64,
    /// Paid for the offset credits at the offset price, CNY.
    pub offset_payment: f64,
    /// Penalty paid, CNY.
    pub penalty: f64,
    /// Free allocation, t CO2.
    pub allocation: f64,
    /// Bank at the start and at the end of the year, t CO2.
    pub bank: (f64, f64),
}

/// The year's profit and its parts, CNY.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Profit {
    /// Product price x output.
    pub revenue: f64,
    /// Variable cost x output + fuel cost change + abatement + investment - subsidy.
    pub production_cost: f64,
    /// Carbon payments: allowances bought minus sold at the price (the tax in a tax market),
    /// offset credits at the offset price, plus penalties.
    pub carbon_payments: f64,
    /// Free allocation at the price: what grandfathering or benchmarks hand out (already in
    /// the carbon payments through fewer purchases; shown apart to read scarcity rents).
    pub free_allocation_value: f64,
    /// Change of the bank at the price (allowances kept are worth the price).
    pub bank_value_change: f64,
    /// Revenue - production cost - carbon payments + bank value change.
    pub profit: f64,
}

/// The firm's profit: revenue minus production cost (variable cost, fuel change, abatement,
/// investment net of subsidy) minus carbon payments, plus the change of its bank valued at
/// this year's price.
pub fn profit(l: &Ledger) -> Profit {
    let revenue = l.product_price * l.output;
    let production_cost =
        l.variable_cost * l.output + l.fuel_cost_change + l.abatement_cost + l.investment_cost
            - l.subsidy;
    let carbon_payments =
        l.carbon_price * (l.net_purchase - l.offsets) + l.offset_payment + l.penalty;
    let bank_value_change = l.carbon_price * (l.bank.1 - l.bank.0);
    Profit {
        revenue,
        production_cost,
        carbon_payments,
        free_allocation_value: l.carbon_price * l.allocation,
        bank_value_change,
        profit: revenue - production_cost - carbon_payments + bank_value_change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_allocation_is_the_profit_gap_between_grandfathering_and_auction() {
        // 100 units at 120 CNY, variable cost 50, abatement 8,000, emits 60 t at 400 CNY/t.
        let base = Ledger {
            output: 100.0,
            product_price: 120.0,
            variable_cost: 50.0,
            abatement_cost: 8000.0,
            carbon_price: 400.0,
            ..Ledger::default()
        };
        // Auction: buys all 60 t: 7,000 - 8,000 - 24,000 = -25,000.
        let auction = profit(&Ledger {
            net_purchase: 60.0,
            ..base
        });
        assert_eq!(auction.revenue, 12_000.0);
        assert_eq!(auction.production_cost, 13_000.0);
        assert_eq!(auction.carbon_payments, 24_000.0);
        assert_eq!(auction.profit, -25_000.0);
        // Grandfathered 76.67 t: sells 16.67 t, profit higher by 76.67 x 400 = 30,667.
        let gf = profit(&Ledger {
            net_purchase: 60.0 - 230.0 / 3.0,
            allocation: 230.0 / 3.0,
            ..base
        });
        assert!((gf.profit - auction.profit - gf.free_allocation_value).abs() < 1e-9);
        assert!((gf.free_allocation_value - 400.0 * 230.0 / 3.0).abs() < 1e-9);
        // Banking 10 t instead of selling them: same profit at this year's price.
        let banked = profit(&Ledger {
            net_purchase: 60.0 - 230.0 / 3.0 + 10.0,
            allocation: 230.0 / 3.0,
            bank: (0.0, 10.0),
            ..base
        });
        assert!((banked.profit - gf.profit).abs() < 1e-9);
        // A subsidy lowers the production cost; a penalty is a carbon payment.
        let p = profit(&Ledger {
            subsidy: 500.0,
            penalty: 300.0,
            ..base
        });
        assert_eq!(p.production_cost, 12_500.0);
        assert_eq!(p.carbon_payments, 300.0);
        // 3 of the 60 t bought are offsets at 250 CNY/t: 57 x 400 + 3 x 250 = 23,550.
        let off = profit(&Ledger {
            net_purchase: 60.0,
            offsets: 3.0,
            offset_payment: 750.0,
            ..base
        });
        assert_eq!(off.carbon_payments, 23_550.0);
        assert_eq!(off.profit - auction.profit, 450.0);
    }
}
