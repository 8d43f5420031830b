//! Market regulator entities: one per configured market. The rules are in the scenario's
//! [`crate::config::MarketSpec`] (a market is data); the entity holds the state that
//! changes from year to year.

use crate::econ::expectations::MarketKnowledge;
use crate::market::mechanism::MarketBook;
use bevy_ecs::prelude::Component;

/// A market regulator and its year state.
#[derive(Component, Clone, Debug, Default)]
pub struct Regulator {
    /// Market id (index into the scenario's markets).
    pub market: u16,
    /// Whether the market operates this year.
    pub active: bool,
    /// Last clearing price, CNY per t (None before the first clearing).
    pub last_price: Option<f64>,
    /// What the market's mechanisms keep: this year's auction volume and the reserve
    /// stock, t CO2.
    pub book: MarketBook,
    /// This year's outcome.
    pub year: MarketOutcome,
    /// Technology fund balance (revenue recycling), CNY.
    pub fund: f64,
    /// Share of committed capex the technology fund paid last year (what firms expect).
    pub payout_rate: f64,
    /// What its firms knew of the market at the end of its last clearing (announced
    /// expectations).
    pub known: MarketKnowledge,
    /// Covered emissions in the peak year of `peak_cap`, t CO2 (None before it is known).
    pub peak_base: Option<f64>,
}

/// A market's outcome in one year (the `market_year` row).
#[derive(Clone, Copy, Debug, Default)]
pub struct MarketOutcome {
    /// Clearing price, CNY per t.
    pub price: f64,
    /// Allowances bought by firms, t CO2.
    pub volume: f64,
    /// Free allocation, t CO2.
    pub free_allocation: f64,
    /// Reserve sales, t CO2.
    pub reserve_sales: f64,
    /// Withheld auction volume, t CO2.
    pub withheld: f64,
    /// Unmet demand, t CO2.
    pub unmet_demand: f64,
    /// Unsold private supply, t CO2.
    pub unsold_supply: f64,
    /// Covered firms.
    pub participants: u32,
    /// Auction, reserve and tax revenue, CNY.
    pub revenue: f64,
    /// Revenue paid out to cities and firms this year (recycling), CNY.
    pub recycled: f64,
    /// Revenue paid into R&D programmes this year (spent by them next year), CNY.
    pub research_funding: f64,
    /// Absolute cap of `peak_cap` this year, t CO2 (None before it applies).
    pub peak_cap: Option<f64>,
    /// Share of the benchmark allocation and auction volume kept under `peak_cap` (1 when
    /// the cap does not bind; None without it).
    pub correction_factor: Option<f64>,
    /// Offset credits the covered firms bought (and surrendered), t CO2.
    pub offsets_used: f64,
    /// Offset price, CNY per t CO2 (the clearing price unless the use limit binds; 0
    /// without offsets).
    pub offset_price: f64,
    /// Use limit: the share of the covered firms' (forecast) emissions they may surrender
    /// as offsets, t CO2.
    pub offset_limit: f64,
    /// Real reduction of uncovered emissions behind the credits used, t CO2.
    pub offset_reduction: f64,
}
