//! Every input value is checked at its source (issue: datasets never mixed or corrupted):
//! CSV rows, distributions on their support, years, counts against their types, values whose
//! products would overflow, files that are not regular files or are too large, and Slurm
//! options. Each case exits 2, names the file and the key (or row and column), and writes
//! nothing.

use crate::bad_input::{rejects, variant};
use crate::common::*;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

const FIRMS_HEADER: &str =
    "sector,city,output,energy_intensity,carbon_factor,mac_slope,abatement_max\n";

/// The linear-MAC case with a `firms_file` holding `rows` (after the header).
fn with_firms_file(dir: &Path, rows: &str) -> String {
    std::fs::write(dir.join("firms.csv"), format!("{FIRMS_HEADER}{rows}")).unwrap();
    variant(dir, "ff.toml", |t| {
        t.replace("[scenario]", "firms_file = \"firms.csv\"\n\n[scenario]")
    })
}

fn set(key_value: &str) -> Vec<String> {
    vec!["--set".to_string(), key_value.to_string()]
}

/// `run` on the linear-MAC case with one override must exit 2 mentioning `mention`.
fn rejects_set(key_value: &str, mention: &[&str]) {
    let f = validation("linear_mac");
    let mut args: Vec<String> = vec![f.to_str().unwrap().to_string()];
    args.extend(set(key_value));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    rejects(&args, mention);
}

/// `run` on scenario `file` with the overrides `kv` must exit 2 mentioning `mention`.
fn rejects_file_sets(file: &std::path::Path, kv: &[&str], mention: &[&str]) {
    let mut args = vec![file.to_str().unwrap()];
    for k in kv {
        args.push("--set");
        args.push(k);
    }
    rejects(&args, mention);
}

/// `run` on the embedded default with one override must exit 2 mentioning `mention`.
fn rejects_default_set(key_value: &str, mention: &[&str]) {
    rejects(&["--set", key_value], mention);
}

#[test]
fn firms_file_rows_are_checked_like_inline_firms() {
    let d = TempDir::new().unwrap();
    let cases = [
        ("widget,Beijing,NaN,1,1,10,100\n", "row 2: output"),
        ("widget,Beijing,1e308,1,1,10,100\n", "row 2: output"),
        ("widget,Beijing,100,1,-1,10,100\n", "row 2: carbon_factor"),
        ("widget,Beijing,100,1,1,0,100\n", "row 2: mac_slope"),
        (
            "widget,Beijing,100,1,1,10,100\nsteel,Beijing,100,1,1,10,100\n",
            "row 3: sector",
        ),
        (
            "widget,Beijing,100,inf,1,10,100\n",
            "row 2: energy_intensity",
        ),
    ];
    for (rows, mention) in cases {
        let f = with_firms_file(d.path(), rows);
        rejects(&[&f], &["firms.csv", mention]);
    }
}

#[test]
fn a_firms_file_that_is_a_directory_or_a_device_is_refused() {
    let d = TempDir::new().unwrap();
    std::fs::create_dir(d.path().join("dir.csv")).unwrap();
    let f = variant(d.path(), "dir.toml", |t| {
        t.replace("[scenario]", "firms_file = \"dir.csv\"\n\n[scenario]")
    });
    rejects(&[&f], &["firms_file", "not a regular file (a directory)"]);
    let f = variant(d.path(), "dev.toml", |t| {
        t.replace("[scenario]", "firms_file = \"/dev/zero\"\n\n[scenario]")
    });
    rejects(&[&f], &["firms_file", "FIFO, socket or device"]);
}

