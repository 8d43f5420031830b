//! The fuel-supply stage (`[fuels]`, MODEL.md section 7.27): producer prices from last year's
//! national use along each fuel's inverse supply curve (first step of the production phase),
//! and this year's deliveries per province and fuel with what upstream markets levied on them
//! (first step of the accounting phase). Without `[fuels]` both do nothing.

use crate::config::fuels::CoveragePoint;
use crate::econ::fuel::{fuel_use, markup_per_t, producer_price};
use crate::model::agents::firm::{Coverage, FirmInfo, YearFlows};
use crate::model::agents::fuel::{Deliveries, FuelState};
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Sets this year's producer prices and every sector's fuel cost change per t CO2.
pub fn price_fuels(params: Res<RunParams>, mut state: ResMut<FuelState>) {
    let s = &params.scenario;
    if s.fuels.is_empty() {
        return;
    }
    let st = &mut *state;
    for (k, f) in s.fuels.iter().enumerate() {
        st.price[k] = producer_price(
            f.price,
            f.inverse_supply_elasticity,
            st.last_use[k],
            st.base_use[k],
        );
    }
    for (m, sec) in st.markup.iter_mut().zip(&s.sectors) {
        *m = markup_per_t(&sec.fuel_shares, &s.fuels, &st.price);
    }
}

/// Sums this year's fuel use, carbon content and upstream coverage per province and fuel, and
/// remembers the national use for next year's prices (the first year's is the base).
pub fn account_fuels(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut state: ResMut<FuelState>,
    firms: Query<(&FirmInfo, &Coverage, &YearFlows)>,
) {
    let s = &params.scenario;
    if s.fuels.is_empty() {
        return;
    }
    let n = s.fuels.len();
    let st = &mut *state;
    st.deliveries.fill(Deliveries::default());
    for (info, cov, flows) in &firms {
        let sec = &s.sectors[info.sector as usize];
        let p = s.geography.cities[info.city as usize].province as usize;
        let upstream = cov
            .market
            .filter(|m| s.markets[*m as usize].point == CoveragePoint::Upstream);
        for (k, fuel) in s.fuels.iter().enumerate() {
            let share = sec.fuel_shares[k];
            if share == 0.0 {
                continue;
            }
            let d = &mut st.deliveries[p * n + k];
            let e = share * flows.emissions;
            d.use_tce += fuel_use(share, fuel, flows.emissions);
            d.emissions += e;
            if let Some(m) = upstream
                && s.markets[m as usize].fuels_ids.contains(&k)
            {
                d.upstream_covered += e;
                d.levy += flows.price * e;
            }
        }
    }
    for k in 0..n {
        let total: f64 = st
            .deliveries
            .iter()
            .skip(k)
            .step_by(n)
            .map(|d| d.use_tce)
            .sum();
        st.last_use[k] = total;
        if clock.year == s.start_year() {
            st.base_use[k] = total;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{run, world};

    const UPSTREAM: &str = include_str!("../../../configs/validation/upstream.toml");

    /// Base year: both firms burn 250 t CO2 of coal each at 2.5 t CO2/tce, 200 tce in all.
    /// With last year's use at 166.67 tce the producer price is 100 x (166.67 / 200)^0.5.
    #[test]
    fn deliveries_are_counted_and_the_price_follows_last_years_use() {
        let mut w = world(UPSTREAM, &[]);
        crate::model::testing::through_clearing(&mut w);
        run(&mut w, account_fuels);
        let st = w.resource::<FuelState>().clone();
        let js = w
            .resource::<RunParams>()
            .scenario
            .geography
            .province_id("Jiangsu")
            .unwrap() as usize;
        let d = st.deliveries[js];
        assert!((d.use_tce - 200.0).abs() < 1e-9, "{d:?}");
        assert!((d.emissions - 500.0).abs() < 1e-9);
        assert_eq!((d.upstream_covered, d.levy), (0.0, 0.0), "no tax in 2020");
        assert_eq!((st.base_use[0], st.last_use[0]), (200.0, 200.0));
        w.resource_mut::<FuelState>().last_use[0] = 500.0 / 3.0;
        run(&mut w, price_fuels);
        let st = w.resource::<FuelState>();
        let p = 100.0 * (500.0f64 / 600.0).sqrt();
        assert!((st.price[0] - p).abs() < 1e-9, "{:?}", st.price);
        // Both sectors burn only coal: (p - 100) / 2.5 CNY per t CO2.
        for m in &st.markup {
            assert!((m - (p - 100.0) / 2.5).abs() < 1e-9, "{:?}", st.markup);
        }
    }
}
