//! Command-line interface: the clap types ([`Cli`], [`Command`]) and the dispatch to one
//! module per subcommand: [`run`], [`check`], [`plan`], [`sweep`] (also `slurm` and
//! `compare`), [`schema`].

use crate::config::{self, Scenario};
use crate::error::Result;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Prints a line to stdout; a closed pipe (`synergy ... | head`) ends the program quietly.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write;
        if writeln!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// Prints to stdout without a newline; a closed pipe ends the program quietly.
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write;
        if write!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

mod calibrate;
mod check;
mod history;
mod plan;
mod run;
mod schema;
mod sweep;

/// synergy: agent-based simulation of firms and cities in China's carbon markets.
#[derive(Parser, Debug)]
#[command(name = "synergy", version = crate::provenance::LONG_VERSION, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario and write its Parquet dataset.
    Run {
        /// Scenario file (TOML). Default: the embedded stylized-China scenario.
        scenario: Option<PathBuf>,
        /// Output folder; the dataset goes to <OUT>/<scenario name>/.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// World seed (default: the scenario's `scenario.seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Override a config key, e.g. --set markets.national.auction_share=0.5 (by name, or
        /// markets[name=national] or markets[0]; repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Also run the paired no-policy baseline (same scenario and seed, no carbon policy
        /// after YEAR) in memory; the summary then has abatement, social cost and cost per
        /// tonne against it.
        #[arg(long, value_name = "YEAR")]
        baseline_until: Option<i32>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Validate a scenario file and print the resolved scenario.
    Check {
        /// Scenario file (TOML); `-` or nothing checks the embedded default.
        scenario: Option<PathBuf>,
        /// Override a config key (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Print the plan of an experiment: runs, batches, seeds, estimated output size.
    Plan {
        /// Experiment file (TOML).
        experiment: PathBuf,
    },
    /// Run an experiment (scenarios x samples x replicates) in parallel; resumes.
    Sweep {
        /// Experiment file (TOML).
        experiment: PathBuf,
        /// Output folder; the dataset goes to <OUT>/<experiment name>/.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Run only shard I of N (batches k with k % N == I), e.g. --shard 0/3.
        #[arg(long)]
        shard: Option<String>,
        /// No progress output and no table.
        #[arg(long)]
        quiet: bool,
        /// Go ahead when the estimated output is above 100 GB.
        #[arg(long)]
        allow_large: bool,
    },
    /// Write an sbatch script for a Slurm job array: task i runs `sweep --shard i/N`.
    Slurm {
        /// Experiment file (TOML).
        experiment: PathBuf,
        /// Number of array tasks (shards).
        #[arg(long)]
        tasks: u32,
        /// Slurm partition.
        #[arg(long)]
        partition: Option<String>,
        /// Time limit per task.
        #[arg(long, default_value = "02:00:00")]
        time: String,
        /// Memory per task.
        #[arg(long, default_value = "4G")]
        mem: String,
        /// CPUs per task (the sweep's --jobs).
        #[arg(long, default_value_t = 1)]
        cpus: u32,
        /// Output folder of the sweep.
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Compare a dataset (or every dataset in a folder) with the observed series of China's
    /// markets and plans: writes a CSV of model against observed per observation and scenario
    /// (mean, seed band, error) and prints the mean relative error per series.
    ValidateHistory {
        /// A dataset folder (<out>/<name>) or an output folder holding several.
        dir: PathBuf,
        /// The observed table: `embedded` (configs/data/observed.csv) or a CSV path.
        #[arg(long, default_value = "embedded")]
        observed: String,
        /// Where to write the table (default: <DIR>/validate-history.csv).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compare the headline metrics of the scenarios in a dataset (mean and 95 % interval),
    /// or, with --match, calibrate regimes to equal ambition and compare them.
    Compare {
        /// A dataset folder (<out>/<experiment>) or an output folder holding several; with
        /// --match, a folder of regime files (e.g. configs/regimes) or an experiment file.
        dir: PathBuf,
        /// Match the regimes' ambition: METRIC:FIRST-LAST, e.g.
        /// cumulative_emissions:2026-2060. Each regime's `scenario.stringency` is calibrated
        /// to the common target, then run with its paired baseline and least-cost benchmark.
        /// Without a value, DIR is an experiment file and its `[match]` table says what to
        /// match (replicates and seed are the experiment's).
        #[arg(long = "match", value_name = "METRIC:FIRST-LAST", num_args = 0..=1,
              default_missing_value = "")]
        match_: Option<String>,
        /// Group by these sampled parameters (experiment `[samples]` paths): one row per
        /// scenario and grid point.
        #[arg(long, num_args = 1.., value_name = "PARAM", conflicts_with = "match_")]
        by: Vec<String>,
        /// Add paired differences (same dataset, replicate and sample) against this scenario.
        #[arg(long, value_name = "SCENARIO", conflicts_with = "match_")]
        reference: Option<String>,
        /// Summary columns to show (default: a narrow set; `all`: every numeric column).
        #[arg(long, num_args = 1.., value_name = "COLUMN", conflicts_with = "match_")]
        columns: Vec<String>,
        /// Pool same-named scenarios of different datasets into one group.
        #[arg(long, conflicts_with = "match_")]
        pool: bool,
        /// Output format: table, csv or json.
        #[arg(long, default_value = "table", conflicts_with = "match_")]
        format: String,
        /// Common target(s), t CO2 (one matched set each, e.g. for a cost-abatement curve);
        /// default: the most ambitious regime's own value.
        #[arg(long, num_args = 1.., requires = "match_")]
        budget: Vec<f64>,
        /// Replicates of the matched comparison (common random numbers; default 3, or the experiment's).
        #[arg(long, requires = "match_")]
        replicates: Option<u32>,
        /// Master seed of the replicates (default 2026, or the experiment's).
        #[arg(long, requires = "match_")]
        seed: Option<u64>,
        /// Social discount rate of the least-cost benchmark, per year (default 0.05).
        #[arg(long, requires = "match_")]
        rate: Option<f64>,
        /// Relative tolerance of every calibration (default 2e-3).
        #[arg(long, requires = "match_")]
        tolerance: Option<f64>,
        /// Largest number of evaluations per calibration (default 30).
        #[arg(long, requires = "match_")]
        max_evaluations: Option<u64>,
        /// Folder for the matched scenario files and the calibration trace.
        #[arg(long, default_value = "output/match", requires = "match_")]
        out: PathBuf,
        /// No progress bars.
        #[arg(long)]
        quiet: bool,
    },
    /// Calibrate scenario parameters to a target (calibration file, TOML): writes the
    /// calibrated scenario and the trace of every evaluation.
    Calibrate {
        /// Calibration file (TOML).
        file: PathBuf,
        /// Output folder; files go to <OUT>/<calibration name>/.
        #[arg(long, default_value = "output/calibrate")]
        out: PathBuf,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Print every output table's columns with type, unit and meaning.
    Schema {
        /// Print Markdown (as in docs/OUTPUT.md).
        #[arg(long)]
        markdown: bool,
    },
}

/// Loads the scenario named on the command line, or the embedded default.
pub fn load(path: Option<&Path>, set: &[String]) -> Result<Scenario> {
    match path {
        None => config::load_embedded_default(set),
        Some(p) if p.as_os_str() == "-" => config::load_embedded_default(set),
        Some(p) => config::load_scenario_file(p, set),
    }
}

/// Runs the subcommand of `cli`; the binary maps an error to its exit code
/// ([`crate::Error::exit_code`]).
pub fn main_with(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            out,
            seed,
            set,
            baseline_until,
            quiet,
        } => run::run(scenario.as_deref(), &out, seed, &set, baseline_until, quiet),
        Command::Check { scenario, set } => check::check(scenario.as_deref(), &set),
        Command::Plan { experiment } => plan::plan(&experiment),
        Command::Sweep {
            experiment,
            out,
            jobs,
            shard,
            quiet,
            allow_large,
        } => sweep::sweep(&experiment, out, jobs, shard.as_deref(), quiet, allow_large),
        Command::Slurm {
            experiment,
            tasks,
            partition,
            time,
            mem,
            cpus,
            out,
        } => sweep::slurm(
            &experiment,
            crate::sweep::slurm::SlurmOptions {
                tasks,
                partition,
                time,
                mem,
                cpus,
                out,
            },
        ),
        Command::Compare {
            dir,
            match_: None,
            by,
            reference,
            columns,
            pool,
            format,
            ..
        } => sweep::compare(
            &dir,
            &crate::sweep::compare::CompareOptions {
                by,
                reference,
                columns,
                pool,
            },
            &format,
        ),
        Command::Compare {
            dir,
            match_: Some(spec),
            budget,
            replicates,
            seed,
            rate,
            tolerance,
            max_evaluations,
            out,
            quiet,
            ..
        } => {
            let given = crate::calibrate::matching::Given {
                budgets: budget,
                replicates,
                master_seed: seed,
                rate,
                tolerance,
                max_evaluations,
            };
            let opts = crate::calibrate::matching::options(&spec, &dir, given, out, quiet)?;
            calibrate::compare_matched(&dir, &opts)
        }
        Command::Calibrate { file, out, quiet } => calibrate::calibrate(&file, &out, quiet),
        Command::Schema { markdown } => schema::schema(markdown),
        Command::ValidateHistory { dir, observed, out } => {
            history::validate_history(&dir, &observed, out.as_deref())
        }
    }
}
