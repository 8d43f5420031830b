//! Command-line interface: `synergy run`, `check`, `schema`, `plan`, `sweep`, `slurm`,
//! `compare`.

use crate::config::{self, Scenario};
use crate::error::{Error, Result};
use crate::run::{RunReport, RunSpec, run_to_dataset};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

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

/// synergy: agent-based simulation of firms and cities in China's carbon markets.
#[derive(Parser, Debug)]
#[command(name = "synergy", version, about, long_about = None)]
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
        /// Override a config key, e.g. --set markets[0].auction_share=0.5 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
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
    /// Compare the headline metrics of the scenarios in a dataset (mean and 95 % interval).
    Compare {
        /// A dataset folder (<out>/<experiment>) or an output folder holding several.
        dir: PathBuf,
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

/// Runs the CLI; returns the process exit code.
pub fn main_with(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            out,
            seed,
            set,
            quiet,
        } => {
            let s = Arc::new(load(scenario.as_deref(), &set)?);
            let seed = seed.unwrap_or(s.seed());
            let dataset = crate::sweep::dataset::prepare(&out, s.name())?;
            let spec = RunSpec {
                run_id: 0,
                experiment: s.name().to_string(),
                replicate: 0,
                seed,
                parameters: "{}".into(),
            };
            let bar = if quiet {
                ProgressBar::hidden()
            } else {
                let b = ProgressBar::new(s.years() as u64);
                b.set_style(
                    ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} years ({elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                b.set_message(format!("running {}", s.name()));
                b
            };
            let t0 = Instant::now();
            let report = run_to_dataset(s.clone(), &spec, &dataset, 0, &|_| bar.inc(1))?;
            bar.finish_and_clear();
            let meta = serde_json::json!({
                "experiment": s.name(),
                "version": env!("CARGO_PKG_VERSION"),
                "runs": 1,
                "seed": seed,
                "source": s.source,
                "scenario": s.raw,
            });
            let text =
                serde_json::to_string_pretty(&meta).map_err(|e| Error::Bug(e.to_string()))?;
            crate::sweep::dataset::write_atomic(&dataset.join("experiment.json"), &text)?;
            if !quiet {
                print_report(&s, &report, &dataset, t0.elapsed().as_secs_f64());
            }
            Ok(())
        }
        Command::Check { scenario, set } => {
            let s = load(scenario.as_deref(), &set)?;
            let text = toml::to_string_pretty(&s.raw).map_err(|e| Error::Bug(e.to_string()))?;
            say!("# {}: valid", s.source);
            say!(
                "# {} provinces, {} cities, {} sectors, {} generated + {} listed firms, {} markets, years {}-{}",
                s.geography.provinces.len(),
                s.geography.cities.len(),
                s.sectors.len(),
                s.sectors
                    .iter()
                    .map(|x| x.raw.firms as usize)
                    .sum::<usize>(),
                s.firms.len(),
                s.markets.len(),
                s.start_year(),
                s.end_year()
            );
            say!("{text}");
            Ok(())
        }
        Command::Plan { experiment } => {
            let (exp, samples, plan) = crate::experiment::load_and_plan(&experiment)?;
            let sources = crate::sweep::runner::Sources::new(&exp, &experiment)?;
            crate::sweep::runner::check_runs(&sources, &plan)?;
            say!(
                "experiment {}: {} runs in {} batches",
                exp.experiment.name,
                plan.runs.len(),
                plan.batches.len()
            );
            say!(
                "  {} scenarios x {} samples x {} replicates; master seed {}",
                exp.scenarios.len(),
                samples.len(),
                exp.experiment.replicates,
                exp.experiment.master_seed
            );
            let mut bytes = 0.0;
            for (i, sc) in exp.scenarios.iter().enumerate() {
                let runs: Vec<_> = plan.runs.iter().filter(|r| r.scenario_index == i).collect();
                let batches = plan
                    .batches
                    .iter()
                    .filter(|b| b.scenario == sc.name)
                    .count();
                let Some(first) = runs.first() else { continue };
                let s = sources.resolve(first)?;
                let firms: usize = s
                    .sectors
                    .iter()
                    .map(|x| x.raw.firms as usize)
                    .sum::<usize>()
                    + s.firms.len();
                let per_run = estimate_bytes(&s, firms);
                bytes += per_run * runs.len() as f64;
                say!(
                    "  {:<20} {:>6} runs {:>5} batches  {} firms x {} years  ~{:.1} MB/run",
                    sc.name,
                    runs.len(),
                    batches,
                    firms,
                    s.years(),
                    per_run / 1e6
                );
            }
            say!("  estimated output: {:.2} GB", bytes / 1e9);
            for r in plan.runs.iter().take(5) {
                say!(
                    "  run {} {} sample {} replicate {} seed {} {}",
                    r.run_id,
                    r.scenario,
                    r.sample,
                    r.replicate,
                    r.seed,
                    r.parameters_json
                );
            }
            if plan.runs.len() > 5 {
                say!("  ...");
            }
            Ok(())
        }
        Command::Sweep {
            experiment,
            out,
            jobs,
            shard,
            quiet,
        } => {
            let shard = shard
                .as_deref()
                .map(crate::experiment::parse_shard)
                .transpose()?;
            let opts = crate::sweep::SweepOptions {
                out,
                jobs,
                shard,
                quiet,
            };
            let o = crate::sweep::sweep(&experiment, &opts)?;
            if !quiet {
                say!(
                    "{} runs simulated in {:.1} s ({} of {} batches of this shard were already complete; plan: {} runs)",
                    o.runs_done,
                    o.seconds,
                    o.skipped_batches,
                    o.shard_batches,
                    o.plan_runs
                );
                let table = crate::sweep::compare::read(&o.dataset)?;
                say_raw!("{}", crate::sweep::compare::render(&table));
                say!("Dataset: {}", o.dataset.display());
            }
            Ok(())
        }
        Command::Slurm {
            experiment,
            tasks,
            partition,
            time,
            mem,
            cpus,
            out,
        } => {
            let o = crate::sweep::slurm::SlurmOptions {
                tasks,
                partition,
                time,
                mem,
                cpus,
                out,
            };
            let path = crate::sweep::slurm::write_script(&experiment, &o)?;
            say!("Submit with: sbatch {}", path.display());
            say!("{}", path.display());
            Ok(())
        }
        Command::Compare { dir } => {
            let table = crate::sweep::compare::read(&dir)?;
            say_raw!("{}", crate::sweep::compare::render(&table));
            Ok(())
        }
        Command::Schema { markdown } => {
            if markdown {
                say_raw!("{}", crate::output::all_markdown());
            } else {
                for (name, doc, cols) in crate::output::all_tables() {
                    say!("{name}: {}", doc.trim());
                    for c in cols {
                        say!(
                            "  {:<28} {:<30} {:<18} {}",
                            c.name,
                            c.type_name,
                            c.unit,
                            c.doc.trim()
                        );
                    }
                    say!();
                }
            }
            Ok(())
        }
    }
}

/// Rough output size of one run, bytes (measured on the default: about 65 bytes per
/// firm-year row, 60 per city-year row, 100 per firm, 150 kB of small tables).
fn estimate_bytes(s: &Scenario, firms: usize) -> f64 {
    use crate::config::raw::FirmLevel;
    let o = &s.raw.output;
    let years = s.years() as f64;
    let share = match o.firm_level {
        FirmLevel::All => 1.0,
        FirmLevel::Sample => o.firm_sample_share,
        FirmLevel::None => 0.0,
    };
    let firm_years = firms as f64 * (years / f64::from(o.firm_every_years)).ceil() * share;
    65.0 * firm_years
        + 60.0 * s.geography.cities.len() as f64 * years
        + 100.0 * firms as f64
        + 150e3
}

/// Tonnes in a readable unit.
fn tonnes(t: f64) -> String {
    match t.abs() {
        x if x >= 1e9 => format!("{:.2} Gt", t / 1e9),
        x if x >= 1e6 => format!("{:.1} Mt", t / 1e6),
        x if x >= 1e3 => format!("{:.1} kt", t / 1e3),
        _ => format!("{t:.1} t"),
    }
}

/// Money in a readable unit.
fn cny(v: f64) -> String {
    match v.abs() {
        x if x >= 1e9 => format!("CNY {:.1} bn", v / 1e9),
        x if x >= 1e6 => format!("CNY {:.1} m", v / 1e6),
        _ => format!("CNY {v:.0}"),
    }
}

fn print_report(s: &Scenario, r: &RunReport, dataset: &Path, secs: f64) {
    let key_years = [2013, 2015, 2020, 2021, 2023, 2025, 2030, 2040, 2050, 2060];
    say!(
        "{}: {} firms x {} years in {:.2} s ({:.0} firm-years/s)",
        s.name(),
        r.firms,
        r.years,
        secs,
        (r.firms * r.years) as f64 / secs.max(1e-9)
    );
    say!("\nCarbon price by market, CNY/t");
    for (name, rows) in &r.markets {
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            continue;
        };
        let prices: Vec<String> = rows
            .iter()
            .filter(|x| key_years.contains(&x.year) || x.year == first.year)
            .map(|x| format!("{}: {:.1}", x.year, x.price))
            .collect();
        let cost: f64 = rows.iter().map(|x| x.abatement_cost).sum();
        say!("  {:<12} {}", name, prices.join("  "));
        say!(
            "  {:<12} covered {} in {}; abatement cost {} over {}-{}",
            "",
            tonnes(last.covered_emissions),
            last.year,
            cny(cost),
            first.year,
            last.year
        );
    }
    let m = &r.summary;
    say!(
        "\nNation: cumulative emissions {}, peak {} ({}/yr); total cost {}; cost per t abated {}; cost / least cost {}",
        tonnes(m.cumulative_emissions),
        m.peak.0,
        tonnes(m.peak.1),
        cny(m.total_cost),
        m.cost_per_tonne
            .map_or("-".into(), |v| format!("CNY {v:.1}")),
        m.cost_ratio_least_cost
            .map_or("-".into(), |v| format!("{v:.3}"))
    );
    say!("Dataset: {}", dataset.display());
}
