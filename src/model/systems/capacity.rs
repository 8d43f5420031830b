//! Phase 13, capacity (MODEL.md section 7.24; only under `[capacity]`). At the end of year `t`,
//! for the dynamic sectors:
//! 1. **Close**: plants that did not produce this year (retired or exited; their bank left
//!    the market by its exit rule when they became uncovered) are removed from the World,
//!    their row kept for the `firms` table and their city's technology counts reduced.
//! 2. **Exit**: a producing plant whose expected margin (product price minus expected unit
//!    cost, carbon included) was negative for `exit_years` consecutive years stops from
//!    `t + 1`.
//! 3. **Build**: each goods market builds new plants to close the gap between its expected
//!    demand of `T = t + lag` over the target utilisation and the capacity that will produce
//!    in `T`; each plant draws an origin city (by this year's capacity there) and then its
//!    city with probability `∝ exp(-theta (u_c + R_oc) / price) x kernel_oc` over the goods
//!    market's cities ([`crate::econ::location`]). The kernel has three rings around the
//!    origin, with total weights 1 (the origin city), `kernel_agglomeration` (the rest of its
//!    agglomeration) and `kernel_other` (everywhere else), each spread over its cities in
//!    proportion to their economic mass (the weights that placed the sector's initial firms),
//!    so that the odds of moving do not grow with the number of cities. `u_c` is the carbon cost the plant expects
//!    in `c` (the covering market's price on its emissions net of benchmark allocation, plus
//!    the administrative shadow price of the province's firms), plus electricity at the
//!    province's power price, minus incentives. New plants have the then-best intensity (a
//!    quantile of the sector's plants, improved by the vintage gain) and keyed draws
//!    (common random numbers across scenarios), and join the World in `T`.
//!
//! Rows of `capacity_year` are recorded here (after the record phase: this year's other rows
//! are already written).

use crate::config::Scenario;
use crate::config::capacity::CapacitySpec;
use crate::econ::location::*;
use crate::model::agents::capacity::{CapacityState, Pending};
use crate::model::agents::firm::{Expectation, Lifecycle, Technologies};
use crate::model::agents::goods::GoodsMarkets;
use crate::model::agents::power::PowerState;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::technology::TechState;
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::CapacityFirm;
use crate::model::world::{DrawnFirm, drawn_firm, firm_bundle, name_hash};
use crate::output::{Buffers, Cat};
use crate::rng::{Stream, keyed};
use bevy_ecs::prelude::*;
use rand::RngExt;
use statrs::statistics::{Data, OrderStatistics};

/// Per sector and province tallies of the year (the `capacity_year` row).
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    plants: u32,
    capacity: f64,
    output: f64,
    online: f64,
    retired: f64,
    exited: f64,
    decided: f64,
    relocated_in: f64,
    relocated_out: f64,
}

/// Scratch reused across years.
#[derive(Default)]
pub struct Scratch {
    tally: Vec<Tally>,
    /// Producing capacity per sector and city this year (origin weights), units per year.
    origin: Vec<f64>,
    /// Capacity producing in `t + lag` per goods market, units per year.
    future: Vec<f64>,
    /// Build energy intensities of the producing plants per sector, tce per unit.
    energy: Vec<Vec<f64>>,
    /// Administrative shadow price per province: sum and count.
    shadow: Vec<(f64, u32)>,
    probs: Vec<f64>,
    cost: Vec<f64>,
    kernel: Vec<f64>,
}

/// Draw key of the `k`-th plant that goods market `g` of the sector named by `sector_hash`
/// decides in `year`: top two bits set (generated firms never set bit 63, listed firms never
/// bit 62), the rest a SplitMix64 hash of the triple.
pub fn plant_key(sector_hash: u64, g: u32, year: i32, k: u32) -> u64 {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let h = mix(mix(mix(sector_hash) ^ u64::from(g)) ^ (year as u32 as u64)) ^ u64::from(k);
    (3u64 << 62) | (mix(h) >> 2)
}

