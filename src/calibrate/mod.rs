//! Calibration: move scenario parameters until runs reach a target, with common random
//! numbers over replicates ([`solve`]); the paired no-policy baseline and the least-cost
//! benchmark are scenario edits ([`crate::config::transform`]); ambition matching of
//! regimes (`compare --match`) is in [`matching`].
//!
//! * [`eval`]: a run in memory and the metrics a target reads;
//! * [`param`]: a moved parameter (`--set` path, set or scaled) to overrides;
//! * [`spec`]: the calibration file;
//! * [`solve`]: the search (argmin's Brent, golden section, Nelder-Mead) and its trace;
//! * [`output`]: the calibrated scenario file and the trace table.

pub mod eval;
pub mod file;
pub mod history;
pub mod matching;
pub mod output;
pub mod param;
pub mod solve;
pub mod spec;

use crate::config::{self, Edit, Scenario};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Where a scenario comes from: its text, a label for errors and the folder its relative
/// data paths are read from.
#[derive(Clone, Debug)]
pub struct Source {
    /// Scenario text.
    pub text: String,
    /// Label in errors (the path, or `embedded default`).
    pub label: String,
    /// Folder of the file.
    pub dir: PathBuf,
    /// The file (None: the embedded default).
    pub path: Option<PathBuf>,
}

impl Source {
    /// `reference` = `"embedded"` or a path relative to `rel_dir`; `key` names the setting
    /// in errors.
    pub fn resolve(reference: &str, rel_dir: &Path, key: &str) -> Result<Self> {
        if reference == "embedded" {
            return Ok(Source {
                text: config::DEFAULT_TOML.to_string(),
                label: "embedded default (configs/default.toml)".into(),
                dir: PathBuf::from("."),
                path: None,
            });
        }
        let path = rel_dir.join(reference);
        Self::file(&path).map_err(|e| e.prefixed(key))
    }

    /// A scenario file.
    pub fn file(path: &Path) -> Result<Self> {
        let text = crate::input::read_text(path)
            .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display())))?;
        Ok(Source {
            text,
            label: path.display().to_string(),
            dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            path: Some(path.to_path_buf()),
        })
    }

    /// The merged document with `set` applied.
    pub fn document(&self, set: &[String]) -> Result<toml::Table> {
        config::scenario_document(&self.text, &self.label, &self.dir, set)
    }

    /// The resolved scenario with `set` and then `edit` applied.
    pub fn scenario(&self, set: &[String], edit: Option<Edit<'_>>) -> Result<Scenario> {
        config::parse_scenario_edited(&self.text, &self.label, &self.dir, set, edit)
    }

    /// The value of `base = ...` that a derived file uses to start from this one.
    pub fn base_reference(&self) -> String {
        match &self.path {
            None => "embedded".into(),
            Some(p) => std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
        }
    }
}

/// Overrides that make in-memory runs fast without changing the model: no firm-level rows.
pub const FAST_OUTPUT: &str = "output.firm_level=\"none\"";

/// The first and last simulated year of a merged document.
pub fn years_of(doc: &toml::Table) -> Result<(i32, i32)> {
    let get = |k: &str| {
        doc.get("scenario")
            .and_then(|s| s.get(k))
            .and_then(toml::Value::as_integer)
            .and_then(|v| i32::try_from(v).ok())
    };
    match (get("start_year"), get("end_year")) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(Error::input(
            "scenario.start_year and scenario.end_year are required",
        )),
    }
}

/// The world seeds of `n` replicates under `master` (as in an experiment).
pub fn seeds(master: u64, n: u32) -> Vec<u64> {
    (0..n)
        .map(|r| crate::rng::replicate_seed(master, r))
        .collect()
}
