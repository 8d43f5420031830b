//! Output of `compare`: a narrow text table (known metrics scaled: Gt, CNY bn), CSV or JSON
//! (raw units, one row per group with `<column>_mean`, `<column>_lo`, `<column>_hi`).

use super::{Comparison, GroupRow, METRICS, Stat};
use crate::error::{Error, Result};

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned text.
    Table,
    /// Comma-separated values with a header.
    Csv,
    /// A JSON array of objects.
    Json,
}

impl Format {
    /// Parses `table`, `csv` or `json`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(Error::input(format!(
                "--format {other}: expected table, csv or json"
            ))),
        }
    }
}

/// (heading, scale divisor, decimals) of a column.
fn display(col: &str) -> (String, f64, usize) {
    METRICS
        .iter()
        .find(|m| m.0 == col)
        .map_or((col.to_string(), 1.0, 3), |m| (m.1.to_string(), m.2, m.3))
}

/// What a row is, in words: the scenario, or `scenario - reference`.
fn label(r: &GroupRow) -> String {
    match &r.difference_to {
        None => r.scenario.clone(),
        Some(reference) => format!("{} - {reference}", r.scenario),
    }
}

fn cell(s: &Option<Stat>, scale: f64, dec: usize) -> String {
    let tiny = 0.5 * 10f64.powi(-(dec as i32));
    match s {
        None => "-".into(),
        Some(s) => {
            // A value that rounds to zero prints as 0 (not -0).
            let m = s.mean / scale;
            let m = if m.abs() < tiny { 0.0 } else { m };
            match s.half {
                None => format!("{m:.dec$}"),
                Some(h) => format!("{m:.dec$} ± {:.dec$}", h / scale),
            }
        }
    }
}

/// The text table, headed by what was read and whether it was pooled.
pub fn table(c: &Comparison) -> String {
    let mut out = String::new();
    if c.datasets.len() > 1 {
        out.push_str(&if c.pooled {
            format!(
                "datasets {} POOLED: same-named scenarios are one group\n",
                c.datasets.join(", ")
            )
        } else {
            format!(
                "datasets {}: kept apart (--pool merges same-named scenarios)\n",
                c.datasets.join(", ")
            )
        });
    }
    let show_ds = c.datasets.len() > 1 && !c.pooled;
    let first: Vec<String> = c
        .rows
        .iter()
        .map(|r| {
            if show_ds {
                format!("{}/{}", r.dataset, label(r))
            } else {
                label(r)
            }
        })
        .collect();
    let w = first.iter().map(String::len).max().unwrap_or(8).max(22);
    out.push_str(&format!("{:<w$}", "scenario"));
    for p in &c.by {
        out.push_str(&format!(" {p:>14}"));
    }
    out.push_str(&format!(" {:>5}", "runs"));
    let disp: Vec<(String, f64, usize)> = c.columns.iter().map(|col| display(col)).collect();
    for (head, ..) in &disp {
        out.push_str(&format!(" {head:>22}"));
    }
    out.push('\n');
    for (r, name) in c.rows.iter().zip(&first) {
        out.push_str(&format!("{name:<w$}"));
        for v in &r.by {
            out.push_str(&format!(" {v:>14}"));
        }
        out.push_str(&format!(" {:>5}", r.runs));
        for (s, (_, scale, dec)) in r.stats.iter().zip(&disp) {
            out.push_str(&format!(" {:>22}", cell(s, *scale, *dec)));
        }
        out.push('\n');
    }
    out
}

/// Header and records of the CSV / JSON forms.
fn records(c: &Comparison) -> (Vec<String>, Vec<Vec<String>>) {
    let mut head: Vec<String> = ["dataset", "scenario", "difference_to"]
        .map(String::from)
        .to_vec();
    head.extend(c.by.iter().cloned());
    head.push("runs".into());
    for col in &c.columns {
        for s in ["mean", "lo", "hi"] {
            head.push(format!("{col}_{s}"));
        }
    }
    let num = |x: f64| {
        if x.is_finite() {
            format!("{x}")
        } else {
            String::new()
        }
    };
    let recs = c
        .rows
        .iter()
        .map(|r| {
            let mut v = vec![
                r.dataset.clone(),
                r.scenario.clone(),
                r.difference_to.clone().unwrap_or_default(),
            ];
            v.extend(r.by.iter().map(|x| num(*x)));
            v.push(r.runs.to_string());
            for s in &r.stats {
                match s {
                    None => v.extend([String::new(), String::new(), String::new()]),
                    Some(s) => {
                        v.push(num(s.mean));
                        let h = s.half.unwrap_or(f64::NAN);
                        v.push(num(s.mean - h));
                        v.push(num(s.mean + h));
                    }
                }
            }
            v
        })
        .collect();
    (head, recs)
}

/// CSV (raw units; empty cells where there is no value).
pub fn csv(c: &Comparison) -> Result<String> {
    let (head, recs) = records(c);
    let mut w = csv::Writer::from_writer(Vec::new());
    let bug = |e: csv::Error| Error::Bug(e.to_string());
    w.write_record(&head).map_err(bug)?;
    for r in recs {
        w.write_record(&r).map_err(bug)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Bug(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Bug(e.to_string()))
}

/// JSON: an array of objects (numbers, null where there is no value).
pub fn json(c: &Comparison) -> Result<String> {
    let (head, recs) = records(c);
    let n_text = 3;
    let arr: Vec<serde_json::Value> = recs
        .into_iter()
        .map(|r| {
            let obj: serde_json::Map<String, serde_json::Value> = head
                .iter()
                .zip(r)
                .enumerate()
                .map(|(i, (k, v))| {
                    let val = if i < n_text {
                        if v.is_empty() && i == 2 {
                            serde_json::Value::Null
                        } else {
                            serde_json::Value::String(v)
                        }
                    } else {
                        v.parse::<f64>()
                            .ok()
                            .and_then(serde_json::Number::from_f64)
                            .map_or(serde_json::Value::Null, serde_json::Value::Number)
                    };
                    (k.clone(), val)
                })
                .collect();
            serde_json::Value::Object(obj)
        })
        .collect();
    serde_json::to_string_pretty(&arr).map_err(|e| Error::Bug(e.to_string()))
}

/// The comparison in `format`.
pub fn render(c: &Comparison, format: Format) -> Result<String> {
    match format {
        Format::Table => Ok(table(c)),
        Format::Csv => csv(c),
        Format::Json => json(c).map(|s| s + "\n"),
    }
}
