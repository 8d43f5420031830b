//! How files become visible in a dataset (docs/OUTPUT.md, "How files appear"): writer locks,
//! staging under hidden folders, fsync, and one atomic step of publication.
//!
//! * `synergy run` writes a whole dataset into `<out>/.<name>.staging-<pid>-<n>/` and then
//!   swaps it with `<out>/<name>/` in one `renameat2(RENAME_EXCHANGE)` (Linux; elsewhere two
//!   renames, with the old dataset kept hidden until the new one is in place), so a reader sees
//!   the old dataset or the new one, never a mix ([`publish_dataset`]).
//! * A sweep writes each batch into `<dataset>/.staging/part-<k>-<pid>-<n>/` (the dataset's
//!   layout inside), fsyncs it, writes a `COMMIT` list (the commit point), then renames the
//!   files into place, the completion table (`runs`) last ([`Staged::commit`]). A writer that
//!   opens the dataset first finishes every committed staging left by a killed process and
//!   deletes the uncommitted ones ([`recover`]); a batch is complete when its `runs` file
//!   exists, so resume and readers never take a half-published batch for a finished one.
//!
//! Folders starting with `.` are skipped by pyarrow, polars and `glob` readers.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Name of the commit list inside a staging folder.
const COMMIT: &str = "COMMIT";
/// Name of the lock file inside a staging folder.
const STAGING_LOCK: &str = ".lock";
/// The dataset's folder of batch stagings.
pub const STAGING_DIR: &str = ".staging";

/// A unique suffix for this process's temporary names: `<pid>-<counter>`.
pub fn unique_suffix() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// This host's name (for lock messages).
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown host".into())
}

/// An advisory file lock, held until dropped (the OS releases it if the process dies).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the lock at `path` without waiting: exclusive (one writer) or shared (shards of one
/// sweep). If another process holds it, a bad-input error naming `what` and the holder's pid
/// and host (as the holder wrote them into the lock file).
pub fn lock(path: &Path, exclusive: bool, what: &str) -> Result<Lock> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| {
            Error::input(format!(
                "{}: cannot create the lock file: {e}",
                path.display()
            ))
        })?;
    let taken = if exclusive {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match taken {
        Ok(()) => {
            if exclusive {
                let _ = file.set_len(0);
                let _ = writeln!(file, "pid {} on {}", std::process::id(), host());
            } else {
                let _ = writeln!(file, "pid {} on {} (shared)", std::process::id(), host());
            }
            Ok(Lock { _file: file })
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(path).unwrap_or_default();
            let holder = holder.lines().last().unwrap_or("").trim();
            let holder = if holder.is_empty() {
                "another process".to_string()
            } else {
                format!("another synergy process ({holder})")
            };
            Err(Error::input(format!(
                "{what} is being written by {holder} (lock {}): wait for it to finish or write to another --out",
                path.display()
            )))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(path, e)),
    }
}

/// fsyncs a folder (its entries), so a rename into it is durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// fsyncs every file and folder under `root` (folders after their contents).
pub fn sync_tree(root: &Path) -> Result<()> {
    let entries = std::fs::read_dir(root).map_err(|e| Error::io(root, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(root, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&path, e))?;
        }
    }
    sync_dir(root)
}

/// Test hooks. With `SYNERGY_FAIL_AT=<step>:<n>` the process exits (status 70, no clean-up,
/// as if killed) right after the `n`-th rename of a publication of kind `step`: `part` (a
/// batch's files) or `dataset` (the swap of `synergy run`). With `SYNERGY_NO_EXCHANGE=1` the
/// dataset swap takes the two-rename fallback of systems without `RENAME_EXCHANGE`.
fn fail_point(step: &str, renames_done: usize) {
    if let Ok(v) = std::env::var("SYNERGY_FAIL_AT")
        && v.trim() == format!("{step}:{renames_done}")
    {
        std::process::exit(70);
    }
}

/// A staging folder of one batch: files written under [`Staged::root`] with the dataset's
/// layout, published by [`Staged::commit`]. Dropping it uncommitted deletes it.
#[derive(Debug)]
pub struct Staged {
    dataset: PathBuf,
    dir: PathBuf,
    lock: Option<Lock>,
}

impl Staged {
    /// A new staging folder `<dataset>/.staging/<name>-<pid>-<n>/`, locked by this process.
    /// It is made under a hidden name, locked, then renamed, so that a concurrent
    /// [`recover`] never finds it unlocked.
    pub fn new(dataset: &Path, name: &str) -> Result<Self> {
        let root = dataset.join(STAGING_DIR);
        std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
        let sfx = unique_suffix();
        let fresh = root.join(format!(".new-{name}-{sfx}"));
        std::fs::create_dir(&fresh).map_err(|e| Error::io(&fresh, e))?;
        let lock = lock(&fresh.join(STAGING_LOCK), true, "a staging folder")?;
        let dir = root.join(format!("{name}-{sfx}"));
        std::fs::rename(&fresh, &dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staged {
            dataset: dataset.to_path_buf(),
            dir,
            lock: Some(lock),
        })
    }

