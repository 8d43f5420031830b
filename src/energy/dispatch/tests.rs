//! Closed forms of the dispatch: a two-region corridor, storage arbitrage over two slices, the
//! coal-gas switching price, unserved load at the value of lost load, bad input.

use super::*;

const TOL: f64 = 1e-4;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * (1.0 + a.abs().max(b.abs()))
}

fn unit(region: usize, capacity_mw: f64, cost: f64) -> Unit {
    Unit {
        region,
        capacity_mw,
        availability: vec![],
        cost_per_mwh: cost,
        emission_t_per_mwh: 0.0,
        carbon_price: 0.0,
    }
}

fn year(slices: usize) -> Vec<Slice> {
    vec![
        Slice {
            weight: 8760.0 / slices as f64,
            hours: 12.0,
            cycle: 0,
        };
        slices
    ]
}

fn problem(
    regions: usize,
    slices: usize,
    demand: Vec<Vec<f64>>,
    units: Vec<Unit>,
) -> DispatchProblem {
    DispatchProblem {
        regions,
        slices: year(slices),
        demand,
        units,
        storage: vec![],
        corridors: vec![],
        voll: 10_000.0,
        wheel: 0.01,
    }
}

/// Cheap generation in A (100 CNY/MWh), expensive in B (300), loads 50 and 100 MW, a corridor
/// of capacity K: the flow is min(K, 100); prices are equal (100, plus the wheeling cost in B)
/// when the corridor does not bind and split (100 and 300) when it does.
fn two_regions(k: f64) -> (DispatchProblem, Dispatch) {
    let mut p = problem(
        2,
        1,
        vec![vec![50.0], vec![100.0]],
        vec![unit(0, 1000.0, 100.0), unit(1, 1000.0, 300.0)],
    );
    p.corridors.push(Corridor {
        a: 0,
        b: 1,
        capacity_mw: k,
        loss: 0.0,
    });
    let d = solve(&p).unwrap();
    (p, d)
}

#[test]
fn a_corridor_carries_the_demand_gap_and_splits_prices_when_it_binds() {
    let (_, d) = two_regions(1000.0);
    assert!(close(d.flow[0][0], 100.0), "{d:?}");
    assert!(close(d.generation[0][0], 150.0) && close(d.generation[1][0], 0.0));
    assert!(
        close(d.price[0][0], 100.0) && close(d.price[1][0], 100.01),
        "{:?}",
        d.price
    );
    let (_, d) = two_regions(40.0);
    assert!(close(d.flow[0][0], 40.0), "{d:?}");
    assert!(close(d.generation[0][0], 90.0) && close(d.generation[1][0], 60.0));
    assert!(
        close(d.price[0][0], 100.0) && close(d.price[1][0], 300.0),
        "{:?}",
        d.price
    );
    // Cost: 90 x 100 + 60 x 300 + 40 x 0.01 CNY per hour, over 8760 h.
    assert!(
        close(d.cost, 8760.0 * (9000.0 + 18_000.0 + 0.4)),
        "{}",
        d.cost
    );
}

#[test]
fn losses_take_a_share_of_what_is_sent() {
    let (mut p, _) = two_regions(1000.0);
    p.corridors[0].loss = 0.1;
    let d = solve(&p).unwrap();
    // B receives 0.9 per MW sent: 100 / 0.9 sent, and B's price is A's / 0.9 (+ wheeling).
    assert!(close(d.flow[0][0], 100.0 / 0.9), "{d:?}");
    assert!(close(d.price[1][0], (100.0 + 0.01) / 0.9), "{:?}", d.price);
}

#[test]
fn storage_moves_cheap_energy_into_the_expensive_slice() {
    // Load 100 MW in two 12-hour slices; a cheap unit (100 CNY/MWh, 300 MW) runs only in the
    // first; an expensive one (500, 200 MW) in both. Storage of 50 MW, 1,000 MWh, 80 %
    // round trip: each MW charged gives 0.8 MW back, worth 0.8 x 500 - 100 = 300 > 0, so it
    // charges at full power (50 MW; 480 MWh stored < 1,000) and discharges 40 MW.
    let mut p = problem(
        1,
        2,
        vec![vec![100.0, 100.0]],
        vec![
            Unit {
                availability: vec![1.0, 0.0],
                ..unit(0, 300.0, 100.0)
            },
            unit(0, 200.0, 500.0),
        ],
    );
    p.storage.push(Storage {
        region: 0,
        power_mw: 50.0,
        energy_mwh: 1000.0,
        efficiency: 0.8,
    });
    let d = solve(&p).unwrap();
    assert!(
        close(d.charge[0][0], 50.0) && close(d.discharge[0][1], 40.0),
        "{d:?}"
    );
    assert!(
        close(d.charge[0][1], 0.0) && close(d.discharge[0][0], 0.0),
        "{d:?}"
    );
    assert!(
        close(d.generation[0][0], 150.0) && close(d.generation[1][1], 60.0),
        "{d:?}"
    );
    assert!(close(d.generation[1][0], 0.0));
    assert!(
        close(d.price[0][0], 100.0) && close(d.price[0][1], 500.0),
        "{:?}",
        d.price
    );
    // With 200 MWh of energy only 200 / (0.8 x 12) = 20.8 MW can be charged.
    p.storage[0].energy_mwh = 200.0;
    let d = solve(&p).unwrap();
    assert!(close(d.charge[0][0], 200.0 / 9.6), "{d:?}");
    assert!(close(d.discharge[0][1], 200.0 / 12.0), "{d:?}");
}

