//! `synergy validate-history`: a dataset (or a folder of datasets) against the observed series
//! ([`crate::history`]); writes the comparison as CSV and prints per series and scenario the
//! mean absolute error: relative (%) for levels, in percentage points for changes.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Compares `dir` with the observed table `observed` (`embedded` or a CSV path) and writes
/// the table to `out` (default `<dir>/validate-history.csv`; written to a temporary file and
/// renamed, so nothing half-written is left).
pub fn validate_history(dir: &Path, observed: &str, out: Option<&Path>) -> Result<()> {
    let (label, obs) = crate::history::observed::load(observed)?;
    let rows = crate::history::compare(dir, &obs)?;
    let text = crate::history::to_csv(&rows)?;
    let target = out.map_or_else(|| dir.join("validate-history.csv"), Path::to_path_buf);
    let tmp = target.with_extension("csv.tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))?;
    say!("Observed: {label} ({} observations)", obs.len());
    let mut by: BTreeMap<(String, String, &str), (f64, usize, usize)> = BTreeMap::new();
    for c in &rows {
        let e = by
            .entry((
                c.dataset.clone(),
                c.scenario.clone(),
                c.observation.series.name(),
            ))
            .or_default();
        e.2 += 1;
        // Changes (shares) by their error in percentage points, levels by relative error.
        let err = if c.observation.series.is_change() {
            c.error().map(|x| 100.0 * x)
        } else {
            c.relative_error().map(|x| 100.0 * x)
        };
        if let Some(r) = err {
            e.0 += r.abs();
            e.1 += 1;
        }
    }
    say!(
        "{:<18} {:<18} {:<26} {:>12} {:>12}",
        "dataset",
        "scenario",
        "series",
        "compared",
        "mean |error|"
    );
    for ((ds, sc, series), (sum, n, total)) in by {
        let unit = if series.ends_with("_change") {
            "pp"
        } else {
            "%"
        };
        let mape = if n > 0 {
            format!("{:.1} {unit}", sum / n as f64)
        } else {
            "-".to_string()
        };
        say!(
            "{ds:<18} {sc:<18} {series:<26} {:>12} {mape:>12}",
            format!("{n}/{total}")
        );
    }
    say!("Table: {}", target.display());
    Ok(())
}
