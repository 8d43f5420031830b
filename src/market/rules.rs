//! Regulator-side inputs and the outcome of one clearing.
//!
//! Units: quantities in t CO2, prices in CNY per t CO2.

use thiserror::Error;

/// Market rules of one uniform-price clearing.
///
/// Regulator supply is set-valued at its steps: the auction offers `0` below
/// `reserve_price`, anything in `[0, auction_volume]` at it and
/// `auction_volume` above it; the cost-containment reserve adds
/// `[0, ccr_volume]` at `ceiling` only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClearingRules {
    /// Price floor `>= 0`, CNY/t CO2.
    pub floor: f64,
    /// Price ceiling `> floor`, finite, CNY/t CO2.
    pub ceiling: f64,
    /// `V >= 0`: allowances offered by the regulator's auction at or above the
    /// reserve price, t CO2.
    pub auction_volume: f64,
    /// `r`: auction reserve price, CNY/t CO2; below it the auction sells
    /// nothing (`r > ceiling` or `+inf` = the auction never sells).
    pub reserve_price: f64,
    /// `C >= 0`: allowances the cost-containment reserve sells, only at the
    /// ceiling, t CO2.
    pub ccr_volume: f64,
}

/// Why a [`ClearingRules`] is not a valid input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum RulesError {
    /// The field is NaN or infinite (only `reserve_price` may be `+inf`).
    #[error("rules field `{0}` is not finite")]
    NotFinite(&'static str),
    /// The field is negative.
    #[error("rules field `{0}` is negative")]
    Negative(&'static str),
    /// `ceiling <= floor`.
    #[error("price ceiling must exceed the price floor")]
    CeilingNotAboveFloor,
}

impl ClearingRules {
    /// Checks the documented domain: all finite and non-negative (except
    /// `reserve_price = +inf`), `ceiling > floor`.
    pub fn validate(&self) -> Result<(), RulesError> {
        let fields = [
            ("floor", self.floor),
            ("ceiling", self.ceiling),
            ("auction_volume", self.auction_volume),
            ("reserve_price", self.reserve_price),
            ("ccr_volume", self.ccr_volume),
        ];
        for (name, x) in fields {
            let inf_ok = name == "reserve_price" && x == f64::INFINITY;
            if !x.is_finite() && !inf_ok {
                return Err(RulesError::NotFinite(name));
            }
            if x < 0.0 {
                return Err(RulesError::Negative(name));
            }
        }
        if self.ceiling <= self.floor {
            return Err(RulesError::CeilingNotAboveFloor);
        }
        Ok(())
    }
}

/// Which constraint determines the clearing price.
///
/// Precedence when several apply: `AtCeiling`, then `AtFloor`, then `AtReserve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClearingStatus {
    /// Aggregate demand equals the regulator's supply level (0 below the
    /// reserve price, the auction volume above it) strictly inside the band.
    Interior,
    /// The price is at the floor; private sellers may be rationed.
    AtFloor,
    /// The price is at the ceiling; the reserve may sell, buyers may be rationed.
    AtCeiling,
    /// The price is at the auction reserve price; the auction sells part of its volume.
    AtReserve,
}

/// Outcome of one clearing. Firm trades are written to the caller's buffer
/// (see [`clear`](super::clear)); they sum to `auction_sold + ccr_sold`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clearing {
    /// Clearing price `p*`, CNY/t CO2, always within `[floor, ceiling]`.
    pub price: f64,
    /// Allowances sold by the auction, t CO2 (`<= auction_volume`).
    pub auction_sold: f64,
    /// Allowances sold by the cost-containment reserve, t CO2 (`<= ccr_volume`,
    /// nonzero only at the ceiling).
    pub ccr_sold: f64,
    /// Unsold auction volume `auction_volume - auction_sold`, t CO2.
    pub withheld: f64,
    /// Which constraint determines the price.
    pub status: ClearingStatus,
    /// Buyers' demand left unfilled at `p*`, t CO2 (nonzero only `AtCeiling`).
    pub unmet_demand: f64,
    /// Private sellers' offers left unfilled at `p*`, t CO2 (nonzero only `AtFloor`).
    pub unsold_supply: f64,
    /// Allowances changing hands: sum of firms' purchases, t CO2.
    pub volume: f64,
}
