//! Technology adoption, shared by voluntary investment (Phase 5,
//! [`crate::model::systems::investment`]) and forced adoption under an administrative
//! standard (Phase 7, [`crate::model::systems::administrative`]): what an option costs a
//! firm ([`option_cost`]), what it does to its intensities ([`after_adoption`]), when its
//! effect starts ([`effect_year`]) and how an order is booked ([`order`]).
//!
//! The build lag, settled once: an option ordered in year `t` with build lag `L` takes effect
//! in the first investment phase at or after `t + L` that has not run yet. Investment orders
//! before its own installation step, so `L = 0` takes effect the same year; forced adoption
//! orders in the market phase, after this year's installation, so its option takes effect
//! in `t + max(L, 1)` at the earliest.

use crate::config::TechSpec;
use crate::econ::finance::crf;
use crate::model::agents::firm::{Intensity, TechSlot, Technologies};

/// Upfront and annualised capex of an option, CNY and CNY per year: `upfront = capex(t, city)
/// x m x capacity` (m the firm's capex multiplier, capacity in units per year) and
/// `annual = upfront x CRF(hurdle rate, lifetime)`.
pub fn option_cost(
    slot: &TechSlot,
    spec: &TechSpec,
    unit_capex: f64,
    capacity: f64,
    hurdle_rate: f64,
) -> (f64, f64) {
    let upfront = unit_capex * slot.capex_multiplier * capacity;
    (
        upfront,
        upfront * crf(hurdle_rate, f64::from(spec.lifetime)),
    )
}

/// The firm's intensities once `spec` is installed (energy and carbon factors multiply; its
/// electricity adds, never below 0).
pub fn after_adoption(int: &Intensity, spec: &TechSpec) -> Intensity {
    Intensity {
        energy: int.energy * spec.energy_factor,
        carbon_factor: int.carbon_factor * spec.carbon_factor,
        electricity: (int.electricity + spec.electricity_added).max(0.0),
        ..*int
    }
}

/// The intensities a firm will have once every option it has ordered whose effect starts in
/// `from` or later takes effect (options ordered in earlier years still in their build lag,
/// or chosen earlier in the same phase): what a new option is valued against, so that no
/// reduction is counted twice.
pub fn planned_intensity(
    int: &Intensity,
    tech: &Technologies,
    techs: &[TechSpec],
    from: i32,
) -> Intensity {
    tech.slots
        .iter()
        .filter(|slot| slot.adopted.is_some() && slot.effective >= from)
        .fold(*int, |acc, slot| {
            after_adoption(&acc, &techs[slot.tech as usize])
        })
}

/// First year in which an option ordered in `year` takes effect (see the module docs):
/// `installed_this_year` says whether this year's installation step is still to run.
pub fn effect_year(year: i32, spec: &TechSpec, installed_this_year: bool) -> i32 {
    let lag = spec.build_lag as i32;
    if installed_this_year {
        year + lag
    } else {
        year + lag.max(1)
    }
}

/// Books the order of slot `k`: decided in `year`, effective in `effective`, annualised capex
/// `annual` charged from then for the lifetime, `upfront` added to this year's committed
/// capex.
pub fn order(
    tech: &mut Technologies,
    k: usize,
    year: i32,
    effective: i32,
    upfront: f64,
    annual: f64,
) {
    let slot = &mut tech.slots[k];
    slot.adopted = Some(year);
    slot.effective = effective;
    slot.annual_capex = annual;
    tech.new_tech = Some(slot.tech);
    tech.committed += upfront;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(lag: u32) -> TechSpec {
        let s = crate::config::load_embedded_default(&[]).unwrap();
        let mut t = s.technologies[0].clone();
        t.build_lag = lag;
        t.lifetime = 10;
        t.energy_factor = 0.9;
        t.carbon_factor = 0.5;
        t.electricity_added = 0.25;
        t
    }

    #[test]
    fn costs_intensities_lags_and_orders_by_hand() {
        let t = spec(0);
        let slot = TechSlot {
            tech: 3,
            capex_multiplier: 1.5,
            ..Default::default()
        };
        let (up, annual) = option_cost(&slot, &t, 200.0, 10.0, 0.1);
        assert_eq!(up, 3000.0);
        // CRF(10 %, 10 years) = 0.1 / (1 - 1.1^-10) = 0.162745...
        assert!((annual - 3000.0 * 0.162_745_394).abs() < 1e-5, "{annual}");
        let int = Intensity::at_build(2.0, 3.0, 0.5);
        let a = after_adoption(&int, &t);
        assert!((a.energy - 1.8).abs() < 1e-12 && (a.carbon_factor - 1.5).abs() < 1e-12);
        // The technology adds 0.25 MWh per unit to the firm's 0.5; one saving 0.7 leaves 0.
        assert!((a.electricity - 0.75).abs() < 1e-12, "{a:?}");
        assert!((a.electricity_added() - 0.25).abs() < 1e-12);
        let saver = TechSpec {
            electricity_added: -0.7,
            ..t.clone()
        };
        assert_eq!(after_adoption(&int, &saver).electricity, 0.0);
        assert_eq!(a.initial_emission, 6.0);
        assert_eq!(effect_year(2030, &t, true), 2030);
        assert_eq!(effect_year(2030, &t, false), 2031);
        assert_eq!(effect_year(2030, &spec(3), false), 2033);
        assert_eq!(effect_year(2030, &spec(3), true), 2033);
        let mut tech = Technologies {
            slots: vec![TechSlot::default(), slot],
            ..Default::default()
        };
        order(&mut tech, 1, 2030, 2031, up, annual);
        assert_eq!(tech.slots[1].adopted, Some(2030));
        assert_eq!(tech.slots[1].effective, 2031);
        assert_eq!(tech.new_tech, Some(3));
        assert_eq!(tech.committed, 3000.0);
        assert_eq!(tech.slots[1].annual_capex, annual);
    }
}
