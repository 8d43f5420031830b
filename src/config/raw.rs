//! Raw configuration types: exactly what a scenario TOML file may contain. Unknown keys are
//! errors. Every key is declared once here with its doc comment, unit and default; the
//! validation pass ([`super::validate`]) checks ranges and references and
//! [`super::resolve`] turns a valid raw scenario into a [`super::Scenario`].

pub use super::kinds::*;
use super::limits::Bound;
use super::limits::Bound::{Dist, Positive, PositiveTo, Within};
use super::limits::limits;
use super::series::PathRaw;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A scenario file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Name, years and seed.
    pub scenario: RawMeta,
    /// Provinces, cities, agglomerations.
    #[serde(default)]
    pub geography: RawGeography,
    /// GDP growth and uncovered emissions.
    #[serde(default, rename = "macro")]
    pub macro_: RawMacro,
    /// Behavioural options that apply to all firms.
    #[serde(default)]
    pub behaviour: RawBehaviour,
    /// Sectors by name (e.g. `power`, `steel`, `cement`, `aluminium`, `other_industry`).
    pub sectors: BTreeMap<String, RawSector>,
    /// Explicitly listed firms, in addition to the generated ones.
    #[serde(default)]
    pub firms: Vec<RawFirm>,
    /// A CSV file of explicitly listed firms (columns as in `[[firms]]`), relative to the
    /// scenario file.
    #[serde(default)]
    pub firms_file: Option<String>,
    /// Carbon markets (pilots, national), in precedence order within each kind.
    #[serde(default)]
    pub markets: Vec<RawMarket>,
    /// Five-year plans (administrative regime: intensity targets, standards, caps).
    #[serde(default)]
    pub plans: Vec<RawPlan>,
    /// Peak targets: a region (the nation, a province or an agglomeration) whose emissions
    /// should peak by a year; evaluated in the `region_peaks` table.
    #[serde(default)]
    pub peaks: Vec<RawPeak>,
    /// Abatement technologies firms can invest in (catalog, per sector).
    #[serde(default)]
    pub technologies: Vec<RawTechnology>,
    /// Investment rule options.
    #[serde(default)]
    pub investment: RawInvestment,
    /// Diffusion (Bass awareness) and learning spillover options.
    #[serde(default)]
    pub diffusion: RawDiffusion,
    /// What is written.
    #[serde(default)]
    pub output: RawOutput,
    /// The fixed point of `expectations = "foresight"`.
    #[serde(default)]
    pub foresight: RawForesight,
    /// The power system (dispatch over provinces, corridors and storage, MODEL.md 7.22);
    /// absent: the power sector sells through its goods market like any other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<super::power::RawPower>,
    /// Capacity dynamics, entry, exit and relocation (MODEL.md 7.24); absent: capacity
    /// follows each sector's demand index and no plant enters or exits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<super::capacity::RawCapacity>,
    /// Collaborative R&D programmes and two-factor learning (MODEL.md 7.26); absent: capex
    /// falls by learning by doing only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub research: Option<super::research::RawResearch>,
    /// The fuel-supply stage (MODEL.md 7.27): fuels by name with their carbon content and
    /// producer price; absent: no fuel market and no upstream coverage.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fuels: BTreeMap<String, super::fuels::RawFuel>,
}

/// `[scenario]`: identity and time.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Scenario name: used as the Hive partition value `scenario=<name>` (letters, digits,
    /// `_` and `-`).
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// First simulated year.
    pub start_year: i32,
    /// Last simulated year (inclusive).
    pub end_year: i32,
    /// Calibration year: sector `total_output` and firm `output` refer to this year.
    pub base_year: i32,
    /// World seed used when none is given on the command line.
    #[serde(default)]
    pub seed: u64,
    /// The regime's designated stringency for ambition matching (`synergy compare
    /// --match`): parameters moved together by one multiplier or value, each
    /// `PATH[:scale|:set][@FROM_YEAR]` (`[*]` = every item of an array). Not read by the
    /// model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stringency: Vec<String>,
    /// `[lower, upper]` of the stringency value (default `[0.05, 20]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stringency_bounds: Option<[f64; 2]>,
}

/// Every year key allows 1900-2300.
const YEAR: Bound = Within(1900.0, 2300.0);

limits!(RawMeta {
    start_year: YEAR,
    end_year: YEAR,
    base_year: YEAR,
});

/// `[geography]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGeography {
    /// `"embedded"` (China's 31 provinces, approximate data) or a CSV file path relative to the
    /// scenario file, with the columns of `configs/data/provinces.csv`.
    #[serde(default = "default_provinces")]
    pub provinces: String,
    /// Cities per province, overriding the table's `cities` column (0 = use the table).
    #[serde(default)]
    pub cities_per_province: u32,
    /// Dispersion (lognormal sigma) of synthetic cities' GDP shares within a province.
    #[serde(default = "default_city_sigma")]
    pub city_gdp_sigma: f64,
    /// Cities with names and given shares of their province (e.g. Shenzhen).
    #[serde(default)]
    pub named_cities: Vec<RawNamedCity>,
}

limits!(RawGeography {
    cities_per_province: Within(0.0, 100_000.0),
    city_gdp_sigma: Within(0.0, 10.0),
});

fn default_provinces() -> String {
    "embedded".into()
}
fn default_city_sigma() -> f64 {
    0.5
}

