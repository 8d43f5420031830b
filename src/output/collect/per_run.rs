//! Rows made once per run at its end: `milestones`, `summary` and `runs`.

use crate::config::PeakRegion;
use crate::config::Scenario;
use crate::model::agents::city::CityState;
use crate::model::agents::peaks::PeakState;
use crate::model::agents::plan::PlanState;
use crate::model::agents::technology::TechState;
use crate::model::agents::totals::{RunTotals, SummaryRow};
use crate::output::{Buffers, Cat, Milestones, RegionPeaks};
use crate::run::RunSpec;
use bevy_ecs::prelude::*;

/// The headline metrics of a finished run, from its totals, cities and plans.
pub fn summary_metrics(world: &mut World, s: &Scenario) -> SummaryRow {
    let gini = {
        let mut q = world.query::<&CityState>();
        let (v, w): (Vec<f64>, Vec<f64>) = q
            .iter(world)
            .filter(|c| c.cum_gdp > 0.0)
            .map(|c| (c.cum_burden / c.cum_gdp, c.population))
            .unzip();
        crate::econ::inequality::gini_weighted(&v, &w)
    };
    let plans = world.resource::<PlanState>();
    let targets_met = (plans.share_cities_met, plans.share_provinces_met);
    let mut row = world
        .resource::<RunTotals>()
        .summary(gini, targets_met, s.start_year());
    let o = world.resource::<crate::model::agents::outlook::Outlook>();
    row.foresight_iterations = o.iterations;
    row.foresight_residual = o.residual;
    row.foresight_gap = o.gap;
    row
}

/// Appends the run's `summary`, `runs` and `milestones` rows to `out`.
pub fn per_run_rows(
    world: &World,
    s: &Scenario,
    spec: &RunSpec,
    summary: &SummaryRow,
    firms: usize,
    out: &mut Buffers,
) {
    let sum = &mut out.summary;
    sum.run_id.push(spec.run_id);
    sum.replicate.push(spec.replicate);
    sum.cumulative_emissions.push(summary.cumulative_emissions);
    sum.cumulative_abatement.push(summary.cumulative_abatement);
    sum.total_cost.push(summary.total_cost);
    sum.fuel_cost_change.push(summary.fuel_cost_change);
    sum.penalties.push(summary.penalties);
    sum.investment_cost.push(summary.investment_cost);
    sum.allowance_payments.push(summary.allowance_payments);
    sum.recycled_revenue.push(summary.recycled);
    sum.free_allocation_value
        .push(summary.free_allocation_value);
    sum.profit.push(summary.profit);
    sum.cumulative_abatement_vs_counterfactual
        .push(summary.abatement_vs_counterfactual);
    sum.cost_per_tonne_vs_counterfactual
        .push(summary.cost_per_tonne_vs_counterfactual);
    sum.operational_cost_ratio
        .push(summary.operational_cost_ratio);
    sum.gini_cost_burden.push(summary.gini_cost_burden);
    sum.share_cities_meeting_target.push(summary.targets_met.0);
    sum.share_provinces_meeting_target
        .push(summary.targets_met.1);
    sum.curtailment_cost.push(summary.curtailment_cost);
    sum.research_cost.push(summary.research_cost);
    sum.peak_year.push(summary.peak.0);
    sum.peak_emissions.push(summary.peak.1);
    sum.foresight_iterations.push(summary.foresight_iterations);
    sum.foresight_residual.push(summary.foresight_residual);
    sum.foresight_gap.push(summary.foresight_gap);
    let b = spec.baseline;
    let abatement = b.map(|b| b.cumulative_emissions - summary.cumulative_emissions);
    let cost = b.map(|b| summary.total_cost - b.social_cost);
    sum.baseline_until.push(b.map(|b| b.until));
    sum.baseline_cumulative_emissions
        .push(b.map(|b| b.cumulative_emissions));
    sum.abatement_vs_baseline.push(abatement);
    sum.social_cost_vs_baseline.push(cost);
    sum.cost_per_tonne_vs_baseline
        .push(match (cost, abatement) {
            (Some(c), Some(a)) if a > 0.0 => Some(c / a),
            _ => None,
        });
    let runs = &mut out.runs;
    runs.run_id.push(spec.run_id);
    runs.experiment.push(spec.experiment.clone());
    runs.replicate.push(spec.replicate);
    runs.seed.push(spec.seed);
    runs.parameters.push(spec.parameters.clone());
    runs.version.push(env!("CARGO_PKG_VERSION").to_string());
    runs.start_year.push(s.start_year());
    runs.end_year.push(s.end_year());
    runs.firms.push(firms as u32);
    runs.cities.push(s.geography.cities.len() as u32);
    milestones(world, s, spec.run_id, &mut out.milestones);
    region_peaks(world, s, spec.run_id, &mut out.region_peaks);
}

