//! The administrative regime (MODEL.md section 4.4): five-year plans set intensity targets
//! that are split to provinces and their cities ([`update_plans`], Policy phase); cities
//! enforce firm standards sized so that they meet their targets given their other emissions,
//! and curtail output when an energy cap binds ([`enforce_standards`], Standards phase, before allocation and
//! clearing, so that in a hybrid regime binding standards lower the allowance price).
//!
//! A regulated firm meets its standard at least cost: it is ordered to adopt the technology
//! with the lowest cost per unit of intensity reduction when that is cheaper than closing the
//! gap by operational abatement (effective after its build lag), and abates operationally
//! for the rest (up to its bound; what remains is an unmet gap). Its shadow price is the
//! marginal cost of its last measure. Under `metric = "energy"` only energy intensity
//! counts: a fuel switch does not help and carbon capture (more energy per unit) hurts.

use crate::config::PlanSpec;
use crate::config::kinds::{CitySplit, CurtailmentOrder, Differentiation, Metric, StandardKind};
use crate::econ::standard::{
    city_tier_cuts, extrapolate, gdp_tier_cuts, relative_cut, uniform_rate,
};
use crate::model::adoption::{after_adoption, effect_year, option_cost, order, planned_intensity};
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::firm::{Intensity, Mac};
use crate::model::agents::plan::{PlanState, Standard};
use crate::model::agents::technology::TechState;
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::{RegulatedFirm, RegulatedFirmItem};
use bevy_ecs::prelude::*;

/// Province cuts of one metric for a plan with national cut `cut`.
fn province_cuts(
    s: &crate::config::Scenario,
    plan: &PlanSpec,
    cut: f64,
    enforced: bool,
) -> Vec<f64> {
    let provs = &s.geography.provinces;
    match plan.differentiation {
        Differentiation::Uniform => vec![cut; provs.len()],
        Differentiation::GdpTiers => {
            let gpc: Vec<f64> = provs
                .iter()
                .map(|p| p.gdp_cny / p.population.max(1.0))
                .collect();
            gdp_tier_cuts(&gpc, cut)
        }
        Differentiation::Table => (0..provs.len())
            .map(|p| {
                if enforced {
                    plan.table[p].unwrap_or(cut)
                } else {
                    cut
                }
            })
            .collect(),
    }
}

/// City cuts of one metric from the province cuts `pc`: each city its province's cut
/// (`city_split = "uniform"`), or by city GDP-per-capita tiers keeping each province's
/// base-weighted cut (`"gdp_tiers"`; weights: the cities' base intensity x GDP, i.e. their
/// base-year emissions or energy use; GDP per capita from last year's city GDP).
fn split_to_cities(
    s: &crate::config::Scenario,
    plan: &PlanSpec,
    pc: &[f64],
    base: &[f64],
    cities: &Query<(&CityInfo, &CityState)>,
) -> Vec<f64> {
    let geo = &s.geography;
    let mut out: Vec<f64> = geo.cities.iter().map(|c| pc[c.province as usize]).collect();
    if plan.city_split == CitySplit::Uniform {
        return out;
    }
    let n = geo.cities.len();
    let (mut gpc, mut w) = (vec![0.0; n], vec![0.0; n]);
    for (info, st) in cities {
        let c = info.id as usize;
        gpc[c] = st.gdp / st.population.max(1.0);
        w[c] = base.get(c).copied().unwrap_or(0.0) * st.gdp;
    }
    for (p, cut) in pc.iter().enumerate() {
        let ids: Vec<usize> = (0..n)
            .filter(|&c| geo.cities[c].province as usize == p)
            .collect();
        let g: Vec<f64> = ids.iter().map(|&c| gpc[c]).collect();
        let wt: Vec<f64> = ids.iter().map(|&c| w[c]).collect();
        for (k, v) in city_tier_cuts(*cut, &g, &wt).into_iter().enumerate() {
            out[ids[k]] = v;
        }
    }
    out
}

