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

/// One province's sums over its cities this year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct ProvinceSums {
    /// CO2, t.
    emissions: f64,
    /// Energy use, tce.
    energy_use: f64,
    /// GDP, million CNY.
    gdp_m: f64,
    /// Base-period carbon intensity weighted by current GDP, t CO2.
    base_carbon: f64,
    /// Base-period energy intensity weighted by current GDP, tce.
    base_energy: f64,
    /// One of its cities (whose province cut applies), city id.
    city: usize,
}

impl ProvinceSums {
    /// Whether the province meets its cuts (shares of its base intensities, None: no cut).
    fn meets(&self, cut_carbon: Option<f64>, cut_energy: Option<f64>) -> bool {
        let p = self;
        let ok_c = cut_carbon.is_none_or(|k| {
            p.emissions / p.gdp_m <= p.base_carbon / p.gdp_m * (1.0 - k) * (1.0 + TOLERANCE)
        });
        let ok_e = cut_energy.is_none_or(|k| {
            p.energy_use / p.gdp_m <= p.base_energy / p.gdp_m * (1.0 - k) * (1.0 + TOLERANCE)
        });
        ok_c && ok_e
    }
}

/// Computes city intensities and target attainment; remembers them for the next plan.
/// Steps: [`firm_energy`], [`city_intensities`], then at a plan's end the shares of cities
/// and of provinces ([`ProvinceSums::meets`]) meeting their targets.
pub fn assess_targets(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut plans: ResMut<PlanState>,
    mut energy: Local<Vec<f64>>,
    firms: Query<(&FirmInfo, &Production, &Intensity, &YearFlows)>,
    mut cities: Query<(&CityInfo, &mut CityState)>,
) {
    let s = &params.scenario;
    firm_energy(s.geography.cities.len(), &firms, &mut energy);
    let plans = &mut *plans;
    let (met, prov) = city_intensities(s, &energy, plans, &mut cities);
    let Some(pi) = plans.active else { return };
    let plan = &s.plans[pi];
    if clock.year != plan.end_year || met.1 == 0 {
        return;
    }
    plans.share_cities_met = Some(met.0 as f64 / met.1 as f64);
    let mut pm = (0usize, 0usize);
    for p in &prov {
        if p.gdp_m <= 0.0 {
            continue;
        }
        let cc = plans.cut_carbon.get(p.city).copied().flatten();
        let ce = plans.cut_energy.get(p.city).copied().flatten();
        if cc.is_none() && ce.is_none() {
            continue;
        }
        pm.1 += 1;
        pm.0 += usize::from(p.meets(cc, ce));
    }
    if pm.1 > 0 {
        plans.share_provinces_met = Some(pm.0 as f64 / pm.1 as f64);
    }
}

/// Firms' energy use per city: output x energy intensity less what operational abatement
/// saves, tce.
fn firm_energy(
    n: usize,
    firms: &Query<(&FirmInfo, &Production, &Intensity, &YearFlows)>,
    energy: &mut Vec<f64>,
) {
    energy.clear();
    energy.resize(n, 0.0);
    for (info, prod, int, flows) in firms {
        energy[info.city as usize] +=
            prod.output * int.energy - flows.abatement / int.carbon_factor.max(1e-12);
    }
}

/// Each city's carbon and energy intensity and whether it meets this year's targets
/// (remembered in `plans` for the next plan); returns (cities meeting, cities with a target)
/// and the province sums.
fn city_intensities(
    s: &crate::config::Scenario,
    energy: &[f64],
    plans: &mut PlanState,
    cities: &mut Query<(&CityInfo, &mut CityState)>,
) -> ((usize, usize), Vec<ProvinceSums>) {
    let n = s.geography.cities.len();
    let ucf = s.macro_.uncovered_carbon_factor;
    for v in [
        &mut plans.last_carbon,
        &mut plans.last_energy,
        &mut plans.last_energy_use,
    ] {
        v.resize(n, 0.0);
    }
    let mut prov = vec![ProvinceSums::default(); s.geography.provinces.len()];
    let mut met = (0usize, 0usize);
    for (info, mut st) in cities.iter_mut() {
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
        let p = &mut prov[info.province as usize];
        p.emissions += emissions;
        p.energy_use += st.energy_use;
        p.gdp_m += gdp_m;
        if plans.base_carbon.len() == n {
            // Base totals per unit of current GDP weights: intensities weighted by GDP.
            p.base_carbon += plans.base_carbon[c] * gdp_m;
            p.base_energy += plans.base_energy[c] * gdp_m;
        }
        p.city = c;
        plans.last_carbon[c] = st.carbon_intensity;
        plans.last_energy[c] = st.energy_intensity;
        plans.last_energy_use[c] = st.energy_use;
    }
    (met, prov)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_province_meets_its_cut_when_intensity_falls_by_the_cut() {
        // Base intensity 2 t per million CNY (GDP-weighted sum 200 over 100 million CNY).
        let p = ProvinceSums {
            emissions: 160.0,
            energy_use: 100.0,
            gdp_m: 100.0,
            base_carbon: 200.0,
            base_energy: 100.0,
            city: 0,
        };
        assert!(p.meets(Some(0.2), None), "1.6 <= 2 x 0.8");
        assert!(!p.meets(Some(0.25), None), "1.6 > 2 x 0.75");
        assert!(p.meets(Some(0.2), Some(0.0)));
        assert!(!p.meets(Some(0.2), Some(0.1)), "energy 1 > 1 x 0.9");
        assert!(p.meets(None, None));
    }
}
