//! Resolution of a validated raw scenario into a [`Scenario`]: sector and market indexes,
//! city references checked against the geography, paths resolved per year.

use super::dist::Dist;
use super::plans::PlanSpec;
use super::raw::*;
use super::series::{PathRaw, Series};
use super::validate::Checker;
use crate::geography::{CityLayout, GeographySpec, ProvinceRow};
use crate::market::mechanism::{MarketYear, Mechanism};
use serde::Serialize;
use std::sync::Arc;

/// A resolved, valid scenario: everything a run needs besides the seed.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// The raw scenario after overrides: kept only for writing metadata
    /// (`experiment.json`, `synergy check`); the model reads the resolved fields below.
    raw: RawScenario,
    /// Bounded rationality in bidding (`[behaviour]`).
    pub behaviour: BehaviourParams,
    /// Firm-level output options (`[output]`).
    pub output: OutputParams,
    /// The investment rule (`[investment]`).
    pub investment: InvestmentParams,
    /// Knowledge spillovers (`[diffusion]`).
    pub diffusion: DiffusionParams,
    /// Emissions outside the modelled firms (`[macro]`).
    pub macro_: MacroParams,
    /// Where it came from (file path or `embedded default`).
    pub source: String,
    /// The provinces table's label.
    pub provinces_source: String,
    /// The geography's structure.
    pub geography: GeographySpec,
    /// Sectors in name order (index = sector id).
    pub sectors: Vec<SectorSpec>,
    /// Explicit firms.
    pub firms: Vec<ExplicitFirm>,
    /// Markets in file order (index = market id).
    pub markets: Vec<MarketSpec>,
    /// Five-year plans in file order (index = plan id).
    pub plans: Vec<PlanSpec>,
    /// Technologies (index = technology id).
    pub technologies: Vec<TechSpec>,
    /// Technology ids of each sector, in catalog order.
    pub sector_techs: Vec<Vec<usize>>,
    /// GDP index per year relative to the GDP data year (1 in that year).
    pub gdp_index: Series,
    /// Uncovered emissions index per year relative to the CO2 data year.
    pub uncovered_index: Series,
}

/// `[behaviour]` as declared (no names or paths to resolve).
pub type BehaviourParams = RawBehaviour;
/// `[output]` as declared.
pub type OutputParams = RawOutput;
/// `[investment]` as declared.
pub type InvestmentParams = RawInvestment;
/// `[diffusion]` as declared.
pub type DiffusionParams = RawDiffusion;

/// The scalars of `[macro]` that the model reads (its paths are resolved into
/// [`Scenario::gdp_index`] and [`Scenario::uncovered_index`]).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct MacroParams {
    /// Share of a province's CO2 emitted outside the modelled firms, share.
    pub uncovered_share: f64,
    /// Carbon factor of that energy use, t CO2 per tce.
    pub uncovered_carbon_factor: f64,
}

impl Scenario {
    /// The raw scenario after overrides (for metadata only: `experiment.json`, `check`).
    pub fn raw(&self) -> &RawScenario {
        &self.raw
    }
    /// Total number of generated firms over all sectors.
    pub fn generated_firms(&self) -> usize {
        self.sectors.iter().map(|x| x.firms as usize).sum()
    }
    /// Scenario name.
    pub fn name(&self) -> &str {
        &self.raw.scenario.name
    }
    /// First simulated year.
    pub fn start_year(&self) -> i32 {
        self.raw.scenario.start_year
    }
    /// Last simulated year.
    pub fn end_year(&self) -> i32 {
        self.raw.scenario.end_year
    }
    /// Number of simulated years.
    pub fn years(&self) -> usize {
        (self.end_year() - self.start_year() + 1) as usize
    }
    /// Default world seed.
    pub fn seed(&self) -> u64 {
        self.raw.scenario.seed
    }
    /// The sector id called `name`.
    pub fn sector_id(&self, name: &str) -> Option<usize> {
        self.sectors.iter().position(|s| s.name == name)
    }
}

