//! Fuzzing the input contract: random mutations of the shipped configs (values of every
//! type, NaN and infinities, huge and negative numbers, wrong types, deleted keys, duplicated
//! array items) are fed to `synergy check` and `synergy run` with a short horizon. Whatever
//! the mutation, the binary either exits 0 and writes only finite floats, or exits 2 with a
//! message that names the file; it never panics or fails otherwise.
//!
//! A fixed number of cases per run (`SYNERGY_FUZZ_CASES`, default 300) from a fixed seed
//! (`SYNERGY_FUZZ_SEED`, default 1), so CI time is bounded and a failure reproduces. The
//! same test runs against a release build with `cargo test --release --test main fuzz`.

use crate::common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::sync::atomic::{AtomicUsize, Ordering};
use tempfile::TempDir;

/// Counts of (check, run) x (exit 2, exit 0), for the summary line.
static OUTCOMES: [[AtomicUsize; 2]; 2] = [
    [AtomicUsize::new(0), AtomicUsize::new(0)],
    [AtomicUsize::new(0), AtomicUsize::new(0)],
];

/// One edit of a TOML document.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the value at leaf `pick` (index among all leaves, modulo) with `value`; with
    /// `keep_type`, a number replacing a number takes the original's type (integer or float),
    /// so that the mutation reaches validation rather than the parser.
    Replace(usize, toml::Value, bool),
    /// Delete the key of leaf `pick`.
    Delete(usize),
    /// Append a copy of the first item to the array holding leaf `pick` (or any array).
    Duplicate(usize),
}

fn interesting_value() -> impl Strategy<Value = toml::Value> {
    prop_oneof![
        prop::sample::select(vec![
            0.0,
            -1.0,
            0.5,
            1.0,
            3.0,
            1e6,
            1e308,
            -1e308,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2147483647.0,
            -2147483648.0,
            4294967296.0,
            1e-300,
        ])
        .prop_map(toml::Value::Float),
        prop::sample::select(vec![
            0i64,
            -1,
            1,
            2,
            255,
            256,
            65536,
            i64::from(i32::MAX),
            i64::MIN
        ])
        .prop_map(toml::Value::Integer),
        prop::sample::select(vec![
            "",
            "x",
            "Beijing",
            "national",
            "embedded",
            "/dev/zero",
            "../"
        ])
        .prop_map(|s| toml::Value::String(s.to_string())),
        any::<bool>().prop_map(toml::Value::Boolean),
        Just(toml::Value::Array(vec![])),
        Just(toml::Value::Array(vec![
            toml::Value::Array(vec![toml::Value::Integer(2030), toml::Value::Float(-5.0)]),
            toml::Value::Array(vec![toml::Value::Integer(2020), toml::Value::Float(1.0)]),
        ])),
        Just(toml::Value::Table(toml::Table::new())),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<usize>(), interesting_value(), prop::bool::weighted(0.8))
            .prop_map(|(i, v, keep)| Mutation::Replace(i, v, keep)),
        2 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Duplicate),
    ]
}

