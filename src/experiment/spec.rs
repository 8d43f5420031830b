//! Raw experiment file types (unknown keys are errors) and the validated [`Method`] and
//! [`Dist`].
//!
//! [`parse_experiment`] deserializes an experiment TOML file and then [`validate`]s it (in
//! [`mod@super::validate`]), reporting every range and consistency problem at once, each as
//! `<file>: <key path> = <value>: <what is allowed>`. Values of the wrong type (a negative
//! `replicates`, text where a number belongs) are reported by the TOML reader, one at a
//! time, before validation.

pub use super::validate::{load_experiment, parse_experiment, validate};
use serde::{Deserialize, Serialize};

/// `experiment.base` value that selects the embedded default scenario.
pub const EMBEDDED_BASE: &str = "embedded";

/// Largest number of runs one experiment may plan (scenarios x samples x replicates), so a
/// typo in `n` cannot exhaust memory while planning.
pub const MAX_RUNS: u64 = 10_000_000;

/// An experiment file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    /// `[experiment]`: name, base scenario, replicates, seed, batch size.
    pub experiment: RawHeader,
    /// `[[scenarios]]`: named scenarios in file order (the plan's scenario order).
    #[serde(default)]
    pub scenarios: Vec<RawScenarioEntry>,
    /// `[samples]`: the parameter design; absent = one sample with no parameters.
    #[serde(default)]
    pub samples: Option<RawSamples>,
    /// `[output]`: firm-level output options passed to every run.
    #[serde(default)]
    pub output: RawExperimentOutput,
    /// `[match]`: the equal-ambition comparison of the scenarios (`synergy compare
    /// EXPERIMENT --match`); not used by `sweep`.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub match_: Option<RawMatch>,
}

/// `[match]` of an experiment: what `synergy compare EXPERIMENT --match` matches. Replicates
/// and seeds are the experiment's; command-line options override these keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMatch {
    /// The matched metric (only `cumulative_emissions`).
    #[serde(default = "cumulative_emissions")]
    pub metric: String,
    /// `[first, last]` year of the window.
    pub window: [i32; 2],
    /// Common targets, t CO2 (empty: the most ambitious scenario's own value).
    #[serde(default)]
    pub budgets: Vec<f64>,
    /// Social discount rate of the least-cost benchmark, per year (default 0.05).
    #[serde(default)]
    pub rate: Option<f64>,
    /// Relative tolerance of every calibration (default 2e-3).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// Largest number of evaluations per calibration (default 30).
    #[serde(default)]
    pub max_evaluations: Option<u64>,
}

fn cumulative_emissions() -> String {
    "cumulative_emissions".into()
}

/// `[experiment]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    /// Experiment name (letters, digits, `_` and `-`); the output folder's name.
    pub name: String,
    /// Base scenario file relative to the experiment file, or `"embedded"` (the default).
    #[serde(default = "embedded")]
    pub base: String,
    /// Replicates per scenario and sample (>= 1; default 1).
    #[serde(default = "one")]
    pub replicates: u32,
    /// Master seed: sampler draws and every replicate's world seed derive from it.
    pub master_seed: u64,
    /// Runs per output part `part-<k>` (>= 1; default 16). A batch never mixes scenarios.
    #[serde(default = "sixteen")]
    pub batch_size: u32,
    /// Run every run's paired no-policy baseline (same scenario and world seed, no carbon
    /// policy after this year) in memory; `summary` then carries abatement, social cost and
    /// cost per tonne against it. Absent: no baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_until: Option<i32>,
}

/// One `[[scenarios]]` entry: the base (or `file`) plus `--set` style overrides.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenarioEntry {
    /// Scenario name (letters, digits, `_` and `-`), unique; the `scenario=<name>` folder.
    pub name: String,
    /// Overrides `key.path=value`, applied in order before the sampled parameters.
    #[serde(default)]
    pub set: Vec<String>,
    /// A scenario file (relative to the experiment file) used instead of the base.
    #[serde(default)]
    pub file: Option<String>,
}

/// `[samples]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSamples {
    /// `grid`, `random`, `lhs`, `saltelli` or `csv`.
    pub method: String,
    /// Base sample count (random, lhs: samples; saltelli: N of N x (2D+2) or N x (D+2)).
    /// Any n >= 1 is accepted: no power of two is required for saltelli.
    #[serde(default)]
    pub n: Option<u32>,
    /// Saltelli only: also produce the BA rows for second-order indices (default true, as
    /// SALib's `calc_second_order`).
    #[serde(default)]
    pub second_order: Option<bool>,
    /// Csv only: design matrix file relative to the experiment file; one column per
    /// parameter path (any order), one row per sample.
    #[serde(default)]
    pub file: Option<String>,
    /// The varied parameters; their file order is the column order of samples.
    #[serde(default)]
    pub parameters: Vec<RawParameter>,
}

