//! Streaming Parquet writer for one table file of the dataset layout
//! `<dataset>/<table>/scenario=<s>/part-<k>.parquet`.
//!
//! Rows are written batch by batch (memory is bounded by the row-group size, not by the
//! number of years). The file is written at its place under a staging root (a hidden folder
//! that [`super::commit`] publishes whole) and fsynced when finished; dropping an unfinished
//! writer removes the file.

use super::column::Dicts;
use super::schema::Table;
use crate::error::{Error, Result};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Rows per Parquet row group (bounds writer memory).
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// The path of a table's part file.
pub fn part_path(dataset: &Path, table: &str, scenario: &str, part: u32) -> PathBuf {
    dataset
        .join(table)
        .join(format!("scenario={scenario}"))
        .join(format!("part-{part}.parquet"))
}

/// Writes one table file.
pub struct TableWriter {
    path: PathBuf,
    writer: Option<ArrowWriter<File>>,
}

impl TableWriter {
    /// Creates table `T`'s file of part `part` under `root` (a staging root with the
    /// dataset's layout, see [`super::commit`]).
    pub fn create<T: Table>(root: &Path, scenario: &str, part: u32) -> Result<Self> {
        let final_path = part_path(root, T::NAME, scenario, part);
        let dir = final_path
            .parent()
            .ok_or_else(|| Error::Bug("part path without parent".into()))?;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let file = File::create(&final_path).map_err(|e| Error::io(&final_path, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("synergy {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer =
            ArrowWriter::try_new(file, T::schema(), Some(props)).map_err(|e| Error::Write {
                path: final_path.clone(),
                message: e.to_string(),
            })?;
        Ok(TableWriter {
            path: final_path,
            writer: Some(writer),
        })
    }

    /// Writes (and drains) the buffered rows of `buf`.
    pub fn write<T: Table>(&mut self, buf: &mut T, dicts: &Dicts) -> Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let err = |m: String| Error::Write {
            path: self.path.clone(),
            message: m,
        };
        let batch = buf.take_batch(dicts).map_err(|e| err(e.to_string()))?;
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| Error::Bug("write after finish".into()))?;
        w.write(&batch).map_err(|e| err(e.to_string()))
    }

    /// Closes the file and fsyncs it; returns its path.
    pub fn finish(mut self) -> Result<PathBuf> {
        if let Some(w) = self.writer.take() {
            w.close().map_err(|e| Error::Write {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        }
        File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(self.path.clone())
    }
}

impl Drop for TableWriter {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
