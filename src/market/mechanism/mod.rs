//! The seam where market mechanisms plug in (pure: no ECS, no I/O).
//!
//! A market is a uniform-price call market ([`crate::market::clear`]) plus an ordered list of
//! [`Mechanism`]s, resolved from its config into [`crate::config::MarketSpec::mechanisms`].
//! The model's systems call every mechanism of a market, in list order, at five hooks of the
//! year:
//!
//! | hook | system (phase) | what a mechanism may change |
//! |---|---|---|
//! | [`Mechanism::allocate`] | `allocate` (6) | the market's supply this year ([`MarketBook`]) |
//! | [`Mechanism::bid`] | `clear_markets` (7) | one covered firm's [`Bid`] |
//! | [`Mechanism::rules`] | `clear_markets` (7) | the [`ClearingRules`] and the book |
//! | [`Mechanism::after_clearing`] | `clear_markets` (7) | the book, from the [`Clearing`] |
//! | [`Mechanism::obligation`], [`Mechanism::settle`] | `comply` (8) | one firm's surrender and carry-over |
//!
//! Every hook has a default that changes nothing, so a mechanism implements only the hooks it
//! needs. What the systems do without any mechanism: no regulator supply, no price band
//! beyond `[0, OPEN_CEILING]`, bids without a bank and without an obligation cap, the whole
//! emissions owed, unused allowances cancelled.
//!
//! Today's mechanisms, one module each: [`PriceBand`] (floor and ceiling),
//! [`CostContainment`] (reserve sold at the ceiling, fed by unsold auction volume),
//! [`Auction`] (auction share, reserve price, unsold volume), [`Tax`] (a fixed price),
//! [`ObligationCap`] (China's early-cycle cap on what a firm owes), [`Banking`] (bank demand
//! in bids; unused allowances carried over; intertemporal arbitrage under forward-looking
//! expectations), [`BankingLimit`] (China's 2023-24 cap on what a firm may bank),
//! [`StabilityReserve`] (auction volume taken in or released by the allowances in
//! circulation), [`PenaltyCeiling`] (a penalty below the price, without make-good, caps it),
//! [`Borrowing`] (from next year's allocation). Offsets are not a mechanism: they bring sellers
//! from outside the market (cities' uncovered sources) into its clearing, see
//! [`crate::market::offsets`] and `model/systems/offsets.rs`. Adding a mechanism (linking of
//! markets, say) is its config keys (`config/raw.rs`,
//! validated in `config/validate.rs`), one line in `config/mechanisms.rs` that builds it,
//! one module here with its tests, and its state in [`MarketBook`] if it keeps any.
//!
//! Units: quantities in t CO2, prices in CNY per t CO2.

mod auction;
mod band;
mod banking;
mod banking_limit;
mod borrowing;
mod msr;
mod obligation_cap;
mod penalty;
mod reserve;
mod tax;

pub use auction::Auction;
pub use band::PriceBand;
pub use banking::Banking;
pub use banking_limit::BankingLimit;
pub use borrowing::Borrowing;
pub use msr::StabilityReserve;
pub use obligation_cap::ObligationCap;
pub use penalty::PenaltyCeiling;
pub use reserve::CostContainment;
pub use tax::Tax;

use super::{Bid, Clearing, ClearingRules};
use std::fmt::Debug;

/// Ceiling of the clearing rules before any mechanism sets one, CNY per t CO2 (finite, as
/// [`ClearingRules`] requires).
pub const OPEN_CEILING: f64 = 1e12;

/// The year a hook runs in, as the market sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarketYear {
    /// Simulated year.
    pub year: i32,
    /// Whether this is the market's last year of operation (nothing to bank for).
    pub last: bool,
}

/// The regulator-side state of one market that mechanisms read and change, kept by the
/// market's regulator entity between years.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MarketBook {
    /// Allowances offered at auction this year, t CO2 (set at allocation; a tax sets it to
    /// what is demanded at the tax when the market clears).
    pub auctioned: f64,
    /// Allowances held in the cost-containment reserve (unsold auction volume), t CO2.
    pub reserve_stock: f64,
    /// What an allowance banked this year is worth now to the market's firms: the expected
    /// next-year price discounted at the market's `discount_rate`, CNY per t CO2 (set by the
    /// expectations phase under `announced` and `foresight`, 0 under `adaptive` and in the
    /// market's last year; a floor of the clearing under `foresight`, see [`Banking`]).
    pub bank_value: f64,
    /// Total number of allowances in circulation: the covered firms' banks at the start of
    /// this year, t CO2 (set at allocation).
    pub tnac: f64,
    /// Allowances held in the market stability reserve, t CO2.
    pub msr_stock: f64,
    /// Taken out of this year's auction into the stability reserve, t CO2.
    pub msr_intake: f64,
    /// Released from the stability reserve into this year's auction, t CO2.
    pub msr_release: f64,
    /// Invalidated (cancelled) from the stability reserve this year, t CO2.
    pub msr_invalidated: f64,
}

