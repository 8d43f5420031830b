//! The closed choices of a scenario (enumerations), shared by the raw file types
//! ([`super::raw`]) and the resolved scenario that the model reads: a system names a rule
//! by these types and never reads the raw file layer.

use serde::{Deserialize, Serialize};

/// Geographic scope of a sector's goods market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// One goods market per city.
    City,
    /// One goods market per province.
    Province,
    /// One goods market per grid region.
    Grid,
    /// One national goods market.
    #[default]
    National,
}

/// Where generated firms are located.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// Provinces weighted by their CO2 column, cities by GDP share.
    #[default]
    Co2,
    /// Provinces and cities weighted by GDP.
    Gdp,
}

/// Kind of carbon market: national markets take precedence over pilots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarketKind {
    /// The national market.
    National,
    /// A regional pilot market.
    Pilot,
}

/// Free allocation rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllocationRule {
    /// Intensity benchmark x actual output (China's national ETS); no fixed cap.
    Benchmark,
    /// A cap split by base-period emissions.
    Grandfathering,
    /// The whole cap auctioned.
    Auction,
    /// A carbon tax: no cap, the price follows `tax`.
    Tax,
}

/// Base of grandfathered allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GrandfatheringBase {
    /// The firm's baseline emissions in the year before it entered the market (the last full
    /// year before coverage).
    #[default]
    Entry,
    /// Last year's emissions (creates the updating incentive).
    LastYear,
}

/// What `cap_factor` multiplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CapBasis {
    /// Covered firms' base-period emissions (grandfathering bases).
    #[default]
    BasePeriod,
    /// Covered firms' baseline emissions this year.
    Baseline,
}

/// Which indirect emissions (of purchased electricity) a market counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Indirect {
    /// None: covered firms surrender for their direct emissions only.
    #[default]
    None,
    /// At the average emission factor of the firm's grid region this year.
    Grid,
    /// At the average emission factor of the firm's province this year (its own generation).
    Province,
    /// At the national average emission factor this year.
    National,
    /// At the market's fixed `indirect_factor`.
    Fixed,
}

/// What becomes of a firm's bank when it leaves the market (its coverage ends, it moves to
/// another market, or the market closes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BankOnExit {
    /// The firm keeps the allowances, valid only in this market: dormant while it is covered
    /// elsewhere or not at all, usable again if it returns while the market operates,
    /// cancelled once the market has closed.
    #[default]
    Keep,
    /// Cancelled when the firm leaves.
    Cancel,
    /// Converted into the firm's next market at `bank_conversion_rate` (t of the new market
    /// per t of this one); dormant until the firm enters one.
    Convert,
}

/// What happens to auction volume that does not sell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Unsold {
    /// Cancelled.
    #[default]
    Cancel,
    /// Added to the cost-containment reserve.
    Reserve,
}

/// Revenue recycling rule (auction, reserve and tax revenue of a market).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Recycling {
    /// Kept by the centre.
    #[default]
    Centre,
    /// To the market's cities by population.
    Population,
    /// To the market's cities by GDP.
    Gdp,
    /// To the market's cities by the abatement their covered firms achieved this year.
    Abatement,
    /// To a technology fund that pays a share of the market's firms' capex for new
    /// technologies (the share firms expect is last year's payout rate).
    TechnologyFund,
}

/// Firm-level output selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FirmLevel {
    /// Every firm.
    #[default]
    All,
    /// A keyed random sample of firms (`firm_sample_share`).
    Sample,
    /// No firm-level rows.
    None,
}

/// Which intensity a plan's firm standards follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Energy intensity (tce per unit): fuel switching does not help, capture hurts.
    Energy,
    /// Carbon intensity (t CO2 per unit).
    #[default]
    Carbon,
}

/// How a plan's national target is split to provinces (and their cities).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Differentiation {
    /// Every province gets the national cut.
    #[default]
    Uniform,
    /// Five tiers by GDP per capita: the national cut times 1.125, 1.0625, 1, 0.9375, 0.625
    /// from the richest fifth to the poorest (the 12th plan's 18/17/16/15/10 % pattern).
    GdpTiers,
    /// Cuts given per province in `table` (provinces not listed get the national cut).
    Table,
}

/// How a province's cut is split to its cities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CitySplit {
    /// Every city gets its province's cut.
    #[default]
    Uniform,
    /// Five tiers by city GDP per capita (the province tiers' multipliers), rescaled so that
    /// the base-emission-weighted mean of the city cuts is the province's cut.
    GdpTiers,
}

/// Form of the firm standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StandardKind {
    /// Every regulated firm of a city cuts its intensity by the same share from its plan
    /// base-year intensity.
    #[default]
    Relative,
    /// One intensity limit per sector and city (units of the metric per unit output).
    UniformRate,
}

/// Order in which curtailment hits regulated firms when a city's energy cap binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CurtailmentOrder {
    /// Most energy-intensive firms first.
    #[default]
    MostIntensive,
    /// All regulated firms by the same share.
    Proportional,
}

/// How firms of a market form their carbon price expectations (MODEL.md section 7.19).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Expectations {
    /// `E_t = E_{t-1} + lambda (p_{t-1} - E_{t-1})`, held flat into the future.
    #[default]
    Adaptive,
    /// From the announced supply (cap, benchmark or tax path) and last year's market:
    /// today's aggregate MAC applied to the announced scarcity of each future year.
    Announced,
    /// Rational expectations: the run's own price path, found by fixed-point iteration
    /// over whole runs.
    Foresight,
}
