//! Firm components, grouped by what systems read together (MODEL.md section 2.3).
//! Units: output in the sector's units per year, emissions in t CO2, money in CNY.

use bevy_ecs::prelude::Component;

/// Static identity and location.
#[derive(Component, Clone, Copy, Debug)]
pub struct FirmInfo {
    /// Firm id (row order of the `firms` table).
    pub id: u32,
    /// Sector id.
    pub sector: u16,
    /// Class id: the sector's main population or one of its groups
    /// ([`crate::config::Scenario::class_names`]); benchmarks and obligation caps are per class.
    pub class: u16,
    /// City id.
    pub city: u32,
    /// Goods market id (sector x scope region).
    pub goods_market: u32,
    /// Key of the firm's keyed draws: a hash of the sector name with the firm's index within
    /// the sector for generated firms, a tagged position for listed firms. Unlike `id`, it
    /// does not change when other sectors change (common random numbers).
    pub key: u64,
}

/// Size: capacity and output in the base year; both scale with the sector's demand index.
#[derive(Component, Clone, Copy, Debug)]
pub struct Capacity {
    /// Capacity in the base year, units per year.
    pub base_capacity: f64,
    /// Output in the base year at base utilisation, units per year (reference output).
    pub base_output: f64,
}

/// This year's production.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Production {
    /// Output, units per year.
    pub output: f64,
    /// Variable unit cost, CNY per unit.
    pub variable_cost: f64,
    /// Log of the logit weight in the goods market this year: ln(capacity) - beta (u - u_min)
    /// / price (-inf without capacity; scratch of the production phase).
    pub log_weight: f64,
    /// Capacity this year, units per year.
    pub capacity: f64,
    /// Product price of the firm's goods market this year, CNY per unit.
    pub price: f64,
    /// Change of its fuel cost against the base producer prices of `[fuels]`, CNY per t CO2
    /// of direct emissions (its sector's markup this year; 0 without `[fuels]`).
    pub fuel_markup: f64,
}

/// Intensities; emission intensity = energy x carbon factor. Installed technologies
/// multiply them.
#[derive(Component, Clone, Copy, Debug)]
pub struct Intensity {
    /// Energy intensity, tce per unit.
    pub energy: f64,
    /// Carbon factor, t CO2 per tce.
    pub carbon_factor: f64,
    /// Emission intensity at world build, before any technology, t CO2 per unit (the
    /// firm's counterfactual).
    pub initial_emission: f64,
    /// Energy intensity at world build, before any technology, tce per unit.
    pub initial_energy: f64,
    /// Carbon factor at world build, before any technology, t CO2 per tce.
    pub initial_carbon_factor: f64,
    /// Purchased electricity, MWh per unit (the sector's intensity plus what installed
    /// technologies add, at least 0).
    pub electricity: f64,
    /// Purchased electricity at world build, before any technology, MWh per unit.
    pub initial_electricity: f64,
    /// Energy intensity at world build or entry, tce per unit: `initial_energy` before any
    /// capacity renewal (MODEL.md 7.28), which moves `initial_energy` and `initial_emission`
    /// to the capacity-weighted mean of the firm's vintages.
    pub build_energy: f64,
}

impl Intensity {
    /// Intensities at world build: energy (tce per unit), carbon factor (t CO2 per tce) and
    /// purchased electricity (MWh per unit), before any technology.
    pub fn at_build(energy: f64, carbon_factor: f64, electricity: f64) -> Self {
        Intensity {
            energy,
            carbon_factor,
            initial_emission: energy * carbon_factor,
            initial_energy: energy,
            initial_carbon_factor: carbon_factor,
            electricity,
            initial_electricity: electricity,
            build_energy: energy,
        }
    }

    /// Electricity added by technologies against the build intensity, MWh per unit (the
    /// electrification load the power dispatch adds to the province's exogenous load).
    pub fn electricity_added(&self) -> f64 {
        self.electricity - self.initial_electricity
    }

    /// Emission intensity, t CO2 per unit.
    pub fn emission(&self) -> f64 {
        self.energy * self.carbon_factor
    }

    /// Change of fuel cost per unit of output against the firm's build intensity, CNY per
    /// unit: `fuel_price (energy - initial_energy)` (negative: technologies save fuel).
    pub fn fuel_cost_change_per_unit(&self, fuel_price: f64) -> f64 {
        fuel_price * (self.energy - self.initial_energy)
    }
}

