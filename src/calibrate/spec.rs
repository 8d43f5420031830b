//! The calibration file (TOML), validated with key paths like a scenario:
//!
//! ```toml
//! [calibration]
//! name = "tax_300gt"
//! scenario = "../regimes/tax.toml"   # relative to this file, or "embedded"
//! replicates = 2                      # common random numbers: seeds from master_seed
//! master_seed = 2026
//! tolerance = 1e-3                    # relative
//! max_evaluations = 40
//! set = ["output.firm_level = \"none\""]   # optional extra overrides
//!
//! [[parameters]]
//! path = "markets.carbon_tax.tax"     # any --set path; [*] = every item of an array
//! mode = "scale"                      # or "set"
//! bounds = [0.2, 8.0]
//! from_year = 2026                    # optional: scale only points / items from then on
//! until_year = 2030                   # optional: scale a path exactly in from_year..=until_year
//!
//! [target]
//! metric = "cumulative_emissions"     # social_cost, allowance_payments, price
//! window = [2026, 2060]
//! value = 300e9                       # or: scenario = "../regimes/market_cap.toml"
//! # price target: metric = "price", market = "national", and either value (window mean)
//! # or observed = [[2021, 48.0], [2022, 55.0]] with optional weights = [1, 1]
//! ```

use super::eval::{METRIC_NAMES, Metric, Quantity};
use super::param::{Mode, Param};
use crate::config::validate::Checker;
use crate::error::{Error, Result};
use crate::history::observed::Series;
use serde::Deserialize;

/// A calibration file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalibration {
    /// `[calibration]`.
    pub calibration: RawHeader,
    /// `[[parameters]]`: what moves.
    pub parameters: Vec<RawParam>,
    /// `[target]`: what must be reached.
    pub target: RawTarget,
}

/// `[calibration]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    /// Name (letters, digits, `_`, `-`): the output folder and the calibrated file's name.
    pub name: String,
    /// Scenario file relative to the calibration file, or `"embedded"`.
    pub scenario: String,
    /// Replicates (common random numbers), >= 1.
    #[serde(default = "one")]
    pub replicates: u32,
    /// Master seed of the replicates' world seeds.
    #[serde(default)]
    pub master_seed: u64,
    /// Relative tolerance on the target, in (0, 0.5].
    #[serde(default = "tolerance")]
    pub tolerance: f64,
    /// Largest number of evaluations, 2-1000.
    #[serde(default = "max_evaluations")]
    pub max_evaluations: u64,
    /// Extra `--set` overrides applied before the parameters.
    #[serde(default)]
    pub set: Vec<String>,
}

fn one() -> u32 {
    1
}
fn tolerance() -> f64 {
    1e-3
}
fn max_evaluations() -> u64 {
    40
}

/// `[[parameters]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParam {
    /// Key path (`--set` syntax; `[*]` for every item of an array of tables).
    pub path: String,
    /// `scale` (multiply the value or every path point) or `set`.
    #[serde(default = "scale")]
    pub mode: String,
    /// `[lower, upper]` of the trial value.
    pub bounds: [f64; 2],
    /// Scale only points and items from this year on.
    #[serde(default)]
    pub from_year: Option<i32>,
    /// With it, scale a path exactly in the years `from_year..=until_year` (scale mode).
    #[serde(default)]
    pub until_year: Option<i32>,
}

fn scale() -> String {
    "scale".into()
}

