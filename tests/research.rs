//! Collaborative R&D and two-factor learning (MODEL.md 7.26) through the binary: the Yangtze
//! River Delta programme of configs/scenarios/research_yrd.toml spends its budget, lowers the
//! delta's capex most and the other agglomerations' less (spillovers through the kernel), and a
//! zero budget leaves every capex as learning by doing alone makes it.

use crate::common::*;
use std::collections::BTreeMap;
use tempfile::TempDir;

/// h2_dri unit capex in 2040 per region of technology_year.
fn capex_2040(ds: &std::path::Path) -> BTreeMap<String, f64> {
    let b = read_table(ds, "technology_year");
    let (year, tech, capex) = (
        i32s(&b, "year"),
        cats(&b, "technology"),
        f64s(&b, "unit_capex"),
    );
    let mut regions = Vec::new();
    for batch in &b {
        let a = batch.column_by_name("region").unwrap();
        let a = arrow::array::AsArray::as_string::<i32>(a);
        for i in 0..arrow::array::Array::len(a) {
            regions.push(a.value(i).to_string());
        }
    }
    (0..year.len())
        .filter(|&i| year[i] == 2040 && tech[i].as_deref() == Some("h2_dri"))
        .map(|i| (regions[i].clone(), capex[i]))
        .collect()
}

#[test]
fn a_joint_programme_lowers_capex_most_at_home_and_spills_over() {
    let tmp = TempDir::new().unwrap();
    let file = root().join("configs/scenarios/research_yrd.toml");
    let quiet = ["--set", "output.firm_level = \"none\""];
    run_ok(&file, &tmp.path().join("with"), &quiet);
    let zero = [
        "--set",
        "output.firm_level = \"none\"",
        "--set",
        "research.programmes[0].budget = 0",
    ];
    run_ok(&file, &tmp.path().join("zero"), &zero);
    run_ok(
        &root().join("configs/default.toml"),
        &tmp.path().join("none"),
        &quiet,
    );
    let with = capex_2040(&tmp.path().join("with/research_yrd"));
    let zero = capex_2040(&tmp.path().join("zero/research_yrd"));
    let none = capex_2040(&tmp.path().join("none/default"));
    assert_eq!(zero, none, "a zero budget is learning by doing alone");
    let ratio = |r: &str| with[r] / none[r];
    let yrd = ratio("Yangtze River Delta");
    assert!(yrd < 0.9, "the delta's capex falls: {yrd}");
    for r in [
        "Pearl River Delta",
        "Beijing-Tianjin-Hebei",
        "Chengdu-Chongqing",
    ] {
        assert!(
            yrd < ratio(r) && ratio(r) < 1.0,
            "{r}: {} vs {yrd}",
            ratio(r)
        );
    }
    let ry = read_table(&tmp.path().join("with/research_yrd"), "research_year");
    let (year, spending) = (i32s(&ry, "year"), f64s(&ry, "spending"));
    for y in 2005..=2060 {
        let spent: f64 = (0..year.len())
            .filter(|&i| year[i] == y)
            .map(|i| spending[i])
            .sum();
        let want = if (2025..=2040).contains(&y) { 3e9 } else { 0.0 };
        assert!(
            close(spent, want, 1e-12) || (want == 0.0 && spent == 0.0),
            "{y}: {spent}"
        );
    }
}
