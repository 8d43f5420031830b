//! Phase 11, record (power): appends `power_year`, `power_tech_year` and `flow_year` rows
//! from the year's dispatch ([`PowerState`]); nothing when `[power]` is off.

use crate::model::agents::power::PowerState;
use crate::model::agents::{Clock, RunParams};
use crate::output::{Buffers, Cat};
use bevy_ecs::prelude::*;

/// Appends the power tables' rows of the year.
pub fn record_power(
    params: Res<RunParams>,
    clock: Res<Clock>,
    state: Res<PowerState>,
    mut buf: ResMut<Buffers>,
    mut thermal_before: Local<Vec<f64>>,
) {
    let (Some(spec), Some(y)) = (&params.scenario.power, &state.year) else {
        return;
    };
    let geo = &params.scenario.geography;
    let (run, year) = (params.run_id, clock.year);
    let b = &mut buf.power_year;
    for (r, p) in y.provinces.iter().enumerate() {
        let s = &p.summary;
        let grid = geo.provinces[r].grid;
        b.run_id.push(run);
        b.year.push(year);
        b.province.push(Cat::of(r as u16));
        b.grid.push(Cat::of(u16::from(grid)));
        b.load.push(s.load);
        b.generation.push(s.generation);
        b.thermal_generation.push(p.thermal_mwh);
        b.thermal_capacity.push(p.thermal_mw);
        b.curtailment.push(s.curtailment);
        b.storage_capacity.push(p.storage_mw);
        b.storage_charge.push(s.storage_charge);
        b.storage_discharge.push(s.storage_discharge);
        b.imports.push(s.imports);
        b.exports.push(s.exports);
        b.unserved.push(s.unserved);
        b.emissions.push(s.emissions);
        b.average_factor.push(s.average_factor);
        b.marginal_factor.push(s.marginal_factor);
        b.grid_average_factor
            .push(y.grid_factor.get(grid as usize).copied().flatten());
        b.price.push(s.price);
        b.electrification_load.push(p.electrification_mwh);
        b.storage_net_additions.push(p.storage_added_mw);
    }
    let t = &mut buf.power_tech_year;
    for (r, p) in y.provinces.iter().enumerate() {
        let thermal_added = thermal_before.get(r).map(|b| p.thermal_mw - b);
        let rows = std::iter::once((0u16, p.thermal_mw, p.thermal_mwh, 0.0, thermal_added)).chain(
            (0..spec.fleets.len()).map(|k| {
                (
                    k as u16 + 1,
                    p.fleet_mw[k],
                    p.fleet_mwh[k],
                    p.fleet_curtailed_mwh[k],
                    Some(p.fleet_added_mw[k]),
                )
            }),
        );
        for (tech, cap, mwh, curt, added) in rows {
            if cap <= 0.0 && mwh <= 0.0 {
                continue;
            }
            t.run_id.push(run);
            t.year.push(year);
            t.province.push(Cat::of(r as u16));
            t.technology.push(Cat::of(tech));
            t.capacity.push(cap);
            t.generation.push(mwh);
            t.curtailment.push(curt);
            t.net_additions.push(added);
        }
    }
    thermal_before.clear();
    thermal_before.extend(y.provinces.iter().map(|p| p.thermal_mw));
    let f = &mut buf.flow_year;
    for (c, &(a, bb, cap)) in y.corridors.iter().enumerate() {
        for (s, sl) in spec.slices.iter().enumerate() {
            let flow = y.flows[c][s];
            f.run_id.push(run);
            f.year.push(year);
            f.corridor.push(c as u32);
            f.province_a.push(Cat::of(a));
            f.province_b.push(Cat::of(bb));
            f.slice.push(Cat::of(s as u16));
            f.slice_hours.push(sl.weight);
            f.capacity.push(cap);
            f.flow.push(flow);
            f.utilisation.push((cap > 0.0).then(|| flow.abs() / cap));
        }
    }
}