/// Runs the year's capacity dynamics (nothing without `[capacity]`).
#[allow(clippy::too_many_arguments)]
pub fn plan_capacity(
    params: Res<RunParams>,
    clock: Res<Clock>,
    gm: Res<GoodsMarkets>,
    power: Res<PowerState>,
    regulators: Query<&Regulator>,
    mut tech: ResMut<TechState>,
    mut state: ResMut<CapacityState>,
    mut buf: ResMut<Buffers>,
    mut commands: Commands,
    mut firms: Query<CapacityFirm>,
    mut sc: Local<Scratch>,
) {
    let s = &*params.scenario;
    let Some(spec) = s.capacity.as_ref() else {
        return;
    };
    let t = clock.year;
    let (n_sec, n_prov, n_city) = (
        s.sectors.len(),
        s.geography.provinces.len(),
        s.geography.cities.len(),
    );
    let sc = &mut *sc;
    sc.tally.clear();
    sc.tally.resize(n_sec * n_prov, Tally::default());
    sc.origin.clear();
    sc.origin.resize(n_sec * n_city, 0.0);
    sc.future.clear();
    sc.future.resize(gm.sector.len(), 0.0);
    sc.energy.resize(n_sec, Vec::new());
    sc.energy.iter_mut().for_each(Vec::clear);
    sc.shadow.clear();
    sc.shadow.resize(n_prov, (0.0, 0));
    if state.plant_size.iter().all(Option::is_none) {
        state.plant_size = plant_sizes_of(s, spec, &firms);
    }
    let horizon = t + spec.lag;
    let province = |city: u32| s.geography.cities[city as usize].province as usize;
    for mut f in firms.iter_mut() {
        let sid = f.info.sector as usize;
        let prov = province(f.info.city);
        if f.life.operating(t) {
            let shadow = (f.exp.price - f.exp.market).max(0.0);
            sc.shadow[prov].0 += shadow;
            sc.shadow[prov].1 += 1;
        }
        if !spec.dynamic[sid] {
            continue;
        }
        let tally = &mut sc.tally[sid * n_prov + prov];
        let life = *f.life;
        if life.end() <= t {
            // Its closing year is over: remove it.
            if life.exit == Some(life.end()) && life.end() < life.retire {
                tally.exited += life.capacity;
            } else {
                tally.retired += life.capacity;
            }
            release_counts(&mut tech, f.info.city, f.tech);
            state
                .closed
                .push((*f.info, *f.cap, *f.prod, *f.int, *f.mac, *f.beh, life));
            commands.entity(f.entity).despawn();
            continue;
        }
        if life.operating(t) {
            tally.plants += 1;
            tally.capacity += life.capacity;
            tally.output += f.prod.output;
            if life.online == t {
                tally.online += life.capacity;
            }
            let fuel = s.sectors[sid].fuel_price;
            let (u, _) = super::production::unit_cost(fuel, f.prod, f.int, f.cov, f.exp);
            let (losses, exits) = loss_years(life.losses, f.prod.price - u, spec.exit_years);
            f.life.losses = losses;
            if exits && life.retire > t + 1 {
                f.life.exit = Some(t + 1);
            }
            sc.origin[sid * n_city + f.info.city as usize] += life.capacity;
            sc.energy[sid].push(f.int.initial_energy);
        }
        if f.life.operating(horizon) {
            sc.future[f.info.goods_market as usize] += life.capacity;
        }
    }
    for p in &state.pending {
        if p.life.operating(horizon) {
            sc.future[p.spawn.info.goods_market as usize] += p.life.capacity;
        }
    }
    let prices = market_prices(s, &regulators);
    build(
        s,
        spec,
        &gm,
        &power,
        &prices,
        t,
        &mut state,
        sc,
        params.seed,
    );
    // Plants whose first year of output is next year join the World.
    let (now, later): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut state.pending)
        .into_iter()
        .partition(|p| p.life.online <= t + 1);
    state.pending = later;
    for p in now {
        let info = p.spawn.info;
        for &k in &s.sector_techs[info.sector as usize] {
            let i = tech.at(k, info.city);
            tech.firms[i] += 1;
        }
        commands
            .spawn(firm_bundle(s, params.seed, p.spawn, p.life))
            .insert(p.expectation);
    }
    record(s, spec, t, params.run_id, sc, &mut buf);
}

