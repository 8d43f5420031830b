//! Phase 4, production. Each goods market (a sector in a scope region) allocates its demand
//! among its firms by logit shares on expected unit cost
//! `u_i = c_i + E_i[p] (e_i - b_i)` (b_i: marginal free allocation per unit; e_i includes
//! the indirect emissions per unit its market counts), weighted by
//! capacity. The product price is the sector's no-carbon price plus `pass_through` times the
//! share-weighted carbon cost; demand responds with elasticity `epsilon`; output is capped by
//! capacity (excess demand is redistributed to firms with spare capacity, water-filling,
//! [`crate::econ::goods::fill`], in log space so demand is served exactly however far apart
//! the weights are). Capacity follows the sector's demand index, or under `[capacity]` is the
//! plant's own (entry, exit and retirement in [`super::capacity`]).

use crate::config::Scenario;
use crate::econ::goods::{fill, log_sum_exp};
use crate::model::agents::firm::{Coverage, Expectation, Intensity, Production};
use crate::model::agents::goods::GoodsMarkets;
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::ProducingFirm;
use bevy_ecs::prelude::*;

/// Per goods market and per firm scratch, reused across years. The firm arrays are grouped
/// by goods market (`start[g]..start[g + 1]`).
#[derive(Default)]
pub struct Scratch {
    min_cost: Vec<f64>,
    demand: Vec<f64>,
    start: Vec<usize>,
    next: Vec<usize>,
    entity: Vec<Entity>,
    log_weight: Vec<f64>,
    capacity: Vec<f64>,
    carbon: Vec<f64>,
    fuel: Vec<f64>,
    output: Vec<f64>,
    capped: Vec<bool>,
}

/// Expected unit cost of a firm and its carbon part, CNY per unit:
/// `c_i + fuel_price (h_i - h_i0) + E_i[p] (s_i e_i + el_i f_i - b_i)` for a covered firm (the
/// carbon term is 0 otherwise): the variable cost at build plus the fuel its technologies save
/// or add (plus, with `[fuels]`, the producer-price change of its fuels per t CO2 times
/// `e_i`); `el_i f_i` are its indirect emissions per unit where its market counts them
/// (electricity intensity, MWh per unit, x expected factor, t CO2 per MWh) and `s_i` the
/// share of its direct emissions its market counts (1 downstream, its fuels' share upstream).
pub(crate) fn unit_cost(
    fuel_price: f64,
    p: &Production,
    i: &Intensity,
    c: &Coverage,
    e: &Expectation,
) -> (f64, f64) {
    let carbon = if c.market.is_some() {
        // Indirect emissions count at the factor the firm expects its market to apply.
        let indirect = if c.indirect_factor > 0.0 {
            i.electricity * c.indirect_factor
        } else {
            0.0
        };
        e.market * (c.counted(i.emission()) + indirect - c.free_rate)
    } else {
        0.0
    };
    let base = p.variable_cost + i.fuel_cost_change_per_unit(fuel_price);
    let base = if p.fuel_markup == 0.0 {
        base
    } else {
        base + p.fuel_markup * i.emission()
    };
    (base + carbon, carbon)
}

/// Sets every firm's output and baseline emissions. Steps: [`capacities`], [`logit_weights`]
/// (grouping firms by goods market), [`demands`], [`fill`] per goods market, [`set_output`].
pub fn produce(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut gm: ResMut<GoodsMarkets>,
    fuels: Res<crate::model::agents::fuel::FuelState>,
    mut scratch: Local<Scratch>,
    mut firms: Query<ProducingFirm>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let sc = &mut *scratch;
    let n = gm.sector.len();
    sc.min_cost.clear();
    sc.min_cost.resize(n, f64::INFINITY);
    if !s.fuels.is_empty() {
        for mut f in firms.iter_mut() {
            f.prod.fuel_markup = fuels.markup[f.info.sector as usize];
        }
    }
    capacities(s, year, sc, &mut firms);
    logit_weights(s, n, sc, &mut firms);
    demands(s, year, &mut gm, sc);
    for g in 0..n {
        let r = sc.start[g]..sc.start[g + 1];
        fill(
            sc.demand[g],
            &sc.log_weight[r.clone()],
            &sc.capacity[r.clone()],
            &mut sc.output[r],
            &mut sc.capped,
        );
    }
    set_output(sc, &gm, &mut firms);
}

