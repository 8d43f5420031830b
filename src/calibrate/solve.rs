//! The search: a trial vector `x` (one value per moved parameter) becomes a scenario, which is
//! run once per replicate seed (common random numbers, in parallel with rayon); the metric is
//! the replicate mean. One parameter and a value target: bracketing root-finding (Brent,
//! `argmin`'s `BrentRoot`); one parameter and a series target: golden-section search; more
//! parameters: Nelder-Mead (`argmin`) on the squared relative error, trial values clamped to
//! the bounds. Every evaluation is kept in the trace.

use super::eval::{Metric, Outcome, simulate_replicates};
use super::history::HistoryFit;
use crate::config::Scenario;
use crate::error::{Error, Result};
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::brent::BrentRoot;
use argmin::solver::goldensectionsearch::GoldenSectionSearch;
use argmin::solver::neldermead::NelderMead;
use std::sync::{Arc, Mutex};

/// Builds the scenario of a trial vector.
pub type Build<'a> = &'a (dyn Fn(&[f64]) -> Result<Scenario> + Sync);

/// What the calibrated runs must reproduce.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// The metric's replicate mean equals `value`.
    Value {
        /// The metric.
        metric: Metric,
        /// Target value (the metric's unit).
        value: f64,
    },
    /// A market's prices match observed values: minimise the weighted mean squared relative
    /// error `sum w_y ((p_y - o_y) / o_y)^2 / sum w_y`.
    Prices {
        /// Market name.
        market: String,
        /// (year, observed price CNY per t, weight).
        observed: Vec<(i32, f64, f64)>,
    },
    /// The runs reproduce observed series: minimise [`HistoryFit::objective`].
    History(HistoryFit),
}

/// Search options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Relative tolerance: a value target is met when |metric - target| <= tol x |target|;
    /// minimisers stop when the simplex's objective spread falls below tol^2.
    pub tolerance: f64,
    /// Largest number of evaluations (each runs every replicate).
    pub max_evaluations: u64,
}

/// One evaluation of the search.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Trial values (clamped to the bounds).
    pub x: Vec<f64>,
    /// Replicate mean of the metric (for a price target: the objective).
    pub metric: f64,
    /// The search's objective: metric - target (root-finding) or the squared relative error.
    pub objective: f64,
}

/// The result of a search.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The best evaluation's trial values.
    pub x: Vec<f64>,
    /// Its metric.
    pub metric: f64,
    /// Achieved relative error: |metric - target| / |target| (value target) or the root
    /// mean squared relative error (price target).
    pub error: f64,
    /// Every evaluation in order.
    pub trace: Vec<Evaluation>,
}

/// The problem as argmin sees it.
struct Problem<'a> {
    build: Build<'a>,
    seeds: &'a [u64],
    target: &'a Target,
    bounds: &'a [(f64, f64)],
    tolerance: f64,
    trace: Mutex<Vec<Evaluation>>,
    error: Mutex<Option<Error>>,
    on_eval: &'a (dyn Fn(&Evaluation) + Sync),
}

