//! Phase 5, abatement investment (MODEL.md section 3, step 5). Each firm values the
//! technologies it is aware of and has not adopted:
//! `V = E[p] q (e - e') + fuel_price q (h - h') - opex q` (CNY per year; e emission and h
//! energy intensity before and after), against the annualised cost
//! `capex(t, city) x m x capacity x CRF(r, lifetime)`. It adopts the option with the largest
//! positive `V - cost` (at most `max_new_per_year`; with `economic_filter = false` it adopts
//! whatever it is aware of). The effect (intensities multiplied by the technology's factors)
//! starts `build_lag` years later; the annualised capex is charged from then for the
//! lifetime. Under an administrative standard the firm values reductions at its own last
//! shadow price when that is above the market expectation (see the expectations phase), so
//! the avoided compliance cost enters V through `E[p]`; [`standard_value`] is the hook for a
//! separate term and is zero. Where a market recycles revenue into a technology fund, firms
//! expect last year's payout rate as a capex subsidy.

use crate::config::TechSpec;
use crate::econ::finance::crf;
use crate::model::agents::firm::{
    Behaviour, Expectation, FirmInfo, Intensity, Production, TechSlot, Technologies, YearFlows,
};
use crate::model::agents::technology::TechState;
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Extra value of a technology in meeting an administrative standard, CNY per year: zero,
/// because the standard's shadow price already enters the firm's planning price.
pub fn standard_value(_slot: &TechSlot, _spec: &TechSpec) -> f64 {
    0.0
}

/// Annual value of `spec` for a firm, CNY per year.
pub fn annual_value(
    spec: &TechSpec,
    int: &Intensity,
    output: f64,
    expected_price: f64,
    fuel_price: f64,
) -> f64 {
    let h = int.energy;
    let e = int.emission();
    let h2 = h * spec.raw.energy_factor;
    let e2 = h2 * int.carbon_factor * spec.raw.carbon_factor;
    expected_price * output * (e - e2) + fuel_price * output * (h - h2) - spec.raw.opex * output
}

/// Decides adoptions, installs what comes due, charges investment costs.
#[allow(clippy::type_complexity)]
pub fn invest(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut state: ResMut<TechState>,
    regs: Query<&crate::model::agents::regulator::Regulator>,
    mut firms: Query<(
        &FirmInfo,
        &crate::model::agents::firm::Coverage,
        &Production,
        &Behaviour,
        &Expectation,
        &mut Intensity,
        &mut Technologies,
        &mut YearFlows,
    )>,
) {
    let s = &params.scenario;
    let mut payout = vec![0.0; s.markets.len()];
    for r in &regs {
        payout[r.market as usize] = r.payout_rate;
    }
    let year = clock.year;
    let inv = &s.raw.investment;
    for (info, cov, prod, beh, exp, mut int, mut tech, mut flows) in &mut firms {
        tech.cost = 0.0;
        tech.committed = 0.0;
        tech.new_tech = None;
        if tech.slots.is_empty() {
            continue;
        }
        let sector = &s.sectors[info.sector as usize].raw;
        let price = exp.price;
        for _ in 0..inv.max_new_per_year {
            let mut best: Option<(usize, f64, f64, f64)> = None;
            for (k, slot) in tech.slots.iter().enumerate() {
                let spec = &s.technologies[slot.tech as usize];
                if year < spec.raw.available_from || !slot.aware || slot.adopted.is_some() {
                    continue;
                }
                let unit = state.capex[state.at(spec.id, info.city)] * slot.capex_multiplier;
                let upfront = unit * prod.capacity;
                // The subsidy the firm expects lowers its own share of the capex.
                let subsidy = cov.market.map_or(0.0, |m| payout[m as usize]);
                let annual = upfront * crf(beh.hurdle_rate, f64::from(spec.raw.lifetime));
                let firm_share = annual * (1.0 - subsidy);
                let net = annual_value(spec, &int, prod.output, price, sector.fuel_price)
                    + standard_value(slot, spec)
                    - firm_share;
                if let Some(b) = inv.budget_share_of_revenue
                    && upfront > b * sector.price * prod.output
                {
                    continue;
                }
                let better = best.is_none_or(|(_, n, _, _)| net > n);
                if (!inv.economic_filter || net > 0.0) && better {
                    best = Some((k, net, upfront, annual));
                    if !inv.economic_filter {
                        break;
                    }
                }
            }
            let Some((k, _, upfront, annual)) = best else {
                break;
            };
            let lag = s.technologies[tech.slots[k].tech as usize].raw.build_lag as i32;
            let slot = &mut tech.slots[k];
            slot.adopted = Some(year);
            slot.effective = year + lag;
            slot.annual_capex = annual;
            tech.new_tech = Some(slot.tech);
            tech.committed += upfront;
        }
        let mut cost = 0.0;
        let mut installed = 0;
        for slot in &tech.slots {
            if slot.adopted.is_none() || slot.effective > year {
                continue;
            }
            let spec = &s.technologies[slot.tech as usize];
            if slot.effective == year {
                int.energy *= spec.raw.energy_factor;
                int.carbon_factor *= spec.raw.carbon_factor;
                let i = state.at(spec.id, info.city);
                state.adopters[i] += 1;
                state.cum_capacity[i] += prod.capacity;
            }
            installed += 1;
            if year < slot.effective + spec.raw.lifetime as i32 {
                cost += slot.annual_capex;
            }
            cost += spec.raw.opex * prod.output;
        }
        tech.cost = cost;
        tech.installed = installed;
        flows.gross_emissions = int.emission() * prod.output;
    }
}
