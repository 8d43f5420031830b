//! Phase 10, accounting (last step): each region's emissions this year (the sum of its
//! cities' covered, uncovered-firm and non-firm emissions) added to its running peak
//! ([`crate::econ::peak::Peak`]) for the `region_peaks` table (MODEL.md 7.23).

use crate::model::agents::Clock;
use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::peaks::PeakState;
use bevy_ecs::prelude::*;

/// Adds this year's emissions of the nation, every province and every agglomeration.
pub fn track_peaks(
    clock: Res<Clock>,
    mut st: ResMut<PeakState>,
    mut sums: Local<Vec<f64>>,
    cities: Query<(&CityInfo, &CityState)>,
) {
    let provinces = st
        .regions
        .iter()
        .filter(|r| matches!(r, crate::config::PeakRegion::Province(_)))
        .count();
    sums.clear();
    sums.resize(st.regions.len(), 0.0);
    for (info, c) in &cities {
        let e = c.emissions_covered + c.emissions_uncovered_firms + c.uncovered_other;
        sums[0] += e;
        sums[st.province(info.province)] += e;
        if let Some(a) = info.agglomeration {
            sums[st.agglomeration(provinces, a)] += e;
        }
        if let Some(k) = st.city_region.get(info.id as usize).copied().flatten() {
            sums[k] += e;
        }
    }
    for (p, e) in st.peaks.iter_mut().zip(sums.iter()) {
        p.add(clock.year, *e);
    }
    let st = &mut *st;
    for ((b, w), e) in st
        .budget_emissions
        .iter_mut()
        .zip(&st.budget_years)
        .zip(sums.iter())
    {
        if w.is_some_and(|(a, z)| (a..=z).contains(&clock.year)) {
            *b += e;
        }
    }
    st.last_year = Some(clock.year);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{run, world};

    /// Three one-city provinces (Beijing, Shanghai, Guangdong) of the linear-MAC case: their
    /// emissions set by hand for three years; each province peaks when its own emissions are
    /// highest and the nation when their sum is.
    #[test]
    fn regions_peak_in_their_own_highest_year() {
        let mut w = world(crate::model::testing::LINEAR_MAC, &[]);
        let by_year = [[1.0, 5.0, 2.0], [3.0, 4.0, 2.0], [2.0, 1.0, 2.0]];
        for (k, e) in by_year.iter().enumerate() {
            w.resource_mut::<Clock>().year = 2020 + k as i32;
            let mut q = w.query::<(&CityInfo, &mut CityState)>();
            let names = ["Beijing", "Shanghai", "Guangdong"];
            let ids: Vec<u16> = {
                let s = &w.resource::<crate::model::agents::RunParams>().scenario;
                names
                    .iter()
                    .map(|n| {
                        s.geography
                            .provinces
                            .iter()
                            .position(|p| p.name == *n)
                            .unwrap() as u16
                    })
                    .collect()
            };
            for (info, mut c) in q.iter_mut(&mut w) {
                *c = CityState::default();
                if let Some(i) = ids.iter().position(|p| *p == info.province) {
                    c.emissions_covered = e[i];
                }
            }
            run(&mut w, track_peaks);
        }
        let st = w.resource::<PeakState>().clone();
        let s = w
            .resource::<crate::model::agents::RunParams>()
            .scenario
            .clone();
        let year_of = |name: &str| {
            let p = s
                .geography
                .provinces
                .iter()
                .position(|p| p.name == name)
                .unwrap();
            st.peaks[st.province(p as u16)].year
        };
        assert_eq!(year_of("Beijing"), Some(2021));
        assert_eq!(year_of("Shanghai"), Some(2020));
        assert_eq!(year_of("Guangdong"), Some(2020));
        // Nation: 8, 9, 5.
        assert_eq!(st.peaks[0].year, Some(2021));
        assert_eq!(st.peaks[0].emissions, 9.0);
        assert_eq!(st.peaks[0].last, 5.0);
        assert_eq!(st.last_year, Some(2022));
    }

    /// A budget target on Beijing over 2020-2021 sums only those years (1 + 3 = 4 t), not
    /// 2022; regions without a budget sum nothing.
    #[test]
    fn budget_emissions_sum_the_budget_years_only() {
        let mut w = world(
            crate::model::testing::LINEAR_MAC,
            &["peaks = [{ region = \"Beijing\", budget_t = 4, budget_years = [2020, 2021] }]"],
        );
        let beijing = {
            let s = &w.resource::<crate::model::agents::RunParams>().scenario;
            s.geography.province_id("Beijing").unwrap()
        };
        for (k, e) in [1.0, 3.0, 2.0].iter().enumerate() {
            w.resource_mut::<Clock>().year = 2020 + k as i32;
            let mut q = w.query::<(&CityInfo, &mut CityState)>();
            for (info, mut c) in q.iter_mut(&mut w) {
                *c = CityState::default();
                if info.province == beijing {
                    c.emissions_covered = *e;
                }
            }
            run(&mut w, track_peaks);
        }
        let st = w.resource::<PeakState>();
        let k = st.province(beijing);
        assert_eq!(st.budget_emissions[k], 4.0);
        assert_eq!(st.budget_years[k], Some((2020, 2021)));
        assert_eq!(
            st.budget_emissions[0], 0.0,
            "the nation has no budget target"
        );
        assert_eq!(st.budget_years[0], None);
    }
}
