//! The model's values of the observed series from a run kept in memory (no files): the same
//! rows `synergy validate-history` reads from a dataset (`market_year`, `nation_year`,
//! `city_year`), taken from the record buffers of each year before they are dropped. A
//! history calibration target ([`crate::calibrate::solve::Target::History`]) reads them.

use super::Values;
use super::observed::{Observation, Series};
use crate::config::Scenario;
use crate::output::Buffers;

/// Adds this year's rows of `buf` (the record buffers of one run, one year) to `v` under
/// scenario `""` and run 0.
pub fn add_year(v: &mut Values, buf: &Buffers, s: &Scenario) {
    let key = |series: Series, scope: &str, year: i32| {
        (String::new(), 0u64, series, scope.to_string(), year)
    };
    let my = &buf.market_year;
    for r in 0..my.year.len() {
        let Some(name) = my.market[r]
            .key()
            .and_then(|k| s.markets.get(k as usize))
            .map(|m| m.name())
        else {
            continue;
        };
        let year = my.year[r];
        v.insert(key(Series::Price, name, year), my.price[r]);
        v.insert(key(Series::Volume, name, year), my.volume[r]);
        v.insert(
            key(Series::CoveredEmissions, name, year),
            my.covered_emissions[r],
        );
        v.insert(
            key(Series::Participants, name, year),
            f64::from(my.participants[r]),
        );
    }
    let ny = &buf.nation_year;
    for r in 0..ny.year.len() {
        v.insert(
            key(Series::NationalEmissions, "nation", ny.year[r]),
            ny.emissions[r],
        );
    }
    let cy = &buf.city_year;
    let Some(&year) = cy.year.first() else {
        return;
    };
    let (mut energy, mut emissions, mut gdp) = (0.0, 0.0, 0.0);
    for r in 0..cy.year.len() {
        energy += cy.energy_use[r];
        emissions += cy.emissions_covered[r] + cy.emissions_uncovered[r];
        gdp += cy.gdp[r];
    }
    if gdp > 0.0 {
        v.insert(
            key(Series::EnergyIntensityChange, "nation", year),
            energy / gdp,
        );
        v.insert(
            key(Series::CarbonIntensityChange, "nation", year),
            emissions / gdp,
        );
    }
}

/// The model value of `o` in a run's in-memory values (None when the run has no value for
/// it: a market or year it did not simulate).
pub fn value(v: &Values, o: &Observation) -> Option<f64> {
    super::model_values(v, "", o).first().copied()
}
