//! Named queries: the firm components each system reads and writes, as `QueryData` structs
//! (fields by name instead of 8-11-element tuples). A system that needs a new component adds
//! a field here; the access is then visible in one place per system.

use crate::model::agents::firm::{
    Account, Behaviour, Capacity, Coverage, Expectation, FirmInfo, Intensity, Lifecycle, Mac,
    Production, Technologies, YearFlows,
};
use crate::model::agents::plan::Standard;
use bevy_ecs::prelude::*;
use bevy_ecs::query::QueryData;

/// What the production phase reads and sets (output, logit weight, gross emissions).
#[derive(QueryData)]
#[query_data(mutable)]
pub struct ProducingFirm {
    /// The firm's entity.
    pub entity: Entity,
    /// Identity, sector, city, goods market.
    pub info: &'static FirmInfo,
    /// Base capacity and output.
    pub cap: &'static Capacity,
    /// Intensities after installed technologies.
    pub int: &'static Intensity,
    /// Covering market and free allocation rate.
    pub cov: &'static Coverage,
    /// Expected carbon price.
    pub exp: &'static Expectation,
    /// Whether (and with what capacity) it produces this year under `[capacity]`.
    pub life: &'static Lifecycle,
    /// Capacity, logit weight and output (set).
    pub prod: &'static mut Production,
    /// Gross and counterfactual emissions (set).
    pub flows: &'static mut YearFlows,
}

/// What the investment phase reads and sets (technology slots, intensities).
#[derive(QueryData)]
#[query_data(mutable)]
pub struct InvestingFirm {
    /// Identity, sector, city.
    pub info: &'static FirmInfo,
    /// Covering market (technology-fund subsidy).
    pub cov: &'static Coverage,
    /// Output and capacity.
    pub prod: &'static Production,
    /// Hurdle rate.
    pub beh: &'static Behaviour,
    /// Planning carbon price.
    pub exp: &'static Expectation,
    /// Administrative standard (its last shadow price enters a forward-looking plan).
    pub std: &'static Standard,
    /// Intensities (changed when a technology takes effect).
    pub int: &'static mut Intensity,
    /// Technology slots and investment cost.
    pub tech: &'static mut Technologies,
    /// Gross emissions (recomputed).
    pub flows: &'static mut YearFlows,
}

/// What the administrative enforcement pass reads and sets.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct RegulatedFirm {
    /// The firm's entity (curtailment revisits firms by entity).
    pub entity: Entity,
    /// Identity, sector, city.
    pub info: &'static FirmInfo,
    /// Base output (MAC slope scaling).
    pub cap: &'static Capacity,
    /// Operational MAC.
    pub mac: &'static Mac,
    /// Hurdle rate.
    pub beh: &'static Behaviour,
    /// Output (curtailed).
    pub prod: &'static mut Production,
    /// Intensities.
    pub int: &'static Intensity,
    /// Technology slots (forced adoption).
    pub tech: &'static mut Technologies,
    /// Abatement, emissions, costs (set).
    pub flows: &'static mut YearFlows,
    /// The firm's standard (set).
    pub std: &'static mut Standard,
}

/// What bidding and clearing read and set.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct BiddingFirm {
    /// The firm's entity (settlement revisits bidders by entity).
    pub entity: Entity,
    /// Identity and draw key (bid noise).
    pub info: &'static FirmInfo,
    /// Base output (MAC slope scaling).
    pub cap: &'static Capacity,
    /// Output.
    pub prod: &'static Production,
    /// Operational MAC.
    pub mac: &'static Mac,
    /// Banking behaviour and hurdle rate.
    pub beh: &'static Behaviour,
    /// Covering market.
    pub cov: &'static Coverage,
    /// Expected price (value of a banked allowance).
    pub exp: &'static Expectation,
    /// Holdings and net purchase (set).
    pub acc: &'static mut Account,
    /// Abatement, emissions, price (set).
    pub flows: &'static mut YearFlows,
    /// A standard's abatement floor and shadow price.
    pub std: &'static Standard,
}

/// What accounting sums over every firm.
#[derive(QueryData)]
pub struct AccountedFirm {
    /// Identity, city.
    pub info: &'static FirmInfo,
    /// Base output (MAC slope scaling).
    pub cap: &'static Capacity,
    /// Output.
    pub prod: &'static Production,
    /// Operational MAC.
    pub mac: &'static Mac,
    /// Covering market.
    pub cov: &'static Coverage,
    /// Compliance account.
    pub acc: &'static Account,
    /// The year's flows.
    pub flows: &'static YearFlows,
    /// Investment cost and subsidy.
    pub tech: &'static Technologies,
    /// Standard and curtailment.
    pub std: &'static Standard,
    /// Intensities (fuel cost change).
    pub int: &'static Intensity,
}

/// What the record phase writes to `firm_year`.
#[derive(QueryData)]
pub struct RecordedFirm {
    /// Identity and draw key (output sample).
    pub info: &'static FirmInfo,
    /// Output.
    pub prod: &'static Production,
    /// Covering market.
    pub cov: &'static Coverage,
    /// Compliance account.
    pub acc: &'static Account,
    /// The year's flows.
    pub flows: &'static YearFlows,
    /// Expected price.
    pub exp: &'static Expectation,
    /// Technologies.
    pub tech: &'static Technologies,
    /// Intensities.
    pub int: &'static Intensity,
    /// Standard and curtailment.
    pub std: &'static Standard,
}

/// What revenue recycling reads and sets (committed capex, technology-fund subsidy).
#[derive(QueryData)]
#[query_data(mutable)]
pub struct RecyclingFirm {
    /// Identity and city.
    pub info: &'static FirmInfo,
    /// Covering market.
    pub cov: &'static Coverage,
    /// Emissions and counterfactual emissions (abatement-based recycling).
    pub flows: &'static YearFlows,
    /// Committed capex and subsidy (set).
    pub tech: &'static mut Technologies,
}

/// What the capacity phase reads and sets (life cycle; the rest is kept for the `firms` row
/// of a plant that closes).
#[derive(QueryData)]
#[query_data(mutable)]
pub struct CapacityFirm {
    /// The firm's entity (removed when the plant closes).
    pub entity: Entity,
    /// Identity, sector, city, goods market.
    pub info: &'static FirmInfo,
    /// Base capacity and output.
    pub cap: &'static Capacity,
    /// Output, price and variable cost (expected margin).
    pub prod: &'static Production,
    /// Intensities (expected unit cost; build intensity for new plants).
    pub int: &'static Intensity,
    /// Covering market and free allocation rate.
    pub cov: &'static Coverage,
    /// Expected carbon price.
    pub exp: &'static Expectation,
    /// Operational MAC (its `firms` row).
    pub mac: &'static Mac,
    /// Behaviour (its `firms` row).
    pub beh: &'static Behaviour,
    /// Technology slots (the city's counts when it closes).
    pub tech: &'static Technologies,
    /// Life cycle (losses and exit set).
    pub life: &'static mut Lifecycle,
}
