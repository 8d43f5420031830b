//! `[capacity]`: capacity dynamics, entry, exit and relocation (MODEL.md section 7.24). When the
//! section is present, the capacity of the listed sectors is a state of their plants instead of
//! following the demand index: plants retire at the end of their lifetime, exit after
//! `exit_years` consecutive years of negative expected margin, and each goods market builds
//! new plants to close the gap between expected demand and the capacity it will have, placed
//! across its cities by a logit on expected unit cost plus relocation cost, times a proximity
//! kernel.
//!
//! Units: costs and incentives as shares of the sector's product price per unit of output
//! (dimensionless, so one value fits sectors with different units), years, `theta`
//! dimensionless (like `sectors.<s>.logit_sensitivity`).

use super::limits::Bound::{Positive, Within};
use super::limits::limits;
use super::validate::Checker;
use crate::geography::GeographySpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[capacity]` as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacity {
    /// Sectors whose capacity is dynamic; empty: every sector except the `[power]` sector
    /// (whose fleets follow their own paths).
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Plant lifetime, years (initial plants retire at a uniformly drawn age within it).
    #[serde(default = "default_lifetime")]
    pub lifetime: f64,
    /// Plant lifetime by sector, years (overrides `lifetime`).
    #[serde(default)]
    pub lifetimes: BTreeMap<String, f64>,
    /// Build lag, years from the decision to the first year of output (at least 1).
    #[serde(default = "default_lag")]
    pub lag: u32,
    /// Sensitivity of the location logit to cost differences relative to the sector's price
    /// (dimensionless): a city whose expected unit cost is 1 % of the price higher gets
    /// `exp(-theta / 100)` times the weight.
    #[serde(default = "default_theta")]
    pub theta: f64,
    /// Relocation cost of building in another city of the origin's province, share of the
    /// sector's price per unit of output (annualised: lost suppliers, staff, logistics).
    #[serde(default = "default_relocation_city")]
    pub relocation_cost_city: f64,
    /// Relocation cost of building in another province, share of the sector's price per unit.
    #[serde(default = "default_relocation_province")]
    pub relocation_cost_province: f64,
    /// Proximity kernel weight of a city in the origin's agglomeration (1 in the origin city).
    #[serde(default = "default_kernel_agglomeration")]
    pub kernel_agglomeration: f64,
    /// Proximity kernel weight of any other city.
    #[serde(default = "default_kernel_other")]
    pub kernel_other: f64,
    /// A plant exits after this many consecutive years of negative expected margin (product
    /// price below expected unit cost including carbon).
    #[serde(default = "default_exit_years")]
    pub exit_years: u32,
    /// New plants have the energy intensity of this quantile of the sector's operating plants
    /// (before their technologies): the then-best practice.
    #[serde(default = "default_entrant_quantile")]
    pub entrant_quantile: f64,
    /// Further improvement of new plants' energy intensity per year after the run's start
    /// (vintage effect), share per year.
    #[serde(default)]
    pub vintage_gain: f64,
    /// Size of a new plant, multiple of the sector's mean initial plant capacity (the last
    /// plant of a year's build is smaller when the gap is).
    #[serde(default = "default_plant_size")]
    pub plant_size: f64,
    /// City incentives (land, tax breaks, industrial-transfer parks) lowering the unit cost a
    /// location decision sees.
    #[serde(default)]
    pub incentives: Vec<RawIncentive>,
}

limits!(RawCapacity {
    lifetime: Within(1.0, 200.0),
    lag: Within(1.0, 20.0),
    theta: Within(0.0, 1e6),
    relocation_cost_city: Within(0.0, 10.0),
    relocation_cost_province: Within(0.0, 10.0),
    kernel_agglomeration: Within(0.0, 1.0),
    kernel_other: Within(0.0, 1.0),
    exit_years: Within(1.0, 100.0),
    entrant_quantile: Within(0.0, 1.0),
    vintage_gain: Within(0.0, 0.2),
    plant_size: Positive,
});

/// `[[capacity.incentives]]`: a location incentive for new plants.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIncentive {
    /// A province or an agglomeration of the provinces table.
    pub region: String,
    /// Lowers the unit cost of a new plant there, share of the sector's price per unit.
    pub value: f64,
    /// Sectors it applies to; empty: every dynamic sector.
    #[serde(default)]
    pub sectors: Vec<String>,
    /// First year of decisions it applies to.
    #[serde(default = "default_from")]
    pub from: i32,
    /// Last year of decisions it applies to.
    #[serde(default = "default_to")]
    pub to: i32,
}

limits!(RawIncentive {
    value: Within(-10.0, 10.0),
    from: Within(1900.0, 2300.0),
    to: Within(1900.0, 2300.0),
});

fn default_lifetime() -> f64 {
    40.0
}
fn default_lag() -> u32 {
    2
}
fn default_theta() -> f64 {
    20.0
}
fn default_relocation_city() -> f64 {
    0.005
}
fn default_relocation_province() -> f64 {
    0.03
}
fn default_kernel_agglomeration() -> f64 {
    0.5
}
fn default_kernel_other() -> f64 {
    0.2
}
fn default_exit_years() -> u32 {
    3
}
fn default_entrant_quantile() -> f64 {
    0.1
}
fn default_plant_size() -> f64 {
    1.0
}
fn default_from() -> i32 {
    1900
}
fn default_to() -> i32 {
    2300
}

/// A resolved incentive.
#[derive(Clone, Debug, Serialize)]
pub struct Incentive {
    /// Provinces it applies to (ids).
    pub provinces: Vec<bool>,
    /// Share of the sector's price per unit.
    pub value: f64,
    /// Sectors it applies to (by id).
    pub sectors: Vec<bool>,
    /// First and last decision year.
    pub years: (i32, i32),
}

/// `[capacity]` resolved.
#[derive(Clone, Debug, Serialize)]
pub struct CapacitySpec {
    /// Whether each sector (by id) has dynamic capacity.
    pub dynamic: Vec<bool>,
    /// Plant lifetime per sector, years.
    pub lifetime: Vec<f64>,
    /// Build lag, years.
    pub lag: i32,
    /// Location logit sensitivity (dimensionless).
    pub theta: f64,
    /// Relocation cost within the province, share of price per unit.
    pub relocation_cost_city: f64,
    /// Relocation cost to another province, share of price per unit.
    pub relocation_cost_province: f64,
    /// Kernel weight within the origin's agglomeration.
    pub kernel_agglomeration: f64,
    /// Kernel weight elsewhere.
    pub kernel_other: f64,
    /// Consecutive loss years before exit.
    pub exit_years: u32,
    /// Entrant intensity quantile.
    pub entrant_quantile: f64,
    /// Vintage gain, share per year.
    pub vintage_gain: f64,
    /// Plant size multiple of the sector's mean initial plant.
    pub plant_size: f64,
    /// Incentives.
    pub incentives: Vec<Incentive>,
}

impl CapacitySpec {
    /// Incentive for a new plant of `sector` in `province` decided in `year`, share of price.
    pub fn incentive(&self, sector: usize, province: usize, year: i32) -> f64 {
        self.incentives
            .iter()
            .filter(|i| i.sectors[sector] && i.provinces[province])
            .filter(|i| (i.years.0..=i.years.1).contains(&year))
            .map(|i| i.value)
            .sum()
    }
}

/// Checks ranges of `[capacity]`.
pub fn validate(p: &RawCapacity, c: &mut Checker) {
    p.check_limits(c, &|f| format!("capacity.{f}"));
    for (name, v) in &p.lifetimes {
        c.range(&format!("capacity.lifetimes.{name}"), *v, 1.0, 200.0);
    }
    for (i, x) in p.incentives.iter().enumerate() {
        x.check_limits(c, &|k| format!("capacity.incentives[{i}].{k}"));
        if x.from > x.to {
            c.fail(
                &format!("capacity.incentives[{i}].to"),
                format!("= {}: must not be before from = {}", x.to, x.from),
            );
        }
    }
}

/// Resolves sector and region names; `power_sector` is excluded from the default list.
pub fn resolve(
    p: &RawCapacity,
    sector_names: &[String],
    power_sector: Option<usize>,
    g: &GeographySpec,
    c: &mut Checker,
) -> Option<CapacitySpec> {
    let n = sector_names.len();
    let ok = c.problems.len();
    let sector_list = |key: &str, names: &[String], c: &mut Checker| -> Vec<bool> {
        let mut v = vec![names.is_empty(); n];
        for (k, name) in names.iter().enumerate() {
            match sector_names.iter().position(|s| s == name) {
                Some(i) => v[i] = true,
                None => c.fail(
                    &format!("{key}[{k}]"),
                    format!(
                        "= {name:?}: no such sector; sectors are {}",
                        sector_names.join(", ")
                    ),
                ),
            }
        }
        v
    };
    let mut dynamic = sector_list("capacity.sectors", &p.sectors, c);
    if p.sectors.is_empty()
        && let Some(ps) = power_sector
    {
        dynamic[ps] = false;
    }
    if let Some(ps) = power_sector
        && p.sectors.iter().any(|s| s == &sector_names[ps])
    {
        c.fail(
            "capacity.sectors",
            format!(
                "lists {:?}, the [power] sector: its capacity follows the power fleets' paths",
                sector_names[ps]
            ),
        );
    }
    let mut lifetime = vec![p.lifetime; n];
    for (name, v) in &p.lifetimes {
        match sector_names.iter().position(|s| s == name) {
            Some(i) => lifetime[i] = *v,
            None => c.fail(
                &format!("capacity.lifetimes.{name}"),
                format!("no such sector; sectors are {}", sector_names.join(", ")),
            ),
        }
    }
    let mut incentives = Vec::new();
    for (i, x) in p.incentives.iter().enumerate() {
        let mut provinces = vec![false; g.provinces.len()];
        if let Some(k) = g.provinces.iter().position(|q| q.name == x.region) {
            provinces[k] = true;
        } else if let Some(a) = g.agglomerations.iter().position(|a| *a == x.region) {
            for city in &g.cities {
                if city.agglomeration == Some(a as u8) {
                    provinces[city.province as usize] = true;
                }
            }
        } else {
            c.fail(
                &format!("capacity.incentives[{i}].region"),
                format!(
                    "= {:?}: no such province or agglomeration of the provinces table",
                    x.region
                ),
            );
        }
        let sectors = sector_list(&format!("capacity.incentives[{i}].sectors"), &x.sectors, c);
        incentives.push(Incentive {
            provinces,
            value: x.value,
            sectors,
            years: (x.from, x.to),
        });
    }
    if c.problems.len() > ok {
        return None;
    }
    Some(CapacitySpec {
        dynamic,
        lifetime,
        lag: p.lag as i32,
        theta: p.theta,
        relocation_cost_city: p.relocation_cost_city,
        relocation_cost_province: p.relocation_cost_province,
        kernel_agglomeration: p.kernel_agglomeration,
        kernel_other: p.kernel_other,
        exit_years: p.exit_years,
        entrant_quantile: p.entrant_quantile,
        vintage_gain: p.vintage_gain,
        plant_size: p.plant_size,
        incentives,
    })
}
