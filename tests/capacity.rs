//! Capacity dynamics, entry, exit and relocation (MODEL.md 7.24) through the binary and the
//! Parquet output: the relocation closed form (new capacity moves to the untaxed city once the
//! carbon-cost gap exceeds the relocation cost, and not before), a stationary industry under
//! constant demand, the exit of an unprofitable plant, and the tables without `[capacity]`.

use crate::common::*;
use tempfile::TempDir;

/// (city_id, capacity, decided_year, exit_year, retire_year) of every plant in `firms`.
type Plant = (u32, f64, Option<i32>, Option<i32>, Option<i32>);

fn plants(ds: &std::path::Path) -> Vec<Plant> {
    let b = read_table(ds, "firms");
    let opt = |col: &str| -> Vec<Option<i32>> {
        let mut v = Vec::new();
        for batch in &b {
            let a = batch
                .column_by_name(col)
                .unwrap_or_else(|| panic!("firms.{col}"));
            let a = arrow::array::AsArray::as_primitive::<arrow::datatypes::Int32Type>(a);
            for i in 0..a.len() {
                v.push(arrow::array::Array::is_valid(a, i).then(|| a.value(i)));
            }
        }
        v
    };
    let (city, cap) = (u32s(&b, "city_id"), f64s(&b, "capacity"));
    let (dec, exit, ret) = (opt("decided_year"), opt("exit_year"), opt("retire_year"));
    (0..city.len())
        .map(|i| (city[i], cap[i], dec[i], exit[i], ret[i]))
        .collect()
}

/// Two one-city provinces (Xinjiang = city 0, Jiangsu = city 1), a tax in Jiangsu only, a
/// relocation cost of 30 CNY/unit (0.3 x price 100), emission intensity 1 t/unit: every new
/// plant stays in Jiangsu while tax < 30 CNY/t and moves to Xinjiang when tax > 30.
#[test]
fn new_capacity_moves_only_once_the_carbon_cost_gap_exceeds_the_relocation_cost() {
    let tmp = TempDir::new().unwrap();
    for (tax, moves) in [(20.0, false), (29.0, false), (31.0, true), (40.0, true)] {
        let out = tmp.path().join(format!("t{tax}"));
        run_ok(
            &validation("relocation"),
            &out,
            &["--set", &format!("markets.tax.tax = {tax}")],
        );
        let ds = out.join("relocation");
        let new: Vec<Plant> = plants(&ds).into_iter().filter(|p| p.2.is_some()).collect();
        assert_eq!(new.len(), 5, "one plant decided per year 2020-2024");
        let expected_city = if moves { 0 } else { 1 };
        for p in &new {
            assert_eq!(p.0, expected_city, "tax {tax}: {p:?}");
            assert!((p.1 - 200.0).abs() < 1e-9, "replaces the 200 units: {p:?}");
        }
        let cy = read_table(&ds, "capacity_year");
        let (year, cap) = (i32s(&cy, "year"), f64s(&cy, "capacity"));
        for y in 2020..=2024 {
            let total: f64 = (0..year.len())
                .filter(|&i| year[i] == y)
                .map(|i| cap[i])
                .sum();
            assert!((total - 200.0).abs() < 1e-9, "tax {tax}, {y}: {total}");
        }
        let moved_out: f64 = f64s(&cy, "relocated_out").iter().sum();
        assert_eq!(
            moved_out > 0.0,
            moves,
            "tax {tax}: relocated_out {moved_out}"
        );
    }
}

/// Constant demand, no policy: capacity stays at demand / utilisation every year while plants
/// retire and enter; the plant with a variable cost above the price exits after two loss
/// years.
#[test]
fn constant_demand_keeps_capacity_stationary_and_an_unprofitable_plant_exits() {
    let tmp = TempDir::new().unwrap();
    run_ok(&validation("entry_exit"), tmp.path(), &[]);
    let ds = tmp.path().join("entry_exit");
    let all = plants(&ds);
    let exits: Vec<&Plant> = all.iter().filter(|p| p.3.is_some()).collect();
    assert_eq!(exits.len(), 1, "only the listed plant exits: {exits:?}");
    assert_eq!(exits[0].3, Some(2022));
    assert!((exits[0].1 - 200.0).abs() < 1e-9);
    assert!(
        all.iter().filter(|p| p.2.is_some()).count() >= 20,
        "retired plants are replaced by new ones"
    );
    let cy = read_table(&ds, "capacity_year");
    let (year, cap, out) = (
        i32s(&cy, "year"),
        f64s(&cy, "capacity"),
        f64s(&cy, "output"),
    );
    let (online, retired, exited) = (
        f64s(&cy, "online"),
        f64s(&cy, "retired"),
        f64s(&cy, "exited"),
    );
    let sum = |v: &[f64], y: i32| -> f64 {
        (0..year.len())
            .filter(|&i| year[i] == y)
            .map(|i| v[i])
            .sum()
    };
    for y in 2020..=2040 {
        assert!(close(sum(&cap, y), 4200.0, 1e-12), "{y}: {}", sum(&cap, y));
        assert!(close(sum(&out, y), 2100.0, 1e-9), "{y}: {}", sum(&out, y));
        if y > 2020 {
            let gone = sum(&retired, y) + sum(&exited, y);
            assert!(
                close(sum(&online, y), gone, 1e-9),
                "{y}: replaced one for one"
            );
        }
    }
    assert!(sum(&retired, 2021) + sum(&retired, 2022) > 0.0);
    assert!(no_nan_rows(&ds));
}

fn no_nan_rows(ds: &std::path::Path) -> bool {
    non_finite_values(ds.parent().unwrap()).is_empty()
        && conservation_violations(ds.parent().unwrap()).is_empty()
}

/// Without `[capacity]` the capacity_year table is empty and no plant has a life cycle.
#[test]
fn without_capacity_nothing_enters_or_exits() {
    let tmp = TempDir::new().unwrap();
    run_ok(&validation("linear_mac"), tmp.path(), &[]);
    let ds = tmp.path().join("linear_mac");
    let cy = read_table(&ds, "capacity_year");
    assert_eq!(cy.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    for p in plants(&ds) {
        assert_eq!((p.2, p.3, p.4), (None, None, None), "{p:?}");
    }
}