#[test]
fn a_carbon_price_above_the_switching_price_moves_coal_to_gas() {
    // Coal 200 CNY/MWh at 0.9 t/MWh, gas 400 at 0.4: they cost the same at
    // (400 - 200) / (0.9 - 0.4) = 400 CNY/t. Load 150 MW, 100 MW of each.
    let run = |carbon: f64| {
        let mk = |cost, ef| Unit {
            emission_t_per_mwh: ef,
            carbon_price: carbon,
            ..unit(0, 100.0, cost)
        };
        let p = problem(
            1,
            1,
            vec![vec![150.0]],
            vec![mk(200.0, 0.9), mk(400.0, 0.4)],
        );
        solve(&p).unwrap()
    };
    let low = run(300.0);
    assert!(
        close(low.generation[0][0], 100.0) && close(low.generation[1][0], 50.0),
        "{low:?}"
    );
    assert!(
        close(low.price[0][0], 400.0 + 0.4 * 300.0),
        "{:?}",
        low.price
    );
    let high = run(500.0);
    assert!(
        close(high.generation[0][0], 50.0) && close(high.generation[1][0], 100.0),
        "{high:?}"
    );
    assert!(
        close(high.price[0][0], 200.0 + 0.9 * 500.0),
        "{:?}",
        high.price
    );
    // 50 MW moved from coal to gas: 0.5 t/MWh less on 50 MW over the year.
    let e = |d: &Dispatch| 8760.0 * (0.9 * d.generation[0][0] + 0.4 * d.generation[1][0]);
    assert!(close(e(&low) - e(&high), 8760.0 * 50.0 * 0.5));
}

#[test]
fn load_beyond_capacity_is_unserved_at_the_value_of_lost_load() {
    let p = problem(1, 1, vec![vec![120.0]], vec![unit(0, 100.0, 100.0)]);
    let d = solve(&p).unwrap();
    assert!(close(d.unserved[0][0], 20.0), "{d:?}");
    assert!(close(d.price[0][0], 10_000.0), "{:?}", d.price);
}

#[test]
fn bad_input_is_an_error_naming_the_part() {
    let mut p = problem(1, 1, vec![vec![120.0]], vec![unit(0, 100.0, 100.0)]);
    p.units[0].capacity_mw = f64::NAN;
    assert_eq!(solve(&p), Err(DispatchError::Invalid("unit 0".into())));
    let mut p = problem(1, 1, vec![vec![1.0, 2.0]], vec![]);
    assert!(matches!(solve(&p), Err(DispatchError::Invalid(_))));
    p.demand = vec![vec![1.0]];
    p.corridors.push(Corridor {
        a: 0,
        b: 0,
        capacity_mw: 1.0,
        loss: 0.0,
    });
    assert_eq!(solve(&p), Err(DispatchError::Invalid("corridor 0".into())));
}

#[test]
fn a_national_size_problem_solves_to_a_balanced_optimum() {
    let p = crate::energy::synthetic::national();
    let d = solve(&p).unwrap();
    let unserved: f64 = d.unserved.iter().flatten().sum();
    assert!(unserved < 1e-3 * 960_000.0, "unserved {unserved} MW");
    for (r, row) in d.price.iter().enumerate() {
        for (s, price) in row.iter().enumerate() {
            assert!(
                price.is_finite() && *price > -1.0 && *price < 20_001.0,
                "region {r} slice {s}: {price}"
            );
        }
    }
    // Wind and solar never cover a province's load here, so coal (300 + 0.85 x 60 CNY/MWh)
    // is on the margin somewhere in every slice and no zero-cost MWh is curtailed.
    let min = d
        .price
        .iter()
        .flatten()
        .fold(f64::INFINITY, |a, b| a.min(*b));
    assert!((min - 351.0).abs() < 0.5, "lowest price {min}");
    for (u, unit) in p
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.cost_per_mwh == 0.0)
    {
        for s in 0..12 {
            let spill = unit.available(s) - d.generation[u][s];
            assert!(
                spill < 1e-4 * unit.capacity_mw + 1e-3,
                "unit {u} slice {s}: {spill} MW spilled"
            );
        }
    }
}

