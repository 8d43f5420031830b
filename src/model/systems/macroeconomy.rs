//! Phase 2, macro: city GDP grows along the national growth path; non-firm uncovered
//! emissions follow GDP times their autonomous intensity decline. Population is held at its
//! data-year value (no population path yet). Sector demand growth enters production through
//! each sector's demand index.

use crate::model::agents::city::{CityInfo, CityState};
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Updates every city's GDP and non-firm emissions for the year.
pub fn grow_cities(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut cities: Query<(&CityInfo, &mut CityState)>,
) {
    let s = &params.scenario;
    let g = s.gdp_index.at(clock.year);
    let u = s.uncovered_index.at(clock.year);
    for (info, mut st) in &mut cities {
        st.gdp = info.gdp_base * g;
        st.population = info.population_base;
        st.uncovered_other = info.uncovered_base * u;
    }
}
