//! The resolved scenario: every setting a run reads, with names turned into ids and paths
//! into per-year [`Series`] (built from the raw config by [`super::resolve`]).

use super::dist::Dist;
use super::plans::PlanSpec;
use super::raw::*;
use super::series::Series;
use crate::geography::GeographySpec;
use crate::market::mechanism::{MarketYear, Mechanism};
use serde::Serialize;
use std::sync::Arc;

/// A resolved, valid scenario: everything a run needs besides the seed.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// The raw scenario after overrides: kept only for writing metadata
    /// (`experiment.json`, `synergy check`); the model reads the resolved fields below.
    pub(super) raw: RawScenario,
    /// Bounded rationality in bidding (`[behaviour]`).
    pub behaviour: BehaviourParams,
    /// Firm-level output options (`[output]`).
    pub output: OutputParams,
    /// The investment rule (`[investment]`).
    pub investment: InvestmentParams,
    /// Knowledge spillovers (`[diffusion]`).
    pub diffusion: DiffusionParams,
    /// The foresight fixed point (`[foresight]`).
    pub foresight: ForesightParams,
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
    /// Peak targets in file order.
    pub peaks: Vec<PeakTarget>,
    /// Technologies (index = technology id).
    pub technologies: Vec<TechSpec>,
    /// Technology ids of each sector, in catalog order.
    pub sector_techs: Vec<Vec<usize>>,
    /// GDP index per year relative to the GDP data year (1 in that year).
    pub gdp_index: Series,
    /// Uncovered emissions index per year relative to the CO2 data year.
    pub uncovered_index: Series,
    /// The power system (`[power]`), if on.
    pub power: Option<super::power::PowerSpec>,
    /// Capacity dynamics (`[capacity]`), if on.
    pub capacity: Option<super::capacity::CapacitySpec>,
    /// R&D programmes (`[research]`), if any.
    pub research: Option<super::research::ResearchSpec>,
    /// Fuels of the fuel-supply stage (`[fuels]`, MODEL.md 7.27) in name order; empty: none.
    pub fuels: Vec<super::fuels::FuelSpec>,
}