impl Default for RawGeography {
    fn default() -> Self {
        RawGeography {
            provinces: default_provinces(),
            cities_per_province: 0,
            city_gdp_sigma: default_city_sigma(),
            named_cities: Vec::new(),
        }
    }
}

/// A named city inside a province (declared with the geography it shapes).
pub use crate::geography::NamedCity as RawNamedCity;

fn yes() -> bool {
    true
}

/// `[macro]`: the economy outside the covered firms.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMacro {
    /// Real GDP growth per year (share), path. Applies to every city.
    #[serde(default = "default_gdp_growth")]
    pub gdp_growth: PathRaw,
    /// Year of the GDP and population data in the provinces table.
    #[serde(default = "default_gdp_year")]
    pub gdp_data_year: i32,
    /// Uncovered emissions (buildings, transport, small industry) as a share of the province
    /// CO2 column, in the table's CO2 data year.
    #[serde(default = "default_uncovered_share")]
    pub uncovered_share: f64,
    /// Year of the CO2 column of the provinces table.
    #[serde(default = "default_co2_year")]
    pub co2_data_year: i32,
    /// Carbon factor of uncovered (non-firm) energy use, t CO2 per tce (for energy
    /// intensity targets).
    #[serde(default = "default_uncovered_cf")]
    pub uncovered_carbon_factor: f64,
    /// Autonomous decline per year (share) of the emission intensity of uncovered emissions
    /// per unit GDP, path.
    #[serde(default = "default_uncovered_decline")]
    pub uncovered_intensity_decline: PathRaw,
}

limits!(RawMacro {
    gdp_growth: Within(-0.5, 1.0),
    gdp_data_year: YEAR,
    co2_data_year: YEAR,
    uncovered_share: Within(0.0, 10.0),
    uncovered_intensity_decline: Within(-0.5, 0.99),
    uncovered_carbon_factor: Within(1e-6, 100.0),
});

fn default_gdp_growth() -> PathRaw {
    PathRaw::Constant(0.0)
}
fn default_gdp_year() -> i32 {
    2023
}
fn default_uncovered_share() -> f64 {
    0.0
}
fn default_co2_year() -> i32 {
    2019
}
fn default_uncovered_cf() -> f64 {
    2.3
}
fn default_uncovered_decline() -> PathRaw {
    PathRaw::Constant(0.0)
}

impl Default for RawMacro {
    fn default() -> Self {
        RawMacro {
            gdp_growth: default_gdp_growth(),
            gdp_data_year: default_gdp_year(),
            uncovered_share: default_uncovered_share(),
            co2_data_year: default_co2_year(),
            uncovered_carbon_factor: default_uncovered_cf(),
            uncovered_intensity_decline: default_uncovered_decline(),
        }
    }
}

/// `[behaviour]`: bounded rationality switches (all off by default: competitive equilibrium).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBehaviour {
    /// Standard deviation of the lognormal noise on the MAC slope a firm perceives when
    /// bidding (0 = none).
    #[serde(default)]
    pub bid_noise: f64,
    /// Standard deviation of the relative error of a firm's emissions forecast at bidding
    /// time (0 = none).
    #[serde(default)]
    pub forecast_error: f64,
}

limits!(RawBehaviour {
    bid_noise: Within(0.0, 5.0),
    forecast_error: Within(0.0, 0.9),
});

/// A random attribute: a number (constant) or a distribution table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawDist {
    /// The same value for every firm.
    Constant(f64),
    /// A distribution.
    Dist(DistSpec),
}

/// Distribution families for firm attributes (sampled with `rand_distr`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum DistSpec {
    /// Normal(mean, sd), truncated below at 5 % of the mean for positive attributes.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// LogNormal with the given median and log-scale sigma.
    Lognormal {
        /// Median.
        median: f64,
        /// Sigma of the log.
        sigma: f64,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on [min, max] with the given mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Mode.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
}

