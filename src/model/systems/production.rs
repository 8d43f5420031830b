//! Phase 4, production. Each goods market (a sector in a scope region) allocates its demand
//! among its firms by logit shares on expected unit cost
//! `u_i = c_i + E_i[p] (e_i - b_i)` (b_i: marginal free allocation per unit), weighted by
//! capacity. The product price is the sector's no-carbon price plus `pass_through` times the
//! share-weighted carbon cost; demand responds with elasticity `epsilon`; output is capped by
//! capacity (excess demand is redistributed to firms with spare capacity, water-filling).
//! Capacity follows the sector's demand index (entry and exit are not modelled).

use crate::config::Scenario;
use crate::model::agents::firm::{Coverage, Expectation, Intensity, Production};
use crate::model::agents::goods::GoodsMarkets;
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::ProducingFirm;
use bevy_ecs::prelude::*;

/// Per goods market scratch, reused across years.
#[derive(Default)]
pub struct Scratch {
    min_cost: Vec<f64>,
    weight: Vec<f64>,
    carbon: Vec<f64>,
    demand: Vec<f64>,
    fixed: Vec<f64>,
    free_weight: Vec<f64>,
    fixed_prev: Vec<f64>,
    free_prev: Vec<f64>,
}

/// Expected unit cost of a firm and its carbon part, CNY per unit:
/// `c_i + E_i[p] (e_i - b_i)` for a covered firm, `c_i` otherwise.
fn unit_cost(p: &Production, i: &Intensity, c: &Coverage, e: &Expectation) -> (f64, f64) {
    let carbon = if c.market.is_some() {
        e.market * (i.emission() - c.free_rate)
    } else {
        0.0
    };
    (p.variable_cost + carbon, carbon)
}

/// Sets every firm's output and gross emissions. Steps: [`capacities`], [`logit_weights`],
/// [`demands`], [`water_fill`], [`set_output`].
pub fn produce(
    params: Res<RunParams>,
    clock: Res<Clock>,
    gm: Res<GoodsMarkets>,
    mut scratch: Local<Scratch>,
    mut firms: Query<ProducingFirm>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let sc = &mut *scratch;
    sc.reset(gm.sector.len());
    capacities(s, year, sc, &mut firms);
    logit_weights(s, sc, &mut firms);
    demands(s, year, &gm, sc);
    water_fill(sc, &mut firms);
    set_output(sc, &mut firms);
}

impl Scratch {
    fn reset(&mut self, n: usize) {
        for v in [
            &mut self.min_cost,
            &mut self.weight,
            &mut self.carbon,
            &mut self.fixed,
            &mut self.free_weight,
            &mut self.demand,
        ] {
            v.clear();
            v.resize(n, 0.0);
        }
        self.min_cost.fill(f64::INFINITY);
    }
}

/// Capacity this year (base capacity x demand index), and the lowest unit cost per goods
/// market (for a stable logit).
fn capacities(s: &Scenario, year: i32, sc: &mut Scratch, firms: &mut Query<ProducingFirm>) {
    for mut f in firms.iter_mut() {
        let sector = &s.sectors[f.info.sector as usize];
        f.prod.capacity = f.cap.base_capacity * sector.demand_index.at(year);
        let (u, _) = unit_cost(&f.prod, f.int, f.cov, f.exp);
        let g = f.info.goods_market as usize;
        sc.min_cost[g] = sc.min_cost[g].min(u);
    }
}

/// Logit weights `capacity x exp(-beta (u_i - u_min) / price)` and the weighted carbon cost
/// per goods market.
fn logit_weights(s: &Scenario, sc: &mut Scratch, firms: &mut Query<ProducingFirm>) {
    for mut f in firms.iter_mut() {
        let sector = &s.sectors[f.info.sector as usize];
        let g = f.info.goods_market as usize;
        let (u, carbon) = unit_cost(&f.prod, f.int, f.cov, f.exp);
        let w = f.prod.capacity
            * (-sector.logit_sensitivity * (u - sc.min_cost[g]) / sector.price).exp();
        f.prod.weight = w;
        f.prod.capped = false;
        sc.weight[g] += w;
        sc.carbon[g] += w * carbon;
    }
}

/// Demand per goods market: base demand x demand index x relative price^-elasticity, the
/// price carrying `pass_through` of the share-weighted carbon cost.
fn demands(s: &Scenario, year: i32, gm: &GoodsMarkets, sc: &mut Scratch) {
    for g in 0..gm.sector.len() {
        let sector = &s.sectors[gm.sector[g] as usize];
        let avg_carbon = if sc.weight[g] > 0.0 {
            sc.carbon[g] / sc.weight[g]
        } else {
            0.0
        };
        let rel_price = (1.0 + sector.pass_through * avg_carbon / sector.price).max(0.1);
        sc.demand[g] =
            gm.base_demand[g] * sector.demand_index.at(year) * rel_price.powf(-sector.elasticity);
        sc.free_weight[g] = sc.weight[g];
    }
}

/// Water-filling: firms whose share exceeds capacity produce at capacity; the rest share
/// the remaining demand by weight. Each round caps at least one more firm or ends the loop,
/// so it terminates; in practice it takes a few rounds.
fn water_fill(sc: &mut Scratch, firms: &mut Query<ProducingFirm>) {
    loop {
        let mut changed = false;
        sc.fixed_prev.clone_from(&sc.fixed);
        sc.free_prev.clone_from(&sc.free_weight);
        let (fixed_before, free_before) = (&sc.fixed_prev, &sc.free_prev);
        for mut f in firms.iter_mut() {
            let g = f.info.goods_market as usize;
            let prod = &mut *f.prod;
            if prod.capped || prod.weight <= 0.0 || free_before[g] <= 0.0 {
                continue;
            }
            let want = (sc.demand[g] - fixed_before[g]).max(0.0) * prod.weight / free_before[g];
            if want > prod.capacity {
                sc.fixed[g] += prod.capacity;
                sc.free_weight[g] -= prod.weight;
                prod.capped = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Output (capacity if capped, else its weight's share of the demand left) and gross and
/// counterfactual emissions, t CO2.
fn set_output(sc: &Scratch, firms: &mut Query<ProducingFirm>) {
    for mut f in firms.iter_mut() {
        let g = f.info.goods_market as usize;
        let int = f.int;
        let prod = &mut *f.prod;
        prod.output = if prod.capped {
            prod.capacity
        } else if prod.weight > 0.0 && sc.free_weight[g] > 0.0 {
            ((sc.demand[g] - sc.fixed[g]).max(0.0) * prod.weight / sc.free_weight[g])
                .min(prod.capacity)
        } else {
            0.0
        };
        let output = prod.output;
        f.flows.gross_emissions = int.emission() * output;
        f.flows.counterfactual_emissions = int.initial_emission * output;
    }
}
