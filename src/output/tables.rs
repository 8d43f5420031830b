//! Every output table and column, declared once. Units: t = tonnes CO2, CNY = yuan
//! (constant prices), units = the sector's unit of output (see `firms.sector` and the
//! scenario's `sectors.<name>.unit`).

use super::column::{Cat, dict};
use crate::table;

table! {
    /// One row per run: maps `run_id` to experiment, replicate, seed, parameters and version (the scenario is the Hive partition `scenario=`, as in every table).
    Runs = "runs" {
        /// Run identifier, unique within an experiment (index in the plan).
        run_id: u64 [""],
        /// Experiment name.
        experiment: String [""],
        /// Replicate number (runs of one replicate share the world seed).
        replicate: u32 [""],
        /// World seed of the run.
        seed: u64 [""],
        /// Sampled parameter values as a JSON object (`{}` when none).
        parameters: String [""],
        /// synergy version that wrote the run.
        version: String [""],
        /// First simulated year.
        start_year: i32 ["year"],
        /// Last simulated year.
        end_year: i32 ["year"],
        /// Number of firms (rows of `firms`: under `[capacity]` every plant that produced or was decided during the run).
        firms: u32 ["count"],
        /// Number of cities.
        cities: u32 ["count"],
    }
}

table! {
    /// One row per firm (plant): attributes drawn at world build or at entry (`[capacity]`), and its life cycle; written after the run's last year.
    Firms = "firms" {
        /// Run identifier.
        run_id: u64 [""],
        /// Firm identifier.
        firm_id: u32 [""],
        /// City identifier (see `cities`).
        city_id: u32 [""],
        /// Sector name.
        sector: Cat<dict::Sector> [""],
        /// Firm class: the sector's name for its main population, `<sector>.<group>` for a sub-population (`sectors.<s>.groups`); benchmarks and obligation caps are per class.
        class: Cat<dict::Class> [""],
        /// Goods market the firm sells in (see `goods_year`).
        goods_market: u32 [""],
        /// Production capacity in the base year.
        capacity: f64 ["units/yr"],
        /// Output in the base year at base utilisation (reference output).
        base_output: f64 ["units/yr"],
        /// Energy intensity at build or entry (before capacity renewal, MODEL.md 7.28).
        energy_intensity: f64 ["tce/unit"],
        /// Carbon factor at build.
        carbon_factor: f64 ["t CO2/tce"],
        /// Emission intensity at build (energy intensity x carbon factor).
        emission_intensity: f64 ["t CO2/unit"],
        /// Variable unit cost.
        variable_cost: f64 ["CNY/unit"],
        /// Operational MAC slope at reference output (scales with 1/output: abating a given share costs the same marginal price at any scale).
        mac_slope: f64 ["CNY/t per t"],
        /// Operational abatement bound at reference output.
        abatement_max: f64 ["t CO2/yr"],
        /// Hurdle (discount) rate.
        hurdle_rate: f64 ["1/yr"],
        /// Expectation weight lambda.
        expectation_weight: f64 ["share"],
        /// Year its construction was decided under `[capacity]` (null: a plant of the initial population).
        decided_year: Option<i32> ["year"],
        /// First year of output (null: operating from the run's start).
        online_year: Option<i32> ["year"],
        /// Retirement year at the end of its lifetime under `[capacity]`: no output from this year on (null: no retirement).
        retire_year: Option<i32> ["year"],
        /// Exit year after `capacity.exit_years` consecutive years of negative expected margin: no output from this year on (null: did not exit).
        exit_year: Option<i32> ["year"],
    }
}

table! {
    /// One row per city: static geography with drawn shares.
    Cities = "cities" {
        /// Run identifier.
        run_id: u64 [""],
        /// City identifier.
        city_id: u32 [""],
        /// City name (named cities, the province name for one-city provinces, else `<Province>-<k>`).
        name: String [""],
        /// Province identifier (row order of the provinces table).
        province_id: u32 [""],
        /// Province name.
        province: Cat<dict::Province> [""],
        /// Grid region.
        grid: Cat<dict::Grid> [""],
        /// Urban agglomeration (null if none).
        agglomeration: Cat<dict::Agglomeration> [""],
        /// Share of the province's GDP.
        gdp_share: f64 ["share"],
        /// Share of the province's population.
        population_share: f64 ["share"],
        /// GDP in the provinces table's data year.
        gdp_base: f64 ["CNY/yr"],
        /// Population in the data year.
        population: f64 ["people"],
        /// The province's administrative division code (GB/T 2260, e.g. 110000 Beijing), for joining to maps (null if the provinces table has none).
        province_code: Option<u32> [""],
        /// Latitude of the province's centroid (null if the provinces table has none).
        province_lat: Option<f64> ["degrees north"],
        /// Longitude of the province's centroid (null if the provinces table has none).
        province_lon: Option<f64> ["degrees east"],
    }
}