/// Capacity this year (base capacity x demand index; under `[capacity]` for a dynamic sector,
/// the plant's capacity while it operates, else 0), and the lowest unit cost per goods
/// market (for a stable logit).
fn capacities(s: &Scenario, year: i32, sc: &mut Scratch, firms: &mut Query<ProducingFirm>) {
    let dynamic = s.capacity.as_ref().map(|c| &c.dynamic);
    for mut f in firms.iter_mut() {
        let sid = f.info.sector as usize;
        let sector = &s.sectors[sid];
        f.prod.capacity = if dynamic.is_some_and(|d| d[sid]) {
            if f.life.operating(year) {
                f.life.capacity
            } else {
                0.0
            }
        } else {
            f.cap.base_capacity * sector.demand_index.at(year)
        };
        let (u, _) = unit_cost(sector.fuel_price, &f.prod, f.int, f.cov, f.exp);
        let g = f.info.goods_market as usize;
        sc.min_cost[g] = sc.min_cost[g].min(u);
    }
}

/// Log logit weights `ln(capacity) - beta (u_i - u_min) / price`, and the firms grouped by
/// goods market (a counting sort, in query order within a market) with their capacity and
/// carbon cost per unit.
fn logit_weights(s: &Scenario, n: usize, sc: &mut Scratch, firms: &mut Query<ProducingFirm>) {
    sc.start.clear();
    sc.start.resize(n + 1, 0);
    for mut f in firms.iter_mut() {
        let sector = &s.sectors[f.info.sector as usize];
        let g = f.info.goods_market as usize;
        let (u, _) = unit_cost(sector.fuel_price, &f.prod, f.int, f.cov, f.exp);
        f.prod.log_weight = if f.prod.capacity > 0.0 {
            f.prod.capacity.ln() - sector.logit_sensitivity * (u - sc.min_cost[g]) / sector.price
        } else {
            f64::NEG_INFINITY
        };
        sc.start[g + 1] += 1;
    }
    for g in 0..n {
        sc.start[g + 1] += sc.start[g];
    }
    let total = sc.start[n];
    sc.next.clone_from(&sc.start);
    sc.entity.clear();
    sc.entity.resize(total, Entity::PLACEHOLDER);
    for v in [
        &mut sc.log_weight,
        &mut sc.capacity,
        &mut sc.carbon,
        &mut sc.fuel,
        &mut sc.output,
    ] {
        v.clear();
        v.resize(total, 0.0);
    }
    for f in firms.iter() {
        let g = f.info.goods_market as usize;
        let k = sc.next[g];
        sc.next[g] += 1;
        sc.entity[k] = f.entity;
        sc.log_weight[k] = f.prod.log_weight;
        sc.capacity[k] = f.prod.capacity;
        let fuel = s.sectors[f.info.sector as usize].fuel_price;
        sc.carbon[k] = unit_cost(fuel, f.prod, f.int, f.cov, f.exp).1;
        sc.fuel[k] = f.prod.fuel_markup * f.int.emission();
    }
}

/// Demand per goods market: base demand x demand index x relative price^-elasticity, the
/// price carrying `pass_through` of the share-weighted carbon cost; the price, demand and
/// carbon cost are kept in `gm` for the record.
fn demands(s: &Scenario, year: i32, gm: &mut GoodsMarkets, sc: &mut Scratch) {
    sc.demand.clear();
    for g in 0..gm.sector.len() {
        let sector = &s.sectors[gm.sector[g] as usize];
        let r = sc.start[g]..sc.start[g + 1];
        let (_, w, wc) = log_sum_exp(&sc.log_weight[r.clone()], &sc.carbon[r.clone()]);
        let avg_carbon = if w > 0.0 { wc / w } else { 0.0 };
        // With `[fuels]`, producer-price changes of fuels pass into the product price like
        // carbon cost.
        let passed = if s.fuels.is_empty() {
            avg_carbon
        } else {
            let (_, w, wf) = log_sum_exp(&sc.log_weight[r.clone()], &sc.fuel[r.clone()]);
            avg_carbon + if w > 0.0 { wf / w } else { 0.0 }
        };
        let rel_price = (1.0 + sector.pass_through * passed / sector.price).max(0.1);
        let demand =
            gm.base_demand[g] * sector.demand_index.at(year) * rel_price.powf(-sector.elasticity);
        sc.demand.push(demand);
        gm.price[g] = sector.price * rel_price;
        gm.demand[g] = demand;
        gm.carbon_cost[g] = avg_carbon;
    }
}

