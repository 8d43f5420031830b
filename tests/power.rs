//! The power system (MODEL.md section 7.22) through the binary and the Parquet output: the
//! two-province closed form, the default's calibration magnitudes (2021 thermal generation,
//! 2022 grid emission factors), each province's energy balance, corridor limits, and the
//! west-to-east scenario's corridor capacities.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::Path;
use tempfile::TempDir;

/// power_year of a dataset as (province, year) -> column values.
struct PowerRows {
    province: Vec<String>,
    grid: Vec<String>,
    year: Vec<i32>,
    cols: BTreeMap<&'static str, Vec<f64>>,
}

const COLS: &[&str] = &[
    "load",
    "generation",
    "thermal_generation",
    "imports",
    "exports",
    "storage_charge",
    "storage_discharge",
    "unserved",
    "emissions",
    "price",
    "average_factor",
];

fn power_rows(ds: &Path) -> PowerRows {
    let b = read_table(ds, "power_year");
    PowerRows {
        province: cats(&b, "province")
            .into_iter()
            .map(Option::unwrap)
            .collect(),
        grid: cats(&b, "grid").into_iter().map(Option::unwrap).collect(),
        year: i32s(&b, "year"),
        cols: COLS.iter().map(|c| (*c, f64s(&b, c))).collect(),
    }
}

impl PowerRows {
    fn get(&self, col: &str, province: &str, year: i32) -> f64 {
        let i = (0..self.year.len())
            .find(|&i| self.year[i] == year && self.province[i] == province)
            .unwrap_or_else(|| panic!("no row {province} {year}"));
        self.cols[col][i]
    }
    fn sum(&self, col: &str, year: i32, grid: Option<&str>) -> f64 {
        (0..self.year.len())
            .filter(|&i| self.year[i] == year && grid.is_none_or(|g| self.grid[i] == g))
            .map(|i| self.cols[col][i])
            .sum()
    }
}

#[test]
fn two_provinces_split_prices_when_the_corridor_binds_and_not_when_it_does_not() {
    for (extra, flow, gen_b, price_a, price_b) in [
        (vec![], 200.0, 300.0, 200.0, 400.0),
        (
            vec!["--set", "power.corridor_scale=5"],
            500.0,
            0.0,
            200.0,
            200.01,
        ),
    ] {
        let tmp = TempDir::new().unwrap();
        run_ok(&validation("power_corridor"), tmp.path(), &extra);
        let ds = tmp.path().join("power_corridor");
        let p = power_rows(&ds);
        let f = read_table(&ds, "flow_year");
        let h = 8760.0;
        for (y, fl) in i32s(&f, "year").iter().zip(f64s(&f, "flow")) {
            assert!((fl - flow).abs() < 1e-3, "{extra:?} {y}: flow {fl}");
        }
        for y in [2020, 2021] {
            let a = p.get("generation", "Xinjiang", y) / h;
            let b = p.get("generation", "Jiangsu", y) / h;
            assert!((a - (800.0 - gen_b)).abs() < 1e-3, "{extra:?}: A {a} MW");
            assert!((b - gen_b).abs() < 1e-3, "{extra:?}: B {b} MW");
            let (pa, pb) = (p.get("price", "Xinjiang", y), p.get("price", "Jiangsu", y));
            assert!((pa - price_a).abs() < 1e-3, "{extra:?}: price A {pa}");
            assert!((pb - price_b).abs() < 1e-3, "{extra:?}: price B {pb}");
        }
        // The firms' output is their dispatched generation.
        let fy = read_table(&ds, "firm_year");
        let out = f64s(&fy, "output");
        let ids = u32s(&fy, "firm_id");
        for (id, o) in ids.iter().zip(out) {
            let want = if *id == 0 { 800.0 - gen_b } else { gen_b } * h;
            assert!((o - want).abs() < 1.0, "{extra:?}: firm {id} output {o}");
        }
    }
}