table! {
    /// One row per firm per recorded year.
    FirmYear = "firm_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Firm identifier.
        firm_id: u32 [""],
        /// Covering market this year (null if uncovered).
        market: Cat<dict::Market> [""],
        /// Output.
        output: f64 ["units/yr"],
        /// Realised emissions after operational abatement.
        emissions: f64 ["t CO2/yr"],
        /// Counterfactual emissions: this year's output times the firm's emission intensity at build (renewed with its capacity under sectors.<s>.renewal, MODEL.md 7.28), before any technology and operational abatement (not a no-policy run: output is this run's).
        counterfactual_emissions: f64 ["t CO2/yr"],
        /// Gross emissions: this year's output times this year's intensity (after installed technologies), before operational abatement; what the firm bids on.
        gross_emissions: f64 ["t CO2/yr"],
        /// Operational (within-year) abatement.
        operational_abatement: f64 ["t CO2/yr"],
        /// Free allocation this year, net of any make-good deduction.
        allocation: f64 ["t CO2"],
        /// Allowances bought (+) or sold (-) in the clearing, offset credits bought included.
        net_purchase: f64 ["t CO2"],
        /// Offset credits bought and surrendered (part of net_purchase): the market's offsets_used shared over its covered firms in proportion to their emissions.
        offsets: f64 ["t CO2"],
        /// Allowances surrendered for compliance.
        surrendered: f64 ["t CO2"],
        /// Bank at the end of the year.
        bank: f64 ["t CO2"],
        /// Taken out of last year's market's bank because the firm's market changed this year (before any conversion; see the market's bank_on_exit).
        bank_exit: f64 ["t CO2"],
        /// Put into this year's market's bank by conversion of another market's allowances or by dormant allowances returning to their market (in this market's allowances).
        bank_entry: f64 ["t CO2"],
        /// Cancelled this year on leaving a market (bank_on_exit = "cancel", or a kept bank of a market that has closed, or an older dormant holding replaced).
        bank_exit_cancelled: f64 ["t CO2"],
        /// Allowances of another market the firm holds outside it at the end of the year (bank_on_exit = "keep", or "convert" with no market to convert into yet), in that market's allowances.
        bank_dormant: f64 ["t CO2"],
        /// Compliance shortfall (obligation not covered by allowances).
        shortfall: f64 ["t CO2"],
        /// Penalty paid for the shortfall.
        penalty: f64 ["CNY"],
        /// Product price of the firm's goods market (goods_year.price).
        product_price: f64 ["CNY/unit"],
        /// Revenue: product_price x output.
        revenue: f64 ["CNY"],
        /// Production cost: variable cost at build x output + fuel_cost_change + abatement_cost + investment_cost - subsidy.
        production_cost: f64 ["CNY"],
        /// Carbon payments (a transfer): (net_purchase - offsets) x price (allowances bought minus sold; the tax in a tax market) + offsets x the market's offset_price + penalty.
        carbon_payments: f64 ["CNY"],
        /// Free allocation valued at the price: allocation x price (already counted in profit through fewer purchases; the scarcity rent that free allocation hands out).
        free_allocation_value: f64 ["CNY"],
        /// Profit: revenue - production_cost - carbon_payments + (bank - bank at the start of the year) x price.
        profit: f64 ["CNY"],
        /// Marginal abatement incentive: the clearing price for covered firms (obligation cap share x price where its capped obligation binds; the penalty per t where it was rationed at the ceiling and stays short), the marginal cost of meeting its standard for regulated firms (the higher of the two when both apply), else 0.
        shadow_price: f64 ["CNY/t"],
        /// Operational abatement cost (mac_slope x a^2 / 2 at this year's slope).
        abatement_cost: f64 ["CNY"],
        /// Carbon price the firm expected this year.
        expected_price: f64 ["CNY/t"],
        /// Investment cost this year: annualised capex of installed technologies within their lifetime plus their opex.
        investment_cost: f64 ["CNY"],
        /// Fuel cost change against the firm's build intensity: fuel price x output x (energy intensity - energy intensity at build); negative when technologies save fuel (part of the social cost). With `[fuels]` it also holds the change of the fuels' producer prices against their base on the firm's emissions (its sector's markup x emissions; a transfer to or from fuel producers, not in city_year/nation_year fuel_cost_change or the social cost).
        fuel_cost_change: f64 ["CNY"],
        /// Upfront capex committed this year (investment spending).
        capex_committed: f64 ["CNY"],
        /// Technology adopted (decided) this year, null if none.
        adopted: Cat<dict::Technology> [""],
        /// Number of technologies installed.
        technologies: u32 ["count"],
        /// Energy intensity this year (after installed technologies).
        energy_intensity: f64 ["tce/unit"],
        /// Administrative standard this year, in the plan metric's units per unit of output (tce or t CO2; null: not regulated).
        standard_limit: Option<f64> ["tce/unit or t CO2/unit"],
        /// Part of the standard not met after all measures (null: not regulated).
        standard_gap: Option<f64> ["tce or t CO2"],
        /// Output curtailed because the city's energy cap binds.
        curtailed_output: f64 ["units/yr"],
        /// Value added lost to curtailment: curtailed output x (price - variable cost).
        curtailment_cost: f64 ["CNY"],
        /// Capex subsidy received from a technology fund.
        subsidy: f64 ["CNY"],
        /// Purchased electricity: output x electricity intensity (the sector's `electricity_intensity` plus what installed technologies add); 0 for the power sector.
        electricity: f64 ["MWh/yr"],
        /// Indirect emissions the firm's market counts (`markets[].indirect`): electricity x the market's factor this year (0 when it counts none or the firm is uncovered). The firm surrenders for emissions + indirect_emissions; emissions stay direct.
        indirect_emissions: f64 ["t CO2/yr"],
    }
}

