//! The table of observed series (configs/data/observed.csv): one row per observation with its
//! source and confidence tag, checked on reading (errors name the file, the row and the column).

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::Path;

/// The shipped table.
pub const EMBEDDED_OBSERVED: &str = include_str!("../../configs/data/observed.csv");

/// What an observation measures, and where the model's value comes from.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Series {
    /// A market's clearing price, CNY per t CO2 (`market_year.price`).
    Price,
    /// Allowances bought by a market's firms, t CO2 (`market_year.volume`).
    Volume,
    /// A market's covered emissions, t CO2 (`market_year.covered_emissions`).
    CoveredEmissions,
    /// A market's covered firms (`market_year.participants`).
    Participants,
    /// National emissions, t CO2 (`nation_year.emissions`).
    NationalEmissions,
    /// Relative change of national energy intensity from `from_year` (sum of
    /// `city_year.energy_use` over sum of `city_year.gdp`).
    EnergyIntensityChange,
    /// Relative change of national carbon intensity from `from_year` (`city_year` emissions
    /// over GDP).
    CarbonIntensityChange,
}

impl Series {
    /// Name as in the table.
    pub fn name(self) -> &'static str {
        match self {
            Series::Price => "price",
            Series::Volume => "volume",
            Series::CoveredEmissions => "covered_emissions",
            Series::Participants => "participants",
            Series::NationalEmissions => "national_emissions",
            Series::EnergyIntensityChange => "energy_intensity_change",
            Series::CarbonIntensityChange => "carbon_intensity_change",
        }
    }
    /// Whether the series is a change from a base year.
    pub fn is_change(self) -> bool {
        matches!(
            self,
            Series::EnergyIntensityChange | Series::CarbonIntensityChange
        )
    }
}

/// One observation.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Observation {
    /// What it measures.
    pub series: Series,
    /// A market name, or `nation`.
    pub scope: String,
    /// Year (the end year of a change).
    pub year: i32,
    /// Base year of a change (empty for levels).
    pub from_year: Option<i32>,
    /// Observed value, in `unit`.
    pub value: f64,
    /// Unit, as written.
    pub unit: String,
    /// Where it comes from.
    pub source: String,
    /// Confidence tag: H, M or L.
    pub confidence: String,
}

/// Reads the table `source`: `"embedded"` or a CSV path.
pub fn load(source: &str) -> Result<(String, Vec<Observation>)> {
    let (label, text) = if source == "embedded" {
        (
            "embedded observed.csv".to_string(),
            EMBEDDED_OBSERVED.to_string(),
        )
    } else {
        let path = Path::new(source);
        let text = crate::input::read_text(path)
            .map_err(|e| Error::input(format!("--observed {source:?}: cannot read it: {e}")))?;
        (path.display().to_string(), text)
    };
    let rows = parse(&text, &label)?;
    Ok((label, rows))
}

/// Parses and checks a table; every problem names `label`, the row and the column.
pub fn parse(text: &str, label: &str) -> Result<Vec<Observation>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (i, rec) in reader.deserialize::<Observation>().enumerate() {
        let at = format!("{label}: observation {}", i + 1);
        match rec {
            Err(e) => problems.push(format!(
                "{at}: {e} (series is one of price, volume, covered_emissions, participants, national_emissions, energy_intensity_change, carbon_intensity_change)"
            )),
            Ok(o) => {
                if !o.value.is_finite() {
                    problems.push(format!("{at}: value = {}: must be finite", o.value));
                }
                if !["H", "M", "L", "H/M"].contains(&o.confidence.as_str()) {
                    problems.push(format!(
                        "{at}: confidence = {:?}: must be H, M, L or H/M",
                        o.confidence
                    ));
                }
                match (o.series.is_change(), o.from_year) {
                    (true, None) => problems.push(format!(
                        "{at}: from_year: a change needs its base year"
                    )),
                    (true, Some(y)) if y >= o.year => problems.push(format!(
                        "{at}: from_year = {y}: must be before year = {}",
                        o.year
                    )),
                    (false, Some(_)) => problems.push(format!(
                        "{at}: from_year: only changes have a base year"
                    )),
                    _ => {}
                }
                rows.push(o);
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(format!("{label}: no observations"));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(Error::Input { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_reads() {
        let rows = parse(EMBEDDED_OBSERVED, "observed").unwrap();
        assert!(rows.len() >= 25);
        let p2024 = rows
            .iter()
            .find(|o| o.series == Series::Price && o.scope == "national" && o.year == 2024)
            .unwrap();
        assert_eq!(p2024.value, 95.96);
        assert!(rows.iter().all(|o| !o.source.is_empty()));
    }

    #[test]
    fn bad_rows_are_named() {
        let head = "series,scope,year,from_year,value,unit,source,confidence\n";
        let err = |body: &str| {
            parse(&format!("{head}{body}"), "t.csv")
                .unwrap_err()
                .to_string()
        };
        assert!(err("prize,national,2021,,1,x,s,H\n").contains("t.csv: observation 1"));
        assert!(err("price,national,2021,,1,x,s,Q\n").contains("confidence"));
        assert!(err("energy_intensity_change,nation,2010,,1,x,s,H\n").contains("from_year"));
        assert!(err("energy_intensity_change,nation,2010,2010,1,x,s,H\n").contains("before"));
        assert!(err("price,national,2021,2020,1,x,s,H\n").contains("only changes"));
        assert!(err("").contains("no observations"));
    }
}