/// A sector with its demand path.
#[derive(Clone, Debug, Serialize)]
pub struct SectorSpec {
    /// Name.
    pub name: String,
    /// Unit of output, e.g. `"MWh"`, `"t crude steel"`.
    pub unit: String,
    /// Number of generated firms.
    pub firms: u32,
    /// Total output of the generated firms in the base year, units per year.
    pub total_output: f64,
    /// Dispersion (lognormal sigma) of generated firm sizes.
    pub size_sigma: f64,
    /// Output over capacity in the base year, in (0, 1].
    pub utilisation: f64,
    /// Product price without carbon cost, CNY per unit.
    pub price: f64,
    /// Variable unit cost of generated firms, CNY per unit.
    pub variable_cost: Dist,
    /// Price elasticity of demand (>= 0; 0 = fixed demand).
    pub elasticity: f64,
    /// Scope of the goods market.
    pub scope: Scope,
    /// Logit sensitivity of market shares to relative unit cost (0 = shares by capacity).
    pub logit_sensitivity: f64,
    /// Share of the average carbon cost passed into the product price, in [0, 1].
    pub pass_through: f64,
    /// Energy intensity of generated firms, tce per unit of output.
    pub energy_intensity: Dist,
    /// Carbon factor of generated firms, t CO2 per tce.
    pub carbon_factor: Dist,
    /// Carbon price (CNY per t CO2) at which a generated firm abates 5 % of its baseline.
    pub mac_price_at_5pct: Dist,
    /// Operational abatement bound as a share of baseline emissions, in [0, 1].
    pub abatement_max_share: f64,
    /// Hurdle (discount) rate of generated firms, per year.
    pub hurdle_rate: Dist,
    /// Expectation weight lambda of generated firms, in [0, 1].
    pub expectation_weight: Dist,
    /// Hedging bank as a share of the firm's emissions (when banking is allowed).
    pub bank_hedge_share: f64,
    /// Speculative banking: share of emissions banked per CNY/t of expected gain.
    pub bank_speculation: f64,
    /// How generated firms are placed.
    pub location: Location,
    /// Fuel price, CNY per tce (values energy savings of technologies).
    pub fuel_price: f64,
    /// Demand index per year relative to the base year (1 in the base year).
    pub demand_index: Series,
}

/// A technology with resolved sector and paths.
#[derive(Clone, Debug, Serialize)]
pub struct TechSpec {
    /// Technology id (index).
    pub id: usize,
    /// Sector id.
    pub sector: usize,
    /// Position within its sector's catalog (bit index in a firm's technology slots).
    pub slot: usize,
    /// Name, unique (output dictionary `technology`).
    pub name: String,
    /// Multiplier on energy intensity once installed (> 1: energy penalty).
    pub energy_factor: f64,
    /// Multiplier on the carbon factor once installed (< 1: fuel switch, capture).
    pub carbon_factor: f64,
    /// Capital cost at the start, CNY per unit of annual capacity.
    pub capex: f64,
    /// Extra operating cost, CNY per unit of output.
    pub opex: f64,
    /// Economic lifetime, years.
    pub lifetime: u32,
    /// Years between the decision and the effect.
    pub build_lag: u32,
    /// Learning rate: unit capex falls by this share per doubling of capacity, in [0, 1).
    pub learning_rate: f64,
    /// Cumulative capacity installed before the run (X0), units of annual capacity.
    pub initial_capacity: f64,
    /// Bass innovation coefficient p, per year.
    pub bass_p: f64,
    /// Bass imitation coefficient q, per year.
    pub bass_q: f64,
    /// First year the technology can be adopted.
    pub available_from: i32,
    /// Dispersion (lognormal sigma) of the firm-specific capex multiplier.
    pub capex_sigma: f64,
    /// Capacity installed outside the modelled firms per year: `X0 x` cumulative external
    /// growth, units of annual capacity.
    pub external_capacity: Series,
}

