//! The allowance demand of one covered firm for one clearing.
//!
//! Units: quantities in t CO2, prices in CNY per t CO2, demand slopes in
//! t CO2 per (CNY/t CO2).

use thiserror::Error;

/// The bid of one covered firm: the parameters of its piecewise-linear net
/// allowance demand `D(p) = O(p) + B(p) - H` (t CO2) at price `p` (CNY/t CO2).
///
/// * operational abatement `a(p) = clamp(p / s, 0, amax)`,
/// * obligation `O(p) = min(E - a(p), c)`,
/// * desired bank `B(p) = max(0, h + k (v - p))`.
///
/// `D` is continuous, piecewise linear and non-increasing in `p`; a negative
/// value means the firm sells.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bid {
    /// `E >= 0`: baseline emissions this year before operational abatement, t CO2.
    pub emissions: f64,
    /// `s > 0`: marginal abatement cost slope, (CNY/t CO2) per t CO2; `MAC(a) = s a`.
    pub mac_slope: f64,
    /// `amax >= 0`: upper bound of operational abatement, t CO2.
    pub abatement_max: f64,
    /// `amin` in `[0, amax]`: abatement the firm does whatever the price (e.g. to meet an
    /// administrative standard), t CO2; `a(p) = clamp(p / s, amin, amax)`.
    pub abatement_min: f64,
    /// `H >= 0`: allowances held before trading (bank plus this year's free
    /// allocation), t CO2.
    pub holdings: f64,
    /// `c >= 0`: most allowances the firm ever needs for compliance, t CO2
    /// (`f64::INFINITY` = no cap).
    pub obligation_cap: f64,
    /// `h >= 0`: hedging bank, t CO2 (0 when banking is not allowed).
    pub bank_hedge: f64,
    /// `k >= 0`: speculative banking slope, t CO2 per (CNY/t CO2) (0 when
    /// banking is not allowed).
    pub bank_slope: f64,
    /// `v >= 0`: discounted expected next-year price `E[p_{t+1}] / (1 + r)`, CNY/t CO2.
    pub bank_value: f64,
}

/// A price at which the slope of a bid's net demand changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kink {
    /// Price of the kink, CNY/t CO2.
    pub price: f64,
    /// Right slope minus left slope of `D` at `price`, t CO2 per (CNY/t CO2).
    pub slope_delta: f64,
}

