//! Sampling of configured distributions with `rand_distr`.

use super::raw::{DistSpec, RawDist};
use rand::Rng;

/// A distribution of firm attributes as declared (constant, normal, lognormal, uniform,
/// triangular); the resolved scenario keeps it to draw generated firms.
pub type Dist = RawDist;
use rand_distr::{Distribution, LogNormal, Normal, Triangular, Uniform};

impl RawDist {
    /// Draws one value. Parameters were validated before; should a constructor still refuse
    /// them, the distribution's central value is returned. Normal draws are truncated below
    /// at 5 % of the mean when the mean is positive (attributes such as intensities).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            RawDist::Constant(v) => *v,
            RawDist::Dist(DistSpec::Normal { mean, sd }) => {
                let x = Normal::new(*mean, *sd).map_or(*mean, |d| d.sample(rng));
                if *mean > 0.0 { x.max(0.05 * mean) } else { x }
            }
            RawDist::Dist(DistSpec::Lognormal { median, sigma }) => {
                LogNormal::new(median.ln(), *sigma).map_or(*median, |d| d.sample(rng))
            }
            RawDist::Dist(DistSpec::Uniform { min, max }) => {
                if max > min {
                    Uniform::new_inclusive(*min, *max).map_or(*min, |d| d.sample(rng))
                } else {
                    *min
                }
            }
            RawDist::Dist(DistSpec::Triangular { min, mode, max }) => {
                if max > min {
                    Triangular::new(*min, *max, *mode).map_or(*mode, |d| d.sample(rng))
                } else {
                    *mode
                }
            }
        }
    }

    /// The mean of the distribution (the untruncated mean for the normal).
    pub fn mean(&self) -> f64 {
        match self {
            RawDist::Constant(v) => *v,
            RawDist::Dist(DistSpec::Normal { mean, .. }) => *mean,
            RawDist::Dist(DistSpec::Lognormal { median, sigma }) => {
                median * (sigma * sigma / 2.0).exp()
            }
            RawDist::Dist(DistSpec::Uniform { min, max }) => (min + max) / 2.0,
            RawDist::Dist(DistSpec::Triangular { min, mode, max }) => (min + mode + max) / 3.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, keyed};

    #[test]
    fn sample_means_match() {
        let dists = [
            RawDist::Constant(3.0),
            RawDist::Dist(DistSpec::Normal { mean: 2.0, sd: 0.1 }),
            RawDist::Dist(DistSpec::Lognormal {
                median: 1.0,
                sigma: 0.3,
            }),
            RawDist::Dist(DistSpec::Uniform { min: 1.0, max: 3.0 }),
            RawDist::Dist(DistSpec::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 5.0,
            }),
        ];
        for d in dists {
            let mut rng = keyed(1, Stream::FirmSize, 0, 0, 0);
            let n = 20_000;
            let m = (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64;
            assert!(
                (m - d.mean()).abs() < 0.02 * d.mean().max(1.0),
                "{d:?}: {m}"
            );
        }
    }
}
