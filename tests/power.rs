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

/// Indirect emissions and electrification load (configs/validation/power_electrification.toml,
/// expected values in its header): the smelter's electricity at Jiangsu's factor of 0.84 t
/// per MWh is counted by its market, the cap includes it, and the boiler it installs in 2021
/// adds 87,600 MWh to Jiangsu's load from 2022.
#[test]
fn electrification_raises_the_load_and_indirect_emissions_are_counted() {
    let tmp = TempDir::new().unwrap();
    run_ok(&validation("power_electrification"), tmp.path(), &[]);
    let ds = tmp.path().join("power_electrification");
    let fy = read_table(&ds, "firm_year");
    let (ids, years) = (u32s(&fy, "firm_id"), i32s(&fy, "year"));
    let col = |c: &str| f64s(&fy, c);
    let (el, ind, em, surr) = (
        col("electricity"),
        col("indirect_emissions"),
        col("emissions"),
        col("surrendered"),
    );
    let smelter = |y: i32| {
        (0..ids.len())
            .find(|&i| ids[i] == 2 && years[i] == y)
            .unwrap()
    };
    for (y, mwh) in [(2020, 876_000.0), (2021, 963_600.0), (2022, 963_600.0)] {
        let i = smelter(y);
        assert!((el[i] - mwh).abs() < 1e-6, "{y}: electricity {}", el[i]);
        assert!(
            (ind[i] - 0.84 * mwh).abs() < 1e-3,
            "{y}: indirect {}",
            ind[i]
        );
    }
    // The boiler halves direct emissions; on this coal grid covered emissions rise.
    let (a, b) = (smelter(2020), smelter(2021));
    assert!((em[a] - 87_600.0).abs() < 1e-6 && (em[b] - 43_800.0).abs() < 1e-6);
    assert!(em[b] + ind[b] > em[a] + ind[a] + 29_000.0);
    // 2020: the cap (base year before entry: direct + indirect) covers what it owes.
    assert!((surr[a] - (em[a] + ind[a])).abs() < 1e-3, "{}", surr[a]);
    let my = read_table(&ds, "market_year");
    let (mi, mfree) = (
        f64s(&my, "indirect_emissions"),
        f64s(&my, "free_allocation"),
    );
    assert!((mi[0] - 735_840.0).abs() < 1e-3, "{mi:?}");
    assert!((mfree[0] - 823_440.0).abs() < 1e-3, "{mfree:?}");
    // Power plants buy no electricity: their columns are 0.
    for i in 0..ids.len() {
        if ids[i] != 2 {
            assert_eq!((el[i], ind[i]), (0.0, 0.0));
        }
    }
    let p = power_rows(&ds);
    let pb = read_table(&ds, "power_year");
    let (prov, yr, load) = (
        cats(&pb, "province"),
        i32s(&pb, "year"),
        f64s(&pb, "electrification_load"),
    );
    for i in 0..yr.len() {
        let want = if yr[i] == 2022 && prov[i].as_deref() == Some("Jiangsu") {
            87_600.0
        } else {
            0.0
        };
        assert!(
            (load[i] - want).abs() < 1e-6,
            "{:?} {}: {}",
            prov[i],
            yr[i],
            load[i]
        );
    }
    let h = 8760.0;
    for (y, mw) in [(2020, 300.0), (2021, 300.0), (2022, 310.0)] {
        let g = p.get("thermal_generation", "Jiangsu", y) / h;
        assert!((g - mw).abs() < 1e-3, "{y}: Jiangsu {g} MW");
        let a = p.get("thermal_generation", "Xinjiang", y) / h;
        assert!((a - 500.0).abs() < 1e-3, "{y}: Xinjiang {a} MW");
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

/// configs/scenarios/pilots_indirect.toml: the pilots count their firms' electricity at the
/// grid factors, so their covered emissions and (with caps that scale with them and only
/// direct emissions to abate) their prices are higher than the default's; the national market
/// counts none.
#[test]
fn pilots_counting_indirect_emissions_price_higher() {
    let tmp = TempDir::new().unwrap();
    let set = ["--set", "scenario.end_year=2016"];
    let file = root().join("configs/scenarios/pilots_indirect.toml");
    run_ok(&file, tmp.path(), &set);
    run_ok(Path::new("-"), tmp.path(), &set);
    let rows = |name: &str| -> BTreeMap<(i32, String), (f64, f64)> {
        let b = read_table(&tmp.path().join(name), "market_year");
        let (y, m) = (i32s(&b, "year"), cats(&b, "market"));
        let (p, ind) = (f64s(&b, "price"), f64s(&b, "indirect_emissions"));
        (0..y.len())
            .map(|i| ((y[i], m[i].clone().unwrap()), (p[i], ind[i])))
            .collect()
    };
    let (with, without) = (rows("pilots_indirect"), rows("default"));
    assert!(!with.is_empty());
    let mut higher = 0;
    for (k, (p, ind)) in &with {
        let (p0, ind0) = without[k];
        assert_eq!(ind0, 0.0, "{k:?}: the default counts no indirect emissions");
        assert!(*ind > 0.0, "{k:?}: a pilot counts its firms' electricity");
        assert!(*p >= p0 - 1e-9, "{k:?}: price {p} below the default's {p0}");
        if *p > p0 * 1.02 {
            higher += 1;
        }
    }
    assert!(
        higher * 10 >= with.len() * 8,
        "{higher} of {} higher",
        with.len()
    );
}
