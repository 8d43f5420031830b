//! Bad input: each malformed input exits with code 2, names the key or file, and leaves no
//! output behind.

use crate::common::*;
use std::path::Path;
use tempfile::TempDir;

/// Runs `synergy run <args> --out <fresh dir>` and checks exit 2, the message and that the
/// output folder was not created.
pub(crate) fn rejects(args: &[&str], must_mention: &[&str]) {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let mut full: Vec<&str> = vec!["run"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--out", out.to_str().unwrap(), "--quiet"]);
    let o = synergy(&full);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{full:?}: expected exit 2, got {:?}: {err}",
        o.status
    );
    for m in must_mention {
        assert!(
            err.contains(m),
            "{full:?}: message does not mention {m:?}: {err}"
        );
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "{full:?} left {} behind", out.display());
}

/// Writes the linear-MAC validation scenario with `edit` applied to its text.
pub(crate) fn variant(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> String {
    variant_of("linear_mac", dir, name, edit)
}

/// Writes validation scenario `base` with `edit` applied to its text.
pub(crate) fn variant_of(
    base: &str,
    dir: &Path,
    name: &str,
    edit: impl Fn(String) -> String,
) -> String {
    let text = std::fs::read_to_string(validation(base)).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, edit(text)).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn malformed_toml() {
    let d = TempDir::new().unwrap();
    let f = variant(d.path(), "bad.toml", |t| {
        t.replace("[scenario]", "[scenario")
    });
    rejects(&[&f], &["bad.toml"]);
}

#[test]
fn unknown_key() {
    let d = TempDir::new().unwrap();
    let f = variant(d.path(), "unknown.toml", |t| {
        t.replace("seed = 1", "seed = 1\nsede = 2")
    });
    rejects(&[&f], &["unknown.toml", "sede"]);
}

#[test]
fn wrong_type() {
    let d = TempDir::new().unwrap();
    let f = variant(d.path(), "type.toml", |t| {
        t.replace("start_year = 2020", "start_year = \"2020\"")
    });
    rejects(&[&f], &["type.toml", "start_year"]);
}

#[test]
fn share_outside_unit_interval() {
    let f = validation("linear_mac");
    rejects(
        &[f.to_str().unwrap(), "--set", "markets[0].auction_share=1.4"],
        &["markets[0].auction_share", "[0, 1]"],
    );
}

#[test]
fn negative_mac_slope() {
    let f = validation("linear_mac");
    rejects(
        &[f.to_str().unwrap(), "--set", "firms[1].mac_slope=-20"],
        &["firms[1].mac_slope", "> 0"],
    );
}

#[test]
fn negative_generated_mac() {
    rejects(
        &["--set", "sectors.power.mac_price_at_5pct=-5"],
        &["sectors.power.mac_price_at_5pct"],
    );
}

#[test]
fn end_year_before_start() {
    let f = validation("linear_mac");
    rejects(
        &[f.to_str().unwrap(), "--set", "scenario.end_year=2019"],
        &["scenario.end_year", "start_year"],
    );
}

#[test]
fn pilot_naming_unknown_city() {
    rejects(
        &["--set", "markets[1].cities=[\"Atlantis\"]"],
        &["markets[1].cities", "Atlantis"],
    );
}

#[test]
fn duplicate_ids() {
    rejects(
        &["--set", "markets[2].name=\"shenzhen\""],
        &["markets[2].name", "duplicate"],
    );
    let d = TempDir::new().unwrap();
    // A named city clashing with a generated one (Hebei has 2 cities here: the named one and
    // the generated "Hebei-1").
    let f = variant_of("random_mac", d.path(), "dup.toml", |t| {
        t.replace(
            "cities_per_province = 2",
            "cities_per_province = 2\n\n[[geography.named_cities]]\nname = \"Hebei-1\"\nprovince = \"Hebei\"\ngdp_share = 0.2\npopulation_share = 0.2\n",
        )
    });
    rejects(&[&f], &["duplicate city name", "Hebei-1"]);
}

#[test]
fn empty_sector_list() {
    let d = TempDir::new().unwrap();
    let f = variant(d.path(), "nosectors.toml", |t| {
        let start = t.find("[sectors.widget]").unwrap();
        let end = t.find("[[firms]]").unwrap();
        let mut s = t.clone();
        s.replace_range(start..end, "[sectors]\n\n");
        s
    });
    rejects(&[&f], &["sectors", "empty"]);
}

#[test]
fn missing_file() {
    rejects(
        &["/nonexistent/scenario.toml"],
        &["/nonexistent/scenario.toml"],
    );
}

#[test]
fn unwritable_output_folder() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = file.join("out");
    let o = synergy(&[
        "run",
        validation("linear_mac").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--out"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn bad_set_path_and_syntax() {
    rejects(&["--set", "nosuch.section.key=1"], &["--set", "nosuch"]);
    rejects(&["--set", "markets[99].floor=1"], &["--set", "markets[99]"]);
    rejects(&["--set", "novalue"], &["--set", "key.path=value"]);
    rejects(&["--set", "sectors.power.not_a_key=1"], &["not_a_key"]);
}

#[test]
fn bad_provinces_table() {
    let d = TempDir::new().unwrap();
    let csv = std::fs::read_to_string(root().join("configs/data/provinces.csv")).unwrap();
    std::fs::write(
        d.path().join("prov.csv"),
        csv.replace("Beijing,North", "Beijing,Nowhere"),
    )
    .unwrap();
    let f = variant(d.path(), "prov.toml", |t| {
        t.replace(
            "cities_per_province = 1",
            "cities_per_province = 1\nprovinces = \"prov.csv\"",
        )
    });
    rejects(&[&f], &["prov.csv", "grid", "Nowhere"]);
    // Codes and centroids: a code that is no GB/T 2260 province code, a duplicate code, a
    // latitude off the globe.
    for (from, to, row, mention) in [
        (",110000,", ",110100,", "Beijing", "code = 110100"),
        (",110000,", ",120000,", "Tianjin", "duplicate province code"),
        (",110000,40.2,", ",110000,95,", "Beijing", "lat = 95"),
    ] {
        std::fs::write(d.path().join("prov.csv"), csv.replace(from, to)).unwrap();
        rejects(&[&f], &["prov.csv", row, mention]);
    }
}

#[test]
fn benchmark_rule_without_benchmark() {
    rejects(
        &["--set", "markets[0].benchmarks.power=-0.5"],
        &["markets[0].benchmarks.power"],
    );
    let f = validation("allocation_rules");
    rejects(
        &[f.to_str().unwrap(), "--set", "markets[0].benchmarks={}"],
        &["markets[0].benchmarks", "widget"],
    );
}

#[test]
fn unknown_cli_flag_and_check_command() {
    let o = synergy(&["run", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = synergy(&["check", validation("linear_mac").to_str().unwrap()]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("valid"));
    let o = synergy(&["check", "/nonexistent.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Issue 9: items of an array of tables are addressed by name; an unknown name is exit 2
/// with the names there are, and a name addresses the same item as its index.
#[test]
fn set_by_name_unknown_name_lists_the_names() {
    rejects(
        &["--set", "markets.nowhere.floor=10"],
        &["markets.nowhere", "national", "shenzhen"],
    );
    rejects(
        &["--set", "markets[name=nowhere].floor=10"],
        &["nowhere", "national"],
    );
    let by_name = synergy(&["check", "--set", "markets.national.floor=17.5"]);
    let by_index = synergy(&["check", "--set", "markets[0].floor=17.5"]);
    assert!(
        by_name.status.success(),
        "{}",
        String::from_utf8_lossy(&by_name.stderr)
    );
    assert_eq!(by_name.stdout, by_index.stdout);
    assert!(String::from_utf8_lossy(&by_name.stdout).contains("floor = 17.5"));
}

#[test]
fn tax_market_with_a_price_floor() {
    // A tax fixes the price: a floor (or reserve price, reserve volume) does not apply.
    let tax = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/regimes/tax.toml");
    rejects(
        &[
            tax.to_str().unwrap(),
            "--set",
            "markets.carbon_tax.floor=10",
        ],
        &["markets[", "floor", "does not apply to a tax market"],
    );
}