impl Problem<'_> {
    /// Runs every replicate of `x` (clamped) and records the evaluation.
    fn evaluate(&self, x: &[f64]) -> Result<Evaluation> {
        let x: Vec<f64> = x
            .iter()
            .zip(self.bounds)
            .map(|(v, (lo, hi))| v.clamp(*lo, *hi))
            .collect();
        let scenario = Arc::new((self.build)(&x)?);
        let outcomes: Vec<Outcome> = simulate_replicates(scenario, self.seeds)?;
        let (metric, objective) = match self.target {
            Target::Value { metric, value } => {
                let m = mean(
                    &outcomes
                        .iter()
                        .map(|o| metric.of(o))
                        .collect::<Result<Vec<_>>>()?,
                );
                let g = m - value;
                // Within tolerance counts as the root (Brent stops at a zero).
                let g = if g.abs() <= self.tolerance * value.abs() {
                    0.0
                } else {
                    g
                };
                (m, g)
            }
            Target::Prices { market, observed } => {
                let mut num = 0.0;
                let mut den = 0.0;
                for &(year, obs, w) in observed {
                    let p: Vec<f64> = outcomes
                        .iter()
                        .map(|o| Metric::price_in(o, market, year).unwrap_or(0.0))
                        .collect();
                    let r = (mean(&p) - obs) / obs;
                    num += w * r * r;
                    den += w;
                }
                let j = if den > 0.0 { num / den } else { 0.0 };
                (j, j)
            }
            Target::History(fit) => {
                let j = fit.objective(&outcomes)?;
                (j, j)
            }
        };
        let e = Evaluation {
            x,
            metric,
            objective,
        };
        (self.on_eval)(&e);
        if let Ok(mut t) = self.trace.lock() {
            t.push(e.clone());
        }
        Ok(e)
    }

    /// argmin's view: the objective, with a model error kept aside.
    fn cost_of(&self, x: &[f64]) -> std::result::Result<f64, argmin::core::Error> {
        match self.evaluate(x) {
            Ok(e) => Ok(e.objective),
            Err(err) => {
                let msg = err.to_string();
                if let Ok(mut slot) = self.error.lock() {
                    slot.get_or_insert(err);
                }
                Err(argmin::core::Error::msg(msg))
            }
        }
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// A scalar parameter for argmin's 1-D solvers.
struct Scalar<'a, 'b>(&'a Problem<'b>);

impl CostFunction for Scalar<'_, '_> {
    type Param = f64;
    type Output = f64;
    fn cost(&self, x: &f64) -> std::result::Result<f64, argmin::core::Error> {
        self.0.cost_of(&[*x])
    }
}

/// Searches `x` within `bounds` so that the runs of `build(x)` over `seeds` meet `target`.
/// `on_eval` sees every evaluation (progress).
pub fn solve(
    build: Build<'_>,
    bounds: &[(f64, f64)],
    seeds: &[u64],
    target: &Target,
    opts: Options,
    on_eval: &(dyn Fn(&Evaluation) + Sync),
) -> Result<Solution> {
    if bounds.is_empty() {
        return Err(Error::input("calibration: no parameter to move"));
    }
    if seeds.is_empty() {
        return Err(Error::input("calibration: replicates must be at least 1"));
    }
    let p = Problem {
        build,
        seeds,
        target,
        bounds,
        tolerance: opts.tolerance,
        trace: Mutex::new(Vec::new()),
        error: Mutex::new(None),
        on_eval,
    };
    let iters = opts.max_evaluations.max(2);
    let outcome: std::result::Result<(), argmin::core::Error> = match (target, bounds) {
        (Target::Value { .. }, [(lo, hi)]) => {
            // Bracket check with a message that names the metric at both ends.
            let f_lo = p.evaluate(&[*lo])?;
            let f_hi = p.evaluate(&[*hi])?;
            if f_lo.objective == 0.0 || f_hi.objective == 0.0 {
                Ok(())
            } else if f_lo.objective * f_hi.objective > 0.0 {
                return Err(Error::input(format!(
                    "calibration: the target is not bracketed by the bounds [{lo}, {hi}]: the \
                     metric is {:.6e} at the lower and {:.6e} at the upper bound (target {:.6e}); \
                     widen the bounds or change the target",
                    f_lo.metric,
                    f_hi.metric,
                    match target {
                        Target::Value { value, .. } => *value,
                        Target::Prices { .. } | Target::History(_) => f64::NAN,
                    }
                )));
            } else {
                let solver = BrentRoot::new(*lo, *hi, 1e-9 * (hi - lo));
                Executor::new(Scalar(&p), solver)
                    .configure(|s| s.max_iters(iters))
                    .run()
                    .map(|_| ())
            }
        }
        (Target::Prices { .. } | Target::History(_), [(lo, hi)]) => {
            GoldenSectionSearch::new(*lo, *hi)
                .and_then(|g| g.with_tolerance(opts.tolerance))
                .and_then(|solver| {
                    Executor::new(Scalar(&p), solver)
                        .configure(|s| s.param(0.5 * (lo + hi)).max_iters(iters))
                        .run()
                        .map(|_| ())
                })
        }
        _ => {
            // Start: the box centre and one vertex per parameter, a quarter range away.
            let centre: Vec<f64> = bounds.iter().map(|(a, b)| 0.5 * (a + b)).collect();
            let mut simplex = vec![centre.clone()];
            for (i, (a, b)) in bounds.iter().enumerate() {
                let mut v = centre.clone();
                v[i] += 0.25 * (b - a);
                simplex.push(v);
            }
            let value_target = matches!(target, Target::Value { .. });
            let scale = match target {
                Target::Value { value, .. } => value.abs().max(f64::MIN_POSITIVE),
                Target::Prices { .. } | Target::History(_) => 1.0,
            };
            let squared = SquaredError {
                p: &p,
                value_target,
                scale,
            };
            NelderMead::new(simplex)
                .with_sd_tolerance(opts.tolerance * opts.tolerance)
                .and_then(|solver| {
                    Executor::new(squared, solver)
                        .configure(|s| s.max_iters(iters))
                        .run()
                        .map(|r| {
                            let _ = r.state().get_best_param();
                        })
                })
        }
    };
    if let Some(err) = p.error.lock().ok().and_then(|mut e| e.take()) {
        return Err(err);
    }
    outcome.map_err(|e| Error::Bug(format!("calibration solver: {e}")))?;
    let trace = p.trace.into_inner().unwrap_or_default();
    let best = trace
        .iter()
        .min_by(|a, b| a.objective.abs().total_cmp(&b.objective.abs()))
        .cloned()
        .ok_or_else(|| Error::Bug("calibration ran no evaluation".into()))?;
    let error = match target {
        Target::Value { value, .. } => (best.metric - value).abs() / value.abs().max(1e-300),
        Target::Prices { .. } | Target::History(_) => best.objective.sqrt(),
    };
    Ok(Solution {
        x: best.x,
        metric: best.metric,
        error,
        trace,
    })
}

/// Nelder-Mead's objective: the squared relative error of a value target (the metric minus
/// the target, over the target), or a price target's objective as it is.
struct SquaredError<'a, 'b> {
    p: &'a Problem<'b>,
    value_target: bool,
    scale: f64,
}

impl CostFunction for SquaredError<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        let g = self.p.cost_of(x)?;
        Ok(if self.value_target {
            (g / self.scale).powi(2)
        } else {
            g
        })
    }
}
