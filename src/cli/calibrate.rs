//! `synergy calibrate FILE` and `synergy compare --match`: print what the calibration tools
//! ([`crate::calibrate`]) found.

use crate::calibrate::file::calibrate_file;
use crate::calibrate::matching::{MatchOptions, MatchReport, match_regimes, regimes_in};
use crate::error::Result;
use crate::sweep::compare::mean_ci;
use std::path::Path;

/// Runs a calibration file and prints the result with its achieved error.
pub fn calibrate(file: &Path, out: &Path, quiet: bool) -> Result<()> {
    let r = calibrate_file(file, out, quiet)?;
    let s = &r.solution;
    say!(
        "calibration {}: {} evaluations x {} replicate(s) in {:.1} s",
        r.calibration.header.name,
        s.trace.len(),
        r.calibration.header.replicates,
        r.seconds
    );
    for (p, x) in r.calibration.params.iter().zip(&s.x) {
        let mode = match p.mode {
            crate::calibrate::param::Mode::Scale => "scale",
            crate::calibrate::param::Mode::Set => "set",
        };
        say!("  {} ({mode}) = {x:.6}", p.path);
    }
    if let Some((rows, file)) = &r.fit {
        use crate::calibrate::history::{Role, rms};
        let f = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.4}"));
        say!(
            "  history fit: root mean squared scaled error {} fitted, {} held out",
            f(rms(rows, Role::Fit)),
            f(rms(rows, Role::Holdout))
        );
        for row in rows {
            let o = &row.observation;
            let year = o
                .from_year
                .map_or(o.year.to_string(), |a| format!("{a}-{}", o.year));
            say!(
                "    {:<24} {:<10} {:>9} observed {:>12.5} model {:>12} ({})",
                o.series.name(),
                o.scope,
                year,
                o.value,
                row.model.map_or("-".to_string(), |m| format!("{m:.5}")),
                row.role.name()
            );
        }
        say!("  fit table: {}", file.display());
    } else if r.target.is_nan() {
        say!(
            "  price fit: root mean squared relative error {:.4}",
            s.error
        );
    } else {
        say!(
            "  target {:.6e}, reached {:.6e} (relative error {:.2e}) over {}-{}",
            r.target,
            s.metric,
            s.error,
            r.window.0,
            r.window.1
        );
    }
    say!("  calibrated scenario: {}", r.scenario_file.display());
    say!("  trace: {}", r.trace_file.display());
    Ok(())
}

/// Matches the regimes in `path` and prints the matched table.
pub fn compare_matched(path: &Path, opts: &MatchOptions) -> Result<()> {
    let regimes = regimes_in(path)?;
    let report = match_regimes(&regimes, opts)?;
    say_raw!("{}", render(&report, opts));
    Ok(())
}

/// The matched tables (one per target), then where the files went.
pub fn render(r: &MatchReport, opts: &MatchOptions) -> String {
    let mut out = format!("{} target(s) in {:.0} s\n", r.targets.len(), r.seconds);
    for &t in &r.targets {
        out.push_str(&render_target(r, opts, t));
    }
    out.push_str(&format!("trace: {}\n", r.trace_file.display()));
    out.push_str(&format!("per replicate: {}\n", r.summary_file.display()));
    out.push_str(&format!(
        "full datasets of the first target: synergy sweep {}\n",
        r.experiment_file.display()
    ));
    out
}

/// The matched table of one target: per regime, mean +- 95 % half-width over replicates.
fn render_target(r: &MatchReport, opts: &MatchOptions, target: f64) -> String {
    let (a, b) = opts.metric.window;
    let mut out = format!(
        "Matched: cumulative emissions {a}-{b} = {:.2} Gt ({} replicates, CRN; paired \
         baseline: no policy after {}; least cost: Hotelling tax at {:.1} %/yr)\n",
        target / 1e9,
        opts.replicates,
        a - 1,
        opts.rate * 100.0,
    );
    let heads = [
        "regime",
        "stringency",
        "cum. emissions Gt",
        "abatement Gt",
        "social cost PV bn",
        "CNY/t vs baseline",
        "cost / least cost",
        "least-cost p0",
        "transfers CNY bn",
        "Gini burden",
        "targets met",
    ];
    out.push_str(&format!("{:<16}", heads[0]));
    for h in &heads[1..] {
        out.push_str(&format!(" {h:>20}"));
    }
    out.push('\n');
    let cell = |v: &[f64], scale: f64, dec: usize| {
        let v: Vec<f64> = v.iter().map(|x| x / scale).collect();
        match mean_ci(&v) {
            None => "-".to_string(),
            Some((m, h)) => {
                // A value that rounds to zero prints as 0 (not -0).
                let m = if m.abs() < 0.5 * 10f64.powi(-(dec as i32)) {
                    0.0
                } else {
                    m
                };
                match h {
                    None => format!("{m:.dec$}"),
                    Some(h) => format!("{m:.dec$} ± {h:.dec$}"),
                }
            }
        }
    };
    for row in r.rows.iter().filter(|row| row.target == target) {
        out.push_str(&format!("{:<16}", row.name));
        let s = row
            .stringency
            .map_or("as written".to_string(), |x| format!("{x:.4}"));
        let cells = [
            s,
            cell(&row.emissions, 1e9, 2),
            cell(&row.abatement, 1e9, 1),
            cell(&row.social_cost, 1e9, 0),
            cell(&row.cost_per_tonne, 1.0, 1),
            cell(&row.cost_ratio_least_cost, 1.0, 3),
            format!("{:.1}", row.p0),
            cell(&row.transfers, 1e9, 0),
            cell(&row.gini, 1.0, 3),
            cell(&row.targets_met, 1.0, 2),
        ];
        for c in cells {
            out.push_str(&format!(" {c:>20}"));
        }
        out.push('\n');
    }
    out
}
