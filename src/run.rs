//! One run from a resolved scenario to Parquet files: build the World, write the static
//! tables, advance the schedule year by year streaming the per-year tables, then write the
//! `summary` and, last, the `runs` row (a part is complete when its `runs` file exists).

use crate::config::Scenario;
use crate::error::{Error, Result};
use crate::model::agents::Clock;
use crate::model::agents::city::CityState;
use crate::model::agents::firm::{Behaviour, Capacity, FirmInfo, Intensity, Mac, Production};
use crate::model::systems::accounting::{RunTotals, YearTotals};
use crate::model::world::{CityDraws, build_world};
use crate::output::writer::TableWriter;
use crate::output::*;
use bevy_ecs::prelude::*;
use std::path::Path;
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

/// The values of the `summary` row.
#[derive(Clone, Debug, Default)]
pub struct SummaryRow {
    /// Cumulative emissions, t CO2.
    pub cumulative_emissions: f64,
    /// Cumulative operational abatement, t CO2.
    pub cumulative_abatement: f64,
    /// Cumulative abatement below firms' counterfactual, t CO2.
    pub abatement_vs_counterfactual: f64,
    /// Total cost (operational abatement + investment + penalties), CNY.
    pub total_cost: f64,
    /// Investment cost, CNY.
    pub investment_cost: f64,
    /// Curtailment loss, CNY.
    pub curtailment_cost: f64,
    /// Shares of cities and provinces meeting targets at the end of the latest plan.
    pub targets_met: (Option<f64>, Option<f64>),
    /// Cost per tonne abated, CNY/t.
    pub cost_per_tonne: Option<f64>,
    /// Actual / least cost.
    pub cost_ratio_least_cost: Option<f64>,
    /// Gini of cumulative cost burden per GDP across cities.
    pub gini_cost_burden: Option<f64>,
    /// Peak year and emissions.
    pub peak: (i32, f64),
}

/// Rows of `firm_year` buffered before a write (bounds memory).
const FLUSH_ROWS: usize = 1 << 18;

/// Category dictionaries for a scenario's output.
pub fn dicts(s: &Scenario) -> Dicts {
    let mut d = Dicts::default();
    d.insert(
        "market",
        &s.markets
            .iter()
            .map(|m| m.raw.name.clone())
            .collect::<Vec<_>>(),
    );
    d.insert(
        "sector",
        &s.sectors.iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
    );
    d.insert(
        "province",
        &s.geography
            .provinces
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>(),
    );
    d.insert(
        "grid",
        &crate::geography::GRIDS
            .iter()
            .map(|g| g.to_string())
            .collect::<Vec<_>>(),
    );
    d.insert("agglomeration", &s.geography.agglomerations);
    let techs: Vec<String> = s.technologies.iter().map(|t| t.raw.name.clone()).collect();
    d.insert("technology", &techs);
    d.insert("adopted", &techs);
    d.insert(
        "level",
        &["nation".to_string(), "agglomeration".to_string()],
    );
    d
}

/// The open files of one part (`part-<k>.parquet` of every table, one scenario): runs append
/// to it; [`PartWriter::finish`] closes every file and writes `runs` last, which marks the
/// part complete.
pub struct PartWriter {
    dicts: Dicts,
    firms: TableWriter,
    cities: TableWriter,
    firm_year: TableWriter,
    city_year: TableWriter,
    market_year: TableWriter,
    nation_year: TableWriter,
    technology_year: TableWriter,
    milestones: TableWriter,
    summary: TableWriter,
    runs: TableWriter,
    milestone_rows: Milestones,
    summary_rows: Summary,
    run_rows: Runs,
}

