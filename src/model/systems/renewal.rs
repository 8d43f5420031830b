//! Capacity renewal (MODEL.md 7.28), first step of the production phase: in every year after
//! the first, each firm of a sector with `[sectors.<s>.renewal]` renews the share of its
//! capacity that is new this year (growth of the sector's demand index plus the rebuilt
//! retirements) at the year's new-plant energy intensity. Its build intensity becomes the
//! capacity-weighted mean of its vintages; installed technologies keep their factors, and
//! the MAC slope is rescaled so that a 5 % cut still costs the firm's drawn price.

use crate::econ::vintage::{new_share, renewed};
use crate::model::agents::firm::{FirmInfo, Intensity, Mac};
use crate::model::agents::{Clock, RunParams};
use bevy_ecs::prelude::*;

/// Renews the vintages of the firms of sectors with capacity renewal.
pub fn renew_vintages(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut firms: Query<(&FirmInfo, &mut Intensity, &mut Mac)>,
) {
    let s = &params.scenario;
    let year = clock.year;
    if year <= s.start_year() || s.sectors.iter().all(|x| x.renewal.is_none()) {
        return;
    }
    // The new share and the new plants' intensity per sector this year.
    let step: Vec<Option<(f64, f64)>> = s
        .sectors
        .iter()
        .map(|sec| {
            sec.renewal.as_ref().map(|r| {
                let growth = sec.demand_index.at(year) / sec.demand_index.at(year - 1);
                (
                    new_share(growth, r.retirement_rate.at(year)),
                    r.new_energy_intensity.at(year),
                )
            })
        })
        .collect();
    for (info, mut int, mut mac) in &mut firms {
        let Some((share, new)) = step[info.sector as usize] else {
            continue;
        };
        if share == 0.0 || int.initial_energy <= 0.0 {
            continue;
        }
        let old = int.initial_energy;
        let energy = renewed(old, new, share);
        let ratio = energy / old;
        int.initial_energy = energy;
        int.initial_emission = energy * int.initial_carbon_factor;
        int.energy *= ratio;
        if mac.slope_ref.is_finite() {
            mac.slope_ref /= ratio;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{firms, run, world};

    const RENEWAL: &str = include_str!("../../../configs/validation/renewal.toml");

    /// 2021: demand +25 %, nothing retired: a fifth of the capacity is new at 0.7 tce/unit,
    /// so 1.0 becomes 0.94 and 2.0 becomes 1.74. 2022: demand flat, 10 % retired and rebuilt
    /// at 0.6: 0.9 x 0.94 + 0.06 = 0.906. The MAC slope moves inversely.
    #[test]
    fn new_capacity_comes_in_at_the_new_plants_intensity() {
        let mut w = world(RENEWAL, &[]);
        let slope0: Vec<f64> = firms::<Mac>(&mut w).iter().map(|m| m.slope_ref).collect();
        run(&mut w, renew_vintages);
        let before: Vec<f64> = firms::<Intensity>(&mut w)
            .iter()
            .map(|i| i.initial_energy)
            .collect();
        assert_eq!(before, vec![1.0, 2.0], "nothing in the first year");
        for (year, want) in [(2021, [0.94, 1.74]), (2022, [0.906, 1.626])] {
            w.resource_mut::<Clock>().year = year;
            run(&mut w, renew_vintages);
            let ints = firms::<Intensity>(&mut w);
            for ((int, e), b) in ints.iter().zip(want).zip([1.0, 2.0]) {
                assert!((int.initial_energy - e).abs() < 1e-12, "{year}: {int:?}");
                assert!((int.energy - e).abs() < 1e-12, "no technology installed");
                assert!((int.initial_emission - e * 2.0).abs() < 1e-12);
                assert_eq!(
                    int.build_energy, b,
                    "the build value stays for the firms table"
                );
            }
        }
        let ints = firms::<Intensity>(&mut w);
        let macs = firms::<Mac>(&mut w);
        for ((m, s0), int) in macs.iter().zip(&slope0).zip(&ints) {
            let ratio = int.initial_energy / int.build_energy;
            assert!((m.slope_ref - s0 / ratio).abs() < 1e-9 * s0, "{m:?}");
            assert_eq!(m.build_slope_ref, *s0);
        }
    }

    /// Technologies keep their factor: a firm at 0.9 of its build intensity stays at 0.9 of
    /// the renewed one.
    #[test]
    fn installed_technologies_keep_their_factor() {
        let mut w = world(RENEWAL, &[]);
        {
            let mut q = w.query::<&mut Intensity>();
            for mut int in q.iter_mut(&mut w) {
                int.energy *= 0.9;
            }
        }
        w.resource_mut::<Clock>().year = 2021;
        run(&mut w, renew_vintages);
        let ints = firms::<Intensity>(&mut w);
        assert!((ints[0].energy - 0.9 * 0.94).abs() < 1e-12, "{:?}", ints[0]);
        assert!((ints[1].energy - 0.9 * 1.74).abs() < 1e-12);
    }
}
