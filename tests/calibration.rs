//! Calibration, paired baselines, the least-cost benchmark and ambition matching
//! (`synergy calibrate`, `synergy compare --match`; issue 11).

use crate::common::*;
use arrow::array::Array;
use std::path::Path;
use std::sync::Arc;
use synergy::calibrate::Source;
use synergy::calibrate::eval::{Metric, Outcome, simulate_in_memory};
use synergy::calibrate::file::calibrate_file;
use synergy::calibrate::matching::{MatchOptions, Regime, match_regimes};
use synergy::calibrate::param::Param;
use synergy::config::transform::{Hotelling, baseline, least_cost};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(source: &Source, set: &[&str], seed: u64) -> Outcome {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    simulate_in_memory(Arc::new(source.scenario(&set, None).unwrap()), seed).unwrap()
}

/// Linear MAC (slopes 10, 20, 40; 100 t each): a cap of 230 t clears at 400 with 70 t abated.
/// Calibrating the cap to a price of 400 must find 230 (to 1e-6).
#[test]
fn calibration_recovers_the_linear_mac_cap() {
    let dir = tempfile::tempdir().unwrap();
    let lm = validation("linear_mac");
    let file = write(
        dir.path(),
        "cal.toml",
        &format!(
            r#"
[calibration]
name = "cap_for_400"
scenario = "{}"
tolerance = 1e-9
max_evaluations = 60
[[parameters]]
path = "markets.market.cap_t"
mode = "set"
bounds = [100, 290]
[target]
metric = "price"
market = "market"
window = [2020, 2020]
value = 400
"#,
            lm.display()
        ),
    );
    let out = dir.path().join("out");
    let r = calibrate_file(&file, &out, true).unwrap();
    let cap = r.solution.x[0];
    assert!((cap - 230.0).abs() < 230.0 * 1e-6, "cap {cap}");
    assert!(r.solution.error < 1e-6, "error {}", r.solution.error);
    // The calibrated file is a scenario: run it and read the abatement.
    let s = Source::file(&r.scenario_file).unwrap();
    let o = run(&s, &[], 1);
    let per_year = o.summary.cumulative_abatement / 3.0;
    assert!((per_year - 70.0).abs() < 1e-4, "abatement {per_year}");
    assert!(r.trace_file.exists());
    let trace = read_parquet_file(&r.trace_file);
    assert_eq!(
        trace.iter().map(|b| b.num_rows()).sum::<usize>(),
        r.solution.trace.len()
    );
}

