//! Phase 10, diffusion, first step (MODEL.md section 7.26; only under `[research]`): each R&D
//! programme spends this year's budget on its technologies (equally; a non-joint programme's
//! cities by GDP share) and its knowledge stocks grow, `S(t) = (1 - delta) S(t-1) + spend(t)`.
//! A city's effective knowledge of a technology is the sum over programmes of their stocks
//! weighted by the proximity kernel: a joint programme's stock counts fully in its member
//! cities, `phi_agglomeration` in other cities of an agglomeration a member belongs to, and
//! `phi_national` elsewhere; a city's own stock of a non-joint programme counts fully there,
//! `phi_agglomeration` in the rest of its agglomeration and `phi_national` elsewhere. The
//! capex factor `((K0 + K_eff) / K0)^(-c)` ([`searching_factor`]) multiplies the learning-curve
//! capex the diffusion step computes next.

use crate::econ::learning::searching_factor;
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::research::ResearchState;
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Kernel weight of knowledge held in city `holder` for city `user`.
fn kernel(user: usize, holder: usize, agg: &[Option<u8>], phi: (f64, f64)) -> f64 {
    if user == holder {
        1.0
    } else if agg[user].is_some() && agg[user] == agg[holder] {
        phi.0
    } else {
        phi.1
    }
}