/// One `[[samples.parameters]]` entry. Which of the optional fields are allowed depends on
/// `dist` (and on the method); [`validate`] checks that.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParameter {
    /// A `--set` key path, e.g. `sectors.power.mac_price_at_5pct` or `markets[0].cap`.
    pub path: String,
    /// `uniform`, `normal`, `lognormal`, `triangular` or `values` (grid); absent for csv.
    #[serde(default)]
    pub dist: Option<String>,
    /// Lower bound (uniform, triangular), in the parameter's unit.
    pub min: Option<f64>,
    /// Upper bound (uniform, triangular), in the parameter's unit.
    pub max: Option<f64>,
    /// Mode (triangular), in the parameter's unit.
    pub mode: Option<f64>,
    /// Mean (normal), in the parameter's unit.
    pub mean: Option<f64>,
    /// Standard deviation (normal), in the parameter's unit.
    pub sd: Option<f64>,
    /// Median (lognormal), in the parameter's unit; > 0.
    pub median: Option<f64>,
    /// Standard deviation of the log (lognormal), dimensionless.
    pub sigma: Option<f64>,
    /// Grid values, in the parameter's unit.
    pub values: Option<Vec<f64>>,
}

/// `[output]` of an experiment: each key given is passed to every run as `output.<key>`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperimentOutput {
    /// `all`, `sample` or `none`.
    pub firm_level: Option<String>,
    /// Share of firms kept with `firm_level = "sample"`, in (0, 1].
    pub firm_sample_share: Option<f64>,
    /// Firm-level rows every k years (>= 1).
    pub firm_every_years: Option<u32>,
}

/// A sampling method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Cartesian product of every parameter's `values`.
    Grid,
    /// `n` independent draws per parameter.
    Random,
    /// Latin hypercube of `n` points.
    Lhs,
    /// Saltelli's cross-sampled design for Sobol indices (SALib's row layout).
    Saltelli,
    /// A design matrix read from a CSV file.
    Csv,
}

impl Method {
    /// All methods, in the order they are listed in messages.
    pub const ALL: [Method; 5] = [
        Method::Grid,
        Method::Random,
        Method::Lhs,
        Method::Saltelli,
        Method::Csv,
    ];

    /// The method's name in experiment files.
    pub fn name(self) -> &'static str {
        match self {
            Method::Grid => "grid",
            Method::Random => "random",
            Method::Lhs => "lhs",
            Method::Saltelli => "saltelli",
            Method::Csv => "csv",
        }
    }

    /// Reads a method name.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// A validated parameter distribution (values in the parameter's unit).
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Uniform on [min, max), min < max.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal(mean, sd), sd > 0, not truncated.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// LogNormal with median > 0 and log-scale sigma > 0.
    Lognormal {
        /// Median.
        median: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Triangular on [min, max] with min <= mode <= max, min < max.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Mode.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Explicit grid values (non-empty).
    Values(Vec<f64>),
}

impl RawExperiment {
    /// The sampling method; `None` without `[samples]` (or with an unknown method, which
    /// [`validate`] reports).
    pub fn method(&self) -> Option<Method> {
        self.samples.as_ref().and_then(|s| Method::parse(&s.method))
    }

    /// The sampled parameters' key paths, in file order (the columns of samples).
    pub fn parameter_paths(&self) -> Vec<&str> {
        self.samples
            .iter()
            .flat_map(|s| s.parameters.iter().map(|p| p.path.as_str()))
            .collect()
    }

    /// The number of samples the method produces, known before drawing; `None` for csv
    /// (known once the file is read) and for invalid files. 1 without `[samples]`.
    pub fn sample_count(&self) -> Option<u64> {
        let Some(s) = &self.samples else {
            return Some(1);
        };
        let d = s.parameters.len() as u64;
        let n = u64::from(s.n.unwrap_or(0));
        match self.method()? {
            Method::Grid => s.parameters.iter().try_fold(1u64, |acc, p| {
                acc.checked_mul(p.values.as_ref().map_or(0, |v| v.len() as u64))
            }),
            Method::Random | Method::Lhs => Some(n),
            Method::Saltelli => {
                let per = if s.second_order.unwrap_or(true) {
                    2 * d + 2
                } else {
                    d + 2
                };
                n.checked_mul(per)
            }
            Method::Csv => None,
        }
    }

    /// `--set` overrides for the experiment's `[output]` keys (`output.firm_level="none"`,
    /// ...), to apply to every run before [`super::plan::PlannedRun::overrides`].
    pub fn output_overrides(&self) -> Vec<String> {
        let o = &self.output;
        let mut v = Vec::new();
        if let Some(l) = &o.firm_level {
            v.push(format!("output.firm_level={l:?}"));
        }
        if let Some(s) = o.firm_sample_share {
            v.push(format!("output.firm_sample_share={s:?}"));
        }
        if let Some(k) = o.firm_every_years {
            v.push(format!("output.firm_every_years={k}"));
        }
        v
    }
}

fn embedded() -> String {
    EMBEDDED_BASE.to_string()
}
fn one() -> u32 {
    1
}
fn sixteen() -> u32 {
    16
}
