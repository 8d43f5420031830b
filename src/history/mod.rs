//! `synergy validate-history`: a run or an experiment against the observed series of
//! configs/data/observed.csv (MODEL.md section 8.1). For every observation and every scenario
//! of every dataset below a folder, the model's value in each run (its mean, minimum and
//! maximum over the runs: the seed band) and its error; written as a CSV table.
//!
//! Units: as in each observation's `unit` (CNY/t, t CO2, entities, shares).

pub mod memory;
pub mod observed;

use crate::error::{Error, Result};
use crate::sweep::compare::read::{batches, datasets, number, part_files};
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int32Type, UInt64Type};
use observed::{Observation, Series};
use std::collections::BTreeMap;
use std::path::Path;

/// One observation against one scenario's runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Dataset folder name.
    pub dataset: String,
    /// Scenario name.
    pub scenario: String,
    /// The observation.
    pub observation: Observation,
    /// The model's value in each run that has it.
    pub model: Vec<f64>,
}

impl Comparison {
    /// Mean model value over the runs (None: no run has it).
    pub fn mean(&self) -> Option<f64> {
        (!self.model.is_empty()).then(|| self.model.iter().sum::<f64>() / self.model.len() as f64)
    }
    /// Mean minus observed, in the observation's unit.
    pub fn error(&self) -> Option<f64> {
        self.mean().map(|m| m - self.observation.value)
    }
    /// Error relative to the observed value (None when it is 0).
    pub fn relative_error(&self) -> Option<f64> {
        let o = self.observation.value;
        self.error().filter(|_| o != 0.0).map(|e| e / o.abs())
    }
}

/// (scenario, run, table key) -> value, where the key is (series, scope, year).
pub type Values = BTreeMap<(String, u64, Series, String, i32), f64>;

/// Compares every dataset below `dir` with `observations`.
pub fn compare(dir: &Path, observations: &[Observation]) -> Result<Vec<Comparison>> {
    let sets = datasets(dir);
    if sets.is_empty() {
        return Err(Error::input(format!(
            "{}: no dataset found (expected <dataset>/summary/scenario=*/part-*.parquet)",
            dir.display()
        )));
    }
    let mut out = Vec::new();
    for ds in sets {
        let name = ds
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let values = read_values(&ds)?;
        let scenarios: Vec<String> = {
            let mut v: Vec<String> = values.keys().map(|k| k.0.clone()).collect();
            v.dedup();
            v
        };
        for scenario in scenarios {
            for o in observations {
                let model = model_values(&values, &scenario, o);
                out.push(Comparison {
                    dataset: name.clone(),
                    scenario: scenario.clone(),
                    observation: o.clone(),
                    model,
                });
            }
        }
    }
    Ok(out)
}

/// The model's value of observation `o` in each run of `scenario`.
pub(crate) fn model_values(values: &Values, scenario: &str, o: &Observation) -> Vec<f64> {
    let runs: Vec<u64> = {
        let mut v: Vec<u64> = values
            .keys()
            .filter(|k| k.0 == scenario)
            .map(|k| k.1)
            .collect();
        v.dedup();
        v.sort_unstable();
        v.dedup();
        v
    };
    let get = |run: u64, series: Series, scope: &str, year: i32| {
        values
            .get(&(scenario.to_string(), run, series, scope.to_string(), year))
            .copied()
    };
    runs.into_iter()
        .filter_map(|run| match (o.series.is_change(), o.from_year) {
            (true, Some(from)) => {
                let (a, b) = (
                    get(run, o.series, "nation", from)?,
                    get(run, o.series, "nation", o.year)?,
                );
                (a > 0.0).then(|| b / a - 1.0)
            }
            _ => get(run, o.series, &o.scope, o.year),
        })
        .filter(|v| v.is_finite())
        .collect()
}