/// Paths of every leaf (non-table value) and every array, depth first.
fn leaves(v: &toml::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                path.push(k.clone());
                leaves(x, path, out);
                path.pop();
            }
        }
        toml::Value::Array(a) if a.iter().any(|x| x.is_table()) => {
            out.push(path.clone());
            for (i, x) in a.iter().enumerate() {
                path.push(format!("#{i}"));
                leaves(x, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

/// The parent container of `path` and the last key.
fn parent<'a>(root: &'a mut toml::Value, path: &[String]) -> Option<(&'a mut toml::Value, String)> {
    let (last, init) = path.split_last()?;
    let mut cur = root;
    for k in init {
        cur = match k.strip_prefix('#') {
            Some(i) => cur.as_array_mut()?.get_mut(i.parse::<usize>().ok()?)?,
            None => cur.as_table_mut()?.get_mut(k)?,
        };
    }
    Some((cur, last.clone()))
}

fn apply(doc: &mut toml::Value, m: &Mutation) {
    let mut all = Vec::new();
    leaves(doc, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let pick = |i: usize| all[i % all.len()].clone();
    match m {
        Mutation::Replace(i, v, keep) => {
            let like = |old: Option<&toml::Value>| match (old, v, keep) {
                (Some(toml::Value::Integer(_)), toml::Value::Float(f), true) => {
                    toml::Value::Integer(if f.is_finite() { *f as i64 } else { -1 })
                }
                (Some(toml::Value::Float(_)), toml::Value::Integer(n), true) => {
                    toml::Value::Float(*n as f64)
                }
                _ => v.clone(),
            };
            if let Some((p, k)) = parent(doc, &pick(*i)) {
                match (p, k.strip_prefix('#')) {
                    (toml::Value::Array(a), Some(j)) => {
                        if let Some(x) = j.parse::<usize>().ok().and_then(|j| a.get_mut(j)) {
                            *x = like(Some(x));
                        }
                    }
                    (toml::Value::Table(t), None) => {
                        let new = like(t.get(&k));
                        t.insert(k, new);
                    }
                    _ => {}
                }
            }
        }
        Mutation::Delete(i) => {
            if let Some((p, k)) = parent(doc, &pick(*i)) {
                match (p, k.strip_prefix('#')) {
                    (toml::Value::Array(a), Some(j)) => {
                        if let Ok(j) = j.parse::<usize>()
                            && j < a.len()
                        {
                            a.remove(j);
                        }
                    }
                    (toml::Value::Table(t), None) => {
                        t.remove(&k);
                    }
                    _ => {}
                }
            }
        }
        Mutation::Duplicate(i) => {
            let path = pick(*i);
            // The nearest array at or above the leaf.
            for n in (1..=path.len()).rev() {
                if let Some((p, k)) = parent(doc, &path[..n])
                    && let Some(toml::Value::Array(a)) =
                        p.as_table_mut().and_then(|t| t.get_mut(&k))
                    && let Some(first) = a.first().cloned()
                {
                    a.push(first);
                    return;
                }
            }
        }
    }
}

/// Whether the mutated scenario is small enough to simulate here (a valid but huge scenario
/// is not what this test is about): at most 20,000 generated firms and 10 years.
fn small(doc: &toml::Value) -> bool {
    let firms: i64 = doc
        .get("sectors")
        .and_then(|s| s.as_table())
        .map(|t| {
            t.values()
                .filter_map(|s| s.get("firms").and_then(toml::Value::as_integer))
                .map(|n| n.max(0))
                .sum()
        })
        .unwrap_or(0);
    let year = |k: &str| {
        doc.get("scenario")
            .and_then(|s| s.get(k))
            .and_then(toml::Value::as_integer)
    };
    let years = match (year("start_year"), year("end_year")) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => 0,
    };
    firms <= 20_000 && years <= 10
}

/// An environment variable parsed, or `default`.
fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A proptest runner with `cases` cases from a fixed seed, no persistence, short shrinking.
fn runner(cases: u32, key: [u8; 32]) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 64,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &key),
    )
}