table! {
    /// One row per city per year.
    CityYear = "city_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// City identifier.
        city_id: u32 [""],
        /// GDP.
        gdp: f64 ["CNY/yr"],
        /// Population.
        population: f64 ["people"],
        /// Emissions of the city's firms covered by a market (under an upstream market only the part from its fuels; the rest counts as uncovered).
        emissions_covered: f64 ["t CO2/yr"],
        /// Emissions of uncovered firms (and the uncounted part of upstream-covered firms' emissions) plus the city's non-firm emissions (buildings, transport, small industry).
        emissions_uncovered: f64 ["t CO2/yr"],
        /// Operational abatement cost of the city's firms.
        abatement_cost: f64 ["CNY"],
        /// Penalties paid by the city's firms.
        penalty: f64 ["CNY"],
        /// Net allowance purchases of the city's firms (+: bought, -: sold), all markets.
        net_allowance_purchases: f64 ["t CO2"],
        /// Value of the city's firms' net allowance purchases, offset credits not included, at the clearing price (+: paid out, -: received).
        net_allowance_value: f64 ["CNY"],
        /// Investment cost of the city's firms (annualised capex + opex of technologies).
        investment_cost: f64 ["CNY"],
        /// Fuel cost change of the city's firms against their build intensities (negative: saved).
        fuel_cost_change: f64 ["CNY"],
        /// Cost burden: abatement_cost + investment_cost + fuel_cost_change + penalty + net_allowance_value + curtailment_cost - recycled_revenue + offset_payments + offset_cost - offset_revenue + research_cost (social cost and transfers: who bears what).
        cost_burden: f64 ["CNY"],
        /// Share of (firm, technology) pairs of the city's firms with the technology installed.
        adoption_share: f64 ["share"],
        /// Carbon-intensity target of the city this year on the plan's linear path (null: no carbon target).
        target_intensity: Option<f64> ["t CO2/million CNY"],
        /// Carbon intensity: (emissions_covered + emissions_uncovered) / gdp.
        intensity: f64 ["t CO2/million CNY"],
        /// Whether the city meets all its plan targets this year (null: no target).
        target_met: Option<bool> [""],
        /// Energy-intensity target this year (null: no energy target).
        target_energy_intensity: Option<f64> ["tce/million CNY"],
        /// Energy intensity: energy_use / gdp.
        energy_intensity: f64 ["tce/million CNY"],
        /// Energy use: firms (less operational savings) plus non-firm energy.
        energy_use: f64 ["tce/yr"],
        /// Energy cap this year (null: none).
        energy_cap: Option<f64> ["tce/yr"],
        /// Value added lost to curtailment of the city's firms.
        curtailment_cost: f64 ["CNY"],
        /// Recycled revenue received by the city plus capex subsidies to its firms.
        recycled_revenue: f64 ["CNY"],
        /// Offset credits sold by the city's uncovered (non-firm) sources to the markets that take offsets.
        offset_credits: f64 ["t CO2"],
        /// Real reduction of the city's non-firm emissions behind its credits (offset_credits x (1 - non_additional_share)); already out of emissions_uncovered.
        offset_abatement: f64 ["t CO2/yr"],
        /// What the city's sources received for their credits (offset_credits x offset_price).
        offset_revenue: f64 ["CNY"],
        /// Cost of the city's real offset reductions (area under their linear MAC; social cost).
        offset_cost: f64 ["CNY"],
        /// What the city's covered firms paid for the offset credits they surrendered.
        offset_payments: f64 ["CNY"],
        /// What the city's budget paid for R&D programmes (its GDP share of the budget of each programme it belongs to; in cost_burden).
        research_cost: f64 ["CNY"],
    }
}

table! {
    /// One row per active market per year.
    MarketYear = "market_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Market name.
        market: Cat<dict::Market> [""],
        /// Clearing price.
        price: f64 ["CNY/t"],
        /// Allowances bought by firms in the clearing.
        volume: f64 ["t CO2"],
        /// Realised direct emissions of covered firms that the market counts (all of them downstream; under `point = "upstream"` those from its fuels); their counted indirect emissions are in indirect_emissions; they surrender for both.
        covered_emissions: f64 ["t CO2/yr"],
        /// Free allocation, net of make-good deductions.
        free_allocation: f64 ["t CO2"],
        /// Auction volume offered.
        auctioned: f64 ["t CO2"],
        /// Sales from the cost-containment reserve at the ceiling.
        reserve_sales: f64 ["t CO2"],
        /// Offered auction volume that did not sell.
        withheld: f64 ["t CO2"],
        /// Sum of covered firms' banks at the start of the year.
        bank_start: f64 ["t CO2"],
        /// Sum of covered firms' banks at the end of the year.
        bank_total: f64 ["t CO2"],
        /// Taken out of the market's banks by firms that left it this year (last year's bank_total minus bank_exit plus bank_entry is this year's bank_start).
        bank_exit: f64 ["t CO2"],
        /// Put into the market's banks this year by conversion from other markets or by dormant allowances returning.
        bank_entry: f64 ["t CO2"],
        /// Allowances surrendered.
        surrendered: f64 ["t CO2"],
        /// Allowances cancelled at compliance (no banking).
        cancelled: f64 ["t CO2"],
        /// Compliance shortfall.
        shortfall: f64 ["t CO2"],
        /// Obligations forgiven by the obligation cap.
        forgiven: f64 ["t CO2"],
        /// Covered firms.
        participants: u32 ["count"],
        /// Operational abatement of covered firms.
        abatement: f64 ["t CO2/yr"],
        /// Operational abatement cost of covered firms.
        abatement_cost: f64 ["CNY"],
        /// Penalties paid.
        penalties: f64 ["CNY"],
        /// Auction, reserve and tax revenue.
        auction_revenue: f64 ["CNY"],
        /// Revenue paid out this year to cities (eco-compensation included, see `compensation_year`) or, from the technology fund, to firms.
        recycled: f64 ["CNY"],
        /// Revenue paid into R&D programmes (`research.programmes[].revenue_share`; spent by them next year, not in `recycled`).
        research_funding: f64 ["CNY"],
        /// Absolute cap of `markets[].peak_cap` this year: covered emissions of the peak year x (1 - decline)^(years since) (null before the year after the peak year, or without peak_cap).
        peak_cap: Option<f64> ["t CO2"],
        /// Under benchmark allocation with peak_cap: the share of benchmark free allocation and auction volume kept so that supply fits under peak_cap, min(1, peak_cap / benchmark supply) (null otherwise).
        correction_factor: Option<f64> ["share"],
        /// Technology fund balance at the end of the year.
        fund_balance: f64 ["CNY"],
        /// Buyers' demand not filled (price at the ceiling).
        unmet_demand: f64 ["t CO2"],
        /// Sellers' offers not filled (price at the floor); under forward-looking expectations, what the market banks at its arbitrage floor.
        unsold_supply: f64 ["t CO2"],
        /// What an allowance banked this year is worth now under forward-looking expectations: the expected next-year price / (1 + discount_rate) (0 under `adaptive` and in the market's last year); under `foresight` with banking it floors the clearing (intertemporal arbitrage).
        bank_value: f64 ["CNY/t"],
        /// Taken out of this year's auction into the market stability reserve (the allowances in circulation, bank_start, above its upper threshold); `auctioned` is net of it.
        msr_intake: f64 ["t CO2"],
        /// Released from the market stability reserve into this year's auction (bank_start below its lower threshold); `auctioned` includes it.
        msr_release: f64 ["t CO2"],
        /// Invalidated (cancelled) from the market stability reserve this year.
        msr_invalidated: f64 ["t CO2"],
        /// Allowances in the market stability reserve after this year's allocation.
        msr_stock: f64 ["t CO2"],
        /// Borrowed by covered firms from next year's allocation (`borrowing`): surrendered or banked this year beyond what they had, repaid as make-good debt from next year's free allocation.
        borrowed: f64 ["t CO2"],
        /// Offset credits bought by the covered firms and surrendered in place of allowances (`offsets`); volume includes them.
        offsets_used: f64 ["t CO2"],
        /// Offset price: the clearing price while the use limit does not bind, the supply price of offset_limit when it does (0 without offsets).
        offset_price: f64 ["CNY/t"],
        /// Use limit: offsets.limit_share x the covered firms' (forecast) emissions (0 without offsets).
        offset_limit: f64 ["t CO2"],
        /// Real reduction of uncovered emissions behind offsets_used (offsets_used - offset_reduction were not additional).
        offset_reduction: f64 ["t CO2"],
        /// Indirect emissions of the covered firms' purchased electricity that the market counts (`indirect`; 0 with `indirect = "none"`): part of what they surrender for, not of national emissions (the power plants' emissions are counted there).
        indirect_emissions: f64 ["t CO2/yr"],
    }
}