    /// Where the batch's files are written (the dataset's layout below it).
    pub fn root(&self) -> &Path {
        &self.dir
    }

    /// Publishes the staged files `order` (paths relative to [`Self::root`], the completion
    /// table last): fsync, the `COMMIT` list (the commit point), then one rename per file.
    pub fn commit(mut self, order: &[PathBuf]) -> Result<()> {
        sync_tree(&self.dir)?;
        let list: String = order.iter().map(|p| format!("{}\n", p.display())).collect();
        let tmp = self.dir.join(".COMMIT.tmp");
        std::fs::write(&tmp, list).map_err(|e| Error::io(&tmp, e))?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&tmp, e))?;
        let commit = self.dir.join(COMMIT);
        std::fs::rename(&tmp, &commit).map_err(|e| Error::io(&commit, e))?;
        sync_dir(&self.dir)?;
        let result = publish(&self.dataset, &self.dir);
        self.lock = None;
        result
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.lock.is_some() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Renames the files listed in `<staging>/COMMIT` into `dataset` (those already moved are
/// skipped), fsyncs their folders, then deletes the staging folder.
fn publish(dataset: &Path, staging: &Path) -> Result<()> {
    let commit = staging.join(COMMIT);
    let list = std::fs::read_to_string(&commit).map_err(|e| Error::io(&commit, e))?;
    for (i, rel) in list.lines().filter(|l| !l.is_empty()).enumerate() {
        let src = staging.join(rel);
        let dst = dataset.join(rel);
        if src.exists() {
            let dir = dst
                .parent()
                .ok_or_else(|| Error::Bug(format!("{}: no parent", dst.display())))?;
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            std::fs::rename(&src, &dst).map_err(|e| Error::io(&dst, e))?;
            sync_dir(dir)?;
        }
        fail_point("part", i + 1);
    }
    std::fs::remove_dir_all(staging).map_err(|e| Error::io(staging, e))?;
    Ok(())
}

/// Finishes what killed writers left in `<dataset>/.staging/`: committed stagings are
/// published, uncommitted ones deleted; stagings locked by a live writer are left alone.
/// Returns how many were published and how many deleted.
pub fn recover(dataset: &Path) -> Result<(usize, usize)> {
    let root = dataset.join(STAGING_DIR);
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Ok((0, 0));
    };
    let (mut published, mut deleted) = (0, 0);
    for entry in entries.flatten() {
        let dir = entry.path();
        // `.new-*`: a staging being made (see `Staged::new`); never touched.
        if !dir.is_dir() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(_held) = lock(&dir.join(STAGING_LOCK), true, "a staging folder") else {
            continue;
        };
        if dir.join(COMMIT).exists() {
            publish(dataset, &dir)?;
            published += 1;
        } else {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            deleted += 1;
        }
    }
    Ok((published, deleted))
}

