//! A scenario parameter that a calibration moves: any `--set` path, set to the trial value
//! or scaled by it (a multiplier on a number or on every point of a time path), optionally
//! only from a year on; `[*]` in the path means every item of an array of tables (e.g. every
//! plan's cut: `plans[*].carbon_intensity_cut`, with `from_year` only plans starting then or
//! later). A trial value becomes `--set` overrides, so the calibrated scenario is the
//! original file plus those overrides, validated like any other.

use crate::config::overrides::{self, Segment};
use crate::error::{Error, Result};
use toml::{Table, Value};

/// How the trial value acts on the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The value at the path is the trial value.
    Set,
    /// The value (a number or every point of a path) is multiplied by the trial value.
    Scale,
}

/// One moved parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Key path (`--set` syntax, `[*]` for every item of an array).
    pub path: String,
    /// Set or scale.
    pub mode: Mode,
    /// Lower and upper bound of the trial value.
    pub bounds: (f64, f64),
    /// Scale only path points (and array items by `start_year`) from this year on.
    pub from_year: Option<i32>,
    /// With it, scale a time path exactly in the years `from_year..=until_year` (the
    /// path's yearly values there are multiplied, the others kept, by adding breakpoints at
    /// the window's edges), so that parameters on disjoint windows of one path compose.
    pub until_year: Option<i32>,
}

/// The `--set` overrides of every parameter at its trial value, each computed on the
/// document as the earlier ones left it (so that two parameters on one path, e.g. two
/// windows of it, compose instead of the later one replacing the earlier one).
pub fn overrides_of(
    params: &[Param],
    doc: &Table,
    x: impl Fn(usize) -> f64,
) -> Result<Vec<String>> {
    let mut d = doc.clone();
    let mut out = Vec::new();
    for (k, p) in params.iter().enumerate() {
        for o in p.overrides(&d, x(k))? {
            overrides::apply(&mut d, &overrides::parse(&o)?, "calibration parameter")?;
            out.push(o);
        }
    }
    Ok(out)
}

impl Param {
    /// Parses the compact form `PATH[:scale|:set][@FROM_YEAR]` (a regime file's
    /// `stringency`); `mode` defaults to scale.
    pub fn parse_compact(text: &str, bounds: (f64, f64)) -> Result<Self> {
        let bad = |why: &str| Error::input(format!("stringency = {text:?}: {why}"));
        let (rest, from_year) = match text.rsplit_once('@') {
            Some((r, y)) => (
                r,
                Some(
                    y.trim()
                        .parse::<i32>()
                        .map_err(|_| bad("the year after @ must be an integer"))?,
                ),
            ),
            None => (text, None),
        };
        let (path, mode) = match rest.rsplit_once(':') {
            Some((p, "scale")) => (p, Mode::Scale),
            Some((p, "set")) => (p, Mode::Set),
            Some((_, m)) => return Err(bad(&format!("mode {m:?}: expected scale or set"))),
            None => (rest, Mode::Scale),
        };
        let p = Param {
            path: path.trim().to_string(),
            mode,
            bounds,
            from_year,
            until_year: None,
        };
        p.check().map_err(|e| bad(&e))?;
        Ok(p)
    }

    /// Checks the path syntax and the bounds; the problem without the key.
    pub fn check(&self) -> std::result::Result<(), String> {
        let (lo, hi) = self.bounds;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(format!(
                "bounds [{lo}, {hi}] must be finite with lower < upper"
            ));
        }
        if self.mode == Mode::Scale && lo < 0.0 {
            return Err(format!("a scale factor's bounds must be >= 0 (got {lo})"));
        }
        if let (Some(a), Some(b)) = (self.from_year, self.until_year)
            && b < a
        {
            return Err(format!("until_year = {b} is before from_year = {a}"));
        }
        if self.until_year.is_some() && self.mode == Mode::Set {
            return Err("until_year needs mode = \"scale\" (it scales a window of a path)".into());
        }
        if self.path.matches("[*]").count() > 1 {
            return Err("at most one [*] in a path".into());
        }
        let probe = self.path.replace("[*]", "[0]");
        overrides::parse(&format!("{probe}=0"))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// The concrete paths in `doc`: `[*]` expanded over the array's items (by name where
    /// they have one; with `from_year`, items whose `start_year` is earlier are left out).
    fn paths(&self, doc: &Table) -> Result<Vec<String>> {
        let Some((prefix, suffix)) = self.path.split_once("[*]") else {
            return Ok(vec![self.path.clone()]);
        };
        let arr = segments(prefix)
            .ok()
            .and_then(|s| overrides::get(doc, &s))
            .and_then(Value::as_array)
            .ok_or_else(|| {
                Error::input(format!(
                    "parameter {:?}: {prefix:?} is not an array in the scenario",
                    self.path
                ))
            })?;
        let mut out = Vec::new();
        for (i, item) in arr.iter().enumerate() {
            let start = item.get("start_year").and_then(Value::as_integer);
            if let (Some(f), Some(s)) = (self.from_year, start)
                && s < i64::from(f)
            {
                continue;
            }
            match item.get("name").and_then(Value::as_str) {
                Some(n) => out.push(format!("{prefix}[name={n}]{suffix}")),
                None => out.push(format!("{prefix}[{i}]{suffix}")),
            }
        }
        Ok(out)
    }

