//! Resolution of a validated raw scenario into a [`Scenario`]: sector and market indexes,
//! city references checked against the geography, paths resolved per year.

use super::raw::*;
use super::scenario::*;
use super::series::{PathRaw, Series};
use super::validate::Checker;
use crate::geography::{CityLayout, GeographySpec, ProvinceRow};

/// Index path: `I(anchor) = 1`, `I(t) = I(t-1) (1 + g(t))` forward, backward likewise.
fn index_series(growth: impl Fn(i32) -> f64, anchor: i32, first: i32, last: i32) -> Series {
    let lo = first.min(anchor);
    let hi = last.max(anchor);
    let mut vals = vec![1.0; (hi - lo + 1) as usize];
    let a = (anchor - lo) as usize;
    for i in a + 1..vals.len() {
        vals[i] = vals[i - 1] * (1.0 + growth(lo + i as i32));
    }
    for i in (0..a).rev() {
        vals[i] = vals[i + 1] / (1.0 + growth(lo + i as i32 + 1)).max(1e-9);
    }
    let off = (first - lo) as usize;
    Series {
        first_year: first,
        values: vals[off..off + (last - first + 1) as usize].to_vec(),
    }
}

/// Resolves a raw scenario whose ranges were validated. Reference problems go to `c`.
pub fn resolve(
    raw: RawScenario,
    source: String,
    provinces: (String, Vec<ProvinceRow>),
    firm_rows: Vec<RawFirm>,
    power_texts: Option<super::power::PowerTexts>,
    c: &mut Checker,
) -> Option<Scenario> {
    let (provinces_source, rows) = provinces;
    let layout = CityLayout {
        cities_per_province: raw.geography.cities_per_province,
        city_gdp_sigma: raw.geography.city_gdp_sigma,
        named_cities: raw.geography.named_cities.clone(),
    };
    let geography = match GeographySpec::new(&rows, &layout, &source) {
        Ok(g) => g,
        Err(crate::Error::Input { problems }) => {
            c.problems.extend(problems);
            return None;
        }
        Err(e) => {
            c.fail("geography", e);
            return None;
        }
    };
    let years = (raw.scenario.start_year, raw.scenario.end_year);
    let (y0, y1) = years;
    let base = raw.scenario.base_year;
    let mut sectors: Vec<SectorSpec> = raw
        .sectors
        .iter()
        .map(|(name, s)| sector(name, s, base, years))
        .collect();
    let mut class = 0u16;
    for s in &mut sectors {
        s.first_class = class;
        class += 1 + s.groups.len() as u16;
    }
    let firms = explicit_firms(
        raw.firms.iter().chain(firm_rows.iter()),
        &sectors,
        &geography,
        c,
    );
    for sec in &mut sectors {
        sec.fuel_shares = super::fuels::sector_shares(&raw, &sec.name);
    }
    let mut markets: Vec<MarketSpec> = raw
        .markets
        .iter()
        .enumerate()
        .map(|(i, m)| market(i, m, &sectors, &geography, years, c))
        .collect();
    for (spec, m) in markets.iter_mut().zip(&raw.markets) {
        spec.point = m.point;
        let ids = super::fuels::market_fuels(&raw, m);
        spec.fuels_ids = ids.clone();
        spec.direct_share = sectors
            .iter()
            .map(|sec| match m.point {
                super::fuels::CoveragePoint::Downstream => 1.0,
                super::fuels::CoveragePoint::Upstream => {
                    super::fuels::covered_share(&sec.fuel_shares, &ids)
                }
            })
            .collect();
    }
    let fuels = super::fuels::resolve(&raw);
    for (i, (spec, m)) in markets.iter_mut().zip(&raw.markets).enumerate() {
        spec.peak_cap = m
            .peak_cap
            .as_ref()
            .and_then(|pc| peak_cap(i, m, pc, &raw, c));
    }
    let power = match (&raw.power, &power_texts) {
        (Some(p), Some(t)) => {
            let sid = sector_id(&sectors, &p.sector);
            super::power::resolve(p, t, &geography, sid, years, c)
        }
        _ => None,
    };
    let capacity = raw.capacity.as_ref().and_then(|p| {
        let names: Vec<String> = sectors.iter().map(|s| s.name.clone()).collect();
        let ps = raw
            .power
            .as_ref()
            .and_then(|pw| sector_id(&sectors, &pw.sector));
        super::capacity::resolve(p, &names, ps, &geography, c)
    });
    if let Some(cap) = &capacity {
        for (sec, dynamic) in sectors.iter().zip(&cap.dynamic) {
            if *dynamic && sec.renewal.is_some() {
                c.fail(
                    &format!("sectors.{}.renewal", sec.name),
                    "the sector's capacity is dynamic under [capacity] (its plants carry their own vintages): remove the renewal table or the sector from capacity.sectors",
                );
            }
        }
    }
    let research = raw.research.as_ref().map(|r| {
        let names: Vec<String> = raw.technologies.iter().map(|t| t.name.clone()).collect();
        let markets: Vec<String> = raw.markets.iter().map(|m| m.name.clone()).collect();
        super::research::resolve(r, &geography, (&names, &markets), years, c)
    });
    let plans = super::plans::resolve_plans(&raw.plans, &sectors, &geography, years, c);
    let peaks = peak_targets(&raw.peaks, &geography, years, c);
    let (technologies, sector_techs) = technologies(&raw.technologies, &sectors, years);
    let mac = &raw.macro_;
    let gdp_index = index_series(|y| mac.gdp_growth.at(y), mac.gdp_data_year, y0, y1);
    let uncovered_index = index_series(
        |y| (1.0 + mac.gdp_growth.at(y)) * (1.0 - mac.uncovered_intensity_decline.at(y)) - 1.0,
        mac.co2_data_year,
        y0,
        y1,
    );
    for (key, series) in sectors
        .iter()
        .map(|s| (format!("sectors.{}.demand_growth", s.name), &s.demand_index))
        .chain([
            ("macro.gdp_growth".to_string(), &gdp_index),
            (
                "macro.uncovered_intensity_decline".to_string(),
                &uncovered_index,
            ),
        ])
    {
        check_index(&key, series, c);
    }
    if !c.problems.is_empty() {
        return None;
    }
    Some(Scenario {
        behaviour: raw.behaviour.clone(),
        output: raw.output.clone(),
        investment: raw.investment.clone(),
        diffusion: raw.diffusion.clone(),
        foresight: raw.foresight.clone(),
        macro_: MacroParams {
            uncovered_share: raw.macro_.uncovered_share,
            uncovered_carbon_factor: raw.macro_.uncovered_carbon_factor,
        },
        raw,
        source,
        provinces_source,
        geography,
        sectors,
        firms,
        markets,
        plans,
        peaks,
        technologies,
        sector_techs,
        gdp_index,
        uncovered_index,
        power,
        capacity,
        research,
        fuels,
    })
}

