//! `[power]`: the power system across provinces (MODEL.md section 7.22). When the section is
//! present, the thermal plants of the named sector are dispatched each year together with
//! provincial fleets (hydro, nuclear, wind, solar, ...), storage and transmission corridors by a
//! least-cost linear program ([`crate::energy::dispatch`]) instead of selling through the
//! goods market's logit.
//!
//! Units: capacities in GW in the file (MW inside), energy in TWh in the file (MWh inside),
//! costs in CNY per MWh, emission factors in t CO2 per MWh, hours in h.

use super::limits::Bound::{Positive, PositiveTo, Within};
use super::limits::limits;
use super::series::{PathRaw, Series};
use super::validate::Checker;
use crate::energy::dispatch::Slice;
use crate::energy::provinces::PowerTable;
use crate::geography::{GRIDS, GeographySpec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[power]` as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPower {
    /// The sector whose firms are the thermal (coal and gas) plants; each is dispatched in its
    /// province.
    #[serde(default = "default_sector")]
    pub sector: String,
    /// Provincial shares table: `"embedded"` (configs/data/power-provinces.csv) or a CSV path
    /// relative to the scenario file (a `province` column and share columns).
    #[serde(default = "embedded")]
    pub provinces: String,
    /// National electricity demand at the busbar (load to be generated), TWh per year.
    pub demand_twh: PathRaw,
    /// Column of the provincial table that splits the load over provinces.
    #[serde(default = "default_demand_share")]
    pub demand_share: String,
    /// Column of the provincial table by which the sector's generated thermal firms are
    /// placed in provinces (cities within a province by GDP share); `""`: by the sector's
    /// `location`.
    #[serde(default = "default_thermal_share")]
    pub thermal_share: String,
    /// Column of the provincial table that multiplies the variable cost of the sector's
    /// generated firms by province (regional coal prices: mine-mouth plants are cheaper),
    /// a factor (not a share); `""`: no regional factor.
    #[serde(default)]
    pub thermal_cost: String,
    /// Representative time slices: a preset name (`"seasons_day_night"`: 4 seasons x day and
    /// night, 12 h each) or a list of slices.
    #[serde(default)]
    pub slices: RawSlices,
    /// Generation fleets other than the thermal firms, by technology name.
    #[serde(default)]
    pub fleets: BTreeMap<String, RawFleet>,
    /// Storage fleets by name (pumped hydro, batteries).
    #[serde(default)]
    pub storage: BTreeMap<String, RawStorageFleet>,
    /// Corridor table: `"embedded"` (configs/data/transmission-corridors.csv) or a CSV path
    /// (`province_a,province_b,capacity_mw`).
    #[serde(default = "embedded")]
    pub corridors: String,
    /// Multiplier of every corridor's table capacity per year (history and general growth).
    #[serde(default = "one")]
    pub corridor_scale: PathRaw,
    /// Further multipliers of the corridors between two sets of provinces or grid regions.
    #[serde(default)]
    pub corridor_paths: Vec<RawCorridorPath>,
    /// Corridors not in the table.
    #[serde(default)]
    pub new_corridors: Vec<RawNewCorridor>,
    /// Share of the power sent over a corridor that is lost.
    #[serde(default = "default_loss")]
    pub corridor_loss: f64,
    /// Available share of a thermal firm's capacity in every slice (outages, maintenance).
    #[serde(default = "default_thermal_availability")]
    pub thermal_availability: f64,
    /// Thermal firms of a province are grouped into this many cost bins for the program
    /// (equal numbers of firms, cheapest first); within a province the dispatched thermal
    /// generation of a slice goes to its firms in merit order.
    #[serde(default = "default_bins")]
    pub thermal_bins: u32,
    /// Value of lost load: the cost of a MWh not served, CNY per MWh.
    #[serde(default = "default_voll")]
    pub voll: f64,
    /// How a province's thermal generation is shared among its plants: `"logit"` (planned
    /// generation hours tempered by cost: the goods market's logit shares on expected unit
    /// cost with the sector's `logit_sensitivity`, capped by capacity, over the year) or
    /// `"merit_order"` (cheapest first in every slice, as the program would with one unit per
    /// plant).
    #[serde(default)]
    pub within_province: WithinProvince,
}

/// How a province's thermal generation is shared among its plants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithinProvince {
    /// Logit shares on expected unit cost, capped by capacity, over the year.
    #[default]
    Logit,
    /// Cheapest first in every slice.
    MeritOrder,
}

fn default_sector() -> String {
    "power".into()
}
fn embedded() -> String {
    "embedded".into()
}
fn default_demand_share() -> String {
    "demand".into()
}
fn default_thermal_share() -> String {
    "thermal".into()
}
fn one() -> PathRaw {
    PathRaw::Constant(1.0)
}
fn default_loss() -> f64 {
    0.03
}
fn default_thermal_availability() -> f64 {
    0.9
}
fn default_bins() -> u32 {
    4
}
fn default_voll() -> f64 {
    5000.0
}

limits!(RawPower {
    demand_twh: Within(0.0, 1e5),
    corridor_scale: Within(0.0, 1e3),
    corridor_loss: Within(0.0, 0.5),
    thermal_availability: PositiveTo(1.0),
    thermal_bins: Within(1.0, 1000.0),
    voll: Within(1.0, 1e6),
});

/// `slices`: a preset name or a list.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawSlices {
    /// A preset: `"seasons_day_night"`.
    Preset(String),
    /// Explicit slices, in order.
    List(Vec<RawSlice>),
}

impl Default for RawSlices {
    fn default() -> Self {
        RawSlices::Preset("seasons_day_night".into())
    }
}

/// One time slice.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlice {
    /// Name (e.g. `summer_day`).
    pub name: String,
    /// Hours of the year the slice stands for (the slices' hours add up to 8760), h.
    pub hours_per_year: f64,
    /// Length of one occurrence, h (storage moves power x hours per occurrence).
    pub hours: f64,
    /// Storage cycle: consecutive slices with the same cycle form one repeating day.
    #[serde(default)]
    pub cycle: u16,
    /// Load relative to the year's average load (normalised so that the hour-weighted mean
    /// is 1).
    #[serde(default = "one_f")]
    pub load: f64,
    /// Availability shapes by name (a fleet's `shape`), relative: a fleet's availability in
    /// the slice is `capacity_factor x shape / (hour-weighted mean shape)`, at most 1; a
    /// shape not listed is 1.
    #[serde(default)]
    pub shape: BTreeMap<String, f64>,
}

fn one_f() -> f64 {
    1.0
}

limits!(RawSlice {
    hours_per_year: Positive,
    hours: PositiveTo(8760.0),
    load: Within(0.0, 100.0),
});

/// A generation fleet: national capacity path split over provinces by a table column.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFleet {
    /// National installed capacity, GW.
    pub capacity_gw: PathRaw,
    /// Column of the provincial table that splits it.
    pub share: String,
    /// Variable cost, CNY per MWh.
    #[serde(default)]
    pub cost: f64,
    /// Emission factor, t CO2 per MWh (0 for hydro, nuclear, wind, solar, biomass).
    #[serde(default)]
    pub emission: f64,
    /// Annual mean available share of capacity (capacity factor if never curtailed).
    pub capacity_factor: f64,
    /// Availability shape over the slices (a key of the slices' `shape`); none: flat.
    #[serde(default)]
    pub shape: Option<String>,
}

limits!(RawFleet {
    capacity_gw: Within(0.0, 1e5),
    cost: Within(0.0, 1e5),
    emission: Within(0.0, 5.0),
    capacity_factor: PositiveTo(1.0),
});

/// A storage fleet: national power path split over provinces.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStorageFleet {
    /// National charging and discharging power, GW.
    pub power_gw: PathRaw,
    /// Energy over power, h.
    pub hours: f64,
    /// Round-trip efficiency: MWh stored per MWh charged.
    pub efficiency: f64,
    /// Column of the provincial table that splits it.
    pub share: String,
}

limits!(RawStorageFleet {
    power_gw: Within(0.0, 1e5),
    hours: PositiveTo(1000.0),
    efficiency: PositiveTo(1.0),
});

/// Corridors between two sets of provinces or grid regions scaled by a path (e.g. the
/// west-to-east corridors).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorridorPath {
    /// Name (for errors and docs).
    pub name: String,
    /// Provinces or grid regions at one end.
    pub from: Vec<String>,
    /// Provinces or grid regions at the other end.
    pub to: Vec<String>,
    /// Multiplier of the matched corridors' capacity per year (on top of `corridor_scale`).
    pub scale: PathRaw,
}

limits!(RawCorridorPath {
    scale: Within(0.0, 1e3),
});

/// A corridor not in the table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNewCorridor {
    /// One end (province).
    pub a: String,
    /// Other end (province).
    pub b: String,
    /// Capacity per year, GW (0 before it is built).
    pub capacity_gw: PathRaw,
}

limits!(RawNewCorridor {
    capacity_gw: Within(0.0, 1e4),
});

/// Checks the ranges of `[power]`.
pub fn validate(p: &RawPower, c: &mut Checker) {
    p.check_limits(c, &|f| format!("power.{f}"));
    match &p.slices {
        RawSlices::Preset(name) => {
            if preset(name).is_none() {
                c.fail(
                    "power.slices",
                    format!("= {name:?}: must be \"seasons_day_night\" or a list of slices"),
                );
            }
        }
        RawSlices::List(list) => {
            if list.is_empty() {
                c.fail("power.slices", "needs at least one slice");
            }
            for (i, s) in list.iter().enumerate() {
                s.check_limits(c, &|f| format!("power.slices[{i}].{f}"));
                for (k, v) in &s.shape {
                    c.range(&format!("power.slices[{i}].shape.{k}"), *v, 0.0, 1e3);
                }
            }
        }
    }
    for (name, f) in &p.fleets {
        f.check_limits(c, &|k| format!("power.fleets.{name}.{k}"));
    }
    for (name, s) in &p.storage {
        s.check_limits(c, &|k| format!("power.storage.{name}.{k}"));
    }
    for (i, x) in p.corridor_paths.iter().enumerate() {
        x.check_limits(c, &|k| format!("power.corridor_paths[{i}].{k}"));
    }
    for (i, x) in p.new_corridors.iter().enumerate() {
        x.check_limits(c, &|k| format!("power.new_corridors[{i}].{k}"));
    }
}

/// The preset slices: 4 seasons x day and night of 12 h (one storage cycle per season), with
/// load and availability shapes of the `solar`, `wind` and `hydro` kinds (assumed, L).
pub fn preset(name: &str) -> Option<Vec<RawSlice>> {
    if name != "seasons_day_night" {
        return None;
    }
    let seasons = [
        ("winter", 1.05, 0.75, 1.15, 0.75),
        ("spring", 0.95, 1.05, 1.15, 0.85),
        ("summer", 1.10, 1.10, 0.80, 1.45),
        ("autumn", 0.90, 0.95, 0.90, 0.95),
    ];
    let mut out = Vec::new();
    for (k, (season, load, sun, wind, water)) in seasons.into_iter().enumerate() {
        for (half, l, s, w) in [("night", 0.85, 0.0, 1.1), ("day", 1.15, 2.0, 0.9)] {
            out.push(RawSlice {
                name: format!("{season}_{half}"),
                hours_per_year: 8760.0 / 8.0,
                hours: 12.0,
                cycle: k as u16,
                load: load * l,
                shape: BTreeMap::from([
                    ("solar".to_string(), sun * s),
                    ("wind".to_string(), wind * w),
                    ("hydro".to_string(), water),
                ]),
            });
        }
    }
    Some(out)
}

/// A resolved generation fleet.
#[derive(Clone, Debug, Serialize)]
pub struct FleetSpec {
    /// Technology name.
    pub name: String,
    /// National capacity per year, MW.
    pub capacity_mw: Series,
    /// Share per province id.
    pub share: Vec<f64>,
    /// Variable cost, CNY per MWh.
    pub cost: f64,
    /// Emission factor, t CO2 per MWh.
    pub emission: f64,
    /// Available share of capacity per slice.
    pub availability: Vec<f64>,
}

/// A resolved storage fleet.
#[derive(Clone, Debug, Serialize)]
pub struct StorageSpec {
    /// Name.
    pub name: String,
    /// National power per year, MW.
    pub power_mw: Series,
    /// Energy over power, h.
    pub hours: f64,
    /// Round-trip efficiency.
    pub efficiency: f64,
    /// Share per province id.
    pub share: Vec<f64>,
}

/// A resolved corridor: its capacity per year in each direction, MW.
#[derive(Clone, Debug, Serialize)]
pub struct CorridorSpec {
    /// One end (province id).
    pub a: u16,
    /// Other end (province id).
    pub b: u16,
    /// Capacity per year, MW.
    pub capacity_mw: Series,
}

/// `[power]` resolved.
#[derive(Clone, Debug, Serialize)]
pub struct PowerSpec {
    /// Sector id of the thermal firms.
    pub sector: usize,
    /// Slice names.
    pub slice_names: Vec<String>,
    /// Slices for the program.
    pub slices: Vec<Slice>,
    /// Load per slice relative to the average load (hour-weighted mean 1).
    pub load_shape: Vec<f64>,
    /// National load per year, MWh.
    pub demand_mwh: Series,
    /// Load share per province id.
    pub demand_share: Vec<f64>,
    /// Placement weight of generated thermal firms per province id (None: the sector's
    /// `location`).
    pub thermal_share: Option<Vec<f64>>,
    /// Variable-cost factor of generated thermal firms per province id (None: 1).
    pub thermal_cost: Option<Vec<f64>>,
    /// Fleets in name order.
    pub fleets: Vec<FleetSpec>,
    /// Storage fleets in name order.
    pub storage: Vec<StorageSpec>,
    /// Corridors: the table's, then the new ones.
    pub corridors: Vec<CorridorSpec>,
    /// Corridor loss share.
    pub corridor_loss: f64,
    /// Available share of thermal capacity.
    pub thermal_availability: f64,
    /// Cost bins per province.
    pub thermal_bins: usize,
    /// Value of lost load, CNY per MWh.
    pub voll: f64,
    /// How a province's thermal generation is shared among its plants.
    pub within_province: WithinProvince,
}

/// The data tables `[power]` reads, loaded by the caller: the provincial table's text and
/// label, and the corridor table's.
pub struct PowerTexts {
    /// Provincial table (label, text).
    pub provinces: (String, String),
    /// Corridor table (label, text).
    pub corridors: (String, String),
}

/// Reads the tables of `[power]` (embedded or relative to `base_dir`).
pub fn load_texts(p: &RawPower, base_dir: &std::path::Path) -> crate::Result<PowerTexts> {
    let read = |key: &str, v: &str, embedded: &str| -> crate::Result<(String, String)> {
        if v == "embedded" {
            let file = match key {
                "provinces" => "power-provinces.csv",
                _ => "transmission-corridors.csv",
            };
            return Ok((
                format!("embedded configs/data/{file}"),
                embedded.to_string(),
            ));
        }
        let path = base_dir.join(v);
        let text = crate::input::read_text(&path).map_err(|e| {
            crate::Error::input(format!(
                "power.{key} = {v:?}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        Ok((path.display().to_string(), text))
    };
    Ok(PowerTexts {
        provinces: read(
            "provinces",
            &p.provinces,
            crate::energy::provinces::EMBEDDED_POWER_PROVINCES,
        )?,
        corridors: read(
            "corridors",
            &p.corridors,
            crate::energy::corridors::EMBEDDED_CORRIDORS,
        )?,
    })
}

/// Resolves `[power]`; problems go to `c`.
pub fn resolve(
    p: &RawPower,
    texts: &PowerTexts,
    geography: &GeographySpec,
    sector: Option<usize>,
    (y0, y1): (i32, i32),
    c: &mut Checker,
) -> Option<PowerSpec> {
    let Some(sector) = sector else {
        c.fail("power.sector", format!("= {:?}: no such sector", p.sector));
        return None;
    };
    let n = geography.provinces.len();
    let id = |name: &str| geography.province_id(name);
    let table = match PowerTable::parse(&texts.provinces.1, &texts.provinces.0, n, id) {
        Ok(t) => t,
        Err(e) => {
            c.fail("power.provinces", e);
            return None;
        }
    };
    let table_corridors =
        match crate::energy::corridors::parse_corridors(&texts.corridors.1, &texts.corridors.0, id)
        {
            Ok(t) => t,
            Err(e) => {
                c.fail("power.corridors", e);
                return None;
            }
        };
    let raw_slices = match &p.slices {
        RawSlices::Preset(name) => preset(name).unwrap_or_default(),
        RawSlices::List(l) => l.clone(),
    };
    let total_h: f64 = raw_slices.iter().map(|s| s.hours_per_year).sum();
    if (total_h - 8760.0).abs() > 1.0 {
        c.fail(
            "power.slices",
            format!("hours_per_year add up to {total_h}: must be 8760"),
        );
    }
    let mean = |f: &dyn Fn(&RawSlice) -> f64| -> f64 {
        raw_slices
            .iter()
            .map(|s| s.hours_per_year * f(s))
            .sum::<f64>()
            / total_h.max(1e-9)
    };
    let mean_load = mean(&|s| s.load);
    if mean_load <= 0.0 {
        c.fail("power.slices", "every slice's load is 0");
    }
    let share = |key: String, col: &str, c: &mut Checker| -> Vec<f64> {
        table.shares(col).unwrap_or_else(|e| {
            c.fail(&key, format!("= {e}"));
            vec![0.0; n]
        })
    };
    let demand_share = share("power.demand_share".into(), &p.demand_share, c);
    let thermal_share = (!p.thermal_share.is_empty())
        .then(|| share("power.thermal_share".into(), &p.thermal_share, c));
    let thermal_cost = (!p.thermal_cost.is_empty()).then(|| {
        table.values(&p.thermal_cost).unwrap_or_else(|e| {
            c.fail("power.thermal_cost", format!("= {e}"));
            vec![1.0; n]
        })
    });
    let storage: Vec<StorageSpec> = p
        .storage
        .iter()
        .map(|(name, s)| StorageSpec {
            name: name.clone(),
            power_mw: scaled(&s.power_gw, 1e3, y0, y1),
            hours: s.hours,
            efficiency: s.efficiency,
            share: share(format!("power.storage.{name}.share"), &s.share, c),
        })
        .collect();
    let mut fleets = Vec::new();
    for (name, f) in &p.fleets {
        let shares = share(format!("power.fleets.{name}.share"), &f.share, c);
        let shape_of = |s: &RawSlice| -> f64 {
            f.shape
                .as_ref()
                .map_or(1.0, |k| s.shape.get(k).copied().unwrap_or(1.0))
        };
        let m = mean(&shape_of);
        if let Some(k) = &f.shape
            && m <= 0.0
        {
            c.fail(
                &format!("power.fleets.{name}.shape"),
                format!("= {k:?}: the shape is 0 in every slice"),
            );
        }
        fleets.push(FleetSpec {
            name: name.clone(),
            capacity_mw: scaled(&f.capacity_gw, 1e3, y0, y1),
            share: shares,
            cost: f.cost,
            emission: f.emission,
            availability: raw_slices
                .iter()
                .map(|s| (f.capacity_factor * shape_of(s) / m.max(1e-12)).min(1.0))
                .collect(),
        });
    }
    let in_set = |names: &[String], prov: u16| {
        let pr = &geography.provinces[prov as usize];
        names
            .iter()
            .any(|x| *x == pr.name || *x == GRIDS[pr.grid as usize])
    };
    for (i, x) in p.corridor_paths.iter().enumerate() {
        for (k, name) in x.from.iter().chain(&x.to).enumerate() {
            if !geography
                .provinces
                .iter()
                .any(|pr| pr.name == *name || GRIDS[pr.grid as usize] == name.as_str())
            {
                c.fail(
                    &format!("power.corridor_paths[{i}]"),
                    format!("{name:?} (entry {k}): no such province or grid region"),
                );
            }
        }
    }
    let mut corridors: Vec<CorridorSpec> = table_corridors
        .iter()
        .map(|&(a, b, cap)| {
            let values = (y0..=y1)
                .map(|y| {
                    let mut v = cap * p.corridor_scale.at(y);
                    for x in &p.corridor_paths {
                        let hit = (in_set(&x.from, a) && in_set(&x.to, b))
                            || (in_set(&x.from, b) && in_set(&x.to, a));
                        if hit {
                            v *= x.scale.at(y);
                        }
                    }
                    v
                })
                .collect();
            CorridorSpec {
                a,
                b,
                capacity_mw: Series {
                    first_year: y0,
                    values,
                },
            }
        })
        .collect();
    for (i, x) in p.new_corridors.iter().enumerate() {
        let (a, b) = (id(&x.a), id(&x.b));
        for (k, name, v) in [("a", &x.a, a), ("b", &x.b, b)] {
            if v.is_none() {
                c.fail(
                    &format!("power.new_corridors[{i}].{k}"),
                    format!("= {name:?}: no such province"),
                );
            }
        }
        if let (Some(a), Some(b)) = (a, b) {
            if a == b {
                c.fail(
                    &format!("power.new_corridors[{i}]"),
                    "a corridor joins two different provinces",
                );
            }
            corridors.push(CorridorSpec {
                a,
                b,
                capacity_mw: scaled(&x.capacity_gw, 1e3, y0, y1),
            });
        }
    }
    Some(PowerSpec {
        sector,
        slice_names: raw_slices.iter().map(|s| s.name.clone()).collect(),
        slices: raw_slices
            .iter()
            .map(|s| Slice {
                weight: s.hours_per_year,
                hours: s.hours,
                cycle: s.cycle,
            })
            .collect(),
        load_shape: raw_slices
            .iter()
            .map(|s| s.load / mean_load.max(1e-12))
            .collect(),
        demand_mwh: scaled(&p.demand_twh, 1e6, y0, y1),
        demand_share,
        thermal_share,
        thermal_cost,
        fleets,
        storage,
        corridors,
        corridor_loss: p.corridor_loss,
        thermal_availability: p.thermal_availability,
        thermal_bins: p.thermal_bins as usize,
        voll: p.voll,
        within_province: p.within_province,
    })
}

/// `path x factor` over the simulated years.
fn scaled(path: &PathRaw, factor: f64, y0: i32, y1: i32) -> Series {
    Series {
        first_year: y0,
        values: (y0..=y1).map(|y| path.at(y) * factor).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preset_has_8760_hours_and_flat_mean_shapes_are_kept() {
        let p = preset("seasons_day_night").unwrap();
        assert_eq!(p.len(), 8);
        let h: f64 = p.iter().map(|s| s.hours_per_year).sum();
        assert!((h - 8760.0).abs() < 1e-9);
        // Solar is dark at night.
        assert!(
            p.iter()
                .filter(|s| s.name.ends_with("night"))
                .all(|s| s.shape["solar"] == 0.0)
        );
        assert!(preset("hourly").is_none());
    }
}