table! {
    /// One row per year: national aggregates, efficiency and equity.
    NationYear = "nation_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// GDP.
        gdp: f64 ["CNY/yr"],
        /// All emissions: firms plus non-firm uncovered emissions.
        emissions: f64 ["t CO2/yr"],
        /// Emissions of firms covered by a market (under an upstream market only the part from its fuels).
        emissions_covered: f64 ["t CO2/yr"],
        /// Emissions of uncovered firms and non-firm emissions.
        emissions_uncovered: f64 ["t CO2/yr"],
        /// Operational abatement of firms under a carbon policy (covered by a market or regulated by a standard).
        abatement: f64 ["t CO2/yr"],
        /// Operational abatement cost of firms under a carbon policy.
        abatement_cost: f64 ["CNY"],
        /// Investment cost of all firms (annualised capex + opex of technologies).
        investment_cost: f64 ["CNY"],
        /// Value added lost to curtailment.
        curtailment_cost: f64 ["CNY"],
        /// Fuel cost change of all firms against their build intensities (negative: saved).
        fuel_cost_change: f64 ["CNY"],
        /// Transfers: firms' net payments for allowances, the regulators' auction, reserve and tax revenue (not in social_cost).
        allowance_payments: f64 ["CNY"],
        /// Transfers: penalties paid (not in social_cost).
        penalties: f64 ["CNY"],
        /// Transfers: revenue paid back to cities and, as capex subsidies, to firms (not in social_cost).
        recycled_revenue: f64 ["CNY"],
        /// Free allocation of all markets valued at their prices.
        free_allocation_value: f64 ["CNY"],
        /// Firms' revenue (firm_year.revenue summed over all firms).
        revenue: f64 ["CNY"],
        /// Firms' profit (firm_year.profit summed over all firms).
        profit: f64 ["CNY"],
        /// Social cost this year: abatement_cost + investment_cost + fuel_cost_change + curtailment_cost + offset_cost + research_cost (no transfers: penalties, allowance payments, auction and tax revenue and recycling are not in it).
        social_cost: f64 ["CNY"],
        /// Share of cities meeting their plan targets this year (null: no plan).
        share_cities_meeting_target: Option<f64> ["share"],
        /// Counterfactual emissions of all firms: output x emission intensity at build.
        counterfactual_emissions: f64 ["t CO2/yr"],
        /// Least cost of the same operational abatement with one marginal cost across all firms under a carbon policy (shadow clearing).
        least_cost: f64 ["CNY"],
        /// Uniform marginal cost of the least-cost benchmark.
        least_cost_price: f64 ["CNY/t"],
        /// Operational efficiency ratio: abatement_cost / least_cost, operational abatement only (technologies, fuel and curtailment are in neither side); null without abatement. Not the whole-social-cost ratio against a least-cost regime.
        operational_cost_ratio: Option<f64> ["ratio"],
        /// Standard deviation of covered firms' shadow prices, weighted by gross emissions.
        shadow_price_sd: f64 ["CNY/t"],
        /// Population-weighted Gini across cities of cost burden per GDP, normalised by the mean absolute burden so that it stays in [0, 1] when some cities gain (negative burden); null when every burden is 0.
        gini_cost_burden: Option<f64> ["index"],
        /// Population-weighted Theil T index of cost burden per GDP across the cities with a positive burden (the index is undefined for burdens that are not positive; theil_population_share says what population it covers); null when no city has a positive burden.
        theil_total: Option<f64> ["index"],
        /// Between-agglomeration part of the Theil index (cities outside agglomerations form one group).
        theil_between: Option<f64> ["index"],
        /// Within-agglomeration part of the Theil index.
        theil_within: Option<f64> ["index"],
        /// Population share of the cities (with GDP > 0) that the Theil index covers: those with a positive burden.
        theil_population_share: Option<f64> ["share"],
        /// Transfers: covered firms' payments for offset credits, the offset sources' revenue (not in social_cost).
        offset_payments: f64 ["CNY"],
        /// Real reduction of non-firm uncovered emissions behind the offsets used; already out of emissions_uncovered.
        offset_abatement: f64 ["t CO2/yr"],
        /// Cost of the real offset reductions (in social_cost).
        offset_cost: f64 ["CNY"],
        /// R&D programmes' spending, from city budgets and market revenue (in social_cost).
        research_cost: f64 ["CNY"],
    }
}

