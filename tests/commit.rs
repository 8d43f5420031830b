//! Datasets are never mixed or corrupted (docs/OUTPUT.md, "How files appear"): a rerun killed
//! at any rename of its publication leaves exactly the old or exactly the new dataset, a
//! second writer is refused with exit 2, and a killed sweep batch is finished or discarded by
//! the next writer.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// Visible files (no path component starting with '.') and their bytes (`experiment.json`
/// without its provenance block, which differs between identical runs: [`comparable`]).
fn visible(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_below(dir)
        .into_iter()
        .filter(|p| {
            !p.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        })
        .map(|p| {
            let bytes = comparable(&dir.join(&p));
            (p, bytes)
        })
        .collect()
}

/// The Parquet files of a dataset (experiment.json holds no run data but the seed).
fn parquet(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    visible(dir)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|x| x == "parquet"))
        .collect()
}

/// `synergy run` of the linear-MAC case; `fail` sets the kill hook (`SYNERGY_FAIL_AT`) and
/// whether the dataset swap takes the two-rename fallback.
fn run_with(out: &Path, seed: &str, fail: Option<(&str, bool)>) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_synergy"));
    c.args([
        "run",
        validation("linear_mac").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--seed",
        seed,
        "--quiet",
    ]);
    if let Some((at, fallback)) = fail {
        c.env("SYNERGY_FAIL_AT", at);
        if fallback {
            c.env("SYNERGY_NO_EXCHANGE", "1");
        }
    }
    c.output().unwrap()
}

#[test]
fn a_rerun_killed_while_publishing_leaves_the_old_or_the_new_dataset() {
    let tmp = TempDir::new().unwrap();
    // Reference datasets for seed 1 and seed 2 (their bytes differ).
    let (r1, r2) = (tmp.path().join("r1"), tmp.path().join("r2"));
    assert!(run_with(&r1, "1", None).status.success());
    assert!(run_with(&r2, "2", None).status.success());
    let name = "linear_mac";
    let (old, new) = (parquet(&r1.join(name)), parquet(&r2.join(name)));
    assert_ne!(old, new, "the two seeds must give different data");
    // Kill the rerun right after each rename of its dataset publication (the swap, and each
    // of the fallback's two renames), then look: exactly old or exactly new, never a mix.
    for (k, at, fallback) in [
        (1, "dataset:1", false),
        (2, "dataset:1", true),
        (3, "dataset:2", true),
    ] {
        let out = tmp.path().join(format!("k{k}"));
        assert!(run_with(&out, "1", None).status.success());
        let o = run_with(&out, "2", Some((at, fallback)));
        assert_eq!(o.status.code(), Some(70), "the injected kill must fire");
        let mut now = parquet(&out.join(name));
        if fallback && !out.join(name).exists() {
            // Killed between the fallback's two renames: no dataset (never a mix); the next
            // writer puts the old one back before it does anything else (here it is killed
            // again before publishing).
            let o = run_with(&out, "2", Some(("part:1", false)));
            assert_eq!(o.status.code(), Some(70));
            now = parquet(&out.join(name));
            assert_eq!(now, old, "the old dataset was not restored");
        }
        assert!(
            now == old || now == new,
            "after a kill at rename {k} the dataset is a mix"
        );
        // The next writer cleans up: a rerun succeeds and the result is the new dataset.
        assert!(run_with(&out, "2", None).status.success());
        assert_eq!(parquet(&out.join(name)), new);
        let hidden: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.contains(".staging-") || n.contains(".old-"))
            .collect();
        assert!(hidden.is_empty(), "stale copies left: {hidden:?}");
    }
}

#[test]
fn a_second_writer_exits_2_naming_the_holder() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    assert!(run_with(&out, "1", None).status.success());
    let before = visible(&out.join("linear_mac"));
    // Another process (this test) holds the dataset's writer lock.
    let lock_path = out.join(".linear_mac.lock");
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_path)
        .unwrap();
    f.try_lock().unwrap();
    std::fs::write(&lock_path, "pid 424242 on testhost\n").unwrap();
    let o = run_with(&out, "2", None);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("pid 424242 on testhost"), "{err}");
    assert!(err.contains("linear_mac"), "{err}");
    assert_eq!(
        visible(&out.join("linear_mac")),
        before,
        "the dataset changed"
    );
    drop(f);
    assert!(run_with(&out, "2", None).status.success());
}

#[test]
fn concurrent_runs_into_one_folder_never_corrupt_it() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let spawn = |seed: &str| run_with(&out, seed, None);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| spawn("1"));
        let b = s.spawn(|| spawn("2"));
        (a.join().unwrap(), b.join().unwrap())
    });
    let codes = [a.status.code(), b.status.code()];
    assert!(
        codes.iter().all(|c| matches!(c, Some(0) | Some(2))),
        "{codes:?}: {} / {}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    assert!(codes.contains(&Some(0)));
    let (r1, r2) = (tmp.path().join("r1"), tmp.path().join("r2"));
    assert!(run_with(&r1, "1", None).status.success());
    assert!(run_with(&r2, "2", None).status.success());
    let now = parquet(&out.join("linear_mac"));
    assert!(
        now == parquet(&r1.join("linear_mac")) || now == parquet(&r2.join("linear_mac")),
        "the dataset is not exactly one run's"
    );
}