/// Largest factor an index path may reach over the run (relative to its anchor year), so
/// that output, emissions and costs built on it stay finite.
pub const MAX_INDEX: f64 = 1e6;

/// Reports an index path that leaves `[1 / MAX_INDEX, MAX_INDEX]` (its growth compounds too
/// far over the simulated years).
fn check_index(key: &str, s: &Series, c: &mut Checker) {
    let bad = s
        .values
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v <= MAX_INDEX && **v >= 1.0 / MAX_INDEX));
    if let Some((i, v)) = bad {
        c.fail(
            key,
            format!(
                "compounds to an index of {v:e} by {}: the path must keep the index within [1e-6, 1e6] of its anchor year",
                s.first_year + i as i32
            ),
        );
    }
}

fn sector_id(sectors: &[SectorSpec], name: &str) -> Option<usize> {
    sectors.iter().position(|s| s.name == name)
}

/// A sector with its demand index (1 in the base year).
fn sector(name: &str, s: &RawSector, base: i32, (y0, y1): (i32, i32)) -> SectorSpec {
    SectorSpec {
        name: name.to_string(),
        unit: s.unit.clone(),
        firms: s.firms,
        total_output: s.total_output,
        size_sigma: s.size_sigma,
        utilisation: s.utilisation,
        price: s.price,
        variable_cost: s.variable_cost.clone(),
        elasticity: s.elasticity,
        scope: s.scope,
        logit_sensitivity: s.logit_sensitivity,
        pass_through: s.pass_through,
        energy_intensity: s.energy_intensity.clone(),
        carbon_factor: s.carbon_factor.clone(),
        mac_price_at_5pct: s.mac_price_at_5pct.clone(),
        abatement_max_share: s.abatement_max_share,
        hurdle_rate: s.hurdle_rate.clone(),
        expectation_weight: s.expectation_weight.clone(),
        expectations: s.expectations,
        bank_hedge_share: s.bank_hedge_share,
        bank_speculation: s.bank_speculation,
        location: s.location,
        fuel_price: s.fuel_price,
        electricity_intensity: s.electricity_intensity,
        fuel_shares: Vec::new(),
        demand_index: index_series(|y| s.demand_growth.at(y), base, y0, y1),
        groups: s
            .groups
            .iter()
            .map(|(g, r)| GroupSpec {
                name: g.clone(),
                share: r.share,
                energy_intensity: r.energy_intensity.clone(),
                carbon_factor: r.carbon_factor.clone(),
                mac_price_at_5pct: r.mac_price_at_5pct.clone(),
                variable_cost: r.variable_cost.clone(),
            })
            .collect(),
        first_class: 0,
        renewal: s.renewal.as_ref().map(|r| super::scenario::RenewalSpec {
            new_energy_intensity: r.new_energy_intensity.resolve(y0, y1),
            retirement_rate: r.retirement_rate.resolve(y0, y1),
        }),
    }
}