/// Reads the columns the observed series need from a dataset: `market_year` per market,
/// `nation_year` and the sums of `city_year` per year; intensities stored as levels under the
/// change series (energy use / GDP, emissions / GDP).
fn read_values(ds: &Path) -> Result<Values> {
    let mut v = Values::new();
    for (f, scenario) in files(ds, "market_year") {
        for b in batches(&f)? {
            let market = strings(&b, "market");
            let (run, year) = (u64s(&b, "run_id"), i32s(&b, "year"));
            for (series, col) in [
                (Series::Price, "price"),
                (Series::Volume, "volume"),
                (Series::CoveredEmissions, "covered_emissions"),
                (Series::Participants, "participants"),
            ] {
                let x = numbers(&b, col);
                for r in 0..b.num_rows() {
                    v.insert(
                        (scenario.clone(), run[r], series, market[r].clone(), year[r]),
                        x[r],
                    );
                }
            }
        }
    }
    for (f, scenario) in files(ds, "nation_year") {
        for b in batches(&f)? {
            let (run, year, e) = (
                u64s(&b, "run_id"),
                i32s(&b, "year"),
                numbers(&b, "emissions"),
            );
            for r in 0..b.num_rows() {
                let key = (
                    scenario.clone(),
                    run[r],
                    Series::NationalEmissions,
                    "nation".to_string(),
                    year[r],
                );
                v.insert(key, e[r]);
            }
        }
    }
    // Sums of energy use, emissions and GDP per (scenario, run, year).
    let mut sums: BTreeMap<(String, u64, i32), [f64; 3]> = BTreeMap::new();
    for (f, scenario) in files(ds, "city_year") {
        for b in batches(&f)? {
            let (run, year) = (u64s(&b, "run_id"), i32s(&b, "year"));
            let (energy, gdp) = (numbers(&b, "energy_use"), numbers(&b, "gdp"));
            let (ec, eu) = (
                numbers(&b, "emissions_covered"),
                numbers(&b, "emissions_uncovered"),
            );
            for r in 0..b.num_rows() {
                let s = sums.entry((scenario.clone(), run[r], year[r])).or_default();
                s[0] += energy[r];
                s[1] += ec[r] + eu[r];
                s[2] += gdp[r];
            }
        }
    }
    for ((scenario, run, year), [energy, emissions, gdp]) in sums {
        if gdp > 0.0 {
            let nation = "nation".to_string();
            v.insert(
                (
                    scenario.clone(),
                    run,
                    Series::EnergyIntensityChange,
                    nation.clone(),
                    year,
                ),
                energy / gdp,
            );
            v.insert(
                (scenario, run, Series::CarbonIntensityChange, nation, year),
                emissions / gdp,
            );
        }
    }
    Ok(v)
}

/// The complete part files of `table` with the scenario of each (from `scenario=<name>`).
fn files(ds: &Path, table: &str) -> Vec<(std::path::PathBuf, String)> {
    part_files(ds, table)
        .into_iter()
        .map(|f| {
            let scenario = f
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| {
                    n.to_string_lossy()
                        .trim_start_matches("scenario=")
                        .to_string()
                })
                .unwrap_or_default();
            (f, scenario)
        })
        .collect()
}

/// A numeric column as f64 (NaN where null, absent or not numeric).
fn numbers(b: &RecordBatch, col: &str) -> Vec<f64> {
    match b.column_by_name(col) {
        Some(c) => (0..b.num_rows()).map(|r| number(c.as_ref(), r)).collect(),
        None => vec![f64::NAN; b.num_rows()],
    }
}

fn u64s(b: &RecordBatch, col: &str) -> Vec<u64> {
    b.column_by_name(col)
        .and_then(|c| {
            c.as_primitive_opt::<UInt64Type>()
                .map(|a| a.values().to_vec())
        })
        .unwrap_or_else(|| vec![0; b.num_rows()])
}

fn i32s(b: &RecordBatch, col: &str) -> Vec<i32> {
    b.column_by_name(col)
        .and_then(|c| {
            c.as_primitive_opt::<Int32Type>()
                .map(|a| a.values().to_vec())
        })
        .unwrap_or_else(|| vec![0; b.num_rows()])
}

/// A string or dictionary-of-strings column as strings ("" where null or absent).
fn strings(b: &RecordBatch, col: &str) -> Vec<String> {
    let n = b.num_rows();
    let Some(c) = b.column_by_name(col) else {
        return vec![String::new(); n];
    };
    match arrow::compute::cast(c, &DataType::Utf8) {
        Ok(a) => {
            let a = a.as_string::<i32>();
            (0..n)
                .map(|r| {
                    if a.is_null(r) {
                        String::new()
                    } else {
                        a.value(r).to_string()
                    }
                })
                .collect()
        }
        Err(_) => vec![String::new(); n],
    }
}

/// The comparison as CSV text: one row per observation and scenario.
pub fn to_csv(rows: &[Comparison]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // The columns as documented once in `output::tables::HistoryValidation`.
    use crate::output::Table;
    let header: Vec<&str> = crate::output::HistoryValidation::columns()
        .iter()
        .map(|c| c.name)
        .collect();
    let fail = |e: csv::Error| Error::Bug(format!("writing CSV in memory: {e}"));
    w.write_record(&header).map_err(fail)?;
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v}"));
    for c in rows {
        let o = &c.observation;
        let min = c
            .model
            .iter()
            .copied()
            .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.min(b))));
        let max = c
            .model
            .iter()
            .copied()
            .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b))));
        w.write_record([
            c.dataset.clone(),
            c.scenario.clone(),
            o.series.name().to_string(),
            o.scope.clone(),
            o.year.to_string(),
            o.from_year.map_or(String::new(), |y| y.to_string()),
            format!("{}", o.value),
            o.unit.clone(),
            opt(c.mean()),
            opt(min),
            opt(max),
            c.model.len().to_string(),
            opt(c.error()),
            opt(c.relative_error()),
            o.confidence.clone(),
            o.source.clone(),
        ])
        .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Bug(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Bug(e.to_string()))
}
