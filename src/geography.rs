//! Geography: provinces from a data table, prefecture-level cities generated per province,
//! urban agglomerations and grid regions (MODEL.md section 2.1).
//!
//! The structure (which cities exist, their names, province, grid and agglomeration) depends
//! only on the tables and the config, so that configs can refer to cities by name and be
//! validated before a seed is known. The cities' GDP and population shares are drawn at
//! world build from keyed draws ([`draw_city_shares`]).

use crate::error::{Error, Result};
use crate::rng::{Stream, keyed};
use rand_distr::{Distribution, LogNormal};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The embedded provinces table (31 provinces, stylized data with confidence tags).
pub const EMBEDDED_PROVINCES: &str = include_str!("../configs/data/provinces.csv");

/// Most cities in a geography.
pub const MAX_CITIES: u64 = 10_000_000;

/// Most cities a province can have (table column or `geography.cities_per_province`).
pub const MAX_CITIES_PER_PROVINCE: u32 = 100_000;

/// The seven grid regions.
pub const GRIDS: [&str; 7] = [
    "North",
    "Northeast",
    "East",
    "Central",
    "Northwest",
    "South",
    "Southwest",
];

/// A named city inside a province.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedCity {
    /// City name, unique.
    pub name: String,
    /// Province it belongs to.
    pub province: String,
    /// Share of the province's GDP, in (0, 1).
    pub gdp_share: f64,
    /// Share of the province's population, in (0, 1).
    pub population_share: f64,
    /// Whether the city belongs to its province's agglomeration (if any).
    #[serde(default = "yes")]
    pub in_agglomeration: bool,
}

fn yes() -> bool {
    true
}

/// How cities are laid out within provinces (resolved from `[geography]`).
#[derive(Clone, Debug, Default)]
pub struct CityLayout {
    /// Cities per province, overriding the table's `cities` column (0 = use the table).
    pub cities_per_province: u32,
    /// Dispersion (lognormal sigma) of synthetic cities' GDP shares within a province.
    pub city_gdp_sigma: f64,
    /// Cities with names and given shares of their province.
    pub named_cities: Vec<NamedCity>,
}

/// One row of a provinces table (CSV columns of the same names).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProvinceRow {
    /// Province name, unique.
    pub name: String,
    /// Grid region, one of [`GRIDS`].
    pub grid: String,
    /// GDP in the table's data year, CNY trillion.
    pub gdp_cny_tn: f64,
    /// Population, million people.
    pub population_million: f64,
    /// CO2 in the table's CO2 year, Mt CO2.
    pub co2_mt: f64,
    /// Urban agglomeration, empty if none.
    #[serde(default)]
    pub agglomeration: String,
    /// Share of the province's cities inside the agglomeration, in [0, 1].
    #[serde(default)]
    pub agglomeration_city_share: f64,
    /// Number of prefecture-level cities.
    pub cities: u32,
    /// Confidence tag of the GDP value.
    #[serde(default)]
    pub conf_gdp: String,
    /// Confidence tag of the population value.
    #[serde(default)]
    pub conf_population: String,
    /// Confidence tag of the CO2 value.
    #[serde(default)]
    pub conf_co2: String,
    /// Confidence tag of the city count.
    #[serde(default)]
    pub conf_cities: String,
    /// Administrative division code (GB/T 2260, six digits, e.g. 110000 for Beijing), for
    /// joining output to maps and other data; empty if unknown.
    #[serde(default)]
    pub code: Option<u32>,
    /// Latitude of the province's centroid, degrees north; empty if unknown.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude of the province's centroid, degrees east; empty if unknown.
    #[serde(default)]
    pub lon: Option<f64>,
}