fn read_parquet_file(p: &Path) -> Vec<arrow::record_batch::RecordBatch> {
    let f = std::fs::File::open(p).unwrap();
    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

/// The shipped calibration: the tax path scaled to a cumulative-emissions target lands within
/// 0.1 % of it.
#[test]
fn the_default_tax_path_is_matched_to_a_budget() {
    let dir = tempfile::tempdir().unwrap();
    let file = root().join("configs/calibration/tax_budget.toml");
    let r = calibrate_file(&file, dir.path(), true).unwrap();
    assert!(r.solution.error <= 1e-3, "error {}", r.solution.error);
    assert!((r.solution.metric - 250e9).abs() <= 250e9 * 1e-3);
    // Rerunning the calibrated file reproduces the metric (deterministic, same seeds).
    let s = Source::file(&r.scenario_file).unwrap();
    let m = Metric::cumulative_emissions((2026, 2060));
    let seeds = synergy::calibrate::seeds(2026, 2);
    let values: Vec<f64> = seeds
        .iter()
        .map(|&seed| m.of(&run(&s, &[], seed)).unwrap())
        .collect();
    let mean = values.iter().sum::<f64>() / 2.0;
    assert!((mean - r.solution.metric).abs() <= 1e-9 * mean, "{mean}");
}

/// A small random world: 60 firms, linear MACs, no technologies; prices vary by year.
fn small_world(dir: &Path, seed: u64, market: &str) -> std::path::PathBuf {
    let base = validation("random_mac");
    write(
        dir,
        &format!("w{seed}_{}.toml", market.len()),
        &format!(
            r#"base = "{}"
set = ["scenario.end_year = 2030", "scenario.seed = {seed}", "behaviour.bid_noise = 0", "behaviour.forecast_error = 0", "markets.market.end_year = 2020"]
[scenario]
name = "w"
description = "small world"
{market}
"#,
            base.display()
        ),
    )
}

/// Montgomery, dynamically: a tax equal year by year to a permit market's clearing prices
/// reproduces that market's emissions exactly (same seed).
#[test]
fn a_tax_at_the_permit_prices_reproduces_the_permit_market() {
    let dir = tempfile::tempdir().unwrap();
    let cap = r#"
[[markets]]
name = "cap"
kind = "national"
start_year = 2021
sectors = { widget = 2021 }
allocation = "grandfathering"
cap_factor = [[2021, 0.9], [2030, 0.6]]
cap_basis = "baseline"
banking = false
ceiling = 100000
launch_price = 50
"#;
    let f = small_world(dir.path(), 11, cap);
    let s = Source::file(&f).unwrap();
    let permit = run(&s, &[], 11);
    let prices = &permit.markets.iter().find(|(n, _)| n == "cap").unwrap().1;
    assert_eq!(prices.len(), 10);
    assert!(
        prices
            .windows(2)
            .any(|w| (w[0].price - w[1].price).abs() > 1.0)
    );
    let path: Vec<String> = prices
        .iter()
        .map(|p| format!("[{}, {:?}]", p.year, p.price))
        .collect();
    let tax = run(
        &s,
        &[
            "markets.cap.allocation=\"tax\"",
            &format!("markets.cap.tax=[{}]", path.join(", ")),
        ],
        11,
    );
    // (The cap_factor left in the tax market is ignored: a tax allocates nothing.)
    for (a, b) in permit.years.iter().zip(&tax.years) {
        assert!(
            (a.emissions - b.emissions).abs() <= 1e-9 * a.emissions,
            "{}: {} vs {}",
            a.year,
            a.emissions,
            b.emissions
        );
    }
    for (a, b) in permit.years.iter().zip(&tax.years) {
        assert!((a.social_cost - b.social_cost).abs() <= 1e-6 * a.social_cost.abs().max(1.0));
    }
}

/// The paired baseline of a scenario without policy after the year is the scenario itself:
/// abatement and cost against it are exactly 0.
#[test]
fn a_no_policy_scenario_has_zero_abatement_against_its_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let f = small_world(dir.path(), 5, "");
    let s = Source::file(&f).unwrap();
    let own = run(&s, &[], 5);
    let edit = |d: &mut toml::Table| baseline(d, 2020);
    let base = simulate_in_memory(Arc::new(s.scenario(&[], Some(&edit)).unwrap()), 5).unwrap();
    assert_eq!(own.years, base.years);
    // A scenario with policy after 2020 abates against the same baseline.
    let tax = r#"
[[markets]]
name = "t"
kind = "national"
start_year = 2021
sectors = { widget = 2021 }
allocation = "tax"
tax = 100
"#;
    let f = small_world(dir.path(), 5, tax);
    let s = Source::file(&f).unwrap();
    let taxed = run(&s, &[], 5);
    let base2 = simulate_in_memory(Arc::new(s.scenario(&[], Some(&edit)).unwrap()), 5).unwrap();
    assert_eq!(
        base.years, base2.years,
        "the baseline does not depend on later policy"
    );
    let m = Metric::cumulative_emissions((2021, 2030));
    assert!(m.of(&taxed).unwrap() < m.of(&base).unwrap() * 0.99);
}

fn regime(
    dir: &Path,
    seed: u64,
    name: &str,
    market: &str,
    stringency: &str,
    bounds: (f64, f64),
) -> Regime {
    let f = small_world(dir, seed, market);
    let text = std::fs::read_to_string(&f).unwrap().replace(
        "name = \"w\"",
        &format!("name = \"{name}\"\nstringency = [\"{stringency}\"]"),
    );
    let f = write(dir, &format!("{name}_{seed}.toml"), &text);
    Regime {
        name: name.into(),
        source: Source::file(&f).unwrap(),
        params: vec![Param::parse_compact(stringency, bounds).unwrap()],
    }
}