/// Size of a new plant per sector: `plant_size` x the mean start-year capacity of the sector's
/// initial plants (`None` for a sector without dynamic capacity or without plants).
fn plant_sizes_of(
    s: &Scenario,
    spec: &CapacitySpec,
    firms: &Query<CapacityFirm>,
) -> Vec<Option<f64>> {
    let mut sum = vec![(0.0, 0u32); s.sectors.len()];
    for f in firms.iter() {
        let sid = f.info.sector as usize;
        if spec.dynamic[sid] && f.life.decided.is_none() {
            sum[sid].0 += f.life.capacity;
            sum[sid].1 += 1;
        }
    }
    sum.iter()
        .map(|&(c, n)| (n > 0 && c > 0.0).then(|| spec.plant_size * c / f64::from(n)))
        .collect()
}

/// The slots of a closing plant leave its city's technology counts (firms, aware, adopters).
fn release_counts(tech: &mut TechState, city: u32, slots: &Technologies) {
    for slot in &slots.slots {
        let i = tech.at(slot.tech as usize, city);
        tech.firms[i] = tech.firms[i].saturating_sub(1);
        if slot.aware {
            tech.aware[i] = tech.aware[i].saturating_sub(1);
        }
        if slot.adopted.is_some() {
            tech.adopters[i] = tech.adopters[i].saturating_sub(1);
        }
    }
}

/// The carbon price each market's firms see this year, CNY per t: this year's price of an
/// active market, else its last price (0 before its first).
fn market_prices(s: &Scenario, regulators: &Query<&Regulator>) -> Vec<f64> {
    let mut p = vec![0.0; s.markets.len()];
    for r in regulators.iter() {
        if let Some(x) = p.get_mut(r.market as usize) {
            *x = if r.active {
                r.year.price
            } else {
                r.last_price.unwrap_or(0.0)
            };
        }
    }
    p
}

/// What a new plant of a sector expects in a city.
struct CityOutlook {
    /// Expected unit cost that differs between cities, CNY per unit (carbon, electricity,
    /// minus incentives).
    cost: f64,
    /// Carbon price of its covering market, CNY per t.
    market_price: f64,
    /// Administrative shadow price, CNY per t.
    shadow: f64,
}

/// The outlook of a new plant of `sid` with energy intensity `energy` in `city` for
/// `horizon`, deciding in `t`.
#[allow(clippy::too_many_arguments)]
fn outlook(
    s: &Scenario,
    spec: &CapacitySpec,
    power: &PowerState,
    prices: &[f64],
    shadow: &[(f64, u32)],
    (sid, city, energy, expected_gross): (usize, u32, f64, f64),
    t: i32,
    horizon: i32,
) -> CityOutlook {
    let sec = &s.sectors[sid];
    let prov = s.geography.cities[city as usize].province as usize;
    let emission = energy * sec.carbon_factor.mean();
    let market =
        crate::model::systems::policy::covering_market(s, sid, city, horizon, expected_gross);
    let (market_price, carbon) = market.map_or((0.0, 0.0), |m| {
        let m_spec = &s.markets[m];
        let free = match (
            m_spec.allocation,
            &m_spec.benchmarks[sec.class(None) as usize],
        ) {
            (crate::config::kinds::AllocationRule::Benchmark, Some(b)) => {
                b.at(horizon)
                    * (1.0 - m_spec.auction_share.at(horizon))
                    * m_spec.benchmark_factor[prov]
            }
            _ => 0.0,
        };
        let factor = super::indirect::firm_factor(s, m as u16, city, power.year.as_ref());
        let p = prices[m];
        (
            p,
            p * (emission * m_spec.direct_share[sid] + sec.electricity_intensity * factor - free),
        )
    });
    let (sum, n) = shadow[prov];
    let shadow = if n > 0 { sum / f64::from(n) } else { 0.0 };
    let electricity = power
        .year
        .as_ref()
        .and_then(|y| y.provinces.get(prov))
        .map_or(0.0, |p| sec.electricity_intensity * p.summary.price);
    let incentive = spec.incentive(sid, prov, t) * sec.price;
    CityOutlook {
        cost: carbon + shadow * emission + electricity - incentive,
        market_price,
        shadow,
    }
}

