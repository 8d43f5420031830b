//! `synergy plan`: the runs, batches, seeds and estimated output size of an experiment.

use crate::error::Result;
use crate::sweep::estimate;
use std::path::Path;

/// Largest plan whose runs `plan` resolves one by one (above it, `sweep` checks them).
const CHECK_ALL_UP_TO: usize = 100_000;

/// Prints the plan of the experiment file `experiment`: its size and cost first (from the
/// first run of each scenario), then a check of every run.
pub fn plan(experiment: &Path) -> Result<()> {
    let (exp, samples, plan) = crate::experiment::load_and_plan(experiment)?;
    let sources = crate::sweep::runner::Sources::new(&exp, experiment)?;
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
    let scenarios = estimate::per_scenario(&exp, &plan, &sources)?;
    for e in &scenarios {
        say!(
            "  {:<20} {:>6} runs {:>5} batches  {} firms x {} years  ~{:.1} MB/run",
            e.name,
            e.runs,
            e.batches,
            e.firms,
            e.years,
            e.bytes_per_run / 1e6
        );
    }
    let bytes: f64 = scenarios
        .iter()
        .map(|e| e.bytes_per_run * e.runs as f64)
        .sum();
    let firm_years: f64 = scenarios
        .iter()
        .map(estimate::ScenarioEstimate::firm_years)
        .sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    say!("  estimated output: {:.2} GB", bytes / 1e9);
    say!(
        "  estimated time: {} on this machine's {cores} cores (release build; {:.2e} firm-years)",
        estimate::human_duration(estimate::wall_seconds(firm_years, plan.runs.len(), cores)),
        firm_years
    );
    if bytes > estimate::LARGE_OUTPUT_BYTES {
        say!(
            "  warning: more than {:.0} GB: `synergy sweep` will ask for --allow-large (consider output.firm_level = \"sample\" or firm_every_years)",
            estimate::LARGE_OUTPUT_BYTES / 1e9
        );
    }
    if let Some(y) = exp.experiment.baseline_until {
        say!(
            "  paired baseline: every run also runs, in memory, its scenario with no carbon policy after {y} (once per distinct baseline and seed)"
        );
    }
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
    if plan.runs.len() <= CHECK_ALL_UP_TO {
        crate::sweep::runner::check_runs(&sources, &plan, exp.experiment.baseline_until)?;
        say!("  every run checked: valid");
    } else {
        say!(
            "  {} runs: not each checked here (above {CHECK_ALL_UP_TO}); `synergy sweep` checks them before it starts",
            plan.runs.len()
        );
    }
    Ok(())
}
