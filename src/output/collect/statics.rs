//! Rows made once per run: `cities` (geography with drawn shares) right after the World is
//! built, `firms` (attributes at build or entry, and life cycle) after the last year.

use crate::config::Scenario;
use crate::model::agents::capacity::{CapacityState, Pending};
use crate::model::agents::firm::{
    Behaviour, Capacity, FirmInfo, Intensity, Lifecycle, Mac, Production,
};
use crate::model::agents::goods::CityDraws;
use crate::output::{Cat, Cities, Firms};
use bevy_ecs::prelude::*;

/// Appends the `firms` rows (firm id order) to `t`; returns the number of firms.
pub fn firms(world: &mut World, run_id: u64, t: &mut Firms) -> usize {
    let mut q = world.query::<(
        &FirmInfo,
        &Capacity,
        &Production,
        &Intensity,
        &Mac,
        &Behaviour,
        &Lifecycle,
    )>();
    let mut rows: Vec<_> = q
        .iter(world)
        .map(|(i, c, p, int, m, b, l)| (*i, *c, *p, *int, *m, *b, *l))
        .collect();
    // Plants that closed during the run, and plants decided but not producing by its end.
    if let Some(st) = world.get_resource::<CapacityState>() {
        rows.extend(st.closed.iter().copied());
        rows.extend(st.pending.iter().map(Pending::row));
    }
    rows.sort_by_key(|r| r.0.id);
    let year = |y: i32| (y != i32::MIN && y != i32::MAX).then_some(y);
    for (i, c, p, int, m, b, l) in &rows {
        t.run_id.push(run_id);
        t.firm_id.push(i.id);
        t.city_id.push(i.city);
        t.sector.push(Cat::of(i.sector));
        t.class.push(Cat::of(i.class));
        t.goods_market.push(i.goods_market);
        t.capacity.push(c.base_capacity);
        t.base_output.push(c.base_output);
        t.energy_intensity.push(int.build_energy);
        t.carbon_factor.push(int.initial_carbon_factor);
        t.emission_intensity
            .push(int.build_energy * int.initial_carbon_factor);
        t.variable_cost.push(p.variable_cost);
        t.mac_slope.push(m.build_slope_ref);
        t.abatement_max
            .push(m.max_share * (int.build_energy * int.initial_carbon_factor) * c.base_output);
        t.hurdle_rate.push(b.hurdle_rate);
        t.expectation_weight.push(b.lambda);
        t.decided_year.push(l.decided);
        t.online_year.push(year(l.online));
        t.retire_year.push(year(l.retire));
        t.exit_year.push(l.exit);
    }
    rows.len()
}

/// Appends the `cities` rows to `t`.
pub fn cities(world: &World, s: &Scenario, run_id: u64, t: &mut Cities) {
    let shares = &world.resource::<CityDraws>().0;
    for c in &s.geography.cities {
        let p = &s.geography.provinces[c.province as usize];
        let sh = shares[c.id as usize];
        t.run_id.push(run_id);
        t.city_id.push(c.id);
        t.name.push(c.name.clone());
        t.province_id.push(u32::from(c.province));
        t.province.push(Cat::of(c.province));
        t.grid.push(Cat::of(u16::from(c.grid)));
        t.agglomeration
            .push(Cat::from_opt(c.agglomeration.map(u16::from)));
        t.gdp_share.push(sh.gdp);
        t.population_share.push(sh.population);
        t.gdp_base.push(p.gdp_cny * sh.gdp);
        t.population.push(p.population * sh.population);
        t.province_code.push(p.code);
        t.province_lat.push(p.centroid.map(|c| c.0));
        t.province_lon.push(p.centroid.map(|c| c.1));
    }
}
