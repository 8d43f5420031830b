//! A run kept in memory (no files): its `summary` row and the national and market series a
//! calibration target reads ([`Outcome`]), and the metrics over a window ([`Metric`]).

use crate::config::Scenario;
use crate::error::{Error, Result};
use crate::model::agents::Clock;
use crate::model::agents::totals::{SummaryRow, YearTotals};
use crate::output::Buffers;
use crate::run::{MarketPoint, market_points, start_world};
use std::sync::Arc;

/// One year of a run, national.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct YearOutcome {
    /// Year.
    pub year: i32,
    /// National emissions (covered + uncovered), t CO2.
    pub emissions: f64,
    /// Social cost (abatement + investment + fuel cost change + curtailment), CNY.
    pub social_cost: f64,
    /// Firms' net allowance payments (a transfer), CNY.
    pub allowance_payments: f64,
}

/// What a run in memory reports.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The `summary` row.
    pub summary: SummaryRow,
    /// One entry per simulated year.
    pub years: Vec<YearOutcome>,
    /// Per market (scenario order): its name and its active years.
    pub markets: Vec<(String, Vec<MarketPoint>)>,
    /// The model's values of the observed series (scenario `""`, run 0), as
    /// `synergy validate-history` reads them from a dataset.
    pub history: crate::history::Values,
}

/// Runs `scenario` with world seed `seed` without writing anything (the rows the record
/// phase makes are dropped every year).
pub fn simulate_in_memory(scenario: Arc<Scenario>, seed: u64) -> Result<Outcome> {
    let s = scenario.clone();
    let (mut world, mut schedule) = start_world(scenario, seed, 0)?;
    let mut markets: Vec<(String, Vec<MarketPoint>)> = s
        .markets
        .iter()
        .map(|m| (m.name().to_string(), Vec::new()))
        .collect();
    let mut years = Vec::with_capacity(s.years());
    let mut history = crate::history::Values::new();
    for year in s.start_year()..=s.end_year() {
        world.resource_mut::<Clock>().year = year;
        crate::model::run_year(&mut world, &mut schedule)?;
        market_points(&mut world, year, &mut markets);
        let n = world.resource::<YearTotals>().nation;
        years.push(YearOutcome {
            year,
            emissions: n.covered + n.uncovered,
            social_cost: n.social_cost(),
            allowance_payments: n.allowance_payments,
        });
        crate::history::memory::add_year(&mut history, world.resource::<Buffers>(), &s);
        *world.resource_mut::<Buffers>() = Buffers::default();
    }
    let summary = crate::output::collect::per_run::summary_metrics(&mut world, &s);
    Ok(Outcome {
        summary,
        years,
        markets,
        history,
    })
}

/// Runs `scenario` in memory once per world seed (in parallel, rayon), in seed order.
pub fn simulate_replicates(scenario: Arc<Scenario>, seeds: &[u64]) -> Result<Vec<Outcome>> {
    use rayon::prelude::*;
    seeds
        .par_iter()
        .map(|&seed| simulate_in_memory(scenario.clone(), seed))
        .collect()
}

/// The paired no-policy baseline of a run: `baseline_scenario` (the run's scenario edited by
/// [`crate::config::transform::baseline`] at `until`) run in memory with the run's seed.
pub fn paired_baseline(
    baseline_scenario: Arc<Scenario>,
    until: i32,
    seed: u64,
) -> Result<crate::run::Baseline> {
    let o = simulate_in_memory(baseline_scenario, seed)?;
    Ok(crate::run::Baseline {
        until,
        cumulative_emissions: o.summary.cumulative_emissions,
        social_cost: o.summary.total_cost,
    })
}

/// What a target measures.
#[derive(Clone, Debug, PartialEq)]
pub enum Quantity {
    /// National emissions summed over the window, t CO2.
    CumulativeEmissions,
    /// Social cost summed over the window, CNY.
    SocialCost,
    /// Net allowance payments summed over the window, CNY.
    AllowancePayments,
    /// A market's clearing price, CNY per t (mean over the window's active years).
    Price(String),
    /// The observed series of configs/data/observed.csv (or another table): not a scalar; the
    /// target is the fit ([`super::history`]).
    History,
}

/// The metric names a calibration file may use.
pub const METRIC_NAMES: [&str; 5] = [
    "cumulative_emissions",
    "social_cost",
    "allowance_payments",
    "price",
    "history",
];

/// A quantity over a window of years (inclusive).
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// What is measured.
    pub quantity: Quantity,
    /// First and last year.
    pub window: (i32, i32),
}

impl Quantity {
    /// The metric's name in calibration files.
    pub fn name(&self) -> String {
        match self {
            Quantity::CumulativeEmissions => "cumulative_emissions".into(),
            Quantity::SocialCost => "social_cost".into(),
            Quantity::AllowancePayments => "allowance_payments".into(),
            Quantity::Price(m) => format!("price of {m}"),
            Quantity::History => "history".into(),
        }
    }
}

impl Metric {
    /// Cumulative emissions over `window`.
    pub fn cumulative_emissions(window: (i32, i32)) -> Self {
        Metric {
            quantity: Quantity::CumulativeEmissions,
            window,
        }
    }

    /// The metric in `o` (None when a price is asked of a market with no active year in
    /// the window).
    pub fn of(&self, o: &Outcome) -> Result<f64> {
        let (a, b) = self.window;
        let in_window = |y: i32| y >= a && y <= b;
        let sum = |f: fn(&YearOutcome) -> f64| {
            o.years
                .iter()
                .filter(|y| in_window(y.year))
                .map(f)
                .sum::<f64>()
        };
        match &self.quantity {
            Quantity::CumulativeEmissions => Ok(sum(|y| y.emissions)),
            Quantity::SocialCost => Ok(sum(|y| y.social_cost)),
            Quantity::AllowancePayments => Ok(sum(|y| y.allowance_payments)),
            Quantity::History => Err(Error::input(
                "target: metric = \"history\" is a fit to observed series, not a value",
            )),
            Quantity::Price(m) => {
                let points = &o
                    .markets
                    .iter()
                    .find(|(n, _)| n == m)
                    .ok_or_else(|| {
                        let names: Vec<&str> = o.markets.iter().map(|(n, _)| n.as_str()).collect();
                        Error::input(format!(
                            "target.market = {m:?}: no such market (markets: {})",
                            names.join(", ")
                        ))
                    })?
                    .1;
                let p: Vec<f64> = points
                    .iter()
                    .filter(|p| in_window(p.year))
                    .map(|p| p.price)
                    .collect();
                if p.is_empty() {
                    return Err(Error::input(format!(
                        "target: market {m:?} has no active year in {a}-{b}"
                    )));
                }
                Ok(p.iter().sum::<f64>() / p.len() as f64)
            }
        }
    }

    /// The price of market `m` in `year` in `o`, CNY per t (None when inactive).
    pub fn price_in(o: &Outcome, m: &str, year: i32) -> Option<f64> {
        o.markets
            .iter()
            .find(|(n, _)| n == m)?
            .1
            .iter()
            .find(|p| p.year == year)
            .map(|p| p.price)
    }
}