table! {
    /// One row per run: headline metrics.
    Summary = "summary" {
        /// Run identifier.
        run_id: u64 [""],
        /// Replicate number.
        replicate: u32 [""],
        /// Sum of national emissions over all simulated years.
        cumulative_emissions: f64 ["t CO2"],
        /// Sum of operational abatement over all years.
        cumulative_abatement: f64 ["t CO2"],
        /// Social cost summed over all years (undiscounted): operational abatement costs + investment costs (capex annuities and opex) + fuel cost change + curtailment losses + the offset sources' reduction costs + R&D spending. Transfers (penalties, allowance payments, auction and tax revenue, recycling) are not in it.
        total_cost: f64 ["CNY"],
        /// Sum of fuel cost changes over all years (negative: saved; part of total_cost).
        fuel_cost_change: f64 ["CNY"],
        /// Sum of penalties paid over all years (a transfer; not in total_cost).
        penalties: f64 ["CNY"],
        /// Sum of investment costs over all years.
        investment_cost: f64 ["CNY"],
        /// Sum of firms' net allowance payments over all years: the regulators' auction, reserve and tax revenue (a transfer; not in total_cost).
        allowance_payments: f64 ["CNY"],
        /// Sum of revenue recycled to cities and firms over all years (a transfer; not in total_cost).
        recycled_revenue: f64 ["CNY"],
        /// Sum of free allocation valued at the price over all years.
        free_allocation_value: f64 ["CNY"],
        /// Sum of firms' profits over all years.
        profit: f64 ["CNY"],
        /// Firms' abatement below their counterfactual (technologies and operational), summed over years.
        cumulative_abatement_vs_counterfactual: f64 ["t CO2"],
        /// total_cost (the social cost) / cumulative_abatement_vs_counterfactual (null without abatement). The denominator is abatement below the firms' own counterfactual intensities, not against a paired no-policy run.
        cost_per_tonne_vs_counterfactual: Option<f64> ["CNY/t"],
        /// Operational efficiency ratio over the run: sum of operational abatement costs / sum of their least costs (null without abatement). It covers operational abatement only, not the whole social cost.
        operational_cost_ratio: Option<f64> ["ratio"],
        /// Population-weighted Gini across cities of cumulative cost burden per cumulative GDP, normalised by the mean absolute burden (in [0, 1] also when some cities gain); null when every burden is 0.
        gini_cost_burden: Option<f64> ["index"],
        /// Share of cities meeting their targets in the last year of the latest completed plan (null: no plan).
        share_cities_meeting_target: Option<f64> ["share"],
        /// Share of provinces meeting their targets in the last year of the latest completed plan (null: no plan).
        share_provinces_meeting_target: Option<f64> ["share"],
        /// Sum of value added lost to curtailment.
        curtailment_cost: f64 ["CNY"],
        /// Sum of R&D programmes' spending (part of total_cost).
        research_cost: f64 ["CNY"],
        /// Year of the highest national emissions.
        peak_year: i32 ["year"],
        /// National emissions in the peak year.
        peak_emissions: f64 ["t CO2/yr"],
        /// Whole runs the foresight fixed point took to find the rational-expectations price path (0: no market or sector uses `expectations = "foresight"`).
        foresight_iterations: u32 ["count"],
        /// Convergence criterion of that path: how much the fixed point's last step changed it, max over markets and years of abs(change) / max(expected price, 1 CNY/t); below `foresight.tolerance` = converged (null: no foresight).
        foresight_residual: Option<f64> ["share"],
        /// Fixed-point gap of that path: max over markets and years of abs(realised - expected price) / max(expected, 1 CNY/t); above the tolerance where a discrete choice makes the realised price jump (null: no foresight).
        foresight_gap: Option<f64> ["share"],
        /// Last year with carbon policy in the run's paired no-policy baseline (same scenario and world seed, markets end and later plans are dropped after it); null: no baseline was run (`--baseline-until`, experiment `baseline_until`).
        baseline_until: Option<i32> ["year"],
        /// The paired baseline's cumulative national emissions over all simulated years (null: no baseline).
        baseline_cumulative_emissions: Option<f64> ["t CO2"],
        /// baseline_cumulative_emissions - cumulative_emissions: abatement against the paired no-policy run (null: no baseline).
        abatement_vs_baseline: Option<f64> ["t CO2"],
        /// total_cost - the baseline's total_cost: social cost against the paired no-policy run, undiscounted (null: no baseline).
        social_cost_vs_baseline: Option<f64> ["CNY"],
        /// social_cost_vs_baseline / abatement_vs_baseline (null: no baseline, or no abatement).
        cost_per_tonne_vs_baseline: Option<f64> ["CNY/t"],
    }
}

table! {
    /// One row per goods market per year: a sector's market in one region of its scope.
    GoodsYear = "goods_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Goods market identifier (firms.goods_market).
        goods_market: u32 [""],
        /// Sector.
        sector: Cat<dict::Sector> [""],
        /// Region within the sector's scope: "China" (national), the grid, the province or the city.
        region: String [""],
        /// Product price: the sector's price plus pass_through x the share-weighted expected carbon cost (at least 0.1 x the sector's price).
        price: f64 ["CNY/unit"],
        /// Share-weighted expected carbon cost per unit of the market's firms.
        carbon_cost: f64 ["CNY/unit"],
        /// Demand at the price.
        demand: f64 ["units/yr"],
        /// Output of the market's firms (below demand only when capacity binds or output is curtailed).
        output: f64 ["units/yr"],
        /// Revenue of the market's firms: price x output.
        revenue: f64 ["CNY"],
        /// Profit of the market's firms (firm_year.profit summed).
        profit: f64 ["CNY"],
    }
}

