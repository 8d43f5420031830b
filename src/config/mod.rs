//! Configuration: raw TOML types ([`raw`]), validation with key paths ([`validate`]),
//! `--set` overrides ([`overrides`]) and resolution into a [`Scenario`] ([`resolve`]).
//!
//! ```
//! let scenario = synergy::config::load_embedded_default(&[]).unwrap();
//! assert_eq!(scenario.name(), "default");
//! ```

pub mod capacity;
pub mod compensation;
pub mod dist;
pub mod fuels;
pub mod kinds;
pub mod limits;
pub mod mechanisms;
pub mod overrides;
pub mod plans;
pub mod power;
pub mod raw;
pub mod research;
pub mod resolve;
pub mod scenario;
pub mod series;
pub mod transform;
pub mod validate;
pub mod validate_policy;

pub use plans::PlanSpec;
pub use scenario::{
    ExplicitFirm, MacroParams, MarketSpec, OffsetSourceSpec, OffsetSpec, PeakRegion, PeakTarget,
    Scenario, SectorSpec, TechSpec,
};

use crate::error::{Error, Result};
use crate::geography::load_province_rows;
use raw::{RawFirm, RawScenario};
use std::path::Path;

/// The embedded default scenario (`configs/default.toml`).
pub const DEFAULT_TOML: &str = include_str!("../../configs/default.toml");

/// Loads the embedded default scenario with `--set` overrides.
pub fn load_embedded_default(overrides: &[String]) -> Result<Scenario> {
    parse_scenario(
        DEFAULT_TOML,
        "embedded default (configs/default.toml)",
        Path::new("."),
        overrides,
    )
}

