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
//! expect last year's payout rate as a capex subsidy. A firm that looks ahead (a market
//! covering its sector has `announced` or `foresight` expectations, MODEL.md 7.19) values
//! each option at the levelised price of its expected price path over the option's lifetime
//! from its effect year, discounted at its hurdle rate ([`levelised`]), instead of this
//! year's expectation held flat.

use crate::config::Scenario;
use crate::config::TechSpec;
use crate::econ::expectations::levelised;
use crate::model::adoption::{after_adoption, effect_year, option_cost, order, planned_intensity};
use crate::model::agents::firm::{Intensity, TechSlot, Technologies};
use crate::model::agents::outlook::Outlook;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::technology::TechState;
use crate::model::agents::{Clock, RunParams};
use crate::model::queries::{InvestingFirm, InvestingFirmItem};
use crate::model::systems::expectations::{expected_path, looks_ahead};
use bevy_ecs::prelude::*;

/// Extra value of a technology in meeting an administrative standard, CNY per year: zero,
/// because the standard's shadow price already enters the firm's planning price.
pub fn standard_value(_slot: &TechSlot, _spec: &TechSpec) -> f64 {
    0.0
}

/// Annual value of `spec` for a firm, CNY per year: the carbon it saves at
/// `expected_price` (direct emissions, less the indirect emissions of the electricity it adds
/// at `indirect_factor`, t CO2 per MWh, where the firm's market counts them; of the direct
/// ones the share `direct_share` its market counts, 1 downstream), the fuel it saves at
/// `fuel_price`, less its opex.
pub fn annual_value(
    spec: &TechSpec,
    int: &Intensity,
    output: f64,
    expected_price: f64,
    fuel_price: f64,
    (indirect_factor, direct_share): (f64, f64),
) -> f64 {
    let h = int.energy;
    let e = int.emission();
    let h2 = h * spec.energy_factor;
    let e2 = h2 * int.carbon_factor * spec.carbon_factor;
    let added = crate::model::adoption::after_adoption(int, spec).electricity - int.electricity;
    let indirect = indirect_factor * added;
    let saved = if direct_share == 1.0 {
        e - e2
    } else {
        direct_share * (e - e2)
    };
    expected_price * output * (saved - indirect) + fuel_price * output * (h - h2)
        - spec.opex * output
}

/// Decides adoptions, installs what comes due, charges investment costs.
pub fn invest(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut state: ResMut<TechState>,
    outlook: Res<Outlook>,
    mut path: Local<Vec<f64>>,
    regs: Query<&Regulator>,
    mut firms: Query<InvestingFirm>,
) {
    let s = &params.scenario;
    let ahead: Vec<bool> = (0..s.sectors.len()).map(|k| looks_ahead(s, k)).collect();
    let mut payout = vec![0.0; s.markets.len()];
    for r in &regs {
        payout[r.market as usize] = r.payout_rate;
    }
    let year = clock.year;
    for mut f in &mut firms {
        f.tech.cost = 0.0;
        f.tech.committed = 0.0;
        f.tech.new_tech = None;
        if f.tech.slots.is_empty() {
            continue;
        }
        retire(s, &mut state, &mut f, year);
        // The subsidy the firm expects lowers its own share of the capex.
        let subsidy = f.cov.market.map_or(0.0, |m| payout[m as usize]);
        let sector = f.info.sector as usize;
        let plans_ahead = ahead[sector]
            && f.tech
                .slots
                .iter()
                .any(|sl| sl.aware && sl.adopted.is_none());
        if plans_ahead {
            let who = (sector, f.info.city, f.cov.last_gross_emissions);
            expected_path(
                s,
                &outlook,
                who,
                f.cov.market,
                f.exp.market,
                year,
                &mut path,
            );
        }
        let firm = Decider {
            city: f.info.city,
            sector: f.info.sector as usize,
            int: &f.int,
            output: f.prod.output,
            capacity: f.prod.capacity,
            hurdle_rate: f.beh.hurdle_rate,
            price: f.exp.price,
            path: plans_ahead.then_some(path.as_slice()),
            shadow: if f.std.regulated { f.std.shadow } else { 0.0 },
            indirect_factor: f.cov.indirect_factor,
            direct_share: f.cov.direct_share,
        };
        decide(s, &state, &firm, subsidy, year, &mut f.tech);
        install(s, &mut state, &mut f, year);
    }
}

