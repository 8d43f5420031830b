//! Forward-looking price expectations (MODEL.md section 7.19), pure arithmetic: the price a
//! market's firms expect from its announced supply, the levelised price of a path over an
//! investment's lifetime, and one damped step of the foresight fixed point.
//!
//! Units: prices in CNY per t CO2, quantities in t CO2, rates in share per year.

/// What a market's firms knew of it at the end of last year: the inputs of an announced
/// expectation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MarketKnowledge {
    /// Whether the market has cleared at least once (else nothing is known).
    pub known: bool,
    /// Covered firms' gross emissions (before operational abatement), t CO2.
    pub gross: f64,
    /// Covered firms' grandfathering bases, t CO2.
    pub base: f64,
    /// Aggregate operational abatement per CNY/t of price, `sum_i 1 / s_i`, t CO2 per
    /// (CNY/t CO2).
    pub abatement_per_price: f64,
    /// Covered output per firm class id where the market allocates by benchmark, units.
    pub benchmark_output: Vec<f64>,
}

/// The price at which the market's firms, with last year's MAC and emissions, would abate
/// down to `supply` (t CO2): `(gross - supply) / sum_i (1 / s_i)`, clamped to
/// `[floor, ceiling]`; `floor` when nothing is known or nothing need be abated.
pub fn announced_price(k: &MarketKnowledge, supply: f64, floor: f64, ceiling: f64) -> f64 {
    let p = if k.known && k.abatement_per_price > 0.0 {
        (k.gross - supply) / k.abatement_per_price
    } else {
        0.0
    };
    p.max(floor).min(ceiling.max(floor))
}

/// The constant price with the same present value as `path` over `lifetime` years from
/// `first` (index into `path`), discounted at `rate`: `sum_k p_k d^k / sum_k d^k`,
/// `d = 1 / (1 + rate)`; years beyond the path hold its last value (0 for an empty path).
pub fn levelised(path: &[f64], first: usize, lifetime: u32, rate: f64) -> f64 {
    let last = path.last().copied().unwrap_or(0.0);
    let d = 1.0 / (1.0 + rate.max(0.0));
    let (mut num, mut den, mut w) = (0.0, 0.0, 1.0);
    for k in 0..lifetime.max(1) as usize {
        let p = path.get(first + k).copied().unwrap_or(last);
        num += w * p;
        den += w;
        w *= d;
    }
    num / den
}

/// The fixed-point residual of an expected path against the path it produced:
/// `max_t |realised_t - expected_t| / max(expected_t, 1)` (0 for empty paths).
pub fn residual(expected: &[Vec<f64>], realised: &[Vec<f64>]) -> f64 {
    expected
        .iter()
        .zip(realised)
        .flat_map(|(e, r)| e.iter().zip(r))
        .map(|(e, r)| (r - e).abs() / e.max(1.0))
        .fold(0.0, f64::max)
}

/// Per-element step sizes of the foresight fixed point, with the sign of each element's last
/// gap (realised - expected).
#[derive(Clone, Debug, PartialEq)]
pub struct Steps {
    /// The largest step, share of the gap in (0, 1].
    pub max: f64,
    /// Each element's step, same shape as the paths.
    pub step: Vec<Vec<f64>>,
    /// Each element's last gap sign (-1, 0, 1).
    pub sign: Vec<Vec<f64>>,
}

impl Steps {
    /// Steps of `max` for paths shaped like `paths`.
    pub fn new(paths: &[Vec<f64>], max: f64) -> Self {
        let shape = |v: f64| paths.iter().map(|p| vec![v; p.len()]).collect::<Vec<_>>();
        Steps {
            max,
            step: shape(max),
            sign: shape(0.0),
        }
    }
}