/// `[sectors.<name>]`: a sector and the distributions its generated firms are drawn from.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSector {
    /// Unit of output, e.g. `"MWh"`, `"t crude steel"`.
    pub unit: String,
    /// Number of generated firms.
    #[serde(default)]
    pub firms: u32,
    /// Total output of the generated firms in the base year, units per year.
    #[serde(default)]
    pub total_output: f64,
    /// Dispersion (lognormal sigma) of generated firm sizes.
    #[serde(default = "one")]
    pub size_sigma: f64,
    /// Output over capacity in the base year, in (0, 1].
    #[serde(default = "default_utilisation")]
    pub utilisation: f64,
    /// Product price without carbon cost, CNY per unit.
    pub price: f64,
    /// Variable unit cost, CNY per unit.
    pub variable_cost: RawDist,
    /// Growth of the sector's demand per year (share), path.
    #[serde(default)]
    pub demand_growth: PathRaw,
    /// Price elasticity of demand (>= 0; 0 = fixed demand).
    #[serde(default)]
    pub elasticity: f64,
    /// Scope of the goods market.
    #[serde(default)]
    pub scope: Scope,
    /// Logit sensitivity of market shares to relative unit cost (0 = shares by capacity).
    #[serde(default)]
    pub logit_sensitivity: f64,
    /// Share of the average carbon cost passed into the product price, in [0, 1].
    #[serde(default = "one")]
    pub pass_through: f64,
    /// Energy intensity, tce per unit of output.
    pub energy_intensity: RawDist,
    /// Carbon factor, t CO2 per tce (process emissions folded in where relevant).
    pub carbon_factor: RawDist,
    /// Operational MAC: the carbon price (CNY per t CO2) at which a firm abates 5 % of its
    /// baseline emissions. The MAC slope follows as `price / (0.05 x baseline emissions)`.
    pub mac_price_at_5pct: RawDist,
    /// Operational abatement bound as a share of baseline emissions, in [0, 1].
    #[serde(default = "default_amax")]
    pub abatement_max_share: f64,
    /// Hurdle (discount) rate per year.
    #[serde(default = "default_hurdle")]
    pub hurdle_rate: RawDist,
    /// Expectation weight lambda in `E_t = E_{t-1} + lambda (p_{t-1} - E_{t-1})`, in [0, 1].
    #[serde(default = "default_lambda")]
    pub expectation_weight: RawDist,
    /// Hedging bank as a share of the firm's emissions (when banking is allowed).
    #[serde(default)]
    pub bank_hedge_share: f64,
    /// Speculative banking: share of emissions banked per CNY/t that the discounted expected
    /// price exceeds the current price.
    #[serde(default)]
    pub bank_speculation: f64,
    /// How generated firms are placed.
    #[serde(default)]
    pub location: Location,
    /// Fuel price, CNY per tce (values energy savings of technologies).
    #[serde(default)]
    pub fuel_price: f64,
    /// Purchased electricity per unit of output before any technology, MWh per unit (0, the
    /// default: none; must be 0 for the `[power]` sector). Its emissions at a grid factor are
    /// the firm's indirect emissions, counted where its market's `indirect` rule says so.
    #[serde(default)]
    pub electricity_intensity: f64,
    /// Share of the sector's direct emissions from each fuel of `[fuels]` (by fuel name, in
    /// [0, 1], adding up to at most 1; the rest is process emissions, which no upstream
    /// market covers). A firm's use of fuel f is `share_f x emissions / carbon_factor_f` tce.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fuel_shares: BTreeMap<String, f64>,
    /// How this sector's firms form price expectations (default: their market's
    /// `expectations`).
    #[serde(default)]
    pub expectations: Option<Expectations>,
    /// Sub-populations of the sector's firms (e.g. gas units of the power sector), each a
    /// share of the generated firms with its own distributions; markets may give them their
    /// own benchmark and obligation cap (`markets[].groups`).
    #[serde(default)]
    pub groups: BTreeMap<String, RawGroup>,
    /// Capacity renewal (vintages) of a sector whose plants are not modelled one by one:
    /// growth and rebuilt retirements come in at the new plants' energy intensity
    /// (MODEL.md 7.28). Absent: firms keep their build intensity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<RawRenewal>,
}

/// `[sectors.<s>.renewal]`: capacity renewal of a sector (MODEL.md 7.28).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRenewal {
    /// Energy intensity of the capacity built in a year (best practice of new plants), tce
    /// per unit of output, path.
    pub new_energy_intensity: PathRaw,
    /// Share of last year's capacity retired and rebuilt in a year (old units closed and
    /// replaced, e.g. the forced closure of small coal units), path; default 0.
    #[serde(default)]
    pub retirement_rate: PathRaw,
}

limits!(RawRenewal {
    new_energy_intensity: Within(1e-9, 1e6),
    retirement_rate: Within(0.0, 1.0),
});

/// `[sectors.<s>.groups.<g>]`: a sub-population of a sector's firms.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// Share of the sector's generated firms (by count) drawn into the group, in [0, 1]; the
    /// groups' shares sum to at most 1, the rest is the sector's main population.
    pub share: f64,
    /// Energy intensity, tce per unit (default: the sector's).
    #[serde(default)]
    pub energy_intensity: Option<RawDist>,
    /// Carbon factor, t CO2 per tce (default: the sector's).
    #[serde(default)]
    pub carbon_factor: Option<RawDist>,
    /// Carbon price (CNY per t CO2) at which a firm abates 5 % of its baseline emissions
    /// (default: the sector's).
    #[serde(default)]
    pub mac_price_at_5pct: Option<RawDist>,
    /// Variable unit cost, CNY per unit (default: the sector's).
    #[serde(default)]
    pub variable_cost: Option<RawDist>,
}

limits!(RawGroup {
    share: Within(0.0, 1.0),
    energy_intensity: Dist { positive: true },
    carbon_factor: Dist { positive: false },
    mac_price_at_5pct: Dist { positive: true },
    variable_cost: Dist { positive: false },
});

limits!(RawSector {
    firms: Within(0.0, 5e6),
    size_sigma: Within(0.0, 5.0),
    utilisation: Within(1e-6, 1.0),
    price: PositiveTo(1e9),
    variable_cost: Dist { positive: false },
    demand_growth: Within(-0.5, 1.0),
    elasticity: Within(0.0, 10.0),
    logit_sensitivity: Within(0.0, 1000.0),
    pass_through: Within(0.0, 1.0),
    energy_intensity: Dist { positive: true },
    carbon_factor: Dist { positive: false },
    mac_price_at_5pct: Dist { positive: true },
    abatement_max_share: Within(0.0, 1.0),
    hurdle_rate: Dist { positive: false },
    expectation_weight: Dist { positive: false },
    bank_hedge_share: Within(0.0, 10.0),
    bank_speculation: Within(0.0, 1.0),
    fuel_price: Within(0.0, 1e6),
    electricity_intensity: Within(0.0, 1e5),
});