/// Loads a scenario file with `--set` overrides.
pub fn load_scenario_file(path: &Path, overrides: &[String]) -> Result<Scenario> {
    let text = crate::input::read_text(path).map_err(|e| {
        Error::input(format!(
            "{}: cannot read scenario file: {e}",
            path.display()
        ))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse_scenario(&text, &path.display().to_string(), base, overrides)
}

/// Deep-merges `top` into `base`: tables merge key by key, arrays of tables are appended
/// (the file's items after the base's), other values (arrays of values too) replace.
fn merge(base: &mut toml::Table, top: toml::Table) {
    for (k, v) in top {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(t)) => merge(b, t),
            // Arrays of tables (markets, plans, ...) are appended; arrays of values (a time
            // path, a list of names, `scenario.stringency`) are replaced.
            (Some(toml::Value::Array(b)), toml::Value::Array(t))
                if b.iter().chain(&t).all(toml::Value::is_table) =>
            {
                b.extend(t)
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Makes the data paths of a base file (`geography.provinces`, `firms_file`, `power.provinces`,
/// `power.corridors`) relative to the
/// base file's folder, so that they keep working from the file that extends it.
fn anchor_paths(doc: &mut toml::Table, dir: &Path) {
    let fix = |v: &mut toml::Value| {
        if let toml::Value::String(p) = v
            && p != "embedded"
            && Path::new(p.as_str()).is_relative()
        {
            *p = dir.join(p.as_str()).display().to_string();
        }
    };
    if let Some(v) = doc.get_mut("firms_file") {
        fix(v);
    }
    if let Some(toml::Value::Table(g)) = doc.get_mut("geography")
        && let Some(v) = g.get_mut("provinces")
    {
        fix(v);
    }
    if let Some(toml::Value::Table(g)) = doc.get_mut("power") {
        for key in ["provinces", "corridors"] {
            if let Some(v) = g.get_mut(key) {
                fix(v);
            }
        }
    }
}

/// A scenario file may start from another one: `base = "embedded"` (the default scenario)
/// or a path relative to the file, then `set = ["key.path = value", ...]` overrides applied
/// after merging. Returns the merged document (or the text's own document when it has no
/// `base`).
fn with_base(text: &str, label: &str, base_dir: &Path, depth: u32) -> Result<toml::Table> {
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e| Error::input(format!("{label}: {e}")))?;
    let base = match doc.remove("base") {
        None => return Ok(doc),
        Some(toml::Value::String(b)) => b,
        Some(other) => {
            return Err(Error::input(format!(
                "{label}: base = {other}: must be \"embedded\" or a scenario file path"
            )));
        }
    };
    if depth > 8 {
        return Err(Error::input(format!(
            "{label}: base: more than 8 levels of base files"
        )));
    }
    let set = match doc.remove("set") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a
            .into_iter()
            .map(|v| match v {
                toml::Value::String(s) => Ok(s),
                other => Err(Error::input(format!(
                    "{label}: set: {other} is not a \"key.path = value\" string"
                ))),
            })
            .collect::<Result<Vec<_>>>()?,
        Some(other) => {
            return Err(Error::input(format!(
                "{label}: set = {other}: must be a list of strings"
            )));
        }
    };
    let mut merged = if base == "embedded" {
        with_base(
            DEFAULT_TOML,
            "embedded default (configs/default.toml)",
            Path::new("."),
            depth + 1,
        )?
    } else {
        let path = base_dir.join(&base);
        let base_text = crate::input::read_text(&path).map_err(|e| {
            Error::input(format!(
                "{label}: base = {base:?}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut doc = with_base(&base_text, &path.display().to_string(), &dir, depth + 1)?;
        anchor_paths(&mut doc, &dir);
        doc
    };
    merge(&mut merged, doc);
    for spec in &set {
        let ov = overrides::parse(spec).map_err(|e| match e {
            Error::Input { problems } => Error::Input {
                problems: problems
                    .into_iter()
                    .map(|p| format!("{label}: set: {p}"))
                    .collect(),
            },
            other => other,
        })?;
        overrides::apply(&mut merged, &ov, label)?;
    }
    Ok(merged)
}

/// The merged document of scenario text: its base chain merged, its own `set` and then
/// `overrides` applied (not yet validated).
pub fn scenario_document(
    text: &str,
    label: &str,
    base_dir: &Path,
    overrides: &[String],
) -> Result<toml::Table> {
    let mut doc = with_base(text, label, base_dir, 0)?;
    for spec in overrides {
        let ov = overrides::parse(spec)?;
        overrides::apply(&mut doc, &ov, label)?;
    }
    Ok(doc)
}

/// Parses, overrides, validates and resolves scenario text. `label` names the source in
/// errors; `base_dir` resolves relative data paths.
pub fn parse_scenario(
    text: &str,
    label: &str,
    base_dir: &Path,
    overrides: &[String],
) -> Result<Scenario> {
    parse_scenario_edited(text, label, base_dir, overrides, None)
}

/// An edit of a merged scenario document (after its base and overrides), e.g. the paired
/// no-policy baseline ([`transform::baseline`]); its result is validated like a file.
pub type Edit<'a> = &'a (dyn Fn(&mut toml::Table) -> Result<()> + Sync);

/// [`parse_scenario`], with `edit` applied to the merged document before validation.
pub fn parse_scenario_edited(
    text: &str,
    label: &str,
    base_dir: &Path,
    overrides: &[String],
    edit: Option<Edit<'_>>,
) -> Result<Scenario> {
    // Syntax errors are reported against the file's own lines.
    let top: toml::Table =
        toml::from_str(text).map_err(|e| Error::input(format!("{label}: {e}")))?;
    let has_base = top.contains_key("base");
    let raw: RawScenario = if overrides.is_empty() && !has_base && edit.is_none() {
        toml::from_str(text).map_err(|e| Error::input(format!("{label}: {e}")))?
    } else {
        let mut doc = scenario_document(text, label, base_dir, overrides)?;
        if let Some(edit) = edit {
            edit(&mut doc)?;
        }
        let merged = toml::to_string(&doc).map_err(|e| Error::Bug(e.to_string()))?;
        toml::from_str(&merged).map_err(|e| {
            // Line numbers refer to the merged document, not to the file: say what it is.
            let what = match (has_base, overrides.is_empty()) {
                (true, true) => "merged with its base".to_string(),
                (true, false) => {
                    format!("merged with its base, after --set {}", overrides.join(" "))
                }
                _ => format!("after --set {}", overrides.join(" ")),
            };
            Error::input(format!("{label} ({what}): {e}"))
        })?
    };
    let mut checker = validate::Checker::new(label);
    validate::validate(&raw, &mut checker);
    validate_policy::validate_technologies(&raw, &mut checker);
    validate_policy::validate_plans(&raw, &mut checker);
    if !checker.problems.is_empty() {
        return Err(Error::Input {
            problems: checker.problems,
        });
    }
    let provinces = load_province_rows(&raw.geography.provinces, base_dir)?;
    let firm_rows = match &raw.firms_file {
        Some(f) => read_firms_csv(&base_dir.join(f), label, &raw)?,
        None => Vec::new(),
    };
    let power_texts = match &raw.power {
        Some(p) => Some(power::load_texts(p, base_dir)?),
        None => None,
    };
    resolve::resolve(
        raw,
        label.to_string(),
        provinces,
        firm_rows,
        power_texts,
        &mut checker,
    )
    .ok_or(Error::Input {
        problems: checker.problems,
    })
}

/// Reads and checks the rows of a `firms_file` like inline `[[firms]]`: each problem names
/// the file, the row (line number) and the column.
fn read_firms_csv(path: &Path, label: &str, raw: &RawScenario) -> Result<Vec<RawFirm>> {
    let text = crate::input::read_text(path).map_err(|e| {
        Error::input(format!(
            "{label}: firms_file: cannot read {}: {e}",
            path.display()
        ))
    })?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in reader.deserialize::<RawFirm>().enumerate() {
        match r {
            Ok(f) => rows.push(f),
            Err(e) => problems.push(format!("{}: row {}: {e}", path.display(), i + 2)),
        }
    }
    let file = path.display().to_string();
    let mut c = validate::Checker::new(&file);
    if rows.len() as u64 > validate::MAX_FIRMS {
        c.fail(
            "rows",
            format!("{}: at most {}", rows.len(), validate::MAX_FIRMS),
        );
    }
    for (i, f) in rows.iter().enumerate() {
        let row = i + 2;
        if !raw.sectors.contains_key(&f.sector) {
            c.fail(
                &format!("row {row}: sector"),
                format!("= {:?}: no such sector", f.sector),
            );
        }
        f.check_limits(&mut c, &|col| format!("row {row}: {col}"));
    }
    problems.extend(c.problems);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(Error::Input { problems })
    }
}