/// The least-cost benchmark costs no more (in present value) than any regime matched to the
/// same emissions, on several random small worlds; and a regime that is a Hotelling tax on
/// the same sources is its own benchmark (same p0, same cost).
#[test]
fn the_least_cost_benchmark_is_never_beaten() {
    for seed in [3u64, 8, 21] {
        let dir = tempfile::tempdir().unwrap();
        let hotelling = Hotelling {
            from: 2021,
            p0: 150.0,
            rate: 0.05,
        };
        let path: Vec<String> = (2021..=2030)
            .map(|y| format!("[{y}, {:?}]", hotelling.price(y)))
            .collect();
        let regimes = vec![
            regime(
                dir.path(),
                seed,
                "hotelling_tax",
                &format!(
                    "[[markets]]\nname = \"t\"\nkind = \"national\"\nstart_year = 2021\nsectors = {{ widget = 2021 }}\nallocation = \"tax\"\nlaunch_price = 150\ntax = [{}]\n",
                    path.join(", ")
                ),
                "markets.t.tax:scale",
                (0.01, 50.0),
            ),
            regime(
                dir.path(),
                seed,
                "flat_tax",
                "[[markets]]\nname = \"t\"\nkind = \"national\"\nstart_year = 2021\nsectors = { widget = 2021 }\nallocation = \"tax\"\ntax = 150\n",
                "markets.t.tax:scale",
                (0.01, 50.0),
            ),
            regime(
                dir.path(),
                seed,
                "cap",
                "[[markets]]\nname = \"c\"\nkind = \"national\"\nstart_year = 2021\nsectors = { widget = 2021 }\nallocation = \"grandfathering\"\ncap_factor = [[2021, 0.7], [2030, 0.9]]\ncap_basis = \"baseline\"\nbanking = false\nceiling = 100000\n",
                "markets.c.cap_factor:scale",
                (0.1, 1.4),
            ),
        ];
        let metric = Metric::cumulative_emissions((2021, 2030));
        let own = metric
            .of(&run(
                &regimes[0].source,
                &[],
                synergy::calibrate::seeds(seed, 1)[0],
            ))
            .unwrap();
        let opts = MatchOptions {
            metric,
            budgets: vec![own],
            replicates: 1,
            master_seed: seed,
            rate: 0.05,
            tolerance: 1e-5,
            max_evaluations: 60,
            max_p0: 5000.0,
            out: dir.path().join("out"),
            quiet: true,
        };
        let r = match_regimes(&regimes, &opts).unwrap();
        let hot = &r.rows[0];
        assert!(
            (hot.p0 - 150.0).abs() < 150.0 * 1e-3,
            "seed {seed}: the Hotelling tax's benchmark p0 is {}",
            hot.p0
        );
        for row in &r.rows {
            let e = row.emissions[0];
            assert!(
                (e - r.targets[0]).abs() <= 2e-5 * r.targets[0],
                "{}: {e}",
                row.name
            );
            let ratio = row.cost_ratio_least_cost[0];
            assert!(
                ratio >= 1.0 - 2e-3,
                "seed {seed}: {} costs {ratio} x the least-cost benchmark",
                row.name
            );
        }
        assert!(
            (hot.cost_ratio_least_cost[0] - 1.0).abs() < 2e-3,
            "seed {seed}: {}",
            hot.cost_ratio_least_cost[0]
        );
        // The flat tax and the cap (a rising price) are not Hotelling paths: dearer.
        assert!(r.rows[1].cost_ratio_least_cost[0] > 1.0 + 1e-3);
        // The per-replicate table has one row per regime and replicate; the experiment file
        // of the matched regimes plans.
        let t = read_parquet_file(&r.summary_file);
        assert_eq!(t.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
        let o = synergy(&["plan", r.experiment_file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

/// The least-cost edit leaves the history alone and taxes from its first year.
#[test]
fn least_cost_edit_resolves_on_every_regime() {
    for r in [
        "tax",
        "market_cap",
        "administrative",
        "hybrid",
        "current_policy",
    ] {
        let s = Source::file(&root().join(format!("configs/regimes/{r}.toml"))).unwrap();
        let h = Hotelling {
            from: 2026,
            p0: 80.0,
            rate: 0.05,
        };
        let edit = move |d: &mut toml::Table| least_cost(d, &h);
        let sc = s.scenario(&[], Some(&edit)).unwrap();
        assert!(
            sc.markets
                .iter()
                .any(|m| m.name().starts_with("least_cost_")),
            "{r}"
        );
        let edit = |d: &mut toml::Table| baseline(d, 2025);
        let b = s.scenario(&[], Some(&edit)).unwrap();
        assert!(b.markets.iter().all(|m| m.end_year <= 2025), "{r}");
    }
}

/// `run --baseline-until`: the summary carries the paired-baseline columns; a scenario without
/// policy after the year has exactly zero abatement and cost against its baseline.
#[test]
fn run_writes_the_paired_baseline_columns() {
    let dir = tempfile::tempdir().unwrap();
    let f = validation("random_mac");
    let out = dir.path().join("a");
    run_ok(
        &f,
        &out,
        &[
            "--baseline-until",
            "2021",
            "--set",
            "markets.market.end_year=2021",
        ],
    );
    let s = read_table(&out.join("random_mac"), "summary");
    assert_eq!(f64s(&s, "abatement_vs_baseline"), vec![0.0]);
    assert_eq!(f64s(&s, "social_cost_vs_baseline"), vec![0.0]);
    assert_eq!(
        f64s(&s, "baseline_cumulative_emissions"),
        f64s(&s, "cumulative_emissions")
    );
    assert!(
        s[0].column_by_name("cost_per_tonne_vs_baseline")
            .unwrap()
            .is_null(0)
    );
    // With the market running to the end, the same baseline shows abatement and its cost.
    let out = dir.path().join("b");
    run_ok(&f, &out, &["--baseline-until", "2021"]);
    let s = read_table(&out.join("random_mac"), "summary");
    let a = f64s(&s, "abatement_vs_baseline")[0];
    let c = f64s(&s, "social_cost_vs_baseline")[0];
    assert!(a > 0.0 && c > 0.0, "abatement {a}, cost {c}");
    assert!((f64s(&s, "cost_per_tonne_vs_baseline")[0] - c / a).abs() < 1e-9 * (c / a));
    // Without the option the columns are null.
    let out = dir.path().join("c");
    run_ok(&f, &out, &[]);
    let s = read_table(&out.join("random_mac"), "summary");
    assert!(
        s[0].column_by_name("abatement_vs_baseline")
            .unwrap()
            .is_null(0)
    );
}

/// Observed prices: one parameter by golden-section search, two by Nelder-Mead. Linear MAC
/// (p = (300 - cap) / 0.175): prices 400 in 2020 and 600 in 2022 need caps 230 and 195.
#[test]
fn observed_prices_are_fitted_by_golden_section_and_nelder_mead() {
    let dir = tempfile::tempdir().unwrap();
    let lm = validation("linear_mac");
    let scen = write(
        dir.path(),
        "path.toml",
        &format!(
            "base = \"{}\"\nset = [\"markets.market.cap_t = [[2020, 250.0], [2022, 250.0]]\"]\n",
            lm.display()
        ),
    );
    let cal = |params: &str, observed: &str, method_evals: u32| {
        format!(
            r#"
[calibration]
name = "fit"
scenario = "{}"
tolerance = 1e-6
max_evaluations = {method_evals}
{params}
[target]
metric = "price"
market = "market"
observed = {observed}
"#,
            scen.display()
        )
    };
    // One parameter: the whole path scaled; prices 400 every year need 230 = 250 x 0.92.
    let one = write(
        dir.path(),
        "one.toml",
        &cal(
            "[[parameters]]\npath = \"markets.market.cap_t\"\nbounds = [0.7, 1.1]\n",
            "[[2020, 400.0], [2021, 400.0], [2022, 400.0]]",
            100,
        ),
    );
    let r = calibrate_file(&one, &dir.path().join("o1"), true).unwrap();
    assert!((r.solution.x[0] - 0.92).abs() < 1e-4, "{:?}", r.solution.x);
    assert!(r.solution.error < 1e-3, "{}", r.solution.error);
    // Two parameters: each point of the path set.
    let two = write(
        dir.path(),
        "two.toml",
        &cal(
            "[[parameters]]\npath = \"markets.market.cap_t[0][1]\"\nmode = \"set\"\nbounds = [150, 290]\n\
             [[parameters]]\npath = \"markets.market.cap_t[1][1]\"\nmode = \"set\"\nbounds = [150, 290]\n",
            "[[2020, 400.0], [2022, 600.0]]",
            400,
        ),
    );
    let r = calibrate_file(&two, &dir.path().join("o2"), true).unwrap();
    let x = &r.solution.x;
    assert!(
        (x[0] - 230.0).abs() < 0.5 && (x[1] - 195.0).abs() < 0.5,
        "{x:?}"
    );
    assert!(r.solution.error < 5e-3, "{}", r.solution.error);
}

/// A calibration is a pure function of its file: the same calibrated scenario and trace with
/// one thread or two.
#[test]
fn calibration_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = root().join("configs/calibration/tax_budget.toml");
    let mut texts = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(threads);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_synergy"))
            .env("RAYON_NUM_THREADS", threads)
            .args(["calibrate", file.to_str().unwrap(), "--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let toml = std::fs::read_to_string(out.join("tax_budget/tax_budget.toml")).unwrap();
        let trace = std::fs::read(out.join("tax_budget/calibration_trace.parquet")).unwrap();
        texts.push((toml, trace));
    }
    assert_eq!(texts[0].0, texts[1].0);
    assert_eq!(texts[0].1, texts[1].1);
}

/// An observed table for configs/validation/upstream.toml: the tax market's price in 2022
/// (fitted) and 2023 (held out: far away, so a fit that used it would miss 2022), national
/// emissions and an intensity change (weight 0: reported only).
const UPSTREAM_OBSERVED: &str = "\
series,scope,year,from_year,value,unit,source,confidence
price,tax,2022,,30,CNY/t,test,H
price,tax,2023,,1000,CNY/t,test,H
national_emissions,nation,2022,,500,t CO2,test,L
carbon_intensity_change,nation,2022,2021,-0.1,share,test,L
";

/// `metric = "history"`: the tax of 20 is scaled until the 2022 price matches 30 (x 1.5);
/// the held-out 2023 row is reported with the calibrated value (30, not fitted towards
/// 1000), the weight-0 series are reported, and the fit table and scenario are written.
#[test]
fn a_history_target_fits_the_rows_up_to_fit_until_and_holds_out_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "observed.csv", UPSTREAM_OBSERVED);
    let file = write(
        dir.path(),
        "cal.toml",
        &format!(
            r#"
[calibration]
name = "tax_history"
scenario = "{}"
tolerance = 1e-6
max_evaluations = 80

[[parameters]]
path = "markets.tax.tax"
mode = "scale"
bounds = [0.5, 4.0]

[target]
metric = "history"
table = "observed.csv"
fit_until = 2022
series_weights = {{ national_emissions = 0, carbon_intensity_change = 0 }}
"#,
            validation("upstream").display()
        ),
    );
    let out = dir.path().join("out");
    let r = calibrate_file(&file, &out, true).unwrap();
    assert!((r.solution.x[0] - 1.5).abs() < 1e-3, "{:?}", r.solution.x);
    let (rows, table) = r.fit.as_ref().unwrap();
    assert!(table.exists());
    let roles: Vec<&str> = rows.iter().map(|x| x.role.name()).collect();
    assert_eq!(roles, ["fit", "holdout", "unweighted", "unweighted"]);
    let p22 = rows[0].model.unwrap();
    let p23 = rows[1].model.unwrap();
    assert!(
        (p22 - 30.0).abs() < 0.05 && (p23 - p22).abs() < 1e-9,
        "{p22} {p23}"
    );
    assert!(rows[2].model.unwrap() > 0.0 && rows[3].model.is_some());
    let text = std::fs::read_to_string(table).unwrap();
    assert!(
        text.contains("price,tax,2023,,1000,") && text.contains(",holdout,H"),
        "{text}"
    );
    assert!(r.scenario_file.exists());
    // Through the binary: the same file, exit 0, the fit printed.
    let o = synergy(&[
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        dir.path().join("cli").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("history fit") && stdout.contains("holdout"),
        "{stdout}"
    );
}

/// The in-memory values a history target fits are the values `synergy validate-history`
/// reads from the run's dataset, row by row.
#[test]
fn in_memory_history_values_equal_the_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let obs_file = write(dir.path(), "observed.csv", UPSTREAM_OBSERVED);
    let up = validation("upstream");
    run_ok(&up, dir.path(), &["--set", "markets.tax.tax=35"]);
    let vh = dir.path().join("vh.csv");
    let o = synergy(&[
        "validate-history",
        dir.path().join("upstream").to_str().unwrap(),
        "--observed",
        obs_file.to_str().unwrap(),
        "--out",
        vh.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let source = Source::file(&up).unwrap();
    let seed = source.scenario(&[], None).unwrap().seed();
    let mem = run(&source, &["markets.tax.tax=35"], seed);
    let (_, observed) = synergy::history::observed::load(obs_file.to_str().unwrap()).unwrap();
    let text = std::fs::read_to_string(&vh).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head = r.headers().unwrap().clone();
    let col = head.iter().position(|h| h == "model_mean").unwrap();
    for (row, o) in r.records().map(|x| x.unwrap()).zip(&observed) {
        let disk: f64 = row[col].parse().unwrap();
        let m = synergy::history::memory::value(&mem.history, o).unwrap();
        assert_eq!(m, disk, "{o:?}");
    }
}

/// Every shipped calibration file parses and names a scenario that resolves.
#[test]
fn shipped_calibration_files_are_valid() {
    let dir = root().join("configs/calibration");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let label = path.display().to_string();
        let cal = synergy::calibrate::spec::parse(&text, &label).unwrap();
        let src = Source::resolve(&cal.header.scenario, &dir, "calibration.scenario").unwrap();
        let set = cal.header.set.clone();
        src.scenario(&set, None)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        n += 1;
    }
    assert!(n >= 2, "{n} calibration files");
}
