//! Streaming Parquet writer for one table file of the dataset layout
//! `<dataset>/<table>/scenario=<s>/part-<k>.parquet`.
//!
//! Rows are written batch by batch (memory is bounded by the row-group size, not by the
//! number of years). The file is written under a hidden temporary name
//! (`.part-<k>.parquet.tmp`, ignored by readers) and renamed when complete; dropping an
//! unfinished writer removes the temporary file.

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
    final_path: PathBuf,
    tmp_path: PathBuf,
    writer: Option<ArrowWriter<File>>,
}

impl TableWriter {
    /// Creates the temporary file for table `T`.
    pub fn create<T: Table>(dataset: &Path, scenario: &str, part: u32) -> Result<Self> {
        let final_path = part_path(dataset, T::NAME, scenario, part);
        let dir = final_path
            .parent()
            .ok_or_else(|| Error::Bug("part path without parent".into()))?;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let tmp_path = dir.join(format!(".part-{part}.parquet.tmp"));
        let file = File::create(&tmp_path).map_err(|e| Error::io(&tmp_path, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("synergy {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer =
            ArrowWriter::try_new(file, T::schema(), Some(props)).map_err(|e| Error::Write {
                path: tmp_path.clone(),
                message: e.to_string(),
            })?;
        Ok(TableWriter {
            final_path,
            tmp_path,
            writer: Some(writer),
        })
    }

    /// Writes (and drains) the buffered rows of `buf`.
    pub fn write<T: Table>(&mut self, buf: &mut T, dicts: &Dicts) -> Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let err = |m: String| Error::Write {
            path: self.tmp_path.clone(),
            message: m,
        };
        let batch = buf.take_batch(dicts).map_err(|e| err(e.to_string()))?;
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| Error::Bug("write after finish".into()))?;
        w.write(&batch).map_err(|e| err(e.to_string()))
    }

    /// Closes the file and renames it to its final name.
    pub fn finish(mut self) -> Result<PathBuf> {
        if let Some(w) = self.writer.take() {
            w.close().map_err(|e| Error::Write {
                path: self.tmp_path.clone(),
                message: e.to_string(),
            })?;
        }
        std::fs::rename(&self.tmp_path, &self.final_path)
            .map_err(|e| Error::io(&self.final_path, e))?;
        Ok(self.final_path.clone())
    }
}

impl Drop for TableWriter {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            let _ = std::fs::remove_file(&self.tmp_path);
        }
    }
}