    /// The `--set` overrides that put trial value `x` into `doc` (the merged scenario).
    pub fn overrides(&self, doc: &Table, x: f64) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for path in self.paths(doc)? {
            let value = match self.mode {
                Mode::Set => Value::Float(x),
                Mode::Scale => {
                    let current = segments(&path)
                        .ok()
                        .and_then(|s| overrides::get(doc, &s))
                        .ok_or_else(|| {
                            Error::input(format!(
                                "parameter {:?}: the scenario has no value at {path:?} to scale",
                                self.path
                            ))
                        })?;
                    scaled(current, x, self.from_year, self.until_year).ok_or_else(|| {
                        Error::input(format!(
                            "parameter {:?}: {path:?} = {current} is neither a number nor a \
                             [[year, value], ...] path",
                            self.path
                        ))
                    })?
                }
            };
            out.push(format!("{path}={value}"));
        }
        Ok(out)
    }
}

/// The segments of a key path.
fn segments(path: &str) -> Result<Vec<Segment>> {
    Ok(overrides::parse(&format!("{path}=0"))?.path)
}

/// `v` times `x`: a number, or the values of `[[year, value], ...]` points (with `from`,
/// only points from that year on; with `until` too, exactly the yearly values of
/// `from..=until`, see [`scaled_window`]).
fn scaled(v: &Value, x: f64, from: Option<i32>, until: Option<i32>) -> Option<Value> {
    let num = |v: &Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    if let Some(n) = num(v) {
        return Some(Value::Float(n * x));
    }
    if let Some(until) = until {
        return scaled_window(v, x, from.unwrap_or(i32::MIN / 2), until);
    }
    let points = v.as_array()?;
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        let pair = p.as_array().filter(|a| a.len() == 2)?;
        let year = pair[0].as_integer()?;
        let val = num(&pair[1])?;
        let f = if from.is_none_or(|f| year >= i64::from(f)) {
            x
        } else {
            1.0
        };
        out.push(Value::Array(vec![
            Value::Integer(year),
            Value::Float(val * f),
        ]));
    }
    Some(Value::Array(out))
}