/// Sets this year's city targets and caps from the active plan.
pub fn update_plans(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut st: ResMut<PlanState>,
    cities: Query<(&CityInfo, &CityState)>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let n = s.geography.cities.len();
    let found = s.plans.iter().position(|p| p.covers(year));
    if found.is_none() {
        st.active = None;
        st.target_carbon = vec![None; n];
        st.target_energy = vec![None; n];
        st.cap = vec![None; n];
        return;
    }
    let Some(pi) = found else { return };
    let plan = &s.plans[pi];
    if st.active != Some(pi) {
        st.active = Some(pi);
        st.base_carbon = st.last_carbon.clone();
        st.base_energy = st.last_energy.clone();
        st.base_energy_use = st.last_energy_use.clone();
        let city_cut = |cut: Option<f64>, enforced: bool, base: &[f64]| -> Vec<Option<f64>> {
            match cut {
                None => vec![None; n],
                Some(c) => {
                    let pc = province_cuts(s, plan, c, enforced);
                    split_to_cities(s, plan, &pc, base, &cities)
                        .into_iter()
                        .map(Some)
                        .collect()
                }
            }
        };
        st.cut_carbon = city_cut(
            plan.carbon_intensity_cut,
            plan.metric == Metric::Carbon,
            &st.base_carbon,
        );
        st.cut_energy = city_cut(
            plan.energy_intensity_cut,
            plan.metric == Metric::Energy,
            &st.base_energy,
        );
    }
    // Linear path from the base year (the year before the plan) to the plan's last year.
    let f = f64::from(year - plan.start_year + 1) / f64::from(plan.end_year - plan.start_year + 1);
    let has_base = st.base_carbon.len() == n;
    let target = |base: &[f64], cut: &[Option<f64>]| -> Vec<Option<f64>> {
        (0..n)
            .map(|c| {
                if has_base {
                    cut.get(c)
                        .copied()
                        .flatten()
                        .map(|k| base[c] * (1.0 - k * f))
                } else {
                    None
                }
            })
            .collect()
    };
    st.target_carbon = target(&st.base_carbon, &st.cut_carbon);
    st.target_energy = target(&st.base_energy, &st.cut_energy);
    st.cap = match plan.energy_cap_tce {
        Some(cap) if has_base => {
            let e0: f64 = st.base_energy_use.iter().sum();
            let national = e0 + (cap - e0) * f;
            st.base_energy_use
                .iter()
                .map(|u| Some(if e0 > 0.0 { national * u / e0 } else { 0.0 }))
                .collect()
        }
        _ => vec![None; n],
    };
}

/// What a city saw in the last two years: GDP (CNY) and non-firm emissions (t CO2), `None`
/// before the run has that year.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seen {
    gdp: (Option<f64>, Option<f64>),
    non_firm: (Option<f64>, Option<f64>),
}

/// Per-city sums of the enforcement pass, reused across years; `seen` carries the cities'
/// history from year to year.
#[derive(Default)]
pub struct Scratch {
    seen: Vec<Seen>,
    gdp_proj: Vec<f64>,
    other: Vec<f64>,
    base: Vec<f64>,
    cut: Vec<f64>,
    energy: Vec<f64>,
    groups: Vec<(u32, u16, f64, f64, f64)>,
    rates: Vec<((u32, u16), f64)>,
    curtail: Vec<(u32, f64, Entity)>,
}

/// Metric intensity of a firm (units of the metric per unit of output).
fn metric_of(m: Metric, int: &Intensity) -> f64 {
    match m {
        Metric::Energy => int.energy,
        Metric::Carbon => int.emission(),
    }
}

/// Derives standards and enforces them; curtails when a city's energy cap binds. Steps:
/// [`reset_standards`], [`metric_sums`], [`city_cuts`] and [`uniform_rates`] (enforced
/// plans), [`enforce_firm`] per regulated firm, then [`curtail`].
pub fn enforce_standards(
    params: Res<RunParams>,
    clock: Res<Clock>,
    plans: Res<PlanState>,
    techs: Res<TechState>,
    mut sc: Local<Scratch>,
    cities: Query<(&CityInfo, &CityState)>,
    mut firms: Query<RegulatedFirm>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let sc = &mut *sc;
    reset_standards(&mut firms);
    let Some(pi) = plans.active else {
        remember(&cities, &mut firms, sc);
        return;
    };
    let plan = &s.plans[pi];
    metric_sums(s, plan, year, &cities, &mut firms, sc);
    if plan.enforce {
        city_cuts(plan, &plans, &cities, sc);
        uniform_rates(plan, sc);
    }
    sc.curtail.clear();
    let ctx = Enforcement {
        s,
        plan,
        year,
        techs: &techs,
        rates: &sc.rates,
        cuts: &sc.cut,
    };
    for mut f in &mut firms {
        if !f.std.regulated {
            continue;
        }
        let energy = enforce_firm(&ctx, &mut f);
        sc.energy[f.info.city as usize] += energy;
        sc.curtail.push((f.info.city, f.int.energy, f.entity));
    }
    // Unregulated firms' energy use also counts against the city's cap.
    for f in &firms {
        if !f.std.regulated {
            sc.energy[f.info.city as usize] += f.prod.output * f.int.energy;
        }
    }
    curtail(s, plan, &plans, sc, &mut firms);
    remember(&cities, &mut firms, sc);
}

