//! The allowance demand of one covered firm for one clearing.
//!
//! Units: quantities in t CO2, prices in CNY per t CO2, demand slopes in
//! t CO2 per (CNY/t CO2).

use thiserror::Error;

/// The bid of one covered firm: the parameters of its net allowance demand
/// `D(p) = O(a(p)) + B(p) - H` (t CO2) at price `p` (CNY/t CO2).
///
/// * obligation at abatement `a`: `O(a) = min(E - a, c + sigma (E - a))`: what the firm owes
///   for its verified emissions `E - a`, capped at `c + sigma (E - a)` where an obligation
///   cap applies (China's early cycles: `c` = free allocation, `sigma` = 0.2);
/// * operational abatement `a(p)` minimises `s a^2 / 2 + p O(a)` over `[amin, amax]`. Where
///   the cap binds (`a < a* = E - c / (1 - sigma)`) a tonne abated saves `sigma` t of
///   obligation, so the capped firm abates `sigma p / s`; beyond `a*` it saves a whole
///   tonne, so it abates `p / s`. The problem is not convex: the firm switches from the
///   capped to the open branch at one price `p^` ([`Bid::switch_price`]), where its demand
///   drops by a jump;
/// * desired bank `B(p) = max(0, h + k (v - p))`.
///
/// `D` is piecewise linear, non-increasing and right-continuous in `p` (continuous except
/// at `p^`); a negative value means the firm sells.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bid {
    /// `E >= 0`: baseline emissions this year before operational abatement, t CO2.
    pub emissions: f64,
    /// `s > 0`: marginal abatement cost slope, (CNY/t CO2) per t CO2; `MAC(a) = s a`.
    pub mac_slope: f64,
    /// `amax >= 0`: upper bound of operational abatement, t CO2.
    pub abatement_max: f64,
    /// `amin` in `[0, amax]`: abatement the firm does whatever the price (e.g. to meet an
    /// administrative standard), t CO2.
    pub abatement_min: f64,
    /// `H >= 0`: allowances held before trading (bank plus this year's free
    /// allocation), t CO2.
    pub holdings: f64,
    /// `c >= 0`: fixed part of the obligation cap (the firm's free allocation), t CO2;
    /// `f64::INFINITY` = no cap.
    pub cap_allocation: f64,
    /// `sigma` in `[0, 1]`: share of verified emissions owed beyond `c` where the cap binds.
    pub cap_share: f64,
    /// `h >= 0`: hedging bank, t CO2 (0 when banking is not allowed).
    pub bank_hedge: f64,
    /// `k >= 0`: speculative banking slope, t CO2 per (CNY/t CO2) (0 when
    /// banking is not allowed).
    pub bank_slope: f64,
    /// `v >= 0`: discounted expected next-year price `E[p_{t+1}] / (1 + r)`, CNY/t CO2.
    pub bank_value: f64,
}

/// A price at which the slope of a bid's net demand changes or its demand drops.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kink {
    /// Price of the kink, CNY/t CO2.
    pub price: f64,
    /// Right slope minus left slope of `D` at `price`, t CO2 per (CNY/t CO2).
    pub slope_delta: f64,
    /// Left limit minus value of `D` at `price` (`>= 0`), t CO2: the drop where a capped
    /// firm switches to abating beyond the cap.
    pub jump: f64,
}

/// Why a [`Bid`] is not a valid input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum BidError {
    /// The field is NaN or infinite (only `cap_allocation` may be `+inf`).
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
    /// `cap_share > 1`.
    #[error("bid field `cap_share` must be at most 1")]
    ShareAboveOne,
}

/// One price band on which the obligation falls linearly: `[lo, hi)` with slope `slope`.
#[derive(Clone, Copy)]
struct Band {
    lo: f64,
    hi: f64,
    slope: f64,
}

impl Band {
    fn restricted(self, from: f64, to: f64) -> Option<Band> {
        let b = Band {
            lo: self.lo.max(from),
            hi: self.hi.min(to),
            slope: self.slope,
        };
        (b.lo < b.hi && b.slope != 0.0).then_some(b)
    }
}

