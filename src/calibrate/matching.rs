//! Ambition matching (`synergy compare --match METRIC:FIRST-LAST`): every regime's designated
//! stringency (`scenario.stringency`) is calibrated so that the regime reaches a common
//! target (a budget, or the most ambitious regime's own value); the matched regimes then run
//! on every replicate (common random numbers) beside
//!
//! * their paired no-policy baseline (policy ends the year before the window;
//!   [`crate::config::transform::baseline`]): abatement, social cost and cost per tonne are
//!   differences against it, replicate by replicate;
//! * their least-cost benchmark (MODEL.md 9.2; [`crate::config::transform::least_cost`]):
//!   the Hotelling tax whose p0 is found by root-finding so that it emits what the matched
//!   regime emits; `cost_ratio_least_cost` = the regime's social cost against the baseline
//!   over the benchmark's. Social costs are present values at the window's first year,
//!   discounted at the social discount rate: the Hotelling path is the least-cost path of a
//!   cumulative budget in present value (undiscounted, a flat price would be).

use super::eval::{Metric, Outcome, Quantity, simulate_replicates};
use super::file::{metric_values, progress};
use super::output::{TraceOf, scenario_text, write_text, write_trace};
use super::param::Param;
use super::solve::{Evaluation, Options, Solution, Target, solve};
use super::{FAST_OUTPUT, Source, seeds, years_of};
use crate::config::transform::{Hotelling, baseline, least_cost};
use crate::config::validate::DEFAULT_STRINGENCY_BOUNDS;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Options of a matched comparison.
#[derive(Clone, Debug)]
pub struct MatchOptions {
    /// The matched metric and window.
    pub metric: Metric,
    /// Common targets, t CO2 (each gives one matched set); empty: the most ambitious
    /// regime's own value (the lowest, for emissions).
    pub budgets: Vec<f64>,
    /// Replicates (common random numbers).
    pub replicates: u32,
    /// Master seed of the replicates.
    pub master_seed: u64,
    /// Social discount rate of the least-cost benchmark, per year.
    pub rate: f64,
    /// Relative tolerance of every calibration.
    pub tolerance: f64,
    /// Largest number of evaluations per calibration.
    pub max_evaluations: u64,
    /// Upper bound of the benchmark's p0, CNY per t.
    pub max_p0: f64,
    /// Output folder for the matched files and the trace.
    pub out: PathBuf,
    /// No progress bars.
    pub quiet: bool,
}