/// An explicitly listed firm with resolved references.
#[derive(Clone, Debug, Serialize)]
pub struct ExplicitFirm {
    /// Sector id.
    pub sector: usize,
    /// City id.
    pub city: u32,
    /// Output in the base year, units per year.
    pub output: f64,
    /// Energy intensity, tce per unit.
    pub energy_intensity: f64,
    /// Carbon factor, t CO2 per tce.
    pub carbon_factor: f64,
    /// MAC slope at base output, CNY per t CO2 per t CO2.
    pub mac_slope: f64,
    /// Operational abatement bound at base output, t CO2.
    pub abatement_max: f64,
    /// Variable unit cost, CNY per unit (None: the mean of the sector's).
    pub variable_cost: Option<f64>,
    /// Hurdle rate per year (None: the mean of the sector's).
    pub hurdle_rate: Option<f64>,
}

/// A market with resolved coverage and per-year parameters.
#[derive(Clone, Debug, Serialize)]
pub struct MarketSpec {
    /// Market id (index).
    pub id: u16,
    /// Market name, unique (output dictionary `market`).
    pub name: String,
    /// National or pilot (a firm in both is in the national market).
    pub kind: MarketKind,
    /// First year of operation.
    pub start_year: i32,
    /// Inclusion threshold: last year's baseline emissions, t CO2 per year.
    pub threshold_t: f64,
    /// Free allocation rule.
    pub allocation: AllocationRule,
    /// What `cap_factor` multiplies.
    pub cap_basis: CapBasis,
    /// Base of grandfathered allocation.
    pub grandfathering_base: GrandfatheringBase,
    /// Penalty per t of shortfall as a multiple of the clearing price.
    pub penalty_price_multiple: f64,
    /// Fixed fine per firm with a shortfall, CNY.
    pub penalty_fine: f64,
    /// Whether a shortfall is deducted from next year's allocation (make-good).
    pub make_good: bool,
    /// Price firms expect in the market's first year, CNY per t.
    pub launch_price: f64,
    /// What happens to auction, reserve and tax revenue.
    pub recycling: Recycling,
    /// First year covered, per sector id (None: not covered).
    pub sector_from: Vec<Option<i32>>,
    /// Whether each city id is in the market's region.
    pub cities: Vec<bool>,
    /// Last year of operation.
    pub end_year: i32,
    /// Benchmark per sector id, t CO2 per unit.
    pub benchmarks: Vec<Option<Series>>,
    /// Cap relative to base-period emissions.
    pub cap_factor: Option<Series>,
    /// Absolute cap, t CO2 per year.
    pub cap_t: Option<Series>,
    /// Auctioned share of the cap or benchmark total (the rest is allocated free).
    pub auction_share: Series,
    /// The market's mechanisms in the order they run at each hook
    /// ([`crate::market::mechanism`], built by [`super::mechanisms::build`]).
    #[serde(skip)]
    pub mechanisms: Vec<Arc<dyn Mechanism>>,
    /// Penalty per t of shortfall, CNY per t (besides the price multiple).
    pub penalty_per_t: Series,
}