/// Where a firm ends up once its market has cleared: what it abates and what a tonne abated
/// is worth to it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    /// Operational abatement, t CO2.
    pub abatement: f64,
    /// Marginal abatement incentive: what one more tonne abated saves the firm, CNY/t CO2
    /// (the price; `sigma` x price where its capped obligation binds; the penalty where it
    /// was rationed and is short).
    pub incentive: f64,
}

impl Bid {
    /// Checks the documented domain of every field: all finite (except
    /// `cap_allocation = +inf`), none negative, `mac_slope > 0`, `cap_share <= 1`,
    /// `abatement_min <= abatement_max`.
    pub fn validate(&self) -> Result<(), BidError> {
        let fields = [
            ("emissions", self.emissions),
            ("mac_slope", self.mac_slope),
            ("abatement_max", self.abatement_max),
            ("abatement_min", self.abatement_min),
            ("holdings", self.holdings),
            ("cap_allocation", self.cap_allocation),
            ("cap_share", self.cap_share),
            ("bank_hedge", self.bank_hedge),
            ("bank_slope", self.bank_slope),
            ("bank_value", self.bank_value),
        ];
        for (name, x) in fields {
            let inf_ok = name == "cap_allocation" && x == f64::INFINITY;
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
        if self.cap_share > 1.0 {
            return Err(BidError::ShareAboveOne);
        }
        Ok(())
    }

    /// Lower bound of abatement, t CO2.
    fn lower(&self) -> f64 {
        self.abatement_min.max(0.0)
    }

    /// Abatement `a* = E - c / (1 - sigma)` below which the cap binds, t CO2 (`-inf`
    /// without a cap).
    pub fn cap_threshold(&self) -> f64 {
        let (c, share) = (self.cap_allocation, self.cap_share);
        if c.is_finite() && share < 1.0 {
            self.emissions - c / (1.0 - share)
        } else {
            f64::NEG_INFINITY
        }
    }

    /// What the firm owes at abatement `a`: `O(a) = min(E - a, c + sigma (E - a))`, t CO2.
    pub fn obligation_at(&self, a: f64) -> f64 {
        let y = self.emissions - a;
        if self.cap_allocation.is_finite() {
            y.min(self.cap_allocation + self.cap_share * y)
        } else {
            y
        }
    }

    /// Best abatement on the capped branch `[amin, min(a*, amax)]` at price `p`, t CO2.
    fn capped_abatement(&self, p: f64) -> f64 {
        let hi = self.cap_threshold().min(self.abatement_max);
        (self.cap_share * p / self.mac_slope)
            .max(self.lower())
            .min(hi)
    }

    /// Best abatement on the open branch `[max(a*, amin), amax]` at price `p`, t CO2.
    fn open_abatement(&self, p: f64) -> f64 {
        let lo = self.cap_threshold().max(self.lower());
        (p / self.mac_slope).max(lo).min(self.abatement_max)
    }

    /// Abatement cost plus the value of the obligation at abatement `a` and price `p`, CNY.
    fn total_cost_at(&self, a: f64, p: f64) -> f64 {
        let q = if a > 0.0 {
            0.5 * self.mac_slope * a * a
        } else {
            0.0
        };
        q + p * self.obligation_at(a)
    }

    /// The price `p^` (CNY/t CO2) from which abating beyond the cap (`a >= a*`, each tonne
    /// saving a whole tonne of obligation) costs less than staying capped (each tonne
    /// saving `sigma`), if the firm has both options (`amin < a* < amax`). Below `p^` it
    /// abates `sigma p / s`, from `p^` on `p / s`. Without bounds `p^ = 2 s a* / (1 +
    /// sigma)`; with them it is found by bisection on the cost difference, which rises
    /// with `p` (its slope is the capped minus the open obligation, `>= 0`).
    pub fn switch_price(&self) -> Option<f64> {
        let (t, lower, amax, s) = (
            self.cap_threshold(),
            self.lower(),
            self.abatement_max,
            self.mac_slope,
        );
        if !(lower < t && t < amax && s.is_finite()) {
            return None;
        }
        let gap = |p: f64| {
            self.total_cost_at(self.capped_abatement(p), p)
                - self.total_cost_at(self.open_abatement(p), p)
        };
        // At this price the open branch is at amax and beats every capped point.
        let mut hi = (s * amax).max(s * (amax * amax - lower * lower) / (2.0 * (amax - t)));
        if self.cap_share > 0.0 {
            hi = hi.min(s * t / self.cap_share);
        }
        let mut lo = 0.0;
        if gap(lo) >= 0.0 {
            return Some(lo);
        }
        for _ in 0..200 {
            let mid = lo + 0.5 * (hi - lo);
            if mid <= lo || mid >= hi {
                break;
            }
            if gap(mid) >= 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    /// Whether the firm stays on the capped branch at price `p`.
    pub fn capped_at(&self, p: f64) -> bool {
        let t = self.cap_threshold();
        if t <= self.lower() {
            false
        } else if t >= self.abatement_max {
            true
        } else {
            self.switch_price().is_none_or(|ps| p < ps)
        }
    }

    /// Operational abatement `a(p)`, t CO2, at price `p` (CNY/t CO2): `clamp(p / s, amin,
    /// amax)` without a binding cap, `sigma p / s` on the capped branch.
    pub fn abatement(&self, p: f64) -> f64 {
        if self.capped_at(p) {
            self.capped_abatement(p)
        } else {
            self.open_abatement(p)
        }
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

    /// Compliance obligation `O(a(p))`, t CO2.
    pub fn obligation(&self, p: f64) -> f64 {
        self.obligation_at(self.abatement(p))
    }

    /// Desired end-of-year bank `B(p) = max(0, h + k (v - p))`, t CO2.
    pub fn desired_bank(&self, p: f64) -> f64 {
        (self.bank_hedge + self.bank_slope * (self.bank_value - p)).max(0.0)
    }

    /// Net allowance demand `D(p) = O(a(p)) + B(p) - H`, t CO2 (negative: sells).
    pub fn net_demand(&self, p: f64) -> f64 {
        self.obligation(p) + self.desired_bank(p) - self.holdings
    }

    /// Left limit of `D` at `p`, t CO2: `D(p)` except at the switch price, where the firm
    /// would still be capped.
    pub fn net_demand_left(&self, p: f64) -> f64 {
        match self.switch_price() {
            Some(ps) if ps == p => {
                self.obligation_at(self.capped_abatement(p)) + self.desired_bank(p) - self.holdings
            }
            _ => self.net_demand(p),
        }
    }

    /// The (at most two) price bands on which the obligation falls linearly.
    fn bands(&self) -> [Option<Band>; 2] {
        let (s, share, t) = (self.mac_slope, self.cap_share, self.cap_threshold());
        let (lower, amax) = (self.lower(), self.abatement_max);
        let open = Band {
            lo: s * t.max(lower),
            hi: s * amax,
            slope: -(1.0 / s),
        };
        let capped = (share > 0.0).then(|| Band {
            lo: s * lower / share,
            hi: s * t.min(amax) / share,
            slope: -(share * share / s),
        });
        let all = (f64::NEG_INFINITY, f64::INFINITY);
        if t <= lower {
            [open.restricted(all.0, all.1), None]
        } else if t >= amax {
            [capped.and_then(|b| b.restricted(all.0, all.1)), None]
        } else {
            let ps = self.switch_price().unwrap_or(all.1);
            [
                capped.and_then(|b| b.restricted(all.0, ps)),
                open.restricted(ps, all.1),
            ]
        }
    }

    /// Price (CNY/t CO2) above which the desired bank is 0, if `k > 0`.
    fn bank_kink(&self) -> Option<f64> {
        (self.bank_slope > 0.0).then(|| self.bank_value + self.bank_hedge / self.bank_slope)
    }

    /// Right derivative of `D` at `p`, t CO2 per (CNY/t CO2) (always `<= 0`).
    pub fn slope_right(&self, p: f64) -> f64 {
        let mut m = 0.0;
        for b in self.bands().into_iter().flatten() {
            if b.lo <= p && p < b.hi {
                m += b.slope;
            }
        }
        if self.bank_kink().is_some_and(|pb| p < pb) {
            m -= self.bank_slope;
        }
        m
    }

    /// The switch price and the drop of demand there, t CO2 (see [`Bid::switch_price`]).
    pub fn jump(&self) -> Option<Kink> {
        let ps = self.switch_price()?;
        let drop = self.obligation_at(self.capped_abatement(ps))
            - self.obligation_at(self.open_abatement(ps));
        Some(Kink {
            price: ps,
            slope_delta: 0.0,
            jump: drop.max(0.0),
        })
    }

    /// All kinks and the jump of `D` (at most six, unsorted, over every real price).
    ///
    /// For any `p0 < p1`, `slope_right(p1) = slope_right(p0) + sum of slope_delta over
    /// kinks with p0 < price <= p1`, and `D(p1) = D(p0) + integral of the slope - sum of
    /// jump over the same kinks`.
    pub fn kinks(&self) -> impl Iterator<Item = Kink> + use<> {
        let [b1, b2] = self.bands();
        let edges = |b: Option<Band>| {
            b.map(|b| {
                [
                    Kink {
                        price: b.lo,
                        slope_delta: b.slope,
                        jump: 0.0,
                    },
                    Kink {
                        price: b.hi,
                        slope_delta: -b.slope,
                        jump: 0.0,
                    },
                ]
            })
        };
        let (e1, e2) = (edges(b1), edges(b2));
        let k = self.bank_slope;
        [
            e1.map(|e| e[0]),
            e1.map(|e| e[1]),
            e2.map(|e| e[0]),
            e2.map(|e| e[1]),
            self.jump(),
            self.bank_kink().map(|pb| Kink {
                price: pb,
                slope_delta: k,
                jump: 0.0,
            }),
        ]
        .into_iter()
        .flatten()
    }

    /// Abatement (t CO2) at which the obligation equals `held`, within `[amin, amax]`.
    pub fn abatement_to_cover(&self, held: f64) -> f64 {
        let (c, share) = (self.cap_allocation, self.cap_share);
        let y = if !c.is_finite() || share >= 1.0 || held * (1.0 - share) < c {
            held
        } else if share > 0.0 {
            (held - c) / share
        } else {
            f64::INFINITY
        };
        (self.emissions - y)
            .max(self.lower())
            .min(self.abatement_max)
    }

    /// Where the firm ends up after clearing at `p` with net purchase `trade` (t CO2),
    /// facing `penalty` (CNY/t CO2) for each tonne it lacks at compliance:
    ///
    /// * at its switch price the firm is indifferent between its branches: it abates
    ///   exactly what its purchase leaves to cover;
    /// * rationed (it bought less than it bid for, at the ceiling), it abates further up
    ///   to a marginal cost of the penalty (`sigma` x penalty where capped), stopping once
    ///   covered: it pays a shortfall only beyond that;
    /// * otherwise it abates `a(p)`.
    pub fn position(&self, p: f64, trade: f64, penalty: f64) -> Position {
        let s = self.mac_slope;
        let a_p = self.abatement(p);
        let held = self.holdings + trade - self.desired_bank(p);
        let cover = self.abatement_to_cover(held);
        let share = if self.capped_at(p) {
            self.cap_share
        } else {
            1.0
        };
        if self.switch_price() == Some(p) {
            return Position {
                abatement: cover,
                incentive: if cover > 0.0 { s * cover } else { 0.0 },
            };
        }
        let tol = 1e-9 * (1.0 + self.emissions);
        if cover > a_p + tol {
            let stake = penalty.max(p);
            let a_stake = self.abatement(stake);
            if a_stake <= cover {
                let share = if self.capped_at(stake) {
                    self.cap_share
                } else {
                    1.0
                };
                return Position {
                    abatement: a_stake.max(a_p),
                    incentive: share * stake,
                };
            }
            return Position {
                abatement: cover,
                incentive: s * cover,
            };
        }
        Position {
            abatement: a_p,
            incentive: share * p,
        }
    }
}

#[cfg(test)]
mod tests;