#[test]
fn the_default_power_system_matches_2021_thermal_and_2022_grid_factors_and_balances() {
    let tmp = TempDir::new().unwrap();
    run_ok(Path::new("-"), tmp.path(), &[]);
    let ds = tmp.path().join("default");
    let p = power_rows(&ds);
    // Thermal generation 2021 within 10 % of 5,600 TWh.
    let thermal = p.sum("thermal_generation", 2021, None);
    assert!(close(thermal, 5.6e9, 0.10), "thermal 2021 {thermal:e} MWh");
    // 2022 average grid factors within 10 % of the published values, kg/kWh = t/MWh.
    let factor = |g: Option<&str>| p.sum("emissions", 2022, g) / p.sum("generation", 2022, g);
    for (g, want) in [
        (None, 0.5366),
        (Some("North"), 0.6776),
        (Some("Northwest"), 0.5857),
        (Some("East"), 0.5617),
        (Some("Northeast"), 0.5564),
        (Some("Central"), 0.5395),
        (Some("South"), 0.3869),
        (Some("Southwest"), 0.2268),
    ] {
        let f = factor(g);
        assert!(close(f, want, 0.10), "{g:?}: factor {f} against {want}");
    }
    // Energy balance of every province and year: generation + imports + discharge + unserved
    // = load + exports + charge.
    for i in 0..p.year.len() {
        let c = |k: &str| p.cols[k][i];
        let lhs = c("generation") + c("imports") + c("storage_discharge") + c("unserved");
        let rhs = c("load") + c("exports") + c("storage_charge");
        assert!(
            (lhs - rhs).abs() <= 1e-5 * rhs.max(1.0) + 1e-3 * c("load").max(1.0),
            "{} {}: {lhs} against {rhs}",
            p.province[i],
            p.year[i]
        );
        assert!(c("emissions") >= 0.0 && c("price").is_finite());
    }
    // Up to 2040 every MWh is served.
    for y in 2005..=2040 {
        let u = p.sum("unserved", y, None);
        assert!(u < 1e-6 * p.sum("load", y, None), "{y}: unserved {u}");
    }
    // No corridor carries more than its capacity.
    let f = read_table(&ds, "flow_year");
    for (fl, cap) in f64s(&f, "flow").iter().zip(f64s(&f, "capacity")) {
        assert!(fl.abs() <= cap * (1.0 + 1e-6) + 1e-3, "{fl} over {cap}");
    }
    // The power firms' output adds up to the thermal generation (before curtailment by
    // standards, which the default applies only to the plans' firms after production).
    let fy = read_table(&ds, "firms");
    assert!(!fy.is_empty());
}

#[test]
fn west_to_east_doubles_the_matched_corridors_by_2030() {
    let tmp = TempDir::new().unwrap();
    let file = root().join("configs/scenarios/west_to_east_2x.toml");
    run_ok(&file, tmp.path(), &["--set", "scenario.end_year=2031"]);
    let w = read_table(&tmp.path().join("west_to_east_2x"), "flow_year");
    run_ok(
        Path::new("-"),
        tmp.path(),
        &["--set", "scenario.end_year=2031"],
    );
    let d = read_table(&tmp.path().join("default"), "flow_year");
    let key =
        |b: &[arrow::record_batch::RecordBatch]| -> BTreeMap<(i32, u32), (f64, String, String)> {
            let (y, c, cap) = (i32s(b, "year"), u32s(b, "corridor"), f64s(b, "capacity"));
            let (a, bb) = (cats(b, "province_a"), cats(b, "province_b"));
            (0..y.len())
                .map(|i| {
                    (
                        (y[i], c[i]),
                        (cap[i], a[i].clone().unwrap(), bb[i].clone().unwrap()),
                    )
                })
                .collect()
        };
    let (w, d) = (key(&w), key(&d));
    let mut doubled = 0;
    for ((y, c), (cap, a, b)) in &w {
        let (base, _, _) = &d[&(*y, *c)];
        let ratio = cap / base;
        if *y <= 2025 {
            assert!((ratio - 1.0).abs() < 1e-12, "{y} {a}-{b}: {ratio}");
        } else if *y >= 2030 {
            assert!(
                (ratio - 1.0).abs() < 1e-12 || (ratio - 2.0).abs() < 1e-12,
                "{y} {a}-{b}: {ratio}"
            );
            if (ratio - 2.0).abs() < 1e-12 {
                doubled += 1;
            }
            // Xinjiang to Henan is west to east; Jiangsu to Shanghai is not.
            if (a == "Jiangsu" && b == "Shanghai") || (a == "Shanghai" && b == "Jiangsu") {
                assert!((ratio - 1.0).abs() < 1e-12);
            }
            if (a == "Xinjiang" && b == "Henan") || (a == "Henan" && b == "Xinjiang") {
                assert!((ratio - 2.0).abs() < 1e-12);
            }
        }
    }
    assert!(doubled >= 2 * 10, "only {doubled} corridor-slices doubled");
}

#[test]
fn bad_power_input_is_named_with_exit_code_2() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().to_str().unwrap();
    for (set, needle) in [
        ("power.demand_share=\"nope\"", "power.demand_share"),
        ("power.slices=\"hourly\"", "power.slices"),
        (
            "power.thermal_availability=1.5",
            "power.thermal_availability",
        ),
        ("power.fleets.wind.share=\"x\"", "power.fleets.wind.share"),
        ("power.sector=\"coal\"", "power.sector"),
        ("power.corridors=\"no_such_file.csv\"", "power.corridors"),
        (
            "power.corridor_paths=[{name=\"x\", from=[\"Atlantis\"], to=[\"East\"], scale=2}]",
            "Atlantis",
        ),
        (
            "power.slices=[{name=\"a\", hours_per_year=100, hours=1}]",
            "8760",
        ),
    ] {
        let o = synergy(&["run", "--out", out, "--quiet", "--set", set]);
        assert_eq!(o.status.code(), Some(2), "{set}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{set}: {err}");
    }
    assert!(datasets_in(tmp.path()).is_empty(), "nothing half-written");
}
