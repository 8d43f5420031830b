//! World setup for one run: spawns cities, firms and market regulators from a resolved
//! [`Scenario`] and a seed, and inserts the run's resources. Firm attributes come from keyed
//! draws keyed by (a hash of the sector name, index within the sector), so changing one
//! sector's firm count, or adding a sector, does not change another sector's firms (common
//! random numbers).

use crate::config::Scenario;
use crate::config::kinds::{Location, Scope};
use crate::geography::{CityShares, draw_city_shares};
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::firm::*;
use crate::model::agents::goods::{CityDraws, GoodsMarkets};
use crate::model::agents::regulator::Regulator;
use crate::model::agents::technology::TechState;
use crate::model::agents::totals::{Receipts, RunTotals, YearTotals};
use crate::model::agents::{Clock, RunParams};
use crate::output::Buffers;
use crate::rng::{Stream, keyed};
use bevy_ecs::prelude::*;
use rand::distr::weighted::WeightedIndex;
use rand_distr::{Distribution, LogNormal};
use std::sync::Arc;

/// A stable 31-bit hash of a sector name (FNV-1a), so that a sector's firm draws do not
/// depend on which other sectors exist or on their order.
pub(crate) fn name_hash(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h ^ (h >> 32)) & 0x7fff_ffff
}

/// The goods market id of a firm of `sector` in `city`.
pub(crate) fn goods_market(s: &Scenario, offsets: &[u32], sector: usize, city: u32) -> u32 {
    let c = &s.geography.cities[city as usize];
    let region = match s.sectors[sector].scope {
        Scope::National => 0,
        Scope::Grid => u32::from(c.grid),
        Scope::Province => u32::from(c.province),
        Scope::City => city,
    };
    offsets[sector] + region
}

pub(crate) fn goods_market_offsets(s: &Scenario) -> Vec<u32> {
    let mut offsets = Vec::with_capacity(s.sectors.len() + 1);
    let mut n = 0u32;
    for sec in &s.sectors {
        offsets.push(n);
        n += match sec.scope {
            Scope::National => 1,
            Scope::Grid => crate::geography::GRIDS.len() as u32,
            Scope::Province => s.geography.provinces.len() as u32,
            Scope::City => s.geography.cities.len() as u32,
        };
    }
    offsets.push(n);
    offsets
}

/// A firm's attributes before spawning.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FirmSpawn {
    pub info: FirmInfo,
    pub capacity: Capacity,
    pub production: Production,
    pub intensity: Intensity,
    pub mac: Mac,
    pub behaviour: Behaviour,
}

/// The components of a firm.
pub(crate) type FirmBundle = (
    FirmInfo,
    Capacity,
    Production,
    Intensity,
    Mac,
    Behaviour,
    Technologies,
    (
        Expectation,
        Coverage,
        Account,
        YearFlows,
        crate::model::agents::plan::Standard,
        Lifecycle,
    ),
);

/// Every component of a firm (the same set for firms built with the World and plants that
/// enter later, so that no system's query misses one).
pub(crate) fn firm_bundle(s: &Scenario, seed: u64, f: FirmSpawn, life: Lifecycle) -> FirmBundle {
    (
        f.info,
        f.capacity,
        f.production,
        f.intensity,
        f.mac,
        f.behaviour,
        tech_slots(s, seed, f.info.sector as usize, f.info.key),
        (
            Expectation::default(),
            Coverage::default(),
            Account::default(),
            YearFlows::default(),
            crate::model::agents::plan::Standard::default(),
            life,
        ),
    )
}

