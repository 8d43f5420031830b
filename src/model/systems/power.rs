//! Phase 4, production (second step), the power dispatch (MODEL.md section 7.22): when
//! `[power]` is on, the thermal firms of its sector are dispatched with the provincial fleets,
//! storage and corridors by the year's least-cost program ([`crate::energy::year`]); each
//! firm's output is its dispatched generation (replacing the goods market's logit share),
//! its cost in the merit order the expected unit cost of [`super::production`] (variable cost,
//! fuel change and expected carbon cost net of marginal free allocation). The goods markets
//! of the sector record the dispatched thermal generation as their demand. The other firms'
//! electrification (electricity use above their build intensity, at this year's output and
//! the intensities installed by last year) adds to their province's load.

use super::production::unit_cost;
use crate::energy::thermal::Plant;
use crate::energy::year::dispatch_year;
use crate::geography::GRIDS;
use crate::model::agents::goods::GoodsMarkets;
use crate::model::agents::power::{PowerSolver, PowerState};
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::ProducingFirm;
use bevy_ecs::prelude::*;

/// Hours of a year, h.
const HOURS: f64 = 8760.0;

/// The thermal firms' entities in plant order and the electrification load per province id
/// (MWh), reused across years.
#[derive(Default)]
pub struct Scratch {
    entities: Vec<Entity>,
    load: Vec<f64>,
}

/// Dispatches the year and sets the thermal firms' output and emissions.
pub fn dispatch_power(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut gm: ResMut<GoodsMarkets>,
    mut state: ResMut<PowerState>,
    mut solver: ResMut<PowerSolver>,
    mut firms: Query<ProducingFirm>,
    mut scratch: Local<Scratch>,
) {
    let Scratch { entities, load } = &mut *scratch;
    let s = &params.scenario;
    let Some(spec) = &s.power else {
        return;
    };
    let g = &s.geography;
    let mut plants = Vec::new();
    entities.clear();
    load.clear();
    load.resize(g.provinces.len(), 0.0);
    for f in firms.iter() {
        if f.info.sector as usize != spec.sector {
            let added = f.int.electricity_added();
            if added != 0.0 {
                load[g.cities[f.info.city as usize].province as usize] += f.prod.output * added;
            }
            continue;
        }
        let sector = &s.sectors[spec.sector];
        let (cost, _) = unit_cost(sector.fuel_price, f.prod, f.int, f.cov, f.exp);
        let available_mw = f.prod.capacity / HOURS * spec.thermal_availability;
        plants.push(Plant {
            region: g.cities[f.info.city as usize].province as usize,
            available_mw,
            cost,
            emission: f.int.emission(),
            id: f.info.id,
            log_weight: if available_mw > 0.0 {
                available_mw.ln() - sector.logit_sensitivity * cost / sector.price
            } else {
                f64::NEG_INFINITY
            },
        });
        entities.push(f.entity);
    }
    let grid_of: Vec<u8> = g.provinces.iter().map(|p| p.grid).collect();
    let year = match dispatch_year(
        &mut solver.0,
        spec,
        clock.year,
        &plants,
        (&grid_of, GRIDS.len()),
        load,
    ) {
        Ok(y) => y,
        Err(e) => {
            state.year = None;
            state.error = Some(format!("power dispatch of {}: {e}", clock.year));
            return;
        }
    };
    for (k, e) in entities.iter().enumerate() {
        let Ok(mut f) = firms.get_mut(*e) else {
            continue;
        };
        let out = year.plant_mwh[k];
        let int = f.int;
        f.prod.output = out;
        f.flows.gross_emissions = int.emission() * out;
        f.flows.counterfactual_emissions = int.initial_emission * out;
    }
    for (m, sector) in gm.sector.clone().iter().enumerate() {
        if *sector as usize == spec.sector {
            gm.demand[m] = 0.0;
        }
    }
    for f in firms.iter() {
        if f.info.sector as usize == spec.sector {
            gm.demand[f.info.goods_market as usize] += f.prod.output;
        }
    }
    state.year = Some(year);
    state.error = None;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::firm::{Production, YearFlows};
    use crate::model::systems::production::produce;
    use crate::model::testing::{firms, run, world};

    /// The two-province case (configs/validation/power_corridor.toml): plants of 1,000 MW at
    /// 200 and 400 CNY/MWh, loads 300 and 500 MW, a corridor of 200 MW.
    const CASE: &str = include_str!("../../../configs/validation/power_corridor.toml");

    #[test]
    fn firms_produce_their_dispatch_and_the_corridor_binds() {
        let mut w = world(CASE, &[]);
        run(&mut w, produce);
        run(&mut w, dispatch_power);
        let prod = firms::<Production>(&mut w);
        let flows = firms::<YearFlows>(&mut w);
        let h = 8760.0;
        // Xinjiang's cheap plant serves its 300 MW and sends 200 MW; Jiangsu's the rest.
        assert!((prod[0].output - 500.0 * h).abs() < 1.0, "{:?}", prod[0]);
        assert!((prod[1].output - 300.0 * h).abs() < 1.0, "{:?}", prod[1]);
        // Gross emissions at 0.3 tce/MWh x 2.8 t/tce = 0.84 t/MWh.
        assert!((flows[0].gross_emissions - 0.84 * 500.0 * h).abs() < 1.0);
        let st = w.resource::<PowerState>();
        let y = st.year.as_ref().expect("dispatched");
        assert!(st.error.is_none());
        assert!((y.flows[0][0] - 200.0).abs() < 1e-3);
        let (pa, pb) = (y.provinces[0].summary.price, y.provinces[1].summary.price);
        assert!(
            (pa - 200.0).abs() < 1e-3 && (pb - 400.0).abs() < 1e-3,
            "{pa} {pb}"
        );
        // The goods markets record the dispatched generation as their demand.
        let gm = w.resource::<GoodsMarkets>();
        let total: f64 = gm.demand.iter().sum();
        assert!((total - 800.0 * h).abs() < 2.0, "{total}");
    }

    #[test]
    fn a_larger_corridor_moves_all_load_to_the_cheap_plant() {
        let mut w = world(CASE, &["power.corridor_scale=5"]);
        run(&mut w, produce);
        run(&mut w, dispatch_power);
        let prod = firms::<Production>(&mut w);
        assert!((prod[0].output - 800.0 * 8760.0).abs() < 1.0);
        assert!(prod[1].output.abs() < 1.0);
    }

    #[test]
    fn without_power_nothing_changes() {
        let mut w = world(crate::model::testing::LINEAR_MAC, &[]);
        run(&mut w, produce);
        let before = firms::<Production>(&mut w);
        run(&mut w, dispatch_power);
        let after = firms::<Production>(&mut w);
        for (a, b) in before.iter().zip(&after) {
            assert_eq!(a.output, b.output);
        }
        assert!(w.resource::<PowerState>().year.is_none());
    }
}
