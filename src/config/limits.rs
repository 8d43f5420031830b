//! Allowed values of numeric config keys, declared once beside the struct that holds them
//! (in `config/raw.rs`, with [`limits!`], next to each field's serde default). The macro
//! generates the struct's `LIMITS` table (key and [`Bound`], in check order) and its
//! `check_limits` method, which `config::validate` calls; cross-key rules (a ceiling above
//! its floor, a cap for grandfathering, ...) stay in `config::validate`.

use super::dist::Dist;
use super::series::PathRaw;
use super::validate::Checker;

/// What a key allows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// A number (or every value of a path) in `[lo, hi]`.
    Within(f64, f64),
    /// A number `> 0` (finite).
    Positive,
    /// A number `> 0` and at most the bound.
    PositiveTo(f64),
    /// A distribution whose support is `>= 0`, or `> 0` when `positive`.
    Dist {
        /// Whether the support must be strictly positive.
        positive: bool,
    },
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Within(lo, hi) => write!(f, "[{lo}, {hi}]"),
            Bound::Positive => write!(f, "> 0"),
            Bound::PositiveTo(hi) => write!(f, "(0, {hi}]"),
            Bound::Dist { positive: true } => write!(f, "distribution > 0"),
            Bound::Dist { positive: false } => write!(f, "distribution >= 0"),
        }
    }
}

/// A config value that can be checked against a [`Bound`].
pub trait Checked {
    /// Reports to `c` under `key` if the value is outside `bound`.
    fn check(&self, c: &mut Checker, key: &str, bound: &Bound);
}

impl Checked for f64 {
    fn check(&self, c: &mut Checker, key: &str, bound: &Bound) {
        match *bound {
            Bound::Within(lo, hi) => c.range(key, *self, lo, hi),
            Bound::Positive => c.positive(key, *self),
            Bound::PositiveTo(hi) => {
                if !(self.is_finite() && *self > 0.0 && *self <= hi) {
                    c.fail(key, format!("= {self}: must be > 0 and at most {hi}"));
                }
            }
            Bound::Dist { positive } => c.dist(key, &Dist::Constant(*self), positive),
        }
    }
}

impl Checked for i32 {
    fn check(&self, c: &mut Checker, key: &str, bound: &Bound) {
        f64::from(*self).check(c, key, bound);
    }
}

impl Checked for u32 {
    fn check(&self, c: &mut Checker, key: &str, bound: &Bound) {
        f64::from(*self).check(c, key, bound);
    }
}

impl Checked for PathRaw {
    fn check(&self, c: &mut Checker, key: &str, bound: &Bound) {
        match *bound {
            Bound::Within(lo, hi) => c.path(key, self, lo, hi),
            Bound::Positive => c.path(key, self, f64::MIN_POSITIVE, f64::MAX),
            Bound::PositiveTo(hi) => c.path(key, self, f64::MIN_POSITIVE, hi),
            Bound::Dist { positive } => {
                let lo = if positive { f64::MIN_POSITIVE } else { 0.0 };
                c.path(key, self, lo, f64::MAX);
            }
        }
    }
}

impl Checked for Dist {
    fn check(&self, c: &mut Checker, key: &str, bound: &Bound) {
        match *bound {
            Bound::Dist { positive } => c.dist(key, self, positive),
            Bound::Positive | Bound::PositiveTo(_) => c.dist(key, self, true),
            Bound::Within(..) => c.dist(key, self, false),
        }
    }
}

impl<T: Checked> Checked for Option<T> {
    fn check(&self, c: &mut Checker, key: &str, bound: &Bound) {
        if let Some(v) = self {
            v.check(c, key, bound);
        }
    }
}

/// Declares the allowed values of a raw config struct's numeric keys:
/// `limits!(RawX { field: Bound::Within(0.0, 1.0), other: Bound::Positive })`.
macro_rules! limits {
    ($ty:ident { $($field:ident: $bound:expr),* $(,)? }) => {
        impl $ty {
            /// Allowed values of the numeric keys, in check order (`config/limits.rs`).
            pub const LIMITS: &'static [(&'static str, $crate::config::limits::Bound)] =
                &[$((stringify!($field), $bound)),*];
            /// Checks every key of [`Self::LIMITS`]; `k` turns a field name into its key path.
            pub fn check_limits(
                &self,
                c: &mut $crate::config::validate::Checker,
                k: &dyn Fn(&str) -> String,
            ) {
                $(
                    $crate::config::limits::Checked::check(
                        &self.$field,
                        c,
                        &k(stringify!($field)),
                        &$bound,
                    );
                )*
            }
        }
    };
}
pub(crate) use limits;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_value_is_checked_against_its_bound() {
        let mut c = Checker::new("x.toml");
        1.5f64.check(&mut c, "a", &Bound::Within(0.0, 1.0));
        0.0f64.check(&mut c, "b", &Bound::Positive);
        Checked::check(
            &PathRaw::Points(vec![(2020, 0.5), (2030, 2.0)]),
            &mut c,
            "c",
            &Bound::Within(0.0, 1.0),
        );
        Some(-1.0f64).check(&mut c, "d", &Bound::Within(0.0, 1.0));
        None::<f64>.check(&mut c, "e", &Bound::Within(0.0, 1.0));
        2021i32.check(&mut c, "f", &Bound::Within(1900.0, 2300.0));
        0.5f64.check(&mut c, "g", &Bound::Within(0.0, 1.0));
        let keys: Vec<&str> = c
            .problems
            .iter()
            .map(|p| p.split(": ").nth(1).unwrap_or(""))
            .collect();
        assert_eq!(c.problems.len(), 4, "{:?}", c.problems);
        for k in ["a", "b", "c", "d"] {
            assert!(
                keys.iter().any(|x| x.starts_with(k)),
                "{k} not reported: {keys:?}"
            );
        }
        assert!(c.problems[0].starts_with("x.toml: a = 1.5: must be within [0, 1]"));
    }
}
