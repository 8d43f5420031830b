//! Upstream versus downstream coverage (MODEL.md 7.27) through the binary, on the two-sector
//! world of `configs/validation/upstream.toml`: 50 % downstream coverage leaks through the
//! coal price, upstream coverage of coal at the same tax leaks nothing and emits less.

use crate::common::*;
use tempfile::TempDir;

/// Emissions per (year, firm id) of a run of the validation world with `set`.
fn emissions(
    tmp: &TempDir,
    name: &str,
    set: &[&str],
) -> (Vec<(i32, u32, f64)>, std::path::PathBuf) {
    let out = tmp.path().join(name);
    let mut args = Vec::new();
    for s in set {
        args.push("--set");
        args.push(s);
    }
    run_ok(&validation("upstream"), &out, &args);
    let ds = out.join("upstream");
    let b = read_table(&ds, "firm_year");
    let (y, id, e) = (i32s(&b, "year"), u32s(&b, "firm_id"), f64s(&b, "emissions"));
    ((0..y.len()).map(|i| (y[i], id[i], e[i])).collect(), ds)
}

fn at(rows: &[(i32, u32, f64)], year: i32, firm: u32) -> f64 {
    rows.iter()
        .find(|r| r.0 == year && r.1 == firm)
        .map(|r| r.2)
        .unwrap()
}

const UPSTREAM: [&str; 3] = [
    "markets.tax.point = \"upstream\"",
    "markets.tax.fuels = [\"coal\"]",
    "markets.tax.sectors = { alpha = 2022, beta = 2022 }",
];

#[test]
fn downstream_coverage_leaks_through_the_fuel_price_and_upstream_coverage_does_not() {
    let tmp = TempDir::new().unwrap();
    let (none, _) = emissions(
        &tmp,
        "none",
        &["markets.tax.tax = 0", "markets.tax.launch_price = 0"],
    );
    let (down, _) = emissions(&tmp, "down", &[]);
    let (up, up_ds) = emissions(&tmp, "up", &UPSTREAM);
    // Without a price nothing changes: 250 t each every year.
    for r in &none {
        assert!(close(r.2, 250.0, 1e-12), "{r:?}");
    }
    // Closed form of 2022-23 downstream: alpha's price x 1.5 (demand 66.67 units); in 2023
    // coal costs 100 x (166.67 / 200)^0.5 CNY/tce, so beta's price is p_c / 100 of the base
    // and alpha's 1 + (50 + p_c - 100) / 100.
    let pc = 100.0 * (500.0f64 / 600.0).sqrt();
    assert!(close(at(&down, 2022, 0), 250.0 / 1.5, 1e-12));
    assert!(close(at(&down, 2022, 1), 250.0, 1e-12));
    assert!(close(at(&down, 2023, 1), 250.0 / (pc / 100.0), 1e-12));
    assert!(close(
        at(&down, 2023, 0),
        250.0 / (1.0 + (50.0 + pc - 100.0) / 100.0),
        1e-12
    ));
    // Leakage: beta's increase over alpha's decrease, summed over 2022-2030.
    let sum = |rows: &[(i32, u32, f64)], firm: u32| -> f64 {
        rows.iter()
            .filter(|r| r.1 == firm && r.0 >= 2022)
            .map(|r| r.2)
            .sum()
    };
    let covered_drop = sum(&none, 0) - sum(&down, 0);
    let uncovered_rise = sum(&down, 1) - sum(&none, 1);
    let leakage = uncovered_rise / covered_drop;
    assert!(
        covered_drop > 0.0 && leakage > 0.05 && leakage < 1.0,
        "leakage {leakage}"
    );
    // Upstream at the same tax: both sectors pay it through the coal price; total emissions
    // are lower than downstream's every year from 2022 and over the period.
    for y in 2022..=2030 {
        let total = |rows: &[(i32, u32, f64)]| at(rows, y, 0) + at(rows, y, 1);
        assert!(
            total(&up) < total(&down) - 1.0,
            "{y}: {} vs {}",
            total(&up),
            total(&down)
        );
    }
    assert!(
        close(at(&up, 2022, 1), 250.0 / 1.5, 1e-12),
        "beta pays in 2022"
    );
    // The fuel-supply stage: in 2022 the whole coal use is covered at the source and its
    // delivered price carries the tax, 20 CNY/t x 2.5 t/tce = 50 CNY/tce.
    let fy = read_table(&up_ds, "fuel_year");
    let (year, usage, covered, producer, delivered, levy) = (
        i32s(&fy, "year"),
        f64s(&fy, "use_tce"),
        f64s(&fy, "upstream_covered"),
        f64s(&fy, "producer_price"),
        f64s(&fy, "delivered_price"),
        f64s(&fy, "levy"),
    );
    let k = (0..year.len())
        .find(|&i| year[i] == 2022 && usage[i] > 0.0)
        .unwrap();
    assert!(
        close(usage[k], 2.0 * 250.0 / 1.5 / 2.5, 1e-12),
        "{}",
        usage[k]
    );
    assert!(close(covered[k], 2.0 * 250.0 / 1.5, 1e-12));
    assert!(close(delivered[k] - producer[k], 50.0, 1e-12));
    assert!(close(levy[k], 20.0 * covered[k], 1e-12));
    // The tax revenue of the market is the levy.
    let my = read_table(&up_ds, "market_year");
    let (my_year, revenue) = (i32s(&my, "year"), f64s(&my, "auction_revenue"));
    let r = (0..my_year.len()).find(|&i| my_year[i] == 2022).unwrap();
    assert!(
        close(revenue[r], levy[k], 1e-9),
        "{} vs {}",
        revenue[r],
        levy[k]
    );
}

/// A sector with process emissions: only its coal share is covered upstream, and it pays
/// the tax on that share only.
#[test]
fn upstream_coverage_counts_only_the_covered_fuels_share() {
    let tmp = TempDir::new().unwrap();
    let mut set = UPSTREAM.to_vec();
    set.push("sectors.beta.fuel_shares = { coal = 0.4 }");
    let (up, ds) = emissions(&tmp, "share", &set);
    // Beta owes 0.4 of its emissions: its price rises by 20 x 2.5 x 0.4 = 20 CNY/unit in 2022.
    assert!(
        close(at(&up, 2022, 1), 250.0 / 1.2, 1e-12),
        "{}",
        at(&up, 2022, 1)
    );
    let my = read_table(&ds, "market_year");
    let (y, em) = (i32s(&my, "year"), f64s(&my, "covered_emissions"));
    let r = (0..y.len()).find(|&i| y[i] == 2022).unwrap();
    assert!(
        close(em[r], 250.0 / 1.5 + 0.4 * 250.0 / 1.2, 1e-12),
        "{}",
        em[r]
    );
}
