//! `[fuels]`: the fuel-supply stage (MODEL.md section 7.27). Each fuel has a carbon content
//! and a producer price that responds to last year's national demand; sectors say which share
//! of their direct emissions comes from which fuel (`sectors.<s>.fuel_shares`), and a market
//! with `point = "upstream"` covers the listed fuels at the source: every firm of its sectors
//! and cities pays the carbon price on the emissions of those fuels through the fuel price.
//!
//! Units: carbon content t CO2 per tce, prices CNY per tce, shares of a sector's direct
//! emissions (dimensionless).

use super::kinds::{AllocationRule, Indirect};
use super::limits::Bound::{PositiveTo, Within};
use super::limits::limits;
use super::raw::{RawMarket, RawScenario};
use super::validate::Checker;
use serde::{Deserialize, Serialize};

/// `[fuels.<name>]` as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFuel {
    /// Carbon content, t CO2 per tce (coal about 2.66, oil 2.08, natural gas 1.63).
    pub carbon_factor: f64,
    /// Producer price at the base demand (the first simulated year's), CNY per tce. The
    /// sectors' `fuel_price` stays the delivered price at which technologies value fuel
    /// savings; changes of this price and upstream levies are added to it.
    pub price: f64,
    /// Inverse price elasticity of supply `psi`: the producer price in year t is
    /// `price x (Q_{t-1} / Q_0)^psi` with `Q` the national use of the fuel (tce); 0 (the
    /// default): a fixed price.
    #[serde(default)]
    pub inverse_supply_elasticity: f64,
}

limits!(RawFuel {
    carbon_factor: PositiveTo(10.0),
    price: Within(0.0, 1e6),
    inverse_supply_elasticity: Within(0.0, 10.0),
});

/// A fuel, resolved (fuel id = position in name order).
#[derive(Clone, Debug, Serialize)]
pub struct FuelSpec {
    /// Name (output column `fuel`).
    pub name: String,
    /// Carbon content, t CO2 per tce.
    pub carbon_factor: f64,
    /// Producer price at base demand, CNY per tce.
    pub price: f64,
    /// Inverse price elasticity of supply.
    pub inverse_supply_elasticity: f64,
}

/// Where a market puts the obligation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CoveragePoint {
    /// On the emitting installations (the default).
    #[default]
    Downstream,
    /// On the suppliers of the market's `fuels`: every user of those fuels in the market's
    /// sectors and cities pays the carbon price through the fuel price.
    Upstream,
}

impl CoveragePoint {
    /// Whether this is the default (not serialised).
    pub fn is_downstream(&self) -> bool {
        *self == CoveragePoint::Downstream
    }
}

/// The fuels in id order.
pub fn resolve(raw: &RawScenario) -> Vec<FuelSpec> {
    raw.fuels
        .iter()
        .map(|(name, f)| FuelSpec {
            name: name.clone(),
            carbon_factor: f.carbon_factor,
            price: f.price,
            inverse_supply_elasticity: f.inverse_supply_elasticity,
        })
        .collect()
}

/// A sector's share of direct emissions from each fuel (by fuel id; 0 where unlisted).
pub fn sector_shares(raw: &RawScenario, sector: &str) -> Vec<f64> {
    let shares = raw.sectors.get(sector).map(|s| &s.fuel_shares);
    raw.fuels
        .keys()
        .map(|f| shares.and_then(|m| m.get(f)).copied().unwrap_or(0.0))
        .collect()
}

/// Share of a firm's direct emissions an upstream market on `fuels` covers, given its
/// sector's `shares` by fuel id: the sum of the covered fuels' shares.
pub fn covered_share(shares: &[f64], fuel_ids: &[usize]) -> f64 {
    fuel_ids.iter().map(|&f| shares[f]).sum()
}

/// Fuel ids of market `m`'s `fuels` (unknown names skipped: validation reports them).
pub fn market_fuels(raw: &RawScenario, m: &RawMarket) -> Vec<usize> {
    m.fuels
        .iter()
        .filter_map(|f| raw.fuels.keys().position(|k| k == f))
        .collect()
}

