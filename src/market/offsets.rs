//! Offset credits (China's CCER) from uncovered sources: the supply curve of one source, how
//! it enters a clearing and the offset price when the use limit binds (pure: no ECS, no I/O).
//!
//! Units: credits and reductions in t CO2, prices in CNY per t CO2, costs in CNY.
//!
//! A source (one city's uncovered emissions, or a row of a user table) can reduce up to `R`
//! t CO2 a year at a linear marginal cost rising from 0 to `mac` CNY/t at `R`. A share `d` of
//! the credits it is issued is not additional (they reward reductions that would have
//! happened anyway), so a tonne really reduced earns `1 / (1 - d)` credits: at a credit price
//! `p` the source reduces until `mac r / R = p / (1 - d)` and sells `q(p) = r(p) / (1 - d)`
//! credits, which is linear in `p` up to `R / (1 - d)` credits at `p = (1 - d) mac`
//! ([`OffsetSource::new`]).
//!
//! In the clearing a source is a seller whose net demand is `-q(p)` ([`OffsetSource::bid`]).
//! Buyers may surrender credits up to a limit `L` (a share of their emissions). If the
//! sources sell at most `L` at the clearing price, credits and allowances trade at one price.
//! Otherwise the limit binds: the market clears with `L` credits as a fixed supply and the
//! credit price is the supply price of `L` ([`offset_price`]), below the allowance price; the
//! difference is a rent to the buyers that use the credits.

use super::Bid;
use super::mechanism::plain_bid;

/// One source of offset credits this year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OffsetSource {
    /// Credits sold at or above `full_price`, t CO2.
    pub credits_max: f64,
    /// Credit price at which the whole potential is sold, CNY per t CO2 (> 0).
    pub full_price: f64,
    /// Real reduction per credit, `1 - d` (t CO2 per t CO2 of credits), in (0, 1].
    pub real_share: f64,
}

impl OffsetSource {
    /// A source that can really reduce `potential_t` t CO2 a year at a marginal cost rising
    /// linearly to `mac` CNY/t, with a share `non_additional` of its credits not additional
    /// (`0 <= non_additional < 1`).
    pub fn new(potential_t: f64, mac: f64, non_additional: f64) -> Self {
        let real_share = (1.0 - non_additional).clamp(f64::MIN_POSITIVE, 1.0);
        Self {
            credits_max: potential_t.max(0.0) / real_share,
            full_price: (real_share * mac).max(f64::MIN_POSITIVE),
            real_share,
        }
    }

    /// Credits sold at price `p`, t CO2: `credits_max x min(p / full_price, 1)`.
    pub fn credits(&self, p: f64) -> f64 {
        self.credits_max * (p.max(0.0) / self.full_price).min(1.0)
    }

    /// Real reduction behind `credits` credits, t CO2.
    pub fn reduction(&self, credits: f64) -> f64 {
        self.real_share * credits
    }

    /// Cost of the real reduction behind `credits` credits, CNY: the area under the linear
    /// MAC, `mac r^2 / (2 R)` with `r` the reduction and `R` the potential.
    pub fn cost(&self, credits: f64) -> f64 {
        let potential = self.real_share * self.credits_max;
        if potential <= 0.0 {
            return 0.0;
        }
        let mac = self.full_price / self.real_share;
        let r = self.reduction(credits).min(potential);
        0.5 * mac * r * r / potential
    }

    /// The source as a seller in a clearing: net demand `-credits(p)` (no emissions, no
    /// holdings, "abatement" = credits sold with slope `full_price / credits_max`).
    pub fn bid(&self) -> Bid {
        let slope = if self.credits_max > 0.0 {
            self.full_price / self.credits_max
        } else {
            1.0 // nothing to sell; any finite slope keeps the bid's kinks finite
        };
        plain_bid(0.0, slope, (0.0, self.credits_max), 0.0)
    }
}

/// Credits all `sources` sell at price `p`, t CO2.
pub fn total_credits(sources: &[OffsetSource], p: f64) -> f64 {
    sources.iter().map(|s| s.credits(p)).sum()
}