/// Operational (within-year) abatement: linear MAC.
#[derive(Component, Clone, Copy, Debug)]
pub struct Mac {
    /// MAC slope at reference output, CNY per t per t. This year's slope is
    /// `slope_ref x base_output / output`.
    pub slope_ref: f64,
    /// Abatement bound as a share of baseline emissions.
    pub max_share: f64,
    /// `slope_ref` at world build or entry (capacity renewal rescales `slope_ref` so that
    /// the price of a 5 % cut stays the firm's drawn one), CNY per t per t.
    pub build_slope_ref: f64,
}

impl Mac {
    /// A MAC with slope `slope_ref` (CNY per t per t at reference output) and bound
    /// `max_share` (share of baseline emissions), as built.
    pub fn at_build(slope_ref: f64, max_share: f64) -> Self {
        Mac {
            slope_ref,
            max_share,
            build_slope_ref: slope_ref,
        }
    }
}

impl Mac {
    /// Cost of abating `a` t CO2 at slope `slope`: `slope a^2 / 2`, CNY; 0 when nothing is
    /// abated (the slope is infinite for a firm without output).
    pub fn cost(slope: f64, a: f64) -> f64 {
        if a > 0.0 { slope * a * a / 2.0 } else { 0.0 }
    }

    /// This year's MAC slope at `output` given the reference output.
    pub fn slope(&self, base_output: f64, output: f64) -> f64 {
        if output > 0.0 {
            self.slope_ref * base_output / output
        } else {
            f64::INFINITY
        }
    }
}

/// Behavioural parameters.
#[derive(Component, Clone, Copy, Debug)]
pub struct Behaviour {
    /// Hurdle rate, per year.
    pub hurdle_rate: f64,
    /// Expectation weight lambda.
    pub lambda: f64,
    /// Hedging bank, share of emissions.
    pub hedge_share: f64,
    /// Speculative banking, share of emissions per CNY/t.
    pub speculation: f64,
}

/// Price expectation.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Expectation {
    /// Expected allowance price of the firm's market this year (adaptive), CNY per t; 0 when
    /// uncovered.
    pub market: f64,
    /// Carbon price the firm plans with: the market expectation or, under an administrative
    /// standard, its own last shadow price if higher, CNY per t.
    pub price: f64,
    /// Expected price of its market next year, CNY per t (what a banked allowance is worth
    /// before discounting; `market` under adaptive expectations).
    pub next: f64,
}

/// Market coverage.
#[derive(Component, Clone, Copy, Debug)]
pub struct Coverage {
    /// Covering market this year.
    pub market: Option<u16>,
    /// Covering market last year.
    pub previous: Option<u16>,
    /// Year the firm entered its current market.
    pub entered: i32,
    /// Gross emissions (before operational abatement) in the year before entry, plus that
    /// year's electricity at the factor the new market counts it (grandfathering base), t CO2.
    pub base_emissions: f64,
    /// Last year's direct gross emissions (before operational abatement), t CO2 (threshold
    /// test: thresholds apply to direct emissions).
    pub last_gross_emissions: f64,
    /// Last year's covered emissions: realised direct emissions plus the indirect emissions
    /// its market counted, t CO2 (grandfathering on last year).
    pub last_emissions: f64,
    /// Last year's purchased electricity, MWh (indirect part of the entry-year base).
    pub last_electricity_mwh: f64,
    /// Marginal free allocation per unit of output this year (benchmark rule), t CO2 per unit.
    pub free_rate: f64,
    /// Emission factor at which the firm's market counts its purchased electricity, as the
    /// firm expects it this year (last year's dispatch, or the market's fixed factor; 0 when
    /// its market counts no indirect emissions or it is uncovered), t CO2 per MWh.
    pub indirect_factor: f64,
    /// Share of its direct emissions its market counts: 1 under a downstream market (and
    /// when uncovered); under an upstream market, its sector's share of emissions from the
    /// market's fuels (MODEL.md 7.27).
    pub direct_share: f64,
}

impl Default for Coverage {
    fn default() -> Self {
        Coverage {
            market: None,
            previous: None,
            entered: 0,
            base_emissions: 0.0,
            last_gross_emissions: 0.0,
            last_emissions: 0.0,
            last_electricity_mwh: 0.0,
            free_rate: 0.0,
            indirect_factor: 0.0,
            direct_share: 1.0,
        }
    }
}