/// The firm attributes the adoption decision reads.
pub struct Decider<'a> {
    /// City id.
    pub city: u32,
    /// Sector id.
    pub sector: usize,
    /// Intensities now.
    pub int: &'a Intensity,
    /// Output this year, units.
    pub output: f64,
    /// Capacity this year, units per year.
    pub capacity: f64,
    /// Hurdle rate, share per year.
    pub hurdle_rate: f64,
    /// Planning carbon price, CNY per t.
    pub price: f64,
    /// Expected carbon price path from this year (index 0) when the firm looks ahead, CNY
    /// per t; None: it plans with `price` held flat.
    pub path: Option<&'a [f64]>,
    /// Last year's shadow price of its administrative standard (0 if none), CNY per t.
    pub shadow: f64,
    /// Emission factor at which its market counts its purchased electricity
    /// ([`crate::model::agents::firm::Coverage::indirect_factor`]), t CO2 per MWh.
    pub indirect_factor: f64,
    /// Share of its direct emissions its market counts
    /// ([`crate::model::agents::firm::Coverage::direct_share`]).
    pub direct_share: f64,
}

impl Decider<'_> {
    /// The carbon price an option taking effect in `effective` and lasting `lifetime` years
    /// is valued at, CNY per t: `price`, or for a firm that looks ahead the levelised price
    /// of its path over the option's life (at least its standard's shadow price).
    pub fn planning_price(&self, year: i32, effective: i32, lifetime: u32) -> f64 {
        match self.path {
            None => self.price,
            Some(path) => {
                let first = (effective - year).max(0) as usize;
                levelised(path, first, lifetime, self.hurdle_rate).max(self.shadow)
            }
        }
    }
}

