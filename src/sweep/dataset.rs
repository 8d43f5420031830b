//! The experiment folder `<out>/<experiment>/`: checks that it can be written before any
//! work starts, and writes `experiment.json` atomically (temporary name, then rename).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Creates `<out>/<experiment>` if needed and checks that files can be written in it.
/// Failure is an input error naming `--out` (exit 2); nothing is left behind.
pub fn prepare(out: &Path, experiment: &str) -> Result<PathBuf> {
    let bad = |e: std::io::Error| {
        Error::input(format!(
            "--out {}: cannot write the output folder: {e}",
            out.display()
        ))
    };
    let dir = out.join(experiment);
    let existed = dir.exists();
    let out_existed = out.exists();
    std::fs::create_dir_all(&dir).map_err(bad)?;
    let probe = dir.join(".synergy-write-probe");
    if let Err(e) = std::fs::write(&probe, b"") {
        if !existed {
            let _ = std::fs::remove_dir(&dir);
            if !out_existed {
                let _ = std::fs::remove_dir(out);
            }
        }
        return Err(bad(e));
    }
    let _ = std::fs::remove_file(&probe);
    Ok(dir)
}

/// Writes `text` to `path` atomically: a temporary name unique to this process and call,
/// fsync, rename (the temporary is removed on failure).
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    // A name of this process and call: shards writing the same file at once never share one.
    let tmp = path.with_file_name(format!(
        ".{name}.{}.tmp",
        crate::output::commit::unique_suffix()
    ));
    let written = std::fs::write(&tmp, text)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .map_err(|e| Error::io(&tmp, e));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}
