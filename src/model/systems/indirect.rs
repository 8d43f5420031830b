//! Phase 6, allocation (first step), indirect emissions (MODEL.md section 7.22): once the
//! year's output is final (after production, investment and the standards), each firm's
//! purchased electricity is its output times its electricity intensity, and where its market
//! counts indirect emissions (`markets[].indirect`) they are that electricity at the factor
//! of the market's rule ([`crate::energy::indirect::counted_factor`]) from this year's
//! dispatch. Covered emissions (cap basis, bids, obligations) are direct plus these; national
//! and city totals stay direct (the power plants' emissions are counted there once).

use crate::energy::indirect::counted_factor;
use crate::model::agents::firm::{Coverage, FirmInfo, Intensity, Production, YearFlows};
use crate::model::agents::power::PowerState;
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Sets every firm's electricity use and counted indirect emissions for the year. A firm
/// that entered a market counting them this year has its grandfathering base (last year's
/// direct gross emissions) raised by last year's electricity at this year's factor.
pub fn count_indirect(
    params: Res<RunParams>,
    clock: Res<Clock>,
    state: Res<PowerState>,
    mut firms: Query<(
        &FirmInfo,
        &Production,
        &Intensity,
        &mut Coverage,
        &mut YearFlows,
    )>,
) {
    let s = &params.scenario;
    for (info, prod, int, mut cov, mut flows) in &mut firms {
        flows.electricity_mwh = prod.output * int.electricity;
        flows.indirect_emissions = 0.0;
        let Some(m) = cov.market else { continue };
        let f = firm_factor(s, m, info.city, state.year.as_ref());
        if f > 0.0 {
            flows.indirect_emissions = flows.electricity_mwh * f;
            if cov.entered == clock.year && cov.previous != cov.market {
                cov.base_emissions = cov.last_gross_emissions + cov.last_electricity_mwh * f;
            }
        }
    }
}

/// The factor at which market `m` counts the electricity of a firm in `city`, given a
/// dispatch (t CO2 per MWh).
pub fn firm_factor(
    s: &crate::config::Scenario,
    m: u16,
    city: u32,
    year: Option<&crate::energy::year::PowerYear>,
) -> f64 {
    let spec = &s.markets[m as usize];
    let g = &s.geography;
    let province = g.cities[city as usize].province as usize;
    let grid = g.provinces[province].grid as usize;
    counted_factor(spec.indirect, spec.indirect_factor, province, grid, year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::year::{PowerYear, ProvincePower};
    use crate::model::testing::{LINEAR_MAC, firms, run, world};

    /// LINEAR_MAC's three firms (100 units each) with 0.5 MWh per unit, in a market counting
    /// electricity at a fixed 0.6 t per MWh: 50 MWh and 30 t each.
    #[test]
    fn a_fixed_factor_counts_every_covered_firms_electricity() {
        let set = [
            "sectors.widget.electricity_intensity=0.5",
            "markets[0].indirect=\"fixed\"",
            "markets[0].indirect_factor=0.6",
        ];
        let mut w = world(LINEAR_MAC, &set);
        crate::model::testing::through_production(&mut w);
        run(&mut w, count_indirect);
        for (p, f) in firms::<Production>(&mut w)
            .iter()
            .zip(firms::<YearFlows>(&mut w))
        {
            assert!((f.electricity_mwh - 0.5 * p.output).abs() < 1e-9, "{f:?}");
            assert!((f.indirect_emissions - 0.6 * f.electricity_mwh).abs() < 1e-9);
            assert!(f.indirect_emissions > 0.0);
        }
    }

    #[test]
    fn a_market_without_indirect_rule_counts_electricity_but_no_emissions() {
        let mut w = world(LINEAR_MAC, &["sectors.widget.electricity_intensity=0.5"]);
        crate::model::testing::through_production(&mut w);
        // A dispatch whose grid factor would count if the rule asked for it.
        w.resource_mut::<PowerState>().year = Some(PowerYear {
            provinces: vec![ProvincePower::default(); 40],
            grid_factor: vec![Some(0.9); 8],
            ..Default::default()
        });
        run(&mut w, count_indirect);
        for f in firms::<YearFlows>(&mut w) {
            assert!(f.electricity_mwh > 0.0);
            assert_eq!(f.indirect_emissions, 0.0);
        }
    }

    /// The LINEAR_MAC case (three firms of 100 t with MAC slopes 10, 20, 40 against a cap of
    /// 230 t) with 0.5 MWh per unit counted at 0.6 t per MWh: each firm's covered emissions
    /// are 130 t, so 390 - 230 = 160 t must be abated, all of it direct: p = 160 / (1/10 +
    /// 1/20 + 1/40) = 914.29 CNY/t; abatement p / s = 91.43, 45.71, 22.86 t.
    #[test]
    fn counted_indirect_emissions_raise_the_obligation_and_abatement_stays_direct() {
        use crate::model::agents::regulator::Regulator;
        use crate::model::systems::compliance::comply;
        let set = [
            "sectors.widget.electricity_intensity=0.5",
            "markets[0].indirect=\"fixed\"",
            "markets[0].indirect_factor=0.6",
        ];
        let mut w = world(LINEAR_MAC, &set);
        crate::model::testing::through_clearing(&mut w);
        run(&mut w, comply);
        let r = w.query::<&Regulator>().single(&w).unwrap().clone();
        let p = 160.0 / 0.175;
        assert!((r.year.price - p).abs() < 1e-6, "{:?}", r.year);
        let acc = firms::<crate::model::agents::firm::Account>(&mut w);
        for ((f, slope), a) in firms::<YearFlows>(&mut w)
            .iter()
            .zip([10.0, 20.0, 40.0])
            .zip(&acc)
        {
            assert!((f.abatement - p / slope).abs() < 1e-6, "{f:?}");
            assert!((f.emissions - (100.0 - p / slope)).abs() < 1e-6);
            assert!((f.indirect_emissions - 30.0).abs() < 1e-9);
            // It surrenders for direct and indirect emissions alike.
            assert!((a.surrendered - (f.emissions + 30.0)).abs() < 1e-6, "{a:?}");
            assert_eq!(a.shortfall, 0.0);
        }
        // With a cap of 50 t the 340 t to abate exceed the 300 t of direct emissions: every
        // firm abates all of its direct emissions and none of its indirect ones.
        let mut set = set.to_vec();
        set.push("markets[0].cap_t=50");
        let mut w = world(LINEAR_MAC, &set);
        crate::model::testing::through_clearing(&mut w);
        for f in firms::<YearFlows>(&mut w) {
            assert!((f.abatement - 100.0).abs() < 1e-6, "{f:?}");
        }
    }
}
