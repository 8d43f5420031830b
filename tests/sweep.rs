//! Monte Carlo experiments: determinism across thread counts and shards, resume after a
//! SIGKILL, common random numbers, and the error contract of experiment input.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

fn experiment(name: &str) -> PathBuf {
    root()
        .join("configs/experiments")
        .join(format!("{name}.toml"))
}

fn sweep_ok(exp: &Path, out: &Path, extra: &[&str]) {
    command_ok("sweep", exp, out, extra);
}

/// Asserts two dataset folders hold the same visible files with the same bytes (hidden
/// files, such as writer locks, are not part of a dataset).
fn same_dataset(a: &Path, b: &Path) {
    let keep = |p: &PathBuf| {
        !p.starts_with("slurm")
            && !p
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    };
    let fa: Vec<PathBuf> = files_below(a).into_iter().filter(keep).collect();
    let fb: Vec<PathBuf> = files_below(b).into_iter().filter(keep).collect();
    assert_eq!(fa, fb, "file lists differ");
    assert!(fa.len() > 10);
    for f in &fa {
        assert!(
            comparable(&a.join(f)) == comparable(&b.join(f)),
            "{} differs",
            f.display()
        );
    }
}

#[test]
fn jobs_and_shards_give_identical_datasets() {
    let tmp = TempDir::new().unwrap();
    let exp = experiment("slurm_ci");
    let (one, two, sharded) = (
        tmp.path().join("one"),
        tmp.path().join("two"),
        tmp.path().join("sharded"),
    );
    sweep_ok(&exp, &one, &["--jobs", "1"]);
    sweep_ok(&exp, &two, &["--jobs", "2"]);
    for shard in ["0/3", "1/3", "2/3"] {
        sweep_ok(&exp, &sharded, &["--shard", shard, "--jobs", "1"]);
    }
    same_dataset(&one.join("slurm_ci"), &two.join("slurm_ci"));
    same_dataset(&one.join("slurm_ci"), &sharded.join("slurm_ci"));
    // Rerunning a complete sweep does nothing and changes nothing.
    sweep_ok(&exp, &one, &["--jobs", "2"]);
    same_dataset(&one.join("slurm_ci"), &two.join("slurm_ci"));
}

#[test]
fn scenarios_of_a_replicate_share_the_firm_population() {
    let tmp = TempDir::new().unwrap();
    sweep_ok(&experiment("slurm_ci"), tmp.path(), &[]);
    let ds = tmp.path().join("slurm_ci");
    let firms = |scenario: &str, part: u32| {
        let f = ds
            .join("firms")
            .join(format!("scenario={scenario}"))
            .join(format!("part-{part}.parquet"));
        let file = std::fs::File::open(f).unwrap();
        let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let b: Vec<_> = r.map(|b| b.unwrap()).collect();
        (
            f64s(&b, "mac_slope"),
            f64s(&b, "base_output"),
            u32s(&b, "city_id"),
        )
    };
    // batch_size 1: part k of each scenario is replicate k.
    assert_eq!(firms("current", 0), firms("auction", 0));
    assert_eq!(firms("current", 1), firms("auction", 1));
    assert_ne!(
        firms("current", 0).0,
        firms("current", 1).0,
        "replicates differ"
    );
}

