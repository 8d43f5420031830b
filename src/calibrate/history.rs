//! A calibration target made of observed series (`[target] metric = "history"`, MODEL.md
//! 7.18): the runs should reproduce the rows of an observed table (configs/data/observed.csv)
//! up to `fit_until`; later rows are held out (reported, never fitted). The objective is the
//! weighted mean of squared scaled errors over the fitted rows, each row's model value the
//! replicate mean:
//!
//! ```text
//! r_o = (m_o - y_o) / |y_o|           levels (prices, volumes, emissions, entities)
//! r_o = (m_o - y_o) / change_scale    changes of intensity (shares)
//! J   = sum_o w_o r_o^2 / sum_o w_o    w_o = the weight of the row's series
//! ```
//!
//! With `change_scale = 0.2`, an error of 1 percentage point in a change weighs as much as
//! an error of 5 % in a level.

use super::eval::Outcome;
use crate::error::{Error, Result};
use crate::history::memory::value;
use crate::history::observed::{Observation, Series};

/// Whether a row is fitted or only reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// In the objective.
    Fit,
    /// After `fit_until`: reported, not fitted.
    Holdout,
    /// Up to `fit_until` but of a series with weight 0: reported, not fitted.
    Unweighted,
}

impl Role {
    /// Name in the fit table.
    pub fn name(self) -> &'static str {
        match self {
            Role::Fit => "fit",
            Role::Holdout => "holdout",
            Role::Unweighted => "unweighted",
        }
    }
}

/// The observed rows and how each counts.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryFit {
    /// Each row with its weight and role.
    pub rows: Vec<(Observation, f64, Role)>,
    /// Scale of errors in changes (share): an error of `change_scale` counts like a relative
    /// error of 1 in a level.
    pub change_scale: f64,
}

/// One row of the fit table: the observation, its model value (replicate mean; None when
/// the runs have none) and its scaled error.
#[derive(Clone, Debug, PartialEq)]
pub struct FitRow {
    /// The observation.
    pub observation: Observation,
    /// Weight of its series.
    pub weight: f64,
    /// Role.
    pub role: Role,
    /// Replicate mean of the model value.
    pub model: Option<f64>,
    /// Scaled error `r_o`.
    pub scaled_error: Option<f64>,
}

impl HistoryFit {
    /// Splits `observations` into fitted and held-out rows: a row is fitted when its year is
    /// at most `fit_until` and its series has a positive weight in `weight`.
    pub fn new(
        observations: Vec<Observation>,
        fit_until: i32,
        weight: impl Fn(Series) -> f64,
        change_scale: f64,
    ) -> Self {
        let rows = observations
            .into_iter()
            .map(|o| {
                let w = weight(o.series);
                let role = if o.year > fit_until {
                    Role::Holdout
                } else if w > 0.0 {
                    Role::Fit
                } else {
                    Role::Unweighted
                };
                (o, w, role)
            })
            .collect();
        HistoryFit { rows, change_scale }
    }

    /// The scaled error of model value `m` against `o`.
    pub fn scaled(&self, o: &Observation, m: f64) -> f64 {
        if o.series.is_change() {
            (m - o.value) / self.change_scale
        } else {
            (m - o.value) / o.value.abs().max(f64::MIN_POSITIVE)
        }
    }

    /// Every row with its model value in `outcomes` (replicate mean).
    pub fn table(&self, outcomes: &[Outcome]) -> Vec<FitRow> {
        self.rows
            .iter()
            .map(|(o, w, role)| {
                let v: Option<Vec<f64>> = outcomes.iter().map(|x| value(&x.history, o)).collect();
                let model = v
                    .filter(|v| !v.is_empty())
                    .map(|v| v.iter().sum::<f64>() / v.len() as f64);
                FitRow {
                    observation: o.clone(),
                    weight: *w,
                    role: *role,
                    model,
                    scaled_error: model.map(|m| self.scaled(o, m)),
                }
            })
            .collect()
    }

    /// The objective `J` over the fitted rows; an error names a fitted row the runs have
    /// no value for (a market that is not active that year, a year outside the run).
    pub fn objective(&self, outcomes: &[Outcome]) -> Result<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        for row in self.table(outcomes) {
            if row.role != Role::Fit {
                continue;
            }
            let o = &row.observation;
            let r = row.scaled_error.ok_or_else(|| {
                Error::input(format!(
                    "target: the observed row {} {} {} has no model value (is the market active \
                     that year and the year simulated?); give its series weight 0 or drop it \
                     from the table",
                    o.series.name(),
                    o.scope,
                    o.year
                ))
            })?;
            num += row.weight * r * r;
            den += row.weight;
        }
        if den > 0.0 {
            Ok(num / den)
        } else {
            Err(Error::input(
                "target: no observed row is fitted (every row is after fit_until or of a series \
                 with weight 0)",
            ))
        }
    }
}