/// What the allocation phase computed for one market this year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AllocationTotals {
    /// What the auction share multiplies: the cap, or under benchmark allocation the
    /// benchmark total (benchmark x output over covered firms), t CO2.
    pub auction_base: f64,
    /// Share of `auction_base` sold at auction this year, in [0, 1].
    pub auction_share: f64,
}

/// What a firm brings to its bid besides its abatement options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bidder {
    /// Free allocation this year (net of make-good and borrowing debt repaid), t CO2.
    pub allocation: f64,
    /// Free allocation this year before debt is deducted, t CO2 (what borrowing capacity is
    /// a share of).
    pub gross_allocation: f64,
    /// Hedging bank as a share of (forecast) emissions.
    pub hedge_share: f64,
    /// Speculative banking slope per t of (forecast) emissions, per (CNY/t CO2).
    pub speculation: f64,
    /// Expected next-year market price, CNY per t CO2.
    pub expected_price: f64,
    /// Rate at which the firm discounts a banked allowance, share per year (its hurdle rate
    /// under adaptive expectations, the market's `discount_rate` otherwise).
    pub discount_rate: f64,
    /// What a tonne banked now is worth next year, in tonnes this year: 1 if the firm stays
    /// in the market, the conversion rate if it moves on and the bank converts, 0 if the bank
    /// would be lost or dormant (it leaves, or the market closes).
    pub bank_carry: f64,
    /// The firm's class (its sector's main population or one of its groups; see
    /// [`crate::config::Scenario::class_names`]).
    pub class: u16,
}

/// One firm's obligation at compliance, before it surrenders.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Obligation {
    /// Verified emissions, t CO2.
    pub emissions: f64,
    /// Free allocation this year, t CO2.
    pub allocation: f64,
    /// Free allocation this year before debt is deducted, t CO2.
    pub gross_allocation: f64,
    /// Allowances owed, t CO2 (starts at `emissions`).
    pub owed: f64,
    /// Allowances the firm can surrender: bank + allocation + net purchase, t CO2.
    pub available: f64,
    /// The firm's class (see [`Bidder::class`]).
    pub class: u16,
}

/// What becomes of a firm's allowances left after it surrendered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settlement {
    /// Allowances left after surrender, t CO2.
    pub leftover: f64,
    /// Carried into next year's bank, t CO2 (starts at 0).
    pub bank: f64,
    /// Cancelled, t CO2 (starts at `leftover`).
    pub cancelled: f64,
    /// The firm's net sales this year (allowances sold minus bought, at least 0), t CO2.
    pub net_sales: f64,
    /// The firm's free allocation this year before debt is deducted, t CO2.
    pub gross_allocation: f64,
    /// Borrowed from next year's allocation, t CO2 (starts at 0; becomes debt).
    pub borrowed: f64,
}

/// A market mechanism: rules that act at some of the year's hooks. Hooks run in the order
/// of the market's list; each default does nothing.
pub trait Mechanism: Debug + Send + Sync {
    /// Short name, for docs and debugging (`"auction"`, `"banking"`, ...).
    fn name(&self) -> &'static str;
    /// Allocation: sets this year's supply in `book` from the allocation totals.
    fn allocate(&self, _y: MarketYear, _totals: &AllocationTotals, _book: &mut MarketBook) {}
    /// Bidding: adjusts one firm's bid (its emissions are already its forecast).
    fn bid(&self, _y: MarketYear, _firm: &Bidder, _bid: &mut Bid) {}
    /// Clearing: adjusts the rules the market clears under, given every bid.
    fn rules(
        &self,
        _y: MarketYear,
        _bids: &[Bid],
        _book: &mut MarketBook,
        _rules: &mut ClearingRules,
    ) {
    }
    /// After clearing: books the outcome into the market's state.
    fn after_clearing(&self, _y: MarketYear, _out: &Clearing, _book: &mut MarketBook) {}
    /// Compliance, before surrender: what the firm owes and what it can surrender.
    fn obligation(&self, _y: MarketYear, _o: &mut Obligation) {}
    /// Compliance, after surrender: where the firm's unused allowances go.
    fn settle(&self, _y: MarketYear, _s: &mut Settlement) {}
    /// The lowest price the market can clear at in `year`, CNY per t CO2, if the mechanism
    /// sets one (firms' expectations never fall below it).
    fn price_floor(&self, _year: i32) -> Option<f64> {
        None
    }
    /// The highest price the market can clear at in `year`, CNY per t CO2, if the mechanism
    /// sets one (announced expectations never exceed it).
    fn price_ceiling(&self, _year: i32) -> Option<f64> {
        None
    }
    /// The price in `year` if the mechanism fixes it (a tax), CNY per t CO2.
    fn fixed_price(&self, _year: i32) -> Option<f64> {
        None
    }
}

