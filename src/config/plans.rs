//! Five-year plans resolved: sector names turned into per-sector flags and paths, province
//! names of a plan's cut table into a per-province vector, so that the administrative
//! systems never look a name up per firm per year.

use super::kinds::{CitySplit, CurtailmentOrder, Differentiation, Metric, StandardKind};
use super::raw::RawPlan;
use super::scenario::SectorSpec;
use super::series::Series;
use super::validate::Checker;
use crate::geography::GeographySpec;
use serde::Serialize;

/// A resolved `[[plans]]` entry (see `config/raw.rs` for each key's meaning and unit).
#[derive(Clone, Debug, Serialize)]
pub struct PlanSpec {
    /// Position in the scenario's plans (index into `Scenario::plans`).
    pub id: usize,
    /// Name, e.g. `"12th"`.
    pub name: String,
    /// First plan year.
    pub start_year: i32,
    /// Last plan year (targets are for this year).
    pub end_year: i32,
    /// National cut of energy intensity over the plan, share.
    pub energy_intensity_cut: Option<f64>,
    /// National cut of carbon intensity over the plan, share.
    pub carbon_intensity_cut: Option<f64>,
    /// National energy cap in the plan's last year, tce.
    pub energy_cap_tce: Option<f64>,
    /// How targets are split to provinces.
    pub differentiation: Differentiation,
    /// How a province's cut is split to its cities.
    pub city_split: CitySplit,
    /// Cut of the enforced metric per province id under `differentiation = "table"` (None:
    /// the national cut), shares.
    pub table: Vec<Option<f64>>,
    /// Which target the firm standards follow.
    pub metric: Metric,
    /// Whether cities enforce standards on their firms.
    pub enforce: bool,
    /// Whether the plan regulates each sector id.
    pub regulates: Vec<bool>,
    /// Form of the firm standard.
    pub firm_standard: StandardKind,
    /// Uniform-rate standard set directly per sector id (metric units per unit of output).
    pub fixed_rate: Vec<Option<Series>>,
    /// Largest cut a city may impose on a firm's plan base-year intensity, share.
    pub max_stringency: f64,
    /// Order of curtailment when an energy cap binds.
    pub curtailment_order: CurtailmentOrder,
}

impl PlanSpec {
    /// Whether `year` is within the plan.
    pub fn covers(&self, year: i32) -> bool {
        self.start_year <= year && year <= self.end_year
    }
}

/// Resolves the plans over the years `y0..=y1`; unknown provinces in a cut table go to `c`.
pub fn resolve_plans(
    raw: &[RawPlan],
    sectors: &[SectorSpec],
    geography: &GeographySpec,
    (y0, y1): (i32, i32),
    c: &mut Checker,
) -> Vec<PlanSpec> {
    raw.iter()
        .enumerate()
        .map(|(i, p)| {
            for prov in p.table.keys() {
                if geography.province_id(prov).is_none() {
                    c.fail(&format!("plans[{i}].table.{prov}"), "no such province");
                }
            }
            PlanSpec {
                id: i,
                name: p.name.clone(),
                start_year: p.start_year,
                end_year: p.end_year,
                energy_intensity_cut: p.energy_intensity_cut,
                carbon_intensity_cut: p.carbon_intensity_cut,
                energy_cap_tce: p.energy_cap_tce,
                differentiation: p.differentiation,
                city_split: p.city_split,
                table: geography
                    .provinces
                    .iter()
                    .map(|prov| p.table.get(&prov.name).copied())
                    .collect(),
                metric: p.metric,
                enforce: p.enforce,
                regulates: sectors
                    .iter()
                    .map(|s| p.sectors.is_empty() || p.sectors.contains(&s.name))
                    .collect(),
                firm_standard: p.firm_standard,
                fixed_rate: sectors
                    .iter()
                    .map(|s| p.fixed_rate.get(&s.name).map(|x| x.resolve(y0, y1)))
                    .collect(),
                max_stringency: p.max_stringency,
                curtailment_order: p.curtailment_order,
            }
        })
        .collect()
}