fn one() -> f64 {
    1.0
}
fn default_utilisation() -> f64 {
    0.85
}
fn default_amax() -> f64 {
    0.3
}
fn default_hurdle() -> RawDist {
    RawDist::Constant(0.08)
}
fn default_lambda() -> RawDist {
    RawDist::Constant(0.5)
}

/// `[[firms]]`: an explicitly listed firm.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFirm {
    /// Sector name.
    pub sector: String,
    /// City name (a named city, or a generated one such as `Beijing-1`).
    pub city: String,
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
    /// Variable unit cost, CNY per unit (default: the mean of the sector's `variable_cost`).
    #[serde(default)]
    pub variable_cost: Option<f64>,
    /// Hurdle rate per year (default: the mean of the sector's `hurdle_rate`).
    #[serde(default)]
    pub hurdle_rate: Option<f64>,
    /// Sub-population of its sector (`sectors.<s>.groups`; default: the main population).
    #[serde(default)]
    pub group: Option<String>,
}

limits!(RawFirm {
    output: PositiveTo(1e13),
    energy_intensity: PositiveTo(1e4),
    carbon_factor: Within(0.0, 100.0),
    mac_slope: PositiveTo(1e15),
    abatement_max: Within(0.0, 1e15),
    variable_cost: Within(0.0, 1e9),
    hurdle_rate: Within(0.0, 1.0),
});

