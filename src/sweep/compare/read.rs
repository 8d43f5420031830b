//! Reading the runs of one or more datasets for `compare`: every complete part's `summary`
//! rows (all numeric columns) joined by `run_id` with the `parameters` of `runs`.

use crate::error::{Error, Result};
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float64Type, Int32Type, UInt32Type};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One run's row.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    /// Dataset folder name (`<out>/<dataset>`).
    pub dataset: String,
    /// Scenario name.
    pub scenario: String,
    /// Replicate number.
    pub replicate: u32,
    /// Sampled parameters as written in `runs.parameters` (a JSON object).
    pub parameters: String,
    /// Every numeric `summary` column (NaN where null).
    pub values: BTreeMap<String, f64>,
}

/// The dataset folders below `dir`: `dir` itself when it has a `summary` table, else every
/// non-hidden sub-folder that has one (name order).
pub fn datasets(dir: &Path) -> Vec<PathBuf> {
    if dir.join("summary").is_dir() {
        return vec![dir.to_path_buf()];
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    // Hidden folders are stagings and old copies being replaced, not datasets.
    let mut subs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.join("summary").is_dir())
        .collect();
    subs.sort();
    subs
}

/// The complete part files of `table` in dataset `ds` (a part is complete when its `runs`
/// file exists; a sweep may still be running).
pub(crate) fn part_files(ds: &Path, table: &str) -> Vec<PathBuf> {
    let root = ds.join(table);
    let Ok(scenarios) = std::fs::read_dir(&root) else {
        return Vec::new();
    };
    let mut scenarios: Vec<PathBuf> = scenarios.flatten().map(|e| e.path()).collect();
    scenarios.sort();
    let mut files = Vec::new();
    for p in scenarios {
        let Ok(fs) = std::fs::read_dir(&p) else {
            continue;
        };
        let runs_dir = ds
            .join(crate::output::COMPLETION_TABLE)
            .join(p.file_name().unwrap_or_default());
        let mut fs: Vec<PathBuf> = fs
            .flatten()
            .map(|e| e.path())
            .filter(|f| f.extension().is_some_and(|x| x == "parquet"))
            .filter(|f| f.file_name().is_some_and(|n| runs_dir.join(n).exists()))
            .collect();
        fs.sort();
        files.extend(fs);
    }
    files
}

pub(crate) fn batches(f: &Path) -> Result<Vec<RecordBatch>> {
    let err = |m: String| Error::Write {
        path: f.to_path_buf(),
        message: m,
    };
    let file = std::fs::File::open(f).map_err(|e| Error::io(f, e))?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| err(e.to_string()))?
        .map(|b| b.map_err(|e| err(e.to_string())))
        .collect()
}

/// The value of numeric column `c` in `row` (NaN where null or not numeric).
pub(crate) fn number(c: &dyn Array, row: usize) -> f64 {
    if c.is_null(row) {
        return f64::NAN;
    }
    if let Some(a) = c.as_primitive_opt::<Float64Type>() {
        return a.value(row);
    }
    if let Some(a) = c.as_primitive_opt::<Int32Type>() {
        return f64::from(a.value(row));
    }
    if let Some(a) = c.as_primitive_opt::<UInt32Type>() {
        return f64::from(a.value(row));
    }
    f64::NAN
}

/// Reads every run below `dir`.
pub fn read_runs(dir: &Path) -> Result<Vec<RunRow>> {
    let sets = datasets(dir);
    if sets.is_empty() {
        return Err(Error::input(format!(
            "{}: no summary tables found (expected <dataset>/summary/scenario=*/part-*.parquet)",
            dir.display()
        )));
    }
    let mut rows = Vec::new();
    for ds in sets {
        let name = ds
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut params: BTreeMap<u64, String> = BTreeMap::new();
        for f in part_files(&ds, "runs") {
            for b in batches(&f)? {
                let (Some(id), Some(p)) =
                    (b.column_by_name("run_id"), b.column_by_name("parameters"))
                else {
                    continue;
                };
                let (id, p) = (
                    id.as_primitive::<arrow::datatypes::UInt64Type>(),
                    p.as_string::<i32>(),
                );
                for r in 0..b.num_rows() {
                    params.insert(id.value(r), p.value(r).to_string());
                }
            }
        }
        for f in part_files(&ds, "summary") {
            for b in batches(&f)? {
                let bad = |c: &str| Error::Write {
                    path: f.clone(),
                    message: format!("no {c} column"),
                };
                // The scenario is the Hive partition of the file (`scenario=<s>`).
                let scen = partition_scenario(&f).ok_or_else(|| bad("scenario= partition"))?;
                let rep = b
                    .column_by_name("replicate")
                    .ok_or_else(|| bad("replicate"))?
                    .as_primitive::<UInt32Type>()
                    .clone();
                let id = b
                    .column_by_name("run_id")
                    .ok_or_else(|| bad("run_id"))?
                    .as_primitive::<arrow::datatypes::UInt64Type>()
                    .clone();
                let schema = b.schema();
                let numeric: Vec<(String, usize)> = schema
                    .fields()
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| {
                        matches!(
                            f.data_type(),
                            DataType::Float64 | DataType::Int32 | DataType::UInt32
                        ) && f.name() != "replicate"
                    })
                    .map(|(i, f)| (f.name().clone(), i))
                    .collect();
                for r in 0..b.num_rows() {
                    rows.push(RunRow {
                        dataset: name.clone(),
                        scenario: scen.clone(),
                        replicate: rep.value(r),
                        parameters: params
                            .get(&id.value(r))
                            .cloned()
                            .unwrap_or_else(|| "{}".into()),
                        values: numeric
                            .iter()
                            .map(|(n, i)| (n.clone(), number(b.column(*i).as_ref(), r)))
                            .collect(),
                    });
                }
            }
        }
    }
    Ok(rows)
}

/// The scenario of a part file from its Hive partition folder (`.../scenario=<s>/part-k.parquet`).
pub fn partition_scenario(file: &Path) -> Option<String> {
    file.parent()?
        .file_name()?
        .to_str()?
        .strip_prefix("scenario=")
        .map(str::to_string)
}
