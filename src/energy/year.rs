//! One year of the power system (pure): builds the dispatch program from `[power]`
//! ([`PowerSpec`]) and the ABM's thermal plants, solves it, gives each plant its generation
//! and adds up what the output tables report per province, grid region and corridor.
//!
//! Units: MW (averages over a slice), MWh per year, t CO2 per year, CNY per MWh,
//! t CO2 per MWh.

use super::dispatch::{Corridor, DispatchError, DispatchProblem, Dispatcher, Storage, Unit};
use super::summary::{RegionYear, region_years};
use super::thermal::{Plant, bins, merit_cmp, merit_order};
use crate::config::power::{PowerSpec, WithinProvince};
use crate::econ::goods::fill;

/// Wheeling cost that keeps flows from circling, CNY per MWh.
const WHEEL: f64 = 0.01;

/// What a unit of the program stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum UnitKind {
    /// A cost bin of thermal plants (its range in the sorted plants).
    Thermal,
    /// Fleet `k` of the spec.
    Fleet(usize),
}

/// A province's year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProvincePower {
    /// Dispatch totals (load, generation, trade, storage, price, factors); `emissions` and
    /// `average_factor` are those of the plants' own emission factors.
    pub summary: RegionYear,
    /// Generation of the thermal plants (the ABM firms), MWh.
    pub thermal_mwh: f64,
    /// Available thermal capacity, MW.
    pub thermal_mw: f64,
    /// Generation per fleet (spec order), MWh.
    pub fleet_mwh: Vec<f64>,
    /// Capacity per fleet, MW.
    pub fleet_mw: Vec<f64>,
    /// Available but unused generation per fleet, MWh.
    pub fleet_curtailed_mwh: Vec<f64>,
    /// Storage power, MW.
    pub storage_mw: f64,
    /// Capacity added per fleet since last year (path this year minus last year; negative:
    /// retired), MW.
    pub fleet_added_mw: Vec<f64>,
    /// Storage power added since last year (negative: retired), MW.
    pub storage_added_mw: f64,
    /// Load added by the electrification of the province's firms (their electricity use above
    /// their build intensity; negative where technologies save electricity), part of the load,
    /// MWh.
    pub electrification_mwh: f64,
}

/// The power system's year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PowerYear {
    /// Per province id.
    pub provinces: Vec<ProvincePower>,
    /// Corridor ends (province ids) and capacity this year, MW (spec order; corridors without
    /// capacity this year are listed with flow 0).
    pub corridors: Vec<(u16, u16, f64)>,
    /// Net flow per corridor and slice from its first to its second end, MW.
    pub flows: Vec<Vec<f64>>,
    /// Average emission factor per grid region (emissions over generation of its provinces),
    /// t CO2 per MWh (None without generation).
    pub grid_factor: Vec<Option<f64>>,
    /// Generation of each plant (in the order given), MWh.
    pub plant_mwh: Vec<f64>,
    /// Cost of the year's dispatch (generation with the thermal plants' expected carbon cost,
    /// unserved load, wheeling), CNY.
    pub cost: f64,
}

impl PowerYear {
    /// National average emission factor: emissions over generation of all provinces, t CO2
    /// per MWh (None without generation).
    pub fn national_factor(&self) -> Option<f64> {
        let (e, g) = self.provinces.iter().fold((0.0, 0.0), |(e, g), p| {
            (e + p.summary.emissions, g + p.summary.generation)
        });
        (g > 0.0).then(|| e / g)
    }
}