/// Keeps this year's realised city GDP and non-firm emissions and each firm's output for
/// next year's projections.
fn remember(
    cities: &Query<(&CityInfo, &CityState)>,
    firms: &mut Query<RegulatedFirm>,
    sc: &mut Scratch,
) {
    let n = cities.iter().len();
    if sc.seen.len() != n {
        sc.seen = vec![Seen::default(); n];
    }
    for (info, st) in cities {
        let v = &mut sc.seen[info.id as usize];
        v.gdp = (Some(st.gdp), v.gdp.0);
        v.non_firm = (Some(st.uncovered_other), v.non_firm.0);
    }
    for mut f in firms.iter_mut() {
        f.std.last_output = Some(f.prod.output);
    }
}

/// Clears every firm's standard for the year (keeping its base intensity and last shadow
/// price).
fn reset_standards(firms: &mut Query<RegulatedFirm>) {
    for mut f in firms.iter_mut() {
        let std = &mut *f.std;
        std.last_shadow = std.shadow;
        *std = Standard {
            base_intensity: std.base_intensity,
            last_shadow: std.last_shadow,
            last_output: std.last_output,
            limit: f64::INFINITY,
            ..Default::default()
        };
    }
}

/// Per city, as the city projects them for this year (it sizes standards before it knows
/// this year's outcome): the metric of everything the plan does not regulate (`other`:
/// non-firm and unregulated firms), of regulated firms at base intensities (`base`), and its
/// GDP (`gdp_proj`); plus the non-firm energy use this year (`energy`, for the energy cap).
/// Projections: GDP and non-firm emissions grow at last year's observed rate
/// ([`extrapolate`]); a firm's output is last year's times its sector's announced demand
/// growth; in the run's first year (nothing seen yet) this year's values. Marks regulated
/// firms and fixes base intensities in the plan's first year.
fn metric_sums(
    s: &crate::config::Scenario,
    plan: &PlanSpec,
    year: i32,
    cities: &Query<(&CityInfo, &CityState)>,
    firms: &mut Query<RegulatedFirm>,
    sc: &mut Scratch,
) {
    let n = s.geography.cities.len();
    let metric = plan.metric;
    let regulated = |sector: u16| plan.regulates[sector as usize];
    let ucf = s.macro_.uncovered_carbon_factor;
    for v in [
        &mut sc.other,
        &mut sc.base,
        &mut sc.cut,
        &mut sc.energy,
        &mut sc.gdp_proj,
    ] {
        v.clear();
        v.resize(n, 0.0);
    }
    for (info, st) in cities {
        let c = info.id as usize;
        let seen = sc.seen.get(c).copied().unwrap_or_default();
        let (gdp, non_firm) = match (seen.gdp.0, seen.non_firm.0) {
            (Some(g), Some(e)) => (extrapolate(g, seen.gdp.1), extrapolate(e, seen.non_firm.1)),
            _ => (st.gdp, st.uncovered_other),
        };
        sc.gdp_proj[c] = gdp;
        sc.other[c] = match metric {
            Metric::Energy => non_firm / ucf,
            Metric::Carbon => non_firm,
        };
        sc.energy[c] = st.uncovered_other / ucf;
    }
    sc.groups.clear();
    for mut f in firms.iter_mut() {
        let m = metric_of(metric, f.int);
        if year == plan.start_year || f.std.base_intensity == 0.0 {
            f.std.base_intensity = m;
        }
        let c = f.info.city as usize;
        let demand = &s.sectors[f.info.sector as usize].demand_index;
        let q = match f.std.last_output {
            Some(last) => {
                let (now, then) = (demand.at(year), demand.at(year - 1));
                last * if then > 0.0 { now / then } else { 1.0 }
            }
            None => f.prod.output,
        };
        if plan.enforce && regulated(f.info.sector) {
            f.std.regulated = true;
            sc.base[c] += q * f.std.base_intensity;
            sc.groups
                .push((f.info.city, f.info.sector, q, m, f.std.base_intensity));
        } else {
            sc.other[c] += q * m;
        }
    }
}