/// The rules before any mechanism acts: open band, no regulator supply.
pub fn open_rules() -> ClearingRules {
    ClearingRules {
        floor: 0.0,
        ceiling: OPEN_CEILING,
        auction_volume: 0.0,
        reserve_price: f64::INFINITY,
        ccr_volume: 0.0,
    }
}

/// A bid's banking and cap fields before any mechanism acts.
pub fn plain_bid(emissions: f64, mac_slope: f64, abatement: (f64, f64), holdings: f64) -> Bid {
    Bid {
        emissions,
        mac_slope,
        abatement_max: abatement.1,
        abatement_min: abatement.0,
        holdings,
        cap_allocation: f64::INFINITY,
        cap_share: 1.0,
        bank_hedge: 0.0,
        bank_slope: 0.0,
        bank_value: 0.0,
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Small fixtures shared by the mechanisms' tests.
    use super::*;
    use crate::series::Series;

    pub fn year(year: i32) -> MarketYear {
        MarketYear { year, last: false }
    }
    pub fn flat(v: f64) -> Series {
        Series {
            first_year: 2020,
            values: vec![v; 11],
        }
    }
    pub fn ramp(v0: f64, step: f64) -> Series {
        Series {
            first_year: 2020,
            values: (0..11).map(|i| v0 + step * f64::from(i)).collect(),
        }
    }
    pub fn bid(emissions: f64, holdings: f64) -> Bid {
        plain_bid(emissions, 1.0, (0.0, emissions), holdings)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[derive(Debug)]
    struct Nothing;
    impl Mechanism for Nothing {
        fn name(&self) -> &'static str {
            "nothing"
        }
    }

    #[test]
    fn default_hooks_change_nothing() {
        let m = Nothing;
        let y = year(2025);
        let mut book = MarketBook {
            auctioned: 3.0,
            reserve_stock: 4.0,
            ..MarketBook::default()
        };
        let before = book;
        let totals = AllocationTotals {
            auction_base: 100.0,
            auction_share: 0.5,
        };
        m.allocate(y, &totals, &mut book);
        let mut rules = open_rules();
        m.rules(y, &[bid(10.0, 5.0)], &mut book, &mut rules);
        assert_eq!(book, before);
        assert_eq!(rules, open_rules());
        rules.validate().unwrap();
        let mut b = bid(10.0, 5.0);
        let firm = Bidder {
            allocation: 5.0,
            gross_allocation: 5.0,
            hedge_share: 0.1,
            speculation: 0.2,
            expected_price: 50.0,
            discount_rate: 0.1,
            bank_carry: 1.0,
            class: 0,
        };
        m.bid(y, &firm, &mut b);
        assert_eq!(b, bid(10.0, 5.0));
        let mut o = Obligation {
            emissions: 10.0,
            allocation: 5.0,
            gross_allocation: 5.0,
            owed: 10.0,
            available: 7.0,
            class: 0,
        };
        m.obligation(y, &mut o);
        assert_eq!(o.owed, 10.0);
        let mut s = Settlement {
            leftover: 2.0,
            bank: 0.0,
            cancelled: 2.0,
            net_sales: 0.0,
            gross_allocation: 5.0,
            borrowed: 0.0,
        };
        m.settle(y, &mut s);
        assert_eq!((s.bank, s.cancelled), (0.0, 2.0));
        assert_eq!(m.price_floor(2025), None);
        assert_eq!(m.price_ceiling(2025), None);
        assert_eq!(m.fixed_price(2025), None);
    }
}
