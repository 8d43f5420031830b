//! Accounting phase, last step: target attainment. Each city's carbon intensity (t CO2 per
//! million CNY of GDP) and energy intensity (tce per million CNY; firms' energy use, less
//! what operational abatement saves, plus non-firm energy = non-firm CO2 / its carbon
//! factor) are compared with this year's plan targets. At the end of a plan the shares of
//! cities and provinces meeting their targets are recorded (provinces: sums over their
//! cities against the province cut).

use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::firm::{FirmInfo, Intensity, Production, YearFlows};
use crate::model::agents::plan::PlanState;
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Tolerance of target comparisons (relative).
const TOLERANCE: f64 = 1e-9;

/// Computes city intensities and target attainment; remembers them for the next plan.
pub fn assess_targets(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut plans: ResMut<PlanState>,
    mut energy: Local<Vec<f64>>,
    firms: Query<(&FirmInfo, &Production, &Intensity, &YearFlows)>,
    mut cities: Query<(&CityInfo, &mut CityState)>,
) {
    let s = &params.scenario;
    let n = s.geography.cities.len();
    let ucf = s.macro_.uncovered_carbon_factor;
    energy.clear();
    energy.resize(n, 0.0);
    for (info, prod, int, flows) in &firms {
        energy[info.city as usize] +=
            prod.output * int.energy - flows.abatement / int.carbon_factor.max(1e-12);
    }
    let plans = &mut *plans;
    for v in [
        &mut plans.last_carbon,
        &mut plans.last_energy,
        &mut plans.last_energy_use,
    ] {
        v.resize(n, 0.0);
    }
    let np = s.geography.provinces.len();
    // Per province: emissions, energy, GDP now, and base emissions/energy/GDP weights.
    let mut prov = vec![[0.0f64; 6]; np];
    let mut met = (0usize, 0usize);
    for (info, mut st) in &mut cities {
        let c = info.id as usize;
        let emissions = st.emissions_covered + st.emissions_uncovered_firms + st.uncovered_other;
        st.energy_use = energy[c] + st.uncovered_other / ucf;
        let gdp_m = st.gdp / 1e6;
        st.carbon_intensity = if gdp_m > 0.0 { emissions / gdp_m } else { 0.0 };
        st.energy_intensity = if gdp_m > 0.0 {
            st.energy_use / gdp_m
        } else {
            0.0
        };
        let tc = plans.target_carbon.get(c).copied().flatten();
        let te = plans.target_energy.get(c).copied().flatten();
        st.target_met = match (tc, te) {
            (None, None) => None,
            _ => Some(
                tc.is_none_or(|t| st.carbon_intensity <= t * (1.0 + TOLERANCE))
                    && te.is_none_or(|t| st.energy_intensity <= t * (1.0 + TOLERANCE)),
            ),
        };
        if let Some(m) = st.target_met {
            met.1 += 1;
            met.0 += usize::from(m);
        }
        let p = info.province as usize;
        prov[p][0] += emissions;
        prov[p][1] += st.energy_use;
        prov[p][2] += gdp_m;
        if plans.base_carbon.len() == n {
            // Base totals per unit of current GDP weights: intensities weighted by GDP.
            prov[p][3] += plans.base_carbon[c] * gdp_m;
            prov[p][4] += plans.base_energy[c] * gdp_m;
        }
        prov[p][5] = c as f64;
        plans.last_carbon[c] = st.carbon_intensity;
        plans.last_energy[c] = st.energy_intensity;
        plans.last_energy_use[c] = st.energy_use;
    }
    let Some(pi) = plans.active else { return };
    let plan = &s.plans[pi];
    if clock.year != plan.end_year || met.1 == 0 {
        return;
    }
    plans.share_cities_met = Some(met.0 as f64 / met.1 as f64);
    let mut pm = (0usize, 0usize);
    for p in &prov {
        let c = p[5] as usize;
        if p[2] <= 0.0 {
            continue;
        }
        let cc = plans.cut_carbon.get(c).copied().flatten();
        let ce = plans.cut_energy.get(c).copied().flatten();
        if cc.is_none() && ce.is_none() {
            continue;
        }
        let ok_c = cc.is_none_or(|k| p[0] / p[2] <= p[3] / p[2] * (1.0 - k) * (1.0 + TOLERANCE));
        let ok_e = ce.is_none_or(|k| p[1] / p[2] <= p[4] / p[2] * (1.0 - k) * (1.0 + TOLERANCE));
        pm.1 += 1;
        pm.0 += usize::from(ok_c && ok_e);
    }
    if pm.1 > 0 {
        plans.share_provinces_met = Some(pm.0 as f64 / pm.1 as f64);
    }
}