/// Each city's relative cut of its regulated firms' base intensities, sized so that the city
/// would meet its target if its projections came true (projected GDP, other emissions or
/// energy use and regulated output), at most `max_stringency`. The realised outcome differs
/// by the projection errors: a city can miss its target.
fn city_cuts(
    plan: &PlanSpec,
    plans: &PlanState,
    cities: &Query<(&CityInfo, &CityState)>,
    sc: &mut Scratch,
) {
    for (info, _) in cities {
        let c = info.id as usize;
        let target = match plan.metric {
            Metric::Energy => plans.target_energy[c],
            Metric::Carbon => plans.target_carbon[c],
        };
        sc.cut[c] = match target {
            Some(t) => relative_cut(
                t * sc.gdp_proj[c] / 1e6 - sc.other[c],
                sc.base[c],
                plan.max_stringency,
            ),
            None => 0.0,
        };
    }
}

/// Uniform-rate limits per (city, sector): the same total as the relative cut, sized on
/// base-year intensities.
fn uniform_rates(plan: &PlanSpec, sc: &mut Scratch) {
    sc.rates.clear();
    if plan.firm_standard != StandardKind::UniformRate {
        return;
    }
    sc.groups
        .sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(a.3.total_cmp(&b.3)));
    let mut i = 0;
    while i < sc.groups.len() {
        let key = (sc.groups[i].0, sc.groups[i].1);
        let j = i + sc.groups[i..]
            .iter()
            .take_while(|g| (g.0, g.1) == key)
            .count();
        let pairs: Vec<(f64, f64)> = sc.groups[i..j].iter().map(|g| (g.2, g.3)).collect();
        let total: f64 = sc.groups[i..j].iter().map(|g| g.2 * g.4).sum();
        let allowed = (1.0 - sc.cut[key.0 as usize]) * total;
        sc.rates.push((key, uniform_rate(&pairs, allowed)));
        i = j;
    }
}

/// What [`enforce_firm`] reads besides the firm.
struct Enforcement<'a> {
    s: &'a crate::config::Scenario,
    plan: &'a PlanSpec,
    year: i32,
    techs: &'a TechState,
    rates: &'a [((u32, u16), f64)],
    cuts: &'a [f64],
}

/// Sets a regulated firm's limit, orders the cheapest technology when it beats operational
/// abatement at the margin, abates operationally for the rest and records the gap and the
/// shadow price. Returns the firm's energy use after abatement, tce.
fn enforce_firm(ctx: &Enforcement<'_>, f: &mut RegulatedFirmItem<'_, '_>) -> f64 {
    let (plan, year) = (ctx.plan, ctx.year);
    let metric = plan.metric;
    let (city, sector_id) = (f.info.city, f.info.sector);
    f.std.limit = match &plan.fixed_rate[sector_id as usize] {
        Some(p) => p.at(year),
        None => match plan.firm_standard {
            StandardKind::Relative => f.std.base_intensity * (1.0 - ctx.cuts[city as usize]),
            StandardKind::UniformRate => ctx
                .rates
                .binary_search_by(|r| r.0.cmp(&(city, sector_id)))
                .map_or(f64::INFINITY, |k| ctx.rates[k].1),
        },
    };
    let int = *f.int;
    let q = f.prod.output;
    let slope = f.mac.slope(f.cap.base_output, q);
    let conv = match metric {
        Metric::Energy => int.carbon_factor,
        Metric::Carbon => 1.0,
    };
    let gap = q * (metric_of(metric, &int) - f.std.limit).max(0.0);
    // With a zero carbon factor under an energy metric, operational (CO2) abatement saves no
    // energy: its marginal cost per tce is infinite and the gap stays for technologies and
    // curtailment (forced_adoption compares against that).
    if gap > 0.0 {
        forced_adoption(ctx, f, slope, conv);
    }
    // Operational abatement for the rest (t CO2): a t CO2 abated saves a/cf tce.
    let need = gap * conv;
    let a = need.min(f.mac.max_share * f.flows.gross_emissions);
    let std = &mut *f.std;
    std.abatement = a;
    std.gap = if conv > 0.0 {
        (need - a).max(0.0) / conv
    } else {
        gap
    };
    if a > 0.0 {
        std.shadow = std.shadow.max(slope * a);
    }
    let flows = &mut *f.flows;
    flows.abatement = a;
    flows.emissions = flows.gross_emissions - a;
    flows.abatement_cost = Mac::cost(slope, a);
    flows.shadow_price = std.shadow;
    q * int.energy - a / int.carbon_factor.max(1e-12)
}