impl PartWriter {
    /// Opens (temporary) files for part `part` of scenario `scenario` in `dataset`.
    pub fn create(dataset: &Path, scenario: &Scenario, part: u32) -> Result<Self> {
        let name = scenario.name();
        Ok(PartWriter {
            dicts: dicts(scenario),
            firms: TableWriter::create::<Firms>(dataset, name, part)?,
            cities: TableWriter::create::<Cities>(dataset, name, part)?,
            firm_year: TableWriter::create::<FirmYear>(dataset, name, part)?,
            city_year: TableWriter::create::<CityYear>(dataset, name, part)?,
            market_year: TableWriter::create::<MarketYear>(dataset, name, part)?,
            nation_year: TableWriter::create::<NationYear>(dataset, name, part)?,
            technology_year: TableWriter::create::<TechnologyYear>(dataset, name, part)?,
            milestones: TableWriter::create::<Milestones>(dataset, name, part)?,
            summary: TableWriter::create::<Summary>(dataset, name, part)?,
            runs: TableWriter::create::<Runs>(dataset, name, part)?,
            milestone_rows: Milestones::default(),
            summary_rows: Summary::default(),
            run_rows: Runs::default(),
        })
    }

    /// Writes the per-run tables and closes every file, `runs` last.
    pub fn finish(mut self) -> Result<()> {
        self.milestones
            .write(&mut self.milestone_rows, &self.dicts)?;
        self.summary.write(&mut self.summary_rows, &self.dicts)?;
        self.runs.write(&mut self.run_rows, &self.dicts)?;
        for w in [
            self.firms,
            self.cities,
            self.firm_year,
            self.city_year,
            self.market_year,
            self.nation_year,
            self.technology_year,
            self.milestones,
            self.summary,
            self.runs,
        ] {
            w.finish()?;
        }
        Ok(())
    }
}

