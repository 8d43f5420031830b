//! Validation of a parsed experiment: every range and consistency problem, each reported as
//! `<file>: <key path> = <value>: <what is allowed>`.

use super::spec::{Dist, MAX_RUNS, Method, RawExperiment, RawParameter, RawSamples};
use crate::config::overrides;
use crate::error::{Error, Result};

/// Distribution names with their fields, in the order used in messages.
const DISTS: [(&str, &[&str]); 5] = [
    ("uniform", &["min", "max"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["median", "sigma"]),
    ("triangular", &["min", "mode", "max"]),
    ("values", &["values"]),
];

impl RawParameter {
    fn field(&self, name: &str) -> Option<f64> {
        match name {
            "min" => self.min,
            "max" => self.max,
            "mode" => self.mode,
            "mean" => self.mean,
            "sd" => self.sd,
            "median" => self.median,
            "sigma" => self.sigma,
            _ => None,
        }
    }

    fn present_fields(&self) -> Vec<&'static str> {
        let names = ["min", "max", "mode", "mean", "sd", "median", "sigma"];
        let mut v: Vec<&'static str> = names
            .into_iter()
            .filter(|n| self.field(n).is_some())
            .collect();
        if self.values.is_some() {
            v.push("values");
        }
        v
    }

    /// The validated distribution, or `(key suffix, message)` problems. `key suffix` is a
    /// field name such as `max`, to be prefixed with the parameter's key path.
    pub fn to_dist(&self) -> std::result::Result<Dist, Vec<(String, String)>> {
        let mut bad: Vec<(String, String)> = Vec::new();
        let Some(name) = self.dist.as_deref() else {
            return Err(vec![(
                "dist".into(),
                "missing: must be one of uniform, normal, lognormal, triangular, values".into(),
            )]);
        };
        let Some((name, needed)) = DISTS.iter().find(|(d, _)| *d == name) else {
            return Err(vec![(
                "dist".into(),
                format!(
                    "= {name:?}: must be one of uniform, normal, lognormal, triangular, values"
                ),
            )]);
        };
        for f in self.present_fields() {
            if !needed.contains(&f) {
                bad.push((
                    f.into(),
                    format!("not a field of {name} (fields: {})", needed.join(", ")),
                ));
            }
        }
        let mut num = |f: &str| match self.field(f) {
            Some(v) if v.is_finite() => v,
            Some(v) => {
                bad.push((f.into(), format!("= {v}: must be a finite number")));
                f64::NAN
            }
            None if *name != "values" => {
                bad.push((
                    f.into(),
                    format!("missing: {name} needs {}", needed.join(", ")),
                ));
                f64::NAN
            }
            None => f64::NAN,
        };
        let dist = match *name {
            "uniform" => Dist::Uniform {
                min: num("min"),
                max: num("max"),
            },
            "normal" => Dist::Normal {
                mean: num("mean"),
                sd: num("sd"),
            },
            "lognormal" => Dist::Lognormal {
                median: num("median"),
                sigma: num("sigma"),
            },
            "triangular" => Dist::Triangular {
                min: num("min"),
                mode: num("mode"),
                max: num("max"),
            },
            _ => Dist::Values(self.values.clone().unwrap_or_default()),
        };
        match &dist {
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } if max <= min => {
                bad.push(("max".into(), format!("= {max}: must be above min = {min}")));
            }
            Dist::Normal { sd, .. } if *sd <= 0.0 => {
                bad.push((
                    "sd".into(),
                    format!("= {sd}: must be > 0 (a fixed value belongs in a scenario's set)"),
                ));
            }
            Dist::Lognormal { median, sigma } => {
                if *median <= 0.0 {
                    bad.push(("median".into(), format!("= {median}: must be > 0")));
                }
                if *sigma <= 0.0 {
                    bad.push((
                        "sigma".into(),
                        format!(
                            "= {sigma}: must be > 0 (a fixed value belongs in a scenario's set)"
                        ),
                    ));
                }
            }
            Dist::Values(v) if v.is_empty() => {
                bad.push((
                    "values".into(),
                    "missing or empty: values needs at least one number".into(),
                ));
            }
            Dist::Values(v) if v.iter().any(|x| !x.is_finite()) => {
                bad.push(("values".into(), "must all be finite numbers".into()));
            }
            _ => {}
        }
        if let Dist::Triangular { min, mode, max } = &dist
            && [min, mode, max].iter().all(|v| v.is_finite())
            && !(min <= mode && mode <= max)
        {
            bad.push((
                "mode".into(),
                format!("= {mode}: must be within [min, max] = [{min}, {max}]"),
            ));
        }
        if bad.is_empty() { Ok(dist) } else { Err(bad) }
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parses and validates experiment text; `label` names the file in errors. Every
/// validation problem is reported in one [`Error::Input`].
pub fn parse_experiment(text: &str, label: &str) -> Result<RawExperiment> {
    let exp: RawExperiment =
        toml::from_str(text).map_err(|e| Error::input(format!("{label}: {e}")))?;
    let problems = validate(&exp, label);
    if problems.is_empty() {
        Ok(exp)
    } else {
        Err(Error::Input { problems })
    }
}

/// Reads, parses and validates an experiment file.
pub fn load_experiment(path: &std::path::Path) -> Result<RawExperiment> {
    let label = path.display().to_string();
    let text = crate::input::read_text(path)
        .map_err(|e| Error::input(format!("{label}: cannot read experiment file: {e}")))?;
    parse_experiment(&text, &label)
}

/// Every problem of a parsed experiment, each `<label>: <key path>...: <what is allowed>`.
/// The csv design's header is checked when the file is read
/// ([`super::sample::read_csv_design`]).
pub fn validate(exp: &RawExperiment, label: &str) -> Vec<String> {
    let mut p: Vec<String> = Vec::new();
    // `msg` starting with "= value" reads `key = value: ...`; otherwise `key: msg`.
    let mut fail = |key: &str, msg: &str| {
        let sep = if msg.starts_with("= ") { " " } else { ": " };
        p.push(format!("{label}: {key}{sep}{msg}"));
    };
    let h = &exp.experiment;
    if !is_name(&h.name) {
        fail(
            "experiment.name",
            &format!(
                "= {:?}: must be letters, digits, _ and - (not empty)",
                h.name
            ),
        );
    }
    if h.base.trim().is_empty() {
        fail(
            "experiment.base",
            "is empty: must be a scenario file or \"embedded\"",
        );
    }
    if h.replicates == 0 {
        fail("experiment.replicates", "= 0: must be at least 1");
    }
    if h.batch_size == 0 {
        fail("experiment.batch_size", "= 0: must be at least 1");
    }
    if let Some(m) = &exp.match_ {
        if m.metric != "cumulative_emissions" {
            fail(
                "match.metric",
                &format!(
                    "= {:?}: only \"cumulative_emissions\" can be matched",
                    m.metric
                ),
            );
        }
        if m.window[0] > m.window[1] {
            fail(
                "match.window",
                &format!(
                    "= [{}, {}]: first year after last",
                    m.window[0], m.window[1]
                ),
            );
        }
    }
    if let Some(y) = h.baseline_until
        && !(1900..=2300).contains(&y)
    {
        fail(
            "experiment.baseline_until",
            &format!("= {y}: must be a year within [1900, 2300]"),
        );
    }
    if exp.scenarios.is_empty() {
        fail(
            "scenarios",
            "none given: at least one [[scenarios]] entry (with a name) is needed",
        );
    }
    for (i, s) in exp.scenarios.iter().enumerate() {
        let k = format!("scenarios[{i}]");
        if !is_name(&s.name) {
            fail(
                &format!("{k}.name"),
                &format!(
                    "= {:?}: must be letters, digits, _ and - (not empty)",
                    s.name
                ),
            );
        } else if exp.scenarios[..i].iter().any(|o| o.name == s.name) {
            fail(
                &format!("{k}.name"),
                &format!("= {:?}: duplicate scenario name", s.name),
            );
        }
        for (j, set) in s.set.iter().enumerate() {
            if let Err(e) = overrides::parse(set) {
                fail(&format!("{k}.set[{j}]"), &e.to_string());
            }
        }
        if s.file.as_deref().is_some_and(|f| f.trim().is_empty()) {
            fail(
                &format!("{k}.file"),
                "is empty: must be a scenario file (or leave it out to use the base)",
            );
        }
    }
    if let Some(s) = &exp.samples {
        validate_samples(s, &mut fail);
    }
    let o = &exp.output;
    if let Some(l) = &o.firm_level
        && !["all", "sample", "none"].contains(&l.as_str())
    {
        fail(
            "output.firm_level",
            &format!("= {l:?}: must be one of all, sample, none"),
        );
    }
    if let Some(s) = o.firm_sample_share
        && !(s > 0.0 && s <= 1.0)
    {
        fail(
            "output.firm_sample_share",
            &format!("= {s}: must be within (0, 1]"),
        );
    }
    if o.firm_every_years == Some(0) {
        fail("output.firm_every_years", "= 0: must be at least 1");
    }
    if p.is_empty() {
        let runs = exp.sample_count().and_then(|n| {
            n.checked_mul(exp.scenarios.len() as u64)?
                .checked_mul(u64::from(h.replicates))
        });
        if runs.is_none_or(|r| r > MAX_RUNS) && exp.method() != Some(Method::Csv) {
            let shown = runs.map_or("more than 2^64".into(), |r| r.to_string());
            p.push(format!("{label}: experiment: the plan has {shown} runs (scenarios x samples x replicates): at most {MAX_RUNS} allowed"));
        }
    }
    p
}

fn validate_samples(s: &RawSamples, fail: &mut impl FnMut(&str, &str)) {
    let method = Method::parse(&s.method);
    if method.is_none() {
        fail(
            "samples.method",
            &format!(
                "= {:?}: must be one of grid, random, lhs, saltelli, csv",
                s.method
            ),
        );
    }
    let name = s.method.as_str();
    let uses_n = matches!(
        method,
        Some(Method::Random | Method::Lhs | Method::Saltelli)
    );
    match s.n {
        None if uses_n => fail("samples.n", &format!("missing: method {name} needs n >= 1")),
        Some(0) if uses_n => fail(
            "samples.n",
            "= 0: must be at least 1 (any n >= 1; no power of two is required)",
        ),
        Some(n) if !uses_n && method.is_some() => {
            fail(
                "samples.n",
                &format!("= {n}: not used by method {name} (only random, lhs, saltelli)"),
            );
        }
        _ => {}
    }
    if s.second_order.is_some() && method.is_some_and(|m| m != Method::Saltelli) {
        fail(
            "samples.second_order",
            &format!("not used by method {name} (only saltelli)"),
        );
    }
    match (&s.file, method) {
        (None, Some(Method::Csv)) => {
            fail("samples.file", "missing: method csv needs a design file")
        }
        (Some(f), Some(Method::Csv)) if f.trim().is_empty() => {
            fail("samples.file", "is empty: must name the csv design file")
        }
        (Some(_), Some(m)) if m != Method::Csv => fail(
            "samples.file",
            &format!("not used by method {name} (only csv)"),
        ),
        _ => {}
    }
    if s.parameters.is_empty() {
        fail(
            "samples.parameters",
            "none given: at least one [[samples.parameters]] is needed (leave out [samples] for a single sample)",
        );
    }
    for (i, prm) in s.parameters.iter().enumerate() {
        let k = format!("samples.parameters[{i}]");
        let parsed = overrides::parse(&format!("{}=0", prm.path));
        if parsed.as_ref().is_ok_and(|o| o.text == prm.path) {
            if s.parameters[..i].iter().any(|o| o.path == prm.path) {
                fail(
                    &format!("{k}.path"),
                    &format!("= {:?}: duplicate parameter path", prm.path),
                );
            }
        } else {
            fail(
                &format!("{k}.path"),
                &format!(
                    "= {:?}: must be a key path (letters, digits, _ and - separated by dots, with optional [index]; no spaces or =)",
                    prm.path
                ),
            );
        }
        if method == Some(Method::Csv) {
            if let Some(d) = &prm.dist {
                fail(
                    &format!("{k}.dist"),
                    &format!("= {d:?}: not used by method csv (values come from the file)"),
                );
            }
            for f in prm.present_fields() {
                fail(
                    &format!("{k}.{f}"),
                    "not used by method csv (values come from the file)",
                );
            }
            continue;
        }
        match (prm.dist.as_deref(), method) {
            (Some(d), Some(Method::Grid)) if d != "values" => {
                fail(
                    &format!("{k}.dist"),
                    &format!("= {d:?}: method grid needs dist = \"values\" with values = [...]"),
                );
                continue;
            }
            (Some("values"), Some(m)) if m != Method::Grid => {
                fail(
                    &format!("{k}.dist"),
                    &format!(
                        "= \"values\": only allowed with method grid (method {name} needs uniform, normal, lognormal or triangular)"
                    ),
                );
                continue;
            }
            _ => {}
        }
        if let Err(bad) = prm.to_dist() {
            for (f, msg) in bad {
                fail(&format!("{k}.{f}"), &msg);
            }
        }
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