/// Swaps the complete dataset in `staging` with `target` in one step where the OS can
/// (`renameat2` with `RENAME_EXCHANGE` on Linux), then deletes the old dataset; with no
/// `target` yet, one rename. Elsewhere: `target` -> `<parent>/.<name>.old-<pid>-<n>`, then
/// `staging` -> `target` (a reader may find no dataset in between, never a mix), and
/// [`restore_replaced`] puts the old one back if the process died in between.
pub fn publish_dataset(staging: &Path, target: &Path) -> Result<()> {
    sync_tree(staging)?;
    let parent = target
        .parent()
        .ok_or_else(|| Error::Bug(format!("{}: no parent", target.display())))?;
    if !target.exists() {
        std::fs::rename(staging, target).map_err(|e| Error::io(target, e))?;
        return sync_dir(parent);
    }
    let no_exchange = std::env::var("SYNERGY_NO_EXCHANGE").is_ok_and(|v| v == "1");
    if !no_exchange && exchange(staging, target).is_ok() {
        sync_dir(parent)?;
        fail_point("dataset", 1);
        // `staging` now holds the old dataset.
        return std::fs::remove_dir_all(staging).map_err(|e| Error::io(staging, e));
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let old = parent.join(format!(".{name}.old-{}", unique_suffix()));
    std::fs::rename(target, &old).map_err(|e| Error::io(&old, e))?;
    fail_point("dataset", 1);
    std::fs::rename(staging, target).map_err(|e| Error::io(target, e))?;
    sync_dir(parent)?;
    fail_point("dataset", 2);
    std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Before writing `<parent>/<name>`: a dataset replaced by a process that died between its
/// two renames is put back, and stale hidden stagings and old copies of `name` that no live
/// process holds are deleted. Call with the dataset's writer lock held.
pub fn restore_replaced(parent: &Path, name: &str) -> Result<()> {
    let target = parent.join(name);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let mut olds = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        if file.starts_with(&format!(".{name}.old-")) {
            olds.push(entry.path());
        } else if file.starts_with(&format!(".{name}.staging-")) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    olds.sort();
    if !target.exists()
        && let Some(last) = olds.pop()
    {
        std::fs::rename(&last, &target).map_err(|e| Error::io(&target, e))?;
    }
    for old in olds {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> PathBuf {
        let d = std::env::temp_dir().join(format!("synergy-commit-{}", unique_suffix()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_committed_staging_publishes_every_file_and_leaves_nothing_hidden() {
        let d = tmp();
        let s = Staged::new(&d, "part-0").unwrap();
        for t in ["firms", "runs"] {
            let dir = s.root().join(t).join("scenario=x");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("part-0.parquet"), t).unwrap();
        }
        let order: Vec<PathBuf> = ["firms", "runs"]
            .iter()
            .map(|t| Path::new(t).join("scenario=x").join("part-0.parquet"))
            .collect();
        s.commit(&order).unwrap();
        for t in ["firms", "runs"] {
            let f = d.join(t).join("scenario=x").join("part-0.parquet");
            assert_eq!(std::fs::read_to_string(f).unwrap(), t);
        }
        let left: Vec<_> = std::fs::read_dir(d.join(STAGING_DIR)).unwrap().collect();
        assert!(left.is_empty());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn recovery_deletes_uncommitted_and_finishes_committed_stagings() {
        let d = tmp();
        // Uncommitted: a dropped writer's folder left by a kill (simulate: no lock, no COMMIT).
        let a = d.join(STAGING_DIR).join("part-1-x");
        std::fs::create_dir_all(a.join("runs")).unwrap();
        std::fs::write(a.join("runs").join("part-1.parquet"), "half").unwrap();
        // Committed, killed after the first rename of two.
        let b = d.join(STAGING_DIR).join("part-2-y");
        std::fs::create_dir_all(b.join("runs")).unwrap();
        std::fs::write(b.join("runs").join("part-2.parquet"), "r").unwrap();
        std::fs::create_dir_all(d.join("firms")).unwrap();
        std::fs::write(d.join("firms").join("part-2.parquet"), "f").unwrap();
        std::fs::write(
            b.join(COMMIT),
            "firms/part-2.parquet\nruns/part-2.parquet\n",
        )
        .unwrap();
        assert_eq!(recover(&d).unwrap(), (1, 1));
        assert!(!d.join("runs").join("part-1.parquet").exists());
        assert_eq!(
            std::fs::read_to_string(d.join("runs").join("part-2.parquet")).unwrap(),
            "r"
        );
        assert_eq!(std::fs::read_dir(d.join(STAGING_DIR)).unwrap().count(), 0);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_second_exclusive_lock_is_refused_with_the_holder() {
        let d = tmp();
        let p = d.join(".x.lock");
        let _held = lock(&p, true, "dataset x").unwrap();
        let err = lock(&p, true, "dataset x").unwrap_err().to_string();
        assert!(err.contains("dataset x is being written by another synergy process (pid"));
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        let shared = lock(&p, false, "dataset x");
        assert!(shared.is_err(), "a shared lock must wait for the writer");
        drop(_held);
        let _s1 = lock(&p, false, "dataset x").unwrap();
        let _s2 = lock(&p, false, "dataset x").unwrap();
        assert!(lock(&p, true, "dataset x").is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_dataset_is_swapped_whole() {
        let d = tmp();
        let target = d.join("set");
        std::fs::create_dir_all(target.join("runs")).unwrap();
        std::fs::write(target.join("runs").join("old.parquet"), "old").unwrap();
        let staging = d.join(".set.staging-1");
        std::fs::create_dir_all(staging.join("runs")).unwrap();
        std::fs::write(staging.join("runs").join("new.parquet"), "new").unwrap();
        publish_dataset(&staging, &target).unwrap();
        assert!(target.join("runs").join("new.parquet").exists());
        assert!(!target.join("runs").join("old.parquet").exists());
        assert!(!staging.exists());
        // Killed between the two renames of the fallback: the old dataset comes back.
        let old = d.join(".set.old-9");
        std::fs::rename(&target, &old).unwrap();
        restore_replaced(&d, "set").unwrap();
        assert!(target.join("runs").join("new.parquet").exists());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
