//! `synergy compare`: the `summary` metrics of the runs in one or more datasets, grouped by
//! scenario (and, with `--by`, by sampled parameters), as the mean and a 95 % Student t
//! interval over replicates (`statrs`); with `--reference`, paired differences against a
//! reference scenario (the same dataset, replicate and sample: common random numbers).
//! Same-named scenarios of different datasets are kept apart unless `--pool` is given.
//!
//! * [`read`]: the runs of the datasets;
//! * [`render`]: table, CSV and JSON.

pub mod read;
pub mod render;

use crate::error::{Error, Result};
use read::RunRow;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;

/// Display settings of known metrics: (summary column, heading, scale divisor, decimals).
pub const METRICS: [(&str, &str, f64, usize); 12] = [
    ("cumulative_emissions", "cum. emissions Gt", 1e9, 1),
    ("total_cost", "social cost CNY bn", 1e9, 1),
    ("allowance_payments", "transfers CNY bn", 1e9, 1),
    (
        "cost_per_tonne_vs_counterfactual",
        "CNY/t vs counterf.",
        1.0,
        1,
    ),
    ("cost_per_tonne_vs_baseline", "CNY/t vs baseline", 1.0, 1),
    ("abatement_vs_baseline", "abatement Gt", 1e9, 1),
    ("social_cost_vs_baseline", "cost vs base CNY bn", 1e9, 1),
    ("operational_cost_ratio", "operational ratio", 1.0, 3),
    ("gini_cost_burden", "Gini burden", 1.0, 3),
    ("share_cities_meeting_target", "targets met", 1.0, 2),
    ("peak_year", "peak year", 1.0, 0),
    ("peak_emissions", "peak Gt/yr", 1e9, 2),
];

/// The columns shown when `--columns` is not given (cost per tonne against the paired
/// baseline where the runs have one, else against the counterfactual).
pub fn default_columns(rows: &[RunRow]) -> Vec<String> {
    let has_baseline = rows.iter().any(|r| {
        r.values
            .get("abatement_vs_baseline")
            .is_some_and(|v| v.is_finite())
    });
    let per_tonne = if has_baseline {
        "cost_per_tonne_vs_baseline"
    } else {
        "cost_per_tonne_vs_counterfactual"
    };
    [
        "cumulative_emissions",
        "total_cost",
        "allowance_payments",
        per_tonne,
        "operational_cost_ratio",
        "gini_cost_burden",
        "share_cities_meeting_target",
        "peak_year",
    ]
    .map(String::from)
    .to_vec()
}

/// Options of `compare`.
#[derive(Clone, Debug, Default)]
pub struct CompareOptions {
    /// Sampled parameters to group by (as in the experiment's `[samples]` paths).
    pub by: Vec<String>,
    /// Reference scenario for paired differences.
    pub reference: Option<String>,
    /// Columns (summary column names; empty: the default set; `all`: every numeric column).
    pub columns: Vec<String>,
    /// Pool same-named scenarios of different datasets.
    pub pool: bool,
}

/// Mean and 95 % t interval of one metric in one group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stat {
    /// Mean of the finite values.
    pub mean: f64,
    /// Half-width of the 95 % interval (None with fewer than 2 values).
    pub half: Option<f64>,
    /// Finite values used.
    pub n: usize,
}

/// One row of the comparison: a group (or a group's paired difference to the reference).
#[derive(Clone, Debug, PartialEq)]
pub struct GroupRow {
    /// Dataset (empty when pooled).
    pub dataset: String,
    /// Scenario.
    pub scenario: String,
    /// Values of the `--by` parameters.
    pub by: Vec<f64>,
    /// `None`: levels; `Some(reference)`: paired differences scenario - reference.
    pub difference_to: Option<String>,
    /// Runs in the group.
    pub runs: usize,
    /// Per column (in `columns` order).
    pub stats: Vec<Option<Stat>>,
}

/// The comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Columns compared.
    pub columns: Vec<String>,
    /// `--by` parameters.
    pub by: Vec<String>,
    /// Datasets read.
    pub datasets: Vec<String>,
    /// Whether same-named scenarios of different datasets were pooled.
    pub pooled: bool,
    /// Level rows, then difference rows.
    pub rows: Vec<GroupRow>,
}