/// Grows the programmes' stocks and sets this year's capex factors.
pub fn accumulate_knowledge(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut state: ResMut<ResearchState>,
    cities: Query<(&CityInfo, &CityState)>,
) {
    let s = &*params.scenario;
    let Some(r) = &s.research else {
        return;
    };
    let year = clock.year;
    let (nt, nc) = (s.technologies.len(), s.geography.cities.len());
    let agg: Vec<Option<u8>> = s.geography.cities.iter().map(|c| c.agglomeration).collect();
    let phi = (s.diffusion.phi_agglomeration, s.diffusion.phi_national);
    let mut gdp = vec![0.0; nc];
    for (info, st) in &cities {
        gdp[info.id as usize] = st.gdp;
    }
    let st = &mut *state;
    let mut knowledge = vec![0.0; nt * nc];
    st.city_cost.iter_mut().for_each(|x| *x = 0.0);
    st.total_spent = 0.0;
    for (k, p) in r.programmes.iter().enumerate() {
        let active = (p.years.0..=p.years.1).contains(&year);
        let member_gdp: f64 = (0..nc).filter(|&c| p.cities[c]).map(|c| gdp[c]).sum();
        let budget = if active && !p.technologies.is_empty() {
            p.budget.at(year)
        } else {
            0.0
        };
        // Last year's revenue share is spent now, whether or not the programme still runs.
        let from_revenue = if p.technologies.is_empty() {
            0.0
        } else {
            std::mem::take(&mut st.fund[k])
        };
        // Member cities pay the budget by GDP share (equal shares if they have no GDP yet).
        let members = (0..nc).filter(|&c| p.cities[c]).count().max(1) as f64;
        if budget > 0.0 && (p.joint || member_gdp > 0.0) {
            for c in (0..nc).filter(|&c| p.cities[c]) {
                st.city_cost[c] += if member_gdp > 0.0 {
                    budget * gdp[c] / member_gdp
                } else {
                    budget / members
                };
            }
        }
        let per_tech = (budget + from_revenue) / p.technologies.len().max(1) as f64;
        let stock = &mut st.stock[k];
        stock.iter_mut().for_each(|x| *x *= 1.0 - r.depreciation);
        st.spent[k].iter_mut().for_each(|x| *x = 0.0);
        for &t in &p.technologies {
            if per_tech > 0.0 {
                if p.joint {
                    stock[t] += per_tech;
                    st.spent[k][t] += per_tech;
                } else if member_gdp > 0.0 {
                    for c in (0..nc).filter(|&c| p.cities[c]) {
                        let x = per_tech * gdp[c] / member_gdp;
                        stock[t * nc + c] += x;
                        st.spent[k][t] += x;
                    }
                }
            }
        }
        // Effective knowledge of every city.
        for &t in &p.technologies {
            for user in 0..nc {
                let k_eff = if p.joint {
                    let w = if p.cities[user] {
                        1.0
                    } else if agg[user].is_some()
                        && (0..nc).any(|c| p.cities[c] && agg[c] == agg[user])
                    {
                        phi.0
                    } else {
                        phi.1
                    };
                    w * stock[t]
                } else {
                    (0..nc)
                        .filter(|&h| p.cities[h])
                        .map(|h| kernel(user, h, &agg, phi) * stock[t * nc + h])
                        .sum()
                };
                knowledge[t * nc + user] += k_eff;
            }
        }
    }
    st.total_spent = st.spent.iter().flatten().sum();
    for (f, k) in st.factor.iter_mut().zip(&knowledge) {
        *f = searching_factor(r.knowledge_base, *k, r.searching_rate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::technology::TechState;
    use crate::model::systems::diffusion;
    use crate::model::testing::{run, world};

    const SPILLOVER: &str = include_str!("../../../configs/validation/spillover.toml");

    fn city_of(w: &World, province: &str) -> usize {
        let s = &w.resource::<RunParams>().scenario;
        let p = s.geography.province_id(province).unwrap();
        s.geography
            .cities
            .iter()
            .position(|c| c.province == p)
            .unwrap()
    }

    /// A joint Jiangsu programme of CNY 5 bn a year, knowledge base 5 bn, searching rate 0.1:
    /// after its first year every Jiangsu city has K = 5 bn (factor 0.9), a city of the rest of
    /// the Yangtze River Delta 0.2 x 5 bn, a Xinjiang city 0.02 x 5 bn; the diffusion step's
    /// capex (no learning by doing yet: 100) is multiplied by the factor.
    #[test]
    fn programme_knowledge_lowers_capex_and_spills_over_less_with_distance() {
        let c = -(0.9f64).log2();
        for (budget, joint) in [(5e9, true), (0.0, true), (5e9, false)] {
            let prog = format!(
                "research = {{ programmes = [{{ name = \"js\", region = \"Jiangsu\", budget = {budget}, joint = {joint} }}] }}"
            );
            let mut w = world(SPILLOVER, &["sectors.widget.firms = 60", &prog]);
            run(&mut w, crate::model::systems::macroeconomy::grow_cities);
            run(&mut w, accumulate_knowledge);
            run(&mut w, diffusion::diffuse);
            let (js, zj, xj) = (
                city_of(&w, "Jiangsu"),
                city_of(&w, "Zhejiang"),
                city_of(&w, "Xinjiang"),
            );
            let f = &w.resource::<ResearchState>().factor;
            let capex = &w.resource::<TechState>().capex;
            if budget == 0.0 {
                assert!(
                    f.iter().all(|x| *x == 1.0),
                    "zero budget: learning by doing only"
                );
                assert_eq!(capex[js], 100.0);
                continue;
            }
            let spent: f64 = w.resource::<ResearchState>().spent[0].iter().sum();
            assert!((spent - budget).abs() < 1e-3, "spends its budget: {spent}");
            if joint {
                let want = |k: f64| (1.0 + k).powf(-c);
                assert!((f[js] - 0.9).abs() < 1e-12, "{}", f[js]);
                assert!((f[zj] - want(0.2)).abs() < 1e-12, "{}", f[zj]);
                assert!((f[xj] - want(0.02)).abs() < 1e-12, "{}", f[xj]);
                assert!((capex[js] - 90.0).abs() < 1e-9);
            }
            // Spillovers fall with kernel distance, joint or not.
            assert!(
                f[js] < f[zj] && f[zj] < f[xj] && f[xj] < 1.0,
                "{} {} {}",
                f[js],
                f[zj],
                f[xj]
            );
        }
    }

    /// Stocks depreciate by 5 % a year and stop growing after the programme's last year.
    #[test]
    fn stocks_depreciate_after_the_programme_ends() {
        let prog = "research = { programmes = [{ name = \"js\", region = \"Jiangsu\", budget = 1e9, to = 2001 }] }";
        let mut w = world(SPILLOVER, &["sectors.widget.firms = 60", prog]);
        let mut stocks = Vec::new();
        for year in 2000..=2003 {
            w.resource_mut::<Clock>().year = year;
            run(&mut w, accumulate_knowledge);
            stocks.push(w.resource::<ResearchState>().stock[0][0]);
        }
        let want = [1e9, 1.95e9, 1.8525e9, 1.759875e9];
        for (s, x) in stocks.iter().zip(want) {
            assert!((s - x).abs() < 1e-3, "{stocks:?}");
        }
    }
}
