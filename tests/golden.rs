//! Golden outputs: every shipped config (the embedded default, every validation and regime
//! file, the shipped experiments at small size) produces Parquet files whose bytes hash to the
//! values recorded in `tests/fixtures/golden.txt`. A refactor that changes no behaviour keeps
//! every hash; a change of behaviour on purpose regenerates the fixture with
//!
//! ```text
//! SYNERGY_BLESS=1 cargo test golden
//! ```
//!
//! and the diff of the fixture shows which tables of which configs moved. Only Parquet files
//! are hashed (`experiment.json` and the sbatch script carry no model output). The output
//! holds no timing fields, so nothing is excluded from a file.

use crate::common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The recorded hashes, one `case/relative/path sha256` per line.
const FIXTURE: &str = "tests/fixtures/golden.txt";

/// One shipped config and how it is run.
struct Case {
    /// Name of the case (first path component in the fixture).
    name: String,
    /// `run` or `sweep`.
    command: &'static str,
    /// Config file.
    file: PathBuf,
    /// Extra arguments.
    extra: Vec<String>,
}

fn cases(tmp: &Path) -> Vec<Case> {
    let mut out = vec![Case {
        name: "default".into(),
        command: "run",
        file: PathBuf::from("-"),
        extra: vec![],
    }];
    for folder in ["validation", "regimes"] {
        let dir = root().join("configs").join(folder);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for f in files {
            let stem = f.file_stem().unwrap().to_string_lossy().to_string();
            // The regimes keep firm rows for 2020-2030 only, so the fixture stays quick to
            // make; every other table covers the whole horizon.
            let extra = if folder == "regimes" {
                vec!["--set".into(), "output.firm_every_years=5".into()]
            } else {
                vec![]
            };
            out.push(Case {
                name: format!("{folder}/{stem}"),
                command: "run",
                file: f,
                extra,
            });
        }
    }
    // Experiments: the regimes and Slurm experiments as shipped; the Sobol design at N = 2
    // (16 runs) instead of 8.
    let exp = root().join("configs/experiments");
    for name in ["regimes", "slurm_ci"] {
        out.push(Case {
            name: format!("experiments/{name}"),
            command: "sweep",
            file: exp.join(format!("{name}.toml")),
            extra: vec!["--jobs".into(), "2".into()],
        });
    }
    let text = std::fs::read_to_string(exp.join("sensitivity.toml")).unwrap();
    assert!(text.contains("n = 8\n"), "sensitivity.toml changed shape");
    let small = tmp.join("sensitivity.toml");
    std::fs::write(&small, text.replace("n = 8\n", "n = 2\n")).unwrap();
    out.push(Case {
        name: "experiments/sensitivity".into(),
        command: "sweep",
        file: small,
        extra: vec!["--jobs".into(), "2".into()],
    });
    out
}

/// Runs every case and hashes every Parquet file it wrote.
fn hashes() -> BTreeMap<String, String> {
    let tmp = TempDir::new().unwrap();
    let mut map = BTreeMap::new();
    for (k, case) in cases(tmp.path()).into_iter().enumerate() {
        let out = tmp.path().join(format!("out-{k}"));
        let extra: Vec<&str> = case.extra.iter().map(String::as_str).collect();
        command_ok(case.command, &case.file, &out, &extra);
        let mut n = 0;
        for rel in files_below(&out) {
            if rel.extension().is_none_or(|e| e != "parquet") {
                continue;
            }
            // Drop the dataset folder (named after the scenario or experiment).
            let inner: PathBuf = rel.components().skip(1).collect();
            let bytes = std::fs::read(out.join(&rel)).unwrap();
            let digest = Sha256::digest(&bytes);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            map.insert(format!("{}/{}", case.name, inner.display()), hex);
            n += 1;
        }
        assert!(n >= 10, "{}: only {n} Parquet files", case.name);
    }
    map
}

#[test]
fn golden_outputs_are_unchanged() {
    let got = hashes();
    let path = root().join(FIXTURE);
    if std::env::var_os("SYNERGY_BLESS").is_some() {
        let text: String = got.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (make it with SYNERGY_BLESS=1)", path.display()));
    let want: BTreeMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert!(want.len() > 100, "fixture too small: {}", want.len());
    let mut problems = Vec::new();
    for (k, v) in &want {
        match got.get(k) {
            None => problems.push(format!("missing: {k}")),
            Some(g) if g != v => problems.push(format!("changed: {k}")),
            _ => {}
        }
    }
    for k in got.keys().filter(|k| !want.contains_key(*k)) {
        problems.push(format!("new: {k}"));
    }
    assert!(
        problems.is_empty(),
        "{} of {} golden files differ (SYNERGY_BLESS=1 regenerates the fixture when the \
         change is meant):\n{}",
        problems.len(),
        want.len(),
        problems.join("\n")
    );
}