/// `[[markets]]`: one emissions trading market (a regulator entity).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMarket {
    /// Market name, unique (output column `market`).
    pub name: String,
    /// `national` or `pilot`.
    pub kind: MarketKind,
    /// First year of operation.
    pub start_year: i32,
    /// Last year of operation (inclusive; default: the scenario's end).
    #[serde(default)]
    pub end_year: Option<i32>,
    /// Covered sectors and the first year each is covered.
    pub sectors: BTreeMap<String, i32>,
    /// Covered provinces (all cities in them). Empty with empty `cities`: the whole country.
    #[serde(default)]
    pub provinces: Vec<String>,
    /// Covered cities by name.
    #[serde(default)]
    pub cities: Vec<String>,
    /// Cities excluded from the provinces listed.
    #[serde(default)]
    pub exclude_cities: Vec<String>,
    /// Inclusion threshold: last year's baseline emissions, t CO2 per year.
    #[serde(default)]
    pub threshold_t: f64,
    /// Free allocation rule.
    pub allocation: AllocationRule,
    /// Benchmarks by sector, t CO2 per unit of output, paths (benchmark rule).
    #[serde(default)]
    pub benchmarks: BTreeMap<String, PathRaw>,
    /// Cap relative to covered firms' base-period emissions, path (grandfathering/auction).
    #[serde(default)]
    pub cap_factor: Option<PathRaw>,
    /// Absolute cap, t CO2 per year, path (grandfathering/auction).
    #[serde(default)]
    pub cap_t: Option<PathRaw>,
    /// What `cap_factor` multiplies: `base_period` (covered firms' grandfathering bases) or
    /// `baseline` (covered firms' baseline emissions this year: the cap follows output, as
    /// China's pilots adjusted caps ex post).
    #[serde(default)]
    pub cap_basis: CapBasis,
    /// Base of grandfathered allocation.
    #[serde(default)]
    pub grandfathering_base: GrandfatheringBase,
    /// Share of the cap (or of the benchmark total) sold at auction, path in [0, 1].
    #[serde(default)]
    pub auction_share: Option<PathRaw>,
    /// Auction reserve price, CNY per t, path.
    #[serde(default)]
    pub reserve_price: PathRaw,
    /// What happens to unsold auction volume.
    #[serde(default)]
    pub unsold_auction: Unsold,
    /// Price floor, CNY per t, path.
    #[serde(default)]
    pub floor: PathRaw,
    /// Price ceiling, CNY per t, path.
    #[serde(default = "default_ceiling")]
    pub ceiling: PathRaw,
    /// Cost-containment reserve sold at the ceiling, t per year, path.
    #[serde(default)]
    pub ccr_volume_t: PathRaw,
    /// Whether unused allowances are banked (else cancelled at compliance).
    #[serde(default = "yes")]
    pub banking: bool,
    /// What becomes of a firm's bank when it leaves this market: `keep` (dormant, valid
    /// only here), `cancel`, or `convert` into its next market.
    #[serde(default)]
    pub bank_on_exit: BankOnExit,
    /// With `bank_on_exit = "convert"`: t of the new market's allowances per t of this
    /// market's (default 1).
    #[serde(default)]
    pub bank_conversion_rate: Option<f64>,
    /// Cap on the shortfall obligation as a share of verified emissions (China's early
    /// cycles: 0.2); none when absent.
    #[serde(default)]
    pub obligation_cap_share: Option<f64>,
    /// Last year the obligation cap applies (default: every year).
    #[serde(default)]
    pub obligation_cap_until: Option<i32>,
    /// Penalty per t of shortfall as a multiple of the clearing price.
    #[serde(default)]
    pub penalty_price_multiple: f64,
    /// Penalty per t of shortfall, CNY per t, path (added to the multiple).
    #[serde(default)]
    pub penalty_per_t: PathRaw,
    /// Fixed fine per firm with a shortfall, CNY.
    #[serde(default)]
    pub penalty_fine: f64,
    /// Whether a shortfall is deducted from next year's allocation (make-good).
    #[serde(default = "yes")]
    pub make_good: bool,
    /// Price firms expect in the market's first year, CNY per t.
    #[serde(default)]
    pub launch_price: f64,
    /// Carbon tax, CNY per t, path (allocation = "tax"): the price is fixed, firms abate
    /// where MAC < tax and pay the tax on their emissions.
    #[serde(default)]
    pub tax: Option<PathRaw>,
    /// What happens to auction, reserve and tax revenue.
    #[serde(default)]
    pub recycling: Recycling,
    /// How covered firms form price expectations: `adaptive`, `announced` or `foresight`.
    #[serde(default)]
    pub expectations: Expectations,
    /// With `expectations = "announced"`: how many years ahead the supply is announced
    /// (China announces allocation plans and benchmarks for a few years); beyond, firms hold
    /// the last announced year's price.
    #[serde(default = "default_announced_years")]
    pub announced_years: u32,
    /// Rate at which a banked allowance is discounted, share per year (default: the mean
    /// `hurdle_rate` of the covered sectors).
    #[serde(default)]
    pub discount_rate: Option<f64>,
    /// China's 2023-24 banking limit: at most `fixed_t + sales_multiple x net sales` of a
    /// firm's unused allowances may be banked each year in `from..=until`; the rest is
    /// cancelled.
    #[serde(default)]
    pub banking_limit: Option<RawBankingLimit>,
    /// A market stability reserve (EU style): auction volume taken in when the allowances in
    /// circulation exceed `upper_t`, released when below `lower_t`.
    #[serde(default)]
    pub msr: Option<RawMsr>,
    /// Borrowing from next year's allocation (off in China since 2023).
    #[serde(default)]
    pub borrowing: Option<RawBorrowing>,
    /// Offset credits (China's CCER) from uncovered sources that covered firms may surrender
    /// in place of allowances, up to a share of their emissions.
    #[serde(default)]
    pub offsets: Option<RawOffsets>,
    /// Eco-compensation: a share of the market's revenue paid to provinces by a rule, before
    /// the rest is recycled (MODEL.md 7.25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<super::compensation::RawCompensation>,
    /// Regional adjustment factors of the benchmarks, by province name (default 1): a covered
    /// firm in the province receives `factor x benchmark` per unit of output.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub benchmark_adjustment: BTreeMap<String, f64>,
    /// Which indirect emissions (of purchased electricity) covered firms surrender
    /// allowances for: `none` (the default), or their electricity at the `grid` region's,
    /// the `province`'s or the `national` average emission factor of this year's dispatch
    /// (these need `[power]`), or at the `fixed` factor `indirect_factor`.
    #[serde(default)]
    pub indirect: Indirect,
    /// With `indirect = "fixed"`: the emission factor, t CO2 per MWh.
    #[serde(default)]
    pub indirect_factor: Option<f64>,
    /// Where the obligation sits: `downstream` (the default: on emitting installations) or
    /// `upstream` (on the suppliers of `fuels`: every firm of the market's sectors and cities
    /// pays the price on the emissions of those fuels through the fuel price; no threshold,
    /// no free allocation; a firm covered by a downstream market is exempt, so no tonne is
    /// priced twice).
    #[serde(
        default,
        skip_serializing_if = "super::fuels::CoveragePoint::is_downstream"
    )]
    pub point: super::fuels::CoveragePoint,
    /// Absolute cap after a peak (MODEL.md 7.23): from the year after `year` (or after the
    /// `by` year of `region`'s `[[peaks]]` target) the market's supply is capped at its covered
    /// emissions of that year, falling by `decline` a year; under benchmark allocation the free
    /// allocation and auction volume are scaled down to the cap (a correction factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_cap: Option<RawPeakCap>,
    /// With `point = "upstream"`: the fuels of `[fuels]` covered at the source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fuels: Vec<String>,
    /// Rules for sub-populations of covered sectors, `groups.<sector>.<group>` (e.g. the gas
    /// units of the power sector: their own benchmark, and an obligation capped at their
    /// allocation).
    #[serde(default)]
    pub groups: BTreeMap<String, BTreeMap<String, RawMarketGroup>>,
}

/// `markets[].peak_cap`: an absolute cap from a peak year on.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeakCap {
    /// The peak year: the cap starts the year after (give this or `region`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// A region with a `[[peaks]]` target whose `by` year is the peak year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Share by which the cap falls each year after the peak year, in [0, 1).
    #[serde(default)]
    pub decline: f64,
}

limits!(RawPeakCap {
    decline: Within(0.0, 0.999),
});

/// `markets[].groups.<sector>.<group>`: a market's rules for one sub-population.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMarketGroup {
    /// Benchmark, t CO2 per unit of output (path; default: the sector's benchmark).
    #[serde(default)]
    pub benchmark: Option<PathRaw>,
    /// The group owes at most its free allocation plus this share of its verified emissions
    /// (China's gas units: 0, they owe at most their allocation; default: the market's
    /// `obligation_cap_share`).
    #[serde(default)]
    pub obligation_cap_share: Option<f64>,
    /// Last year the group's obligation cap applies (default: every year).
    #[serde(default)]
    pub obligation_cap_until: Option<i32>,
}

