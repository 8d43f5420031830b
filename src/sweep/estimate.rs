//! What an experiment will cost before it runs: output size and wall time from the first run
//! of each scenario (no run is resolved beyond that), and the free space where it goes.

use crate::config::Scenario;
use crate::config::kinds::FirmLevel;
use crate::error::Result;
use crate::experiment::RunPlan;
use crate::experiment::spec::RawExperiment;
use crate::sweep::runner::Sources;
use std::path::Path;

/// Firm-years simulated per second per core with firm output, release build (the full model
/// on the default scenario, docs/PERFORMANCE.md), for wall-time estimates.
pub const FIRM_YEARS_PER_CORE_SECOND: f64 = 3e5;
/// Fixed cost of one run (world build, files), seconds.
pub const RUN_OVERHEAD_S: f64 = 0.05;
/// Above this estimated output a sweep asks for `--allow-large`, bytes (100 GB).
pub const LARGE_OUTPUT_BYTES: f64 = 100e9;

/// One scenario's share of an experiment.
#[derive(Clone, Debug)]
pub struct ScenarioEstimate {
    /// Scenario name.
    pub name: String,
    /// Its runs.
    pub runs: usize,
    /// Its batches.
    pub batches: usize,
    /// Firms per run.
    pub firms: usize,
    /// Years per run.
    pub years: usize,
    /// Output per run, bytes.
    pub bytes_per_run: f64,
}

impl ScenarioEstimate {
    /// Firm-years of all its runs.
    pub fn firm_years(&self) -> f64 {
        (self.firms * self.years * self.runs) as f64
    }
}

/// Per scenario of `exp`, from the first run of each.
pub fn per_scenario(
    exp: &RawExperiment,
    plan: &RunPlan,
    sources: &Sources,
) -> Result<Vec<ScenarioEstimate>> {
    let mut out = Vec::new();
    for (i, sc) in exp.scenarios.iter().enumerate() {
        let runs: Vec<_> = plan.runs.iter().filter(|r| r.scenario_index == i).collect();
        let Some(first) = runs.first() else { continue };
        let s = sources.resolve(first)?;
        let firms = s.generated_firms() + s.firms.len();
        out.push(ScenarioEstimate {
            name: sc.name.clone(),
            runs: runs.len(),
            batches: plan
                .batches
                .iter()
                .filter(|b| b.scenario == sc.name)
                .count(),
            firms,
            years: s.years(),
            bytes_per_run: bytes_per_run(&s, firms),
        });
    }
    Ok(out)
}

/// Rough output size of one run, bytes (measured on the default: about 65 bytes per
/// firm-year row, 60 per city-year row, 100 per firm, 150 kB of small tables).
pub fn bytes_per_run(s: &Scenario, firms: usize) -> f64 {
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

/// Estimated wall time of `runs` runs totalling `firm_years` on `cores` cores, seconds.
pub fn wall_seconds(firm_years: f64, runs: usize, cores: usize) -> f64 {
    (firm_years / FIRM_YEARS_PER_CORE_SECOND + runs as f64 * RUN_OVERHEAD_S) / cores.max(1) as f64
}

/// A duration in words: seconds, minutes, hours or days.
pub fn human_duration(secs: f64) -> String {
    match secs {
        s if s < 120.0 => format!("{s:.0} s"),
        s if s < 7200.0 => format!("{:.0} min", s / 60.0),
        s if s < 172_800.0 => format!("{:.1} h", s / 3600.0),
        s => format!("{:.1} days", s / 86_400.0),
    }
}

/// Free space of the file system holding `path` (or its nearest existing ancestor), bytes.
#[cfg(target_os = "linux")]
pub fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let st = rustix::fs::statvfs(existing).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Free space (not known on this system).
#[cfg(not(target_os = "linux"))]
pub fn free_bytes(_: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_free_space() {
        assert_eq!(human_duration(30.0), "30 s");
        assert_eq!(human_duration(600.0), "10 min");
        assert_eq!(human_duration(36_000.0), "10.0 h");
        assert_eq!(human_duration(864_000.0), "10.0 days");
        // 3e5 firm-years on one core: 1 s, plus 0.05 s per run; halved on two cores.
        assert!((wall_seconds(3e5, 2, 1) - 1.1).abs() < 1e-12);
        assert!((wall_seconds(3e5, 2, 2) - 0.55).abs() < 1e-12);
        if cfg!(target_os = "linux") {
            let free = free_bytes(&std::env::temp_dir().join("no/such/dir")).unwrap();
            assert!(free > 0);
        }
    }
}
