//! One run from a resolved scenario to Parquet files: build the World, write the static
//! tables, advance the schedule year by year streaming the per-year tables, then add the
//! run's `summary`, `runs` and `milestones` rows to the part (a part is complete when its
//! `runs` file exists). Which tables exist is the registry's business
//! ([`crate::output::registry`]); what goes in a row is the row builders'
//! ([`crate::output::collect`]).

use crate::config::Scenario;
use crate::error::{Error, Result};
use crate::model::agents::Clock;
use crate::model::agents::regulator::Regulator;
use crate::model::agents::totals::{SummaryRow, YearTotals};
use crate::model::world::build_world;
use crate::output::collect::{per_run, statics};
use crate::output::commit::Staged;
use crate::output::{Buffers, Dicts, Kind, PartFiles, Table};
use bevy_ecs::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Identity of one run within an experiment.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// Run id (index in the plan).
    pub run_id: u64,
    /// Experiment name.
    pub experiment: String,
    /// Replicate number.
    pub replicate: u32,
    /// World seed.
    pub seed: u64,
    /// Sampled parameters as a JSON object.
    pub parameters: String,
    /// The run's paired no-policy baseline, when one was run (`--baseline-until`).
    pub baseline: Option<Baseline>,
}

/// What a run's `summary` row needs of its paired no-policy baseline: the same scenario and
/// world seed with no carbon policy after `until` ([`crate::config::transform::baseline`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Baseline {
    /// Last year with policy.
    pub until: i32,
    /// The baseline's cumulative national emissions, t CO2.
    pub cumulative_emissions: f64,
    /// The baseline's social cost over the run (`summary.total_cost`), CNY.
    pub social_cost: f64,
}

/// One market-year as reported to the CLI.
#[derive(Clone, Copy, Debug, Default)]
pub struct MarketPoint {
    /// Year.
    pub year: i32,
    /// Clearing price, CNY per t.
    pub price: f64,
    /// Covered emissions, t CO2.
    pub covered_emissions: f64,
    /// Operational abatement cost, CNY.
    pub abatement_cost: f64,
}

/// What a run reports back besides its files.
#[derive(Clone, Debug, Default)]
pub struct RunReport {
    /// Firms simulated.
    pub firms: usize,
    /// Years simulated.
    pub years: usize,
    /// Per market: its name and its active years.
    pub markets: Vec<(String, Vec<MarketPoint>)>,
    /// Headline metrics (the `summary` row).
    pub summary: SummaryRow,
}

/// Rows of `firm_year` buffered before a write (bounds memory).
const FLUSH_ROWS: usize = 1 << 18;

/// The open files of one part (`part-<k>.parquet` of every table, one scenario) in a staging
/// folder: runs append to it; [`PartWriter::commit`] writes the per-run rows, closes and
/// fsyncs every file and publishes the part (`runs` last, which marks it complete).
pub struct PartWriter {
    dicts: Dicts,
    files: PartFiles,
    staged: Staged,
    /// Per-run rows of the part's runs so far (written once, at commit).
    per_run: Buffers,
}

impl PartWriter {
    /// Opens the files of part `part` of scenario `scenario`, staged in `dataset`.
    pub fn create(dataset: &Path, scenario: &Scenario, part: u32) -> Result<Self> {
        let staged = Staged::new(dataset, &format!("part-{part}"))?;
        Ok(PartWriter {
            dicts: crate::output::collect::dicts(scenario),
            files: PartFiles::create(staged.root(), scenario.name(), part)?,
            staged,
            per_run: Buffers::default(),
        })
    }

    /// Writes the per-run tables, closes every file and publishes the part atomically
    /// ([`Staged::commit`]); dropped uncommitted, the staged files are deleted.
    pub fn commit(mut self) -> Result<()> {
        self.files
            .write(&mut self.per_run, Kind::PerRun, &self.dicts)?;
        let root = self.staged.root().to_path_buf();
        let order: Vec<PathBuf> = self
            .files
            .finish()?
            .into_iter()
            .map(|p| p.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(p))
            .collect();
        self.staged.commit(&order)
    }
}