/// Explicit firms (inline and from a firms file) with sector and city ids; unknown cities go
/// to `c`.
fn explicit_firms<'a>(
    rows: impl Iterator<Item = &'a RawFirm>,
    sectors: &[SectorSpec],
    geography: &GeographySpec,
    c: &mut Checker,
) -> Vec<ExplicitFirm> {
    let mut firms = Vec::new();
    for (i, f) in rows.enumerate() {
        let city = geography.city_id(&f.city);
        if city.is_none() {
            c.fail(
                &format!("firms[{i}].city"),
                format!("= {:?}: no such city (cities are named like \"Beijing\", \"Hebei-1\" or as in geography.named_cities)", f.city),
            );
        }
        if let (Some(sector), Some(city)) = (sector_id(sectors, &f.sector), city) {
            let group = match &f.group {
                None => None,
                Some(g) => {
                    let found = sectors[sector].groups.iter().position(|x| &x.name == g);
                    if found.is_none() {
                        c.fail(
                            &format!("firms[{i}].group"),
                            format!(
                                "= {g:?}: sector {:?} has no such group (its groups: {:?})",
                                f.sector,
                                sectors[sector]
                                    .groups
                                    .iter()
                                    .map(|x| x.name.as_str())
                                    .collect::<Vec<_>>()
                            ),
                        );
                    }
                    found
                }
            };
            firms.push(ExplicitFirm {
                group,
                sector,
                city,
                output: f.output,
                energy_intensity: f.energy_intensity,
                carbon_factor: f.carbon_factor,
                mac_slope: f.mac_slope,
                abatement_max: f.abatement_max,
                variable_cost: f.variable_cost,
                hurdle_rate: f.hurdle_rate,
            });
        }
    }
    firms
}

/// Which cities market `m` covers (by province, city, exclusion); unknown names go to `c`.
fn market_cities(i: usize, m: &RawMarket, geography: &GeographySpec, c: &mut Checker) -> Vec<bool> {
    let k = |x: &str| format!("markets[{i}].{x}");
    let mut cities = vec![m.provinces.is_empty() && m.cities.is_empty(); geography.cities.len()];
    for p in &m.provinces {
        match geography.province_id(p) {
            Some(pid) => {
                for cp in geography.cities.iter().filter(|cp| cp.province == pid) {
                    cities[cp.id as usize] = true;
                }
            }
            None => c.fail(&k("provinces"), format!("{p:?}: no such province")),
        }
    }
    for (key, list, on) in [
        ("cities", &m.cities, true),
        ("exclude_cities", &m.exclude_cities, false),
    ] {
        for name in list {
            match geography.city_id(name) {
                Some(id) => cities[id as usize] = on,
                None => c.fail(&k(key), format!("{name:?}: no such city")),
            }
        }
    }
    cities
}

