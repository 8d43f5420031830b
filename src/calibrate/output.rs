//! What a calibration leaves on disk: the calibrated scenario (a file that starts from the
//! original with `base = ...` and sets the calibrated values with `set = [...]`, so it is
//! validated and resolved like any scenario) and the trace table (`calibration_trace`,
//! Parquet). Files are written under a temporary name and renamed into place: an
//! interrupted calibration leaves no half-written file.

use super::solve::Evaluation;
use crate::error::{Error, Result};
use crate::output::{CalibrationTrace, DictNames, Dicts, Table};
use parquet::arrow::ArrowWriter;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The text of a scenario file that is `base` with `set` applied, headed by `comment` lines.
pub fn scenario_text(base: &str, set: &[String], comment: &[String]) -> String {
    let mut out = String::new();
    for c in comment {
        out.push_str(&format!("# {c}\n"));
    }
    out.push_str(&format!("base = {}\n", toml::Value::String(base.into())));
    out.push_str("set = [\n");
    for s in set {
        out.push_str(&format!("  {},\n", toml::Value::String(s.clone())));
    }
    out.push_str("]\n");
    out
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_atomic(path: &Path, write: &dyn Fn(&mut std::fs::File) -> Result<()>) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        write(&mut f)?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a text file atomically.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, &|f| {
        f.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))
    })
}

/// Writes one tool table (all its buffered rows) to `path` (Parquet, atomically).
pub fn write_table<T: Table>(path: &Path, t: &mut T) -> Result<()> {
    let dicts = Dicts::new(&DictNames::default());
    let batch = t.take_batch(&dicts).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    write_atomic(path, &|f| {
        let err = |m: String| Error::Write {
            path: path.to_path_buf(),
            message: m,
        };
        let file = f.try_clone().map_err(|e| Error::io(path, e))?;
        let mut w =
            ArrowWriter::try_new(file, T::schema(), None).map_err(|e| err(e.to_string()))?;
        w.write(&batch).map_err(|e| err(e.to_string()))?;
        w.close().map_err(|e| err(e.to_string()))?;
        Ok(())
    })
}

/// One calibration's trace for the table.
pub struct TraceOf<'a> {
    /// Calibration name.
    pub calibration: String,
    /// Names of the moved parameters, in trial-vector order.
    pub parameters: Vec<String>,
    /// Target value (NaN for observed prices).
    pub target: f64,
    /// The evaluations.
    pub evaluations: &'a [Evaluation],
}

/// Writes the `calibration_trace` table of `traces` to `path` (Parquet).
pub fn write_trace(path: &Path, traces: &[TraceOf<'_>]) -> Result<()> {
    let mut t = CalibrationTrace::default();
    for tr in traces {
        for (k, e) in tr.evaluations.iter().enumerate() {
            for (name, v) in tr.parameters.iter().zip(&e.x) {
                t.calibration.push(tr.calibration.clone());
                t.evaluation.push(k as u32);
                t.parameter.push(name.clone());
                t.value.push(*v);
                t.metric.push(e.metric);
                t.target.push(tr.target);
                t.objective.push(e.objective);
            }
        }
    }
    write_table(path, &mut t)
}
