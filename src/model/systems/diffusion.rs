//! Phase 9, diffusion and learning (MODEL.md section 4.5).
//!
//! * Awareness (Bass): an unaware firm becomes aware of an available technology of its sector
//!   with probability `1 - exp(-(p + q A))`, where `A` is the proximity-weighted adoption
//!   share: adopters counted with weight 1 in the firm's city, `phi_agglomeration` in the rest
//!   of its agglomeration and `phi_national` in the rest of the country, over all firms of the
//!   sector in the country. With both weights 1 this is the national adoption share (plain
//!   Bass); lowering a weight discounts distant adopters, so raising `phi_agglomeration`
//!   raises the imitation pressure inside agglomerations, and weights 0 isolate cities.
//!   Draws are keyed by (seed, firm, year) with one draw per catalog slot, so they do not
//!   depend on iteration order.
//! * Learning (Wright): unit capex in city c is `capex0 (X_eff / X0)^(-b)`, where the
//!   effective cumulative capacity `X_eff` is the external capacity `X_ext(t)` plus installed
//!   capacity weighted like adopters (own city 1, rest of agglomeration `phi_agglomeration`,
//!   rest of country `phi_national`). Both are computed per technology and city from
//!   regional sums: O(technologies x cities), no per-firm pairwise work.

use crate::econ::learning::{awareness_probability, wright_capex};
use crate::model::agents::firm::{FirmInfo, Technologies};
use crate::model::agents::technology::TechState;
use crate::model::agents::{Clock, RunParams};
use crate::rng::{Stream, keyed};
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Regional sums of one technology, reused across years.
#[derive(Default)]
pub struct Scratch {
    agg_firms: Vec<f64>,
    agg_adopters: Vec<f64>,
    agg_capacity: Vec<f64>,
}

/// Proximity-weighted value for a city: own + phi_a (agglomeration - own) + phi_n (nation -
/// agglomeration-or-own).
fn weighted(own: f64, agg: Option<f64>, nation: f64, phi_a: f64, phi_n: f64) -> f64 {
    match agg {
        Some(a) => own + phi_a * (a - own) + phi_n * (nation - a),
        None => own + phi_n * (nation - own),
    }
}

/// Updates adoption shares, awareness, learning-curve capex and milestones.
pub fn diffuse(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut scratch: Local<Scratch>,
    mut state: ResMut<TechState>,
    mut firms: Query<(&FirmInfo, &mut Technologies)>,
) {
    let s = &params.scenario;
    if s.technologies.is_empty() {
        return;
    }
    let year = clock.year;
    let (phi_a, phi_n) = (s.diffusion.phi_agglomeration, s.diffusion.phi_national);
    let st = &mut *state;
    let sc = &mut *scratch;
    let n_agg = st.agglomerations;
    for spec in &s.technologies {
        let base = spec.id * st.cities;
        sc.agg_firms.clear();
        sc.agg_firms.resize(n_agg, 0.0);
        sc.agg_adopters.clear();
        sc.agg_adopters.resize(n_agg, 0.0);
        sc.agg_capacity.clear();
        sc.agg_capacity.resize(n_agg, 0.0);
        let (mut nf, mut na, mut nc) = (0.0, 0.0, 0.0);
        for c in 0..st.cities {
            let (f, a, x) = (
                f64::from(st.firms[base + c]),
                f64::from(st.adopters[base + c]),
                st.cum_capacity[base + c],
            );
            nf += f;
            na += a;
            nc += x;
            if let Some(g) = st.city_agglomeration[c] {
                sc.agg_firms[g as usize] += f;
                sc.agg_adopters[g as usize] += a;
                sc.agg_capacity[g as usize] += x;
            }
        }
        let x0 = spec.initial_capacity;
        let x_ext = spec.external_capacity.at(year);
        for c in 0..st.cities {
            let g = st.city_agglomeration[c].map(usize::from);
            let pick = |v: &Vec<f64>| g.map(|g| v[g]);
            let a = weighted(
                f64::from(st.adopters[base + c]),
                pick(&sc.agg_adopters),
                na,
                phi_a,
                phi_n,
            );
            st.share[base + c] = if nf > 0.0 { a / nf } else { 0.0 };
            let x = weighted(
                st.cum_capacity[base + c],
                pick(&sc.agg_capacity),
                nc,
                phi_a,
                phi_n,
            );
            st.capex[base + c] = wright_capex(spec.capex, x0, x_ext + x, spec.learning_rate);
        }
        let m = spec.id * (1 + n_agg);
        if nf > 0.0 && na / nf >= 0.5 && st.milestones[m].is_none() {
            st.milestones[m] = Some(year);
        }
        for g in 0..n_agg {
            if sc.agg_firms[g] > 0.0
                && sc.agg_adopters[g] / sc.agg_firms[g] >= 0.5
                && st.milestones[m + 1 + g].is_none()
            {
                st.milestones[m + 1 + g] = Some(year);
            }
        }
    }
    for (info, mut tech) in &mut firms {
        // Draw only when some slot can still become aware (results are the same: a slot's
        // draw is its position in the firm-year stream, whatever the others need).
        let pending = tech
            .slots
            .iter()
            .any(|slot| !slot.aware && year >= s.technologies[slot.tech as usize].available_from);
        if !pending {
            continue;
        }
        let mut rng = keyed(params.seed, Stream::Awareness, info.key, year as u32, 0);
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