/// `[behaviour]` as declared (no names or paths to resolve).
pub type BehaviourParams = RawBehaviour;
/// `[output]` as declared.
pub type OutputParams = RawOutput;
/// `[investment]` as declared.
pub type InvestmentParams = RawInvestment;
/// `[diffusion]` as declared.
pub type DiffusionParams = RawDiffusion;
/// The foresight fixed point (MODEL.md section 7.19).
pub type ForesightParams = RawForesight;

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
    /// Names of the firm classes (index = class id): each sector's main population under the
    /// sector's name, then each of its groups as `<sector>.<group>`. Benchmarks and
    /// obligation caps are per class.
    pub fn class_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.sectors {
            out.push(s.name.clone());
            out.extend(s.groups.iter().map(|g| format!("{}.{}", s.name, g.name)));
        }
        out
    }
    /// Number of firm classes.
    pub fn classes(&self) -> usize {
        self.sectors.iter().map(|s| 1 + s.groups.len()).sum()
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

/// Capacity renewal of a sector (MODEL.md 7.28), resolved to one value per simulated year.
#[derive(Clone, Debug, Serialize)]
pub struct RenewalSpec {
    /// Energy intensity of the capacity built in a year, tce per unit of output.
    pub new_energy_intensity: Series,
    /// Share of last year's capacity retired and rebuilt in a year.
    pub retirement_rate: Series,
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
    /// Expectations mode of the sector's firms (None: their market's).
    pub expectations: Option<Expectations>,
    /// Hedging bank as a share of the firm's emissions (when banking is allowed).
    pub bank_hedge_share: f64,
    /// Speculative banking: share of emissions banked per CNY/t of expected gain.
    pub bank_speculation: f64,
    /// How generated firms are placed.
    pub location: Location,
    /// Fuel price, CNY per tce (values energy savings of technologies).
    pub fuel_price: f64,
    /// Purchased electricity per unit of output before any technology, MWh per unit.
    pub electricity_intensity: f64,
    /// Share of the sector's direct emissions from each fuel, by fuel id (empty without
    /// `[fuels]`).
    pub fuel_shares: Vec<f64>,
    /// Demand index per year relative to the base year (1 in the base year).
    pub demand_index: Series,
    /// Sub-populations in name order (group k of the sector is class `first_class + 1 + k`).
    pub groups: Vec<GroupSpec>,
    /// Class id of the sector's main population ([`Scenario::class_names`]).
    pub first_class: u16,
    /// Capacity renewal (MODEL.md 7.28), if the sector has it.
    pub renewal: Option<RenewalSpec>,
}

/// A sub-population of a sector's firms, resolved.
#[derive(Clone, Debug, Serialize)]
pub struct GroupSpec {
    /// Group name.
    pub name: String,
    /// Share of the sector's generated firms drawn into it.
    pub share: f64,
    /// Energy intensity, tce per unit (None: the sector's).
    pub energy_intensity: Option<Dist>,
    /// Carbon factor, t CO2 per tce (None: the sector's).
    pub carbon_factor: Option<Dist>,
    /// MAC price at 5 % abatement, CNY per t CO2 (None: the sector's).
    pub mac_price_at_5pct: Option<Dist>,
    /// Variable unit cost, CNY per unit (None: the sector's).
    pub variable_cost: Option<Dist>,
}

impl SectorSpec {
    /// Class id of the sector's group `group` (None: its main population).
    pub fn class(&self, group: Option<usize>) -> u16 {
        self.first_class + group.map_or(0, |g| g as u16 + 1)
    }
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
    /// Purchased electricity added once installed, MWh per unit of output.
    pub electricity_added: f64,
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

/// A region whose emissions are tracked for their peak (MODEL.md 7.23).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum PeakRegion {
    /// The nation.
    Nation,
    /// A province (id).
    Province(u16),
    /// An agglomeration (id).
    Agglomeration(u8),
    /// A city (id); reported only when it has a target.
    City(u32),
}

/// A resolved peak target: `region` should peak in `by` or earlier and/or emit at most
/// `budget` over the budget years.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PeakTarget {
    /// The region.
    pub region: PeakRegion,
    /// Target peak year (inclusive; None: no peak-year target).
    pub by: Option<i32>,
    /// Emission budget over `budget_years`, t CO2 (None: no budget target).
    pub budget: Option<f64>,
    /// First and last year of the budget, inclusive.
    pub budget_years: (i32, i32),
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
    /// Sub-population of its sector (None: the main population).
    pub group: Option<usize>,
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
    /// Which indirect emissions (of purchased electricity) covered firms surrender for.
    pub indirect: Indirect,
    /// Emission factor of `indirect = "fixed"`, t CO2 per MWh (0 otherwise).
    pub indirect_factor: f64,
    /// Base of grandfathered allocation.
    pub grandfathering_base: GrandfatheringBase,
    /// Penalty per t of shortfall as a multiple of the clearing price.
    pub penalty_price_multiple: f64,
    /// Fixed fine per firm with a shortfall, CNY.
    pub penalty_fine: f64,
    /// Whether a shortfall is deducted from next year's allocation (make-good).
    pub make_good: bool,
    /// What becomes of a firm's bank when it leaves the market.
    pub bank_on_exit: BankOnExit,
    /// t of the next market's allowances per t of this market's (`bank_on_exit = convert`).
    pub bank_conversion_rate: f64,
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
    /// Benchmark per firm class id ([`Scenario::class_names`]), t CO2 per unit.
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
    /// How covered firms form price expectations (a sector may override it).
    pub expectations: Expectations,
    /// Rate at which a banked allowance is discounted, share per year.
    pub discount_rate: f64,
    /// Years ahead the supply is announced (`announced` expectations).
    pub announced_years: u32,
    /// Offset credits from uncovered sources (None: the market takes none).
    pub offsets: Option<OffsetSpec>,
    /// Eco-compensation (None: all revenue follows `recycling`).
    pub compensation: Option<super::compensation::CompensationSpec>,
    /// Benchmark adjustment factor per province (1 unless `benchmark_adjustment` sets it).
    pub benchmark_factor: Vec<f64>,
    /// Where the obligation sits (downstream installations or upstream fuel suppliers).
    pub point: super::fuels::CoveragePoint,
    /// Share of a covered firm's direct emissions the market counts, per sector id: 1 for a
    /// downstream market; for an upstream one, the sector's share of emissions from the
    /// market's fuels.
    pub direct_share: Vec<f64>,
    /// Fuel ids an upstream market covers at the source (empty downstream).
    pub fuels_ids: Vec<usize>,
    /// Absolute cap after a peak year (`peak_cap`): (peak year, decline per year).
    pub peak_cap: Option<(i32, f64)>,
}