#[test]
fn scenario_files_must_be_regular_and_small() {
    let d = TempDir::new().unwrap();
    rejects(
        &[d.path().to_str().unwrap()],
        &["not a regular file (a directory)"],
    );
    rejects(&["/dev/zero"], &["/dev/zero", "FIFO, socket or device"]);
    let fifo = d.path().join("fifo.toml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "mkfifo is needed for this test"
    );
    rejects(
        &[fifo.to_str().unwrap()],
        &["fifo.toml", "FIFO, socket or device"],
    );
    // Above the size limit.
    let out = d.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_synergy"))
        .args(["run", validation("linear_mac").to_str().unwrap()])
        .args(["--out", out.to_str().unwrap(), "--quiet"])
        .env("SYNERGY_MAX_INPUT_BYTES", "100")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("above the input size limit of 100 bytes"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn distributions_are_checked_on_their_support() {
    for (kv, mention) in [
        (
            "sectors.power.hurdle_rate = { dist = \"normal\", mean = -0.9, sd = 0.1 }",
            "sectors.power.hurdle_rate",
        ),
        (
            "sectors.power.carbon_factor = { dist = \"normal\", mean = 0, sd = 100 }",
            "sectors.power.carbon_factor",
        ),
        (
            "sectors.steel.variable_cost = { dist = \"uniform\", min = 0, max = 1e300 }",
            "sectors.steel.variable_cost",
        ),
        (
            "sectors.cement.mac_price_at_5pct = { dist = \"lognormal\", median = 50, sigma = 100 }",
            "sectors.cement.mac_price_at_5pct",
        ),
    ] {
        rejects_default_set(kv, &[mention]);
    }
}

#[test]
fn values_whose_products_would_overflow_are_refused() {
    for (kv, mention) in [
        (
            "sectors.power.total_output = 1e308",
            "sectors.power.total_output",
        ),
        (
            "geography.city_gdp_sigma = 1e300",
            "geography.city_gdp_sigma",
        ),
        (
            "geography.cities_per_province = 1000000",
            "geography.cities_per_province",
        ),
        ("sectors.power.firms = 10000000", "sectors.power.firms"),
        ("sectors.power.price = 1e300", "sectors.power.price"),
    ] {
        rejects_default_set(kv, &[mention]);
    }
    rejects_set("firms[0].output = 1e300", &["firms[0].output"]);
    rejects_set(
        "firms[1].abatement_max = 1e300",
        &["firms[1].abatement_max"],
    );
}

#[test]
fn years_and_durations_have_ranges() {
    for (kv, mention) in [
        ("scenario.end_year = 2400", "scenario.end_year"),
        ("macro.gdp_data_year = 0", "macro.gdp_data_year"),
        (
            "markets.national.start_year = 99999",
            "markets[0].start_year",
        ),
        ("markets.national.end_year = -5", "markets[0].end_year"),
        (
            "markets.national.obligation_cap_until = 3000",
            "markets[0].obligation_cap_until",
        ),
        (
            "technologies[0].lifetime = 2147483647",
            "technologies[0].lifetime",
        ),
        (
            "technologies[0].available_from = 99999",
            "technologies[0].available_from",
        ),
        ("plans[0].start_year = -2147483648", "plans[0].start_year"),
        ("plans[0].energy_cap_tce = 1e300", "plans[0].energy_cap_tce"),
    ] {
        rejects_default_set(kv, &[mention]);
    }
}

/// The embedded provinces table with `edit` applied, and a scenario (the linear-MAC case)
/// that reads it.
fn with_provinces(dir: &Path, edit: impl Fn(String) -> String) -> String {
    let table = std::fs::read_to_string(root().join("configs/data/provinces.csv")).unwrap();
    std::fs::write(dir.join("prov.csv"), edit(table)).unwrap();
    variant(dir, "prov.toml", |t| {
        t.replace("[geography]", "[geography]\nprovinces = \"prov.csv\"")
    })
}

#[test]
fn provinces_tables_are_checked_against_their_types() {
    let d = TempDir::new().unwrap();
    let f = with_provinces(d.path(), |t| {
        t.replacen("Guangdong,South,13.6", "Guangdong,South,1e308", 1)
    });
    rejects(&[&f], &["prov.csv", "gdp_cny_tn"]);
    let f = with_provinces(d.path(), |t| {
        t.replacen(
            ",Pearl River Delta,0.43,21,",
            ",Pearl River Delta,0.43,4000000000,",
            1,
        )
    });
    rejects(&[&f], &["prov.csv", "cities"]);
    // 300 agglomerations: more than fit the agglomeration id.
    let f = with_provinces(d.path(), |t| {
        let mut out = String::from(t.lines().next().unwrap());
        out.push('\n');
        for i in 0..300 {
            out.push_str(&format!("P{i},North,1,1,1,Agg{i},0.5,1,M,M,M,M,,,\n"));
        }
        out
    });
    rejects(&[&f], &["prov.csv", "agglomerations"]);
    let f = variant(d.path(), "zero.toml", |t| {
        t.replace("[geography]", "[geography]\nprovinces = \"/dev/zero\"")
    });
    rejects(&[&f], &["geography.provinces", "FIFO, socket or device"]);
}

#[test]
fn experiment_inputs_must_be_regular_files() {
    let d = TempDir::new().unwrap();
    let out = d.path().join("out");
    let o = synergy(&[
        "sweep",
        d.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("not a regular file (a directory)"), "{err}");
    assert!(!out.exists());
    // A csv design that is a directory.
    std::fs::create_dir(d.path().join("design.csv")).unwrap();
    let exp = d.path().join("e.toml");
    std::fs::write(
        &exp,
        format!(
            "[experiment]\nname = \"e\"\nbase = \"{}\"\nmaster_seed = 1\n\n[[scenarios]]\nname = \"a\"\n\n[samples]\nmethod = \"csv\"\nfile = \"design.csv\"\n\n[[samples.parameters]]\npath = \"markets[0].cap_factor\"\n",
            validation("linear_mac").display()
        ),
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
    assert!(err.contains("design.csv"), "{err}");
    assert!(!out.exists());
}

#[test]
fn slurm_options_cannot_inject_into_the_script() {
    let d = TempDir::new().unwrap();
    let exp = root().join("configs/experiments/slurm_ci.toml");
    let out = d.path().join("out");
    for (flag, value, mention) in [
        ("--time", "01:00:00\nrm -rf ~", "--time"),
        ("--mem", "4G; reboot", "--mem"),
        ("--partition", "short\n#SBATCH --uid=0", "--partition"),
        ("--tasks", "0", "--tasks"),
        ("--cpus", "100000", "--cpus"),
    ] {
        let mut args = vec![
            "slurm",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        if flag != "--tasks" {
            args.extend(["--tasks", "2"]);
        }
        args.extend([flag, value]);
        let o = synergy(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flag} {value:?}: {err}");
        assert!(err.contains(mention), "{err}");
        assert!(!out.exists(), "{flag} {value:?} wrote {}", out.display());
    }
}

#[test]
fn check_scales_linearly_with_the_number_of_cities() {
    // 31 provinces x 4,000 cities: the duplicate-name checks and lookups are hash-based, so
    // validation takes well under a second (it took 18 s when they were quadratic).
    let time = |n: u32| {
        let t0 = std::time::Instant::now();
        let o = synergy(&[
            "check",
            "--set",
            &format!("geography.cities_per_province={n}"),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        t0.elapsed().as_secs_f64()
    };
    let (small, large) = (time(1_000), time(4_000));
    assert!(
        large < 1.0,
        "check at 4,000 cities per province took {large:.2} s"
    );
    assert!(
        large < 10.0 * small.max(0.01),
        "4x the cities took {:.1}x the time ({small:.3} s -> {large:.3} s): not linear",
        large / small
    );
}

#[test]
fn a_sweep_above_the_size_limit_needs_allow_large() {
    let d = TempDir::new().unwrap();
    let exp = d.path().join("big.toml");
    // 5 million firms x 3 years x 200 replicates: about 200 GB of firm rows.
    std::fs::write(
        &exp,
        format!(
            "[experiment]\nname = \"big\"\nbase = \"{}\"\nreplicates = 200\nmaster_seed = 1\n\n[[scenarios]]\nname = \"a\"\nset = [\"sectors.widget.firms = 5000000\", \"sectors.widget.total_output = 1e9\"]\n",
            validation("linear_mac").display()
        ),
    )
    .unwrap();
    let out = d.path().join("out");
    let o = synergy(&["plan", exp.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        text.contains("estimated output") && text.contains("estimated time"),
        "{text}"
    );
    assert!(text.contains("--allow-large"), "{text}");
    let o = synergy(&[
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--allow-large"), "{err}");
    let written: Vec<_> = files_below(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    assert!(written.is_empty(), "{written:?}");
}

#[test]
fn growth_paths_that_compound_out_of_range_are_refused() {
    rejects_default_set(
        "sectors.power.demand_growth = 1.0",
        &["sectors.power.demand_growth", "compounds to an index"],
    );
    rejects_default_set(
        "macro.gdp_growth = [[2005, 1.0], [2060, 1.0]]",
        &["macro.gdp_growth", "compounds to an index"],
    );
    rejects_default_set("sectors = {}", &["sectors"]);
}

/// The bank-exit rule: a closed set of words, and a conversion rate only where it converts.
#[test]
fn bank_exit_rules_are_checked() {
    rejects_set(
        "markets.market.bank_on_exit=\"sell\"",
        &["bank_on_exit", "keep", "cancel", "convert"],
    );
    rejects_set(
        "markets.market.bank_conversion_rate=0.5",
        &["markets[0].bank_conversion_rate", "convert"],
    );
    rejects_set(
        "markets.market.bank_conversion_rate=-1",
        &["markets[0].bank_conversion_rate"],
    );
}

/// A plan's city split is a closed set of words.
#[test]
fn city_split_is_checked() {
    rejects_default_set(
        "plans[0].city_split=\"by_mood\"",
        &["city_split", "uniform", "gdp_tiers"],
    );
}

/// The calibration inputs: a baseline year outside the run or across a plan, a bad stringency
/// declaration, bad `compare --match` options and a calibration file with bad keys all exit 2
/// with the key named, writing nothing.
#[test]
fn calibration_inputs_are_checked() {
    let lm = validation("linear_mac");
    let lm = lm.to_str().unwrap();
    rejects(
        &[lm, "--baseline-until", "1800"],
        &["--baseline-until 1800"],
    );
    let admin = root().join("configs/regimes/administrative.toml");
    rejects(
        &[admin.to_str().unwrap(), "--baseline-until", "2028"],
        &["15th", "2026-2030"],
    );
    rejects(
        &[
            lm,
            "--set",
            "scenario.stringency=[\"markets.market.cap_t:double\"]",
        ],
        &["scenario.stringency[0]", "double"],
    );
    let d = TempDir::new().unwrap();
    let out = d.path().join("out");
    for (args, mention) in [
        (vec!["--match", "emissions"], "--match"),
        (
            vec!["--match", "cumulative_emissions:2060-2026"],
            "first year",
        ),
        (
            vec!["--match", "cumulative_emissions:2026-2060", "--rate", "2"],
            "--rate",
        ),
    ] {
        let mut full = vec!["compare", "configs/regimes"];
        full.extend(args);
        full.extend(["--out", out.to_str().unwrap(), "--quiet"]);
        let o = Command::new(env!("CARGO_BIN_EXE_synergy"))
            .current_dir(root())
            .args(&full)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{full:?}: {err}");
        assert!(err.contains(mention), "{full:?}: {err}");
        assert!(!out.exists());
    }
    let exp = d.path().join("exp.toml");
    std::fs::write(
        &exp,
        "[experiment]\nname = \"e\"\nmaster_seed = 1\n[[scenarios]]\nname = \"a\"\n[match]\nwindow = [2060, 2026]\nmetric = \"price\"\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_synergy"))
        .args(["plan", exp.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("match.window") && err.contains("match.metric"),
        "{err}"
    );
    let cal = d.path().join("cal.toml");
    std::fs::write(
        &cal,
        "[calibration]\nname = \"x\"\nscenario = \"embedded\"\nreplicates = 0\n[[parameters]]\npath = \"a.b\"\nbounds = [2, 1]\n[target]\nmetric = \"cumulative_emissions\"\nvalue = 1e9\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_synergy"))
        .args(["calibrate", cal.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("calibration.replicates") && err.contains("parameters[0]"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn expectations_and_flexibility_keys_are_checked() {
    rejects_set(
        "markets.market.expectations=\"rational\"",
        &["expectations", "adaptive", "foresight"],
    );
    rejects_set(
        "markets.market.discount_rate=1.5",
        &["markets[0].discount_rate"],
    );
    rejects_set(
        "markets.market.banking_limit={fixed_t = -1}",
        &["markets[0].banking_limit.fixed_t"],
    );
    rejects_set(
        "markets.market.banking_limit={from = 2025, until = 2023}",
        &["markets[0].banking_limit.until"],
    );
    // linear_mac has banking = false: a limit on nothing is refused.
    rejects_set(
        "markets.market.banking_limit={fixed_t = 10}",
        &["markets[0].banking_limit", "banking = false"],
    );
    rejects_set(
        "markets.market.msr={upper_t = 10, lower_t = 20, intake_rate = 0.2, release_t = 1}",
        &["markets[0].msr.lower_t", "upper_t"],
    );
    rejects_set(
        "markets.market.msr={upper_t = 10, lower_t = 5, intake_rate = 2, release_t = 1}",
        &["markets[0].msr.intake_rate"],
    );
    rejects_set(
        "markets.market.msr={upper_t = 10, lower_t = 5, release_t = 1}",
        &["intake_rate"],
    );
    rejects_set(
        "markets.market.borrowing={share_of_allocation = 0.5}",
        &["markets[0].borrowing", "banking = false"],
    );
    rejects_set(
        "markets.market.borrowing={share_of_allocation = -1}",
        &["markets[0].borrowing.share_of_allocation"],
    );
    rejects_set("foresight.damping=0", &["foresight.damping"]);
    rejects_set("foresight.tolerance=2", &["foresight.tolerance"]);
    rejects_set("foresight.max_iterations=0", &["foresight.max_iterations"]);
    rejects_set(
        "sectors.widget.expectations=\"perfect\"",
        &["expectations", "announced"],
    );
}

#[test]
fn offset_keys_are_checked() {
    rejects_set(
        "markets.market.offsets={limit_share = 1.5}",
        &["markets[0].offsets.limit_share"],
    );
    rejects_set(
        "markets.market.offsets={limit_share = 0.05, non_additional_share = 1}",
        &["markets[0].offsets.non_additional_share"],
    );
    rejects_set(
        "markets.market.offsets={limit_share = 0.05, provinces = [\"Atlantis\"]}",
        &["markets[0].offsets.provinces", "Atlantis"],
    );
    rejects_set(
        "markets.market.offsets={limit_share = 0.05, sources = [{ potential_t = 5, mac_price = 10 }]}",
        &["markets[0].offsets.sources[0]", "city", "province"],
    );
    rejects_set(
        "markets.market.offsets={limit_share = 0.05, sources = [{ city = \"Nowhere\", potential_t = 5, mac_price = 10 }]}",
        &["markets[0].offsets.sources[0].city", "Nowhere"],
    );
    rejects_set(
        "markets.market.offsets={limit_share = 0.05, sources = [{ city = \"Beijing\", potential_t = 5, mac_price = 0 }]}",
        &["markets[0].offsets.sources[0].mac_price"],
    );
    rejects_set(
        "markets.market.offsets={limit_share = 0.05, from = 2025, until = 2022}",
        &["markets[0].offsets.until"],
    );
    rejects_set(
        "markets.market.offsets={limit_share = 0.05, mac_price = { dist = \"normal\", mean = -1, sd = 1 }}",
        &["markets[0].offsets.mac_price"],
    );
}

#[test]
fn group_keys_are_checked() {
    rejects_set(
        "sectors.widget.groups.gas={share = 1.5}",
        &["sectors.widget.groups.gas.share"],
    );
    rejects_set(
        "sectors.widget.groups={a = {share = 0.6}, b = {share = 0.6}}",
        &["sectors.widget.groups", "at most 1"],
    );
    rejects_set(
        "sectors.widget.groups.gas={share = 0.1, carbon_factor = -1}",
        &["sectors.widget.groups.gas.carbon_factor"],
    );
    rejects_set(
        "markets.market.groups={widget = {gas = {obligation_cap_share = 0}}}",
        &["markets[0].groups.widget.gas", "no group"],
    );
    rejects_set(
        "markets.market.groups={steel = {gas = {obligation_cap_share = 0}}}",
        &["markets[0].groups.steel", "does not cover"],
    );
    let f = validation("linear_mac");
    let groups = set("sectors.widget.groups.gas={share = 0.1}");
    let mut args: Vec<String> = vec![f.to_str().unwrap().to_string()];
    args.extend(groups.clone());
    args.extend(set(
        "markets.market.groups={widget = {gas = {benchmark = 0.5}}}",
    ));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    rejects(&a, &["markets[0].groups.widget.gas.benchmark", "benchmark"]);
    let mut args: Vec<String> = vec![f.to_str().unwrap().to_string()];
    args.extend(groups);
    args.extend(set(
        "markets.market.groups={widget = {gas = {obligation_cap_share = 2}}}",
    ));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    rejects(&a, &["markets[0].groups.widget.gas.obligation_cap_share"]);
    // A listed firm naming a group its sector does not have.
    let d = TempDir::new().unwrap();
    let file = d.path().join("s.toml");
    let text = std::fs::read_to_string(&f).unwrap().replacen(
        "mac_slope = 10\n",
        "mac_slope = 10\ngroup = \"gas\"\n",
        1,
    );
    std::fs::write(&file, text).unwrap();
    rejects(
        &[file.to_str().unwrap()],
        &["firms[0].group", "no such group"],
    );
}

/// Indirect emissions: a dispatch factor needs `[power]`, a fixed rule needs its factor and
/// only it takes one, and the power sector buys no electricity from itself.
#[test]
fn indirect_emission_rules_are_checked() {
    rejects_set(
        "markets[0].indirect = \"grid\"",
        &["markets[0].indirect", "[power]"],
    );
    rejects_set(
        "markets[0].indirect = \"fixed\"",
        &["markets[0].indirect_factor", "is missing"],
    );
    rejects_set(
        "markets[0].indirect_factor = 0.6",
        &["markets[0].indirect_factor", "not \"fixed\""],
    );
    rejects_set(
        "markets[0].indirect = \"steam\"",
        &["markets[0].indirect", "steam"],
    );
    rejects_default_set(
        "markets.national.indirect_factor = 50",
        &["markets[0].indirect_factor"],
    );
    rejects_default_set(
        "sectors.power.electricity_intensity = 0.05",
        &["sectors.power.electricity_intensity", "must be 0"],
    );
    rejects_default_set(
        "technologies[0].electricity_added = 1e9",
        &["technologies[0].electricity_added"],
    );
}

/// Peak targets name a region of the geography and a year of the run.
#[test]
fn peak_targets_are_checked() {
    rejects_default_set(
        "peaks = [{ region = \"Atlantis\", by = 2030 }]",
        &[
            "peaks[0].region",
            "Atlantis",
            "Yangtze River Delta",
            "Beijing",
        ],
    );
    rejects_default_set(
        "peaks = [{ region = \"China\", by = 99999 }]",
        &["peaks[0].by", "99999"],
    );
    rejects_default_set(
        "peaks = [{ region = \"Hubei\", by = 2030 }, { region = \"Hubei\", by = 2025 }]",
        &["peaks[1].region", "second target"],
    );
    rejects_default_set(
        "markets.national.peak_cap = { region = \"Hubei\" }",
        &["markets[0].peak_cap.region", "Hubei"],
    );
    rejects_default_set(
        "markets.national.peak_cap = { year = 2030, region = \"China\" }",
        &["markets[0].peak_cap", "exactly one"],
    );
    rejects_default_set(
        "markets.national.peak_cap = { year = 2010 }",
        &["markets[0].peak_cap.year", "2010"],
    );
    rejects_default_set(
        "markets.national.peak_cap = { year = 2030, decline = 1.5 }",
        &["markets[0].peak_cap.decline"],
    );
    rejects_default_set(
        "peaks = [{ region = \"Hubei\" }]",
        &["peaks[0]", "neither a peak year"],
    );
    rejects_default_set(
        "peaks = [{ region = \"Hubei\", budget_t = -5 }]",
        &["peaks[0].budget_t", "-5"],
    );
    rejects_default_set(
        "peaks = [{ region = \"Hubei\", budget_t = 1e10, budget_years = [2030, 2020] }]",
        &["peaks[0].budget_years"],
    );
}

/// `[capacity]` (MODEL.md 7.24): ranges, sector and region names, and the power sector.
#[test]
fn capacity_keys_are_checked() {
    let f = validation("relocation");
    let reject = |kv: &str, mention: &[&str]| {
        let args = ["", "--set", kv];
        let mut a: Vec<&str> = vec![f.to_str().unwrap()];
        a.extend_from_slice(&args[1..]);
        rejects(&a, mention);
    };
    reject("capacity.lifetime = 0", &["capacity.lifetime", "[1, 200]"]);
    reject("capacity.lag = 0", &["capacity.lag"]);
    reject("capacity.theta = -1", &["capacity.theta"]);
    reject(
        "capacity.kernel_other = 2",
        &["capacity.kernel_other", "[0, 1]"],
    );
    reject(
        "capacity.entrant_quantile = 1.5",
        &["capacity.entrant_quantile"],
    );
    reject("capacity.plant_size = 0", &["capacity.plant_size", "> 0"]);
    reject(
        "capacity.sectors = [\"gadget\"]",
        &["capacity.sectors[0]", "gadget", "no such sector"],
    );
    reject(
        "capacity.lifetimes = { gadget = 10 }",
        &["capacity.lifetimes.gadget", "no such sector"],
    );
    reject(
        "capacity.incentives = [{ region = \"Atlantis\", value = 0.01 }]",
        &["capacity.incentives[0].region", "Atlantis"],
    );
    reject(
        "capacity.incentives = [{ region = \"Xinjiang\", value = 0.01, from = 2030, to = 2020 }]",
        &["capacity.incentives[0].to"],
    );
    reject("capacity.colour = 1", &["colour"]);
    rejects_default_set(
        "capacity.sectors = [\"power\"]",
        &["capacity.sectors", "[power] sector"],
    );
}

/// `markets[].compensation` and `markets[].benchmark_adjustment` (MODEL.md 7.25).
#[test]
fn compensation_keys_are_checked() {
    let f = validation("compensation");
    let reject = |kv: &str, mention: &[&str]| {
        rejects(&[f.to_str().unwrap(), "--set", kv], mention);
    };
    reject(
        "markets.tax.compensation.share = 1.5",
        &["markets[0].compensation.share", "[0, 1]"],
    );
    reject(
        "markets.tax.compensation.rule = \"lottery\"",
        &["compensation", "lottery"],
    );
    reject(
        "markets.tax.compensation.provinces = [\"Atlantis\"]",
        &["markets[0].compensation.provinces[0]", "Atlantis"],
    );
    reject(
        "markets.tax.benchmark_adjustment = { Atlantis = 1.1 }",
        &[
            "markets[0].benchmark_adjustment.Atlantis",
            "no such province",
        ],
    );
    reject(
        "markets.tax.benchmark_adjustment = { Xinjiang = -1 }",
        &["markets[0].benchmark_adjustment.Xinjiang"],
    );
}

/// `[research]` (MODEL.md 7.26): ranges, regions, technologies, years and names.
#[test]
fn research_keys_are_checked() {
    let f = validation("spillover");
    let reject = |kv: &str, mention: &[&str]| {
        rejects(&[f.to_str().unwrap(), "--set", kv], mention);
    };
    let prog = |extra: &str| {
        format!(
            "research = {{ programmes = [{{ name = \"p\", region = \"Jiangsu\", budget = 1e9{extra} }}] }}"
        )
    };
    reject(
        "research = { searching_rate = 1.5 }",
        &["research.searching_rate"],
    );
    reject(
        "research = { knowledge_base = 0 }",
        &["research.knowledge_base", "> 0"],
    );
    reject(
        "research = { depreciation = 2 }",
        &["research.depreciation"],
    );
    reject(
        &prog(", region = \"Atlantis\"").replace("region = \"Jiangsu\", ", ""),
        &["research.programmes[0].region", "Atlantis"],
    );
    reject(
        &prog(", technologies = [\"teleporter\"]"),
        &["research.programmes[0].technologies[0]", "teleporter"],
    );
    reject(
        &prog(", from = 2030, to = 2020"),
        &["research.programmes[0].to"],
    );
    reject(
        &prog(", budget = -1").replace("budget = 1e9, ", ""),
        &["research.programmes[0].budget"],
    );
    reject(
        &prog(", revenue_share = 0.5"),
        &["research.programmes[0].market", "is missing"],
    );
    reject(
        &prog(", market = \"nowhere\", revenue_share = 0.5"),
        &["research.programmes[0].market", "nowhere"],
    );
    reject(
        &prog(", revenue_share = 1.5"),
        &["research.programmes[0].revenue_share"],
    );
}

/// Two programmes may not take more than a market's whole revenue.
#[test]
fn research_revenue_shares_add_up_to_at_most_one() {
    let f = validation("compensation");
    let p = |n: &str| {
        format!("{{ name = \"{n}\", region = \"China\", market = \"tax\", revenue_share = 0.6 }}")
    };
    let set = format!("research = {{ programmes = [{}, {}] }}", p("a"), p("b"));
    rejects(
        &[f.to_str().unwrap(), "--set", &set],
        &["research.programmes", "at most 1"],
    );
}

/// `[fuels]`, `fuel_shares` and upstream markets (MODEL.md 7.27): ranges, names and the
/// rules an upstream market must follow.
#[test]
fn fuel_and_upstream_keys_are_checked() {
    let f = validation("upstream");
    let reject = |kv: &[&str], mention: &[&str]| rejects_file_sets(&f, kv, mention);
    let up = "markets.tax.point = \"upstream\"";
    reject(
        &["fuels.coal.carbon_factor = 0"],
        &["fuels.coal.carbon_factor"],
    );
    reject(&["fuels.coal.price = -5"], &["fuels.coal.price"]);
    reject(
        &["fuels.coal.inverse_supply_elasticity = 20"],
        &["fuels.coal.inverse_supply_elasticity"],
    );
    reject(
        &["sectors.beta.fuel_shares = { peat = 0.5 }"],
        &["sectors.beta.fuel_shares.peat", "coal"],
    );
    reject(
        &["sectors.beta.fuel_shares = { coal = 1.5 }"],
        &["sectors.beta.fuel_shares.coal"],
    );
    reject(
        &[
            "fuels.gas = { carbon_factor = 1.6, price = 2000 }",
            "sectors.beta.fuel_shares = { coal = 0.7, gas = 0.5 }",
        ],
        &["sectors.beta.fuel_shares", "at most 1"],
    );
    reject(&[up], &["markets[0].fuels", "is missing"]);
    reject(
        &["markets.tax.fuels = [\"coal\"]"],
        &["markets[0].fuels", "upstream"],
    );
    reject(
        &[up, "markets.tax.fuels = [\"oil\"]"],
        &["markets[0].fuels[0]", "oil"],
    );
    reject(
        &[up, "markets.tax.fuels = [\"coal\", \"coal\"]"],
        &["markets[0].fuels[1]", "twice"],
    );
    reject(
        &[
            up,
            "markets.tax.fuels = [\"coal\"]",
            "markets.tax.threshold_t = 26000",
        ],
        &["markets[0].threshold_t"],
    );
    reject(
        &[
            up,
            "markets.tax.fuels = [\"coal\"]",
            "markets.tax.allocation = \"grandfathering\"",
            "markets.tax.cap_t = 100",
        ],
        &["markets[0].allocation", "tax"],
    );
    reject(
        &[
            up,
            "markets.tax.fuels = [\"coal\"]",
            "sectors.alpha.fuel_shares = {}",
        ],
        &["markets[0].sectors.alpha", "nothing"],
    );
}

/// `[sectors.<s>.renewal]` (MODEL.md 7.28): ranges, unknown keys, and no renewal of a sector
/// whose plants are dynamic under `[capacity]`.
#[test]
fn renewal_keys_are_checked() {
    let f = validation("renewal");
    let reject = |kv: &[&str], mention: &[&str]| rejects_file_sets(&f, kv, mention);
    reject(
        &["sectors.widget.renewal.new_energy_intensity = 0"],
        &["sectors.widget.renewal.new_energy_intensity"],
    );
    reject(
        &["sectors.widget.renewal.retirement_rate = [[2021, 0.1], [2022, 1.5]]"],
        &["sectors.widget.renewal.retirement_rate", "1.5"],
    );
    reject(&["sectors.widget.renewal.rate = 0.1"], &["rate"]);
    reject(
        &["capacity = { lifetime = 30 }"],
        &["sectors.widget.renewal", "[capacity]"],
    );
}