/// Root mean square of the scaled errors of the rows with `role` that have a model value
/// (unweighted; None when there are none).
pub fn rms(rows: &[FitRow], role: Role) -> Option<f64> {
    let e: Vec<f64> = rows
        .iter()
        .filter(|r| r.role == role)
        .filter_map(|r| r.scaled_error)
        .collect();
    (!e.is_empty()).then(|| (e.iter().map(|x| x * x).sum::<f64>() / e.len() as f64).sqrt())
}

/// The fit table as CSV: one row per observation with its model value, error, scaled error
/// and role.
pub fn to_csv(rows: &[FitRow]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Bug(format!("fit table: {e}"));
    // The columns as documented once in `output::tables::HistoryFit`.
    use crate::output::Table;
    let header: Vec<&str> = crate::output::HistoryFit::columns()
        .iter()
        .map(|c| c.name)
        .collect();
    w.write_record(&header).map_err(err)?;
    let num = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
    for r in rows {
        let o = &r.observation;
        w.write_record([
            o.series.name().to_string(),
            o.scope.clone(),
            o.year.to_string(),
            o.from_year.map_or(String::new(), |y| y.to_string()),
            o.value.to_string(),
            num(r.model),
            num(r.model.map(|m| m - o.value)),
            num(r.scaled_error),
            r.weight.to_string(),
            r.role.name().to_string(),
            o.confidence.clone(),
        ])
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Bug(format!("fit table: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Bug(format!("fit table: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(series: Series, scope: &str, year: i32, from: Option<i32>, value: f64) -> Observation {
        Observation {
            series,
            scope: scope.into(),
            year,
            from_year: from,
            value,
            unit: String::new(),
            source: String::new(),
            confidence: "H".into(),
        }
    }

    /// Two runs whose national price is 40 and 60 in 2021 (mean 50) and 10 in 2024; energy
    /// intensity 1.0 in 2005 and 0.85 in 2010 (-15 %).
    fn outcomes() -> Vec<Outcome> {
        [40.0, 60.0]
            .iter()
            .map(|&p| {
                let mut o = Outcome::default();
                let k =
                    |s: Series, scope: &str, y: i32| (String::new(), 0u64, s, scope.to_string(), y);
                o.history.insert(k(Series::Price, "national", 2021), p);
                o.history.insert(k(Series::Price, "national", 2024), 10.0);
                o.history
                    .insert(k(Series::EnergyIntensityChange, "nation", 2005), 1.0);
                o.history
                    .insert(k(Series::EnergyIntensityChange, "nation", 2010), 0.85);
                o
            })
            .collect()
    }

    #[test]
    fn the_objective_weighs_levels_relatively_and_changes_by_the_scale() {
        let rows = vec![
            obs(Series::Price, "national", 2021, None, 40.0),
            obs(
                Series::EnergyIntensityChange,
                "nation",
                2010,
                Some(2005),
                -0.191,
            ),
            obs(Series::Price, "national", 2024, None, 96.0),
        ];
        let fit = HistoryFit::new(rows, 2023, |_| 1.0, 0.2);
        let os = outcomes();
        // Price: (50 - 40) / 40 = 0.25; change: (-0.15 + 0.191) / 0.2 = 0.205.
        let j = fit.objective(&os).unwrap();
        let want = (0.25f64.powi(2) + 0.205f64.powi(2)) / 2.0;
        assert!((j - want).abs() < 1e-12, "{j} vs {want}");
        // 2024 is held out: reported with its error, not in J.
        let t = fit.table(&os);
        assert_eq!(t[2].role, Role::Holdout);
        assert!((t[2].scaled_error.unwrap() - (10.0 - 96.0) / 96.0).abs() < 1e-12);
        assert!((rms(&t, Role::Fit).unwrap() - want.sqrt()).abs() < 1e-12);
        // A series of weight 0 is reported only.
        let fit = HistoryFit::new(
            t.iter().map(|r| r.observation.clone()).collect(),
            2023,
            |s| if s == Series::Price { 0.0 } else { 2.0 },
            0.2,
        );
        let j = fit.objective(&os).unwrap();
        assert!((j - 0.205f64.powi(2)).abs() < 1e-12);
        assert_eq!(fit.table(&os)[0].role, Role::Unweighted);
        let csv = to_csv(&fit.table(&os)).unwrap();
        assert!(
            csv.starts_with("series,scope,year,from_year,observed,model"),
            "{csv}"
        );
        assert!(csv.contains("price,national,2024,,96,10,-86,"), "{csv}");
    }

    #[test]
    fn a_fitted_row_without_a_model_value_is_an_error() {
        let fit = HistoryFit::new(
            vec![obs(Series::Price, "fujian", 2020, None, 10.0)],
            2023,
            |_| 1.0,
            0.2,
        );
        let e = fit.objective(&outcomes()).unwrap_err().to_string();
        assert!(e.contains("price fujian 2020"), "{e}");
    }
}