/// A path whose yearly values are `x` times those of `v` in `from..=until` and unchanged
/// elsewhere: the points of `v` plus breakpoints at `from - 1`, `from`, `until` and
/// `until + 1` (where they lie inside the path's span or next to it), each valued from the
/// original linear interpolation, scaled inside the window. A constant path is a number and
/// does not get here.
fn scaled_window(v: &Value, x: f64, from: i32, until: i32) -> Option<Value> {
    use crate::config::series::PathRaw;
    let num = |v: &Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    let mut pts: Vec<(i32, f64)> = Vec::new();
    for p in v.as_array()? {
        let pair = p.as_array().filter(|a| a.len() == 2)?;
        pts.push((i32::try_from(pair[0].as_integer()?).ok()?, num(&pair[1])?));
    }
    let (first, last) = (pts.first()?.0, pts.last()?.0);
    let path = PathRaw::Points(pts.clone());
    let mut years: Vec<i32> = pts.iter().map(|p| p.0).collect();
    for y in [from - 1, from, until, until + 1] {
        // Outside the span the path is constant: one breakpoint next to it is enough.
        if y >= first - 1 && y <= last + 1 {
            years.push(y);
        }
    }
    years.sort_unstable();
    years.dedup();
    let out = years
        .into_iter()
        .map(|y| {
            let f = if y >= from && y <= until { x } else { 1.0 };
            Value::Array(vec![
                Value::Integer(i64::from(y)),
                Value::Float(path.at(y) * f),
            ])
        })
        .collect();
    Some(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        r#"
[[markets]]
name = "tax"
tax = [[2026, 60.0], [2030, 100]]
floor = 50
[[plans]]
name = "14th"
start_year = 2021
carbon_intensity_cut = 0.18
[[plans]]
name = "15th"
start_year = 2026
carbon_intensity_cut = 0.2
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn compact_form_and_checks() {
        let p = Param::parse_compact("markets.tax.tax:scale@2030", (0.1, 10.0)).unwrap();
        assert_eq!(p.mode, Mode::Scale);
        assert_eq!(p.from_year, Some(2030));
        assert_eq!(p.path, "markets.tax.tax");
        assert_eq!(
            Param::parse_compact("a.b:set", (0.0, 1.0)).unwrap().mode,
            Mode::Set
        );
        assert!(Param::parse_compact("a.b:double", (0.0, 1.0)).is_err());
        assert!(Param::parse_compact("a.b", (1.0, 1.0)).is_err());
        assert!(Param::parse_compact("a.b:scale", (-1.0, 1.0)).is_err());
        assert!(Param::parse_compact("a..b", (0.0, 1.0)).is_err());
    }

    #[test]
    fn scale_multiplies_numbers_and_paths() {
        let d = doc();
        let p = Param::parse_compact("markets.tax.tax", (0.1, 10.0)).unwrap();
        assert_eq!(
            p.overrides(&d, 2.0).unwrap(),
            vec!["markets.tax.tax=[[2026, 120.0], [2030, 200.0]]"]
        );
        let p = Param::parse_compact("markets.tax.tax@2030", (0.1, 10.0)).unwrap();
        assert_eq!(
            p.overrides(&d, 2.0).unwrap(),
            vec!["markets.tax.tax=[[2026, 60.0], [2030, 200.0]]"]
        );
        let p = Param::parse_compact("markets[0].floor:set", (0.0, 100.0)).unwrap();
        assert_eq!(
            p.overrides(&d, 75.0).unwrap(),
            vec!["markets[0].floor=75.0"]
        );
        let p = Param::parse_compact("markets.tax.nothing", (0.1, 10.0)).unwrap();
        assert!(p.overrides(&d, 2.0).is_err());
    }

    /// A window of a path: the yearly values of 2027-2028 doubled, every other year as it
    /// was; two windows of one path compose.
    #[test]
    fn a_window_scales_exactly_its_years_and_windows_compose() {
        use crate::config::series::PathRaw;
        let d = doc();
        let window = |from, until| Param {
            path: "markets.tax.tax".into(),
            mode: Mode::Scale,
            bounds: (0.1, 10.0),
            from_year: Some(from),
            until_year: Some(until),
        };
        let read = |set: &[String]| {
            let mut d2 = d.clone();
            for o in set {
                overrides::apply(&mut d2, &overrides::parse(o).unwrap(), "t").unwrap();
            }
            let pts: Vec<(i32, f64)> = d2["markets"][0]["tax"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let a = p.as_array().unwrap();
                    (a[0].as_integer().unwrap() as i32, a[1].as_float().unwrap())
                })
                .collect();
            PathRaw::Points(pts)
        };
        // Original: 60 in 2026 rising by 10 a year to 100 in 2030, constant outside.
        let orig = |y: i32| 60.0 + 10.0 * (y.clamp(2026, 2030) - 2026) as f64;
        let set = overrides_of(&[window(2027, 2028)], &d, |_| 2.0).unwrap();
        let p = read(&set);
        for y in 2020..2036 {
            let want = if (2027..=2028).contains(&y) { 2.0 } else { 1.0 } * orig(y);
            assert!((p.at(y) - want).abs() < 1e-9, "{y}: {} vs {want}", p.at(y));
        }
        // Two disjoint windows of the same path: both apply.
        let set = overrides_of(&[window(2026, 2027), window(2029, 2040)], &d, |k| {
            [0.5, 3.0][k]
        })
        .unwrap();
        let p = read(&set);
        for y in 2020..2036 {
            let f = match y {
                2026..=2027 => 0.5,
                2029..=2040 => 3.0,
                _ => 1.0,
            };
            assert!((p.at(y) - f * orig(y)).abs() < 1e-9, "{y}");
        }
        // A window needs scale mode and until >= from.
        let mut bad = window(2030, 2026);
        assert!(bad.check().unwrap_err().contains("before"));
        bad = window(2026, 2030);
        bad.mode = Mode::Set;
        assert!(bad.check().unwrap_err().contains("scale"));
    }

    #[test]
    fn wildcard_expands_over_items_from_a_year() {
        let d = doc();
        let p = Param::parse_compact("plans[*].carbon_intensity_cut", (0.1, 3.0)).unwrap();
        assert_eq!(
            p.overrides(&d, 0.5).unwrap(),
            vec![
                "plans[name=14th].carbon_intensity_cut=0.09",
                "plans[name=15th].carbon_intensity_cut=0.1"
            ]
        );
        let p = Param::parse_compact("plans[*].carbon_intensity_cut@2026", (0.1, 3.0)).unwrap();
        assert_eq!(
            p.overrides(&d, 0.5).unwrap(),
            vec!["plans[name=15th].carbon_intensity_cut=0.1"]
        );
        // The overrides apply to the document.
        let mut d2 = d.clone();
        for o in p.overrides(&d, 0.5).unwrap() {
            overrides::apply(&mut d2, &overrides::parse(&o).unwrap(), "f").unwrap();
        }
        assert_eq!(d2["plans"][1]["carbon_intensity_cut"].as_float(), Some(0.1));
    }
}