/// Market `i` with its coverage, paths and mechanisms.
fn market(
    i: usize,
    m: &RawMarket,
    sectors: &[SectorSpec],
    geography: &GeographySpec,
    (y0, y1): (i32, i32),
    c: &mut Checker,
) -> MarketSpec {
    let mut sector_from = vec![None; sectors.len()];
    let classes: usize = sectors.iter().map(|s| 1 + s.groups.len()).sum();
    let mut benchmarks = vec![None; classes];
    for (s, y) in &m.sectors {
        if let Some(id) = sector_id(sectors, s) {
            sector_from[id] = Some(*y);
            let sec = &sectors[id];
            let main = m.benchmarks.get(s).map(|p| p.resolve(y0, y1));
            for g in 0..sec.groups.len() {
                let own = m
                    .groups
                    .get(s)
                    .and_then(|gs| gs.get(&sec.groups[g].name))
                    .and_then(|r| r.benchmark.as_ref())
                    .map(|p| p.resolve(y0, y1));
                benchmarks[sec.class(Some(g)) as usize] = own.or_else(|| main.clone());
            }
            benchmarks[sec.class(None) as usize] = main;
        }
    }
    let default_share = if m.allocation == AllocationRule::Auction {
        1.0
    } else {
        0.0
    };
    MarketSpec {
        id: i as u16,
        name: m.name.clone(),
        kind: m.kind,
        start_year: m.start_year,
        threshold_t: m.threshold_t,
        allocation: m.allocation,
        cap_basis: m.cap_basis,
        indirect: m.indirect,
        indirect_factor: m.indirect_factor.unwrap_or(0.0),
        grandfathering_base: m.grandfathering_base,
        penalty_price_multiple: m.penalty_price_multiple,
        penalty_fine: m.penalty_fine,
        make_good: m.make_good,
        bank_on_exit: m.bank_on_exit,
        bank_conversion_rate: m.bank_conversion_rate.unwrap_or(1.0),
        launch_price: m.launch_price,
        recycling: m.recycling,
        sector_from,
        cities: market_cities(i, m, geography, c),
        end_year: m.end_year.unwrap_or(y1),
        benchmarks,
        cap_factor: m.cap_factor.as_ref().map(|p| p.resolve(y0, y1)),
        cap_t: m.cap_t.as_ref().map(|p| p.resolve(y0, y1)),
        auction_share: m
            .auction_share
            .clone()
            .unwrap_or(PathRaw::Constant(default_share))
            .resolve(y0, y1),
        mechanisms: super::mechanisms::build(m, sectors, y0, y1),
        penalty_per_t: m.penalty_per_t.resolve(y0, y1),
        expectations: m.expectations,
        announced_years: m.announced_years,
        discount_rate: m
            .discount_rate
            .unwrap_or_else(|| mean_hurdle_rate(m, sectors)),
        offsets: m
            .offsets
            .as_ref()
            .map(|o| offsets(i, m, o, geography, (y0, y1), c)),
        compensation: m
            .compensation
            .as_ref()
            .and_then(|x| super::compensation::resolve(i, x, geography, c)),
        benchmark_factor: super::compensation::benchmark_factors(
            i,
            &m.benchmark_adjustment,
            geography,
            c,
        ),
        point: Default::default(),
        direct_share: vec![1.0; sectors.len()],
        fuels_ids: Vec::new(),
        peak_cap: None,
    }
}

/// Market `i`'s `peak_cap`: the peak year (given, or the `by` year of the region's
/// `[[peaks]]` target) and the decline; problems go to `c`.
fn peak_cap(
    i: usize,
    m: &RawMarket,
    pc: &RawPeakCap,
    raw: &RawScenario,
    c: &mut Checker,
) -> Option<(i32, f64)> {
    let k = |x: &str| format!("markets[{i}].peak_cap.{x}");
    pc.check_limits(c, &k);
    if m.allocation == AllocationRule::Tax {
        c.fail(
            &format!("markets[{i}].peak_cap"),
            "a tax market has no supply to cap: use a cap-and-trade allocation",
        );
        return None;
    }
    let year = match (pc.year, &pc.region) {
        (Some(y), None) => y,
        (None, Some(r)) => match raw.peaks.iter().find(|p| p.region == *r).and_then(|p| p.by) {
            Some(y) => y,
            None => {
                c.fail(
                    &k("region"),
                    format!("= {r:?}: no [[peaks]] entry with a peak year (by) for this region"),
                );
                return None;
            }
        },
        _ => {
            c.fail(
                &format!("markets[{i}].peak_cap"),
                "give exactly one of year and region",
            );
            return None;
        }
    };
    if year < m.start_year {
        c.fail(
            &k("year"),
            format!(
                "= {year}: the peak year must be one the market operates in (from {})",
                m.start_year
            ),
        );
        return None;
    }
    Some((year, pc.decline))
}