impl MatchOptions {
    /// Checks the numeric options (CLI input).
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        if !(1..=1000).contains(&self.replicates) {
            problems.push(format!(
                "--replicates {}: must be within [1, 1000]",
                self.replicates
            ));
        }
        if !(self.rate.is_finite() && (0.0..=0.5).contains(&self.rate)) {
            problems.push(format!("--rate {}: must be within [0, 0.5]", self.rate));
        }
        if !(self.tolerance > 0.0 && self.tolerance <= 0.5) {
            problems.push(format!(
                "--tolerance {}: must be within (0, 0.5]",
                self.tolerance
            ));
        }
        if !(2..=1000).contains(&self.max_evaluations) {
            problems.push(format!(
                "--max-evaluations {}: must be within [2, 1000]",
                self.max_evaluations
            ));
        }
        for b in &self.budgets {
            if !(b.is_finite() && *b > 0.0) {
                problems.push(format!("--budget {b}: must be a positive number of t CO2"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Input { problems })
        }
    }
}

/// The matching options given on the command line (None: not given).
#[derive(Clone, Debug, Default)]
pub struct Given {
    /// `--budget`.
    pub budgets: Vec<f64>,
    /// `--replicates`.
    pub replicates: Option<u32>,
    /// `--seed`.
    pub master_seed: Option<u64>,
    /// `--rate`.
    pub rate: Option<f64>,
    /// `--tolerance`.
    pub tolerance: Option<f64>,
    /// `--max-evaluations`.
    pub max_evaluations: Option<u64>,
}

/// The options of `compare PATH --match SPEC`: from SPEC and the command line, or, when SPEC
/// is empty (`--match` without a value), from the `[match]` table and the header of the
/// experiment file PATH; command-line values win. Checked.
pub fn options(
    spec: &str,
    path: &Path,
    given: Given,
    out: PathBuf,
    quiet: bool,
) -> Result<MatchOptions> {
    let mut o = MatchOptions {
        metric: Metric::cumulative_emissions((0, 0)),
        budgets: Vec::new(),
        replicates: 3,
        master_seed: 2026,
        rate: 0.05,
        tolerance: 2e-3,
        max_evaluations: 30,
        max_p0: 5000.0,
        out,
        quiet,
    };
    if spec.is_empty() {
        if path.is_dir() {
            return Err(Error::input(format!(
                "--match without a value reads the [match] table of an experiment file; {} is \
                 a folder: give --match METRIC:FIRST-LAST",
                path.display()
            )));
        }
        let exp = crate::experiment::validate::load_experiment(path)?;
        let m = exp.match_.as_ref().ok_or_else(|| {
            Error::input(format!(
                "{}: no [match] table (e.g. window = [2026, 2060]); or give --match METRIC:FIRST-LAST",
                path.display()
            ))
        })?;
        o.metric = Metric::cumulative_emissions((m.window[0], m.window[1]));
        o.budgets = m.budgets.clone();
        o.replicates = exp.experiment.replicates;
        o.master_seed = exp.experiment.master_seed;
        o.rate = m.rate.unwrap_or(o.rate);
        o.tolerance = m.tolerance.unwrap_or(o.tolerance);
        o.max_evaluations = m.max_evaluations.unwrap_or(o.max_evaluations);
    } else {
        o.metric = parse_match(spec)?;
    }
    if !given.budgets.is_empty() {
        o.budgets = given.budgets;
    }
    o.replicates = given.replicates.unwrap_or(o.replicates);
    o.master_seed = given.master_seed.unwrap_or(o.master_seed);
    o.rate = given.rate.unwrap_or(o.rate);
    o.tolerance = given.tolerance.unwrap_or(o.tolerance);
    o.max_evaluations = given.max_evaluations.unwrap_or(o.max_evaluations);
    o.check()?;
    Ok(o)
}

/// Parses `METRIC:FIRST-LAST`, e.g. `cumulative_emissions:2026-2060`.
pub fn parse_match(text: &str) -> Result<Metric> {
    let bad = |why: &str| Error::input(format!("--match {text:?}: {why}"));
    let (name, window) = text
        .split_once(':')
        .ok_or_else(|| bad("expected METRIC:FIRST-LAST, e.g. cumulative_emissions:2026-2060"))?;
    let quantity = match name {
        "cumulative_emissions" => Quantity::CumulativeEmissions,
        _ => return Err(bad("only cumulative_emissions can be matched")),
    };
    let (a, b) = window
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse::<i32>().ok()?, b.trim().parse::<i32>().ok()?)))
        .ok_or_else(|| bad("the window must be FIRST-LAST years, e.g. 2026-2060"))?;
    if a > b {
        return Err(bad("the first year is after the last"));
    }
    Ok(Metric {
        quantity,
        window: (a, b),
    })
}

/// A regime to match: its file and its stringency parameters.
#[derive(Clone, Debug)]
pub struct Regime {
    /// Scenario name.
    pub name: String,
    /// Its file.
    pub source: Source,
    /// The stringency parameters (one value moves them all).
    pub params: Vec<Param>,
}