/// A market's offset credits ([`crate::market::offsets`]), resolved.
#[derive(Clone, Debug, Serialize)]
pub struct OffsetSpec {
    /// Share of a covered firm's (forecast) emissions it may surrender as offsets.
    pub limit_share: f64,
    /// First and last year offsets may be surrendered.
    pub years: (i32, i32),
    /// Real reduction potential per year as a share of a city's non-firm uncovered emissions.
    pub potential_share: f64,
    /// Marginal cost at the whole potential, CNY per t CO2, drawn per city.
    pub mac_price: Dist,
    /// Share of issued credits that are not additional, in [0, 1).
    pub non_additional_share: f64,
    /// Whether each city id may supply (its province is eligible).
    pub eligible: Vec<bool>,
    /// A user table of sources (empty: the curve from uncovered emissions).
    pub sources: Vec<OffsetSourceSpec>,
}

impl OffsetSpec {
    /// Whether offsets may be surrendered in `year`.
    pub fn active(&self, year: i32) -> bool {
        year >= self.years.0 && year <= self.years.1
    }
}

/// One row of a user table of offset sources.
#[derive(Clone, Debug, Serialize)]
pub struct OffsetSourceSpec {
    /// The cities it is spread over (one city, or a province's cities by their non-firm
    /// uncovered emissions).
    pub cities: Vec<u32>,
    /// Real reduction potential, t CO2 per year.
    pub potential_t: Series,
    /// Marginal cost at the whole potential, CNY per t CO2.
    pub mac_price: f64,
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
    /// What a tonne banked in this market is worth next year to a firm whose covering
    /// market next year is `next`, in tonnes of that market: 1 if it stays, the conversion
    /// rate if it moves on and the market converts, else 0 (kept dormant or cancelled).
    pub fn bank_carry(&self, next: Option<usize>) -> f64 {
        match next {
            Some(n) if n == self.id as usize => 1.0,
            Some(_) if self.bank_on_exit == BankOnExit::Convert => self.bank_conversion_rate,
            _ => 0.0,
        }
    }
    /// The market in `year` as its mechanisms see it.
    pub fn year(&self, year: i32) -> MarketYear {
        MarketYear {
            year,
            last: year >= self.end_year,
        }
    }
    /// The highest price the market can clear at in `year` (the lowest ceiling its
    /// mechanisms set, else [`crate::market::mechanism::OPEN_CEILING`]), CNY per t.
    pub fn price_ceiling(&self, year: i32) -> f64 {
        self.mechanisms
            .iter()
            .filter_map(|m| m.price_ceiling(year))
            .fold(crate::market::mechanism::OPEN_CEILING, f64::min)
    }
    /// The price in `year` if a mechanism fixes it (a tax), CNY per t.
    pub fn fixed_price(&self, year: i32) -> Option<f64> {
        self.mechanisms.iter().find_map(|m| m.fixed_price(year))
    }
    /// Expectations mode of a firm of sector `sector` in this market: the sector's override,
    /// else the market's.
    pub fn expectations_of(&self, sector: &SectorSpec) -> Expectations {
        sector.expectations.unwrap_or(self.expectations)
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