/// Market `i`'s offsets: years, eligible cities and the user table's cities; unknown names
/// go to `c`.
fn offsets(
    i: usize,
    m: &RawMarket,
    o: &RawOffsets,
    geography: &GeographySpec,
    (y0, y1): (i32, i32),
    c: &mut Checker,
) -> OffsetSpec {
    let k = |x: &str| format!("markets[{i}].offsets.{x}");
    let province_cities = |pid: u16| -> Vec<u32> {
        geography
            .cities
            .iter()
            .filter(|cp| cp.province == pid)
            .map(|cp| cp.id)
            .collect()
    };
    let mut eligible = vec![o.provinces.is_empty(); geography.cities.len()];
    for p in &o.provinces {
        match geography.province_id(p) {
            Some(pid) => {
                for id in province_cities(pid) {
                    eligible[id as usize] = true;
                }
            }
            None => c.fail(&k("provinces"), format!("{p:?}: no such province")),
        }
    }
    let mut sources = Vec::new();
    for (j, src) in o.sources.iter().enumerate() {
        let key = |x: &str| k(&format!("sources[{j}].{x}"));
        let cities = match (&src.city, &src.province) {
            (Some(name), None) => match geography.city_id(name) {
                Some(id) => vec![id],
                None => {
                    c.fail(&key("city"), format!("{name:?}: no such city"));
                    continue;
                }
            },
            (None, Some(p)) => match geography.province_id(p) {
                Some(pid) => province_cities(pid),
                None => {
                    c.fail(&key("province"), format!("{p:?}: no such province"));
                    continue;
                }
            },
            _ => {
                c.fail(
                    &k(&format!("sources[{j}]")),
                    "give exactly one of `city` and `province`",
                );
                continue;
            }
        };
        let cities: Vec<u32> = cities
            .into_iter()
            .filter(|id| eligible[*id as usize])
            .collect();
        sources.push(OffsetSourceSpec {
            cities,
            potential_t: src.potential_t.resolve(y0, y1),
            mac_price: src.mac_price,
        });
    }
    OffsetSpec {
        limit_share: o.limit_share,
        years: (
            o.from.unwrap_or(m.start_year),
            o.until.unwrap_or(m.end_year.unwrap_or(y1)),
        ),
        potential_share: o.potential_share,
        mac_price: o.mac_price.clone(),
        non_additional_share: o.non_additional_share,
        eligible,
        sources,
    }
}

/// Mean hurdle rate (share per year) of the sectors a market covers, the default of its
/// `discount_rate`: the mean of each covered sector's `hurdle_rate` distribution.
fn mean_hurdle_rate(m: &RawMarket, sectors: &[SectorSpec]) -> f64 {
    let rates: Vec<f64> = m
        .sectors
        .keys()
        .filter_map(|s| sector_id(sectors, s))
        .map(|id| sectors[id].hurdle_rate.mean())
        .collect();
    if rates.is_empty() {
        0.0
    } else {
        rates.iter().sum::<f64>() / rates.len() as f64
    }
}

