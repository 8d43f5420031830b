//! `synergy check`: validate a scenario and print it resolved.

use super::load;
use crate::error::{Error, Result};
use std::path::Path;

/// Validates `scenario` (or the embedded default) and prints the scenario after overrides.
pub fn check(scenario: Option<&Path>, set: &[String]) -> Result<()> {
    let s = load(scenario, set)?;
    let text = toml::to_string_pretty(s.raw()).map_err(|e| Error::Bug(e.to_string()))?;
    say!("# {}: valid", s.source);
    say!(
        "# {} provinces, {} cities, {} sectors, {} generated + {} listed firms, {} markets, years {}-{}",
        s.geography.provinces.len(),
        s.geography.cities.len(),
        s.sectors.len(),
        s.sectors.iter().map(|x| x.firms as usize).sum::<usize>(),
        s.firms.len(),
        s.markets.len(),
        s.start_year(),
        s.end_year()
    );
    say!("{text}");
    Ok(())
}
