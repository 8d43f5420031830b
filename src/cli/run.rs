//! `synergy run`: one scenario to a dataset, with a progress bar and a printed summary.

use super::load;
use crate::config::Scenario;
use crate::error::{Error, Result};
use crate::output::commit;
use crate::run::{RunReport, RunSpec, run_to_dataset};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The paired no-policy baseline of the scenario at `path` (or the embedded default) with
/// `set`, run in memory with `seed`.
fn paired_baseline(
    path: Option<&Path>,
    set: &[String],
    until: i32,
    seed: u64,
    s: &Scenario,
) -> Result<crate::run::Baseline> {
    if until < s.start_year() || until >= s.end_year() {
        return Err(Error::input(format!(
            "--baseline-until {until}: must be within [{}, {}] (the scenario's years, before the last)",
            s.start_year(),
            s.end_year() - 1
        )));
    }
    let source = match path {
        Some(p) if p.as_os_str() != "-" => crate::calibrate::Source::file(p)?,
        _ => crate::calibrate::Source::resolve("embedded", Path::new("."), "")?,
    };
    let edit = move |d: &mut toml::Table| crate::config::transform::baseline(d, until);
    let b = source.scenario(set, Some(&edit))?;
    crate::calibrate::eval::paired_baseline(Arc::new(b), until, seed)
}

/// Runs `scenario` (or the embedded default) into `<out>/<scenario name>/`.
pub fn run(
    scenario: Option<&Path>,
    out: &Path,
    seed: Option<u64>,
    set: &[String],
    baseline_until: Option<i32>,
    quiet: bool,
) -> Result<()> {
    let s = Arc::new(load(scenario, set)?);
    let seed = seed.unwrap_or(s.seed());
    let baseline = match baseline_until {
        None => None,
        Some(until) => Some(paired_baseline(scenario, set, until, seed, &s)?),
    };
    let target = out.join(s.name());
    // One writer per dataset: the lock sits beside it (the dataset folder itself is swapped).
    let bad_out = |e: std::io::Error| {
        Error::input(format!(
            "--out {}: cannot write the output folder: {e}",
            out.display()
        ))
    };
    let out_existed = out.exists();
    std::fs::create_dir_all(out).map_err(bad_out)?;
    let locked = commit::lock(
        &out.join(format!(".{}.lock", s.name())),
        true,
        &format!("dataset {}", target.display()),
    );
    let _lock = match locked {
        Ok(l) => l,
        Err(e) => {
            // Only an empty folder this process created goes: another process that created
            // it at the same moment may hold the lock and be writing into it.
            if !out_existed {
                let _ = std::fs::remove_dir(out);
            }
            return Err(e);
        }
    };
    commit::restore_replaced(out, s.name())?;
    refuse_sweep_dataset(&target)?;
    let staging = Staging(out.join(format!(".{}.staging-{}", s.name(), commit::unique_suffix())));
    std::fs::create_dir_all(&staging.0).map_err(bad_out)?;
    let spec = RunSpec {
        run_id: 0,
        experiment: s.name().to_string(),
        replicate: 0,
        seed,
        parameters: "{}".into(),
        baseline,
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
    let report = run_to_dataset(s.clone(), &spec, &staging.0, 0, &|_| bar.inc(1))?;
    bar.finish_and_clear();
    let meta = serde_json::json!({
        "experiment": s.name(),
        "version": env!("CARGO_PKG_VERSION"),
        "runs": 1,
        "seed": seed,
        "source": s.source,
        "provenance": crate::provenance::Provenance::now(set),
        "scenario": s.raw(),
    });
    let text = serde_json::to_string_pretty(&meta).map_err(|e| Error::Bug(e.to_string()))?;
    crate::sweep::dataset::write_atomic(&staging.0.join("experiment.json"), &text)?;
    let _ = std::fs::remove_dir(staging.0.join(commit::STAGING_DIR));
    commit::publish_dataset(&staging.0, &target)?;
    let dataset = target;
    if !quiet {
        print_report(&s, &report, &dataset, t0.elapsed().as_secs_f64());
    }
    Ok(())
}

/// A run's staging folder, deleted unless published.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `synergy run` replaces a dataset written by `synergy run`, never a sweep's.
fn refuse_sweep_dataset(target: &Path) -> Result<()> {
    let meta = target.join("experiment.json");
    let Ok(text) = std::fs::read_to_string(&meta) else {
        return Ok(());
    };
    let is_sweep = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .is_some_and(|v| v.get("fingerprint").is_some());
    if is_sweep {
        return Err(Error::input(format!(
            "{}: holds a sweep's dataset; `synergy run` would replace it: choose another --out or remove the folder",
            target.display()
        )));
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
        m.cost_per_tonne_vs_counterfactual
            .map_or("-".into(), |v| format!("CNY {v:.1}")),
        m.operational_cost_ratio
            .map_or("-".into(), |v| format!("{v:.3}"))
    );
    if let Some(res) = m.foresight_residual {
        let tol = s.foresight.tolerance;
        say!(
            "Foresight: {} whole runs, last change {res:.2e}, gap realised - expected {:.2e}{}",
            m.foresight_iterations,
            m.foresight_gap.unwrap_or(f64::NAN),
            if res < tol {
                String::new()
            } else {
                format!(
                    " (NOT converged: tolerance {tol:.1e}; raise foresight.max_iterations or lower foresight.damping)"
                )
            }
        );
    }
    say!("Dataset: {}", dataset.display());
}
