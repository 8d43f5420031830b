//! Phase 4, production. Each goods market (a sector in a scope region) allocates its demand
//! among its firms by logit shares on expected unit cost
//! `u_i = c_i + E_i[p] (e_i - b_i)` (b_i: marginal free allocation per unit), weighted by
//! capacity. The product price is the sector's no-carbon price plus `pass_through` times the
//! share-weighted carbon cost; demand responds with elasticity `epsilon`; output is capped by
//! capacity (excess demand is redistributed to firms with spare capacity, water-filling).
//! Capacity follows the sector's demand index (entry and exit are not modelled).

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

/// Sets every firm's output and baseline emissions.
pub fn produce(
    params: Res<RunParams>,
    clock: Res<Clock>,
    gm: Res<GoodsMarkets>,
    mut scratch: Local<Scratch>,
    mut firms: Query<ProducingFirm>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let n = gm.sector.len();
    let sc = &mut *scratch;
    for v in [
        &mut sc.min_cost,
        &mut sc.weight,
        &mut sc.carbon,
        &mut sc.fixed,
        &mut sc.free_weight,
        &mut sc.demand,
    ] {
        v.clear();
        v.resize(n, 0.0);
    }
    sc.min_cost.fill(f64::INFINITY);
    let unit_cost = |p: &Production, i: &Intensity, c: &Coverage, e: &Expectation| {
        let carbon = if c.market.is_some() {
            e.market * (i.emission() - c.free_rate)
        } else {
            0.0
        };
        (p.variable_cost + carbon, carbon)
    };
    // Pass 1: capacity, and the lowest unit cost per goods market (for a stable logit).
    for mut f in &mut firms {
        let sector = &s.sectors[f.info.sector as usize];
        f.prod.capacity = f.cap.base_capacity * sector.demand_index.at(year);
        let (u, _) = unit_cost(&f.prod, f.int, f.cov, f.exp);
        let g = f.info.goods_market as usize;
        sc.min_cost[g] = sc.min_cost[g].min(u);
    }
    // Pass 2: logit weights and share-weighted carbon cost.
    for mut f in &mut firms {
        let raw = &s.sectors[f.info.sector as usize];
        let g = f.info.goods_market as usize;
        let (u, carbon) = unit_cost(&f.prod, f.int, f.cov, f.exp);
        let w = f.prod.capacity * (-raw.logit_sensitivity * (u - sc.min_cost[g]) / raw.price).exp();
        f.prod.weight = w;
        f.prod.capped = false;
        sc.weight[g] += w;
        sc.carbon[g] += w * carbon;
    }
    for g in 0..n {
        let raw = &s.sectors[gm.sector[g] as usize];
        let avg_carbon = if sc.weight[g] > 0.0 {
            sc.carbon[g] / sc.weight[g]
        } else {
            0.0
        };
        let rel_price = (1.0 + raw.pass_through * avg_carbon / raw.price).max(0.1);
        sc.demand[g] =
            gm.base_demand[g] * raw.demand_index.at(year) * rel_price.powf(-raw.elasticity);
        sc.free_weight[g] = sc.weight[g];
    }
    // Water-filling: firms whose share exceeds capacity produce at capacity; the rest share
    // the remaining demand by weight.
    // Each round caps at least one more firm or ends the loop, so it terminates; in practice
    // it takes a few rounds.
    loop {
        let mut changed = false;
        sc.fixed_prev.clone_from(&sc.fixed);
        sc.free_prev.clone_from(&sc.free_weight);
        let (fixed_before, free_before) = (&sc.fixed_prev, &sc.free_prev);
        for mut f in &mut firms {
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
    for mut f in &mut firms {
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