/// Output and product price from the water-filling and baseline and counterfactual
/// emissions, t CO2.
fn set_output(sc: &Scratch, gm: &GoodsMarkets, firms: &mut Query<ProducingFirm>) {
    for (k, e) in sc.entity.iter().enumerate() {
        let Ok(mut f) = firms.get_mut(*e) else {
            continue;
        };
        let int = f.int;
        f.prod.output = sc.output[k];
        f.prod.price = gm.price[f.info.goods_market as usize];
        f.flows.gross_emissions = int.emission() * sc.output[k];
        f.flows.counterfactual_emissions = int.initial_emission * sc.output[k];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::firm::YearFlows;
    use crate::model::testing::{LINEAR_MAC, firms, run, world};

    #[test]
    fn fixed_demand_is_served_by_each_firm_at_its_base_output() {
        // Three firms of base output 100 (utilisation 0.5: capacity 200), each its own goods
        // market (one per city), inelastic demand: each produces 100 and emits 1 x 100 t.
        let mut w = world(LINEAR_MAC, &[]);
        run(&mut w, produce);
        let prod = firms::<Production>(&mut w);
        let flows = firms::<YearFlows>(&mut w);
        for (p, f) in prod.iter().zip(&flows) {
            assert!((p.output - 100.0).abs() < 1e-9, "{p:?}");
            assert!((p.capacity - 200.0).abs() < 1e-9);
            assert!((f.gross_emissions - 100.0).abs() < 1e-9);
        }
    }

    #[test]
    fn demand_above_one_firms_capacity_goes_to_the_other() {
        // Both firms in one goods market (same city) with capacity 125 and demand 200: the
        // cheap one fills its 125, the other serves 75 (the case that lost demand before).
        let mut w = world(
            LINEAR_MAC,
            &[
                "firms[1].city=\"Beijing\"",
                "firms[2].city=\"Beijing\"",
                "firms[0].output=100",
                "firms[1].output=100",
                "firms[2].output=0.000001",
                "sectors.widget.utilisation=0.8",
                "sectors.widget.logit_sensitivity=20",
            ],
        );
        run(&mut w, produce);
        let prod = firms::<Production>(&mut w);
        let total: f64 = prod.iter().map(|p| p.output).sum();
        assert!((total - 200.000001).abs() < 1e-6, "total {total}: {prod:?}");
        for p in &prod {
            assert!(p.output <= p.capacity * (1.0 + 1e-12));
        }
    }

    #[test]
    fn the_product_price_passes_the_expected_carbon_cost_through() {
        // Launch price 200 CNY/t, grandfathering (no free rate): expected carbon cost 200 x 1 t
        // per unit = 200 CNY; with pass-through 0.5 the price is 100 + 100 = 200 CNY/unit in
        // each firm's goods market, and each firm's product price is its market's.
        let mut w = world(
            LINEAR_MAC,
            &[
                "markets.market.launch_price=200",
                "sectors.widget.pass_through=0.5",
            ],
        );
        crate::model::testing::through_clearing(&mut w);
        let gm = w.resource::<GoodsMarkets>().clone();
        for f in firms::<crate::model::agents::firm::FirmInfo>(&mut w) {
            let g = f.goods_market as usize;
            assert!((gm.price[g] - 200.0).abs() < 1e-9, "{gm:?}");
            assert!((gm.carbon_cost[g] - 200.0).abs() < 1e-9);
        }
        for p in firms::<Production>(&mut w) {
            assert!((p.price - 200.0).abs() < 1e-9);
        }
    }
}