/// Life cycle of a plant of the initial population: under `[capacity]` for a dynamic sector,
/// its capacity of the start year (base capacity x demand index) and a retirement year from a
/// uniformly drawn age within the sector's lifetime (keyed by the firm's key); else a plant
/// that operates in every year.
fn initial_lifecycle(s: &Scenario, seed: u64, f: &FirmSpawn) -> Lifecycle {
    let sid = f.info.sector as usize;
    let Some(cap) = s.capacity.as_ref().filter(|c| c.dynamic[sid]) else {
        return Lifecycle::always(f.capacity.base_capacity);
    };
    let y0 = s.start_year();
    let u: f64 = rand::RngExt::random(&mut keyed(seed, Stream::PlantAge, f.info.key, 0, 0));
    // Remaining life (1 - u) L in (0, L], at least one year of output.
    let remaining = ((1.0 - u) * cap.lifetime[sid]).ceil().max(1.0) as i32;
    Lifecycle {
        capacity: f.capacity.base_capacity * s.sectors[sid].demand_index.at(y0),
        retire: y0 + remaining,
        ..Lifecycle::always(0.0)
    }
}

/// The firm's technology slots with drawn capex multipliers (keyed by the firm's draw key
/// and the slot's position in the sector catalog).
pub(crate) fn tech_slots(s: &Scenario, seed: u64, sector: usize, draw_key: u64) -> Technologies {
    let slots = s.sector_techs[sector]
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let sigma = s.technologies[t].capex_sigma;
            let m = LogNormal::new(0.0, sigma).map_or(1.0, |d| {
                d.sample(&mut keyed(seed, Stream::TechCapex, draw_key, 0, k as u32))
            });
            TechSlot {
                tech: t as u16,
                capex_multiplier: m,
                ..Default::default()
            }
        })
        .collect();
    Technologies {
        slots,
        ..Default::default()
    }
}

/// Initial technology state: sector firm counts per city, capex at its initial value.
fn tech_state(s: &Scenario, firms: &[FirmSpawn]) -> TechState {
    let cities = s.geography.cities.len();
    let n = s.technologies.len() * cities;
    let mut st = TechState {
        cities,
        agglomerations: s.geography.agglomerations.len(),
        city_agglomeration: s.geography.cities.iter().map(|c| c.agglomeration).collect(),
        firms: vec![0; n],
        aware: vec![0; n],
        adopters: vec![0; n],
        cum_capacity: vec![0.0; n],
        capex: vec![0.0; n],
        share: vec![0.0; n],
        milestones: vec![None; s.technologies.len() * (1 + s.geography.agglomerations.len())],
    };
    for t in &s.technologies {
        for c in 0..cities {
            st.capex[t.id * cities + c] = t.capex;
        }
    }
    for f in firms {
        for &t in &s.sector_techs[f.info.sector as usize] {
            st.firms[t * cities + f.info.city as usize] += 1;
        }
    }
    st
}