/// The regimes of `path`: every `*.toml` scenario file of a folder (name order), or the
/// `[[scenarios]]` files of an experiment file.
pub fn regimes_in(path: &Path) -> Result<Vec<Regime>> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut f: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        f.sort();
        f
    } else {
        let exp = crate::experiment::validate::load_experiment(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut files = Vec::new();
        for (i, s) in exp.scenarios.iter().enumerate() {
            match (&s.file, s.set.is_empty()) {
                (Some(f), true) => files.push(dir.join(f)),
                _ => {
                    return Err(Error::input(format!(
                        "{}: scenarios[{i}] ({}): compare --match matches scenario files only: \
                         give it a file = \"...\" without set = [...] (put the overrides in \
                         the file's own set)",
                        path.display(),
                        s.name
                    )));
                }
            }
        }
        files
    };
    if files.is_empty() {
        return Err(Error::input(format!(
            "{}: no scenario files to match (a folder of regime files or an experiment file \
             with [[scenarios]] file = ...)",
            path.display()
        )));
    }
    files
        .iter()
        .map(|f| {
            let source = Source::file(f)?;
            let s = source.scenario(&[], None)?;
            let meta = &s.raw().scenario;
            if meta.stringency.is_empty() {
                return Err(Error::input(format!(
                    "{}: scenario.stringency: a regime to match must declare its stringency \
                     parameter, e.g. stringency = [\"markets.carbon_tax.tax:scale\"]",
                    f.display()
                )));
            }
            let bounds = meta
                .stringency_bounds
                .map_or(DEFAULT_STRINGENCY_BOUNDS, |[a, b]| (a, b));
            let params = meta
                .stringency
                .iter()
                .map(|p| Param::parse_compact(p, bounds))
                .collect::<Result<Vec<_>>>()?;
            Ok(Regime {
                name: s.name().to_string(),
                source,
                params,
            })
        })
        .collect()
}

/// One matched regime, replicate by replicate.
#[derive(Clone, Debug)]
pub struct MatchedRow {
    /// Regime name.
    pub name: String,
    /// The common target, t CO2.
    pub target: f64,
    /// Calibrated stringency value (None: the regime as written was the target).
    pub stringency: Option<f64>,
    /// Achieved relative error of the match.
    pub error: f64,
    /// The least-cost benchmark's p0, CNY per t.
    pub p0: f64,
    /// Per replicate: the matched metric (t CO2).
    pub emissions: Vec<f64>,
    /// Per replicate: abatement against the paired baseline over the window, t CO2.
    pub abatement: Vec<f64>,
    /// Per replicate: social cost minus the baseline's over the window, present value at the
    /// window's first year discounted at the social discount rate, CNY.
    pub social_cost: Vec<f64>,
    /// Per replicate: that present value over the (undiscounted) abatement, CNY per t.
    pub cost_per_tonne: Vec<f64>,
    /// Per replicate: social cost over the least-cost benchmark's (both against the baseline).
    pub cost_ratio_least_cost: Vec<f64>,
    /// Per replicate: the benchmark's metric, t CO2.
    pub benchmark_emissions: Vec<f64>,
    /// Per replicate: net allowance payments over the window (transfers), CNY.
    pub transfers: Vec<f64>,
    /// Per replicate: Gini of the cost burden (whole run).
    pub gini: Vec<f64>,
    /// Per replicate: share of cities meeting their target (NaN without plans).
    pub targets_met: Vec<f64>,
}

/// What a matched comparison did.
#[derive(Clone, Debug)]
pub struct MatchReport {
    /// The common target values (one matched set each).
    pub targets: Vec<f64>,
    /// One row per regime.
    pub rows: Vec<MatchedRow>,
    /// The trace file.
    pub trace_file: PathBuf,
    /// The per-replicate table (`matched_summary`).
    pub summary_file: PathBuf,
    /// An experiment file that sweeps the matched regimes of the first target (with their
    /// paired baselines) into a full dataset.
    pub experiment_file: PathBuf,
    /// Wall time, seconds.
    pub seconds: f64,
}

fn window_sum(o: &Outcome, w: (i32, i32), f: fn(&super::eval::YearOutcome) -> f64) -> f64 {
    o.years
        .iter()
        .filter(|y| y.year >= w.0 && y.year <= w.1)
        .map(f)
        .sum()
}