#[test]
fn run_refuses_to_replace_a_sweeps_dataset() {
    let tmp = TempDir::new().unwrap();
    let exp = root().join("configs/experiments/slurm_ci.toml");
    command_ok("sweep", &exp, tmp.path(), &[]);
    let before = visible(&tmp.path().join("slurm_ci"));
    // A scenario named like the sweep.
    let f = tmp.path().join("s.toml");
    let text = std::fs::read_to_string(validation("linear_mac")).unwrap();
    let name_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("name ="))
        .unwrap()
        .to_string();
    std::fs::write(&f, text.replacen(&name_line, "name = \"slurm_ci\"", 1)).unwrap();
    let o = synergy(&[
        "run",
        f.to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("sweep"), "{err}");
    assert_eq!(visible(&tmp.path().join("slurm_ci")), before);
}

#[test]
fn a_sweep_batch_killed_while_publishing_is_finished_by_the_next_writer() {
    let tmp = TempDir::new().unwrap();
    let exp = root().join("configs/experiments/slurm_ci.toml");
    let full = tmp.path().join("full");
    command_ok("sweep", &exp, &full, &["--jobs", "1"]);
    let reference = visible(&full.join("slurm_ci"));
    let tables = std::fs::read_dir(full.join("slurm_ci"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_name() != "slurm")
        .count();
    assert!(tables >= 10, "{tables} table folders");
    for k in [1, tables / 2, tables] {
        let out = tmp.path().join(format!("k{k}"));
        let o = Command::new(env!("CARGO_BIN_EXE_synergy"))
            .args([
                "sweep",
                exp.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .args(["--jobs", "1", "--quiet"])
            .env("SYNERGY_FAIL_AT", format!("part:{k}"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(70), "the injected kill must fire");
        let ds = out.join("slurm_ci");
        let runs_files = visible(&ds)
            .keys()
            .filter(|p| p.starts_with("runs"))
            .count();
        // The completion table is renamed last: the batch is complete only after every rename.
        assert_eq!(
            runs_files,
            usize::from(k == tables),
            "kill after {k} renames"
        );
        command_ok("sweep", &exp, &out, &["--jobs", "2"]);
        assert_eq!(visible(&ds), reference, "kill after {k} renames");
        let staging: Vec<_> = std::fs::read_dir(ds.join(".staging")).unwrap().collect();
        assert!(staging.is_empty(), "stagings left after recovery");
    }
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. "1m") at `dir`; None where mounting is impossible
    /// (not root, no mount namespace rights).
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .ok()?
            .status
            .success();
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
    fn used_kib(&self) -> u64 {
        let o = Command::new("df")
            .args(["--output=used", "-k"])
            .arg(&self.0)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .unwrap()
    }
    fn resize(&self, kib: u64) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={kib}k")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_during_a_rerun_keeps_the_old_dataset_and_frees_the_space() {
    let tmp = TempDir::new().unwrap();
    let Some(fs) = Tmpfs::mount(&tmp.path().join("small"), "4m") else {
        eprintln!(
            "SKIPPED a_full_disk_during_a_rerun...: cannot mount a tmpfs here (needs root); the kill tests above still cover the commit"
        );
        return;
    };
    let out = fs.0.join("out");
    assert!(run_with(&out, "1", None).status.success());
    let used = fs.used_kib();
    // Room for the old dataset and half of a new one: the rerun runs out of space mid-write.
    fs.resize(used + used / 2);
    let before = parquet(&out.join("linear_mac"));
    let o = run_with(&out, "2", None);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(1),
        "an environment failure exits 1: {err}"
    );
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(
        parquet(&out.join("linear_mac")),
        before,
        "the old dataset changed"
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".staging-"))
        .collect();
    assert!(
        left.is_empty(),
        "the failed staging stays on the full disk: {left:?}"
    );
    assert!(fs.used_kib() <= used + 4, "the space was not freed");
    // With room again, the rerun goes through.
    fs.resize(used * 4);
    assert!(run_with(&out, "2", None).status.success());
    assert_ne!(parquet(&out.join("linear_mac")), before);
}

#[test]
fn a_sweep_on_a_full_disk_reports_every_failed_batch_and_leaves_no_staging() {
    let tmp = TempDir::new().unwrap();
    let Some(fs) = Tmpfs::mount(&tmp.path().join("small"), "4m") else {
        eprintln!("SKIPPED a_sweep_on_a_full_disk...: cannot mount a tmpfs here (needs root)");
        return;
    };
    let exp = root().join("configs/experiments/slurm_ci.toml");
    let out = fs.0.join("out");
    // Room for experiment.json and the locks, not for a batch.
    std::fs::create_dir_all(&out).unwrap();
    fs.resize(fs.used_kib() + 40);
    let sweep = |skip_check: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_synergy"));
        c.args([
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        if skip_check {
            c.env("SYNERGY_SKIP_SPACE_CHECK", "1");
        }
        c.output().unwrap()
    };
    // The free-space check refuses before any work.
    let o = sweep(false);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("GB are free there"), "{err}");
    // Past the check, every batch fails on the full disk and each is reported.
    let o = sweep(true);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("4 batches failed"), "{err}");
    for part in [
        "current/part-0",
        "current/part-1",
        "auction/part-0",
        "auction/part-1",
    ] {
        assert!(err.contains(part), "{part} not reported: {err}");
    }
    let staging = out.join("slurm_ci").join(".staging");
    let left = std::fs::read_dir(&staging).map_or(0, |d| d.count());
    assert_eq!(
        left, 0,
        "failed batches left their staging on the full disk"
    );
}