/// Cost of serving each region alone by merit order (no corridors, no storage), CNY: an upper
/// bound of the optimum, which may also trade and store.
fn isolated_cost(p: &DispatchProblem) -> f64 {
    let mut total = 0.0;
    for (s, sl) in p.slices.iter().enumerate() {
        for r in 0..p.regions {
            let mut units: Vec<&Unit> = p.units.iter().filter(|u| u.region == r).collect();
            units.sort_by(|a, b| a.full_cost().total_cmp(&b.full_cost()));
            let mut left = p.demand[r][s];
            for u in units {
                let g = left.min(u.available(s));
                total += sl.weight * g * u.full_cost();
                left -= g;
            }
            total += sl.weight * left * p.voll;
        }
    }
    total
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    #[test]
    fn random_systems_balance_and_cost_no_more_than_isolated_regions(
        loads in proptest::collection::vec(0.0f64..500.0, 6),
        caps in proptest::collection::vec(0.0f64..400.0, 6),
        costs in proptest::collection::vec(0.0f64..800.0, 6),
        avail in proptest::collection::vec(0.0f64..=1.0, 12),
        links in proptest::collection::vec(0.0f64..300.0, 3),
        store in 0.0f64..100.0,
    ) {
        // 3 regions x 2 slices, two units per region, a ring of corridors, one storage.
        let units = (0..6)
            .map(|u| Unit {
                region: u / 2,
                capacity_mw: caps[u],
                availability: vec![avail[2 * u], avail[2 * u + 1]],
                cost_per_mwh: costs[u],
                emission_t_per_mwh: 0.5,
                carbon_price: 50.0,
            })
            .collect();
        let mut p = problem(
            3,
            2,
            (0..3).map(|r| vec![loads[2 * r], loads[2 * r + 1]]).collect(),
            units,
        );
        p.corridors = (0..3)
            .map(|c| Corridor { a: c, b: (c + 1) % 3, capacity_mw: links[c], loss: 0.02 })
            .collect();
        p.storage.push(Storage { region: 1, power_mw: store, energy_mwh: 4.0 * store, efficiency: 0.9 });
        let d = solve(&p).unwrap();
        let bound = isolated_cost(&p);
        proptest::prop_assert!(d.cost <= bound * (1.0 + 1e-6) + 1.0, "{} > {bound}", d.cost);
        for row in &d.price {
            for price in row {
                proptest::prop_assert!(*price >= -1e-3 && *price <= p.voll / 0.98 + 1.0, "{price}");
            }
        }
    }
}

/// A dispatcher that re-uses its program finds the optimum of every problem of a sequence:
/// the same cost as a cold solve of each, balances that hold, and a cold build only when the
/// structure changes.
#[test]
fn a_warm_dispatcher_matches_cold_solves_over_a_sequence_of_years() {
    let base = crate::energy::synthetic::national();
    let mut warm = Dispatcher::new();
    for year in 0..6 {
        let mut p = base.clone();
        let f = 1.0 + 0.04 * year as f64;
        for row in &mut p.demand {
            for d in row.iter_mut() {
                *d *= f;
            }
        }
        for (u, unit) in p.units.iter_mut().enumerate() {
            unit.carbon_price = 60.0 + 40.0 * year as f64;
            unit.capacity_mw *= 1.0 + 0.01 * ((u + year) % 5) as f64;
        }
        for c in &mut p.corridors {
            c.capacity_mw *= f;
        }
        let a = warm.solve(&p).unwrap();
        let b = solve(&p).unwrap();
        assert!(
            (a.cost - b.cost).abs() <= 1e-7 * b.cost,
            "year {year}: warm {} cold {}",
            a.cost,
            b.cost
        );
    }
    assert_eq!((warm.cold_solves, warm.warm_solves), (1, 5));
    // A new corridor changes the matrix: the program is built again.
    let mut p = base.clone();
    p.corridors.push(Corridor {
        a: 0,
        b: 5,
        capacity_mw: 1000.0,
        loss: 0.03,
    });
    let a = warm.solve(&p).unwrap();
    let b = solve(&p).unwrap();
    assert!((a.cost - b.cost).abs() <= 1e-7 * b.cost);
    assert_eq!(warm.cold_solves, 2);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
    #[test]
    fn warm_and_cold_solves_agree_on_random_pairs_of_years(
        loads in proptest::collection::vec(0.0f64..500.0, 12),
        caps in proptest::collection::vec(0.0f64..400.0, 12),
        costs in proptest::collection::vec(0.0f64..800.0, 12),
        store in proptest::collection::vec(0.0f64..100.0, 2),
    ) {
        let mut warm = Dispatcher::new();
        for y in 0..2 {
            let units = (0..6)
                .map(|u| unit(u / 2, caps[6 * y + u], costs[6 * y + u]))
                .collect();
            let mut p = problem(
                3,
                2,
                (0..3).map(|r| vec![loads[6 * y + 2 * r], loads[6 * y + 2 * r + 1]]).collect(),
                units,
            );
            p.corridors = (0..3)
                .map(|c| Corridor { a: c, b: (c + 1) % 3, capacity_mw: 100.0, loss: 0.02 })
                .collect();
            p.storage.push(Storage {
                region: 1,
                power_mw: store[y],
                energy_mwh: 4.0 * store[y],
                efficiency: 0.9,
            });
            let a = warm.solve(&p).unwrap();
            let b = solve(&p).unwrap();
            proptest::prop_assert!((a.cost - b.cost).abs() <= 1e-7 * b.cost.abs() + 1e-6,
                "year {y}: warm {} cold {}", a.cost, b.cost);
        }
        proptest::prop_assert_eq!(warm.warm_solves, 1);
    }
}