/// Runs `scenario` and writes its rows as part `part` of the dataset at `dataset`.
/// `on_year` is called after each simulated year (progress).
pub fn run_to_dataset(
    scenario: Arc<Scenario>,
    spec: &RunSpec,
    dataset: &Path,
    part: u32,
    on_year: &dyn Fn(i32),
) -> Result<RunReport> {
    let mut writer = PartWriter::create(dataset, &scenario, part)?;
    let report = simulate(scenario, spec, &mut writer, on_year)?;
    writer.finish()?;
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
    let name = s.name().to_string();
    let mut world = build_world(scenario, spec.seed, spec.run_id);
    world.insert_resource(YearTotals::default());
    world.insert_resource(RunTotals::default());
    let mut schedule = crate::model::schedule::year_schedule();
    schedule
        .initialize(&mut world)
        .map_err(|e| Error::Bug(format!("schedule: {e:?}")))?;
    let dicts = out.dicts.clone();

    let (mut firms_tab, n_firms) = firms_table(&mut world, spec.run_id);
    out.firms.write(&mut firms_tab, &dicts)?;
    let mut cities_tab = cities_table(&world, &s, spec.run_id);
    out.cities.write(&mut cities_tab, &dicts)?;
    init_coverage(&mut world, &s);

    let mut markets: Vec<(String, Vec<MarketPoint>)> = s
        .markets
        .iter()
        .map(|m| (m.raw.name.clone(), Vec::new()))
        .collect();
    for year in s.start_year()..=s.end_year() {
        world.resource_mut::<Clock>().year = year;
        schedule.run(&mut world);
        let mut buf = world.resource_mut::<Buffers>();
        let my = &buf.market_year;
        let start = my.year.len() - my.year.iter().rev().take_while(|y| **y == year).count();
        for i in start..my.year.len() {
            if let Some(m) = my.market[i].0 {
                markets[m as usize].1.push(MarketPoint {
                    year,
                    price: my.price[i],
                    covered_emissions: my.covered_emissions[i],
                    abatement_cost: my.abatement_cost[i],
                });
            }
        }
        if buf.firm_year.len() >= FLUSH_ROWS || year == s.end_year() {
            out.firm_year.write(&mut buf.firm_year, &dicts)?;
            out.city_year.write(&mut buf.city_year, &dicts)?;
            out.market_year.write(&mut buf.market_year, &dicts)?;
            out.nation_year.write(&mut buf.nation_year, &dicts)?;
            out.technology_year
                .write(&mut buf.technology_year, &dicts)?;
        }
        on_year(year);
    }
    let run = world.resource::<RunTotals>();
    let least = run.least_cost;
    let gini = {
        let mut q = world.query::<&CityState>();
        let v: Vec<f64> = q
            .iter(&world)
            .filter(|c| c.cum_gdp > 0.0)
            .map(|c| c.cum_burden / c.cum_gdp)
            .collect();
        crate::econ::inequality::gini(&v)
    };
    let plan_state = world.resource::<crate::model::agents::plan::PlanState>();
    let targets_met = (plan_state.share_cities_met, plan_state.share_provinces_met);
    let run = world.resource::<RunTotals>();
    let summary = SummaryRow {
        cumulative_emissions: run.emissions,
        cumulative_abatement: run.abatement,
        abatement_vs_counterfactual: run.abatement_vs_counterfactual,
        total_cost: run.abatement_cost + run.investment_cost + run.curtailment_cost + run.penalties,
        curtailment_cost: run.curtailment_cost,
        targets_met,
        investment_cost: run.investment_cost,
        cost_per_tonne: (run.abatement_vs_counterfactual > 0.0).then(|| {
            (run.abatement_cost + run.investment_cost + run.curtailment_cost)
                / run.abatement_vs_counterfactual
        }),
        cost_ratio_least_cost: (least > 0.0).then(|| run.abatement_cost / least),
        gini_cost_burden: gini,
        peak: run.peak.unwrap_or((s.start_year(), 0.0)),
    };
    let sum = &mut out.summary_rows;
    sum.run_id.push(spec.run_id);
    sum.scenario.push(name.clone());
    sum.replicate.push(spec.replicate);
    sum.cumulative_emissions.push(summary.cumulative_emissions);
    sum.cumulative_abatement.push(summary.cumulative_abatement);
    sum.total_cost.push(summary.total_cost);
    sum.investment_cost.push(summary.investment_cost);
    sum.cumulative_abatement_vs_counterfactual
        .push(summary.abatement_vs_counterfactual);
    sum.cost_per_tonne.push(summary.cost_per_tonne);
    sum.cost_ratio_least_cost
        .push(summary.cost_ratio_least_cost);
    sum.gini_cost_burden.push(summary.gini_cost_burden);
    sum.share_cities_meeting_target.push(summary.targets_met.0);
    sum.share_provinces_meeting_target
        .push(summary.targets_met.1);
    sum.curtailment_cost.push(summary.curtailment_cost);
    sum.peak_year.push(summary.peak.0);
    sum.peak_emissions.push(summary.peak.1);
    let runs = &mut out.run_rows;
    runs.run_id.push(spec.run_id);
    runs.experiment.push(spec.experiment.clone());
    runs.scenario.push(name.clone());
    runs.replicate.push(spec.replicate);
    runs.seed.push(spec.seed);
    runs.parameters.push(spec.parameters.clone());
    runs.version.push(env!("CARGO_PKG_VERSION").to_string());
    runs.start_year.push(s.start_year());
    runs.end_year.push(s.end_year());
    runs.firms.push(n_firms as u32);
    runs.cities.push(s.geography.cities.len() as u32);

    milestones_rows(&world, &s, spec.run_id, &mut out.milestone_rows);
    Ok(RunReport {
        firms: n_firms,
        years: s.years(),
        markets,
        summary,
    })
}

