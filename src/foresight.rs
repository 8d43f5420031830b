//! Rational-expectations price paths (MODEL.md section 7.19): for markets (or sectors) with
//! `expectations = "foresight"`, the expected price path is a fixed point of the whole run.
//! Starting from adaptive expectations, each iteration runs the scenario in memory (no firm
//! rows) with the current expected path, reads the realised clearing prices and moves the
//! expected path towards them by at most `damping` (per element, halved where an element
//! overshoots: [`crate::econ::expectations::damp`]), until `max_t |realised_t - expected_t| /
//! max(expected_t, 1)` is below `tolerance` or `max_iterations` whole runs were made. The
//! path with the smallest residual is kept. Every iteration uses the run's world seed
//! (common random numbers), so the fixed point is a pure function of the scenario and seed.

use crate::config::Scenario;
use crate::config::kinds::{Expectations, FirmLevel};
use crate::econ::expectations::{Steps, damp, residual};
use crate::error::Result;
use crate::model::agents::Clock;
use crate::model::agents::outlook::Outlook;
use crate::model::agents::regulator::Regulator;
use crate::output::Buffers;
use std::sync::Arc;

/// The foresight outcome a run starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Per market, the expected price of every year of the run, CNY per t CO2.
    pub paths: Vec<Vec<f64>>,
    /// Whole runs with an expected path (the adaptive start not counted).
    pub iterations: u32,
    /// How much the last step changed the expected path, `max_t |p_t^(k+1) - p_t^(k)| /
    /// max(p_t^(k), 1)`, share: the convergence criterion (below `tolerance`: converged).
    pub residual: f64,
    /// The fixed-point gap of `paths`, `max_t |realised_t - expected_t| / max(expected_t,
    /// 1)`, share. It can stay above the tolerance where a discrete choice (a firm crossing
    /// a coverage threshold, an adoption) makes the realised price jump as the expected one
    /// crosses a value: the iteration then settles at the jump.
    pub gap: f64,
}

/// Solves the fixed point if `scenario` uses foresight anywhere (None otherwise).
pub fn solve(scenario: &Arc<Scenario>, seed: u64) -> Result<Option<Solution>> {
    if !crate::model::systems::expectations::uses(scenario, Expectations::Foresight) {
        return Ok(None);
    }
    let params = scenario.foresight.clone();
    let mut quiet = (**scenario).clone();
    quiet.output.firm_level = FirmLevel::None;
    let quiet = Arc::new(quiet);
    let mut expected = realised_prices(&quiet, seed, &[])?;
    let mut steps = Steps::new(&expected, params.damping);
    let mut sol = Solution {
        paths: expected.clone(),
        iterations: 0,
        residual: f64::INFINITY,
        gap: f64::INFINITY,
    };
    for k in 1..=params.max_iterations {
        let realised = realised_prices(&quiet, seed, &expected)?;
        let gap = residual(&expected, &realised);
        let before = expected.clone();
        damp(&mut expected, &realised, &mut steps);
        sol = Solution {
            paths: before.clone(),
            iterations: k,
            residual: residual(&before, &expected),
            gap,
        };
        if debug() {
            let worst = worst_gap(&before, &realised);
            eprintln!(
                "foresight iteration {k}: change {:.3e}, gap {gap:.3e} (market {}, year {}: expected {:.2}, realised {:.2})",
                sol.residual,
                scenario.markets[worst.0].name,
                scenario.start_year() + worst.1 as i32,
                before[worst.0][worst.1],
                realised[worst.0][worst.1]
            );
        }
        if sol.residual < params.tolerance {
            break;
        }
    }
    Ok(Some(sol))
}

/// The (market, year index) of the largest gap.
fn worst_gap(expected: &[Vec<f64>], realised: &[Vec<f64>]) -> (usize, usize) {
    let mut worst = (0.0, 0, 0);
    for (m, (e, r)) in expected.iter().zip(realised).enumerate() {
        for (t, (a, b)) in e.iter().zip(r).enumerate() {
            let d = (b - a).abs() / a.max(1.0);
            if d > worst.0 {
                worst = (d, m, t);
            }
        }
    }
    (worst.1, worst.2)
}

/// Whether `SYNERGY_DEBUG_FORESIGHT` asks for one line per iteration on stderr.
fn debug() -> bool {
    std::env::var_os("SYNERGY_DEBUG_FORESIGHT").is_some()
}

/// Runs `scenario` in memory with foresight path `paths` (empty: adaptive) and returns
/// every market's clearing price in every year (0 where it does not operate), CNY per t.
fn realised_prices(
    scenario: &Arc<Scenario>,
    seed: u64,
    paths: &[Vec<f64>],
) -> Result<Vec<Vec<f64>>> {
    let (mut world, mut schedule) = crate::run::build_started(scenario.clone(), seed, 0)?;
    world.resource_mut::<Outlook>().foresight = paths.to_vec();
    let (y0, y1) = (scenario.start_year(), scenario.end_year());
    let mut prices = vec![vec![0.0; (y1 - y0 + 1) as usize]; scenario.markets.len()];
    for year in y0..=y1 {
        world.resource_mut::<Clock>().year = year;
        crate::model::run_year(&mut world, &mut schedule)?;
        let mut q = world.query::<&Regulator>();
        for r in q.iter(&world) {
            if r.active {
                prices[r.market as usize][(year - y0) as usize] = r.year.price;
            }
        }
        *world.resource_mut::<Buffers>() = Buffers::default();
    }
    Ok(prices)
}