/// Decides this year's new plants of every dynamic goods market and queues them.
#[allow(clippy::too_many_arguments)]
fn build(
    s: &Scenario,
    spec: &CapacitySpec,
    gm: &GoodsMarkets,
    power: &PowerState,
    prices: &[f64],
    t: i32,
    state: &mut CapacityState,
    sc: &mut Scratch,
    seed: u64,
) {
    let horizon = t + spec.lag;
    let n_city = s.geography.cities.len();
    let n_prov = s.geography.provinces.len();
    let geo = &s.geography;
    for sid in 0..s.sectors.len() {
        let (true, Some(size)) = (spec.dynamic[sid], state.plant_size[sid]) else {
            continue;
        };
        let sec = &s.sectors[sid];
        let best = if sc.energy[sid].is_empty() {
            sec.energy_intensity.mean()
        } else {
            let mut d = Data::new(sc.energy[sid].clone());
            d.quantile(spec.entrant_quantile)
        };
        let energy = best * (1.0 - spec.vintage_gain).powi(horizon - s.start_year());
        let hash = name_hash(&sec.name);
        let expected_gross = energy * sec.carbon_factor.mean() * size * sec.utilisation;
        for g in state.offsets[sid]..state.offsets[sid + 1] {
            let cands = state.candidates[g as usize].clone();
            if cands.is_empty() {
                continue;
            }
            let demand = expected_demand(
                gm.demand[g as usize],
                sec.demand_index.at(t),
                sec.demand_index.at(horizon),
            );
            let gap = capacity_gap(demand, sec.utilisation, sc.future[g as usize]);
            let sizes = plant_sizes(gap, size);
            if sizes.is_empty() {
                continue;
            }
            let outlooks: Vec<CityOutlook> = cands
                .iter()
                .map(|&c| {
                    outlook(
                        s,
                        spec,
                        power,
                        prices,
                        &sc.shadow,
                        (sid, c, energy, expected_gross),
                        t,
                        horizon,
                    )
                })
                .collect();
            let origin_w: Vec<f64> = cands
                .iter()
                .map(|&c| sc.origin[sid * n_city + c as usize])
                .collect();
            let origin_total: f64 = origin_w.iter().sum();
            for (k, &plant) in sizes.iter().enumerate() {
                let key = plant_key(hash, g, t, k as u32);
                let u0: f64 = keyed(seed, Stream::PlantLocation, key, 0, 0).random();
                let u1: f64 = keyed(seed, Stream::PlantLocation, key, 0, 1).random();
                let o = if origin_total > 0.0 {
                    sc.probs.clear();
                    sc.probs.extend(origin_w.iter().map(|w| w / origin_total));
                    pick(&sc.probs, u0).unwrap_or(0)
                } else {
                    ((u0 * cands.len() as f64) as usize).min(cands.len() - 1)
                };
                let origin = &geo.cities[cands[o] as usize];
                let ring = |c: u32| {
                    let city = &geo.cities[c as usize];
                    if c == origin.id {
                        0
                    } else if origin.agglomeration.is_some()
                        && city.agglomeration == origin.agglomeration
                    {
                        1
                    } else {
                        2
                    }
                };
                // Mass of each ring of the kernel around the origin.
                let mut ring_mass = [0.0f64; 3];
                for &c in &cands {
                    ring_mass[ring(c)] += state.mass[sid * n_city + c as usize];
                }
                sc.cost.clear();
                sc.kernel.clear();
                for (j, &c) in cands.iter().enumerate() {
                    let city = &geo.cities[c as usize];
                    let k = ring(c);
                    let r = relocation_cost(
                        k == 0,
                        city.province == origin.province,
                        spec.relocation_cost_city,
                        spec.relocation_cost_province,
                    );
                    sc.cost.push(outlooks[j].cost / sec.price + r);
                    let m = state.mass[sid * n_city + c as usize];
                    let share = if k == 0 {
                        1.0
                    } else if ring_mass[k] > 0.0 {
                        m / ring_mass[k]
                    } else {
                        0.0
                    };
                    sc.kernel.push(
                        kernel_weight(k == 0, k == 1, spec.kernel_agglomeration, spec.kernel_other)
                            * share,
                    );
                }
                location_probabilities(&sc.cost, &sc.kernel, spec.theta, &mut sc.probs);
                let j = pick(&sc.probs, u1).unwrap_or(o);
                let city = cands[j];
                let id = state.next_id;
                state.next_id += 1;
                let f = drawn_firm(
                    s,
                    seed,
                    &state.offsets,
                    DrawnFirm {
                        sector: sid,
                        key,
                        city,
                        base_output: plant * sec.utilisation,
                        group: None,
                        energy: Some(energy),
                        id,
                    },
                );
                let life = Lifecycle {
                    capacity: plant,
                    online: horizon,
                    retire: horizon + spec.lifetime[sid].round().max(1.0) as i32,
                    exit: None,
                    losses: 0,
                    decided: Some(t),
                };
                let out = &outlooks[j];
                let prov_c = geo.cities[city as usize].province as usize;
                let prov_o = origin.province as usize;
                sc.tally[sid * n_prov + prov_c].decided += plant;
                if prov_c != prov_o {
                    sc.tally[sid * n_prov + prov_c].relocated_in += plant;
                    sc.tally[sid * n_prov + prov_o].relocated_out += plant;
                }
                state.pending.push(Pending {
                    spawn: f,
                    life,
                    expectation: Expectation {
                        market: out.market_price,
                        price: out.market_price + out.shadow,
                        next: out.market_price,
                    },
                    origin: origin.id,
                });
            }
        }
    }
}