table! {
    /// One row per technology per year per region (the nation and each agglomeration).
    TechnologyYear = "technology_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Technology name.
        technology: Cat<dict::Technology> [""],
        /// Region level: `nation` or `agglomeration`.
        level: Cat<dict::Level> [""],
        /// Region id: 0 for the nation, the agglomeration id otherwise (see `region`).
        region_id: u32 [""],
        /// Region name.
        region: String [""],
        /// Firms of the technology's sector in the region.
        firms: u32 ["count"],
        /// Firms aware of the technology.
        aware: u32 ["count"],
        /// Firms with the technology installed.
        adopters: u32 ["count"],
        /// adopters / firms.
        adoption_share: f64 ["share"],
        /// Installed capacity of the region's adopters (capacity at installation).
        cumulative_capacity: f64 ["units/yr"],
        /// Unit capex for next year's decisions, firm-weighted mean over the region's cities.
        unit_capex: f64 ["CNY per unit/yr"],
    }
}

table! {
    /// One row per region (the nation, each province, each agglomeration) per run: the year its emissions peaked and, for regions with a `[[peaks]]` target, whether the target was met (MODEL.md 7.23).
    RegionPeaks = "region_peaks" {
        /// Run identifier.
        run_id: u64 [""],
        /// Region level: `nation`, `agglomeration`, `province`, or `city` (only cities with a `[[peaks]]` target have a row).
        level: Cat<dict::Level> [""],
        /// Region id within its level: 0 for the nation, the province id (row order of the provinces table), the agglomeration id or the city id.
        region_id: u32 [""],
        /// Region name (`China` for the nation).
        region: String [""],
        /// Year of the region's highest annual emissions in the run (the first such year on ties).
        peak_year: i32 ["year"],
        /// Emissions in the peak year (the sum of its cities' covered, uncovered-firm and non-firm emissions).
        peak_emissions: f64 ["t CO2/yr"],
        /// Emissions in the run's last year.
        final_emissions: f64 ["t CO2/yr"],
        /// Whether the region peaked within the run: its peak year is before the last year and its last emissions are below the peak.
        peaked: bool [""],
        /// Target peak year of `[[peaks]]` (null: no target for this region).
        target_year: Option<i32> ["year"],
        /// Whether the target was met: peaked, in target_year or earlier (null: no target).
        target_met: Option<bool> [""],
        /// Emission budget of `[[peaks]]` over its budget_years (null: no budget target).
        budget: Option<f64> ["t CO2"],
        /// The region's emissions summed over the budget years within the run (null: no budget target).
        budget_emissions: Option<f64> ["t CO2"],
        /// Whether the budget was kept: budget_emissions <= budget once the run reaches the budget's last year; false as soon as it is exceeded; null when the run ends before the last budget year with the budget not yet exceeded, or without a budget target.
        budget_met: Option<bool> [""],
    }
}

table! {
    /// One row per technology and region (the nation and each agglomeration): adoption milestones of the run.
    Milestones = "milestones" {
        /// Run identifier.
        run_id: u64 [""],
        /// Technology name.
        technology: Cat<dict::Technology> [""],
        /// Region level: `nation` or `agglomeration`.
        level: Cat<dict::Level> [""],
        /// Region id: 0 for the nation, the agglomeration id otherwise.
        region_id: u32 [""],
        /// Region name.
        region: String [""],
        /// First year at least 50 % of the region's firms of the sector had the technology installed (null: never).
        year_50pct: Option<i32> ["year"],
        /// Adoption share in the last simulated year.
        final_share: f64 ["share"],
    }
}

table! {
    /// Written by `synergy validate-history` as CSV (not by runs): one row per observation of the
    /// observed table (configs/data/observed.csv) and scenario of the compared datasets.
    HistoryValidation = "validate_history" {
        /// Dataset folder name.
        dataset: String [""],
        /// Scenario name.
        scenario: String [""],
        /// Observed series: price, volume, covered_emissions, participants, national_emissions, energy_intensity_change, carbon_intensity_change.
        series: String [""],
        /// A market name, or `nation`.
        scope: String [""],
        /// Year of the observation (the end year of a change).
        year: i32 ["year"],
        /// Base year of a change (empty for levels).
        from_year: Option<i32> ["year"],
        /// Observed value, in `unit`.
        observed: f64 ["unit"],
        /// Unit of the observation (CNY/t, t CO2, entities, share).
        unit: String [""],
        /// Mean of the model's value over the runs (empty: no run has it).
        model_mean: Option<f64> ["unit"],
        /// Lowest model value over the runs (the seed band).
        model_min: Option<f64> ["unit"],
        /// Highest model value over the runs.
        model_max: Option<f64> ["unit"],
        /// Runs with a model value.
        runs: u32 [""],
        /// model_mean - observed.
        error: Option<f64> ["unit"],
        /// error / abs(observed) (empty when observed is 0).
        relative_error: Option<f64> ["share"],
        /// Confidence tag of the observation: H, M or L.
        confidence: String [""],
        /// Source of the observation.
        source: String [""],
    }
}

table! {
    /// Written by `synergy calibrate` for a history target (`metric = "history"`) as CSV (`<out>/<name>/history_fit.csv`, not by runs): one row per observation of the observed table with the model value at the calibrated parameters (replicate mean) and whether it was fitted or held out.
    HistoryFit = "history_fit" {
        /// Observed series: price, volume, covered_emissions, participants, national_emissions, energy_intensity_change, carbon_intensity_change.
        series: String [""],
        /// A market name, or `nation`.
        scope: String [""],
        /// Year of the observation (the end year of a change).
        year: i32 ["year"],
        /// Base year of a change (empty for levels).
        from_year: Option<i32> ["year"],
        /// Observed value (unit of the observed table: CNY/t, t CO2, entities, share).
        observed: f64 ["unit"],
        /// Replicate mean of the model value at the calibrated parameters (empty: the runs have none).
        model: Option<f64> ["unit"],
        /// model - observed.
        error: Option<f64> ["unit"],
        /// The error the objective squares: error / abs(observed) for levels, error / change_scale for changes.
        scaled_error: Option<f64> [""],
        /// Weight of the row's series in the objective.
        weight: f64 [""],
        /// fit (in the objective), holdout (after fit_until: reported only) or unweighted (series weight 0).
        role: String [""],
        /// Confidence tag of the observation: H, M or L.
        confidence: String [""],
    }
}