/// One damped step, in place: `expected += step x (realised - expected)` per element, where an
/// element whose gap changed sign since the last step (it overshot: the realised price
/// responds steeply to the expected one, as in the year a bank runs out) has its step halved
/// (down to `max / 1024`); steps never grow again. For a continuous map that falls in the
/// expected price, such a step eventually contracts; at a jump of the map the element settles
/// at the jump.
pub fn damp(expected: &mut [Vec<f64>], realised: &[Vec<f64>], steps: &mut Steps) {
    let lo = steps.max / 1024.0;
    for (m, (e, r)) in expected.iter_mut().zip(realised).enumerate() {
        for (t, (x, y)) in e.iter_mut().zip(r).enumerate() {
            let gap = y - *x;
            let sign = if gap > 0.0 {
                1.0
            } else if gap < 0.0 {
                -1.0
            } else {
                0.0
            };
            let w = &mut steps.step[m][t];
            if sign * steps.sign[m][t] < 0.0 {
                *w = (*w * 0.5).max(lo);
            } else if sign * steps.sign[m][t] > 0.0 {
                *w = (*w * 1.2).min(steps.max);
            }
            steps.sign[m][t] = sign;
            *x += *w * gap;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_price_is_the_static_clearing_of_the_announced_supply() {
        // Three firms of 100 t, slopes 10, 20, 40: 0.175 t per CNY/t. A supply of 230 t
        // clears at 70 / 0.175 = 400 CNY/t, as in validation case 1.
        let k = MarketKnowledge {
            known: true,
            gross: 300.0,
            abatement_per_price: 0.175,
            ..MarketKnowledge::default()
        };
        assert!((announced_price(&k, 230.0, 0.0, 1e6) - 400.0).abs() < 1e-9);
        assert_eq!(
            announced_price(&k, 330.0, 20.0, 1e6),
            20.0,
            "surplus: the floor"
        );
        assert_eq!(announced_price(&k, 0.0, 0.0, 1000.0), 1000.0, "the ceiling");
        let unknown = MarketKnowledge::default();
        assert_eq!(announced_price(&unknown, 0.0, 5.0, 100.0), 5.0);
    }

    #[test]
    fn levelised_price_of_a_flat_path_is_the_price_and_weights_early_years_more() {
        assert!((levelised(&[50.0; 5], 0, 10, 0.08) - 50.0).abs() < 1e-12);
        // Two years, 0 then 100, at 10 %: (0 + 100 / 1.1) / (1 + 1 / 1.1) = 47.62.
        let p = levelised(&[0.0, 100.0], 0, 2, 0.1);
        assert!((p - (100.0 / 1.1) / (1.0 + 1.0 / 1.1)).abs() < 1e-12);
        // Beyond the path the last value holds; undiscounted it is the mean.
        assert!((levelised(&[10.0, 20.0], 1, 3, 0.0) - 20.0).abs() < 1e-12);
        assert!((levelised(&[10.0, 20.0, 30.0], 0, 3, 0.0) - 20.0).abs() < 1e-12);
        assert_eq!(levelised(&[], 0, 3, 0.1), 0.0);
    }

    #[test]
    fn residual_and_damping() {
        let mut e = vec![vec![100.0, 0.5]];
        let r = vec![vec![110.0, 1.0]];
        // |110 - 100| / 100 = 0.1; |1 - 0.5| / 1 = 0.5.
        assert!((residual(&e, &r) - 0.5).abs() < 1e-12);
        let mut steps = Steps::new(&e, 0.5);
        damp(&mut e, &r, &mut steps);
        assert_eq!(e, vec![vec![105.0, 0.75]]);
        // The first element overshoots (gap -5 after +10): its step halves to 0.25; the
        // second keeps its sign and its step.
        damp(&mut e, &[vec![100.0, 1.0]], &mut steps);
        assert_eq!(steps.step, vec![vec![0.25, 0.5]]);
        assert_eq!(e, vec![vec![105.0 - 0.25 * 5.0, 0.875]]);
        assert_eq!(residual(&[], &[]), 0.0);
    }

    #[test]
    fn damping_with_halving_steps_converges_on_a_steep_falling_map() {
        // r(e) = 250 - 10 (e - 100), fixed point e* = 1250 / 11 = 113.64: a plain step of 0.5
        // diverges (|1 - 0.5 x 11| > 1); halving on overshoot converges.
        let map = |e: f64| (250.0 - 10.0 * (e - 100.0)).max(0.0);
        let mut e = vec![vec![50.0]];
        let mut steps = Steps::new(&e, 0.5);
        for _ in 0..200 {
            let r = vec![vec![map(e[0][0])]];
            damp(&mut e, &r, &mut steps);
        }
        assert!((e[0][0] - 1250.0 / 11.0).abs() < 1e-6, "{e:?}");
    }
}