/// Why a [`Bid`] is not a valid input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum BidError {
    /// The field is NaN or infinite (only `obligation_cap` may be `+inf`).
    #[error("bid field `{0}` is not finite")]
    NotFinite(&'static str),
    /// The field is negative.
    #[error("bid field `{0}` is negative")]
    Negative(&'static str),
    /// `mac_slope <= 0`.
    #[error("bid field `mac_slope` must be > 0")]
    NonPositiveSlope,
    /// `abatement_min > abatement_max`.
    #[error("bid field `abatement_min` must not exceed `abatement_max`")]
    MinAboveMax,
}

impl Bid {
    /// Checks the documented domain of every field: all finite (except
    /// `obligation_cap = +inf`), none negative, `mac_slope > 0`.
    pub fn validate(&self) -> Result<(), BidError> {
        let fields = [
            ("emissions", self.emissions),
            ("mac_slope", self.mac_slope),
            ("abatement_max", self.abatement_max),
            ("abatement_min", self.abatement_min),
            ("holdings", self.holdings),
            ("obligation_cap", self.obligation_cap),
            ("bank_hedge", self.bank_hedge),
            ("bank_slope", self.bank_slope),
            ("bank_value", self.bank_value),
        ];
        for (name, x) in fields {
            let inf_ok = name == "obligation_cap" && x == f64::INFINITY;
            if !x.is_finite() && !inf_ok {
                return Err(BidError::NotFinite(name));
            }
            if x < 0.0 {
                return Err(BidError::Negative(name));
            }
        }
        if self.mac_slope <= 0.0 {
            return Err(BidError::NonPositiveSlope);
        }
        if self.abatement_min > self.abatement_max {
            return Err(BidError::MinAboveMax);
        }
        Ok(())
    }

    /// Operational abatement `a(p) = clamp(p / s, amin, amax)`, t CO2, at price `p`
    /// (CNY/t CO2).
    pub fn abatement(&self, p: f64) -> f64 {
        (p / self.mac_slope)
            .max(self.abatement_min.max(0.0))
            .min(self.abatement_max)
    }

    /// Cost of the operational abatement at price `p`: `s a(p)^2 / 2`, CNY (0 when nothing
    /// is abated, also with an infinite slope: a firm without output).
    pub fn abatement_cost(&self, p: f64) -> f64 {
        let a = self.abatement(p);
        if a > 0.0 {
            0.5 * self.mac_slope * a * a
        } else {
            0.0
        }
    }

    /// Compliance obligation `O(p) = min(E - a(p), c)`, t CO2.
    pub fn obligation(&self, p: f64) -> f64 {
        (self.emissions - self.abatement(p)).min(self.obligation_cap)
    }

    /// Desired end-of-year bank `B(p) = max(0, h + k (v - p))`, t CO2.
    pub fn desired_bank(&self, p: f64) -> f64 {
        (self.bank_hedge + self.bank_slope * (self.bank_value - p)).max(0.0)
    }

    /// Net allowance demand `D(p) = O(p) + B(p) - H`, t CO2 (negative: sells).
    pub fn net_demand(&self, p: f64) -> f64 {
        self.obligation(p) + self.desired_bank(p) - self.holdings
    }

    /// Price band `[lo, hi)` (CNY/t CO2) on which `O` falls with slope `-1/s`;
    /// empty when `lo >= hi`.
    fn obligation_band(&self) -> (f64, f64) {
        let s = self.mac_slope;
        let lo = (s * (self.emissions - self.obligation_cap))
            .max(s * self.abatement_min)
            .max(0.0);
        (lo, s * self.abatement_max)
    }

    /// Price (CNY/t CO2) above which the desired bank is 0, if `k > 0`.
    fn bank_kink(&self) -> Option<f64> {
        (self.bank_slope > 0.0).then(|| self.bank_value + self.bank_hedge / self.bank_slope)
    }

    /// Right derivative of `D` at `p`, t CO2 per (CNY/t CO2) (always `<= 0`).
    pub fn slope_right(&self, p: f64) -> f64 {
        let (lo, hi) = self.obligation_band();
        let mut m = 0.0;
        if lo <= p && p < hi {
            m -= 1.0 / self.mac_slope;
        }
        if self.bank_kink().is_some_and(|pb| p < pb) {
            m -= self.bank_slope;
        }
        m
    }

    /// All kinks of `D` (at most three, unsorted, over every real price).
    ///
    /// For any `p0 < p1`, `slope_right(p1) = slope_right(p0) + sum of
    /// slope_delta over kinks with p0 < price <= p1`.
    pub fn kinks(&self) -> impl Iterator<Item = Kink> + use<> {
        let (lo, hi) = self.obligation_band();
        let inv_s = 1.0 / self.mac_slope;
        let band = lo < hi;
        let k = self.bank_slope;
        [
            band.then_some(Kink {
                price: lo,
                slope_delta: -inv_s,
            }),
            band.then_some(Kink {
                price: hi,
                slope_delta: inv_s,
            }),
            self.bank_kink().map(|pb| Kink {
                price: pb,
                slope_delta: k,
            }),
        ]
        .into_iter()
        .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(e: f64, s: f64, h: f64) -> Bid {
        Bid {
            emissions: e,
            mac_slope: s,
            abatement_max: e,
            abatement_min: 0.0,
            holdings: h,
            obligation_cap: f64::INFINITY,
            bank_hedge: 0.0,
            bank_slope: 0.0,
            bank_value: 0.0,
        }
    }

    #[test]
    fn plain_bid_components() {
        let b = plain(100.0, 10.0, 80.0);
        assert_eq!(b.abatement(-5.0), 0.0);
        assert_eq!(b.abatement(400.0), 40.0);
        assert_eq!(b.abatement(5000.0), 100.0);
        assert_eq!(b.abatement_cost(400.0), 8000.0);
        assert_eq!(b.net_demand(100.0), 10.0);
        assert_eq!(b.net_demand(300.0), -10.0);
        assert_eq!(b.slope_right(0.0), -0.1);
        assert_eq!(b.slope_right(1000.0), 0.0);
        let kinks: Vec<_> = b.kinks().collect();
        assert_eq!(kinks.len(), 2);
        assert_eq!((kinks[0].price, kinks[1].price), (0.0, 1000.0));
    }

    #[test]
    fn obligation_cap_flattens_demand() {
        // E = 100, s = 10, c = 70: O = 70 until p = s (E - c) = 300, then 100 - p/10.
        let b = Bid {
            obligation_cap: 70.0,
            ..plain(100.0, 10.0, 50.0)
        };
        assert_eq!(b.obligation(0.0), 70.0);
        assert_eq!(b.obligation(300.0), 70.0);
        assert!((b.obligation(500.0) - 50.0).abs() < 1e-12);
        assert_eq!(b.net_demand(200.0), 20.0);
        assert_eq!(b.slope_right(200.0), 0.0);
        assert_eq!(b.slope_right(300.0), -0.1);
        let prices: Vec<f64> = b.kinks().map(|k| k.price).collect();
        assert_eq!(prices, vec![300.0, 1000.0]);
        // Cap below E - amax: obligation constant, no kinks.
        let flat = Bid {
            obligation_cap: 10.0,
            abatement_max: 50.0,
            abatement_min: 0.0,
            ..b
        };
        assert_eq!(flat.kinks().count(), 0);
        assert_eq!(flat.net_demand(0.0), flat.net_demand(1e4));
    }

    #[test]
    fn banking_adds_demand_below_expected_price() {
        // h = 5, k = 0.5, v = 200: B = 5 + 0.5 (200 - p) until p = 210.
        let b = Bid {
            bank_hedge: 5.0,
            bank_slope: 0.5,
            bank_value: 200.0,
            ..plain(100.0, 10.0, 80.0)
        };
        assert_eq!(b.desired_bank(100.0), 55.0);
        assert_eq!(b.desired_bank(210.0), 0.0);
        assert_eq!(b.desired_bank(300.0), 0.0);
        assert_eq!(b.net_demand(100.0), 10.0 + 55.0);
        assert_eq!(b.slope_right(100.0), -0.6);
        assert_eq!(b.slope_right(210.0), -0.1);
        assert!(b.kinks().any(|k| k.price == 210.0 && k.slope_delta == 0.5));
        // Hedge without speculation: constant extra demand.
        let hedge = Bid {
            bank_slope: 0.0,
            ..b
        };
        assert_eq!(hedge.net_demand(100.0), 15.0);
    }

    #[test]
    fn validate_rejects_bad_fields() {
        let b = plain(100.0, 10.0, 80.0);
        assert_eq!(b.validate(), Ok(()));
        assert_eq!(
            Bid {
                mac_slope: 0.0,
                ..b
            }
            .validate(),
            Err(BidError::NonPositiveSlope)
        );
        assert_eq!(
            Bid {
                holdings: -1.0,
                ..b
            }
            .validate(),
            Err(BidError::Negative("holdings"))
        );
        assert_eq!(
            Bid {
                emissions: f64::NAN,
                ..b
            }
            .validate(),
            Err(BidError::NotFinite("emissions"))
        );
        let neg_inf = Bid {
            obligation_cap: f64::NEG_INFINITY,
            ..b
        };
        assert_eq!(
            neg_inf.validate(),
            Err(BidError::NotFinite("obligation_cap"))
        );
        assert_eq!(
            Bid {
                bank_value: f64::INFINITY,
                ..b
            }
            .validate(),
            Err(BidError::NotFinite("bank_value"))
        );
    }
}