table! {
    /// Written by `synergy calibrate` and `synergy compare --match` (not by runs): one row per
    /// evaluation of a calibration and moved parameter; every evaluation runs all replicates.
    CalibrationTrace = "calibration_trace" {
        /// Calibration name (a `compare --match` calibration: `<regime>` or
        /// `<regime>/least_cost`).
        calibration: String [""],
        /// Evaluation number, from 0 in search order.
        evaluation: u32 [""],
        /// Moved parameter (its key path, `[*]` = every item; `least_cost.p0` for the
        /// benchmark's starting price).
        parameter: String [""],
        /// Trial value of the parameter (a scale factor, or the set value in its own unit).
        value: f64 ["param"],
        /// Replicate mean of the target metric (its unit: t CO2, CNY or CNY/t; for an
        /// observed-price target the objective).
        metric: f64 ["metric"],
        /// Target value of the metric (NaN for an observed-price target).
        target: f64 ["metric"],
        /// Search objective: metric - target for root-finding (0 within tolerance), the
        /// squared relative error for minimisers.
        objective: f64 [""],
    }
}

table! {
    /// Written by `synergy compare --match` (`matched_summary.parquet`): one row per target,
    /// regime and replicate of the matched comparison; differences are against the run's
    /// paired no-policy baseline (same seed) over the matched window.
    MatchedSummary = "matched_summary" {
        /// The common target of cumulative emissions over the window.
        target: f64 ["t CO2"],
        /// Regime (scenario) name.
        regime: String [""],
        /// Replicate number.
        replicate: u32 [""],
        /// World seed (shared by the regimes, baselines and benchmarks of a replicate).
        seed: u64 [""],
        /// Calibrated stringency value (null: the regime as written set the target).
        stringency: Option<f64> ["param"],
        /// Achieved relative error of the match (replicate mean against the target).
        match_error: f64 ["share"],
        /// Price of the least-cost benchmark in the window's first year (it rises at the social discount rate).
        least_cost_p0: f64 ["CNY/t"],
        /// Cumulative national emissions over the window.
        cumulative_emissions: f64 ["t CO2"],
        /// The paired baseline's emissions minus the regime's over the window.
        abatement_vs_baseline: f64 ["t CO2"],
        /// Social cost minus the baseline's over the window, present value in the window's first year at the social discount rate (no transfers).
        social_cost_pv: f64 ["CNY"],
        /// social_cost_pv / abatement_vs_baseline (null without abatement).
        cost_per_tonne: Option<f64> ["CNY/t"],
        /// social_cost_pv / the least-cost benchmark's (null when the benchmark costs nothing).
        cost_ratio_least_cost: Option<f64> ["ratio"],
        /// The least-cost benchmark's cumulative emissions over the window.
        benchmark_emissions: f64 ["t CO2"],
        /// Firms' net allowance payments over the window (auction and tax revenue; a transfer).
        transfers: f64 ["CNY"],
        /// Gini of the cumulative cost burden per GDP across cities (whole run; null when every burden is 0).
        gini_cost_burden: Option<f64> ["index"],
        /// Share of cities meeting their targets at the end of the latest plan (null: no plan).
        share_cities_meeting_target: Option<f64> ["share"],
    }
}

table! {
    /// One row per R&D programme, technology it works on and year when `[research]` is on (empty otherwise, MODEL.md 7.26).
    ResearchYear = "research_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Programme name (`research.programmes[].name`).
        programme: String [""],
        /// Technology.
        technology: Cat<dict::Technology> [""],
        /// Spent this year on the technology (from the region's city budgets).
        spending: f64 ["CNY"],
        /// Knowledge stock after this year's spending and depreciation (summed over the programme's cities when it is not joint).
        stock: f64 ["CNY"],
    }
}

table! {
    /// One row per market, paying province, receiving province and year with a positive eco-compensation flow (`markets[].compensation`, MODEL.md 7.25; empty otherwise). A market's flows of a year add up to the compensation share of its revenue; they are part of market_year.recycled and of the receiving cities' city_year.recycled_revenue.
    CompensationYear = "compensation_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Market whose revenue pays.
        market: Cat<dict::Market> [""],
        /// Province the revenue is attributed to (by its share of the market's covered emissions).
        from_province: Cat<dict::Province> [""],
        /// Province that receives (paid to its cities by population).
        to_province: Cat<dict::Province> [""],
        /// Amount paid.
        amount: f64 ["CNY"],
    }
}

table! {
    /// One row per fuel, province and year when `[fuels]` is on (empty otherwise): the fuel-supply stage's deliveries to the province's firms, what upstream markets covered at the source and the prices (MODEL.md 7.27).
    FuelYear = "fuel_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Fuel name (`[fuels]` key).
        fuel: String [""],
        /// Province.
        province: Cat<dict::Province> [""],
        /// Fuel burnt by the province's firms: share of their direct emissions from the fuel / its carbon content.
        use_tce: f64 ["tce/yr"],
        /// Carbon content of that fuel: the firms' direct emissions from it.
        emissions: f64 ["t CO2/yr"],
        /// Part of `emissions` covered at the source by an upstream market.
        upstream_covered: f64 ["t CO2/yr"],
        /// Producer price of the fuel this year (national, from last year's national use along the inverse supply curve).
        producer_price: f64 ["CNY/tce"],
        /// Carbon price paid on `upstream_covered` through the fuel price (the suppliers' allowance purchases or tax, passed to users).
        levy: f64 ["CNY/yr"],
        /// Average delivered price: producer_price + levy / use_tce (producer_price when nothing is delivered).
        delivered_price: f64 ["CNY/tce"],
    }
}

