//! Accounting phase, first step: revenue recycling (MODEL.md section 4.2). Each market's
//! auction, reserve and tax revenue goes, by its `recycling` rule, to the centre, to the
//! market's cities by population, by GDP or by the abatement their covered firms achieved
//! (below their counterfactual), or into a technology fund that pays a share of the market's
//! firms' capex committed this year (as much as the fund holds; firms expect last year's
//! payout rate when they decide). With `compensation`, a share of the revenue is first paid
//! to provinces (eco-compensation, MODEL.md 7.25: attributed to the provinces whose covered
//! firms emitted, divided among the recipients by population, abatement or development tier,
//! and paid to each recipient's cities by population); the rest follows the rule. Money is
//! conserved: revenue = paid out + change in fund + paid into R&D programmes (their
//! `revenue_share`, taken first; MODEL.md 7.26) (+ what the centre keeps).

use crate::config::compensation::CompensationRule;
use crate::config::kinds::Recycling;
use crate::econ::compensation::{development_weight, flows};
use crate::model::agents::RunParams;
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::regulator::Regulator;
use crate::model::agents::totals::{CompensationFlows, Receipts};
use crate::model::queries::RecyclingFirm;
use bevy_ecs::prelude::*;

/// Scratch, reused across years.
#[derive(Default)]
pub struct Scratch {
    weights: Vec<f64>,
    committed: Vec<f64>,
    abatement: Vec<f64>,
    /// Covered emissions per market and province, t CO2 (payers of compensation).
    emitted: Vec<f64>,
    /// Population and GDP per province this year (persons, CNY).
    province_pop: Vec<f64>,
    province_gdp: Vec<f64>,
}

/// Pays market `m`'s share of `revenue` (CNY) into each R&D programme it funds this year
/// (`research.programmes[].revenue_share`, MODEL.md 7.26); returns the total paid, CNY.
fn fund_research(
    s: &crate::config::Scenario,
    m: usize,
    year: i32,
    revenue: f64,
    research: &mut crate::model::agents::research::ResearchState,
) -> f64 {
    let Some(r) = &s.research else {
        return 0.0;
    };
    let mut paid = 0.0;
    for (k, p) in r.programmes.iter().enumerate() {
        if let Some((market, share)) = p.revenue
            && market == m
            && (p.years.0..=p.years.1).contains(&year)
            && revenue > 0.0
        {
            research.fund[k] += share * revenue;
            paid += share * revenue;
        }
    }
    paid
}

/// Where revenue goes besides firms: cities' receipts, compensation flows and R&D funds
/// (with the clock that says which programmes run).
#[derive(bevy_ecs::system::SystemParam)]
pub struct Payees<'w> {
    /// Recycled revenue per city this year (set).
    receipts: ResMut<'w, Receipts>,
    /// Eco-compensation flows this year (set).
    comp: ResMut<'w, CompensationFlows>,
    /// The simulated year.
    clock: Res<'w, crate::model::agents::Clock>,
    /// R&D programmes' funds (revenue shares paid in).
    research: ResMut<'w, crate::model::agents::research::ResearchState>,
}

