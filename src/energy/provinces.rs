//! The provincial power table: per province, shares of national quantities (load, installed
//! capacity by technology, storage) that split the national paths of `[power]` over the
//! provinces. A CSV table with a `province` column, numeric share columns of any name and
//! optional `conf_*` text columns (confidence tags); `#` lines are comments. The shipped
//! table is configs/data/power-provinces.csv.
//!
//! Units: shares of the national total (each column is normalised to sum to 1 when used).

use crate::error::{Error, Result};

/// The shipped provincial power table.
pub const EMBEDDED_POWER_PROVINCES: &str = include_str!("../../configs/data/power-provinces.csv");

/// A read provincial power table: share columns by name, each a value per province id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PowerTable {
    /// Where it came from (for errors).
    pub label: String,
    /// Column names in file order with their values per province id (`NaN` where absent).
    pub columns: Vec<(String, Vec<f64>)>,
}

impl PowerTable {
    /// Reads `text` (labelled `label`); `province_id` resolves names to ids `< provinces`.
    /// Every province must have one row; every value must be a finite share `>= 0`.
    pub fn parse(
        text: &str,
        label: &str,
        provinces: usize,
        province_id: impl Fn(&str) -> Option<u16>,
    ) -> Result<PowerTable> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| Error::input(format!("{label}: header: {e}")))?
            .clone();
        let Some(pcol) = headers.iter().position(|h| h == "province") else {
            return Err(Error::input(format!(
                "{label}: header: needs a `province` column"
            )));
        };
        let numeric: Vec<usize> = (0..headers.len())
            .filter(|&i| i != pcol && !headers[i].starts_with("conf"))
            .collect();
        let mut columns: Vec<(String, Vec<f64>)> = numeric
            .iter()
            .map(|&i| (headers[i].to_string(), vec![f64::NAN; provinces]))
            .collect();
        let mut seen = vec![false; provinces];
        let mut problems = Vec::new();
        for (row, rec) in reader.records().enumerate() {
            let at = format!("{label}: row {}", row + 1);
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!("{at}: {e}"));
                    continue;
                }
            };
            let name = rec.get(pcol).unwrap_or("");
            let Some(id) = province_id(name)
                .map(usize::from)
                .filter(|&i| i < provinces)
            else {
                problems.push(format!("{at}: province = {name:?}: no such province"));
                continue;
            };
            if seen[id] {
                problems.push(format!("{at}: province = {name:?}: listed twice"));
            }
            seen[id] = true;
            for (k, &i) in numeric.iter().enumerate() {
                let raw = rec.get(i).unwrap_or("");
                match raw.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= 0.0 => columns[k].1[id] = v,
                    _ => problems.push(format!(
                        "{at}: {} = {raw:?}: must be a number >= 0",
                        &headers[i]
                    )),
                }
            }
        }
        for (id, s) in seen.iter().enumerate() {
            if !s {
                problems.push(format!("{label}: province id {id}: has no row"));
            }
        }
        if problems.is_empty() {
            Ok(PowerTable {
                label: label.to_string(),
                columns,
            })
        } else {
            Err(Error::Input { problems })
        }
    }

    /// Column `name` as written, or why not (no such column).
    pub fn values(&self, name: &str) -> std::result::Result<Vec<f64>, String> {
        match self.columns.iter().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => {
                let names: Vec<&str> = self.columns.iter().map(|c| c.0.as_str()).collect();
                Err(format!(
                    "{name:?}: no such column of {} (it has {})",
                    self.label,
                    names.join(", ")
                ))
            }
        }
    }

    /// Column `name` normalised to sum to 1, or why not (no such column, all zero).
    pub fn shares(&self, name: &str) -> std::result::Result<Vec<f64>, String> {
        let v = self.values(name)?;
        let total: f64 = v.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(format!("{name:?}: column of {} sums to 0", self.label));
        }
        Ok(v.iter().map(|x| x / total).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: &str) -> Option<u16> {
        ["A", "B"].iter().position(|x| *x == n).map(|i| i as u16)
    }

    #[test]
    fn reads_and_normalises_columns() {
        let t = PowerTable::parse(
            "# c\nprovince,demand,wind,conf_demand\nA,3,0,M\nB,1,2,L\n",
            "t",
            2,
            id,
        )
        .unwrap();
        assert_eq!(t.shares("demand").unwrap(), vec![0.75, 0.25]);
        assert_eq!(t.shares("wind").unwrap(), vec![0.0, 1.0]);
        assert!(t.shares("solar").unwrap_err().contains("no such column"));
    }

    #[test]
    fn bad_rows_are_named() {
        let e = PowerTable::parse("province,demand\nA,x\nC,1\n", "t.csv", 2, id)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.csv: row 1: demand = \"x\""), "{e}");
        assert!(e.contains("t.csv: row 2: province = \"C\""), "{e}");
        assert!(e.contains("province id 1: has no row"), "{e}");
        let z = PowerTable::parse("province,demand\nA,0\nB,0\n", "t", 2, id).unwrap();
        assert!(z.shares("demand").unwrap_err().contains("sums to 0"));
    }

    #[test]
    fn the_shipped_table_covers_every_province() {
        let (_, rows) =
            crate::geography::load_province_rows("embedded", std::path::Path::new(".")).unwrap();
        let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
        let t = PowerTable::parse(EMBEDDED_POWER_PROVINCES, "embedded", names.len(), |n| {
            names.iter().position(|x| x == n).map(|i| i as u16)
        })
        .unwrap();
        for col in [
            "demand", "thermal", "hydro", "nuclear", "wind", "solar", "biomass", "storage",
        ] {
            let s = t.shares(col).unwrap();
            assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{col}");
        }
    }
}
