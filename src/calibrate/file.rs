//! `synergy calibrate FILE`: read and check the calibration file, resolve its target (a
//! value, another scenario's metric over the same replicates, or observed prices), search,
//! and write `<out>/<name>/<name>.toml` (the calibrated scenario) and
//! `<out>/<name>/calibration_trace.parquet`.

use super::eval::{Metric, simulate_replicates};
use super::history::{FitRow, HistoryFit, Role, rms};
use super::output::{TraceOf, scenario_text, write_text, write_trace};
use super::solve::{Evaluation, Options, Solution, Target, solve};
use super::spec::{Calibration, Goal, parse};
use super::{FAST_OUTPUT, Source, seeds, years_of};
use crate::error::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a calibration did.
#[derive(Clone, Debug)]
pub struct Report {
    /// The checked file.
    pub calibration: Calibration,
    /// The metric's window.
    pub window: (i32, i32),
    /// Target value (NaN for observed prices).
    pub target: f64,
    /// The search result.
    pub solution: Solution,
    /// The overrides of the calibrated scenario (the file's `set` plus the parameters').
    pub set: Vec<String>,
    /// The calibrated scenario file.
    pub scenario_file: PathBuf,
    /// The trace file.
    pub trace_file: PathBuf,
    /// Wall time, seconds.
    pub seconds: f64,
    /// A history target's fit table at the solution and its file.
    pub fit: Option<(Vec<FitRow>, PathBuf)>,
}

/// A progress bar over `len` evaluations (hidden when quiet or not on a terminal).
pub fn progress(len: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} evaluations {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The overrides that put trial vector `x` into the scenario: `base_set` then each
/// parameter's.
pub fn trial_set(
    cal: &Calibration,
    doc: &toml::Table,
    base_set: &[String],
    x: &[f64],
) -> Result<Vec<String>> {
    let mut set = base_set.to_vec();
    set.extend(super::param::overrides_of(&cal.params, doc, |k| x[k])?);
    Ok(set)
}

/// Runs the calibration file at `path`, writing under `out`.
pub fn calibrate_file(path: &Path, out: &Path, quiet: bool) -> Result<Report> {
    let started = std::time::Instant::now();
    let text = crate::input::read_text(path).map_err(|e| {
        Error::input(format!(
            "{}: cannot read calibration file: {e}",
            path.display()
        ))
    })?;
    let label = path.display().to_string();
    let cal = parse(&text, &label)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let h = &cal.header;
    let source = Source::resolve(&h.scenario, dir, &format!("{label}: calibration.scenario"))?;
    let mut base_set = h.set.clone();
    base_set.push(FAST_OUTPUT.into());
    let doc = source.document(&base_set)?;
    let window = cal.window.map_or_else(|| years_of(&doc), Ok)?;
    let metric = cal.metric(window);
    let seeds = seeds(h.master_seed, h.replicates);
    let target = match &cal.goal {
        Goal::Value(v) => Target::Value {
            metric: metric.clone(),
            value: *v,
        },
        Goal::Scenario(other) => {
            let src = Source::resolve(other, dir, &format!("{label}: target.scenario"))?;
            let s = Arc::new(src.scenario(&[FAST_OUTPUT.into()], None)?);
            let values = metric_values(s, &seeds, &metric)?;
            Target::Value {
                metric: metric.clone(),
                value: values.iter().sum::<f64>() / values.len() as f64,
            }
        }
        Goal::History {
            table,
            fit_until,
            weights,
            change_scale,
        } => {
            let reference = if table == "embedded" {
                table.clone()
            } else {
                dir.join(table).display().to_string()
            };
            let (_, obs) = crate::history::observed::load(&reference)
                .map_err(|e| e.prefixed(&format!("{label}: target.table")))?;
            let weight = |s: crate::history::observed::Series| {
                weights
                    .iter()
                    .find(|(x, _)| *x == s)
                    .map_or(1.0, |(_, w)| *w)
            };
            Target::History(HistoryFit::new(obs, *fit_until, weight, *change_scale))
        }
        Goal::Observed(obs) => Target::Prices {
            market: match &metric.quantity {
                super::eval::Quantity::Price(m) => m.clone(),
                _ => String::new(),
            },
            observed: obs.clone(),
        },
    };
    let target_value = match &target {
        Target::Value { value, .. } => *value,
        Target::Prices { .. } | Target::History(_) => f64::NAN,
    };
    let build = |x: &[f64]| {
        let set = trial_set(&cal, &doc, &base_set, x)?;
        source.scenario(&set, None)
    };
    let bar = progress(h.max_evaluations + 2, quiet);
    bar.set_prefix(h.name.clone());
    let on_eval = |e: &Evaluation| {
        bar.inc(1);
        bar.set_message(format!("x = {:?}, metric = {:.6e}", e.x, e.metric));
    };
    let bounds: Vec<(f64, f64)> = cal.params.iter().map(|p| p.bounds).collect();
    let solution = solve(
        &build,
        &bounds,
        &seeds,
        &target,
        Options {
            tolerance: h.tolerance,
            max_evaluations: h.max_evaluations,
        },
        &on_eval,
    )?;
    bar.finish_and_clear();
    let set = trial_set(&cal, &doc, &h.set, &solution.x)?;
    let folder = out.join(&h.name);
    let scenario_file = folder.join(format!("{}.toml", h.name));
    let trace_file = folder.join("calibration_trace.parquet");
    // A history target: the fit table at the solution (fitted and held-out rows).
    let fit = match &target {
        Target::History(f) => {
            let s = Arc::new(build(&solution.x)?);
            let rows = f.table(&simulate_replicates(s, &seeds)?);
            let file = folder.join("history_fit.csv");
            write_text(&file, &super::history::to_csv(&rows)?)?;
            Some((rows, file))
        }
        _ => None,
    };
    let mut comment = vec![
        format!("Calibrated by `synergy calibrate {label}`."),
        format!(
            "Target: {} over {}-{} = {target_value:e}; reached {:e} (relative error {:.2e}) \
             with {} evaluations of {} replicate(s).",
            metric.quantity.name(),
            window.0,
            window.1,
            solution.metric,
            solution.error,
            solution.trace.len(),
            seeds.len()
        ),
    ];
    if let Some((rows, _)) = &fit {
        comment.truncate(1);
        let f = |r: Option<f64>| r.map_or("-".to_string(), |x| format!("{x:.4}"));
        comment.push(format!(
            "Target: observed series; root mean squared scaled error {} over the fitted rows, \
             {} over the held-out rows; {} evaluations of {} replicate(s).",
            f(rms(rows, Role::Fit)),
            f(rms(rows, Role::Holdout)),
            solution.trace.len(),
            seeds.len()
        ));
    }
    write_text(
        &scenario_file,
        &scenario_text(&source.base_reference(), &set, &comment),
    )?;
    write_trace(
        &trace_file,
        &[TraceOf {
            calibration: h.name.clone(),
            parameters: cal.params.iter().map(|p| p.path.clone()).collect(),
            target: target_value,
            evaluations: &solution.trace,
        }],
    )?;
    Ok(Report {
        window,
        target: target_value,
        solution,
        set,
        scenario_file,
        trace_file,
        seconds: started.elapsed().as_secs_f64(),
        calibration: cal,
        fit,
    })
}

/// The metric of `metric` in one scenario over `seeds` (replicate values).
pub fn metric_values(
    scenario: Arc<crate::config::Scenario>,
    seeds: &[u64],
    metric: &Metric,
) -> Result<Vec<f64>> {
    simulate_replicates(scenario, seeds)?
        .iter()
        .map(|o| metric.of(o))
        .collect()
}
