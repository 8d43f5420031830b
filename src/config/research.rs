//! `[research]`: collaborative R&D programmes and two-factor learning (MODEL.md section 7.26).
//! Programmes of a region (an agglomeration, a province or the nation) spend a budget on
//! technologies each year; the spending builds knowledge stocks that lower the technologies'
//! capex by learning by searching, on top of learning by doing, with spillovers to other
//! cities through the diffusion kernel (`[diffusion]` `phi_agglomeration`, `phi_national`).
//!
//! Units: budgets and stocks in CNY (CNY per year for budgets), rates as shares.

use super::limits::Bound::{Positive, Within};
use super::limits::limits;
use super::series::{PathRaw, Series};
use super::validate::Checker;
use crate::geography::GeographySpec;
use serde::{Deserialize, Serialize};

/// `[research]` as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResearch {
    /// Learning-by-searching rate: the share by which capex falls when the effective
    /// knowledge stock (base plus programmes) doubles, in [0, 0.99).
    #[serde(default = "default_searching_rate")]
    pub searching_rate: f64,
    /// Knowledge stock of every technology before any programme, CNY (the scale against which
    /// programme knowledge doubles).
    #[serde(default = "default_knowledge_base")]
    pub knowledge_base: f64,
    /// Share of a knowledge stock lost per year.
    #[serde(default = "default_depreciation")]
    pub depreciation: f64,
    /// The programmes.
    #[serde(default)]
    pub programmes: Vec<RawProgramme>,
}

limits!(RawResearch {
    searching_rate: Within(0.0, 0.99),
    knowledge_base: Positive,
    depreciation: Within(0.0, 1.0),
});

/// `[[research.programmes]]`: one R&D programme.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgramme {
    /// Name (output column `programme`), unique.
    pub name: String,
    /// `"China"`, a province or an agglomeration of the provinces table: its cities fund and
    /// run the programme.
    pub region: String,
    /// Technologies it works on (empty: every technology).
    #[serde(default)]
    pub technologies: Vec<String>,
    /// Budget, CNY per year (path, default 0), from the region's city budgets (each city pays
    /// its GDP share of it), split equally over its technologies.
    #[serde(default)]
    pub budget: PathRaw,
    /// Market whose auction, reserve and tax revenue also funds the programme (with
    /// `revenue_share`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
    /// Share of `market`'s revenue paid into the programme while it runs, taken before
    /// eco-compensation and recycling and spent the next year, in [0, 1].
    #[serde(default)]
    pub revenue_share: f64,
    /// First year it spends.
    #[serde(default = "default_from")]
    pub from: i32,
    /// Last year it spends (its stock remains and depreciates).
    #[serde(default = "default_to")]
    pub to: i32,
    /// `true`: one joint programme whose knowledge every city of the region uses fully;
    /// `false`: each city runs its own share (budget by GDP share) and the others use it
    /// through the kernel only.
    #[serde(default = "yes")]
    pub joint: bool,
}

limits!(RawProgramme {
    budget: Within(0.0, 1e15),
    revenue_share: Within(0.0, 1.0),
    from: Within(1900.0, 2300.0),
    to: Within(1900.0, 2300.0),
});

fn default_searching_rate() -> f64 {
    0.1
}
fn default_knowledge_base() -> f64 {
    5e9
}
fn default_depreciation() -> f64 {
    0.05
}
fn default_from() -> i32 {
    1900
}
fn default_to() -> i32 {
    2300
}
fn yes() -> bool {
    true
}

/// A resolved programme.
#[derive(Clone, Debug, Serialize)]
pub struct Programme {
    /// Name.
    pub name: String,
    /// Whether each city (by id) belongs to the region.
    pub cities: Vec<bool>,
    /// Technology ids it works on.
    pub technologies: Vec<usize>,
    /// Budget per year, CNY.
    pub budget: Series,
    /// Spending years.
    pub years: (i32, i32),
    /// Joint programme.
    pub joint: bool,
    /// Market id and share of its revenue that funds the programme (None: budget only).
    pub revenue: Option<(usize, f64)>,
}

