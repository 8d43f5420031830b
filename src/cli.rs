//! Command-line interface: `synergy run`, `synergy check`, `synergy schema`.

use crate::config::{self, Scenario};
use crate::error::{Error, Result};
use crate::run::{RunReport, RunSpec, run_to_dataset};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

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
            let dataset = crate::dataset::prepare(&out, s.name())?;
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
            crate::dataset::write_atomic(&dataset.join("experiment.json"), &text)?;
            if !quiet {
                print_report(&s, &report, &dataset, t0.elapsed().as_secs_f64());
            }
            Ok(())
        }
        Command::Check { scenario, set } => {
            let s = load(scenario.as_deref(), &set)?;
            let text = toml::to_string_pretty(&s.raw).map_err(|e| Error::Bug(e.to_string()))?;
            println!("# {}: valid", s.source);
            println!(
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
            println!("{text}");
            Ok(())
        }
        Command::Schema { markdown } => {
            if markdown {
                print!("{}", crate::record::all_markdown());
            } else {
                for (name, doc, cols) in crate::record::all_tables() {
                    println!("{name}: {}", doc.trim());
                    for c in cols {
                        println!(
                            "  {:<28} {:<30} {:<18} {}",
                            c.name,
                            c.type_name,
                            c.unit,
                            c.doc.trim()
                        );
                    }
                    println!();
                }
            }
            Ok(())
        }
    }
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
    println!(
        "{}: {} firms x {} years in {:.2} s ({:.0} firm-years/s)",
        s.name(),
        r.firms,
        r.years,
        secs,
        (r.firms * r.years) as f64 / secs.max(1e-9)
    );
    println!("\nCarbon price by market, CNY/t");
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
        println!("  {:<12} {}", name, prices.join("  "));
        println!(
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
    println!(
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
    println!("Dataset: {}", dataset.display());
}
