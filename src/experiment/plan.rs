//! Expansion of an experiment into an ordered run list, output batches and shards.
//!
//! Runs are ordered by scenario (file order of `[[scenarios]]`), then sample, then
//! replicate; a run's id is its position in that order. Every run of replicate `r` gets the
//! world seed [`crate::rng::replicate_seed`]`(master_seed, r)` whatever its scenario and
//! sample (common random numbers). A batch is a contiguous range of runs of one scenario
//! (at most `batch_size` runs): the unit of output (`part-<k>`), resume and sharding.

use super::spec::RawExperiment;
use crate::error::{Error, Result};
use crate::rng::replicate_seed;
use std::ops::Range;

/// One planned run.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRun {
    /// Position in the plan, from 0.
    pub run_id: u64,
    /// Scenario name.
    pub scenario: String,
    /// Index of the scenario in `[[scenarios]]`.
    pub scenario_index: usize,
    /// Index of the sample (row of the design), from 0.
    pub sample: usize,
    /// Replicate, from 0.
    pub replicate: u32,
    /// World seed of the run: `replicate_seed(master_seed, replicate)`.
    pub seed: u64,
    /// `--set` overrides: the scenario's `set`, then the sampled `path=value`s. Apply
    /// [`RawExperiment::output_overrides`] before them.
    pub overrides: Vec<String>,
    /// The sampled parameters as a JSON object `{"path": value, ...}` in parameter order
    /// (`{}` without parameters).
    pub parameters_json: String,
}

/// A batch of runs: consecutive runs of one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Part number `part-<index>`, from 0 within its scenario.
    pub index: u32,
    /// Scenario name.
    pub scenario: String,
    /// Indexes into [`RunPlan::runs`].
    pub runs: Range<usize>,
}

/// The expanded experiment.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RunPlan {
    /// Every run, in run-id order.
    pub runs: Vec<PlannedRun>,
    /// Batches in plan order; together they cover `runs` exactly once.
    pub batches: Vec<Batch>,
}

/// A value as TOML text for a `--set` override: integral values below 2^53 in magnitude as
/// integers (so they also fit integer keys), others in Rust's shortest round-trip float
/// form (`0.1`, `1e-7`, `1e300`), non-finite as `nan`, `inf`, `-inf`.
pub fn toml_number(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

/// `{"path": value, ...}` in the given order; non-finite values as `null`.
fn parameters_json(paths: &[&str], row: &[f64]) -> String {
    let fields: Vec<String> = paths
        .iter()
        .zip(row)
        .map(|(p, v)| {
            let key = serde_json::Value::String((*p).to_string());
            format!("{key}:{}", serde_json::Value::from(*v))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// Expands `exp` with its `samples` (rows as returned by
/// [`super::sample::draw_samples`]: one value per parameter path, in file order; extra
/// values are ignored) into runs and batches. Should `batch_size` be 0 (an unvalidated
/// file), batches of 1 are used.
pub fn plan(exp: &RawExperiment, samples: &[Vec<f64>]) -> RunPlan {
    let paths = exp.parameter_paths();
    let h = &exp.experiment;
    let batch_size = (h.batch_size as usize).max(1);
    let sampled: Vec<(Vec<String>, String)> = samples
        .iter()
        .map(|row| {
            let sets = paths
                .iter()
                .zip(row)
                .map(|(p, v)| format!("{p}={}", toml_number(*v)))
                .collect();
            (sets, parameters_json(&paths, row))
        })
        .collect();
    let mut out = RunPlan::default();
    for (si, sc) in exp.scenarios.iter().enumerate() {
        let start = out.runs.len();
        for (k, (sets, json)) in sampled.iter().enumerate() {
            for r in 0..h.replicates {
                let mut overrides = sc.set.clone();
                overrides.extend(sets.iter().cloned());
                out.runs.push(PlannedRun {
                    run_id: out.runs.len() as u64,
                    scenario: sc.name.clone(),
                    scenario_index: si,
                    sample: k,
                    replicate: r,
                    seed: replicate_seed(h.master_seed, r),
                    overrides,
                    parameters_json: json.clone(),
                });
            }
        }
        let (mut b, mut index) = (start, 0u32);
        while b < out.runs.len() {
            let e = (b + batch_size).min(out.runs.len());
            out.batches.push(Batch {
                index,
                scenario: sc.name.clone(),
                runs: b..e,
            });
            index += 1;
            b = e;
        }
    }
    out
}

/// Parses a shard `I/N` (`0 <= I < N`): shard I of N.
pub fn parse_shard(s: &str) -> Result<(u32, u32)> {
    let bad = |why: &str| Error::input(format!("--shard {s:?}: {why}"));
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| bad("expected I/N, e.g. 0/4 (shards are numbered 0 to N-1)"))?;
    let num = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| bad(&format!("{:?} is not a whole number >= 0", t.trim())))
    };
    let (i, n) = (num(i)?, num(n)?);
    if n == 0 {
        return Err(bad("N must be at least 1"));
    }
    if i >= n {
        return Err(bad(&format!(
            "I = {i} must be below N = {n} (shards are numbered 0 to N-1)"
        )));
    }
    Ok((i, n))
}

/// The batches (indexes into [`RunPlan::batches`]) of shard `i` of `n`: batch `k` (its
/// position in the whole plan, not its part number) belongs to shard `k % n`. Round-robin
/// spreads every scenario over the shards; the shards partition the batches. Empty when
/// `n == 0` or `i >= n`.
pub fn shard_batches(plan: &RunPlan, i: u32, n: u32) -> Vec<usize> {
    if n == 0 || i >= n {
        return Vec::new();
    }
    (0..plan.batches.len())
        .filter(|k| k % n as usize == i as usize)
        .collect()
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