fn one_case(base: &str, text: &str, muts: &[Mutation]) -> Result<(), TestCaseError> {
    let mut doc: toml::Value = toml::from_str(text).unwrap();
    // A short horizon: three years from the start.
    if let Some(s) = doc.get_mut("scenario").and_then(|s| s.as_table_mut())
        && let Some(y0) = s.get("start_year").and_then(toml::Value::as_integer)
    {
        s.insert("end_year".into(), toml::Value::Integer(y0 + 2));
    }
    for m in muts {
        apply(&mut doc, m);
    }
    let Ok(mutated) = toml::to_string(&doc) else {
        return Ok(()); // not representable as TOML (e.g. a table inside an inline array)
    };
    let dir = TempDir::new().unwrap();
    let file = dir.path().join(format!("fuzz-{base}.toml"));
    // Keep the relative data paths of the original (configs/validation or configs/).
    std::fs::write(&file, &mutated).unwrap();
    let label = file.to_str().unwrap();
    let out = dir.path().join("out");
    let mut commands = vec![vec!["check", label]];
    if small(&doc) {
        commands.push(vec![
            "run",
            label,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
    }
    for args in commands {
        let o = synergy(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        let what = format!("synergy {} on {base} mutated by {muts:?}", args[0]);
        OUTCOMES[usize::from(args[0] == "run")][usize::from(o.status.code() == Some(0))]
            .fetch_add(1, Ordering::Relaxed);
        match o.status.code() {
            Some(0) => {
                if args[0] == "run" {
                    let bad = non_finite_values(&out);
                    prop_assert!(bad.is_empty(), "{what}: {}", bad.join("; "));
                }
            }
            Some(2) => prop_assert!(
                err.contains("fuzz-") || err.contains("--set") || err.contains("geography"),
                "{what}: exit 2 without naming the file: {err}"
            ),
            code => {
                return Err(TestCaseError::fail(format!(
                    "{what}: exit {code:?} (expected 0 or 2): {err}\n--- config ---\n{mutated}"
                )));
            }
        }
    }
    Ok(())
}

#[test]
fn mutated_configs_exit_0_with_finite_output_or_2_with_the_file() {
    let cases: u32 = env_or("SYNERGY_FUZZ_CASES", 300);
    let seed: u64 = env_or("SYNERGY_FUZZ_SEED", 1);
    let bases: Vec<(String, String)> = [
        "linear_mac",
        "allocation_rules",
        "adoption",
        "newell_stavins",
    ]
    .iter()
    .map(|b| {
        (
            b.to_string(),
            std::fs::read_to_string(validation(b)).unwrap(),
        )
    })
    .collect();
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = runner(cases, key);
    let strategy = (0..bases.len(), prop::collection::vec(mutation(), 1..4));
    let result = runner.run(&strategy, |(b, muts)| {
        let (name, text) = &bases[b];
        one_case(name, text, &muts)
    });
    let n = |c: usize, ok: usize| OUTCOMES[c][ok].load(Ordering::Relaxed);
    eprintln!(
        "fuzz: {cases} cases (seed {seed}): check exit 0 x{}, exit 2 x{}; run exit 0 (finite output) x{}, exit 2 x{}",
        n(0, 1),
        n(0, 0),
        n(1, 1),
        n(1, 0)
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// One cell of a firms CSV: plausible values, edge numbers and garbage.
fn cell() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "100",
        "1",
        "0",
        "-1",
        "0.5",
        "1e308",
        "-1e308",
        "nan",
        "inf",
        "-inf",
        "1e-320",
        "",
        "abc",
        "widget",
        "Beijing",
        "Shanghai",
        "4294967296",
        "\"1,2\"",
    ])
}

#[test]
fn mutated_firms_files_exit_0_or_2_with_the_file_and_row() {
    let cases: u32 = env_or::<u32>("SYNERGY_FUZZ_CASES", 300) / 3;
    let mut runner = runner(cases, [2; 32]);
    let header = "sector,city,output,energy_intensity,carbon_factor,mac_slope,abatement_max";
    let good = "widget,Beijing,100,1,1,10,100";
    // Rows of 5-8 cells (the header has 7) replacing one to three good rows.
    let rows = prop::collection::vec(prop::collection::vec(cell(), 5..9), 1..4);
    let result = runner.run(&rows, |rows| {
        let dir = TempDir::new().unwrap();
        let mut csv = format!("{header}\n{good}\n");
        for r in &rows {
            csv.push_str(&r.join(","));
            csv.push('\n');
        }
        std::fs::write(dir.path().join("firms.csv"), &csv).unwrap();
        let text = std::fs::read_to_string(validation("linear_mac")).unwrap();
        let file = dir.path().join("fuzz-firms.toml");
        std::fs::write(
            &file,
            text.replace("[scenario]", "firms_file = \"firms.csv\"\n\n[scenario]"),
        )
        .unwrap();
        let o = synergy(&["check", file.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        match o.status.code() {
            Some(0) => Ok(()),
            Some(2) => {
                prop_assert!(
                    err.contains("firms.csv") && err.contains("row "),
                    "exit 2 without file and row: {err}\n--- csv ---\n{csv}"
                );
                Ok(())
            }
            code => Err(TestCaseError::fail(format!(
                "exit {code:?}: {err}\n--- csv ---\n{csv}"
            ))),
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