/// Dispatches `year`: `plants` are the thermal plants (any order), `grid_of` the grid region
/// of each province id, `grids` the number of grid regions, `electrification_mwh` the load
/// each province id adds to its exogenous load this year (MWh, shaped like the load; empty:
/// none); `dispatcher` keeps the program from one year to the next.
pub fn dispatch_year(
    dispatcher: &mut Dispatcher,
    spec: &PowerSpec,
    year: i32,
    plants: &[Plant],
    (grid_of, grids): (&[u8], usize),
    electrification_mwh: &[f64],
) -> Result<PowerYear, DispatchError> {
    let n = grid_of.len();
    let ns = spec.slices.len();
    // Plants in merit order per province, with their index in `plants`.
    let mut order: Vec<usize> = (0..plants.len()).collect();
    order.sort_by(|&i, &j| merit_cmp(&plants[i], &plants[j]));
    let sorted: Vec<Plant> = order.iter().map(|&i| plants[i]).collect();
    let thermal = bins(&sorted, spec.thermal_bins);
    let mut units: Vec<Unit> = Vec::with_capacity(thermal.len() + spec.fleets.len() * n);
    let mut kinds = Vec::with_capacity(units.capacity());
    for (_, u) in &thermal {
        units.push(u.clone());
        kinds.push(UnitKind::Thermal);
    }
    for (k, f) in spec.fleets.iter().enumerate() {
        let national = f.capacity_mw.at(year);
        for (r, share) in f.share.iter().enumerate() {
            // Every fleet a province has a share of enters, with no capacity in years before
            // it is built: the program keeps its structure (and its warm start) over the run.
            let cap = national * share;
            if *share > 0.0 {
                units.push(Unit {
                    region: r,
                    capacity_mw: cap,
                    availability: f.availability.clone(),
                    cost_per_mwh: f.cost,
                    emission_t_per_mwh: f.emission,
                    carbon_price: 0.0,
                });
                kinds.push(UnitKind::Fleet(k));
            }
        }
    }
    let mut storage = Vec::new();
    let mut storage_mw = vec![0.0; n];
    let mut storage_added = vec![0.0; n];
    for st in &spec.storage {
        let national = st.power_mw.at(year);
        let added = national - st.power_mw.at(year - 1);
        for (r, share) in st.share.iter().enumerate() {
            let p = national * share;
            if *share > 0.0 {
                storage.push(Storage {
                    region: r,
                    power_mw: p,
                    energy_mwh: p * st.hours,
                    efficiency: st.efficiency,
                });
                storage_mw[r] += p;
                storage_added[r] += added * share;
            }
        }
    }
    // Every corridor enters, also in years before it opens (see the fleets).
    let mut corridors = Vec::with_capacity(spec.corridors.len());
    let mut ends = Vec::with_capacity(spec.corridors.len());
    for c in &spec.corridors {
        let cap = c.capacity_mw.at(year);
        ends.push((c.a, c.b, cap));
        corridors.push(Corridor {
            a: c.a as usize,
            b: c.b as usize,
            capacity_mw: cap,
            loss: spec.corridor_loss,
        });
    }
    let avg_mw = spec.demand_mwh.at(year) / 8760.0;
    let demand = (0..n)
        .map(|r| {
            spec.load_shape
                .iter()
                .map(|l| {
                    let extra = electrification_mwh.get(r).map_or(0.0, |e| e / 8760.0);
                    if extra != 0.0 {
                        (avg_mw * spec.demand_share[r] + extra).max(0.0) * l
                    } else {
                        avg_mw * spec.demand_share[r] * l
                    }
                })
                .collect()
        })
        .collect();
    let problem = DispatchProblem {
        regions: n,
        slices: spec.slices.clone(),
        demand,
        units,
        storage,
        corridors,
        voll: spec.voll,
        wheel: WHEEL,
    };
    let d = dispatcher.solve(&problem)?;
    let summaries = region_years(&problem, &d);
    let mut out = PowerYear {
        provinces: summaries
            .into_iter()
            .map(|s| ProvincePower {
                summary: s,
                fleet_mwh: vec![0.0; spec.fleets.len()],
                fleet_mw: vec![0.0; spec.fleets.len()],
                fleet_curtailed_mwh: vec![0.0; spec.fleets.len()],
                fleet_added_mw: vec![0.0; spec.fleets.len()],
                ..Default::default()
            })
            .collect(),
        corridors: ends,
        flows: d.flow.clone(),
        grid_factor: vec![None; grids],
        plant_mwh: vec![0.0; plants.len()],
        cost: d.cost,
    };
    // Thermal generation per province and slice, back to the plants in merit order.
    let mut thermal_mw = vec![vec![0.0; ns]; n];
    for (u, kind) in kinds.iter().enumerate() {
        let unit = &problem.units[u];
        let p = &mut out.provinces[unit.region];
        for (s, sl) in problem.slices.iter().enumerate() {
            let g = d.generation[u][s];
            match kind {
                UnitKind::Thermal => thermal_mw[unit.region][s] += g,
                UnitKind::Fleet(k) => {
                    p.fleet_mwh[*k] += sl.weight * g;
                    p.fleet_curtailed_mwh[*k] += sl.weight * (unit.available(s) - g).max(0.0);
                }
            }
        }
        if let UnitKind::Fleet(k) = kind {
            p.fleet_mw[*k] += unit.capacity_mw;
            let f = &spec.fleets[*k];
            p.fleet_added_mw[*k] +=
                (f.capacity_mw.at(year) - f.capacity_mw.at(year - 1)) * f.share[unit.region];
        }
    }
    let mut emissions = vec![0.0; n];
    let mut slice_mw = vec![0.0; sorted.len()];
    let mut capped = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let r = sorted[start].region;
        let end = start + sorted[start..].iter().take_while(|p| p.region == r).count();
        let here = &sorted[start..end];
        match spec.within_province {
            WithinProvince::MeritOrder => {
                for (s, sl) in problem.slices.iter().enumerate() {
                    merit_order(here, thermal_mw[r][s], &mut slice_mw[start..end]);
                    for (k, g) in slice_mw[start..end].iter().enumerate() {
                        out.plant_mwh[order[start + k]] += sl.weight * g;
                    }
                }
            }
            WithinProvince::Logit => {
                let hours: f64 = problem.slices.iter().map(|s| s.weight).sum();
                let total: f64 = problem
                    .slices
                    .iter()
                    .enumerate()
                    .map(|(s, sl)| sl.weight * thermal_mw[r][s])
                    .sum();
                let lw: Vec<f64> = here.iter().map(|p| p.log_weight).collect();
                let cap: Vec<f64> = here.iter().map(|p| p.available_mw * hours).collect();
                let dst = &mut slice_mw[start..end];
                fill(total, &lw, &cap, dst, &mut capped);
                for (k, g) in dst.iter().enumerate() {
                    out.plant_mwh[order[start + k]] = *g;
                }
            }
        }
        for p in here {
            out.provinces[r].thermal_mw += p.available_mw;
        }
        start = end;
    }
    for (i, p) in plants.iter().enumerate() {
        let mwh = out.plant_mwh[i];
        out.provinces[p.region].thermal_mwh += mwh;
        emissions[p.region] += mwh * p.emission;
    }
    let mut grid_num = vec![0.0; grids];
    let mut grid_den = vec![0.0; grids];
    for (r, p) in out.provinces.iter_mut().enumerate() {
        p.storage_mw = storage_mw[r];
        p.storage_added_mw = storage_added[r];
        p.electrification_mwh = electrification_mwh.get(r).copied().unwrap_or(0.0);
        for (k, f) in spec.fleets.iter().enumerate() {
            emissions[r] += p.fleet_mwh[k] * f.emission;
        }
        let y = &mut p.summary;
        y.emissions = emissions[r];
        y.average_factor = (y.generation > 0.0).then(|| y.emissions / y.generation);
        let g = grid_of[r] as usize;
        grid_num[g] += y.emissions;
        grid_den[g] += y.generation;
    }
    for g in 0..grids {
        out.grid_factor[g] = (grid_den[g] > 0.0).then(|| grid_num[g] / grid_den[g]);
    }
    Ok(out)
}
