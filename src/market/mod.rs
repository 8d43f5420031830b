//! Uniform-price call-market clearing of one compliance year (no ECS, no I/O).
//!
//! Units throughout: quantities in t CO2, prices in CNY per t CO2.
//!
//! Each covered firm submits a [`Bid`]: the parameters of a continuous,
//! piecewise-linear, non-increasing net demand for allowances (operational
//! abatement with a linear marginal cost, an optional cap on the compliance
//! obligation, where the demand may drop by a jump, and an optional banking demand). The regulator offers an
//! auction volume at or above a reserve price and a cost-containment reserve
//! at the price ceiling ([`ClearingRules`]). [`clear`] finds the single
//! clearing price exactly (up to floating-point rounding) with an
//! O(n log n) sweep over sorted demand kinks, rations the long side pro rata
//! and reports the outcome as a [`Clearing`].
//!
//! Least-cost benchmark: with no banking (`bank_hedge = bank_slope = 0`), no
//! cap (`cap_allocation = f64::INFINITY`), no regulator supply
//! (`auction_volume = ccr_volume = 0`) and holdings summing to
//! `sum(E) - A`, the clearing price is the price at which total abatement is
//! `A` (if it lies within `[floor, ceiling]`).
//!
//! ```
//! use synergy::market::{clear, Bid, ClearingRules, ClearingScratch};
//! let bid = |s: f64, h: f64| Bid {
//!     emissions: 100.0, mac_slope: s, abatement_max: 100.0, abatement_min: 0.0, holdings: h,
//!     cap_allocation: f64::INFINITY, cap_share: 1.0, bank_hedge: 0.0, bank_slope: 0.0, bank_value: 0.0,
//! };
//! let bids = [bid(10.0, 76.0), bid(20.0, 77.0), bid(40.0, 77.0)];
//! let rules = ClearingRules {
//!     floor: 0.0, ceiling: 1000.0, auction_volume: 0.0, reserve_price: 0.0, ccr_volume: 0.0,
//! };
//! let (mut scratch, mut trades) = (ClearingScratch::new(), Vec::new());
//! let out = clear(&bids, &rules, &mut scratch, &mut trades);
//! assert!((out.price - 400.0).abs() < 1e-9);
//! ```

mod bid;
mod clearing;
pub mod mechanism;
pub mod offsets;
mod rules;

pub use bid::{Bid, BidError, Kink, Position};
pub use clearing::{ClearingScratch, clear};
pub use rules::{Clearing, ClearingRules, ClearingStatus, RulesError};