/// Orders up to `max_new_per_year` options, each time the aware, available, not yet adopted
/// one with the largest positive net annual value (any aware one without the economic
/// filter), skipping options whose upfront capex exceeds the budget share of revenue. Each is
/// valued against the firm's planned intensity ([`planned_intensity`]): its intensity once the
/// options it has already ordered take effect.
pub fn decide(
    s: &Scenario,
    state: &TechState,
    firm: &Decider<'_>,
    subsidy: f64,
    year: i32,
    tech: &mut Technologies,
) {
    let inv = &s.investment;
    let sector = &s.sectors[firm.sector];
    for _ in 0..inv.max_new_per_year {
        // Valued against the intensity after the options already ordered (this year's
        // installation step has not run: options effective this year are pending too).
        let planned = planned_intensity(firm.int, tech, &s.technologies, year);
        let mut best: Option<(usize, f64, f64, f64)> = None;
        for (k, slot) in tech.slots.iter().enumerate() {
            let spec = &s.technologies[slot.tech as usize];
            if year < spec.available_from || !slot.aware || slot.adopted.is_some() {
                continue;
            }
            let unit = state.capex[state.at(spec.id, firm.city)];
            let (upfront, annual) = option_cost(slot, spec, unit, firm.capacity, firm.hurdle_rate);
            let firm_share = annual * (1.0 - subsidy);
            let price = firm.planning_price(year, effect_year(year, spec, true), spec.lifetime);
            let net = annual_value(
                spec,
                &planned,
                firm.output,
                price,
                sector.fuel_price,
                (firm.indirect_factor, firm.direct_share),
            ) + standard_value(slot, spec)
                - firm_share;
            if let Some(b) = inv.budget_share_of_revenue
                && upfront > b * sector.price * firm.output
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
        let spec = &s.technologies[tech.slots[k].tech as usize];
        order(
            tech,
            k,
            year,
            effect_year(year, spec, true),
            upfront,
            annual,
        );
    }
}

/// Retires the options whose lifetime ended with last year (effect from `effective` for
/// `lifetime` years): the slot is free again (the firm may renew it by the same rule, at the
/// then-current capex, in this year's decision), the city loses an adopter and the firm's
/// intensities are rebuilt from its build values and the options still installed.
fn retire(s: &Scenario, state: &mut TechState, f: &mut InvestingFirmItem<'_, '_>, year: i32) {
    let mut retired = false;
    for slot in f.tech.slots.iter_mut() {
        let Some(_) = slot.adopted else { continue };
        let spec = &s.technologies[slot.tech as usize];
        if year >= slot.effective + spec.lifetime as i32 {
            slot.adopted = None;
            slot.annual_capex = 0.0;
            let i = state.at(spec.id, f.info.city);
            state.adopters[i] = state.adopters[i].saturating_sub(1);
            retired = true;
        }
    }
    if retired {
        let int = &mut *f.int;
        let mut rebuilt = Intensity {
            energy: int.initial_energy,
            carbon_factor: int.initial_carbon_factor,
            electricity: int.initial_electricity,
            ..*int
        };
        for slot in &f.tech.slots {
            if slot.adopted.is_some() && slot.effective < year {
                rebuilt = after_adoption(&rebuilt, &s.technologies[slot.tech as usize]);
            }
        }
        *int = rebuilt;
    }
}

/// Installs the options whose effect starts this year (intensities, adopter counts,
/// installed capacity) and charges the year's investment cost: annualised capex within the
/// lifetime plus opex x output of every installed option.
fn install(s: &Scenario, state: &mut TechState, f: &mut InvestingFirmItem<'_, '_>, year: i32) {
    let mut cost = 0.0;
    let mut installed = 0;
    let output = f.prod.output;
    for slot in &f.tech.slots {
        if slot.adopted.is_none() || slot.effective > year {
            continue;
        }
        let spec = &s.technologies[slot.tech as usize];
        if slot.effective == year {
            *f.int = after_adoption(&f.int, spec);
            let i = state.at(spec.id, f.info.city);
            state.adopters[i] += 1;
            state.cum_capacity[i] += f.prod.capacity;
        }
        installed += 1;
        if year < slot.effective + spec.lifetime as i32 {
            cost += slot.annual_capex;
        }
        cost += spec.opex * output;
    }
    f.tech.cost = cost;
    f.tech.installed = installed;
    f.flows.gross_emissions = f.int.emission() * output;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::firm::{Intensity, Technologies};
    use crate::model::testing::{firms, run, world};

    const ADOPTION: &str = include_str!("../../../configs/validation/adoption.toml");

    fn aware(w: &mut World) {
        let mut q = w.query::<&mut Technologies>();
        for mut t in q.iter_mut(w) {
            for s in t.slots.iter_mut() {
                s.aware = true;
            }
        }
    }

    #[test]
    fn under_foresight_a_rising_expected_price_path_makes_an_option_pay() {
        // Capex 620: fuel savings alone lose CNY 651 a year (see below). A tax market at 0
        // this year; the firm saves 0.2 tce x 2 t/tce x 100 units = 40 t a year. Adaptive: it
        // expects 0 for ever and does not adopt. Foresight with the path 0, 50, 50, ...: the
        // levelised price over 10 years at 10 % is 50 x (1 - 1 / sum_k 1.1^-k) = 42.6 CNY/t,
        // worth CNY 1,704 a year: it adopts.
        let market = |mode: &str| {
            format!(
                "markets=[{{name = \"m\", kind = \"national\", start_year = 2020, \
                 sectors = {{widget = 2020}}, allocation = \"tax\", tax = 0, \
                 expectations = \"{mode}\"}}]"
            )
        };
        for (mode, adopted) in [("adaptive", false), ("foresight", true)] {
            let mut w = world(ADOPTION, &["technologies[0].capex=620", &market(mode)]);
            w.resource_mut::<Outlook>().foresight = vec![vec![0.0, 50.0, 50.0, 50.0, 50.0, 50.0]];
            run(&mut w, crate::model::systems::policy::update_regulators);
            run(&mut w, crate::model::systems::policy::assign_coverage);
            run(
                &mut w,
                crate::model::systems::expectations::update_expectations,
            );
            run(&mut w, crate::model::systems::production::produce);
            aware(&mut w);
            run(&mut w, invest);
            let t = firms::<Technologies>(&mut w).remove(0);
            assert_eq!(t.slots[0].adopted.is_some(), adopted, "{mode}");
        }
        let sum: f64 = (0..10).map(|k| 1.1f64.powi(-k)).sum();
        assert!((50.0 * (1.0 - 1.0 / sum) - 42.6).abs() < 0.05);
    }

    #[test]
    fn a_firm_that_looks_ahead_values_an_option_at_the_levelised_expected_price() {
        // Path 0, 100, 100, ... from this year; an option effective next year over 2 years at
        // 10 %: (100 + 100 / 1.1) / (1 + 1 / 1.1) = 100. Effective this year: (0 + 100 / 1.1)
        // / (1 + 1 / 1.1) = 47.62. A shadow price of 60 raises the latter to 60; without a
        // path the flat planning price is used.
        let int = Intensity::at_build(1.0, 1.0, 0.0);
        let path = [0.0, 100.0, 100.0];
        let mut d = Decider {
            city: 0,
            sector: 0,
            int: &int,
            output: 1.0,
            capacity: 1.0,
            hurdle_rate: 0.1,
            price: 30.0,
            path: Some(&path),
            shadow: 0.0,
            indirect_factor: 0.0,
            direct_share: 1.0,
        };
        assert!((d.planning_price(2030, 2031, 2) - 100.0).abs() < 1e-9);
        let now = (100.0 / 1.1) / (1.0 + 1.0 / 1.1);
        assert!((d.planning_price(2030, 2030, 2) - now).abs() < 1e-9);
        d.shadow = 60.0;
        assert_eq!(d.planning_price(2030, 2030, 2), 60.0);
        d.path = None;
        assert_eq!(d.planning_price(2030, 2031, 2), 30.0);
    }

    #[test]
    fn an_option_is_adopted_when_its_fuel_savings_beat_its_annualised_capex() {
        // Efficiency (energy x 0.8) saves 0.2 tce x 100 units x CNY 1,000 = CNY 20,000 a year;
        // capex 600 x 200 units of capacity x CRF(10 %, 10) = 0.16275 is CNY 19,529: adopted,
        // in effect the same year (no build lag). At capex 620 (CNY 20,180) it is not.
        for (capex, adopted) in [("600", true), ("620", false)] {
            let mut w = world(ADOPTION, &[&format!("technologies[0].capex={capex}")]);
            run(&mut w, crate::model::systems::production::produce);
            aware(&mut w);
            run(&mut w, invest);
            let t = firms::<Technologies>(&mut w).remove(0);
            let int = firms::<Intensity>(&mut w).remove(0);
            assert_eq!(t.slots[0].adopted.is_some(), adopted, "capex {capex}");
            let energy = if adopted { 0.8 } else { 1.0 };
            assert!((int.energy - energy).abs() < 1e-12);
            if adopted {
                let annual = 600.0 * 200.0 * 0.1 / (1.0 - 1.1f64.powi(-10));
                assert!((t.cost - annual).abs() < 1e-6, "investment cost {}", t.cost);
                assert!((t.committed - 120_000.0).abs() < 1e-6);
            }
        }
    }
}
