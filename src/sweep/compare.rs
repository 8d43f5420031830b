//! `synergy compare`: the headline metrics of every scenario in a dataset side by side, with
//! the mean and a 95 % confidence interval over replicates (Student t).

use crate::error::{Error, Result};
use arrow::array::{Array, AsArray};
use arrow::datatypes::{Float64Type, Int32Type};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The metrics compared: (summary column, heading, scale divisor, decimals).
pub const METRICS: [(&str, &str, f64, usize); 8] = [
    ("cumulative_emissions", "cum. emissions Gt", 1e9, 1),
    ("total_cost", "social cost CNY bn", 1e9, 1),
    ("allowance_payments", "transfers CNY bn", 1e9, 1),
    (
        "cost_per_tonne_vs_counterfactual",
        "CNY/t vs counterf.",
        1.0,
        1,
    ),
    ("operational_cost_ratio", "operational ratio", 1.0, 3),
    ("gini_cost_burden", "Gini burden", 1.0, 3),
    ("share_cities_meeting_target", "targets met", 1.0, 2),
    ("peak_year", "peak year", 1.0, 0),
];

/// Per scenario: metric values over runs (NaN where null).
pub type Table = BTreeMap<String, Vec<Vec<f64>>>;

/// Summary files below `dir`: the dataset itself (`dir/summary`), or every dataset in it.
fn summary_files(dir: &Path) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if dir.join("summary").is_dir() {
        roots.push(dir.join("summary"));
    } else if let Ok(entries) = std::fs::read_dir(dir) {
        // Hidden folders are stagings and old copies being replaced, not datasets.
        let mut subs: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path().join("summary"))
            .filter(|p| p.is_dir())
            .collect();
        subs.sort();
        roots.extend(subs);
    }
    let mut files = Vec::new();
    for root in roots {
        let Ok(parts) = std::fs::read_dir(&root) else {
            continue;
        };
        let mut parts: Vec<PathBuf> = parts.flatten().map(|e| e.path()).collect();
        parts.sort();
        for p in parts {
            let Ok(fs) = std::fs::read_dir(&p) else {
                continue;
            };
            // Only complete parts: their `runs` file exists (a sweep may still be running).
            let runs_dir = root.parent().map(|d| {
                d.join(crate::output::COMPLETION_TABLE)
                    .join(p.file_name().unwrap_or_default())
            });
            let mut fs: Vec<PathBuf> = fs
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "parquet"))
                .filter(|f| {
                    runs_dir
                        .as_ref()
                        .is_none_or(|d| f.file_name().is_some_and(|n| d.join(n).exists()))
                })
                .collect();
            fs.sort();
            files.extend(fs);
        }
    }
    files
}

/// Reads every summary row below `dir`, grouped by scenario.
pub fn read(dir: &Path) -> Result<Table> {
    let files = summary_files(dir);
    if files.is_empty() {
        return Err(Error::input(format!(
            "{}: no summary tables found (expected <dataset>/summary/scenario=*/part-*.parquet)",
            dir.display()
        )));
    }
    let mut table: Table = BTreeMap::new();
    for f in files {
        let err = |m: String| Error::Write {
            path: f.clone(),
            message: m,
        };
        let file = std::fs::File::open(&f).map_err(|e| Error::io(&f, e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .map_err(|e| err(e.to_string()))?;
        for batch in reader {
            let batch = batch.map_err(|e| err(e.to_string()))?;
            let scen = batch
                .column_by_name("scenario")
                .ok_or_else(|| err("no scenario column".into()))?
                .as_string::<i32>()
                .clone();
            for row in 0..batch.num_rows() {
                let mut vals = Vec::with_capacity(METRICS.len());
                for (col, ..) in METRICS {
                    let v = match batch.column_by_name(col) {
                        Some(c) if c.is_null(row) => f64::NAN,
                        Some(c) => match c.as_primitive_opt::<Float64Type>() {
                            Some(a) => a.value(row),
                            None => c
                                .as_primitive_opt::<Int32Type>()
                                .map_or(f64::NAN, |a| f64::from(a.value(row))),
                        },
                        None => f64::NAN,
                    };
                    vals.push(v);
                }
                table
                    .entry(scen.value(row).to_string())
                    .or_default()
                    .push(vals);
            }
        }
    }
    Ok(table)
}

/// Two-sided 97.5 % Student t quantile for `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        d if d <= 30 => T[d - 1],
        _ => 1.96,
    }
}

/// Mean and 95 % half-width of the finite values (None when there are none).
pub fn mean_ci(values: &[f64]) -> Option<(f64, Option<f64>)> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Some((mean, None));
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some((mean, Some(t975(n - 1) * (var / n as f64).sqrt())))
}

/// Renders the comparison table.
pub fn render(table: &Table) -> String {
    let mut out = format!("{:<22} {:>5}", "scenario", "runs");
    for (_, head, ..) in METRICS {
        out.push_str(&format!(" {head:>22}"));
    }
    out.push('\n');
    for (scen, rows) in table {
        out.push_str(&format!("{scen:<22} {:>5}", rows.len()));
        for (k, (_, _, scale, dec)) in METRICS.iter().enumerate() {
            let col: Vec<f64> = rows.iter().map(|r| r[k] / scale).collect();
            // A value that rounds to zero (a sum of zeros and tiny negatives) prints as 0.
            let tiny = 0.5 * 10f64.powi(-(*dec as i32));
            let cell = match mean_ci(&col).map(|(m, h)| (if m.abs() < tiny { 0.0 } else { m }, h)) {
                None => "-".to_string(),
                Some((m, None)) => format!("{m:.dec$}"),
                Some((m, Some(h))) => format!("{m:.dec$} ± {h:.dec$}"),
            };
            out.push_str(&format!(" {cell:>22}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_interval() {
        let (m, h) = mean_ci(&[1.0, 2.0, 3.0, f64::NAN]).unwrap();
        assert!((m - 2.0).abs() < 1e-12);
        // sd = 1, n = 3: half-width = 4.303 / sqrt(3).
        assert!((h.unwrap() - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!(mean_ci(&[5.0]), Some((5.0, None)));
        assert_eq!(mean_ci(&[f64::NAN]), None);
        assert_eq!(t975(100), 1.96);
    }
}
