//! Inter-provincial transmission corridors as data: a CSV table
//! (`province_a,province_b,capacity_mw`, `#` comment lines; the shipped table is
//! configs/data/transmission-corridors.csv, about 2020-2023, confidence M) read into
//! [`super::dispatch::Corridor`]s of province ids.
//!
//! Units: capacity in MW, usable in each direction.

use crate::error::{Error, Result};
use serde::Deserialize;

/// The shipped corridor table (56 corridors).
pub const EMBEDDED_CORRIDORS: &str = include_str!("../../configs/data/transmission-corridors.csv");

/// One row of a corridor table.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CorridorRow {
    /// One end (a province name of the provinces table).
    pub province_a: String,
    /// The other end.
    pub province_b: String,
    /// Capacity in each direction, MW.
    pub capacity_mw: f64,
}

/// Reads a corridor table from `text` (labelled `label` in errors) and resolves its province
/// names with `province_id`; every problem names the table, the row and the column.
pub fn parse_corridors(
    text: &str,
    label: &str,
    province_id: impl Fn(&str) -> Option<u16>,
) -> Result<Vec<(u16, u16, f64)>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, rec) in reader.deserialize::<CorridorRow>().enumerate() {
        let at = format!("{label}: corridor {}", i + 1);
        let row = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        let a = province_id(&row.province_a);
        let b = province_id(&row.province_b);
        for (col, name, id) in [
            ("province_a", &row.province_a, a),
            ("province_b", &row.province_b, b),
        ] {
            if id.is_none() {
                problems.push(format!("{at}: {col} = {name:?}: no such province"));
            }
        }
        if !(row.capacity_mw.is_finite() && row.capacity_mw >= 0.0 && row.capacity_mw <= 1e7) {
            problems.push(format!(
                "{at}: capacity_mw = {}: must be within [0, 1e7]",
                row.capacity_mw
            ));
        }
        if let (Some(a), Some(b)) = (a, b) {
            if a == b {
                problems.push(format!("{at}: a corridor joins two different provinces"));
            } else {
                out.push((a, b, row.capacity_mw));
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Input { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::{CityLayout, GeographySpec, load_province_rows};

    #[test]
    fn the_shipped_table_names_provinces_of_the_provinces_table() {
        let (_, rows) = load_province_rows("embedded", std::path::Path::new(".")).unwrap();
        let layout = CityLayout {
            cities_per_province: 1,
            city_gdp_sigma: 0.0,
            named_cities: vec![],
        };
        let g = GeographySpec::new(&rows, &layout, "test").unwrap();
        let c = parse_corridors(EMBEDDED_CORRIDORS, "corridors", |n| g.province_id(n)).unwrap();
        assert_eq!(c.len(), 56);
        let total: f64 = c.iter().map(|x| x.2).sum();
        assert!(total > 3e5 && total < 1e6, "{total} MW");
        // The corridors reach at least 29 of the 31 provinces.
        let mut seen = std::collections::BTreeSet::new();
        for (a, b, _) in &c {
            seen.insert(*a);
            seen.insert(*b);
        }
        assert!(seen.len() >= 29, "{}", seen.len());
    }

    #[test]
    fn bad_rows_are_named() {
        let text = "province_a,province_b,capacity_mw\nA,B,10\nA,Z,-1\nA,A,5\nA,B,x\n";
        let id = |n: &str| match n {
            "A" => Some(0),
            "B" => Some(1),
            _ => None,
        };
        let err = parse_corridors(text, "t.csv", id).unwrap_err().to_string();
        assert!(
            err.contains("t.csv: corridor 2: province_b = \"Z\""),
            "{err}"
        );
        assert!(err.contains("corridor 2: capacity_mw = -1"), "{err}");
        assert!(err.contains("corridor 3: a corridor joins"), "{err}");
        assert!(err.contains("corridor 4:"), "{err}");
        assert_eq!(
            parse_corridors("province_a,province_b,capacity_mw\nA,B,10\n", "t", id).unwrap(),
            vec![(0, 1, 10.0)]
        );
    }
}