/// `[target]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// One of [`METRIC_NAMES`].
    pub metric: String,
    /// `[first, last]` year (inclusive); default: the scenario's years.
    #[serde(default)]
    pub window: Option<[i32; 2]>,
    /// Target value in the metric's unit (t CO2, CNY, CNY per t).
    #[serde(default)]
    pub value: Option<f64>,
    /// Or: the metric of this scenario (same replicates), relative to the calibration file.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Market name, for `metric = "price"`.
    #[serde(default)]
    pub market: Option<String>,
    /// Observed `[[year, price], ...]`, for `metric = "price"`.
    #[serde(default)]
    pub observed: Option<Vec<(i32, f64)>>,
    /// Weights of the observed points (default 1 each).
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// For `metric = "history"`: the observed table, `"embedded"` (configs/data/observed.csv,
    /// the default) or a CSV path relative to the calibration file.
    #[serde(default)]
    pub table: Option<String>,
    /// For `metric = "history"`: the last year fitted; later rows are held out (required).
    #[serde(default)]
    pub fit_until: Option<i32>,
    /// For `metric = "history"`: weight per series name (default 1 for every series; 0:
    /// reported, not fitted).
    #[serde(default)]
    pub series_weights: Option<std::collections::BTreeMap<String, f64>>,
    /// For `metric = "history"`: an error of this size (share) in a change of intensity
    /// counts like a relative error of 1 in a level (default 0.2), in (0, 10].
    #[serde(default)]
    pub change_scale: Option<f64>,
}

/// What the target compares with.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// A number.
    Value(f64),
    /// The same metric of another scenario (path as written).
    Scenario(String),
    /// Observed prices (year, price, weight).
    Observed(Vec<(i32, f64, f64)>),
    /// Observed series of a table.
    History {
        /// `"embedded"` or a CSV path relative to the calibration file.
        table: String,
        /// Last year fitted.
        fit_until: i32,
        /// Weight per series (series not listed: 1).
        weights: Vec<(Series, f64)>,
        /// Scale of errors in changes.
        change_scale: f64,
    },
}

/// Every observed series, in table order.
const SERIES: [Series; 7] = [
    Series::Price,
    Series::Volume,
    Series::CoveredEmissions,
    Series::Participants,
    Series::NationalEmissions,
    Series::EnergyIntensityChange,
    Series::CarbonIntensityChange,
];

/// A checked calibration file.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The header.
    pub header: RawHeader,
    /// Parameters.
    pub params: Vec<Param>,
    /// The metric (window filled in later when absent: `None`).
    pub quantity: Quantity,
    /// Window, if given.
    pub window: Option<(i32, i32)>,
    /// What to reach.
    pub goal: Goal,
}

impl Calibration {
    /// The metric over `window` (or the given default window).
    pub fn metric(&self, default: (i32, i32)) -> Metric {
        Metric {
            quantity: self.quantity.clone(),
            window: self.window.unwrap_or(default),
        }
    }
}

