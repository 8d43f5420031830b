//! Experiments: a base scenario, named scenarios, a parameter design, replicates and a master
//! seed, expanded into an ordered list of runs grouped in output batches.
//!
//! This module is pure: it parses and validates experiment files ([`spec`]), draws the
//! parameter samples ([`sample`]) and plans runs, batches and shards ([`mod@plan`]); the
//! validation rules are in [`mod@validate`]. It runs no simulation and writes no file.
//!
//! # File format
//!
//! ```toml
//! [experiment]
//! name = "regimes"            # letters, digits, _ and - (required)
//! base = "embedded"           # scenario file relative to this file, or "embedded" (default)
//! replicates = 3              # >= 1 (default 1)
//! master_seed = 42            # required
//! batch_size = 4              # runs per output part, one scenario per batch; >= 1 (default 16)
//!
//! [[scenarios]]               # at least one; runs follow this file order
//! name = "current_policy"     # letters, digits, _ and -; unique
//! set = ["markets[0].auction_share = 0.2"]   # --set overrides (optional)
//!
//! [[scenarios]]
//! name = "alternative"
//! file = "../regimes/x.toml"  # optional: this scenario file instead of the base
//!
//! [samples]                   # optional; absent = one sample with no parameters
//! method = "lhs"              # grid | random | lhs | saltelli | csv
//! n = 16                      # random, lhs, saltelli: base sample count >= 1 (any n)
//! # second_order = true       # saltelli only (SALib calc_second_order; default true)
//! # file = "design.csv"       # csv only: one column per parameter path, one row per sample
//!
//! [[samples.parameters]]
//! path = "sectors.power.mac_price_at_5pct"   # a --set key path
//! dist = "uniform"            # uniform{min,max} | normal{mean,sd} | lognormal{median,sigma}
//! min = 40                    #   | triangular{min,mode,max} | values{values} (grid only);
//! max = 120                   #   no dist for csv
//!
//! [[samples.parameters]]
//! path = "markets[0].auction_share"
//! dist = "triangular"
//! min = 0.0
//! mode = 0.1
//! max = 0.5
//!
//! [output]                    # optional; each key given is passed to every run
//! firm_level = "none"         # all | sample | none
//! firm_sample_share = 0.1     # (0, 1]
//! firm_every_years = 5        # >= 1
//! ```
//!
//! Scenarios are an array of tables (`[[scenarios]]` with a `name`) rather than
//! `[scenarios.<name>]` tables so their file order, which is the run order, is kept.

pub mod plan;
pub mod sample;
pub mod spec;
pub mod validate;

pub use plan::{Batch, PlannedRun, RunPlan, parse_shard, plan, shard_batches};
pub use sample::draw_samples;
pub use spec::{Dist, Method, RawExperiment, load_experiment, parse_experiment, validate};

use crate::error::Result;
use std::path::Path;

/// The example experiment of the module documentation.
pub const EXAMPLE_TOML: &str = r#"
[experiment]
name = "regimes"
base = "embedded"
replicates = 3
master_seed = 42
batch_size = 4

[[scenarios]]
name = "current_policy"
set = ["markets[0].auction_share = 0.2"]

[[scenarios]]
name = "alternative"
file = "../regimes/x.toml"

[samples]
method = "lhs"
n = 16

[[samples.parameters]]
path = "sectors.power.mac_price_at_5pct"
dist = "uniform"
min = 40
max = 120

[[samples.parameters]]
path = "markets[0].auction_share"
dist = "triangular"
min = 0.0
mode = 0.1
max = 0.5

[output]
firm_level = "none"
firm_sample_share = 0.1
firm_every_years = 5
"#;

/// Reads and validates the experiment file at `path`, draws its samples (a csv design
/// relative to the file's folder) and plans its runs.
pub fn load_and_plan(path: &Path) -> Result<(RawExperiment, Vec<Vec<f64>>, RunPlan)> {
    let exp = load_experiment(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let samples = draw_samples(&exp, &path.display().to_string(), dir)?;
    let p = plan(&exp, &samples);
    Ok((exp, samples, p))
}
