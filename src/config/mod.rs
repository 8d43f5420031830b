//! Configuration: raw TOML types ([`raw`]), validation with key paths ([`validate`]),
//! `--set` overrides ([`overrides`]) and resolution into a [`Scenario`] ([`resolve`]).
//!
//! ```
//! let scenario = synergy::config::load_embedded_default(&[]).unwrap();
//! assert_eq!(scenario.name(), "default");
//! ```

pub mod dist;
pub mod overrides;
pub mod raw;
pub mod resolve;
pub mod series;
pub mod validate;
pub mod validate_policy;

pub use resolve::{ExplicitFirm, MarketSpec, Scenario, SectorSpec, TechSpec};

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
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::input(format!(
            "{}: cannot read scenario file: {e}",
            path.display()
        ))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse_scenario(&text, &path.display().to_string(), base, overrides)
}

/// Parses, overrides, validates and resolves scenario text. `label` names the source in
/// errors; `base_dir` resolves relative data paths.
pub fn parse_scenario(
    text: &str,
    label: &str,
    base_dir: &Path,
    overrides: &[String],
) -> Result<Scenario> {
    let raw: RawScenario = if overrides.is_empty() {
        toml::from_str(text).map_err(|e| Error::input(format!("{label}: {e}")))?
    } else {
        let mut doc: toml::Table = text
            .parse()
            .map_err(|e| Error::input(format!("{label}: {e}")))?;
        for spec in overrides {
            let ov = overrides::parse(spec)?;
            overrides::apply(&mut doc, &ov, label)?;
        }
        let merged = toml::to_string(&doc).map_err(|e| Error::Bug(e.to_string()))?;
        toml::from_str(&merged).map_err(|e| {
            Error::input(format!(
                "{label} (after --set {}): {e}",
                overrides.join(" ")
            ))
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
        Some(f) => read_firms_csv(&base_dir.join(f), label)?,
        None => Vec::new(),
    };
    resolve::resolve(raw, label.to_string(), provinces, firm_rows, &mut checker).ok_or(
        Error::Input {
            problems: checker.problems,
        },
    )
}

fn read_firms_csv(path: &Path, label: &str) -> Result<Vec<RawFirm>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        Error::input(format!(
            "{label}: firms_file: cannot read {}: {e}",
            path.display()
        ))
    })?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in reader.deserialize::<RawFirm>().enumerate() {
        match r {
            Ok(f) => rows.push(f),
            Err(e) => problems.push(format!("{}: row {}: {e}", path.display(), i + 2)),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(Error::Input { problems })
    }
}