/// Parses and checks calibration text; `label` names the file in errors.
pub fn parse(text: &str, label: &str) -> Result<Calibration> {
    let raw: RawCalibration =
        toml::from_str(text).map_err(|e| Error::input(format!("{label}: {e}")))?;
    let mut c = Checker::new(label);
    let h = &raw.calibration;
    if h.name.is_empty()
        || !h
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        c.fail(
            "calibration.name",
            format!("= {:?}: letters, digits, _ and - only", h.name),
        );
    }
    if !(1..=1000).contains(&h.replicates) {
        c.fail(
            "calibration.replicates",
            format!("= {}: must be within [1, 1000]", h.replicates),
        );
    }
    if !(h.tolerance > 0.0 && h.tolerance <= 0.5) {
        c.fail(
            "calibration.tolerance",
            format!("= {}: must be within (0, 0.5]", h.tolerance),
        );
    }
    if !(2..=1000).contains(&h.max_evaluations) {
        c.fail(
            "calibration.max_evaluations",
            format!("= {}: must be within [2, 1000]", h.max_evaluations),
        );
    }
    if raw.parameters.is_empty() {
        c.fail("parameters", "at least one [[parameters]] entry is needed");
    }
    let mut params = Vec::new();
    for (i, p) in raw.parameters.iter().enumerate() {
        let mode = match p.mode.as_str() {
            "scale" => Mode::Scale,
            "set" => Mode::Set,
            other => {
                c.fail(
                    &format!("parameters[{i}].mode"),
                    format!("= {other:?}: expected \"scale\" or \"set\""),
                );
                continue;
            }
        };
        let param = Param {
            path: p.path.clone(),
            mode,
            bounds: (p.bounds[0], p.bounds[1]),
            from_year: p.from_year,
            until_year: p.until_year,
        };
        match param.check() {
            Ok(()) => params.push(param),
            Err(e) => c.fail(&format!("parameters[{i}]"), e),
        }
    }
    let t = &raw.target;
    let quantity = match t.metric.as_str() {
        "cumulative_emissions" => Quantity::CumulativeEmissions,
        "social_cost" => Quantity::SocialCost,
        "allowance_payments" => Quantity::AllowancePayments,
        "history" => Quantity::History,
        "price" => match &t.market {
            Some(m) => Quantity::Price(m.clone()),
            None => {
                c.fail("target.market", "is required with metric = \"price\"");
                Quantity::Price(String::new())
            }
        },
        other => {
            c.fail(
                "target.metric",
                format!("= {other:?}: expected one of {}", METRIC_NAMES.join(", ")),
            );
            Quantity::CumulativeEmissions
        }
    };
    if let Some([a, b]) = t.window
        && a > b
    {
        c.fail(
            "target.window",
            format!("= [{a}, {b}]: first year after last"),
        );
    }
    let given = [
        t.value.is_some(),
        t.scenario.is_some(),
        t.observed.is_some(),
    ];
    let history_keys = [
        ("table", t.table.is_some()),
        ("fit_until", t.fit_until.is_some()),
        ("series_weights", t.series_weights.is_some()),
        ("change_scale", t.change_scale.is_some()),
    ];
    if quantity != Quantity::History {
        for (k, set) in history_keys {
            if set {
                c.fail(&format!("target.{k}"), "needs metric = \"history\"");
            }
        }
    }
    let goal = match given {
        _ if quantity == Quantity::History => {
            if given.iter().any(|g| *g) {
                c.fail(
                    "target",
                    "metric = \"history\" fits the observed table: value, scenario and observed \
                     do not apply",
                );
            }
            let fit_until = t.fit_until.unwrap_or_else(|| {
                c.fail(
                    "target.fit_until",
                    "is required with metric = \"history\": the last year fitted (later \
                     observations are held out)",
                );
                0
            });
            let mut weights = Vec::new();
            for (name, w) in t.series_weights.iter().flatten() {
                let key = format!("target.series_weights.{name}");
                match SERIES.iter().find(|s| s.name() == name) {
                    Some(s) => weights.push((*s, *w)),
                    None => c.fail(
                        &key,
                        format!(
                            "no such series; series are {}",
                            SERIES.map(|s| s.name()).join(", ")
                        ),
                    ),
                }
                if !(w.is_finite() && *w >= 0.0) {
                    c.fail(&key, format!("= {w}: must be >= 0"));
                }
            }
            let change_scale = t.change_scale.unwrap_or(0.2);
            if !(change_scale > 0.0 && change_scale <= 10.0) {
                c.fail(
                    "target.change_scale",
                    format!("= {change_scale}: must be within (0, 10]"),
                );
            }
            Goal::History {
                table: t.table.clone().unwrap_or_else(|| "embedded".into()),
                fit_until,
                weights,
                change_scale,
            }
        }
        [true, false, false] => {
            let v = t.value.unwrap_or_default();
            if !v.is_finite() || v == 0.0 {
                c.fail(
                    "target.value",
                    format!("= {v}: must be finite and non-zero"),
                );
            }
            Goal::Value(v)
        }
        [false, true, false] => Goal::Scenario(t.scenario.clone().unwrap_or_default()),
        [false, false, true] => {
            let obs = t.observed.clone().unwrap_or_default();
            if !matches!(quantity, Quantity::Price(_)) {
                c.fail("target.observed", "needs metric = \"price\"");
            }
            let weights = t.weights.clone().unwrap_or_else(|| vec![1.0; obs.len()]);
            if weights.len() != obs.len() {
                c.fail(
                    "target.weights",
                    format!(
                        "{} weights for {} observed points",
                        weights.len(),
                        obs.len()
                    ),
                );
            }
            if obs.is_empty() {
                c.fail("target.observed", "needs at least one [year, price] point");
            }
            for (k, (&(y, p), w)) in obs.iter().zip(&weights).enumerate() {
                if !(p.is_finite() && p > 0.0) {
                    c.fail(
                        &format!("target.observed[{k}]"),
                        format!("= [{y}, {p}]: the price must be > 0"),
                    );
                }
                if !(w.is_finite() && *w >= 0.0) {
                    c.fail(
                        &format!("target.weights[{k}]"),
                        format!("= {w}: must be >= 0"),
                    );
                }
            }
            Goal::Observed(
                obs.iter()
                    .zip(&weights)
                    .map(|(&(y, p), &w)| (y, p, w))
                    .collect(),
            )
        }
        _ => {
            c.fail("target", "give exactly one of value, scenario or observed");
            Goal::Value(1.0)
        }
    };
    if !c.problems.is_empty() {
        return Err(Error::Input {
            problems: c.problems,
        });
    }
    Ok(Calibration {
        header: raw.calibration,
        params,
        quantity,
        window: t.window.map(|[a, b]| (a, b)),
        goal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
[calibration]
name = "t"
scenario = "embedded"
[[parameters]]
path = "markets.national.floor"
mode = "set"
bounds = [0, 500]
[target]
metric = "cumulative_emissions"
window = [2026, 2030]
value = 1e10
"#;

    #[test]
    fn a_good_file_parses() {
        let c = parse(OK, "c.toml").unwrap();
        assert_eq!(c.params[0].mode, Mode::Set);
        assert_eq!(c.goal, Goal::Value(1e10));
        assert_eq!(c.window, Some((2026, 2030)));
        assert_eq!(c.header.replicates, 1);
    }

    #[test]
    fn bad_values_are_named() {
        let bad = OK
            .replace("mode = \"set\"", "mode = \"double\"")
            .replace("value = 1e10", "value = 1e10\nscenario = \"x.toml\"")
            .replace("[2026, 2030]", "[2030, 2026]");
        let e = parse(&bad, "c.toml").unwrap_err().to_string();
        assert!(e.contains("c.toml: parameters[0].mode"), "{e}");
        assert!(e.contains("exactly one of value"), "{e}");
        assert!(e.contains("target.window"), "{e}");
        let e = parse(&OK.replace("cumulative_emissions", "nope"), "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("target.metric") && e.contains("social_cost"),
            "{e}"
        );
        let e = parse(
            &OK.replace("name = \"t\"", "name = \"t\"\nfoo = 1"),
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("foo"), "{e}");
    }

    #[test]
    fn history_targets_need_fit_until_and_known_series() {
        let hist = OK.replace(
            "metric = \"cumulative_emissions\"\nwindow = [2026, 2030]\nvalue = 1e10",
            "metric = \"history\"\nfit_until = 2023\nseries_weights = { price = 2 }",
        );
        let c = parse(&hist, "c.toml").unwrap();
        match c.goal {
            Goal::History {
                ref table,
                fit_until,
                ref weights,
                change_scale,
            } => {
                assert_eq!((table.as_str(), fit_until), ("embedded", 2023));
                assert_eq!(weights, &vec![(Series::Price, 2.0)]);
                assert_eq!(change_scale, 0.2);
            }
            ref g => panic!("{g:?}"),
        }
        let e = parse(
            &hist
                .replace("fit_until = 2023\n", "")
                .replace("price = 2", "prices = -1"),
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("target.fit_until"), "{e}");
        assert!(
            e.contains("target.series_weights.prices") && e.contains("energy_intensity_change"),
            "{e}"
        );
        assert!(e.contains("must be >= 0"), "{e}");
        let e = parse(
            &hist.replace("fit_until = 2023", "fit_until = 2023\nvalue = 3"),
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("do not apply"), "{e}");
        let e = parse(
            &OK.replace("value = 1e10", "value = 1e10\nfit_until = 2020"),
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("target.fit_until") && e.contains("needs metric"),
            "{e}"
        );
    }
}