/// The marginal-cost ladder of forced adoption: against the intensity the firm will have
/// once the options it already ordered take effect ([`planned_intensity`]: nothing counts
/// twice), it orders, cheapest net cost per unit of metric reduction first, every technology
/// whose cost is below the marginal cost of closing what is left of the gap operationally
/// (`slope x remaining x conv^2`, CNY per unit of metric), until none is or the gap is closed.
/// An ordered option counts from its effect year (after the build lag): this year's gap is
/// closed operationally. The shadow price is the cost of the dearest rung ordered.
fn forced_adoption(
    ctx: &Enforcement<'_>,
    f: &mut RegulatedFirmItem<'_, '_>,
    slope: f64,
    conv: f64,
) {
    let (s, year) = (ctx.s, ctx.year);
    let metric = ctx.plan.metric;
    let fuel_price = s.sectors[f.info.sector as usize].fuel_price;
    let q = f.prod.output;
    let limit = f.std.limit;
    let mut planned = planned_intensity(f.int, &f.tech, &s.technologies, year + 1);
    loop {
        let remaining = q * (metric_of(metric, &planned) - limit).max(0.0);
        if remaining <= 0.0 || q <= 0.0 {
            break;
        }
        let op_marginal = if conv > 0.0 {
            slope * remaining * conv * conv
        } else {
            f64::INFINITY
        };
        let mut best: Option<(usize, f64, f64, f64)> = None;
        for (k, slot) in f.tech.slots.iter().enumerate() {
            let spec = &s.technologies[slot.tech as usize];
            if slot.adopted.is_some() || year < spec.available_from {
                continue;
            }
            let after = after_adoption(&planned, spec);
            let reduction = metric_of(metric, &planned) - metric_of(metric, &after);
            if reduction <= 0.0 {
                continue;
            }
            let unit = ctx.techs.capex[ctx.techs.at(spec.id, f.info.city)];
            let (upfront, annual) =
                option_cost(slot, spec, unit, f.prod.capacity, f.beh.hurdle_rate);
            let net = annual + spec.opex * q - fuel_price * q * (planned.energy - after.energy);
            // A rung reduces at most what is left of the gap: cost per unit actually needed.
            let per_unit = net / (q * reduction).min(remaining);
            if per_unit < op_marginal && best.is_none_or(|b| per_unit < b.1) {
                best = Some((k, per_unit, upfront, annual));
            }
        }
        let Some((k, per_unit, upfront, annual)) = best else {
            break;
        };
        let spec = &s.technologies[f.tech.slots[k].tech as usize];
        order(
            &mut f.tech,
            k,
            year,
            effect_year(year, spec, false),
            upfront,
            annual,
        );
        planned = after_adoption(&planned, spec);
        // In CNY per t CO2; a zero-carbon firm under an energy standard abates no CO2, and
        // its shadow carbon price is 0 (its energy shadow price is `per_unit`).
        let shadow = if conv > 0.0 { per_unit / conv } else { 0.0 };
        f.std.shadow = f.std.shadow.max(shadow);
    }
}