/// The supply price of `u` credits: the lowest price at which `sources` sell at least `u`
/// t CO2 (the highest `full_price` if they cannot, 0 for `u <= 0`), CNY per t CO2. Exact: the
/// aggregate supply is piecewise linear with a kink at each source's `full_price`.
pub fn offset_price(sources: &[OffsetSource], u: f64) -> f64 {
    if u <= 0.0 || sources.is_empty() {
        return 0.0;
    }
    let mut kinks: Vec<&OffsetSource> = sources.iter().filter(|s| s.credits_max > 0.0).collect();
    kinks.sort_by(|a, b| a.full_price.total_cmp(&b.full_price));
    // On [prev, next]: supply = full + p x slope, where `full` sums the sources already at
    // their potential and `slope` the others' credits_max / full_price.
    let mut slope: f64 = kinks.iter().map(|s| s.credits_max / s.full_price).sum();
    let mut full = 0.0;
    let mut prev = 0.0;
    for s in kinks {
        let at_next = full + slope * s.full_price;
        if at_next >= u {
            return if slope > 0.0 {
                ((u - full) / slope).clamp(prev, s.full_price)
            } else {
                prev
            };
        }
        full += s.credits_max;
        slope -= s.credits_max / s.full_price;
        prev = s.full_price;
    }
    prev
}

/// Splits `used` credits over `sources` at the supply price `price`: each sells what it
/// supplies there, scaled so that the parts sum to `used` (t CO2 per source, in `out`).
pub fn split(sources: &[OffsetSource], price: f64, used: f64, out: &mut Vec<f64>) {
    out.clear();
    out.extend(sources.iter().map(|s| s.credits(price)));
    let total: f64 = out.iter().sum();
    let factor = if total > 0.0 { used / total } else { 0.0 };
    for q in out.iter_mut() {
        *q *= factor;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Vec<OffsetSource> {
        // 10 t at up to 100 CNY/t and 30 t at up to 300 CNY/t, all additional.
        vec![
            OffsetSource::new(10.0, 100.0, 0.0),
            OffsetSource::new(30.0, 300.0, 0.0),
        ]
    }

    #[test]
    fn supply_is_linear_up_to_the_potential() {
        let s = sources();
        // Below 100 both sell p / 10: 0.1 p each.
        assert!((total_credits(&s, 50.0) - 10.0).abs() < 1e-12);
        assert!((total_credits(&s, 100.0) - 20.0).abs() < 1e-12);
        // Above 100 the first is at 10 t, the second sells 0.1 p.
        assert!((total_credits(&s, 200.0) - 30.0).abs() < 1e-12);
        assert!((total_credits(&s, 1e6) - 40.0).abs() < 1e-12);
        // The bid is the same curve with the sign of a seller.
        for p in [0.0, 30.0, 100.0, 250.0, 400.0] {
            let d: f64 = s.iter().map(|x| x.bid().net_demand(p)).sum();
            assert!((d + total_credits(&s, p)).abs() < 1e-12, "{p}: {d}");
        }
    }

    #[test]
    fn the_offset_price_inverts_the_supply() {
        let s = sources();
        for u in [0.5, 10.0, 20.0, 25.0, 39.9] {
            let p = offset_price(&s, u);
            assert!((total_credits(&s, p) - u).abs() < 1e-9, "{u}: {p}");
        }
        assert!((offset_price(&s, 25.0) - 150.0).abs() < 1e-9);
        assert_eq!(offset_price(&s, 0.0), 0.0);
        assert_eq!(offset_price(&s, 100.0), 300.0);
        assert_eq!(offset_price(&[], 5.0), 0.0);
    }

    #[test]
    fn non_additional_credits_cost_nothing_and_reduce_nothing() {
        // 8 t of real potential at up to 100 CNY/t, a fifth of the credits not additional:
        // 10 credits at most, all sold from 80 CNY/t on; 10 credits reduce 8 t at a cost of
        // 100 x 8^2 / (2 x 8) = 400 CNY.
        let s = OffsetSource::new(8.0, 100.0, 0.2);
        assert!((s.credits_max - 10.0).abs() < 1e-12);
        assert!((s.full_price - 80.0).abs() < 1e-12);
        assert!((s.reduction(10.0) - 8.0).abs() < 1e-12);
        assert!((s.cost(10.0) - 400.0).abs() < 1e-9);
        // At 40 CNY/t: 5 credits, 4 t reduced at a marginal cost 100 x 4 / 8 = 50 = 40 / 0.8.
        assert!((s.credits(40.0) - 5.0).abs() < 1e-12);
        assert!((s.cost(5.0) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn split_shares_the_used_credits_at_the_supply_price() {
        let s = sources();
        let mut out = Vec::new();
        split(&s, 150.0, 25.0, &mut out);
        assert!((out[0] - 10.0).abs() < 1e-12 && (out[1] - 15.0).abs() < 1e-12);
        split(&s, 150.0, 12.5, &mut out);
        assert!((out.iter().sum::<f64>() - 12.5).abs() < 1e-12);
    }
}