/// Two-sided 97.5 % Student t quantile for `df` degrees of freedom (`statrs`).
pub fn t975(df: usize) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df as f64).map_or(f64::NAN, |t| t.inverse_cdf(0.975))
}

/// Mean and 95 % half-width of the finite values (None when there are none).
pub fn mean_ci(values: &[f64]) -> Option<(f64, Option<f64>)> {
    stat(values).map(|s| (s.mean, s.half))
}

/// [`Stat`] of the finite values.
pub fn stat(values: &[f64]) -> Option<Stat> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Some(Stat {
            mean,
            half: None,
            n,
        });
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some(Stat {
        mean,
        half: Some(t975(n - 1) * (var / n as f64).sqrt()),
        n,
    })
}

/// The value of sampled parameter `p` in a run's parameters JSON.
fn param(parameters: &str, p: &str) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_str(parameters).ok()?;
    v.get(p)?.as_f64()
}

type Key = (String, String, Vec<u64>);

/// Groups the runs and computes the statistics.
pub fn compare(rows: &[RunRow], opts: &CompareOptions) -> Result<Comparison> {
    let all: Vec<String> = {
        let mut c: Vec<String> = rows
            .iter()
            .flat_map(|r| r.values.keys().cloned())
            .filter(|c| c != "run_id")
            .collect();
        c.sort();
        c.dedup();
        c
    };
    let columns = if opts.columns.is_empty() {
        default_columns(rows)
    } else if opts.columns == ["all"] {
        all.clone()
    } else {
        for c in &opts.columns {
            if !all.contains(c) {
                return Err(Error::input(format!(
                    "--columns {c}: no such numeric summary column (columns: {}; or all)",
                    all.join(", ")
                )));
            }
        }
        opts.columns.clone()
    };
    let mut datasets: Vec<String> = rows.iter().map(|r| r.dataset.clone()).collect();
    datasets.sort();
    datasets.dedup();
    // Group key: dataset (unless pooled), scenario, --by values (as bits, for ordering).
    let mut by_values: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let mut v = Vec::new();
        for p in &opts.by {
            match param(&r.parameters, p) {
                Some(x) => v.push(x),
                None => {
                    return Err(Error::input(format!(
                        "--by {p}: run of scenario {} in {} has no sampled parameter {p:?} \
                         (its parameters: {})",
                        r.scenario, r.dataset, r.parameters
                    )));
                }
            }
        }
        by_values.insert(i, v);
    }
    let key = |i: usize| -> Key {
        let r = &rows[i];
        let ds = if opts.pool {
            String::new()
        } else {
            r.dataset.clone()
        };
        let bits = by_values[&i].iter().map(|x| x.to_bits()).collect();
        (ds, r.scenario.clone(), bits)
    };
    let mut groups: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for i in 0..rows.len() {
        groups.entry(key(i)).or_default().push(i);
    }
    let stats_of = |members: &[usize], value: &dyn Fn(usize, &str) -> f64| {
        columns
            .iter()
            .map(|c| stat(&members.iter().map(|&i| value(i, c)).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    };
    let level = |i: usize, c: &str| rows[i].values.get(c).copied().unwrap_or(f64::NAN);
    let mut out = Vec::new();
    for ((ds, scen, _), members) in &groups {
        out.push(GroupRow {
            dataset: ds.clone(),
            scenario: scen.clone(),
            by: by_values[&members[0]].clone(),
            difference_to: None,
            runs: members.len(),
            stats: stats_of(members, &level),
        });
    }
    if let Some(reference) = &opts.reference {
        if !rows.iter().any(|r| &r.scenario == reference) {
            let mut names: Vec<&str> = rows.iter().map(|r| r.scenario.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            return Err(Error::input(format!(
                "--reference {reference}: no such scenario (scenarios: {})",
                names.join(", ")
            )));
        }
        // The reference run of each (dataset, replicate, sample).
        let pair = |r: &RunRow| (r.dataset.clone(), r.replicate, r.parameters.clone());
        let refs: BTreeMap<(String, u32, String), usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| &r.scenario == reference)
            .map(|(i, r)| (pair(r), i))
            .collect();
        for ((ds, scen, _), members) in &groups {
            if scen == reference {
                continue;
            }
            let paired: Vec<(usize, usize)> = members
                .iter()
                .filter_map(|&i| refs.get(&pair(&rows[i])).map(|&j| (i, j)))
                .collect();
            if paired.is_empty() {
                continue;
            }
            let diff_rows: Vec<usize> = (0..paired.len()).collect();
            let diff = |k: usize, c: &str| level(paired[k].0, c) - level(paired[k].1, c);
            out.push(GroupRow {
                dataset: ds.clone(),
                scenario: scen.clone(),
                by: by_values[&members[0]].clone(),
                difference_to: Some(reference.clone()),
                runs: paired.len(),
                stats: stats_of(&diff_rows, &diff),
            });
        }
    }
    Ok(Comparison {
        columns,
        by: opts.by.clone(),
        datasets,
        pooled: opts.pool,
        rows: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ds: &str, scen: &str, rep: u32, x: f64, e: f64) -> RunRow {
        RunRow {
            dataset: ds.into(),
            scenario: scen.into(),
            replicate: rep,
            parameters: format!("{{\"a.b\": {x}}}"),
            values: [("cumulative_emissions".to_string(), e)]
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn mean_and_interval() {
        let (m, h) = mean_ci(&[1.0, 2.0, 3.0, f64::NAN]).unwrap();
        assert!((m - 2.0).abs() < 1e-12);
        // sd = 1, n = 3: half-width = t(0.975, 2) / sqrt(3), t = 4.3027.
        assert!((h.unwrap() - 4.302_652_7 / 3f64.sqrt()).abs() < 1e-6);
        assert_eq!(mean_ci(&[5.0]), Some((5.0, None)));
        assert_eq!(mean_ci(&[f64::NAN]), None);
        assert!((t975(1000) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn groups_by_parameter_pairs_and_keeps_datasets_apart() {
        let rows = vec![
            row("d1", "a", 0, 1.0, 10.0),
            row("d1", "a", 1, 1.0, 12.0),
            row("d1", "a", 0, 2.0, 20.0),
            row("d1", "r", 0, 1.0, 9.0),
            row("d1", "r", 1, 1.0, 10.0),
            row("d2", "a", 0, 1.0, 100.0),
        ];
        let opts = CompareOptions {
            by: vec!["a.b".into()],
            reference: Some("r".into()),
            columns: vec!["cumulative_emissions".into()],
            pool: false,
        };
        let c = compare(&rows, &opts).unwrap();
        let levels: Vec<&GroupRow> = c
            .rows
            .iter()
            .filter(|r| r.difference_to.is_none())
            .collect();
        // d1/a at 1 and 2, d1/r at 1, d2/a at 1.
        assert_eq!(levels.len(), 4);
        let d1a1 = levels
            .iter()
            .find(|r| r.dataset == "d1" && r.scenario == "a" && r.by == [1.0])
            .unwrap();
        assert_eq!(d1a1.runs, 2);
        assert_eq!(d1a1.stats[0].unwrap().mean, 11.0);
        // Paired differences: d1/a at 1 has replicates 0 and 1 against r: 1 and 2.
        let diff = c
            .rows
            .iter()
            .find(|r| r.difference_to.is_some() && r.dataset == "d1" && r.by == [1.0])
            .unwrap();
        assert_eq!(diff.runs, 2);
        assert_eq!(diff.stats[0].unwrap().mean, 1.5);
        // Pooling merges d1/a and d2/a at 1.
        let pooled = compare(
            &rows,
            &CompareOptions {
                pool: true,
                ..opts.clone()
            },
        )
        .unwrap();
        let a1 = pooled
            .rows
            .iter()
            .find(|r| r.difference_to.is_none() && r.scenario == "a" && r.by == [1.0])
            .unwrap();
        assert_eq!(a1.runs, 3);
        // Unknown names are input errors.
        let bad = CompareOptions {
            by: vec!["nope".into()],
            ..Default::default()
        };
        assert!(
            compare(&rows, &bad)
                .unwrap_err()
                .to_string()
                .contains("--by nope")
        );
        let bad = CompareOptions {
            columns: vec!["nope".into()],
            ..Default::default()
        };
        assert!(
            compare(&rows, &bad)
                .unwrap_err()
                .to_string()
                .contains("--columns nope")
        );
    }
}
