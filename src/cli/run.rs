//! `synergy run`: one scenario to a dataset, with a progress bar and a printed summary.

use super::load;
use crate::config::Scenario;
use crate::error::{Error, Result};
use crate::run::{RunReport, RunSpec, run_to_dataset};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Runs `scenario` (or the embedded default) into `<out>/<scenario name>/`.
pub fn run(
    scenario: Option<&Path>,
    out: &Path,
    seed: Option<u64>,
    set: &[String],
    quiet: bool,
) -> Result<()> {
    let s = Arc::new(load(scenario, set)?);
    let seed = seed.unwrap_or(s.seed());
    let dataset = crate::sweep::dataset::prepare(out, s.name())?;
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
        "scenario": s.raw(),
    });
    let text = serde_json::to_string_pretty(&meta).map_err(|e| Error::Bug(e.to_string()))?;
    crate::sweep::dataset::write_atomic(&dataset.join("experiment.json"), &text)?;
    if !quiet {
        print_report(&s, &report, &dataset, t0.elapsed().as_secs_f64());
    }
    Ok(())
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