table! {
    /// One row per dynamic sector, province and year when `[capacity]` is on (empty otherwise): plants producing, built, closed and decided (MODEL.md 7.24).
    CapacityYear = "capacity_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Sector name.
        sector: Cat<dict::Sector> [""],
        /// Province.
        province: Cat<dict::Province> [""],
        /// Plants producing this year.
        plants: u32 ["count"],
        /// Capacity of the plants producing this year.
        capacity: f64 ["units/yr"],
        /// Output of the plants producing this year.
        output: f64 ["units/yr"],
        /// Capacity of plants whose first year of output is this year.
        online: f64 ["units/yr"],
        /// Capacity that stopped at the end of its lifetime (retire_year = this year: produced last year, not this year).
        retired: f64 ["units/yr"],
        /// Capacity that exited for negative expected margins (exit_year = this year).
        exited: f64 ["units/yr"],
        /// Capacity of new plants decided this year to be built in the province (producing from this year + `capacity.lag`).
        decided: f64 ["units/yr"],
        /// Part of `decided` whose origin city is in another province (industrial transfer in).
        relocated_in: f64 ["units/yr"],
        /// Capacity decided this year whose origin city is in this province and that is built in another province (industrial transfer out).
        relocated_out: f64 ["units/yr"],
    }
}

table! {
    /// One row per province per year when `[power]` is on (empty otherwise): the year's least-cost dispatch (MODEL.md 7.22).
    PowerYear = "power_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Province.
        province: Cat<dict::Province> [""],
        /// Grid region of the province.
        grid: Cat<dict::Grid> [""],
        /// Load (demand at the busbar) of the province.
        load: f64 ["MWh/yr"],
        /// Generation in the province (thermal firms and every fleet).
        generation: f64 ["MWh/yr"],
        /// Generation of the thermal firms (the ABM's plants of `power.sector`).
        thermal_generation: f64 ["MWh/yr"],
        /// Available thermal capacity of the province's firms (capacity x `power.thermal_availability`).
        thermal_capacity: f64 ["MW"],
        /// Available but unused zero-emission generation (curtailed wind, solar, hydro, nuclear, biomass).
        curtailment: f64 ["MWh/yr"],
        /// Storage power of the province.
        storage_capacity: f64 ["MW"],
        /// Charged into storage.
        storage_charge: f64 ["MWh/yr"],
        /// Discharged from storage.
        storage_discharge: f64 ["MWh/yr"],
        /// Received over corridors, after losses.
        imports: f64 ["MWh/yr"],
        /// Sent over corridors.
        exports: f64 ["MWh/yr"],
        /// Load not served (priced at `power.voll`).
        unserved: f64 ["MWh/yr"],
        /// Emissions of the province's generation (thermal firms at their intensity after technologies, before operational abatement; fleets at their factor).
        emissions: f64 ["t CO2/yr"],
        /// Average grid emission factor: emissions over generation (imports carry none; null without generation).
        average_factor: Option<f64> ["t CO2/MWh"],
        /// Marginal grid emission factor: load-weighted over the slices of the emission factor of the unit (a thermal cost bin or a fleet) setting the price, or of the exporter over an unconstrained corridor (null where never known).
        marginal_factor: Option<f64> ["t CO2/MWh"],
        /// Average emission factor of the province's grid region: its provinces' emissions over their generation.
        grid_average_factor: Option<f64> ["t CO2/MWh"],
        /// Load-weighted price: the marginal cost of a MWh more load (the dual of the balance), with the thermal firms' expected carbon cost.
        price: f64 ["CNY/MWh"],
        /// Load added by the electrification of the province's other firms (their electricity use above their build intensity, at this year's output; negative where technologies save electricity); part of load.
        electrification_load: f64 ["MWh/yr"],
        /// Storage power added since last year (the storage paths this year minus last year; negative: retired).
        storage_net_additions: f64 ["MW"],
    }
}

table! {
    /// One row per province per generation technology per year when `[power]` is on: the thermal firms (`thermal`) and each fleet of `[power.fleets]`.
    PowerTechYear = "power_tech_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Province.
        province: Cat<dict::Province> [""],
        /// Technology: `thermal` (the firms of `power.sector`) or a fleet name.
        technology: Cat<dict::PowerTech> [""],
        /// Capacity (for `thermal`: available capacity).
        capacity: f64 ["MW"],
        /// Generation.
        generation: f64 ["MWh/yr"],
        /// Available but unused generation (0 for `thermal`).
        curtailment: f64 ["MWh/yr"],
        /// Capacity added since last year, negative when retired: for a fleet its capacity path this year minus last year; for `thermal` the change of the firms' available capacity (null in the run's first year).
        net_additions: Option<f64> ["MW"],
    }
}

table! {
    /// One row per transmission corridor per time slice per year when `[power]` is on.
    FlowYear = "flow_year" {
        /// Run identifier.
        run_id: u64 [""],
        /// Simulated year.
        year: i32 ["year"],
        /// Corridor identifier (row order of the corridor table, then `power.new_corridors`).
        corridor: u32 [""],
        /// First end.
        province_a: Cat<dict::Province> [""],
        /// Second end.
        province_b: Cat<dict::Province> [""],
        /// Time slice (`power.slices`).
        slice: Cat<dict::Slice> [""],
        /// Hours of the year the slice stands for.
        slice_hours: f64 ["h/yr"],
        /// Capacity this year in each direction.
        capacity: f64 ["MW"],
        /// Net flow from `province_a` to `province_b` (negative: from b to a), power sent.
        flow: f64 ["MW"],
        /// |flow| over capacity (null without capacity).
        utilisation: Option<f64> ["share"],
    }
}
