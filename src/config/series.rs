//! Time paths in configs: a constant or a list of `[year, value]` points, linearly
//! interpolated between points and held constant outside them. Resolved once into a dense
//! [`Series`] over the simulated years so that systems read a value by year index.

pub use crate::series::Series;
use serde::{Deserialize, Serialize};

/// A path as written in a config file: `0.5` or `[[2021, 0.8218], [2025, 0.80]]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathRaw {
    /// The same value every year.
    Constant(f64),
    /// `[year, value]` points in strictly increasing year order.
    Points(Vec<(i32, f64)>),
}

impl Default for PathRaw {
    fn default() -> Self {
        PathRaw::Constant(0.0)
    }
}

impl From<f64> for PathRaw {
    fn from(v: f64) -> Self {
        PathRaw::Constant(v)
    }
}

impl PathRaw {
    /// Checks the points (years increasing, values finite) and that every value lies in
    /// `[lo, hi]`. Returns the problem as text, without the key path.
    pub fn check(&self, lo: f64, hi: f64) -> Result<(), String> {
        let values: Vec<f64> = match self {
            PathRaw::Constant(v) => vec![*v],
            PathRaw::Points(p) => {
                if p.is_empty() {
                    return Err("a path needs at least one [year, value] point".into());
                }
                if p.windows(2).any(|w| w[1].0 <= w[0].0) {
                    return Err("path years must be strictly increasing".into());
                }
                p.iter().map(|x| x.1).collect()
            }
        };
        for v in values {
            if !v.is_finite() || v < lo || v > hi {
                return Err(format!("{v} must be within [{lo}, {hi}]"));
            }
        }
        Ok(())
    }

    /// The value in `year`: linear interpolation between points, constant outside.
    pub fn at(&self, year: i32) -> f64 {
        match self {
            PathRaw::Constant(v) => *v,
            PathRaw::Points(p) => {
                let Some(first) = p.first() else { return 0.0 };
                if year <= first.0 {
                    return first.1;
                }
                for w in p.windows(2) {
                    let ((y0, v0), (y1, v1)) = (w[0], w[1]);
                    if year <= y1 {
                        let t = f64::from(year - y0) / f64::from(y1 - y0);
                        return v0 + t * (v1 - v0);
                    }
                }
                p.last().map_or(0.0, |l| l.1)
            }
        }
    }

    /// Resolves the path over `[first_year, last_year]`.
    pub fn resolve(&self, first_year: i32, last_year: i32) -> Series {
        Series {
            first_year,
            values: (first_year..=last_year).map(|y| self.at(y)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_and_holds() {
        let p = PathRaw::Points(vec![(2020, 1.0), (2030, 2.0)]);
        assert_eq!(p.at(2010), 1.0);
        assert_eq!(p.at(2025), 1.5);
        assert_eq!(p.at(2040), 2.0);
        let s = p.resolve(2019, 2031);
        assert_eq!(s.at(2025), 1.5);
        assert_eq!(s.at(1990), 1.0);
        assert!(p.check(0.0, 1.5).is_err());
        assert!(
            PathRaw::Points(vec![(2030, 1.0), (2020, 1.0)])
                .check(0.0, 9.0)
                .is_err()
        );
    }
}
