//! CCER offsets (MODEL.md section 7.20) through the binary and the Parquet output: one price
//! while the use limit does not bind, a lower offset price and use = limit when it binds, and
//! each credited tonne counted once (out of the supplying city's emissions, into the buyers'
//! surrender).

use crate::common::*;
use tempfile::TempDir;

/// One year's market row and national and Beijing emissions of `configs/validation/offsets.toml`
/// run with `extra`.
struct Year {
    price: f64,
    used: f64,
    offset_price: f64,
    limit: f64,
    reduction: f64,
    emissions: f64,
    covered: f64,
    beijing_uncovered: f64,
    beijing_abatement: f64,
}

fn first_year(extra: &[&str]) -> Year {
    let tmp = TempDir::new().unwrap();
    run_ok(&validation("offsets"), tmp.path(), extra);
    let ds = tmp.path().join("offsets");
    let bad = conservation_violations(tmp.path());
    assert!(bad.is_empty(), "{bad:#?}");
    let my = read_table(&ds, "market_year");
    let i = i32s(&my, "year").iter().position(|y| *y == 2020).unwrap();
    let ny = read_table(&ds, "nation_year");
    let j = i32s(&ny, "year").iter().position(|y| *y == 2020).unwrap();
    let cities = read_table(&ds, "cities");
    let bj = u32s(&cities, "city_id")[cats(&cities, "name")
        .iter()
        .position(|n| n.as_deref() == Some("Beijing"))
        .unwrap()];
    let cy = read_table(&ds, "city_year");
    let k = (0..u32s(&cy, "city_id").len())
        .find(|&k| u32s(&cy, "city_id")[k] == bj && i32s(&cy, "year")[k] == 2020)
        .unwrap();
    Year {
        price: f64s(&my, "price")[i],
        used: f64s(&my, "offsets_used")[i],
        offset_price: f64s(&my, "offset_price")[i],
        limit: f64s(&my, "offset_limit")[i],
        reduction: f64s(&my, "offset_reduction")[i],
        emissions: f64s(&ny, "emissions")[j],
        covered: f64s(&ny, "emissions_covered")[j],
        beijing_uncovered: f64s(&cy, "emissions_uncovered")[k],
        beijing_abatement: f64s(&cy, "offset_abatement")[k],
    }
}

#[test]
fn offsets_trade_at_the_permit_price_while_the_limit_does_not_bind() {
    let y = first_year(&[]);
    let p = 70.0 / 0.225;
    assert!(close(y.price, p, 1e-9), "price {}", y.price);
    assert!(
        close(y.offset_price, y.price, 1e-12),
        "offset price {}",
        y.offset_price
    );
    assert!(
        close(y.used, p / 20.0, 1e-9) && y.used < y.limit,
        "used {}",
        y.used
    );
    // The firms emit the cap plus the credits they surrendered.
    assert!(
        close(y.covered, 230.0 + y.used, 1e-9),
        "covered {}",
        y.covered
    );
}

#[test]
fn a_binding_limit_lowers_the_offset_price_and_use_equals_the_limit() {
    let y = first_year(&["--set", "markets.market.offsets.limit_share=0.03"]);
    assert!(close(y.limit, 9.0, 1e-12), "limit {}", y.limit);
    assert!(close(y.used, y.limit, 1e-9), "used {}", y.used);
    assert!(close(y.price, 61.0 / 0.175, 1e-9), "price {}", y.price);
    assert!(
        close(y.offset_price, 180.0, 1e-9),
        "offset price {}",
        y.offset_price
    );
    assert!(y.offset_price < y.price);
}

#[test]
fn a_credited_tonne_is_counted_once() {
    // Against the same run without offsets (limit 0): Beijing's uncovered emissions fall by
    // the real reduction, the covered firms emit the credits more, so national emissions do
    // not change when every credit is additional, and rise by the non-additional credits
    // when a fifth of them are not.
    let none = first_year(&["--set", "markets.market.offsets.limit_share=0"]);
    assert_eq!(none.used, 0.0);
    assert!(close(none.price, 400.0, 1e-9), "{}", none.price);
    let all = first_year(&[]);
    let scale = none.beijing_uncovered;
    assert!(
        (none.beijing_uncovered - all.beijing_uncovered - all.beijing_abatement).abs()
            < 1e-9 * scale,
        "Beijing {} -> {} with {} reduced",
        none.beijing_uncovered,
        all.beijing_uncovered,
        all.beijing_abatement
    );
    assert!(close(all.beijing_abatement, all.used, 1e-12));
    assert!((all.emissions - none.emissions).abs() < 1e-9 * none.emissions);
    let some = first_year(&["--set", "markets.market.offsets.non_additional_share=0.2"]);
    assert!(
        close(some.reduction, 0.8 * some.used, 1e-9),
        "{} of {}",
        some.reduction,
        some.used
    );
    let extra = some.emissions - none.emissions;
    assert!(
        (extra - 0.2 * some.used).abs() < 1e-9 * none.emissions,
        "national emissions rose by {extra}, non-additional credits {}",
        0.2 * some.used
    );
}