impl MarketSpec {
    /// Market name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Whether the market operates in `year`.
    pub fn active(&self, year: i32) -> bool {
        year >= self.start_year && year <= self.end_year
    }
    /// Whether the market covers sector `s` in city `c` in `year` (threshold aside).
    pub fn covers(&self, s: usize, c: u32, year: i32) -> bool {
        self.active(year)
            && self.sector_from[s].is_some_and(|y| year >= y)
            && self.cities[c as usize]
    }
    /// The market in `year` as its mechanisms see it.
    pub fn year(&self, year: i32) -> MarketYear {
        MarketYear {
            year,
            last: year >= self.end_year,
        }
    }
    /// The lowest price the market can clear at in `year` (the highest floor its mechanisms
    /// set, else 0), CNY per t.
    pub fn price_floor(&self, year: i32) -> f64 {
        self.mechanisms
            .iter()
            .filter_map(|m| m.price_floor(year))
            .fold(0.0, f64::max)
    }
}

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
    let (y0, y1) = (raw.scenario.start_year, raw.scenario.end_year);
    let base = raw.scenario.base_year;
    let sectors: Vec<SectorSpec> = raw
        .sectors
        .iter()
        .map(|(name, s)| SectorSpec {
            name: name.clone(),
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
            bank_hedge_share: s.bank_hedge_share,
            bank_speculation: s.bank_speculation,
            location: s.location,
            fuel_price: s.fuel_price,
            demand_index: index_series(|y| s.demand_growth.at(y), base, y0, y1),
        })
        .collect();
    let sector_id = |n: &str| sectors.iter().position(|s| s.name == n);
    let mut firms = Vec::new();
    for (i, f) in raw.firms.iter().chain(firm_rows.iter()).enumerate() {
        let city = geography.city_id(&f.city);
        if city.is_none() {
            c.fail(
                &format!("firms[{i}].city"),
                format!("= {:?}: no such city (cities are named like \"Beijing\", \"Hebei-1\" or as in geography.named_cities)", f.city),
            );
        }
        if let (Some(sector), Some(city)) = (sector_id(&f.sector), city) {
            firms.push(ExplicitFirm {
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
    let mut markets = Vec::new();
    for (i, m) in raw.markets.iter().enumerate() {
        let k = |x: &str| format!("markets[{i}].{x}");
        let n_cities = geography.cities.len();
        let mut cities = vec![m.provinces.is_empty() && m.cities.is_empty(); n_cities];
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
        let mut sector_from = vec![None; sectors.len()];
        let mut benchmarks = vec![None; sectors.len()];
        for (s, y) in &m.sectors {
            if let Some(id) = sector_id(s) {
                sector_from[id] = Some(*y);
                benchmarks[id] = m.benchmarks.get(s).map(|p| p.resolve(y0, y1));
            }
        }
        let default_share = if m.allocation == AllocationRule::Auction {
            1.0
        } else {
            0.0
        };
        markets.push(MarketSpec {
            id: i as u16,
            name: m.name.clone(),
            kind: m.kind,
            start_year: m.start_year,
            threshold_t: m.threshold_t,
            allocation: m.allocation,
            cap_basis: m.cap_basis,
            grandfathering_base: m.grandfathering_base,
            penalty_price_multiple: m.penalty_price_multiple,
            penalty_fine: m.penalty_fine,
            make_good: m.make_good,
            launch_price: m.launch_price,
            recycling: m.recycling,
            sector_from,
            cities,
            end_year: m.end_year.unwrap_or(y1),
            benchmarks,
            cap_factor: m.cap_factor.as_ref().map(|p| p.resolve(y0, y1)),
            cap_t: m.cap_t.as_ref().map(|p| p.resolve(y0, y1)),
            auction_share: m
                .auction_share
                .clone()
                .unwrap_or(PathRaw::Constant(default_share))
                .resolve(y0, y1),
            mechanisms: super::mechanisms::build(m, y0, y1),
            penalty_per_t: m.penalty_per_t.resolve(y0, y1),
        });
    }
    let plans = super::plans::resolve_plans(&raw.plans, &sectors, &geography, (y0, y1), c);
    let mut technologies = Vec::new();
    let mut sector_techs = vec![Vec::new(); sectors.len()];
    for t in &raw.technologies {
        if let Some(sid) = sector_id(&t.sector) {
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
    }
    let mac = &raw.macro_;
    let gdp_index = index_series(|y| mac.gdp_growth.at(y), mac.gdp_data_year, y0, y1);
    let uncovered_index = index_series(
        |y| (1.0 + mac.gdp_growth.at(y)) * (1.0 - mac.uncovered_intensity_decline.at(y)) - 1.0,
        mac.co2_data_year,
        y0,
        y1,
    );
    if !c.problems.is_empty() {
        return None;
    }
    Some(Scenario {
        behaviour: raw.behaviour.clone(),
        output: raw.output.clone(),
        investment: raw.investment.clone(),
        diffusion: raw.diffusion.clone(),
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
        technologies,
        sector_techs,
        gdp_index,
        uncovered_index,
    })
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