impl Coverage {
    /// The part of `direct` t CO2 of direct emissions its market counts, t CO2 (`direct`
    /// itself under a downstream market).
    pub fn counted(&self, direct: f64) -> f64 {
        if self.direct_share == 1.0 {
            direct
        } else {
            self.direct_share * direct
        }
    }
}

/// Allowance and money accounts.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Account {
    /// Bank: allowances carried between years, t CO2.
    pub bank: f64,
    /// Bank at the start of this year, t CO2.
    pub bank_start: f64,
    /// Free allocation this year net of make-good deduction, t CO2.
    pub allocation: f64,
    /// Make-good debt owed from earlier shortfalls (and borrowing), t CO2.
    pub debt: f64,
    /// Free allocation this year before the debt is deducted, t CO2.
    pub gross_allocation: f64,
    /// Allowances bought (+) or sold (-) this year, t CO2 (offset credits bought included).
    pub net_purchase: f64,
    /// Offset credits bought this year (part of `net_purchase`, surrendered like
    /// allowances), t CO2.
    pub offsets: f64,
    /// Paid for `offsets` at the offset price, CNY (the rest of `net_purchase` is paid at
    /// the clearing price).
    pub offset_payment: f64,
    /// Allowances surrendered this year, t CO2.
    pub surrendered: f64,
    /// Allowances cancelled this year (no banking), t CO2.
    pub cancelled: f64,
    /// Borrowed this year from next year's allocation (added to the debt), t CO2.
    pub borrowed: f64,
    /// Shortfall this year, t CO2.
    pub shortfall: f64,
    /// Obligation forgiven by the obligation cap, t CO2.
    pub forgiven: f64,
    /// Penalty this year, CNY.
    pub penalty: f64,
    /// Allowances of another market held outside it (`bank_on_exit = "keep"` or a
    /// conversion still to come), t CO2 of `dormant_market`.
    pub dormant: f64,
    /// The market whose allowances `dormant` are.
    pub dormant_market: Option<u16>,
    /// Taken out of last year's market's bank this year because the firm's market changed,
    /// t CO2 of that market.
    pub bank_exit: f64,
    /// Put into this year's market's bank by conversion or by dormant allowances returning
    /// to their market, t CO2 of this year's market.
    pub bank_entry: f64,
    /// Cancelled this year on leaving a market (its rule, or a kept bank of a closed
    /// market), t CO2.
    pub bank_exit_cancelled: f64,
}

impl Account {
    /// Opens the compliance year: the bank carried in becomes the starting bank and this
    /// year's flows (allocation, trades, surrender, cancellation, shortfall, forgiveness,
    /// penalty) are zeroed; the bank and make-good debt carry over.
    pub fn start_year(&mut self) {
        self.bank_start = self.bank;
        self.net_purchase = 0.0;
        self.offsets = 0.0;
        self.offset_payment = 0.0;
        self.surrendered = 0.0;
        self.cancelled = 0.0;
        self.borrowed = 0.0;
        self.shortfall = 0.0;
        self.forgiven = 0.0;
        self.penalty = 0.0;
        self.allocation = 0.0;
        self.gross_allocation = 0.0;
    }
}

/// One technology of the firm's sector catalog, from the firm's point of view.
#[derive(Clone, Copy, Debug, Default)]
pub struct TechSlot {
    /// Technology id.
    pub tech: u16,
    /// Firm-specific capex multiplier (lognormal draw).
    pub capex_multiplier: f64,
    /// Whether the firm knows the technology (Bass awareness).
    pub aware: bool,
    /// Year the firm decided to adopt it.
    pub adopted: Option<i32>,
    /// Year the effect starts (decision year + build lag).
    pub effective: i32,
    /// Annualised capex charged from `effective` for the lifetime, CNY per year.
    pub annual_capex: f64,
}

/// The firm's technologies: one slot per technology of its sector (allocated once at build).
#[derive(Component, Clone, Debug, Default)]
pub struct Technologies {
    /// Slots in the sector's catalog order.
    pub slots: Vec<TechSlot>,
    /// Investment cost this year: annualised capex of installed technologies within their
    /// lifetime plus opex x output, CNY.
    pub cost: f64,
    /// Upfront capex committed this year, CNY.
    pub committed: f64,
    /// Technology adopted (decided) this year.
    pub new_tech: Option<u16>,
    /// Number of installed technologies.
    pub installed: u32,
    /// Capex subsidy received from a technology fund this year, CNY.
    pub subsidy: f64,
}