/// Runs `scenario` and writes its rows as part `part` of the dataset at `dataset`, published
/// when complete. `on_year` is called after each simulated year (progress).
pub fn run_to_dataset(
    scenario: Arc<Scenario>,
    spec: &RunSpec,
    dataset: &Path,
    part: u32,
    on_year: &dyn Fn(i32),
) -> Result<RunReport> {
    let mut writer = PartWriter::create(dataset, &scenario, part)?;
    let report = simulate(scenario, spec, &mut writer, on_year)?;
    writer.commit()?;
    Ok(report)
}

/// Simulates one run and appends its rows to `out`.
pub fn simulate(
    scenario: Arc<Scenario>,
    spec: &RunSpec,
    out: &mut PartWriter,
    on_year: &dyn Fn(i32),
) -> Result<RunReport> {
    let s = scenario.clone();
    let (mut world, mut schedule) = start_world(scenario, spec.seed, spec.run_id)?;

    world.resource_scope(|world, mut buf: Mut<Buffers>| {
        statics::cities(world, &s, spec.run_id, &mut buf.cities);
    });

    let mut markets: Vec<(String, Vec<MarketPoint>)> = s
        .markets
        .iter()
        .map(|m| (m.name().to_string(), Vec::new()))
        .collect();
    for year in s.start_year()..=s.end_year() {
        world.resource_mut::<Clock>().year = year;
        crate::model::run_year(&mut world, &mut schedule)?;
        market_points(&mut world, year, &mut markets);
        let mut buf = world.resource_mut::<Buffers>();
        if buf.firm_year.len() >= FLUSH_ROWS || year == s.end_year() {
            out.files.write(&mut buf, Kind::Yearly, &out.dicts)?;
        }
        on_year(year);
    }
    // The firms table is written after the last year: plants that entered during the run
    // have rows too, and every row carries its plant's retirement or exit year.
    let n_firms = world.resource_scope(|world, mut buf: Mut<Buffers>| {
        statics::firms(world, spec.run_id, &mut buf.firms)
    });
    out.files.write(
        &mut world.resource_mut::<Buffers>(),
        Kind::Static,
        &out.dicts,
    )?;
    let summary = per_run::summary_metrics(&mut world, &s);
    world.resource_scope(|world, mut buf: Mut<Buffers>| {
        per_run::per_run_rows(world, &s, spec, &summary, n_firms, &mut buf);
        out.per_run.append(&mut buf, Kind::PerRun);
    });
    Ok(RunReport {
        firms: n_firms,
        years: s.years(),
        markets,
        summary,
    })
}

/// The World of a run and its initialised year schedule, with the foresight fixed point
/// solved first where the scenario uses it ([`crate::foresight::solve`]).
pub fn start_world(
    scenario: Arc<Scenario>,
    seed: u64,
    run_id: u64,
) -> Result<(World, bevy_ecs::schedule::Schedule)> {
    let solution = crate::foresight::solve(&scenario, seed)?;
    let (mut world, schedule) = build_started(scenario, seed, run_id)?;
    if let Some(sol) = solution {
        let mut o = world.resource_mut::<crate::model::agents::outlook::Outlook>();
        o.foresight = sol.paths;
        o.iterations = sol.iterations;
        o.residual = Some(sol.residual);
        o.gap = Some(sol.gap);
    }
    Ok((world, schedule))
}

/// The World of a run and its initialised year schedule, without solving foresight.
pub fn build_started(
    scenario: Arc<Scenario>,
    seed: u64,
    run_id: u64,
) -> Result<(World, bevy_ecs::schedule::Schedule)> {
    let mut world = build_world(scenario, seed, run_id);
    let mut schedule = crate::model::schedule::year_schedule();
    schedule
        .initialize(&mut world)
        .map_err(|e| Error::Bug(format!("schedule: {e:?}")))?;
    Ok((world, schedule))
}

/// Adds this year's price, covered emissions and abatement cost of every active market to
/// the CLI report.
pub fn market_points(world: &mut World, year: i32, markets: &mut [(String, Vec<MarketPoint>)]) {
    let mut q = world.query::<&Regulator>();
    let totals = world.resource::<YearTotals>();
    for r in q.iter(world) {
        if !r.active {
            continue;
        }
        let t = totals.market(r.market);
        if let Some((_, points)) = markets.get_mut(r.market as usize) {
            points.push(MarketPoint {
                year,
                price: r.year.price,
                covered_emissions: t.emissions,
                abatement_cost: t.abatement_cost,
            });
        }
    }
}