/// Checks `[fuels]`, every sector's `fuel_shares` and every market's `point` and `fuels`.
pub fn validate(raw: &RawScenario, c: &mut Checker) {
    for (name, f) in &raw.fuels {
        f.check_limits(c, &|k| format!("fuels.{name}.{k}"));
    }
    for (sname, s) in &raw.sectors {
        let mut sum = 0.0;
        for (f, v) in &s.fuel_shares {
            let key = format!("sectors.{sname}.fuel_shares.{f}");
            if !raw.fuels.contains_key(f) {
                c.fail(&key, format!("no fuel {f:?} in [fuels]{}", known(raw)));
            }
            c.range(&key, *v, 0.0, 1.0);
            sum += v;
        }
        if sum > 1.0 + 1e-9 {
            c.fail(
                &format!("sectors.{sname}.fuel_shares"),
                format!(
                    "add up to {sum}: they are shares of the sector's direct emissions (the rest is process emissions), at most 1 in all"
                ),
            );
        }
    }
    for (i, m) in raw.markets.iter().enumerate() {
        validate_market(raw, i, m, c);
    }
}

/// The names of `[fuels]`, for error messages.
fn known(raw: &RawScenario) -> String {
    if raw.fuels.is_empty() {
        " (there is no [fuels] table)".into()
    } else {
        let names: Vec<&str> = raw.fuels.keys().map(|k| k.as_str()).collect();
        format!(" (known: {})", names.join(", "))
    }
}

fn validate_market(raw: &RawScenario, i: usize, m: &RawMarket, c: &mut Checker) {
    let k = |x: &str| format!("markets[{i}].{x}");
    if m.point.is_downstream() {
        if !m.fuels.is_empty() {
            c.fail(
                &k("fuels"),
                "only an upstream market covers fuels: set point = \"upstream\" or drop fuels",
            );
        }
        return;
    }
    if m.fuels.is_empty() {
        c.fail(
            &k("fuels"),
            "is missing: point = \"upstream\" needs the fuels it covers at the source, e.g. fuels = [\"coal\"]",
        );
    }
    for (j, f) in m.fuels.iter().enumerate() {
        if !raw.fuels.contains_key(f) {
            c.fail(
                &k(&format!("fuels[{j}]")),
                format!("= {f:?}: no such fuel in [fuels]{}", known(raw)),
            );
        }
        if m.fuels[..j].contains(f) {
            c.fail(&k(&format!("fuels[{j}]")), format!("= {f:?}: listed twice"));
        }
    }
    if !matches!(m.allocation, AllocationRule::Tax | AllocationRule::Auction) {
        c.fail(
            &k("allocation"),
            format!(
                "= {:?}: an upstream market allocates nothing free to fuel users; use \"tax\" or \"auction\"",
                format!("{:?}", m.allocation).to_lowercase()
            ),
        );
    }
    if m.threshold_t != 0.0 {
        c.fail(
            &k("threshold_t"),
            format!(
                "= {}: an upstream market covers every delivery of its fuels; thresholds apply to installations (point = \"downstream\")",
                m.threshold_t
            ),
        );
    }
    if m.indirect != Indirect::None {
        c.fail(
            &k("indirect"),
            "must be \"none\" in an upstream market: the fuels of power plants are covered at the source instead",
        );
    }
    if !m.benchmarks.is_empty() {
        c.fail(
            &k("benchmarks"),
            "an upstream market has no benchmarks (no free allocation to fuel users)",
        );
    }
    let ids = market_fuels(raw, m);
    if ids.len() == m.fuels.len() {
        for s in m.sectors.keys() {
            if raw.sectors.contains_key(s) && covered_share(&sector_shares(raw, s), &ids) <= 0.0 {
                c.fail(
                    &k(&format!("sectors.{s}")),
                    format!(
                        "the sector burns none of the market's fuels (sectors.{s}.fuel_shares): an upstream market would cover nothing of it"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_covered_share_adds_the_shares_of_the_covered_fuels() {
        let shares = [0.6, 0.1, 0.05];
        assert_eq!(covered_share(&shares, &[0]), 0.6);
        assert!((covered_share(&shares, &[0, 2]) - 0.65).abs() < 1e-15);
        assert_eq!(covered_share(&shares, &[]), 0.0);
    }
}
