//! What a dispatch adds up to per region over the year (pure): generation, emissions,
//! curtailment, storage, imports and exports, the load-weighted price, and the average and
//! marginal grid emission factors.
//!
//! Units: energy in MWh per year, emissions in t CO2 per year, prices in CNY per MWh, emission
//! factors in t CO2 per MWh.
//!
//! * Average factor of a region: the emissions of its generation over its generation (MODEL.md
//!   9.5; imports do not carry emissions in it).
//! * Marginal factor of a region and slice: the emission factor of the unit that sets its price,
//!   a unit of the region running strictly between 0 and its available capacity whose cost with
//!   carbon equals the price (within 1e-6 relative); where none does, the price comes over a
//!   corridor that does not bind, and the factor is the exporter's divided by what arrives of a
//!   MWh sent (`1 - loss`); where neither holds (storage or unserved load set the price) it is
//!   unknown. The year's marginal factor is the load-weighted mean over the slices where it is
//!   known (None if none is).

use super::dispatch::{Dispatch, DispatchProblem};

/// One region's year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionYear {
    /// Load, MWh.
    pub load: f64,
    /// Generation of its units, MWh.
    pub generation: f64,
    /// Emissions of its units, t CO2.
    pub emissions: f64,
    /// Available but unused zero-emission generation (curtailed wind, solar, hydro), MWh.
    pub curtailment: f64,
    /// Charged into its storage, MWh.
    pub storage_charge: f64,
    /// Discharged from its storage, MWh.
    pub storage_discharge: f64,
    /// Received over corridors (after losses), MWh.
    pub imports: f64,
    /// Sent over corridors, MWh.
    pub exports: f64,
    /// Load not served, MWh.
    pub unserved: f64,
    /// Load-weighted price, CNY per MWh.
    pub price: f64,
    /// Average emission factor of its generation, t CO2 per MWh (None without generation).
    pub average_factor: Option<f64>,
    /// Load-weighted marginal emission factor, t CO2 per MWh (None where never known).
    pub marginal_factor: Option<f64>,
}

/// The year of every region of `p` under dispatch `d`.
pub fn region_years(p: &DispatchProblem, d: &Dispatch) -> Vec<RegionYear> {
    let mut out = vec![RegionYear::default(); p.regions];
    let mut price_load = vec![0.0; p.regions];
    for (s, sl) in p.slices.iter().enumerate() {
        let w = sl.weight;
        for (r, y) in out.iter_mut().enumerate() {
            let load = p.demand[r][s];
            y.load += w * load;
            y.unserved += w * d.unserved[r][s];
            price_load[r] += w * load * d.price[r][s];
        }
        for (u, unit) in p.units.iter().enumerate() {
            let y = &mut out[unit.region];
            let g = d.generation[u][s];
            y.generation += w * g;
            y.emissions += w * g * unit.emission_t_per_mwh;
            if unit.emission_t_per_mwh == 0.0 {
                y.curtailment += w * (unit.available(s) - g).max(0.0);
            }
        }
        for (k, st) in p.storage.iter().enumerate() {
            out[st.region].storage_charge += w * d.charge[k][s];
            out[st.region].storage_discharge += w * d.discharge[k][s];
        }
        for (c, cor) in p.corridors.iter().enumerate() {
            let f = d.flow[c][s];
            let keep = 1.0 - cor.loss;
            let (from, to) = if f >= 0.0 {
                (cor.a, cor.b)
            } else {
                (cor.b, cor.a)
            };
            out[from].exports += w * f.abs();
            out[to].imports += w * keep * f.abs();
        }
    }
    let marginal = marginal_factors(p, d);
    for (r, y) in out.iter_mut().enumerate() {
        y.price = if y.load > 0.0 {
            price_load[r] / y.load
        } else {
            0.0
        };
        y.average_factor = (y.generation > 0.0).then(|| y.emissions / y.generation);
        let (mut num, mut den) = (0.0, 0.0);
        for (s, sl) in p.slices.iter().enumerate() {
            if let Some(f) = marginal[r][s] {
                let wl = sl.weight * p.demand[r][s].max(f64::MIN_POSITIVE);
                num += wl * f;
                den += wl;
            }
        }
        y.marginal_factor = (den > 0.0).then(|| num / den);
    }
    out
}