/// Builds the World of one run.
pub fn build_world(scenario: Arc<Scenario>, seed: u64, run_id: u64) -> World {
    let s = &*scenario;
    let mut world = World::new();
    let shares = draw_city_shares(&s.geography, seed);
    let cities: Vec<(CityInfo, CityState)> = s
        .geography
        .cities
        .iter()
        .map(|c| {
            let p = &s.geography.provinces[c.province as usize];
            let sh = shares[c.id as usize];
            (
                CityInfo {
                    id: c.id,
                    province: c.province,
                    agglomeration: c.agglomeration,
                    gdp_base: p.gdp_cny * sh.gdp,
                    population_base: p.population * sh.population,
                    uncovered_base: s.macro_.uncovered_share * p.co2_t * sh.gdp,
                },
                CityState::default(),
            )
        })
        .collect();
    world.spawn_batch(cities);

    let offsets = goods_market_offsets(s);
    let n_gm = *offsets.last().unwrap_or(&0) as usize;
    let mut gm = GoodsMarkets {
        sector: vec![0; n_gm],
        base_demand: vec![0.0; n_gm],
        region: vec![0; n_gm],
        price: vec![0.0; n_gm],
        demand: vec![0.0; n_gm],
        carbon_cost: vec![0.0; n_gm],
    };
    for (sid, _) in s.sectors.iter().enumerate() {
        for g in offsets[sid]..offsets[sid + 1] {
            gm.sector[g as usize] = sid as u16;
            gm.region[g as usize] = g - offsets[sid];
        }
    }
    let firms = spawn_list(s, seed, &offsets, &shares);
    for f in &firms {
        gm.base_demand[f.info.goods_market as usize] += f.capacity.base_output;
    }
    world.insert_resource(tech_state(s, &firms));
    world.insert_resource(crate::model::agents::plan::PlanState::default());
    world.insert_resource(Receipts::default());
    world.insert_resource(crate::model::agents::totals::CompensationFlows::default());
    let firm_count = firms.len() as u32;
    world.spawn_batch(firms.into_iter().map(|f| {
        let life = initial_lifecycle(s, seed, &f);
        firm_bundle(s, seed, f, life)
    }));
    world.insert_resource(crate::model::agents::capacity::CapacityState::new(
        s, firm_count, &offsets, &shares,
    ));
    world.spawn_batch(s.markets.iter().map(|m| Regulator {
        market: m.id,
        ..Default::default()
    }));
    world.insert_resource(gm);
    world.insert_resource(CityDraws(shares));
    world.insert_resource(Clock {
        year: s.start_year(),
    });
    world.insert_resource(Buffers::default());
    world.insert_resource(crate::model::agents::outlook::Outlook {
        first_year: s.start_year(),
        ..Default::default()
    });
    world.insert_resource(YearTotals::default());
    world.insert_resource(crate::model::agents::power::PowerState::default());
    world.insert_resource(crate::model::agents::power::PowerSolver::default());
    world.insert_resource(RunTotals::default());
    world.insert_resource(crate::model::agents::peaks::PeakState::new(s));
    world.insert_resource(crate::model::agents::research::ResearchState::new(s));
    world.insert_resource(crate::model::agents::fuel::FuelState::new(s));
    world.insert_resource(RunParams {
        scenario: scenario.clone(),
        seed,
        run_id,
    });
    init_coverage(&mut world, s);
    world
}

/// Sets every firm's last-year gross emissions before the first year (threshold test).
fn init_coverage(world: &mut World, s: &Scenario) {
    let mut q = world.query::<(&FirmInfo, &Capacity, &Intensity, &mut Coverage)>();
    for (info, cap, int, mut cov) in q.iter_mut(world) {
        let idx = s.sectors[info.sector as usize]
            .demand_index
            .at(s.start_year());
        cov.last_gross_emissions = int.emission() * cap.base_output * idx;
        cov.last_emissions = cov.last_gross_emissions;
        cov.last_electricity_mwh = int.electricity * cap.base_output * idx;
    }
}

fn spawn_list(s: &Scenario, seed: u64, offsets: &[u32], shares: &[CityShares]) -> Vec<FirmSpawn> {
    let mut out = Vec::new();
    for sid in 0..s.sectors.len() {
        generated_firms(s, seed, offsets, shares, sid, &mut out);
    }
    for (pos, f) in s.firms.iter().enumerate() {
        let id = out.len() as u32;
        out.push(explicit_firm(s, offsets, pos, f, id));
    }
    out
}

/// The group a generated firm belongs to: none when its sector has no groups (nothing is
/// drawn, so the other draws do not change); else one uniform draw against the groups'
/// cumulative shares (the rest of the unit interval is the main population).
fn pick_group(groups: &[crate::config::scenario::GroupSpec], seed: u64, key: u64) -> Option<usize> {
    if groups.is_empty() {
        return None;
    }
    let u: f64 = rand::RngExt::random(&mut keyed(seed, Stream::FirmGroup, key, 0, 0));
    let mut edge = 0.0;
    for (k, g) in groups.iter().enumerate() {
        edge += g.share;
        if u < edge {
            return Some(k);
        }
    }
    None
}

