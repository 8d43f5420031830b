//! Phase 9, diffusion and learning (MODEL.md section 4.5).
//!
//! * Awareness (Bass): an unaware firm becomes aware of an available technology of its sector
//!   with probability `1 - exp(-(p + q A))`, where `A` is the proximity-weighted adoption
//!   share: adopters over firms of the sector, both counted with weight 1 in the firm's city,
//!   `phi_agglomeration` in the rest of its agglomeration and `phi_national` in the rest of
//!   the country. With both weights 1 this is the national adoption share (plain Bass); with
//!   both 0 each city runs its own Bass process; the weights change proximity, not mass.
//!   Draws are keyed by (seed, firm, year) with one draw per catalog slot, so they do not
//!   depend on iteration order.
//! * Learning (Wright): unit capex in city c is `capex0 (X_eff / X0)^(-b)`, where the
//!   effective cumulative capacity `X_eff` is the external capacity `X_ext(t)` plus installed
//!   capacity weighted like adopters (own city 1, rest of agglomeration `phi_agglomeration`,
//!   rest of country `phi_national`). Both are computed per technology and city from
//!   regional sums: O(technologies x cities), no per-firm pairwise work.

use crate::config::{Scenario, TechSpec};
use crate::econ::learning::{awareness_probability, wright_capex};
use crate::model::agents::firm::{FirmInfo, Technologies};
use crate::model::agents::technology::{RegionSums, TechState};
use crate::model::agents::{Clock, RunParams};
use crate::rng::{Stream, keyed};
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Proximity-weighted value for a city: own + phi_a (agglomeration - own) + phi_n (nation -
/// agglomeration-or-own).
fn weighted(own: f64, agg: Option<f64>, nation: f64, phi_a: f64, phi_n: f64) -> f64 {
    match agg {
        Some(a) => own + phi_a * (a - own) + phi_n * (nation - a),
        None => own + phi_n * (nation - own),
    }
}

/// Updates adoption shares, awareness, learning-curve capex and milestones. Steps per
/// technology: [`TechState::region_sums`], [`shares_and_capex`], [`milestones`]; then
/// [`awareness`] per firm.
pub fn diffuse(
    params: Res<RunParams>,
    clock: Res<Clock>,
    research: Res<crate::model::agents::research::ResearchState>,
    mut state: ResMut<TechState>,
    mut firms: Query<(&FirmInfo, &mut Technologies)>,
) {
    let s = &params.scenario;
    if s.technologies.is_empty() {
        return;
    }
    let year = clock.year;
    let phi = (s.diffusion.phi_agglomeration, s.diffusion.phi_national);
    let st = &mut *state;
    for spec in &s.technologies {
        let sums = st.region_sums(spec.id);
        shares_and_capex(spec, year, phi, &sums, st);
        // Learning by searching (`[research]`): the factor is 1 without programme knowledge.
        if !research.factor.is_empty() {
            let base = spec.id * st.cities;
            for c in 0..st.cities {
                st.capex[base + c] *= research.factor[base + c];
            }
        }
        milestones(spec.id, year, &sums, st);
    }
    awareness(s, params.seed, year, st, &mut firms);
}

/// Each city's proximity-weighted adoption share (weighted adopters over weighted firms) and
/// learning-curve capex of technology `spec` (CNY per unit of annual capacity), from the
/// regional sums.
fn shares_and_capex(
    spec: &TechSpec,
    year: i32,
    (phi_a, phi_n): (f64, f64),
    sums: &[RegionSums],
    st: &mut TechState,
) {
    let base = spec.id * st.cities;
    let nation = &sums[0];
    let x0 = spec.initial_capacity;
    let x_ext = spec.external_capacity.at(year);
    for c in 0..st.cities {
        let agg = st.city_agglomeration[c].map(|g| &sums[1 + g as usize]);
        let a = weighted(
            f64::from(st.adopters[base + c]),
            agg.map(|r| r.adopters),
            nation.adopters,
            phi_a,
            phi_n,
        );
        let n = weighted(
            f64::from(st.firms[base + c]),
            agg.map(|r| r.firms),
            nation.firms,
            phi_a,
            phi_n,
        );
        st.share[base + c] = if n > 0.0 { a / n } else { 0.0 };
        let x = weighted(
            st.cum_capacity[base + c],
            agg.map(|r| r.cum_capacity),
            nation.cum_capacity,
            phi_a,
            phi_n,
        );
        st.capex[base + c] = wright_capex(spec.capex, x0, x_ext + x, spec.learning_rate);
    }
}

/// The first year half of the sector's firms have adopted technology `tech`, nationally and
/// per agglomeration.
fn milestones(tech: usize, year: i32, sums: &[RegionSums], st: &mut TechState) {
    let m = tech * (1 + st.agglomerations);
    for (k, r) in sums.iter().enumerate() {
        if r.firms > 0.0 && r.adopters / r.firms >= 0.5 && st.milestones[m + k].is_none() {
            st.milestones[m + k] = Some(year);
        }
    }
}

/// Bass awareness draws: one uniform per catalog slot from the firm-year stream.
fn awareness(
    s: &Scenario,
    seed: u64,
    year: i32,
    st: &mut TechState,
    firms: &mut Query<(&FirmInfo, &mut Technologies)>,
) {
    for (info, mut tech) in firms.iter_mut() {
        // Draw only when some slot can still become aware (results are the same: a slot's
        // draw is its position in the firm-year stream, whatever the others need).
        let pending = tech
            .slots
            .iter()
            .any(|slot| !slot.aware && year >= s.technologies[slot.tech as usize].available_from);
        if !pending {
            continue;
        }
        let mut rng = keyed(seed, Stream::Awareness, info.key, year as u32, 0);
        for slot in tech.slots.iter_mut() {
            let u: f64 = rng.random();
            let spec = &s.technologies[slot.tech as usize];
            if slot.aware || year < spec.available_from {
                continue;
            }
            let i = st.at(spec.id, info.city);
            if u < awareness_probability(spec.bass_p, spec.bass_q, st.share[i]) {
                slot.aware = true;
                st.aware[i] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Series;

    fn spec() -> TechSpec {
        TechSpec {
            id: 0,
            sector: 0,
            slot: 0,
            name: "t".into(),
            energy_factor: 1.0,
            carbon_factor: 0.5,
            capex: 100.0,
            opex: 0.0,
            electricity_added: 0.0,
            lifetime: 10,
            build_lag: 0,
            learning_rate: 0.0,
            initial_capacity: 1.0,
            bass_p: 0.0,
            bass_q: 0.5,
            available_from: 0,
            capex_sigma: 0.0,
            external_capacity: Series {
                first_year: 2020,
                values: vec![0.0],
            },
        }
    }

    /// Three cities: 0 and 1 in agglomeration 0, 2 alone. City 0: 1 adopter of 2 firms;
    /// city 1: 0 of 6; city 2: 2 of 2.
    fn state() -> TechState {
        TechState {
            cities: 3,
            agglomerations: 1,
            city_agglomeration: vec![Some(0), Some(0), None],
            firms: vec![2, 6, 2],
            aware: vec![0; 3],
            adopters: vec![1, 0, 2],
            cum_capacity: vec![0.0; 3],
            capex: vec![0.0; 3],
            share: vec![0.0; 3],
            milestones: vec![None; 2],
        }
    }

    #[test]
    fn the_share_is_weighted_adopters_over_weighted_firms() {
        let spec = spec();
        let mut st = state();
        let sums = st.region_sums(0);
        // Isolated cities: each its own share.
        shares_and_capex(&spec, 2020, (0.0, 0.0), &sums, &mut st);
        assert_eq!(st.share, vec![0.5, 0.0, 1.0]);
        // National weights: the national share 3 / 10 everywhere.
        shares_and_capex(&spec, 2020, (1.0, 1.0), &sums, &mut st);
        for a in &st.share {
            assert!((a - 0.3).abs() < 1e-12);
        }
        // phi_a = 0.5, phi_n = 0: city 0 sees 1 + 0.5 x 0 adopters among 2 + 0.5 x 6 firms.
        shares_and_capex(&spec, 2020, (0.5, 0.0), &sums, &mut st);
        assert!((st.share[0] - 1.0 / 5.0).abs() < 1e-12);
        assert!((st.share[1] - 0.5 / 7.0).abs() < 1e-12);
        assert_eq!(st.share[2], 1.0);
    }

    #[test]
    fn awareness_follows_the_bass_hazard() {
        // p = 100: the hazard 1 - exp(-100) makes every firm aware in one year; p = q = 0:
        // nobody ever becomes aware.
        use crate::model::agents::firm::Technologies;
        use crate::model::testing::{firms, run, world};
        let adoption = include_str!("../../../configs/validation/adoption.toml");
        for (p, aware) in [("100", true), ("0", false)] {
            let mut w = world(adoption, &[&format!("technologies[0].bass_p={p}")]);
            run(&mut w, diffuse);
            let t = firms::<Technologies>(&mut w).remove(0);
            assert_eq!(t.slots[0].aware, aware, "bass_p = {p}");
        }
    }
}