/// The `region_peaks` rows: every region's peak year and emissions, and its target's outcome.
pub fn region_peaks(world: &World, s: &Scenario, run_id: u64, t: &mut RegionPeaks) {
    let st = world.resource::<PeakState>();
    let Some(last) = st.last_year else { return };
    let g = &s.geography;
    for (k, (region, p)) in st.regions.iter().zip(&st.peaks).enumerate() {
        let Some(year) = p.year else { continue };
        let (level, id, name) = match *region {
            PeakRegion::Nation => (0u16, 0u32, "China".to_string()),
            PeakRegion::Agglomeration(a) => (1, u32::from(a), g.agglomerations[a as usize].clone()),
            PeakRegion::Province(k) => (2, u32::from(k), g.provinces[k as usize].name.clone()),
            PeakRegion::City(c) => (3, c, g.cities[c as usize].name.clone()),
        };
        let found = s.peaks.iter().find(|x| x.region == *region);
        let target = found.and_then(|x| x.by);
        let budget = found.and_then(|x| x.budget.map(|b| (b, x.budget_years)));
        t.run_id.push(run_id);
        t.level.push(Cat::of(level));
        t.region_id.push(id);
        t.region.push(name);
        t.peak_year.push(year);
        t.peak_emissions.push(p.emissions);
        t.final_emissions.push(p.last);
        t.peaked.push(p.peaked(last));
        t.target_year.push(target);
        t.target_met.push(target.map(|by| p.met(by, last)));
        let used = st.budget_emissions[k];
        t.budget.push(budget.map(|b| b.0));
        t.budget_emissions.push(budget.map(|_| used));
        // Decided once the run has reached the budget's last year, or earlier if exceeded.
        t.budget_met.push(budget.and_then(|(b, (_, end))| {
            if used > b {
                Some(false)
            } else {
                (last >= end).then_some(true)
            }
        }));
    }
}

/// The `milestones` rows: first year of 50 % adoption and final share, per technology for the
/// nation and each agglomeration.
pub fn milestones(world: &World, s: &Scenario, run_id: u64, t: &mut Milestones) {
    let st = world.resource::<TechState>();
    let n_agg = st.agglomerations;
    for spec in &s.technologies {
        let sums = st.region_sums(spec.id);
        for (r, v) in sums.iter().enumerate() {
            t.run_id.push(run_id);
            t.technology.push(Cat::of(spec.id as u16));
            t.level.push(Cat::of(u16::from(r > 0)));
            t.region_id.push(if r == 0 { 0 } else { (r - 1) as u32 });
            t.region.push(if r == 0 {
                "China".to_string()
            } else {
                s.geography.agglomerations[r - 1].clone()
            });
            t.year_50pct.push(st.milestones[spec.id * (1 + n_agg) + r]);
            t.final_share.push(if v.firms > 0.0 {
                v.adopters / v.firms
            } else {
                0.0
            });
        }
    }
}