/// Where a sector's generated firms are placed: per city, the province's weight (thermal
/// share of `[power]` for its plants, else CO2 or GDP by the sector's `location`) x the city's
/// drawn GDP share. Also the economic mass of a city in the location choice of new plants
/// (`[capacity]`).
pub(crate) fn location_weights(s: &Scenario, sid: usize, shares: &[CityShares]) -> Vec<f64> {
    let r = &s.sectors[sid];
    s.geography
        .cities
        .iter()
        .map(|c| {
            let p = &s.geography.provinces[c.province as usize];
            let thermal = s
                .power
                .as_ref()
                .filter(|pw| pw.sector == sid)
                .and_then(|pw| pw.thermal_share.as_ref());
            let pw = match (thermal, r.location) {
                (Some(t), _) => t[c.province as usize],
                (None, Location::Co2) => p.co2_t,
                (None, Location::Gdp) => p.gdp_cny,
            };
            pw * shares[c.id as usize].gdp
        })
        .collect()
}

/// The generated firms of sector `sid` (ids continue from `out.len()`): sizes, cities and
/// attributes drawn with keys of (sector name hash, index within the sector).
fn generated_firms(
    s: &Scenario,
    seed: u64,
    offsets: &[u32],
    shares: &[CityShares],
    sid: usize,
    out: &mut Vec<FirmSpawn>,
) {
    let sec = &s.sectors[sid];
    let r = sec;
    if r.firms == 0 {
        return;
    }
    let weights = location_weights(s, sid, shares);
    let picker = WeightedIndex::new(&weights).ok();
    let size = LogNormal::new(0.0, r.size_sigma).ok();
    let sector_hash = name_hash(&sec.name);
    let key = |k: u32| (sector_hash << 32) | u64::from(k);
    let sizes: Vec<f64> = (0..r.firms)
        .map(|k| {
            size.as_ref().map_or(1.0, |d| {
                d.sample(&mut keyed(seed, Stream::FirmSize, key(k), 0, 0))
            })
        })
        .collect();
    let total: f64 = sizes.iter().sum();
    for (k, w) in sizes.iter().enumerate() {
        let k = k as u32;
        let city = picker.as_ref().map_or(0, |p| {
            p.sample(&mut keyed(seed, Stream::FirmLocation, key(k), 0, 0))
        }) as u32;
        let base_output = r.total_output * w / total;
        let group = pick_group(&r.groups, seed, key(k));
        let id = out.len() as u32;
        out.push(drawn_firm(
            s,
            seed,
            offsets,
            DrawnFirm {
                sector: sid,
                key: key(k),
                city,
                base_output,
                group,
                energy: None,
                id,
            },
        ));
    }
}

/// What places a drawn firm: its sector, draw key, city, reference output (units per year),
/// group, an energy intensity set by the caller (tce per unit; `None`: drawn) and id.
pub(crate) struct DrawnFirm {
    pub sector: usize,
    pub key: u64,
    pub city: u32,
    pub base_output: f64,
    pub group: Option<usize>,
    pub energy: Option<f64>,
    pub id: u32,
}

