//! Accounting phase, first step: revenue recycling (MODEL.md section 4.2). Each market's
//! auction, reserve and tax revenue goes, by its `recycling` rule, to the centre, to the
//! market's cities by population, by GDP or by the abatement their covered firms achieved
//! (below their counterfactual), or into a technology fund that pays a share of the market's
//! firms' capex committed this year (as much as the fund holds; firms expect last year's
//! payout rate when they decide). Money is conserved: revenue = paid out + change in fund.

use crate::config::kinds::Recycling;
use crate::model::agents::RunParams;
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::firm::{Coverage, FirmInfo, Technologies, YearFlows};
use crate::model::agents::regulator::Regulator;
use crate::model::agents::totals::Receipts;
use bevy_ecs::prelude::*;

/// Scratch, reused across years.
#[derive(Default)]
pub struct Scratch {
    weights: Vec<f64>,
    committed: Vec<f64>,
    abatement: Vec<f64>,
}

/// Distributes each market's revenue.
#[allow(clippy::type_complexity)]
pub fn recycle_revenue(
    params: Res<RunParams>,
    mut scratch: Local<Scratch>,
    mut receipts: ResMut<Receipts>,
    mut regs: Query<&mut Regulator>,
    cities: Query<(&CityInfo, &CityState)>,
    mut firms: Query<(&FirmInfo, &Coverage, &YearFlows, &mut Technologies)>,
) {
    let s = &params.scenario;
    let sc = &mut *scratch;
    let n = s.geography.cities.len();
    let nm = s.markets.len();
    receipts.0.clear();
    receipts.0.resize(n, 0.0);
    sc.committed.clear();
    sc.committed.resize(nm, 0.0);
    sc.abatement.clear();
    sc.abatement.resize(nm * n, 0.0);
    for (info, cov, flows, mut tech) in &mut firms {
        tech.subsidy = 0.0;
        if let Some(m) = cov.market {
            sc.committed[m as usize] += tech.committed;
            sc.abatement[m as usize * n + info.city as usize] +=
                (flows.counterfactual_emissions - flows.emissions).max(0.0);
        }
    }
    let mut rates = vec![0.0; nm];
    for mut r in &mut regs {
        let m = r.market as usize;
        let y = r.year;
        let revenue = if r.active {
            (r.book.auctioned - y.withheld + y.reserve_sales) * y.price
        } else {
            0.0
        };
        r.year.revenue = revenue;
        let spec = &s.markets[m];
        let abatement = &sc.abatement;
        let weight_of = |info: &CityInfo, st: &CityState| -> f64 {
            if !spec.cities[info.id as usize] {
                return 0.0;
            }
            match spec.recycling {
                Recycling::Population => st.population,
                Recycling::Gdp => st.gdp,
                Recycling::Abatement => abatement[m * n + info.id as usize],
                Recycling::Centre | Recycling::TechnologyFund => 0.0,
            }
        };
        match spec.recycling {
            Recycling::Centre => {}
            Recycling::TechnologyFund => {
                r.fund += revenue;
                let rate = if sc.committed[m] > 0.0 {
                    (r.fund / sc.committed[m]).min(1.0)
                } else {
                    0.0
                };
                let paid = rate * sc.committed[m];
                r.fund -= paid;
                r.year.recycled = paid;
                r.payout_rate = rate;
                rates[m] = rate;
            }
            _ => {
                let mut weights = std::mem::take(&mut sc.weights);
                weights.clear();
                weights.resize(n, 0.0);
                for (info, st) in &cities {
                    weights[info.id as usize] = weight_of(info, st);
                }
                let total: f64 = weights.iter().sum();
                if total > 0.0 && revenue > 0.0 {
                    for (r, w) in receipts.0.iter_mut().zip(&weights) {
                        *r += revenue * w / total;
                    }
                    r.year.recycled = revenue;
                } else {
                    // Nobody to pay: the centre keeps it.
                    r.year.recycled = 0.0;
                }
                sc.weights = weights;
            }
        }
    }
    if rates.iter().any(|r| *r > 0.0) {
        for (_, cov, _, mut tech) in &mut firms {
            if let Some(m) = cov.market {
                tech.subsidy = tech.committed * rates[m as usize];
            }
        }
    }
}