/// Technologies of known sectors (ids in file order) and each sector's catalog.
fn technologies(
    raw: &[RawTechnology],
    sectors: &[SectorSpec],
    (y0, y1): (i32, i32),
) -> (Vec<TechSpec>, Vec<Vec<usize>>) {
    let mut technologies = Vec::new();
    let mut sector_techs = vec![Vec::new(); sectors.len()];
    for t in raw {
        let Some(sid) = sector_id(sectors, &t.sector) else {
            continue;
        };
        let id = technologies.len();
        // Capacity outside the modelled firms grows only once the technology exists.
        let from = t.available_from.max(y0);
        let growth = index_series(
            |y| {
                if y > from {
                    t.external_growth.at(y)
                } else {
                    0.0
                }
            },
            y0,
            y0,
            y1,
        );
        technologies.push(TechSpec {
            id,
            sector: sid,
            slot: sector_techs[sid].len(),
            name: t.name.clone(),
            energy_factor: t.energy_factor,
            carbon_factor: t.carbon_factor,
            capex: t.capex,
            opex: t.opex,
            electricity_added: t.electricity_added,
            lifetime: t.lifetime,
            build_lag: t.build_lag,
            learning_rate: t.learning_rate,
            initial_capacity: t.initial_capacity,
            bass_p: t.bass_p,
            bass_q: t.bass_q,
            available_from: t.available_from,
            capex_sigma: t.capex_sigma,
            external_capacity: Series {
                first_year: y0,
                values: growth
                    .values
                    .iter()
                    .map(|g| g * t.initial_capacity)
                    .collect(),
            },
        });
        sector_techs[sid].push(id);
    }
    (technologies, sector_techs)
}

/// Resolves `[[peaks]]`: each region by name (`"China"`, a province, an agglomeration) and
/// its target year.
fn peak_targets(
    raw: &[RawPeak],
    g: &GeographySpec,
    years: (i32, i32),
    c: &mut Checker,
) -> Vec<PeakTarget> {
    let mut out = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let region = if p.region == "China" {
            Some(PeakRegion::Nation)
        } else if let Some(k) = g.provinces.iter().position(|x| x.name == p.region) {
            Some(PeakRegion::Province(k as u16))
        } else {
            g.agglomerations
                .iter()
                .position(|a| *a == p.region)
                .map(|k| PeakRegion::Agglomeration(k as u8))
                .or_else(|| g.city_id(&p.region).map(PeakRegion::City))
        };
        let Some(region) = region else {
            let mut names = vec!["China".to_string()];
            names.extend(g.agglomerations.iter().cloned());
            names.extend(g.provinces.iter().map(|x| x.name.clone()));
            c.fail(
                &format!("peaks[{i}].region"),
                format!(
                    "= {:?}: no such region; use \"China\", an agglomeration, a province or a city of the geography: {}",
                    p.region,
                    names.join(", ")
                ),
            );
            continue;
        };
        // A target after the run's end is allowed (a shortened run): it is met only if the
        // region has peaked within the run.
        if let Some(by) = p.by
            && !(1900..=2300).contains(&by)
        {
            c.fail(
                &format!("peaks[{i}].by"),
                format!("= {by}: must be a year within [1900, 2300]"),
            );
            continue;
        }
        if p.by.is_none() && p.budget_t.is_none() {
            c.fail(
                &format!("peaks[{i}]"),
                "has neither a peak year (by) nor an emission budget (budget_t)",
            );
            continue;
        }
        if let Some(b) = p.budget_t
            && !(b.is_finite() && b >= 0.0)
        {
            c.fail(
                &format!("peaks[{i}].budget_t"),
                format!("= {b}: must be a non-negative amount of t CO2"),
            );
            continue;
        }
        let budget_years = match p.budget_years {
            Some([a, b]) if a > b => {
                c.fail(
                    &format!("peaks[{i}].budget_years"),
                    format!("= [{a}, {b}]: the first year must not be after the last"),
                );
                continue;
            }
            Some([a, b]) => (a, b),
            None => years,
        };
        if raw[..i].iter().any(|o| o.region == p.region) {
            c.fail(
                &format!("peaks[{i}].region"),
                format!("= {:?}: a second target for the same region", p.region),
            );
            continue;
        }
        out.push(PeakTarget {
            region,
            by: p.by,
            budget: p.budget_t,
            budget_years,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_series_grows_from_anchor() {
        let s = index_series(|_| 0.1, 2020, 2018, 2022);
        assert!((s.at(2020) - 1.0).abs() < 1e-12);
        assert!((s.at(2022) - 1.21).abs() < 1e-12);
        assert!((s.at(2018) - 1.0 / 1.21).abs() < 1e-12);
        // Anchor outside the range still works.
        let t = index_series(|_| 0.1, 2010, 2012, 2013);
        assert!((t.at(2012) - 1.21).abs() < 1e-12);
    }
}