limits!(RawMarketGroup {
    benchmark: Within(0.0, 1e6),
    obligation_cap_share: Within(0.0, 1.0),
    obligation_cap_until: YEAR,
});

/// `markets[].offsets`: offset credits from uncovered sources (China's CCER).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffsets {
    /// Share of a covered firm's emissions it may surrender as offsets (China: 0.05 in the
    /// national market, about 0.1 in the pilots).
    pub limit_share: f64,
    /// First year offsets may be surrendered (default: the market's first year).
    #[serde(default)]
    pub from: Option<i32>,
    /// Last year offsets may be surrendered (default: the market's last year).
    #[serde(default)]
    pub until: Option<i32>,
    /// Real reduction potential of a supplying city per year, as a share of its non-firm
    /// uncovered emissions (ignored when `sources` is given).
    #[serde(default = "default_offset_potential")]
    pub potential_share: f64,
    /// Marginal cost of a city's real reductions at its whole potential, CNY per t CO2
    /// (linear from 0; drawn per city; ignored when `sources` is given).
    #[serde(default = "default_offset_mac")]
    pub mac_price: RawDist,
    /// Share of issued credits that are not additional (reductions that would have happened
    /// anyway), in [0, 1): a tonne really reduced earns 1 / (1 - share) credits.
    #[serde(default)]
    pub non_additional_share: f64,
    /// Provinces whose sources are eligible (empty: every province).
    #[serde(default)]
    pub provinces: Vec<String>,
    /// A user table of sources, replacing the curve from uncovered emissions.
    #[serde(default)]
    pub sources: Vec<RawOffsetSource>,
}

limits!(RawOffsets {
    limit_share: Within(0.0, 1.0),
    from: YEAR,
    until: YEAR,
    potential_share: Within(0.0, 1.0),
    mac_price: Dist { positive: true },
    non_additional_share: Within(0.0, 0.99),
});

/// `markets[].offsets.sources[]`: one row of a user table of offset sources.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffsetSource {
    /// City of the source (give `city` or `province`).
    #[serde(default)]
    pub city: Option<String>,
    /// Province of the source, spread over its cities by their non-firm uncovered emissions.
    #[serde(default)]
    pub province: Option<String>,
    /// Real reduction potential, t CO2 per year (path).
    pub potential_t: PathRaw,
    /// Marginal cost of the real reductions at the whole potential, CNY per t CO2 (> 0).
    pub mac_price: f64,
}

limits!(RawOffsetSource {
    potential_t: Within(0.0, 1e13),
    mac_price: PositiveTo(1e7),
});

fn default_offset_potential() -> f64 {
    0.01
}
fn default_offset_mac() -> RawDist {
    RawDist::Constant(100.0)
}

/// `markets[].borrowing`: firms may use part of next year's allocation this year.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBorrowing {
    /// Capacity as a share of the firm's free allocation this year.
    pub share_of_allocation: f64,
    /// First year firms may borrow (default: the market's first year).
    #[serde(default)]
    pub from: Option<i32>,
    /// Last year firms may borrow (default: the year before the market's last).
    #[serde(default)]
    pub until: Option<i32>,
}

limits!(RawBorrowing {
    share_of_allocation: Within(0.0, 100.0),
    from: YEAR,
    until: YEAR,
});

/// `markets[].msr`: a market stability reserve acting on the auction volume.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMsr {
    /// First year it operates (default: the market's first year).
    #[serde(default)]
    pub from: Option<i32>,
    /// Upper threshold of the allowances in circulation (banks at year end), t CO2.
    pub upper_t: f64,
    /// Lower threshold, t CO2.
    pub lower_t: f64,
    /// Share of the allowances in circulation taken in when above `upper_t`, per year
    /// (EU: 0.24, then 0.12).
    pub intake_rate: f64,
    /// Released when below `lower_t`, t CO2 per year (EU: 100 Mt).
    pub release_t: f64,
    /// Stock above which the reserve's allowances are invalidated, t CO2 (none when absent).
    #[serde(default)]
    pub invalidate_above_t: Option<f64>,
}

limits!(RawMsr {
    from: YEAR,
    upper_t: Within(0.0, 1e13),
    lower_t: Within(0.0, 1e13),
    intake_rate: Within(0.0, 1.0),
    release_t: Within(0.0, 1e13),
    invalidate_above_t: Within(0.0, 1e13),
});

/// `markets[].banking_limit`: a cap on what one firm may bank per year.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBankingLimit {
    /// Fixed part, t CO2 per firm and year (China 2023-24: 10,000).
    #[serde(default = "default_bank_limit_t")]
    pub fixed_t: f64,
    /// Multiple of the firm's net sales this year, t banked per t sold (China: 1.5).
    #[serde(default = "default_bank_limit_multiple")]
    pub sales_multiple: f64,
    /// First year the limit applies (default: the market's first year).
    #[serde(default)]
    pub from: Option<i32>,
    /// Last year the limit applies (default: the market's last year).
    #[serde(default)]
    pub until: Option<i32>,
}

limits!(RawBankingLimit {
    fixed_t: Within(0.0, 1e13),
    sales_multiple: Within(0.0, 1000.0),
    from: YEAR,
    until: YEAR,
});

fn default_announced_years() -> u32 {
    5
}

fn default_bank_limit_t() -> f64 {
    10_000.0
}
fn default_bank_limit_multiple() -> f64 {
    1.5
}

