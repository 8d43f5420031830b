//! A synthetic dispatch problem of national size for tests and benches (not calibrated:
//! magnitudes only; the calibrated power system comes with MODEL.md section 7.22).

use super::corridors::{EMBEDDED_CORRIDORS, parse_corridors};
use super::dispatch::{Corridor, DispatchProblem, Slice, Storage, Unit};
use crate::geography::{CityLayout, GeographySpec, load_province_rows};

/// A dispatch problem of national size: the 31 provinces of the shipped provinces table, the 56
/// shipped corridors (3 % losses), 12 slices (4 seasons x night, day, evening of 8 h), load of
/// 8,400 TWh a year shaped over the slices and split by provincial CO2; in each province coal
/// (300 CNY/MWh, 0.85 t/MWh, carbon at 60 CNY/t) sized to its average load, gas, wind and solar
/// with availability shapes, and storage.
pub fn national() -> DispatchProblem {
    let (_, rows) = load_province_rows("embedded", std::path::Path::new("."))
        .expect("the embedded provinces table is valid");
    let layout = CityLayout {
        cities_per_province: 1,
        city_gdp_sigma: 0.0,
        named_cities: vec![],
    };
    let g =
        GeographySpec::new(&rows, &layout, "embedded").expect("the embedded geography is valid");
    let n = g.provinces.len();
    let corridors = parse_corridors(EMBEDDED_CORRIDORS, "c", |x| g.province_id(x))
        .expect("the embedded corridor table is valid")
        .into_iter()
        .map(|(a, b, cap)| Corridor {
            a: a as usize,
            b: b as usize,
            capacity_mw: cap,
            loss: 0.03,
        })
        .collect();
    let slices: Vec<Slice> = (0..12)
        .map(|s| Slice {
            weight: 8760.0 / 12.0,
            hours: 8.0,
            cycle: (s / 3) as u16,
        })
        .collect();
    let shape = [0.8, 1.0, 1.15]; // night, day, evening
    let season = [1.0, 1.1, 0.95, 1.05];
    let solar = [0.0, 0.6, 0.1];
    let wind = [0.35, 0.25, 0.3];
    let co2: f64 = g.provinces.iter().map(|p| p.co2_t).sum();
    // 8,400 TWh a year: about 960 GW on average.
    let avg = |r: usize| 960_000.0 * g.provinces[r].co2_t / co2;
    let demand = (0..n)
        .map(|r| {
            (0..12)
                .map(|s| avg(r) * shape[s % 3] * season[s / 3])
                .collect()
        })
        .collect();
    let mut units = Vec::new();
    for r in 0..n {
        let mk = |cap: f64, cost: f64, ef: f64, avail: Vec<f64>| Unit {
            region: r,
            capacity_mw: cap,
            availability: avail,
            cost_per_mwh: cost,
            emission_t_per_mwh: ef,
            carbon_price: 60.0,
        };
        units.push(mk(1.0 * avg(r), 300.0, 0.85, vec![]));
        units.push(mk(0.15 * avg(r), 550.0, 0.37, vec![]));
        units.push(mk(
            0.4 * avg(r),
            0.0,
            0.0,
            (0..12).map(|s| wind[s % 3]).collect(),
        ));
        units.push(mk(
            0.4 * avg(r),
            0.0,
            0.0,
            (0..12).map(|s| solar[s % 3]).collect(),
        ));
    }
    let storage = (0..n)
        .map(|r| Storage {
            region: r,
            power_mw: 0.05 * avg(r),
            energy_mwh: 0.2 * avg(r),
            efficiency: 0.85,
        })
        .collect();
    DispatchProblem {
        regions: n,
        slices,
        demand,
        units,
        storage,
        corridors,
        voll: 20_000.0,
        wheel: 0.01,
    }
}
