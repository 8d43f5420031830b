//! Sub-populations of a sector (MODEL.md section 7.21): China's gas units with their own
//! benchmark and an obligation capped at their allocation; generated firms drawn into groups
//! without changing the draws of the rest.

use crate::common::*;
use tempfile::TempDir;

/// (price, forgiven) of the 2021 market row and the `firms` table of gas_units.toml run with
/// `extra`.
fn gas_run(extra: &[&str]) -> (f64, f64, Vec<arrow::record_batch::RecordBatch>) {
    let tmp = TempDir::new().unwrap();
    run_ok(&validation("gas_units"), tmp.path(), extra);
    let bad = conservation_violations(tmp.path());
    assert!(bad.is_empty(), "{bad:#?}");
    let ds = tmp.path().join("gas_units");
    let my = read_table(&ds, "market_year");
    let i = i32s(&my, "year").iter().position(|y| *y == 2021).unwrap();
    (
        f64s(&my, "price")[i],
        f64s(&my, "forgiven")[i],
        read_table(&ds, "firms"),
    )
}

#[test]
fn gas_units_owe_at_most_their_allocation_under_their_own_benchmark() {
    let (p, forgiven, firms) = gas_run(&[]);
    assert!(close(p, 40.0 / 0.15, 1e-9), "price {p}");
    assert!(close(forgiven, 50.0, 1e-9), "forgiven {forgiven}");
    let class = cats(&firms, "class");
    assert_eq!(
        class,
        vec![
            Some("power".to_string()),
            Some("power".to_string()),
            Some("power.gas".to_string())
        ]
    );
    // Without the cap (a share of 1 owes every tonne) the gas unit buys: 90 t short.
    let (p, forgiven, _) = gas_run(&[
        "--set",
        "markets.national.groups.power.gas.obligation_cap_share=1",
    ]);
    assert!(close(p, 90.0 / 0.175, 1e-9), "price {p}");
    assert_eq!(forgiven, 0.0);
    // A market-wide 20 % cap does not reach the gas unit, which keeps its own.
    let (p, forgiven, _) = gas_run(&["--set", "markets.national.obligation_cap_share=0.2"]);
    assert!(close(p, 40.0 / 0.15, 1e-9), "price {p}");
    assert!(close(forgiven, 50.0, 1e-9), "forgiven {forgiven}");
}

#[test]
fn generated_firms_are_drawn_into_groups_without_changing_the_others() {
    let base = [
        "--set",
        "sectors.power.firms=2000",
        "--set",
        "sectors.power.total_output=1e6",
        "--set",
        "sectors.power.energy_intensity={ dist = \"normal\", mean = 1.0, sd = 0.1 }",
        "--set",
        "sectors.power.groups.gas.carbon_factor=0.5",
        "--set",
        "output.firm_level=\"none\"",
    ];
    let with = |share: &str| {
        let set = format!("sectors.power.groups.gas.share={share}");
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["--set", set.as_str()]);
        gas_run(&a).2
    };
    let (none, some) = (with("0"), with("0.3"));
    let class = cats(&some, "class");
    let cf = f64s(&some, "carbon_factor");
    let gas: Vec<usize> = (0..class.len())
        .filter(|&i| class[i].as_deref() == Some("power.gas"))
        .collect();
    // 2,000 generated firms and three listed ones (one of them a gas unit).
    assert_eq!(class.len(), 2003);
    let share = (gas.len() - 1) as f64 / 2000.0;
    assert!((share - 0.3).abs() < 0.035, "gas share {share}");
    for i in 0..class.len() {
        let is_gas = class[i].as_deref() == Some("power.gas");
        let listed_gas = i == 2002;
        let want = if is_gas && !listed_gas { 0.5 } else { 1.0 };
        assert_eq!(cf[i], want, "firm {i} ({:?})", class[i]);
    }
    // The main population's draws (size, city, energy intensity) do not move.
    let (e0, e1) = (
        f64s(&none, "energy_intensity"),
        f64s(&some, "energy_intensity"),
    );
    let (q0, q1) = (f64s(&none, "base_output"), f64s(&some, "base_output"));
    let (c0, c1) = (u32s(&none, "city_id"), u32s(&some, "city_id"));
    for i in 0..2000 {
        assert_eq!((e0[i], q0[i], c0[i]), (e1[i], q1[i], c1[i]), "firm {i}");
    }
}
