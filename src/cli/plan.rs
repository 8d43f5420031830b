//! `synergy plan`: the runs, batches, seeds and estimated output size of an experiment.

use crate::config::Scenario;
use crate::error::Result;
use std::path::Path;

/// Prints the plan of the experiment file `experiment`.
pub fn plan(experiment: &Path) -> Result<()> {
    let (exp, samples, plan) = crate::experiment::load_and_plan(experiment)?;
    let sources = crate::sweep::runner::Sources::new(&exp, experiment)?;
    crate::sweep::runner::check_runs(&sources, &plan)?;
    say!(
        "experiment {}: {} runs in {} batches",
        exp.experiment.name,
        plan.runs.len(),
        plan.batches.len()
    );
    say!(
        "  {} scenarios x {} samples x {} replicates; master seed {}",
        exp.scenarios.len(),
        samples.len(),
        exp.experiment.replicates,
        exp.experiment.master_seed
    );
    let mut bytes = 0.0;
    for (i, sc) in exp.scenarios.iter().enumerate() {
        let runs: Vec<_> = plan.runs.iter().filter(|r| r.scenario_index == i).collect();
        let batches = plan
            .batches
            .iter()
            .filter(|b| b.scenario == sc.name)
            .count();
        let Some(first) = runs.first() else { continue };
        let s = sources.resolve(first)?;
        let firms: usize =
            s.sectors.iter().map(|x| x.firms as usize).sum::<usize>() + s.firms.len();
        let per_run = estimate_bytes(&s, firms);
        bytes += per_run * runs.len() as f64;
        say!(
            "  {:<20} {:>6} runs {:>5} batches  {} firms x {} years  ~{:.1} MB/run",
            sc.name,
            runs.len(),
            batches,
            firms,
            s.years(),
            per_run / 1e6
        );
    }
    say!("  estimated output: {:.2} GB", bytes / 1e9);
    for r in plan.runs.iter().take(5) {
        say!(
            "  run {} {} sample {} replicate {} seed {} {}",
            r.run_id,
            r.scenario,
            r.sample,
            r.replicate,
            r.seed,
            r.parameters_json
        );
    }
    if plan.runs.len() > 5 {
        say!("  ...");
    }
    Ok(())
}

/// Rough output size of one run, bytes (measured on the default: about 65 bytes per
/// firm-year row, 60 per city-year row, 100 per firm, 150 kB of small tables).
fn estimate_bytes(s: &Scenario, firms: usize) -> f64 {
    use crate::config::kinds::FirmLevel;
    let o = &s.output;
    let years = s.years() as f64;
    let share = match o.firm_level {
        FirmLevel::All => 1.0,
        FirmLevel::Sample => o.firm_sample_share,
        FirmLevel::None => 0.0,
    };
    let firm_years = firms as f64 * (years / f64::from(o.firm_every_years)).ceil() * share;
    65.0 * firm_years
        + 60.0 * s.geography.cities.len() as f64 * years
        + 100.0 * firms as f64
        + 150e3
}
