//! Reading input files (scenarios, experiments, provinces and firms tables, CSV designs):
//! regular files only, under a size limit, so that a FIFO, a device or a huge file is refused
//! with a clear error instead of hanging or exhausting memory.

use std::io::Read;
use std::path::Path;

/// Largest input file read by default, bytes (2 GiB); `SYNERGY_MAX_INPUT_BYTES` changes it.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 2 << 30;

/// The size limit in force, bytes.
pub fn max_input_bytes() -> u64 {
    std::env::var("SYNERGY_MAX_INPUT_BYTES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_INPUT_BYTES)
}

/// Reads a text file; the error says why in words (not a regular file, too large, not
/// UTF-8, the OS error), for the caller to prefix with the file and key.
pub fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a directory"
        } else {
            "a FIFO, socket or device"
        };
        return Err(format!("not a regular file ({what})"));
    }
    let limit = max_input_bytes();
    if meta.len() > limit {
        return Err(format!(
            "{} bytes, above the input size limit of {limit} bytes (set SYNERGY_MAX_INPUT_BYTES to raise it)",
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    // Files that report no size (/proc) are still cut at the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("above the input size limit of {limit} bytes"));
    }
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_and_missing_files_are_refused_in_words() {
        let d = std::env::temp_dir();
        assert!(read_text(&d).unwrap_err().contains("a directory"));
        assert!(read_text(&d.join("no-such-synergy-file")).is_err());
        assert!(
            read_text(Path::new("/dev/zero"))
                .unwrap_err()
                .contains("FIFO, socket or device")
        );
        let f = d.join(format!("synergy-input-{}", std::process::id()));
        std::fs::write(&f, "a,b\n1,2\n").unwrap();
        assert_eq!(read_text(&f).unwrap(), "a,b\n1,2\n");
        std::fs::remove_file(&f).unwrap();
    }
}