/// Distributes each market's revenue. Steps: [`market_sums`], then per market its revenue
/// and [`fund_payout`] or [`pay_cities`]; [`subsidise`] pays the fund's rate to firms.
pub fn recycle_revenue(
    params: Res<RunParams>,
    mut scratch: Local<Scratch>,
    payees: Payees,
    mut regs: Query<&mut Regulator>,
    cities: Query<(&CityInfo, &CityState)>,
    mut firms: Query<RecyclingFirm>,
) {
    let Payees {
        mut receipts,
        mut comp,
        clock,
        mut research,
    } = payees;
    let s = &params.scenario;
    let sc = &mut *scratch;
    let n = s.geography.cities.len();
    let nm = s.markets.len();
    receipts.0.clear();
    receipts.0.resize(n, 0.0);
    comp.0.clear();
    market_sums(s, nm, sc, &mut firms);
    province_sums(s, sc, &cities);
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
        let funded = fund_research(s, m, clock.year, revenue, &mut research);
        r.year.research_funding = funded;
        let revenue = if funded > 0.0 {
            revenue - funded
        } else {
            revenue
        };
        let spec = &s.markets[m];
        let compensated = compensate(s, m, revenue, sc, &cities, &mut receipts.0, &mut comp.0);
        let revenue = revenue - compensated;
        r.year.recycled = 0.0;
        match spec.recycling {
            Recycling::Centre => {}
            Recycling::TechnologyFund => {
                rates[m] = fund_payout(&mut r, revenue, sc.committed[m]);
            }
            _ => {
                let abatement = &sc.abatement[m * n..(m + 1) * n];
                let weight_of = |info: &CityInfo, st: &CityState| -> f64 {
                    if !spec.cities[info.id as usize] {
                        return 0.0;
                    }
                    match spec.recycling {
                        Recycling::Population => st.population,
                        Recycling::Gdp => st.gdp,
                        Recycling::Abatement => abatement[info.id as usize],
                        Recycling::Centre | Recycling::TechnologyFund => 0.0,
                    }
                };
                sc.weights.clear();
                sc.weights.resize(n, 0.0);
                for (info, st) in &cities {
                    sc.weights[info.id as usize] = weight_of(info, st);
                }
                r.year.recycled = pay_cities(revenue, &sc.weights, &mut receipts.0);
            }
        }
        r.year.recycled += compensated;
    }
    subsidise(&rates, &mut firms);
}

/// Per market: capex its firms committed this year (CNY), per city the abatement their
/// covered firms achieved below their counterfactual (t CO2) and per province their emissions
/// (t CO2); resets subsidies.
fn market_sums(
    s: &crate::config::Scenario,
    nm: usize,
    sc: &mut Scratch,
    firms: &mut Query<RecyclingFirm>,
) {
    let n = s.geography.cities.len();
    let np = s.geography.provinces.len();
    sc.committed.clear();
    sc.committed.resize(nm, 0.0);
    sc.abatement.clear();
    sc.abatement.resize(nm * n, 0.0);
    sc.emitted.clear();
    sc.emitted.resize(nm * np, 0.0);
    for mut f in firms.iter_mut() {
        f.tech.subsidy = 0.0;
        if let Some(m) = f.cov.market {
            sc.committed[m as usize] += f.tech.committed;
            sc.abatement[m as usize * n + f.info.city as usize] +=
                (f.flows.counterfactual_emissions - f.flows.emissions).max(0.0);
            let p = s.geography.cities[f.info.city as usize].province as usize;
            sc.emitted[m as usize * np + p] += f.flows.emissions;
        }
    }
}

/// Population and GDP per province this year.
fn province_sums(
    s: &crate::config::Scenario,
    sc: &mut Scratch,
    cities: &Query<(&CityInfo, &CityState)>,
) {
    let np = s.geography.provinces.len();
    sc.province_pop.clear();
    sc.province_pop.resize(np, 0.0);
    sc.province_gdp.clear();
    sc.province_gdp.resize(np, 0.0);
    for (info, st) in cities {
        sc.province_pop[info.province as usize] += st.population;
        sc.province_gdp[info.province as usize] += st.gdp;
    }
}