/// `[foresight]`: the fixed-point iteration that finds a rational-expectations price path
/// for markets (or sectors) with `expectations = "foresight"`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawForesight {
    /// Stop when `max_t |p_t(realised) - p_t(expected)| / max(p_t(expected), 1)` is below
    /// this (share).
    #[serde(default = "default_foresight_tolerance")]
    pub tolerance: f64,
    /// Weight of the realised path in the next expected path, in (0, 1].
    #[serde(default = "default_foresight_damping")]
    pub damping: f64,
    /// At most this many whole runs (the last one's residual is reported either way).
    #[serde(default = "default_foresight_iterations")]
    pub max_iterations: u32,
}

limits!(RawForesight {
    tolerance: Within(1e-12, 1.0),
    damping: Within(1e-6, 1.0),
    max_iterations: Within(1.0, 10000.0),
});

fn default_foresight_tolerance() -> f64 {
    1e-3
}
fn default_foresight_damping() -> f64 {
    0.5
}
fn default_foresight_iterations() -> u32 {
    200
}

impl Default for RawForesight {
    fn default() -> Self {
        RawForesight {
            tolerance: default_foresight_tolerance(),
            damping: default_foresight_damping(),
            max_iterations: default_foresight_iterations(),
        }
    }
}

limits!(RawMarket {
    start_year: YEAR,
    end_year: YEAR,
    obligation_cap_until: YEAR,
    threshold_t: Within(0.0, 1e13),
    auction_share: Within(0.0, 1.0),
    reserve_price: Within(0.0, 1e6),
    floor: Within(0.0, 1e6),
    ceiling: Within(0.0, 1e6),
    ccr_volume_t: Within(0.0, 1e13),
    obligation_cap_share: Within(0.0, 1.0),
    bank_conversion_rate: Within(0.0, 10.0),
    penalty_price_multiple: Within(0.0, 1000.0),
    penalty_per_t: Within(0.0, 1e7),
    penalty_fine: Within(0.0, 1e12),
    launch_price: Within(0.0, 1e6),
    discount_rate: Within(0.0, 1.0),
    announced_years: Within(0.0, 200.0),
    indirect_factor: Within(0.0, 10.0),
});

fn default_ceiling() -> PathRaw {
    PathRaw::Constant(1000.0)
}

/// `[output]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// Firm-level rows (`firm_year`): `all`, `sample` or `none`.
    #[serde(default)]
    pub firm_level: FirmLevel,
    /// Share of firms kept when `firm_level = "sample"`, in (0, 1].
    #[serde(default = "one")]
    pub firm_sample_share: f64,
    /// Write `firm_year` rows every k years (1 = every year).
    #[serde(default = "one_u32")]
    pub firm_every_years: u32,
}

limits!(RawOutput {
    firm_sample_share: Within(1e-9, 1.0),
});

fn one_u32() -> u32 {
    1
}

impl Default for RawOutput {
    fn default() -> Self {
        RawOutput {
            firm_level: FirmLevel::All,
            firm_sample_share: 1.0,
            firm_every_years: 1,
        }
    }
}

/// `[[technologies]]`: one abatement technology of a sector's catalog.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTechnology {
    /// Name, unique (output column `technology`).
    pub name: String,
    /// Sector whose firms can adopt it.
    pub sector: String,
    /// Multiplier on energy intensity once installed (> 1: energy penalty, e.g. capture).
    pub energy_factor: f64,
    /// Multiplier on the carbon factor once installed (< 1: fuel switch, capture).
    pub carbon_factor: f64,
    /// Capital cost at the start, CNY per unit of annual capacity.
    pub capex: f64,
    /// Extra operating cost, CNY per unit of output (negative: savings not counted as fuel).
    /// Where the technology uses more electricity, its tariff is part of this cost.
    #[serde(default)]
    pub opex: f64,
    /// Purchased electricity added once installed, MWh per unit of output (negative: saved;
    /// the firm's electricity intensity never falls below 0). It raises the load of the
    /// firm's province in the power dispatch and, where the firm's market counts them, its
    /// indirect emissions.
    #[serde(default)]
    pub electricity_added: f64,
    /// Economic lifetime, years (annualisation and how long the capex is charged).
    pub lifetime: u32,
    /// Years between the decision and the effect.
    #[serde(default)]
    pub build_lag: u32,
    /// Learning rate: unit capex falls by this share per doubling of effective cumulative
    /// capacity, in [0, 1).
    #[serde(default)]
    pub learning_rate: f64,
    /// Cumulative capacity installed before the run (X0), units of annual capacity.
    pub initial_capacity: f64,
    /// Growth per year of capacity installed outside the modelled firms (e.g. worldwide),
    /// added to X0 (share per year, path).
    #[serde(default)]
    pub external_growth: super::series::PathRaw,
    /// Bass innovation coefficient p, per year.
    pub bass_p: f64,
    /// Bass imitation coefficient q, per year.
    pub bass_q: f64,
    /// First year the technology can be adopted (0, the default: from the start).
    #[serde(default)]
    pub available_from: i32,
    /// Dispersion (lognormal sigma) of the firm-specific capex multiplier.
    #[serde(default)]
    pub capex_sigma: f64,
    /// Confidence of the values: H, M or L (see docs/TECHNOLOGIES.md).
    #[serde(default)]
    pub confidence: String,
}

