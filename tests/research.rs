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

/// A national programme with a CNY 1,000 budget a year that also takes half the revenue of
/// the two-province tax of configs/validation/compensation.toml (5,000 CNY a year): the
/// market pays 2,500 into it (before the 40 % eco-compensation of the rest), recycles 2,500,
/// and the programme spends 1,000 in 2020 and 1,000 + 2,500 from 2021. The budget is paid by
/// the two cities by GDP (equal: 500 each, in their cost burden); all spending is in the
/// social cost.
#[test]
fn revenue_funded_research_is_paid_from_the_market_and_counted_as_social_cost() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("rd");
    run_ok(
        &validation("compensation"),
        &out,
        &[
            "--set",
            "technologies = [{ name = \"gadget\", sector = \"widget\", energy_factor = 0.8, carbon_factor = 1.0, capex = 1e9, lifetime = 10, initial_capacity = 1e6, bass_p = 0.002, bass_q = 0.8 }]",
            "--set",
            "research = { programmes = [{ name = \"rd\", region = \"China\", budget = 1000, market = \"tax\", revenue_share = 0.5 }] }",
        ],
    );
    assert!(
        conservation_violations(&out).is_empty(),
        "{:?}",
        conservation_violations(&out)
    );
    let ds = out.join("compensation");
    let my = read_table(&ds, "market_year");
    for (f, r) in f64s(&my, "research_funding")
        .iter()
        .zip(f64s(&my, "recycled"))
    {
        assert!(
            close(*f, 2500.0, 1e-12) && close(r, 2500.0, 1e-12),
            "{f} {r}"
        );
    }
    let ny = read_table(&ds, "nation_year");
    let want = [1000.0, 3500.0, 3500.0];
    let cols = [
        "abatement_cost",
        "investment_cost",
        "fuel_cost_change",
        "curtailment_cost",
        "offset_cost",
        "research_cost",
    ];
    let parts: Vec<Vec<f64>> = cols.iter().map(|c| f64s(&ny, c)).collect();
    let social = f64s(&ny, "social_cost");
    for (i, w) in want.iter().enumerate() {
        assert!(close(parts[5][i], *w, 1e-12), "{i}: {}", parts[5][i]);
        let sum: f64 = parts.iter().map(|p| p[i]).sum();
        assert!(close(social[i], sum, 1e-12), "{} vs {sum}", social[i]);
    }
    let cy = read_table(&ds, "city_year");
    for c in f64s(&cy, "research_cost") {
        assert!(close(c, 500.0, 1e-12), "{c}");
    }
    let ry = read_table(&ds, "research_year");
    let spent: f64 = f64s(&ry, "spending").iter().sum();
    assert!(close(spent, 8000.0, 1e-12), "{spent}");
    let sm = read_table(&ds, "summary");
    assert!(close(f64s(&sm, "research_cost")[0], 8000.0, 1e-12));
}