/// This year's emissions and abatement.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct YearFlows {
    /// Counterfactual emissions: output x emission intensity at build (no technology, no
    /// operational abatement), t CO2.
    pub counterfactual_emissions: f64,
    /// Gross emissions: output x this year's intensity, before operational abatement (what
    /// the firm bids on), t CO2.
    pub gross_emissions: f64,
    /// Operational abatement, t CO2.
    pub abatement: f64,
    /// Purchased electricity this year: output x electricity intensity, MWh.
    pub electricity_mwh: f64,
    /// Indirect emissions the firm's market counts: `electricity_mwh` x this year's factor of
    /// its market's `indirect` rule (0 when it counts none or the firm is uncovered), t CO2.
    /// Covered emissions are `emissions + indirect_emissions`; `emissions` stay direct.
    pub indirect_emissions: f64,
    /// Realised emissions, t CO2.
    pub emissions: f64,
    /// Operational abatement cost, CNY.
    pub abatement_cost: f64,
    /// Shadow price (marginal cost of the last measure), CNY per t.
    pub shadow_price: f64,
    /// Clearing price faced this year (0 if uncovered), CNY per t.
    pub price: f64,
}

/// The firm's year as a profit ledger ([`crate::econ::profit`]) at the fuel price
/// `fuel_price` (CNY per tce) of its sector; its fuel cost change includes the change of the
/// producer prices of `[fuels]` on its realised emissions (`fuel_markup`).
pub fn ledger(
    fuel_price: f64,
    prod: &Production,
    flows: &YearFlows,
    acc: &Account,
    tech: &Technologies,
    int: &Intensity,
) -> crate::econ::profit::Ledger {
    crate::econ::profit::Ledger {
        output: prod.output,
        product_price: prod.price,
        variable_cost: prod.variable_cost,
        fuel_cost_change: if prod.fuel_markup == 0.0 {
            prod.output * int.fuel_cost_change_per_unit(fuel_price)
        } else {
            prod.output * int.fuel_cost_change_per_unit(fuel_price)
                + prod.fuel_markup * flows.emissions
        },
        abatement_cost: flows.abatement_cost,
        investment_cost: tech.cost,
        subsidy: tech.subsidy,
        carbon_price: flows.price,
        net_purchase: acc.net_purchase,
        offsets: acc.offsets,
        offset_payment: acc.offset_payment,
        penalty: acc.penalty,
        allocation: acc.allocation,
        bank: (acc.bank_start, acc.bank),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_firm_without_output_has_an_infinite_slope_and_no_abatement_cost() {
        let mac = Mac::at_build(2.0, 0.3);
        assert_eq!(mac.slope(100.0, 50.0), 4.0);
        let s = mac.slope(100.0, 0.0);
        assert_eq!(s, f64::INFINITY);
        assert_eq!(Mac::cost(s, 0.0), 0.0, "inf x 0 must not be NaN");
        assert_eq!(Mac::cost(4.0, 10.0), 200.0);
    }
}

/// A plant's life cycle under capacity dynamics (`[capacity]`, MODEL.md section 7.24). Firms
/// of sectors without dynamic capacity operate in every year (their capacity follows the
/// sector's demand index).
#[derive(Component, Clone, Copy, Debug)]
pub struct Lifecycle {
    /// Capacity while operating, units per year (used for dynamic sectors only).
    pub capacity: f64,
    /// First year of output.
    pub online: i32,
    /// Retirement year (end of lifetime): no output from this year on.
    pub retire: i32,
    /// Exit year after `capacity.exit_years` consecutive years of negative expected margin:
    /// no output from this year on.
    pub exit: Option<i32>,
    /// Consecutive years of negative expected margin so far.
    pub losses: u32,
    /// Year the plant's construction was decided (`None`: a plant of the initial population).
    pub decided: Option<i32>,
}

impl Lifecycle {
    /// A plant that operates in every year with `capacity` units per year.
    pub fn always(capacity: f64) -> Self {
        Lifecycle {
            capacity,
            online: i32::MIN,
            retire: i32::MAX,
            exit: None,
            losses: 0,
            decided: None,
        }
    }

    /// First year without output (retirement or exit), `i32::MAX` if none.
    pub fn end(&self) -> i32 {
        self.retire.min(self.exit.unwrap_or(i32::MAX))
    }

    /// Whether the plant produces in `year`.
    pub fn operating(&self, year: i32) -> bool {
        year >= self.online && year < self.end()
    }
}