/// Market `m`'s eco-compensation this year: `share x revenue` attributed to the provinces by
/// its firms' covered emissions and divided among the recipients by the rule, paid to each
/// recipient's cities by population. Returns what was paid (0 when nobody pays or receives:
/// the pool then follows the recycling rule with the rest).
fn compensate(
    s: &crate::config::Scenario,
    m: usize,
    revenue: f64,
    sc: &Scratch,
    cities: &Query<(&CityInfo, &CityState)>,
    receipts: &mut [f64],
    out: &mut Vec<(u16, u16, u16, f64)>,
) -> f64 {
    let Some(cs) = &s.markets[m].compensation else {
        return 0.0;
    };
    let np = s.geography.provinces.len();
    let n = s.geography.cities.len();
    let mut abated = vec![0.0; np];
    for c in &s.geography.cities {
        abated[c.province as usize] += sc.abatement[m * n + c.id as usize];
    }
    let (pop, gdp) = (&sc.province_pop, &sc.province_gdp);
    let national = gdp.iter().sum::<f64>() / pop.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let weights: Vec<f64> = (0..np)
        .map(|p| {
            if !cs.recipients[p] {
                return 0.0;
            }
            match cs.rule {
                CompensationRule::Population => pop[p],
                CompensationRule::Abatement => abated[p],
                CompensationRule::Development => development_weight(pop[p], gdp[p], national),
            }
        })
        .collect();
    let fl = flows(
        cs.share * revenue,
        &sc.emitted[m * np..(m + 1) * np],
        &weights,
    );
    if fl.is_empty() {
        return 0.0;
    }
    let mut to = vec![0.0; np];
    for &(i, j, x) in &fl {
        to[j] += x;
        out.push((m as u16, i as u16, j as u16, x));
    }
    let mut paid = 0.0;
    for (info, st) in cities {
        let p = info.province as usize;
        if to[p] > 0.0 && pop[p] > 0.0 {
            let x = to[p] * st.population / pop[p];
            receipts[info.id as usize] += x;
            paid += x;
        }
    }
    paid
}

/// Technology fund: revenue goes in; it pays the share `min(1, fund / committed)` of the
/// capex committed this year (CNY), which is returned as the payout rate.
fn fund_payout(r: &mut Regulator, revenue: f64, committed: f64) -> f64 {
    r.fund += revenue;
    let rate = if committed > 0.0 {
        (r.fund / committed).min(1.0)
    } else {
        0.0
    };
    let paid = rate * committed;
    r.fund -= paid;
    r.year.recycled = paid;
    r.payout_rate = rate;
    rate
}

/// Pays `revenue` (CNY) to cities in proportion to `weights`; returns what was paid (0 when
/// nobody has weight: the centre keeps it).
fn pay_cities(revenue: f64, weights: &[f64], receipts: &mut [f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    if total > 0.0 && revenue > 0.0 {
        for (r, w) in receipts.iter_mut().zip(weights) {
            *r += revenue * w / total;
        }
        revenue
    } else {
        0.0
    }
}

/// Each covered firm's subsidy: its committed capex x its market's fund payout rate, CNY.
fn subsidise(rates: &[f64], firms: &mut Query<RecyclingFirm>) {
    if rates.iter().any(|r| *r > 0.0) {
        for mut f in firms.iter_mut() {
            if let Some(m) = f.cov.market {
                f.tech.subsidy = f.tech.committed * rates[m as usize];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cities_are_paid_by_weight_and_the_fund_pays_what_it_holds() {
        let mut receipts = vec![0.0; 3];
        assert_eq!(pay_cities(100.0, &[1.0, 3.0, 0.0], &mut receipts), 100.0);
        assert_eq!(receipts, vec![25.0, 75.0, 0.0]);
        assert_eq!(pay_cities(100.0, &[0.0; 3], &mut receipts), 0.0);
        let mut r = Regulator {
            fund: 20.0,
            ..Default::default()
        };
        // 20 + 40 in the fund, 100 committed: pays 60 %, fund empty.
        assert_eq!(fund_payout(&mut r, 40.0, 100.0), 0.6);
        assert_eq!((r.fund, r.year.recycled), (0.0, 60.0));
        // 50 in, 10 committed: pays all of it, keeps 40.
        assert_eq!(fund_payout(&mut r, 50.0, 10.0), 1.0);
        assert_eq!((r.fund, r.year.recycled), (40.0, 10.0));
    }
}