/// `[research]` resolved.
#[derive(Clone, Debug, Serialize)]
pub struct ResearchSpec {
    /// Learning-by-searching rate.
    pub searching_rate: f64,
    /// Knowledge base, CNY.
    pub knowledge_base: f64,
    /// Depreciation, share per year.
    pub depreciation: f64,
    /// Programmes in file order.
    pub programmes: Vec<Programme>,
}

/// Checks ranges of `[research]`.
pub fn validate(r: &RawResearch, c: &mut Checker) {
    r.check_limits(c, &|k| format!("research.{k}"));
    for (i, p) in r.programmes.iter().enumerate() {
        p.check_limits(c, &|k| format!("research.programmes[{i}].{k}"));
        if p.from > p.to {
            c.fail(
                &format!("research.programmes[{i}].to"),
                format!("= {}: must not be before from = {}", p.to, p.from),
            );
        }
        if r.programmes[..i].iter().any(|o| o.name == p.name) {
            c.fail(
                &format!("research.programmes[{i}].name"),
                format!("= {:?}: a second programme of that name", p.name),
            );
        }
    }
}

/// Resolves regions, technology and market names.
pub fn resolve(
    r: &RawResearch,
    g: &GeographySpec,
    (tech_names, market_names): (&[String], &[String]),
    (y0, y1): (i32, i32),
    c: &mut Checker,
) -> ResearchSpec {
    let mut programmes = Vec::new();
    for (i, p) in r.programmes.iter().enumerate() {
        let key = |k: &str| format!("research.programmes[{i}].{k}");
        let cities: Vec<bool> = if p.region == "China" {
            vec![true; g.cities.len()]
        } else if let Some(pid) = g.province_id(&p.region) {
            g.cities.iter().map(|x| x.province == pid).collect()
        } else if let Some(a) = g.agglomerations.iter().position(|a| *a == p.region) {
            g.cities
                .iter()
                .map(|x| x.agglomeration == Some(a as u8))
                .collect()
        } else {
            c.fail(
                &key("region"),
                format!(
                    "= {:?}: use \"China\", a province or an agglomeration of the provinces table",
                    p.region
                ),
            );
            continue;
        };
        let technologies = if p.technologies.is_empty() {
            (0..tech_names.len()).collect()
        } else {
            let mut v = Vec::new();
            for (k, name) in p.technologies.iter().enumerate() {
                match tech_names.iter().position(|t| t == name) {
                    Some(id) => v.push(id),
                    None => c.fail(
                        &format!("research.programmes[{i}].technologies[{k}]"),
                        format!("= {name:?}: no such technology"),
                    ),
                }
            }
            v
        };
        let revenue = match (&p.market, p.revenue_share) {
            (None, s) if s > 0.0 => {
                c.fail(
                    &key("market"),
                    "is missing: revenue_share needs the market whose revenue funds the programme",
                );
                None
            }
            (None, _) => None,
            (Some(m), s) => match market_names.iter().position(|x| x == m) {
                Some(id) => (s > 0.0).then_some((id, s)),
                None => {
                    c.fail(
                        &key("market"),
                        format!(
                            "= {m:?}: no such market (known: {})",
                            market_names.join(", ")
                        ),
                    );
                    None
                }
            },
        };
        programmes.push(Programme {
            revenue,
            name: p.name.clone(),
            cities,
            technologies,
            budget: p.budget.resolve(y0, y1),
            years: (p.from, p.to),
            joint: p.joint,
        });
    }
    for (m, name) in market_names.iter().enumerate() {
        let total: f64 = programmes
            .iter()
            .filter_map(|p| p.revenue.filter(|x| x.0 == m).map(|x| x.1))
            .sum();
        if total > 1.0 + 1e-9 {
            c.fail(
                "research.programmes",
                format!("take {total} of market {name:?}'s revenue in all: at most 1"),
            );
        }
    }
    ResearchSpec {
        searching_rate: r.searching_rate,
        knowledge_base: r.knowledge_base,
        depreciation: r.depreciation,
        programmes,
    }
}