limits!(RawTechnology {
    available_from: Within(0.0, 2300.0),
    lifetime: Within(1.0, 200.0),
    build_lag: Within(0.0, 50.0),
    energy_factor: Within(0.0, 10.0),
    carbon_factor: Within(0.0, 10.0),
    capex: Within(0.0, 1e9),
    opex: Within(-1e9, 1e9),
    electricity_added: Within(-1e5, 1e5),
    learning_rate: Within(0.0, 0.99),
    initial_capacity: Positive,
    external_growth: Within(-0.5, 2.0),
    bass_p: Within(0.0, 1000.0),
    bass_q: Within(0.0, 1000.0),
    capex_sigma: Within(0.0, 3.0),
});

/// `[investment]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInvestment {
    /// At most this many new technologies per firm and year.
    #[serde(default = "one_u32")]
    pub max_new_per_year: u32,
    /// Upfront capex of one decision may not exceed this share of the firm's revenue that
    /// year (none when absent).
    #[serde(default)]
    pub budget_share_of_revenue: Option<f64>,
    /// When false, a firm adopts every technology it becomes aware of (pure Bass diffusion,
    /// for validation); when true (default) adoption also needs a positive net value.
    #[serde(default = "yes")]
    pub economic_filter: bool,
}

limits!(RawInvestment {
    budget_share_of_revenue: Within(0.0, 100.0),
});

impl Default for RawInvestment {
    fn default() -> Self {
        RawInvestment {
            max_new_per_year: 1,
            budget_share_of_revenue: None,
            economic_filter: true,
        }
    }
}

/// `[diffusion]`: proximity weights of adoption shares (Bass imitation) and of learning
/// spillovers (Wright): own city 1, rest of the agglomeration `phi_agglomeration`, rest of
/// the country `phi_national`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiffusion {
    /// Weight of the rest of the firm's agglomeration, in [0, 1].
    #[serde(default = "default_phi_agg")]
    pub phi_agglomeration: f64,
    /// Weight of the rest of the country, in [0, 1].
    #[serde(default = "default_phi_nat")]
    pub phi_national: f64,
}

limits!(RawDiffusion {
    phi_agglomeration: Within(0.0, 1.0),
    phi_national: Within(0.0, 1.0),
});

fn default_phi_agg() -> f64 {
    0.5
}
fn default_phi_nat() -> f64 {
    0.1
}

impl Default for RawDiffusion {
    fn default() -> Self {
        RawDiffusion {
            phi_agglomeration: default_phi_agg(),
            phi_national: default_phi_nat(),
        }
    }
}

/// `[[peaks]]`: a peak target.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeak {
    /// Region: `"China"`, a province name or an agglomeration name of the provinces table.
    pub region: String,
    /// Year by which its emissions should peak (inclusive; absent: a budget target only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<i32>,
    /// Emission budget: the most the region may emit over `budget_years`, t CO2 (absent: no
    /// budget target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_t: Option<f64>,
    /// First and last year of the budget, inclusive (default: the run's years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_years: Option<[i32; 2]>,
}

/// `[[plans]]`: a five-year plan (dual control).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    /// Name, e.g. `"12th"`.
    pub name: String,
    /// First plan year.
    pub start_year: i32,
    /// Last plan year (targets are for this year).
    pub end_year: i32,
    /// National cut of energy intensity (tce per GDP) from the year before the plan to its
    /// last year, share.
    #[serde(default)]
    pub energy_intensity_cut: Option<f64>,
    /// National cut of carbon intensity (t CO2 per GDP), share.
    #[serde(default)]
    pub carbon_intensity_cut: Option<f64>,
    /// National total energy cap in the plan's last year, tce (split to cities by their
    /// energy use in the base year; reached linearly).
    #[serde(default)]
    pub energy_cap_tce: Option<f64>,
    /// How targets are split to provinces.
    #[serde(default)]
    pub differentiation: Differentiation,
    /// Province cuts of the enforced metric (`differentiation = "table"`), shares.
    #[serde(default)]
    pub table: BTreeMap<String, f64>,
    /// How a province's cut is split to its cities: `uniform` (the province's cut) or
    /// `gdp_tiers` (by city GDP per capita, keeping the province's weighted cut).
    #[serde(default)]
    pub city_split: CitySplit,
    /// Which target the firm standards follow.
    #[serde(default)]
    pub metric: Metric,
    /// Whether cities enforce standards on their firms (administrative-led); when false the
    /// targets are only monitored.
    #[serde(default)]
    pub enforce: bool,
    /// Sectors whose firms cities regulate (empty: all).
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Form of the firm standard.
    #[serde(default)]
    pub firm_standard: StandardKind,
    /// Uniform-rate standards set directly, per sector (metric units per unit of output),
    /// paths; overrides the city-derived standard for that sector.
    #[serde(default)]
    pub fixed_rate: BTreeMap<String, PathRaw>,
    /// Largest cut a city may impose on a firm's plan base-year intensity, share.
    #[serde(default = "default_stringency")]
    pub max_stringency: f64,
    /// Order of curtailment when an energy cap binds.
    #[serde(default)]
    pub curtailment_order: CurtailmentOrder,
}

limits!(RawPlan {
    start_year: YEAR,
    end_year: YEAR,
    energy_cap_tce: PositiveTo(1e13),
    max_stringency: Within(0.0, 1.0),
});

fn default_stringency() -> f64 {
    0.5
}