#[test]
fn killed_sweep_resumes_to_the_same_dataset() {
    let tmp = TempDir::new().unwrap();
    let exp = tmp.path().join("resume.toml");
    std::fs::write(
        &exp,
        "[experiment]\nname = \"resume\"\nreplicates = 10\nmaster_seed = 3\nbatch_size = 1\n\
         [[scenarios]]\nname = \"short\"\nset = [\"scenario.end_year = 2022\"]\n",
    )
    .unwrap();
    let (full, killed) = (tmp.path().join("full"), tmp.path().join("killed"));
    sweep_ok(&exp, &full, &["--jobs", "1"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_synergy"))
        .args([
            "sweep",
            exp.to_str().unwrap(),
            "--out",
            killed.to_str().unwrap(),
            "--jobs",
            "1",
            "--quiet",
        ])
        .spawn()
        .unwrap();
    let runs_dir = killed.join("resume/runs/scenario=short");
    let t0 = std::time::Instant::now();
    loop {
        let done = std::fs::read_dir(&runs_dir)
            .map(|d| {
                d.flatten()
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .count()
            })
            .unwrap_or(0);
        if done >= 2 || t0.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let complete = std::fs::read_dir(&runs_dir)
        .unwrap()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .count();
    assert!(
        (2..10).contains(&complete),
        "the kill must land mid-sweep ({complete} of 10 batches complete)"
    );
    // Every visible Parquet file is complete and readable; staging is hidden (a path with a
    // component starting with '.' is skipped by readers).
    let hidden = |p: &Path| {
        p.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    };
    for f in files_below(&killed.join("resume")) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if hidden(&f) {
            continue;
        }
        if name.ends_with(".parquet") {
            let file = std::fs::File::open(killed.join("resume").join(&f)).unwrap();
            assert!(
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                    .is_ok(),
                "{name} is partial"
            );
        } else {
            assert!(
                !name.ends_with(".tmp"),
                "{name} would be visible to readers"
            );
        }
    }
    sweep_ok(&exp, &killed, &["--jobs", "2"]);
    let visible =
        |d: &Path| -> Vec<PathBuf> { files_below(d).into_iter().filter(|p| !hidden(p)).collect() };
    let (a, b) = (full.join("resume"), killed.join("resume"));
    assert_eq!(visible(&a), visible(&b));
    for f in visible(&a) {
        assert!(
            comparable(&a.join(&f)) == comparable(&b.join(&f)),
            "{} differs",
            f.display()
        );
    }
}

#[test]
fn experiment_input_errors_exit_2_and_write_nothing() {
    let tmp = TempDir::new().unwrap();
    let exp = experiment("slurm_ci");
    let check = |args: &[&str], mention: &str, out: &Path| {
        let o = synergy(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(mention), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
        let _ = out;
    };
    let out = tmp.path().join("o");
    let o = out.to_str().unwrap();
    check(
        &["sweep", exp.to_str().unwrap(), "--out", o, "--shard", "3/2"],
        "3/2",
        &out,
    );
    check(
        &["sweep", exp.to_str().unwrap(), "--out", o, "--shard", "0/0"],
        "0/0",
        &out,
    );
    check(
        &["slurm", exp.to_str().unwrap(), "--out", o, "--tasks", "0"],
        "--tasks",
        &out,
    );
    assert!(!out.exists());
    // An unknown parameter path and a malformed file.
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[experiment]\nname = \"bad\"\nmaster_seed = 1\n[[scenarios]]\nname = \"a\"\nset = [\"sectors.power.no_such_key = 1\"]\n").unwrap();
    check(
        &["sweep", bad.to_str().unwrap(), "--out", o],
        "no_such_key",
        &out,
    );
    check(&["plan", bad.to_str().unwrap()], "no_such_key", &out);
    std::fs::write(&bad, "[experiment\nname = 1").unwrap();
    check(
        &["sweep", bad.to_str().unwrap(), "--out", o],
        "bad.toml",
        &out,
    );
    assert!(!out.exists(), "nothing may be written for bad input");
    // An output folder that holds a different experiment of the same name.
    sweep_ok(&exp, &out, &[]);
    let other = tmp.path().join("other.toml");
    let text = std::fs::read_to_string(&exp)
        .unwrap()
        .replace("master_seed = 7", "master_seed = 8");
    std::fs::write(&other, text).unwrap();
    let before = files_below(&out);
    check(
        &["sweep", other.to_str().unwrap(), "--out", o],
        "different experiment",
        &out,
    );
    assert_eq!(before, files_below(&out));
}

#[test]
fn slurm_script_and_compare() {
    let tmp = TempDir::new().unwrap();
    let exp = experiment("slurm_ci");
    let o = synergy(&[
        "slurm",
        exp.to_str().unwrap(),
        "--tasks",
        "3",
        "--out",
        tmp.path().to_str().unwrap(),
        "--partition",
        "short",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let script = std::fs::read_to_string(stdout.lines().last().unwrap()).unwrap();
    assert!(script.contains("#SBATCH --array=0-2"));
    assert!(script.contains("--shard \"${SLURM_ARRAY_TASK_ID}/3\""));
    assert!(script.contains("#SBATCH --partition=short"));
    // The slurm folder does not block the sweep into the same output.
    sweep_ok(&exp, tmp.path(), &[]);
    let o = synergy(&["compare", tmp.path().join("slurm_ci").to_str().unwrap()]);
    assert!(o.status.success());
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("current") && table.contains("auction"),
        "{table}"
    );
    assert!(
        table.contains(" ± "),
        "two replicates give an interval: {table}"
    );
}

/// `compare --by` on a grid experiment: one row per scenario and grid point; paired
/// differences against a reference; CSV and JSON carry the same numbers; a second dataset
/// with the same scenario names is kept apart unless `--pool`.
#[test]
fn compare_groups_by_grid_points_and_formats() {
    let tmp = TempDir::new().unwrap();
    let lm = validation("linear_mac");
    let exp = tmp.path().join("grid.toml");
    let text = |name: &str| {
        format!(
            r#"[experiment]
name = "{name}"
base = "{}"
replicates = 2
master_seed = 5
[[scenarios]]
name = "cap"
[[scenarios]]
name = "loose"
set = ["markets.market.cap_t = 280"]
[samples]
method = "grid"
[[samples.parameters]]
path = "sectors.widget.price"
dist = "values"
values = [100, 120, 140]
"#,
            lm.display()
        )
    };
    std::fs::write(&exp, text("grid")).unwrap();
    sweep_ok(&exp, tmp.path(), &[]);
    let ds = tmp.path().join("grid");
    let o = synergy(&[
        "compare",
        ds.to_str().unwrap(),
        "--by",
        "sectors.widget.price",
        "--reference",
        "loose",
        "--format",
        "csv",
        "--columns",
        "cumulative_emissions",
        "total_cost",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text_csv = String::from_utf8(o.stdout).unwrap();
    let mut r = csv::Reader::from_reader(text_csv.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &head[..5],
        [
            "dataset",
            "scenario",
            "difference_to",
            "sectors.widget.price",
            "runs"
        ]
    );
    let recs: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    // 2 scenarios x 3 grid points of levels, then 3 differences cap - loose.
    let levels: Vec<&csv::StringRecord> = recs.iter().filter(|x| x[2].is_empty()).collect();
    assert_eq!(levels.len(), 6);
    let diffs: Vec<&csv::StringRecord> = recs.iter().filter(|x| &x[2] == "loose").collect();
    assert_eq!(diffs.len(), 3);
    for d in &diffs {
        assert_eq!(&d[1], "cap");
        assert_eq!(&d[4], "2", "paired over both replicates");
        // The tighter cap emits less: 230 vs 280 t a year over 3 years = -150 t.
        let e: f64 = d[5].parse().unwrap();
        assert!((e + 150.0).abs() < 1e-6, "{e}");
    }
    // JSON has the same records.
    let o = synergy(&[
        "compare",
        ds.to_str().unwrap(),
        "--by",
        "sectors.widget.price",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 6);
    // A second dataset with the same scenario names: kept apart, pooled on request.
    let exp2 = tmp.path().join("grid2.toml");
    std::fs::write(&exp2, text("grid2")).unwrap();
    sweep_ok(&exp2, tmp.path(), &[]);
    let o = synergy(&["compare", tmp.path().to_str().unwrap()]);
    let t = String::from_utf8(o.stdout).unwrap();
    assert!(
        t.contains("kept apart") && t.contains("grid/cap") && t.contains("grid2/cap"),
        "{t}"
    );
    let o = synergy(&["compare", tmp.path().to_str().unwrap(), "--pool"]);
    let t = String::from_utf8(o.stdout).unwrap();
    assert!(t.contains("POOLED"), "{t}");
    let cap = t.lines().find(|l| l.starts_with("cap ")).unwrap();
    assert!(
        cap.contains(" 12 "),
        "2 datasets x 3 points x 2 replicates: {cap}"
    );
    // Bad options are input errors.
    let o = synergy(&["compare", ds.to_str().unwrap(), "--by", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    let o = synergy(&["compare", ds.to_str().unwrap(), "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A resume after the scenario file was edited is refused (exit 2, naming the scenario and
/// its file) instead of mixing runs of both versions; with the file restored it resumes.
#[test]
fn a_resume_after_editing_a_scenario_file_is_refused() {
    let tmp = TempDir::new().unwrap();
    let original = std::fs::read_to_string(validation("linear_mac")).unwrap();
    let scenario = tmp.path().join("tax.toml");
    std::fs::write(&scenario, &original).unwrap();
    let exp = tmp.path().join("edited.toml");
    std::fs::write(
        &exp,
        "[experiment]\nname = \"edited\"\nreplicates = 2\nmaster_seed = 1\nbatch_size = 1\n\
         [[scenarios]]\nname = \"tax\"\nfile = \"tax.toml\"\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    sweep_ok(&exp, &out, &["--jobs", "1"]);
    // As if killed before its last batch: that batch's completion file is gone.
    let runs = out.join("edited/runs/scenario=tax");
    let last = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .max()
        .unwrap();
    std::fs::remove_file(&last).unwrap();
    std::fs::write(
        &scenario,
        original.replacen("mac_slope = 10", "mac_slope = 11", 1),
    )
    .unwrap();
    let o = synergy(&[
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("scenario \"tax\"") && err.contains("tax.toml") && err.contains("changed"),
        "{err}"
    );
    assert!(!last.exists(), "nothing written by the refused resume");
    std::fs::write(&scenario, &original).unwrap();
    sweep_ok(&exp, &out, &["--jobs", "1"]);
    assert!(last.exists());
}