/// Present value at the start of window `w` of the yearly social cost, discounted at `rate`.
fn window_pv(o: &Outcome, w: (i32, i32), rate: f64) -> f64 {
    o.years
        .iter()
        .filter(|y| y.year >= w.0 && y.year <= w.1)
        .map(|y| y.social_cost / (1.0 + rate).powi(y.year - w.0))
        .sum()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// The overrides that put stringency value `v` into every parameter of `r`.
fn stringency_set(r: &Regime, doc: &toml::Table, base: &[String], v: f64) -> Result<Vec<String>> {
    let mut set = base.to_vec();
    set.extend(super::param::overrides_of(&r.params, doc, |_| v)?);
    Ok(set)
}

/// Calibrates, runs and compares `regimes` at equal ambition.
pub fn match_regimes(regimes: &[Regime], opts: &MatchOptions) -> Result<MatchReport> {
    let started = std::time::Instant::now();
    let seeds = seeds(opts.master_seed, opts.replicates);
    let fast = vec![FAST_OUTPUT.to_string()];
    let metric = &opts.metric;
    // The regimes as written, to find the most ambitious one.
    let mut written = Vec::new();
    for r in regimes {
        let s = Arc::new(r.source.scenario(&fast, None)?);
        written.push(mean(&metric_values(s, &seeds, metric)?));
    }
    let targets: Vec<f64> = if opts.budgets.is_empty() {
        vec![written.iter().copied().fold(f64::INFINITY, f64::min)]
    } else {
        opts.budgets.clone()
    };
    let options = Options {
        tolerance: opts.tolerance,
        max_evaluations: opts.max_evaluations,
    };
    let mut rows = Vec::new();
    let mut traces: Vec<(String, Vec<String>, f64, Vec<Evaluation>)> = Vec::new();
    let mut first_files = Vec::new();
    for (k, &target) in targets.iter().enumerate() {
        for (r, &own) in regimes.iter().zip(&written) {
            let doc = r.source.document(&fast)?;
            let (start, _) = years_of(&doc)?;
            if metric.window.0 <= start {
                return Err(Error::input(format!(
                    "--match window starts in {}: it must start after the first simulated year \
                 {start} (the paired baseline keeps the history before it)",
                    metric.window.0
                )));
            }
            let within = (own - target).abs() <= opts.tolerance * target.abs();
            let (set, stringency, error) = if within {
                (fast.clone(), None, (own - target).abs() / target.abs())
            } else {
                let build = |x: &[f64]| {
                    let set = stringency_set(r, &doc, &fast, x[0])?;
                    r.source.scenario(&set, None)
                };
                let bar = progress(opts.max_evaluations + 2, opts.quiet);
                bar.set_prefix(r.name.clone());
                let tick = |_: &Evaluation| bar.inc(1);
                let bounds = vec![r.params[0].bounds];
                let sol: Solution = solve(
                    &build,
                    &bounds,
                    &seeds,
                    &Target::Value {
                        metric: metric.clone(),
                        value: target,
                    },
                    options,
                    &tick,
                )
                .map_err(|e| e.prefixed(&r.name))?;
                bar.finish_and_clear();
                traces.push((
                    r.name.clone(),
                    r.params.iter().map(|p| p.path.clone()).collect(),
                    target,
                    sol.trace.clone(),
                ));
                (
                    stringency_set(r, &doc, &fast, sol.x[0])?,
                    Some(sol.x[0]),
                    sol.error,
                )
            };
            let matched = simulate_replicates(Arc::new(r.source.scenario(&set, None)?), &seeds)?;
            let until = metric.window.0 - 1;
            let base_edit = move |d: &mut toml::Table| baseline(d, until);
            let base =
                simulate_replicates(Arc::new(r.source.scenario(&set, Some(&base_edit))?), &seeds)?;
            // The least-cost benchmark: p0 so that it emits what the matched regime emits.
            let matched_value = mean(
                &matched
                    .iter()
                    .map(|o| metric.of(o))
                    .collect::<Result<Vec<_>>>()?,
            );
            let rate = opts.rate;
            let from = metric.window.0;
            let build_lc = |x: &[f64]| {
                let h = Hotelling {
                    from,
                    p0: x[0],
                    rate,
                };
                let edit = move |d: &mut toml::Table| least_cost(d, &h);
                r.source.scenario(&set, Some(&edit))
            };
            let bar = progress(opts.max_evaluations + 2, opts.quiet);
            bar.set_prefix(format!("{}/least_cost", r.name));
            let tick = |_: &Evaluation| bar.inc(1);
            let lc = solve(
                &build_lc,
                &[(0.0, opts.max_p0)],
                &seeds,
                &Target::Value {
                    metric: metric.clone(),
                    value: matched_value,
                },
                options,
                &tick,
            )
            .map_err(|e| e.prefixed(&format!("{} least-cost benchmark", r.name)))?;
            bar.finish_and_clear();
            traces.push((
                format!("{}/least_cost", r.name),
                vec!["least_cost.p0".into()],
                matched_value,
                lc.trace.clone(),
            ));
            let bench = simulate_replicates(Arc::new(build_lc(&lc.x)?), &seeds)?;
            let mut matched_row = row(
                r, stringency, error, lc.x[0], metric, rate, &matched, &base, &bench,
            )?;
            matched_row.target = target;
            rows.push(matched_row);
            let file_name = if k == 0 {
                format!("{}.toml", r.name)
            } else {
                format!("{}_target{k}.toml", r.name)
            };
            if k == 0 {
                first_files.push((r.name.clone(), file_name.clone()));
            }
            write_text(
                &opts.out.join(file_name),
                &scenario_text(
                    &r.source.base_reference(),
                    &set[fast.len()..],
                    &[format!(
                        "Matched by `synergy compare --match`: {} over {}-{} = {target:e}.",
                        metric.quantity.name(),
                        metric.window.0,
                        metric.window.1
                    )],
                ),
            )?;
        }
    }
    let trace_file = opts.out.join("calibration_trace.parquet");
    let of: Vec<TraceOf<'_>> = traces
        .iter()
        .map(|(c, p, t, e)| TraceOf {
            calibration: c.clone(),
            parameters: p.clone(),
            target: *t,
            evaluations: e,
        })
        .collect();
    write_trace(&trace_file, &of)?;
    let summary_file = opts.out.join("matched_summary.parquet");
    write_matched_summary(&summary_file, &rows, &seeds)?;
    let experiment_file = opts.out.join("matched.toml");
    write_text(&experiment_file, &experiment_text(&first_files, opts))?;
    Ok(MatchReport {
        targets,
        rows,
        summary_file,
        experiment_file,
        trace_file,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The `matched_summary` table: one row per target, regime and replicate.
fn write_matched_summary(path: &Path, rows: &[MatchedRow], seeds: &[u64]) -> Result<()> {
    let mut t = crate::output::MatchedSummary::default();
    for r in rows {
        for (i, &seed) in seeds.iter().enumerate() {
            t.target.push(r.target);
            t.regime.push(r.name.clone());
            t.replicate.push(i as u32);
            t.seed.push(seed);
            t.stringency.push(r.stringency);
            t.match_error.push(r.error);
            t.least_cost_p0.push(r.p0);
            t.cumulative_emissions.push(r.emissions[i]);
            t.abatement_vs_baseline.push(r.abatement[i]);
            t.social_cost_pv.push(r.social_cost[i]);
            t.cost_per_tonne.push(finite(r.cost_per_tonne[i]));
            t.cost_ratio_least_cost
                .push(finite(r.cost_ratio_least_cost[i]));
            t.benchmark_emissions.push(r.benchmark_emissions[i]);
            t.transfers.push(r.transfers[i]);
            t.gini_cost_burden.push(finite(r.gini[i]));
            t.share_cities_meeting_target.push(finite(r.targets_met[i]));
        }
    }
    super::output::write_table(path, &mut t)
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// An experiment file over the matched scenario files (`(name, file)`), with the match's
/// replicates, seed and paired baseline.
fn experiment_text(files: &[(String, String)], opts: &MatchOptions) -> String {
    let mut t = format!(
        "# Written by `synergy compare --match`: the matched regimes of the first target, with\n\
         # their paired no-policy baselines. Sweep it for full datasets (cities, markets, ...):\n\
         #   synergy sweep {}\n\
         [experiment]\nname = \"matched\"\nbase = \"embedded\"\nreplicates = {}\n\
         master_seed = {}\nbatch_size = {}\nbaseline_until = {}\n\n",
        opts.out.join("matched.toml").display(),
        opts.replicates,
        opts.master_seed,
        opts.replicates,
        opts.metric.window.0 - 1
    );
    for (name, file) in files {
        t.push_str(&format!(
            "[[scenarios]]\nname = {}\nfile = {}\n\n",
            toml::Value::String(name.clone()),
            toml::Value::String(file.clone())
        ));
    }
    t.push_str("[output]\nfirm_level = \"none\"\n");
    t
}

/// The row of one regime from its matched, baseline and benchmark runs (same seeds).
#[allow(clippy::too_many_arguments)]
fn row(
    r: &Regime,
    stringency: Option<f64>,
    error: f64,
    p0: f64,
    metric: &Metric,
    rate: f64,
    matched: &[Outcome],
    base: &[Outcome],
    bench: &[Outcome],
) -> Result<MatchedRow> {
    let w = metric.window;
    let mut out = MatchedRow {
        name: r.name.clone(),
        target: f64::NAN,
        stringency,
        error,
        p0,
        emissions: Vec::new(),
        abatement: Vec::new(),
        social_cost: Vec::new(),
        cost_per_tonne: Vec::new(),
        cost_ratio_least_cost: Vec::new(),
        benchmark_emissions: Vec::new(),
        transfers: Vec::new(),
        gini: Vec::new(),
        targets_met: Vec::new(),
    };
    for ((m, b), l) in matched.iter().zip(base).zip(bench) {
        let e = window_sum(m, w, |y| y.emissions);
        let abatement = window_sum(b, w, |y| y.emissions) - e;
        let sc = window_pv(m, w, rate) - window_pv(b, w, rate);
        let sc_lc = window_pv(l, w, rate) - window_pv(b, w, rate);
        out.emissions.push(e);
        out.abatement.push(abatement);
        out.social_cost.push(sc);
        out.cost_per_tonne.push(if abatement > 0.0 {
            sc / abatement
        } else {
            f64::NAN
        });
        out.cost_ratio_least_cost
            .push(if sc_lc > 0.0 { sc / sc_lc } else { f64::NAN });
        out.benchmark_emissions
            .push(window_sum(l, w, |y| y.emissions));
        out.transfers
            .push(window_sum(m, w, |y| y.allowance_payments));
        out.gini
            .push(m.summary.gini_cost_burden.unwrap_or(f64::NAN));
        out.targets_met
            .push(m.summary.targets_met.0.unwrap_or(f64::NAN));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/experiments/regimes.toml")
    }

    #[test]
    fn options_come_from_the_match_table_and_the_command_line_wins() {
        let o = options("", &exp(), Given::default(), PathBuf::from("o"), true).unwrap();
        assert_eq!(o.metric, Metric::cumulative_emissions((2026, 2060)));
        assert_eq!((o.replicates, o.master_seed), (3, 2026));
        assert_eq!(o.rate, 0.05);
        let given = Given {
            budgets: vec![250e9],
            replicates: Some(1),
            rate: Some(0.03),
            ..Default::default()
        };
        let o = options("", &exp(), given, PathBuf::from("o"), true).unwrap();
        assert_eq!(
            (o.budgets.clone(), o.replicates, o.rate),
            (vec![250e9], 1, 0.03)
        );
        let o = options(
            "cumulative_emissions:2030-2040",
            &exp(),
            Given::default(),
            PathBuf::from("o"),
            true,
        )
        .unwrap();
        assert_eq!(o.metric.window, (2030, 2040));
        let e = options(
            "",
            Path::new("."),
            Given::default(),
            PathBuf::from("o"),
            true,
        );
        assert!(e.unwrap_err().to_string().contains("is a folder"));
        let bad = Given {
            tolerance: Some(0.0),
            ..Default::default()
        };
        let e = options("", &exp(), bad, PathBuf::from("o"), true);
        assert!(e.unwrap_err().to_string().contains("--tolerance"));
        // The experiment's scenarios are its regime files.
        assert_eq!(regimes_in(&exp()).unwrap().len(), 5);
    }
}