/// A firm's attributes drawn from its sector's (or group's) distributions with its key:
/// intensities, variable cost, MAC and behaviour (generated firms at build, new plants under
/// `[capacity]`).
pub(crate) fn drawn_firm(s: &Scenario, seed: u64, offsets: &[u32], d: DrawnFirm) -> FirmSpawn {
    let sid = d.sector;
    let r = &s.sectors[sid];
    let key = d.key;
    let city = d.city;
    let base_output = d.base_output;
    let draw = |dist: &crate::config::dist::Dist, i: u32| {
        dist.sample(&mut keyed(seed, Stream::FirmIntensity, key, 0, i))
    };
    let g = d.group.map(|g| &r.groups[g]);
    let own = |f: fn(&crate::config::scenario::GroupSpec) -> Option<&crate::config::dist::Dist>| {
        g.and_then(f)
    };
    let drawn_energy = draw(
        own(|g| g.energy_intensity.as_ref()).unwrap_or(&r.energy_intensity),
        0,
    );
    let energy = d.energy.unwrap_or(drawn_energy);
    let carbon_factor = draw(
        own(|g| g.carbon_factor.as_ref()).unwrap_or(&r.carbon_factor),
        1,
    );
    let variable_cost = draw(
        own(|g| g.variable_cost.as_ref()).unwrap_or(&r.variable_cost),
        2,
    )
    .max(0.0)
        * thermal_cost(s, sid, city);
    let p5 = own(|g| g.mac_price_at_5pct.as_ref())
        .unwrap_or(&r.mac_price_at_5pct)
        .sample(&mut keyed(seed, Stream::FirmMac, key, 0, 0));
    let e0 = energy * carbon_factor * base_output;
    let hurdle_rate = r
        .hurdle_rate
        .sample(&mut keyed(seed, Stream::FirmBehaviour, key, 0, 0));
    let lambda = r
        .expectation_weight
        .sample(&mut keyed(seed, Stream::FirmBehaviour, key, 0, 1))
        .clamp(0.0, 1.0);
    FirmSpawn {
        info: FirmInfo {
            id: d.id,
            sector: sid as u16,
            class: r.class(d.group),
            city,
            goods_market: goods_market(s, offsets, sid, city),
            key,
        },
        capacity: Capacity {
            base_capacity: base_output / r.utilisation,
            base_output,
        },
        production: Production {
            variable_cost,
            ..Default::default()
        },
        intensity: Intensity::at_build(energy, carbon_factor, r.electricity_intensity),
        mac: Mac::at_build(
            if e0 > 0.0 {
                p5 / (0.05 * e0)
            } else {
                f64::INFINITY
            },
            r.abatement_max_share,
        ),
        behaviour: Behaviour {
            hurdle_rate,
            lambda,
            hedge_share: r.bank_hedge_share,
            speculation: r.bank_speculation,
        },
    }
}

/// A firm listed in `[[firms]]` (or a firms file), at position `pos`, with id `id`.
fn explicit_firm(
    s: &Scenario,
    offsets: &[u32],
    pos: usize,
    f: &crate::config::ExplicitFirm,
    id: u32,
) -> FirmSpawn {
    let r = &s.sectors[f.sector];
    let x = f;
    let e0 = x.energy_intensity * x.carbon_factor * x.output;
    FirmSpawn {
        info: FirmInfo {
            id,
            sector: f.sector as u16,
            class: s.sectors[f.sector].class(f.group),
            city: f.city,
            goods_market: goods_market(s, offsets, f.sector, f.city),
            key: (1u64 << 63) | pos as u64,
        },
        capacity: Capacity {
            base_capacity: x.output / r.utilisation,
            base_output: x.output,
        },
        production: Production {
            variable_cost: x.variable_cost.unwrap_or_else(|| r.variable_cost.mean()),
            ..Default::default()
        },
        intensity: Intensity::at_build(
            x.energy_intensity,
            x.carbon_factor,
            r.electricity_intensity,
        ),
        mac: Mac::at_build(
            x.mac_slope,
            if e0 > 0.0 {
                (x.abatement_max / e0).min(1.0)
            } else {
                0.0
            },
        ),
        behaviour: Behaviour {
            hurdle_rate: x.hurdle_rate.unwrap_or_else(|| r.hurdle_rate.mean()),
            lambda: r.expectation_weight.mean().clamp(0.0, 1.0),
            hedge_share: r.bank_hedge_share,
            speculation: r.bank_speculation,
        },
    }
}

/// Multiplier of a generated firm's variable cost in `city`: the province's
/// `power.thermal_cost` value for the thermal firms of `[power]` (regional fuel prices), else 1.
fn thermal_cost(s: &Scenario, sid: usize, city: u32) -> f64 {
    s.power
        .as_ref()
        .filter(|p| p.sector == sid)
        .and_then(|p| p.thermal_cost.as_ref())
        .map_or(1.0, |t| {
            t[s.geography.cities[city as usize].province as usize]
        })
}