/// Reads a provinces table: `"embedded"` or a CSV path (relative to `base_dir`).
/// Errors name the file, the row and the column.
pub fn load_province_rows(source: &str, base_dir: &Path) -> Result<(String, Vec<ProvinceRow>)> {
    let (label, text) = if source == "embedded" {
        (
            "embedded provinces.csv".to_string(),
            EMBEDDED_PROVINCES.to_string(),
        )
    } else {
        let path = base_dir.join(source);
        let text = crate::input::read_text(&path).map_err(|e| {
            Error::input(format!(
                "geography.provinces = {source:?}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        (path.display().to_string(), text)
    };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, rec) in reader.deserialize::<ProvinceRow>().enumerate() {
        match rec {
            Ok(r) => rows.push(r),
            Err(e) => problems.push(format!("{label}: row {}: {e}", i + 2)),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        let at = format!("{label}: row {} ({})", i + 2, r.name);
        if !GRIDS.contains(&r.grid.as_str()) {
            problems.push(format!(
                "{at}: grid = {:?}: must be one of {GRIDS:?}",
                r.grid
            ));
        }
        for (col, v, hi) in [
            ("gdp_cny_tn", r.gdp_cny_tn, 1e6),
            ("population_million", r.population_million, 1e5),
            ("co2_mt", r.co2_mt, 1e6),
        ] {
            if !(v.is_finite() && v >= 0.0 && v <= hi) {
                problems.push(format!("{at}: {col} = {v}: must be within [0, {hi}]"));
            }
        }
        if !(0.0..=1.0).contains(&r.agglomeration_city_share) {
            problems.push(format!(
                "{at}: agglomeration_city_share = {}: must be within [0, 1]",
                r.agglomeration_city_share
            ));
        }
        if r.cities == 0 || r.cities > MAX_CITIES_PER_PROVINCE {
            problems.push(format!(
                "{at}: cities = {}: must be within [1, {MAX_CITIES_PER_PROVINCE}]",
                r.cities
            ));
        }
        if !seen.insert(r.name.as_str()) {
            problems.push(format!("{at}: duplicate province name {:?}", r.name));
        }
        if let Some(c) = r.code {
            if !(110_000..=829_999).contains(&c) || c % 10_000 != 0 {
                problems.push(format!(
                    "{at}: code = {c}: must be a GB/T 2260 province code (six digits ending in 0000, 110000-820000)"
                ));
            } else if rows[..i].iter().any(|o| o.code == Some(c)) {
                problems.push(format!("{at}: code = {c}: duplicate province code"));
            }
        }
        for (col, v, lim) in [("lat", r.lat, 90.0), ("lon", r.lon, 180.0)] {
            if let Some(v) = v
                && !(v.is_finite() && v.abs() <= lim)
            {
                problems.push(format!(
                    "{at}: {col} = {v}: must be within [-{lim}, {lim}] degrees"
                ));
            }
        }
        if r.lat.is_some() != r.lon.is_some() {
            problems.push(format!("{at}: lat and lon: give both or neither"));
        }
    }
    let agglomerations: std::collections::HashSet<&str> = rows
        .iter()
        .map(|r| r.agglomeration.trim())
        .filter(|a| !a.is_empty())
        .collect();
    if agglomerations.len() > usize::from(u8::MAX) {
        problems.push(format!(
            "{label}: column agglomeration: {} agglomerations named: at most {}",
            agglomerations.len(),
            u8::MAX
        ));
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(format!("{label}: the provinces table has no rows"));
    }
    if problems.is_empty() {
        Ok((label, rows))
    } else {
        Err(Error::Input { problems })
    }
}

/// A province as used by the model.
#[derive(Clone, Debug, Serialize)]
pub struct Province {
    /// Index in [`GeographySpec::provinces`].
    pub id: u16,
    /// Name.
    pub name: String,
    /// Grid region index into [`GRIDS`].
    pub grid: u8,
    /// GDP in the data year, CNY.
    pub gdp_cny: f64,
    /// Population, people.
    pub population: f64,
    /// CO2 in the CO2 data year, t CO2.
    pub co2_t: f64,
    /// Agglomeration index, if any.
    pub agglomeration: Option<u8>,
    /// GB/T 2260 code, if the table gives one.
    pub code: Option<u32>,
    /// Centroid (latitude north, longitude east), degrees, if the table gives one.
    pub centroid: Option<(f64, f64)>,
}

/// A city before its shares are drawn.
#[derive(Clone, Debug, Serialize)]
pub struct CityPlan {
    /// City id (index in [`GeographySpec::cities`]).
    pub id: u32,
    /// Name: a named city's name, the province name for one-city provinces, else
    /// `<Province>-<k>`.
    pub name: String,
    /// Province index.
    pub province: u16,
    /// Grid index.
    pub grid: u8,
    /// Agglomeration index, if the city belongs to one.
    pub agglomeration: Option<u8>,
    /// Given (GDP share, population share) of the province for named cities.
    pub fixed_shares: Option<(f64, f64)>,
}

/// The geography's structure: provinces, cities, agglomeration names.
#[derive(Clone, Debug, Serialize)]
pub struct GeographySpec {
    /// Provinces in table order.
    pub provinces: Vec<Province>,
    /// Cities grouped by province in table order.
    pub cities: Vec<CityPlan>,
    /// Agglomeration names (index = agglomeration id).
    pub agglomerations: Vec<String>,
    /// Lognormal sigma of synthetic city GDP weights.
    pub city_gdp_sigma: f64,
    /// City id by name.
    #[serde(skip)]
    city_index: HashMap<String, u32>,
}

/// The provinces of a provinces table and its agglomeration names (ids must fit their types).
fn provinces_of(rows: &[ProvinceRow], label: &str) -> Result<(Vec<Province>, Vec<String>)> {
    let mut agglomerations: Vec<String> = Vec::new();
    let mut provinces = Vec::with_capacity(rows.len());
    if rows.len() > usize::from(u16::MAX) {
        return Err(Error::input(format!(
            "{label}: the provinces table has {} rows: at most {}",
            rows.len(),
            u16::MAX
        )));
    }
    for (i, r) in rows.iter().enumerate() {
        let agg = if r.agglomeration.trim().is_empty() {
            None
        } else {
            let pos = agglomerations.iter().position(|a| a == &r.agglomeration);
            let id = pos.unwrap_or_else(|| {
                agglomerations.push(r.agglomeration.clone());
                agglomerations.len() - 1
            });
            match u8::try_from(id) {
                Ok(id) => Some(id),
                Err(_) => {
                    return Err(Error::input(format!(
                        "{label}: the provinces table names more than {} agglomerations",
                        u8::MAX
                    )));
                }
            }
        };
        provinces.push(Province {
            id: i as u16,
            name: r.name.clone(),
            grid: GRIDS.iter().position(|g| *g == r.grid).unwrap_or(0) as u8,
            gdp_cny: r.gdp_cny_tn * 1e12,
            population: r.population_million * 1e6,
            co2_t: r.co2_mt * 1e6,
            agglomeration: agg,
            code: r.code,
            centroid: r.lat.zip(r.lon),
        });
    }
    Ok((provinces, agglomerations))
}

/// Problems of the named cities: unknown province, shares outside (0, 1), duplicate names.
fn check_named(cfg: &CityLayout, provinces: &[Province], label: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut named_seen = std::collections::HashSet::new();
    for (k, nc) in cfg.named_cities.iter().enumerate() {
        let at = format!("{label}: geography.named_cities[{k}]");
        if !provinces.iter().any(|p| p.name == nc.province) {
            problems.push(format!(
                "{at}.province = {:?}: no such province",
                nc.province
            ));
        }
        for (key, v) in [
            ("gdp_share", nc.gdp_share),
            ("population_share", nc.population_share),
        ] {
            if !(v > 0.0 && v < 1.0) {
                problems.push(format!("{at}.{key} = {v}: must be within (0, 1)"));
            }
        }
        if !named_seen.insert(nc.name.as_str()) {
            problems.push(format!("{at}.name = {:?}: duplicate city name", nc.name));
        }
    }
    problems
}

impl GeographySpec {
    /// Builds the structure; `label` names the config file in errors.
    pub fn new(rows: &[ProvinceRow], cfg: &CityLayout, label: &str) -> Result<Self> {
        let mut problems = Vec::new();
        let (provinces, agglomerations) = provinces_of(rows, label)?;
        problems.extend(check_named(cfg, &provinces, label));
        let per = |r: &ProvinceRow| {
            u64::from(if cfg.cities_per_province > 0 {
                cfg.cities_per_province
            } else {
                r.cities
            })
        };
        let total: u64 = rows.iter().map(per).sum();
        if total > MAX_CITIES {
            return Err(Error::input(format!(
                "{label}: geography: {total} cities in all: at most {MAX_CITIES}"
            )));
        }
        let mut cities = Vec::new();
        for (pi, (p, r)) in provinces.iter().zip(rows).enumerate() {
            let named: Vec<_> = cfg
                .named_cities
                .iter()
                .filter(|c| c.province == p.name)
                .collect();
            let n = if cfg.cities_per_province > 0 {
                cfg.cities_per_province
            } else {
                r.cities
            } as usize;
            let named_gdp: f64 = named.iter().map(|c| c.gdp_share).sum();
            let named_pop: f64 = named.iter().map(|c| c.population_share).sum();
            if !named.is_empty() && (named.len() >= n || named_gdp >= 1.0 || named_pop >= 1.0) {
                problems.push(format!(
                    "{label}: geography.named_cities in {}: {} named cities with GDP share {named_gdp} and population share {named_pop} leave nothing for the other {} cities: shares must sum below 1 and the province needs more cities",
                    p.name,
                    named.len(),
                    n.saturating_sub(named.len())
                ));
                continue;
            }
            let in_agg = (r.agglomeration_city_share * n as f64).round() as usize;
            let mut agg_left = in_agg;
            for c in &named {
                let agg = if c.in_agglomeration && agg_left > 0 {
                    agg_left -= 1;
                    p.agglomeration
                } else {
                    None
                };
                cities.push(CityPlan {
                    id: cities.len() as u32,
                    name: c.name.clone(),
                    province: pi as u16,
                    grid: p.grid,
                    agglomeration: agg,
                    fixed_shares: Some((c.gdp_share, c.population_share)),
                });
            }
            let synthetic = n - named.len();
            for k in 1..=synthetic {
                let name = if n == 1 {
                    p.name.clone()
                } else {
                    format!("{}-{k}", p.name)
                };
                let agg = if agg_left > 0 {
                    agg_left -= 1;
                    p.agglomeration
                } else {
                    None
                };
                cities.push(CityPlan {
                    id: cities.len() as u32,
                    name,
                    province: pi as u16,
                    grid: p.grid,
                    agglomeration: agg,
                    fixed_shares: None,
                });
            }
        }
        let mut city_index = HashMap::with_capacity(cities.len());
        for c in &cities {
            if city_index.insert(c.name.clone(), c.id).is_some() {
                problems.push(format!(
                    "{label}: geography: duplicate city name {:?} (a named city clashes with a generated one)",
                    c.name
                ));
            }
        }
        if problems.is_empty() {
            Ok(GeographySpec {
                provinces,
                cities,
                agglomerations,
                city_gdp_sigma: cfg.city_gdp_sigma,
                city_index,
            })
        } else {
            Err(Error::Input { problems })
        }
    }

    /// The id of the city called `name`.
    pub fn city_id(&self, name: &str) -> Option<u32> {
        self.city_index.get(name).copied()
    }

    /// The id of the province called `name`.
    pub fn province_id(&self, name: &str) -> Option<u16> {
        self.provinces.iter().find(|p| p.name == name).map(|p| p.id)
    }
}

/// Drawn shares of one city within its province.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CityShares {
    /// Share of the province's GDP.
    pub gdp: f64,
    /// Share of the province's population.
    pub population: f64,
}

/// Draws every city's GDP and population share of its province (keyed by city id).
/// Named cities keep their given shares; synthetic ones split the rest by lognormal weights
/// (population weights are the GDP weights to the power 0.7, so population is more even).
pub fn draw_city_shares(plan: &GeographySpec, seed: u64) -> Vec<CityShares> {
    let mut out = vec![
        CityShares {
            gdp: 0.0,
            population: 0.0
        };
        plan.cities.len()
    ];
    let sigma = plan.city_gdp_sigma;
    for p in &plan.provinces {
        let ids: Vec<usize> = plan
            .cities
            .iter()
            .filter(|c| c.province == p.id)
            .map(|c| c.id as usize)
            .collect();
        let (mut gdp_left, mut pop_left) = (1.0, 1.0);
        let mut weights = Vec::new();
        for &i in &ids {
            match plan.cities[i].fixed_shares {
                Some((g, q)) => {
                    out[i] = CityShares {
                        gdp: g,
                        population: q,
                    };
                    gdp_left -= g;
                    pop_left -= q;
                }
                None => {
                    let w = match LogNormal::new(0.0, sigma) {
                        Ok(d) => d.sample(&mut keyed(seed, Stream::CityShares, i as u64, 0, 0)),
                        Err(_) => 1.0,
                    };
                    weights.push((i, w));
                }
            }
        }
        let wsum: f64 = weights.iter().map(|x| x.1).sum();
        let psum: f64 = weights.iter().map(|x| x.1.powf(0.7)).sum();
        for (i, w) in weights {
            out[i] = CityShares {
                gdp: gdp_left * w / wsum,
                population: pop_left * w.powf(0.7) / psum,
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_loads_and_shares_sum_to_one() {
        let (_, rows) = load_province_rows("embedded", Path::new(".")).unwrap();
        assert_eq!(rows.len(), 31);
        // Every province has its GB/T 2260 code and a centroid inside China's bounding box.
        let bj = rows.iter().find(|r| r.name == "Beijing").unwrap();
        assert_eq!(bj.code, Some(110_000));
        for r in &rows {
            let (lat, lon) = (r.lat.unwrap(), r.lon.unwrap());
            assert!(r.code.is_some(), "{}", r.name);
            assert!(
                (18.0..54.0).contains(&lat) && (73.0..135.0).contains(&lon),
                "{}",
                r.name
            );
        }
        let gdp: f64 = rows.iter().map(|r| r.gdp_cny_tn).sum();
        assert!((gdp - 126.0).abs() < 2.0, "{gdp}");
        let mut cfg = CityLayout {
            city_gdp_sigma: 0.5,
            ..Default::default()
        };
        cfg.named_cities.push(NamedCity {
            name: "Shenzhen".into(),
            province: "Guangdong".into(),
            gdp_share: 0.25,
            population_share: 0.14,
            in_agglomeration: true,
        });
        let plan = GeographySpec::new(&rows, &cfg, "test").unwrap();
        assert!(plan.city_id("Shenzhen").is_some());
        assert!(plan.city_id("Beijing").is_some());
        assert_eq!(plan.agglomerations.len(), 5);
        let shares = draw_city_shares(&plan, 1);
        for p in &plan.provinces {
            let s: f64 = plan
                .cities
                .iter()
                .filter(|c| c.province == p.id)
                .map(|c| shares[c.id as usize].gdp)
                .sum();
            assert!((s - 1.0).abs() < 1e-9);
        }
        let gd = plan.province_id("Guangdong").unwrap();
        let prd = plan
            .cities
            .iter()
            .filter(|c| c.province == gd && c.agglomeration.is_some())
            .count();
        assert_eq!(prd, 9);
    }
}