/// Appends the year's `capacity_year` rows (every dynamic sector x province).
fn record(s: &Scenario, spec: &CapacitySpec, t: i32, run: u64, sc: &Scratch, buf: &mut Buffers) {
    let n_prov = s.geography.provinces.len();
    let b = &mut buf.capacity_year;
    for sid in (0..s.sectors.len()).filter(|&k| spec.dynamic[k]) {
        for p in 0..n_prov {
            let x = &sc.tally[sid * n_prov + p];
            b.run_id.push(run);
            b.year.push(t);
            b.sector.push(Cat::of(sid as u16));
            b.province.push(Cat::of(p as u16));
            b.plants.push(x.plants);
            b.capacity.push(x.capacity);
            b.output.push(x.output);
            b.online.push(x.online);
            b.retired.push(x.retired);
            b.exited.push(x.exited);
            b.decided.push(x.decided);
            b.relocated_in.push(x.relocated_in);
            b.relocated_out.push(x.relocated_out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::firm::FirmInfo;
    use crate::model::testing::{run, through_clearing, world};

    const RELOCATION: &str = include_str!("../../../configs/validation/relocation.toml");

    fn plants(w: &mut World) -> Vec<(FirmInfo, Lifecycle, Expectation)> {
        let mut q = w.query::<(&FirmInfo, &Lifecycle, &Expectation)>();
        let mut v: Vec<_> = q.iter(w).map(|(i, l, e)| (*i, *l, *e)).collect();
        v.sort_by_key(|x| x.0.id);
        v
    }

    #[test]
    fn a_retiring_plant_is_replaced_where_carbon_plus_relocation_cost_is_lowest() {
        // The 2020 plant (capacity 200, Jiangsu = city 1) retires in 2021. Demand 100 at
        // utilisation 0.5 needs 200 units in 2021 (lag 1), none will produce: one plant of
        // 200 units is decided and joins the World at once. Tax 20 < relocation 30 CNY/unit:
        // Jiangsu, expecting the tax; tax 40 > 30: Xinjiang (city 0), untaxed.
        for (tax, city, expected) in [(20.0, 1, 20.0), (40.0, 0, 0.0)] {
            let mut w = world(RELOCATION, &[&format!("markets.tax.tax = {tax}")]);
            through_clearing(&mut w);
            run(&mut w, plan_capacity);
            let p = plants(&mut w);
            assert_eq!(p.len(), 2, "tax {tax}");
            assert_eq!(p[0].1.retire, 2021);
            let (info, life, exp) = p[1];
            assert_eq!(info.city, city, "tax {tax}");
            assert!((life.capacity - 200.0).abs() < 1e-12);
            assert_eq!(
                (life.online, life.retire, life.decided),
                (2021, 2022, Some(2020))
            );
            assert!((exp.market - expected).abs() < 1e-12, "{exp:?}");
            assert!(w.resource::<CapacityState>().pending.is_empty());
            // The year's row: 200 units decided in the chosen province.
            let b = &w.resource::<Buffers>().capacity_year;
            let prov = usize::from(city == 1);
            assert!((b.decided[prov] - 200.0).abs() < 1e-12);
            assert!((b.capacity[1] - 200.0).abs() < 1e-12 && b.capacity[0] == 0.0);
        }
    }

    #[test]
    fn a_plant_with_negative_margins_exits_and_is_removed_after_its_closing_year() {
        // Variable cost 150 > price 100: a loss every year; exit_years = 2 sets the exit to
        // 2022 at the end of 2021; at the end of 2022 (no output) the plant leaves the World.
        let mut w = world(
            RELOCATION,
            &[
                "firms[0].variable_cost = 150",
                "capacity.exit_years = 2",
                "capacity.lifetime = 50",
            ],
        );
        for year in 2020..=2022 {
            w.resource_mut::<Clock>().year = year;
            through_clearing(&mut w);
            run(&mut w, plan_capacity);
            let first = plants(&mut w).into_iter().find(|p| p.0.id == 0);
            match year {
                2020 => assert_eq!(first.map(|p| (p.1.losses, p.1.exit)), Some((1, None))),
                2021 => assert_eq!(first.map(|p| p.1.exit), Some(Some(2022))),
                _ => assert!(first.is_none(), "removed after 2022"),
            }
        }
        let st = w.resource::<CapacityState>();
        assert_eq!(st.closed.len(), 1);
        assert_eq!(st.closed[0].6.exit, Some(2022));
    }

    #[test]
    fn plant_keys_are_stable_and_distinct() {
        let a = plant_key(name_hash("steel"), 0, 2030, 0);
        assert_eq!(a, plant_key(name_hash("steel"), 0, 2030, 0));
        assert_ne!(a, plant_key(name_hash("steel"), 0, 2030, 1));
        assert_ne!(a, plant_key(name_hash("steel"), 0, 2031, 0));
        assert_ne!(a, plant_key(name_hash("cement"), 0, 2030, 0));
        assert_eq!(a >> 62, 3, "outside the generated and listed key spaces");
    }
}
