//! `markets[].compensation` and `markets[].benchmark_adjustment`: eco-compensation between
//! provinces and regional adjustment of benchmarks (MODEL.md section 7.25).
//!
//! Units: shares (dimensionless), benchmark factors (dimensionless multipliers).

use super::limits::Bound::Within;
use super::limits::limits;
use super::validate::Checker;
use crate::geography::GeographySpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the compensation pool is divided among the recipient provinces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CompensationRule {
    /// By population.
    #[default]
    Population,
    /// By the abatement the market's covered firms in the province delivered this year
    /// (below their counterfactual): "those who reduce emissions benefit".
    Abatement,
    /// By development tier: population x (national GDP per person / the province's GDP per
    /// person), so poorer provinces receive more per person.
    Development,
}

/// `markets[].compensation` as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompensation {
    /// Share of the market's auction, reserve and tax revenue paid as compensation, in [0, 1];
    /// the rest follows `recycling`.
    pub share: f64,
    /// How the pool is divided among the recipients.
    #[serde(default)]
    pub rule: CompensationRule,
    /// Recipient provinces (empty: every province, covered by the market or not).
    #[serde(default)]
    pub provinces: Vec<String>,
}

limits!(RawCompensation {
    share: Within(0.0, 1.0),
});

/// Compensation resolved.
#[derive(Clone, Debug, Serialize)]
pub struct CompensationSpec {
    /// Share of revenue.
    pub share: f64,
    /// Division rule.
    pub rule: CompensationRule,
    /// Whether each province (by id) receives.
    pub recipients: Vec<bool>,
}

/// Resolves market `i`'s compensation (province names); problems go to `c`.
pub fn resolve(
    i: usize,
    x: &RawCompensation,
    g: &GeographySpec,
    c: &mut Checker,
) -> Option<CompensationSpec> {
    x.check_limits(c, &|k| format!("markets[{i}].compensation.{k}"));
    let mut recipients = vec![x.provinces.is_empty(); g.provinces.len()];
    for (k, p) in x.provinces.iter().enumerate() {
        match g.province_id(p) {
            Some(id) => recipients[id as usize] = true,
            None => c.fail(
                &format!("markets[{i}].compensation.provinces[{k}]"),
                format!("= {p:?}: no such province of the provinces table"),
            ),
        }
    }
    Some(CompensationSpec {
        share: x.share,
        rule: x.rule,
        recipients,
    })
}

/// Benchmark factor per province of market `i` (1 where not set); names and ranges checked.
pub fn benchmark_factors(
    i: usize,
    raw: &BTreeMap<String, f64>,
    g: &GeographySpec,
    c: &mut Checker,
) -> Vec<f64> {
    let mut f = vec![1.0; g.provinces.len()];
    for (name, v) in raw {
        let key = format!("markets[{i}].benchmark_adjustment.{name}");
        match g.province_id(name) {
            Some(id) => {
                c.range(&key, *v, 0.0, 10.0);
                f[id as usize] = *v;
            }
            None => c.fail(&key, "no such province of the provinces table"),
        }
    }
    f
}
