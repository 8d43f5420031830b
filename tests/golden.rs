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
    for folder in ["validation", "regimes", "scenarios"] {
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

/// What the shipped configs wrote: the hash of every Parquet file, and every non-finite value.
struct Shipped {
    hashes: BTreeMap<String, String>,
    non_finite: Vec<String>,
    conservation: Vec<String>,
}

/// Runs every case once per test process (both tests read the result).
fn shipped() -> &'static Shipped {
    static ONCE: std::sync::OnceLock<Shipped> = std::sync::OnceLock::new();
    ONCE.get_or_init(run_cases)
}

/// Runs every case, hashes every Parquet file it wrote and scans them for non-finite values.
fn run_cases() -> Shipped {
    let tmp = TempDir::new().unwrap();
    let mut map = BTreeMap::new();
    let mut non_finite = Vec::new();
    let mut conservation = Vec::new();
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
        non_finite.extend(
            non_finite_values(&out)
                .into_iter()
                .map(|l| format!("{}: {l}", case.name)),
        );
        conservation.extend(
            conservation_violations(&out)
                .into_iter()
                .map(|l| format!("{}: {l}", case.name)),
        );
    }
    Shipped {
        hashes: map,
        non_finite,
        conservation,
    }
}

/// Every numeric column of every table of every shipped config is finite (nulls are the
/// documented "not applicable"; NaN and infinities are bugs).
#[test]
fn shipped_configs_write_only_finite_numbers() {
    let bad = &shipped().non_finite;
    assert!(
        bad.is_empty(),
        "{} columns hold non-finite values:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Allowances and money are conserved, and banks continuous, in every market and year of
/// every shipped config (validation cases, regimes, experiments), against independent sums
/// (`common::conservation_violations`).
#[test]
fn shipped_configs_conserve_allowances_and_money() {
    let bad = &shipped().conservation;
    assert!(
        bad.is_empty(),
        "{} conservation violations:\n{}",
        bad.len(),
        bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn golden_outputs_are_unchanged() {
    let got = &shipped().hashes;
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

/// Edge cases a review found to produce NaN: a zero-carbon sector under an enforced carbon
/// plan, an energy metric with a zero carbon factor, firms curtailed to zero output by an
/// energy cap, a tax market whose firms cannot abate. Each run must write finite numbers.
#[test]
fn edge_cases_write_only_finite_numbers() {
    let plan = |metric: &str, extra: &str| {
        format!(
            "plans=[{{name = \"p\", start_year = 2020, end_year = 2022, metric = \"{metric}\", enforce = true, carbon_intensity_cut = 0.3, energy_intensity_cut = 0.3{extra}}}]"
        )
    };
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "linear_mac",
            vec![
                "firms[0].carbon_factor=0".into(),
                "firms[1].carbon_factor=0".into(),
                "firms[2].carbon_factor=0".into(),
                plan("carbon", ""),
            ],
        ),
        (
            "linear_mac",
            vec!["firms[0].carbon_factor=0".into(), plan("energy", "")],
        ),
        (
            "linear_mac",
            vec![plan("energy", ", energy_cap_tce = 1e-6")],
        ),
        (
            "linear_mac",
            vec!["firms[0].abatement_max=0".into(), plan("carbon", "")],
        ),
        (
            "adoption",
            vec!["sectors.widget.carbon_factor=0".into(), plan("energy", "")],
        ),
    ];
    let tmp = TempDir::new().unwrap();
    let mut bad = Vec::new();
    for (k, (base, sets)) in cases.iter().enumerate() {
        let out = tmp.path().join(format!("edge-{k}"));
        let mut extra: Vec<&str> = Vec::new();
        for s in sets {
            extra.extend(["--set", s.as_str()]);
        }
        command_ok("run", &validation(base), &out, &extra);
        bad.extend(
            non_finite_values(&out)
                .into_iter()
                .map(|l| format!("{base} {sets:?}: {l}")),
        );
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