/// Marginal emission factor per region and slice (see the module docs), t CO2 per MWh.
// Slices index the inner dimension of every per-region row; a range loop reads plainest.
#[allow(clippy::needless_range_loop)]
pub fn marginal_factors(p: &DispatchProblem, d: &Dispatch) -> Vec<Vec<Option<f64>>> {
    let ns = p.slices.len();
    let mut out = vec![vec![None; ns]; p.regions];
    for s in 0..ns {
        for (u, unit) in p.units.iter().enumerate() {
            let (g, cap) = (d.generation[u][s], unit.available(s));
            let tol = 1e-6 * cap.max(1.0);
            let price = d.price[unit.region][s];
            let sets = g > tol
                && g < cap - tol
                && (unit.full_cost() - price).abs() <= 1e-6 * (1.0 + price.abs());
            if sets && out[unit.region][s].is_none() {
                out[unit.region][s] = Some(unit.emission_t_per_mwh);
            }
        }
        // Over corridors that do not bind, from the exporter to the importer, until nothing
        // changes (at most one pass per region).
        for _ in 0..p.regions {
            let mut changed = false;
            for (c, cor) in p.corridors.iter().enumerate() {
                let f = d.flow[c][s];
                let tol = 1e-6 * cor.capacity_mw.max(1.0);
                if f.abs() <= tol || f.abs() >= cor.capacity_mw - tol {
                    continue;
                }
                let (from, to) = if f > 0.0 {
                    (cor.a, cor.b)
                } else {
                    (cor.b, cor.a)
                };
                if out[to][s].is_none()
                    && let Some(m) = out[from][s]
                {
                    out[to][s] = Some(m / (1.0 - cor.loss));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::dispatch::{Corridor, Slice, Unit, solve};
    use super::*;

    fn unit(region: usize, capacity_mw: f64, cost: f64, ef: f64) -> Unit {
        Unit {
            region,
            capacity_mw,
            availability: vec![],
            cost_per_mwh: cost,
            emission_t_per_mwh: ef,
            carbon_price: 0.0,
        }
    }

    fn two(k: f64) -> (DispatchProblem, Dispatch) {
        // Coal in A (100 CNY/MWh, 0.9 t/MWh) with wind (0 CNY, available 20 of 50 MW), gas in
        // B (300, 0.4); loads 50 and 100 MW over 8,760 h; corridor K with 10 % losses.
        let p = DispatchProblem {
            regions: 2,
            slices: vec![Slice {
                weight: 8760.0,
                hours: 24.0,
                cycle: 0,
            }],
            demand: vec![vec![50.0], vec![100.0]],
            units: vec![
                unit(0, 1000.0, 100.0, 0.9),
                Unit {
                    availability: vec![0.4],
                    ..unit(0, 50.0, 0.0, 0.0)
                },
                unit(1, 1000.0, 300.0, 0.4),
            ],
            storage: vec![],
            corridors: vec![Corridor {
                a: 0,
                b: 1,
                capacity_mw: k,
                loss: 0.1,
            }],
            voll: 10_000.0,
            wheel: 0.01,
        };
        let d = solve(&p).unwrap();
        (p, d)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-4 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn a_binding_corridor_leaves_each_region_its_own_marginal_unit() {
        // K = 40: A sends 40 MW (36 arrive); A's coal runs 50 - 20 + 40 = 70 MW, B's gas 64 MW.
        let (p, d) = two(40.0);
        let y = region_years(&p, &d);
        let h = 8760.0;
        assert!(
            close(y[0].generation, h * 90.0) && close(y[0].exports, h * 40.0),
            "{y:?}"
        );
        assert!(
            close(y[1].imports, h * 36.0) && close(y[1].generation, h * 64.0),
            "{y:?}"
        );
        assert!(close(y[0].emissions, h * 70.0 * 0.9));
        assert!(close(y[0].average_factor.unwrap(), 70.0 * 0.9 / 90.0));
        assert!(close(y[0].marginal_factor.unwrap(), 0.9));
        assert!(close(y[1].marginal_factor.unwrap(), 0.4), "{y:?}");
        assert_eq!(y[0].curtailment, 0.0);
        assert!(close(y[1].price, 300.0) && close(y[0].price, 100.0));
    }

    #[test]
    fn an_open_corridor_carries_the_exporters_marginal_unit() {
        // K large: B imports all its load; its marginal MWh is coal from A, 0.9 / 0.9 t per
        // MWh arriving; gas does not run.
        let (p, d) = two(1000.0);
        let y = region_years(&p, &d);
        assert!(close(y[1].generation, 0.0), "{y:?}");
        assert_eq!(y[1].average_factor, None);
        assert!(close(y[1].marginal_factor.unwrap(), 1.0), "{y:?}");
        assert!(close(y[1].price, (100.0 + 0.01) / 0.9), "{y:?}");
    }

    #[test]
    fn unused_zero_emission_capacity_is_curtailment() {
        // Load 10 MW in A alone, wind available 20 MW: 10 MW curtailed.
        let (mut p, _) = two(0.0);
        p.demand = vec![vec![10.0], vec![0.0]];
        let d = solve(&p).unwrap();
        let y = region_years(&p, &d);
        assert!(close(y[0].curtailment, 8760.0 * 10.0), "{y:?}");
        assert!(close(y[0].average_factor.unwrap(), 0.0));
        // The price is 0 (wind on the margin), so wind is the marginal unit.
        assert!(close(y[0].marginal_factor.unwrap(), 0.0), "{y:?}");
    }
}