/// The `milestones` rows: first year of 50 % adoption and final share, per technology for the
/// nation and each agglomeration.
fn milestones_rows(world: &World, s: &Scenario, run_id: u64, t: &mut Milestones) {
    let st = world.resource::<crate::model::agents::technology::TechState>();
    let n_agg = st.agglomerations;
    for spec in &s.technologies {
        let mut firms = vec![0.0; 1 + n_agg];
        let mut adopters = vec![0.0; 1 + n_agg];
        for c in 0..st.cities {
            let i = st.at(spec.id, c as u32);
            firms[0] += f64::from(st.firms[i]);
            adopters[0] += f64::from(st.adopters[i]);
            if let Some(g) = st.city_agglomeration[c] {
                firms[1 + g as usize] += f64::from(st.firms[i]);
                adopters[1 + g as usize] += f64::from(st.adopters[i]);
            }
        }
        for r in 0..=n_agg {
            t.run_id.push(run_id);
            t.technology.push(Cat(Some(spec.id as u16)));
            t.level.push(Cat(Some(u16::from(r > 0))));
            t.region_id.push(if r == 0 { 0 } else { (r - 1) as u32 });
            t.region.push(if r == 0 {
                "China".to_string()
            } else {
                s.geography.agglomerations[r - 1].clone()
            });
            t.year_50pct.push(st.milestones[spec.id * (1 + n_agg) + r]);
            t.final_share.push(if firms[r] > 0.0 {
                adopters[r] / firms[r]
            } else {
                0.0
            });
        }
    }
}

/// Sets every firm's last-year baseline before the first year (threshold test).
fn init_coverage(world: &mut World, s: &Scenario) {
    let mut q = world.query::<(
        &FirmInfo,
        &Capacity,
        &Intensity,
        &mut crate::model::agents::firm::Coverage,
    )>();
    for (info, cap, int, mut cov) in q.iter_mut(world) {
        let idx = s.sectors[info.sector as usize]
            .demand_index
            .at(s.start_year());
        cov.last_baseline = int.emission() * cap.base_output * idx;
        cov.last_emissions = cov.last_baseline;
    }
}

fn firms_table(world: &mut World, run_id: u64) -> (Firms, usize) {
    let mut t = Firms::default();
    let mut q = world.query::<(
        &FirmInfo,
        &Capacity,
        &Production,
        &Intensity,
        &Mac,
        &Behaviour,
    )>();
    let mut rows: Vec<_> = q
        .iter(world)
        .map(|(i, c, p, int, m, b)| (*i, *c, *p, *int, *m, *b))
        .collect();
    rows.sort_by_key(|r| r.0.id);
    for (i, c, p, int, m, b) in &rows {
        t.run_id.push(run_id);
        t.firm_id.push(i.id);
        t.city_id.push(i.city);
        t.sector.push(Cat(Some(i.sector)));
        t.capacity.push(c.base_capacity);
        t.base_output.push(c.base_output);
        t.energy_intensity.push(int.energy);
        t.carbon_factor.push(int.carbon_factor);
        t.emission_intensity.push(int.emission());
        t.variable_cost.push(p.variable_cost);
        t.mac_slope.push(m.slope_ref);
        t.abatement_max
            .push(m.max_share * int.emission() * c.base_output);
        t.hurdle_rate.push(b.hurdle_rate);
        t.expectation_weight.push(b.lambda);
    }
    let n = rows.len();
    (t, n)
}

fn cities_table(world: &World, s: &Scenario, run_id: u64) -> Cities {
    let shares = &world.resource::<CityDraws>().0;
    let mut t = Cities::default();
    for c in &s.geography.cities {
        let p = &s.geography.provinces[c.province as usize];
        let sh = shares[c.id as usize];
        t.run_id.push(run_id);
        t.city_id.push(c.id);
        t.name.push(c.name.clone());
        t.province_id.push(u32::from(c.province));
        t.province.push(Cat(Some(c.province)));
        t.grid.push(Cat(Some(u16::from(c.grid))));
        t.agglomeration.push(Cat(c.agglomeration.map(u16::from)));
        t.gdp_share.push(sh.gdp);
        t.population_share.push(sh.population);
        t.gdp_base.push(p.gdp_cny * sh.gdp);
        t.population.push(p.population * sh.population);
    }
    t
}