/// Curtails regulated firms' output where a city's energy use exceeds its cap.
fn curtail(
    s: &crate::config::Scenario,
    plan: &PlanSpec,
    plans: &PlanState,
    sc: &mut Scratch,
    firms: &mut Query<RegulatedFirm>,
) {
    if plans.cap.iter().all(Option::is_none) {
        return;
    }
    // Most intensive first within each city (ties by entity order for determinism).
    sc.curtail
        .sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut i = 0;
    while i < sc.curtail.len() {
        let city = sc.curtail[i].0 as usize;
        let j = i + sc.curtail[i..]
            .iter()
            .take_while(|x| x.0 as usize == city)
            .count();
        let excess = plans.cap[city].map_or(0.0, |cap| sc.energy[city] - cap);
        if excess > 0.0 {
            let regulated_energy: f64 = sc.curtail[i..j]
                .iter()
                .filter_map(|x| firms.get(x.2).ok().map(|f| f.prod.output * f.int.energy))
                .sum();
            let mut left = excess;
            for x in &sc.curtail[i..j] {
                if left <= 0.0 {
                    break;
                }
                let Ok(mut f) = firms.get_mut(x.2) else {
                    continue;
                };
                let cut_energy = curtail_firm(s, plan, &mut f, left, excess, regulated_energy);
                left -= cut_energy;
            }
        }
        i = j;
    }
}

/// Curtails one firm by the energy its order says (all of what is `left` when most intensive
/// first, its share of the `excess` when proportional); scales its flows and books the lost
/// value added. Returns the energy cut, tce.
fn curtail_firm(
    s: &crate::config::Scenario,
    plan: &PlanSpec,
    f: &mut RegulatedFirmItem<'_, '_>,
    left: f64,
    excess: f64,
    regulated_energy: f64,
) -> f64 {
    let int = *f.int;
    let prod = &mut *f.prod;
    let energy = prod.output * int.energy;
    let cut_energy = match plan.curtailment_order {
        CurtailmentOrder::MostIntensive => energy.min(left),
        CurtailmentOrder::Proportional => {
            if regulated_energy > 0.0 {
                energy * (excess / regulated_energy).min(1.0)
            } else {
                0.0
            }
        }
    };
    let dq = if int.energy > 0.0 {
        cut_energy / int.energy
    } else {
        0.0
    };
    let share = if prod.output > 0.0 {
        (prod.output - dq) / prod.output
    } else {
        0.0
    };
    let margin = (s.sectors[f.info.sector as usize].price - prod.variable_cost).max(0.0);
    prod.output -= dq;
    let flows = &mut *f.flows;
    let std = &mut *f.std;
    flows.gross_emissions *= share;
    std.abatement *= share;
    flows.abatement *= share;
    flows.emissions = flows.gross_emissions - flows.abatement;
    // a scales with the share and the MAC slope with 1/share: cost x share.
    flows.abatement_cost *= share;
    std.curtailed = dq;
    std.curtailment_cost = dq * margin;
    cut_energy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::firm::YearFlows;
    use crate::model::systems::{macroeconomy, policy, production};
    use crate::model::testing::{LINEAR_MAC, firms, run, world};

    #[test]
    fn a_fixed_rate_standard_is_met_by_operational_abatement_at_each_firms_own_cost() {
        // Limit 0.8 t CO2 per unit on firms of intensity 1 and output 100: each abates 20 t,
        // at cost s a^2 / 2 = 2,000, 4,000, 8,000 CNY and shadow price s a = 200, 400, 800.
        let plan = "plans=[{name = \"p\", start_year = 2020, end_year = 2022, metric = \"carbon\", enforce = true, fixed_rate = {widget = 0.8}}]";
        let mut w = world(LINEAR_MAC, &["markets=[]", plan]);
        run(&mut w, policy::update_regulators);
        run(&mut w, policy::assign_coverage);
        run(&mut w, update_plans);
        run(&mut w, macroeconomy::grow_cities);
        run(&mut w, production::produce);
        run(&mut w, enforce_standards);
        let flows = firms::<YearFlows>(&mut w);
        let std = firms::<Standard>(&mut w);
        for ((f, s), (cost, shadow)) in
            flows
                .iter()
                .zip(&std)
                .zip([(2000.0, 200.0), (4000.0, 400.0), (8000.0, 800.0)])
        {
            assert!(s.regulated && (s.limit - 0.8).abs() < 1e-12, "{s:?}");
            assert!((f.abatement - 20.0).abs() < 1e-9, "{f:?}");
            assert!((f.abatement_cost - cost).abs() < 1e-6);
            assert!((s.shadow - shadow).abs() < 1e-6);
            assert!(s.gap.abs() < 1e-9);
        }
    }
}
