//! Running an experiment: resolve every planned run, prepare the dataset folder, run the
//! batches of this shard that are not complete yet in parallel (rayon, one World per run),
//! and report progress. A batch is one part file per table; it is complete when its `runs`
//! file exists, so rerunning the same command resumes, and a killed sweep leaves only hidden
//! temporary files that readers ignore (they are overwritten on the next attempt).

use crate::config::{DEFAULT_TOML, Edit, Scenario, parse_scenario_edited};
use crate::error::{Error, Result};
use crate::experiment::plan::{PlannedRun, RunPlan, shard_batches};
use crate::experiment::spec::{EMBEDDED_BASE, RawExperiment};
use crate::output::commit;
use crate::output::writer::part_path;
use crate::run::{Baseline, PartWriter, RunSpec, simulate};
use crate::sweep::estimate;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Options of `synergy sweep`.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// Output folder; the dataset goes to `<out>/<experiment name>`.
    pub out: PathBuf,
    /// Worker threads (default: all cores).
    pub jobs: Option<usize>,
    /// `(i, n)`: run only the batches of shard i of n.
    pub shard: Option<(u32, u32)>,
    /// No progress output.
    pub quiet: bool,
    /// Go ahead with an estimated output above [`estimate::LARGE_OUTPUT_BYTES`].
    pub allow_large: bool,
}

/// What a sweep did.
#[derive(Clone, Debug)]
pub struct SweepOutcome {
    /// The dataset folder.
    pub dataset: PathBuf,
    /// Runs in the whole plan.
    pub plan_runs: usize,
    /// Batches of this shard.
    pub shard_batches: usize,
    /// Batches skipped because they were complete.
    pub skipped_batches: usize,
    /// Runs simulated now.
    pub runs_done: usize,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Where each run's scenario text comes from.
pub struct Sources {
    /// (text, label, folder) of the base scenario and of each experiment scenario's file.
    texts: Vec<(String, String, PathBuf)>,
    /// Index into `texts` per experiment scenario.
    scenario_source: Vec<usize>,
    /// Output overrides applied to every run.
    output: Vec<String>,
}

fn read(path: &Path, label: &str) -> Result<(String, String, PathBuf)> {
    let text = crate::input::read_text(path)
        .map_err(|e| Error::input(format!("{label}: cannot read {}: {e}", path.display())))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    Ok((text, path.display().to_string(), dir))
}

impl Sources {
    /// Reads the base and scenario files of `exp` (paths relative to `exp_dir`).
    pub fn new(exp: &RawExperiment, exp_path: &Path) -> Result<Self> {
        let exp_dir = exp_path.parent().unwrap_or(Path::new("."));
        let label = exp_path.display().to_string();
        let base = if exp.experiment.base == EMBEDDED_BASE {
            (
                DEFAULT_TOML.to_string(),
                "embedded default (configs/default.toml)".to_string(),
                PathBuf::from("."),
            )
        } else {
            read(
                &exp_dir.join(&exp.experiment.base),
                &format!("{label}: experiment.base"),
            )?
        };
        let mut texts = vec![base];
        let mut scenario_source = Vec::new();
        for (i, sc) in exp.scenarios.iter().enumerate() {
            match &sc.file {
                Some(f) => {
                    texts.push(read(
                        &exp_dir.join(f),
                        &format!("{label}: scenarios[{i}].file"),
                    )?);
                    scenario_source.push(texts.len() - 1);
                }
                None => scenario_source.push(0),
            }
        }
        Ok(Sources {
            texts,
            scenario_source,
            output: exp.output_overrides(),
        })
    }

    /// The resolved scenario of one planned run (named after the experiment's scenario).
    pub fn resolve(&self, run: &PlannedRun) -> Result<Scenario> {
        self.resolve_edited(run, None)
            .map_err(|e| e.prefixed(&format!("run {} (scenario {})", run.run_id, run.scenario)))
    }

    /// The paired no-policy baseline scenario of one planned run: its scenario with no carbon
    /// policy after `until` ([`crate::config::transform::baseline`]).
    pub fn resolve_baseline(&self, run: &PlannedRun, until: i32) -> Result<Scenario> {
        let edit = move |d: &mut toml::Table| crate::config::transform::baseline(d, until);
        self.resolve_edited(run, Some(&edit)).map_err(|e| {
            e.prefixed(&format!(
                "run {} (scenario {}): experiment.baseline_until",
                run.run_id, run.scenario
            ))
        })
    }

    /// One planned run's scenario with `edit` applied to its merged document.
    fn resolve_edited(&self, run: &PlannedRun, edit: Option<Edit<'_>>) -> Result<Scenario> {
        let (text, label, dir) = &self.texts[self.scenario_source[run.scenario_index]];
        let mut set = self.output.clone();
        set.extend(run.overrides.iter().cloned());
        set.push(format!("scenario.name=\"{}\"", run.scenario));
        parse_scenario_edited(text, label, dir, &set, edit)
    }
}

/// Paired baselines already run, by (baseline scenario without its name, world seed): the
/// scenarios of one replicate often share their baseline. A value is a pure function of its
/// key, so results do not depend on which thread computes it first.
#[derive(Default)]
pub struct BaselineCache(Mutex<HashMap<(String, u64), Baseline>>);

impl BaselineCache {
    /// The baseline of `scenario` (already edited) with `seed`, run once per key.
    pub fn get(&self, scenario: Scenario, until: i32, seed: u64) -> Result<Baseline> {
        let mut raw = scenario.raw().clone();
        raw.scenario.name.clear();
        raw.scenario.description.clear();
        raw.scenario.stringency.clear();
        raw.scenario.stringency_bounds = None;
        let key = (
            serde_json::to_string(&raw).map_err(|e| Error::Bug(e.to_string()))?,
            seed,
        );
        if let Some(b) = self.0.lock().ok().and_then(|m| m.get(&key).copied()) {
            return Ok(b);
        }
        let b = crate::calibrate::eval::paired_baseline(Arc::new(scenario), until, seed)?;
        if let Ok(mut m) = self.0.lock() {
            m.insert(key, b);
        }
        Ok(b)
    }
}

/// The content of each experiment scenario: (scenario name, file label, SHA-256 of its
/// resolved scenario, data tables included, of its first planned run, without the labels
/// that name where the files were read from). Editing a scenario file, a file it starts from
/// (`base`) or a data table it reads changes its hash.
pub fn scenario_hashes(
    exp: &RawExperiment,
    sources: &Sources,
    plan: &RunPlan,
) -> Result<Vec<(String, String, String)>> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::new();
    for (k, sc) in exp.scenarios.iter().enumerate() {
        let Some(run) = plan.runs.iter().find(|r| r.scenario_index == k) else {
            continue;
        };
        let scenario = sources.resolve(run)?;
        let mut v = serde_json::to_value(&scenario).map_err(|e| Error::Bug(e.to_string()))?;
        if let Some(m) = v.as_object_mut() {
            m.remove("source");
            m.remove("provinces_source");
        }
        let text = serde_json::to_string(&v).map_err(|e| Error::Bug(e.to_string()))?;
        let hash = Sha256::digest(text.as_bytes());
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let label = sources.texts[sources.scenario_source[k]].1.clone();
        out.push((sc.name.clone(), label, hex));
    }
    Ok(out)
}

/// A fingerprint of the plan (FNV-1a over runs, batches and the scenarios' content hashes):
/// an output folder may only be resumed by the same plan on the same scenarios.
pub fn fingerprint(
    exp: &RawExperiment,
    plan: &RunPlan,
    hashes: &[(String, String, String)],
) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    eat(&exp.experiment.name);
    eat(env!("CARGO_PKG_VERSION"));
    for o in exp.output_overrides() {
        eat(&o);
    }
    if let Some(y) = exp.experiment.baseline_until {
        eat(&format!("baseline_until={y}"));
    }
    for r in &plan.runs {
        eat(&format!(
            "{}|{}|{}|{}",
            r.run_id,
            r.scenario,
            r.seed,
            r.overrides.join(";")
        ));
    }
    for b in &plan.batches {
        eat(&format!("{}|{}|{:?}", b.index, b.scenario, b.runs));
    }
    for (name, _, hash) in hashes {
        eat(&format!("{name}|{hash}"));
    }
    format!("{h:016x}")
}

/// Checks every planned run's scenario (in parallel); all problems at once.
pub fn check_runs(sources: &Sources, plan: &RunPlan, baseline_until: Option<i32>) -> Result<()> {
    let mut problems: Vec<String> = plan
        .runs
        .par_iter()
        .filter_map(|r| {
            let checked = sources.resolve(r).and_then(|_| match baseline_until {
                Some(y) => sources.resolve_baseline(r, y).map(|_| ()),
                None => Ok(()),
            });
            match checked {
                Err(Error::Input { problems }) => Some(problems),
                Err(e) => Some(vec![e.to_string()]),
                Ok(()) => None,
            }
        })
        .flatten()
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    let n = problems.len();
    problems.truncate(20);
    if n > 20 {
        problems.push(format!("... and {} more problems", n - 20));
    }
    Err(Error::Input { problems })
}

/// Prepares `<out>/<experiment>`: refuses a folder that holds another experiment, and writes
/// `experiment.json` (atomically) when it is new.
pub fn prepare_dataset(
    out: &Path,
    exp: &RawExperiment,
    plan: &RunPlan,
    fp: &str,
    hashes: &[(String, String, String)],
) -> Result<PathBuf> {
    let dataset = out.join(&exp.experiment.name);
    let meta_path = dataset.join("experiment.json");
    if let Ok(text) = std::fs::read_to_string(&meta_path) {
        let old: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if old.get("fingerprint").and_then(|v| v.as_str()) != Some(fp) {
            let changed = changed_scenarios(&old, hashes);
            if !changed.is_empty() {
                return Err(Error::input(format!(
                    "--out {}: {} was started from other scenario content: {} changed since; resuming would mix runs of the old and the new version in one dataset. Restore the file(s), or choose another --out (or remove the dataset) to start afresh",
                    out.display(),
                    dataset.display(),
                    changed.join(", ")
                )));
            }
            return Err(Error::input(format!(
                "--out {}: {} holds a different experiment (its experiment.json does not match this plan); choose another --out or remove it",
                out.display(),
                dataset.display()
            )));
        }
        return Ok(dataset);
    }
    // Hidden files (write probes, temporaries) and the Slurm folder do not count.
    let occupied = std::fs::read_dir(&dataset).is_ok_and(|d| {
        d.flatten().any(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            !n.starts_with('.') && n != "slurm"
        })
    });
    // Another shard may have written experiment.json meanwhile: look again before refusing.
    if occupied
        && std::fs::read_to_string(&meta_path).ok().is_some_and(|t| {
            serde_json::from_str::<serde_json::Value>(&t)
                .ok()
                .and_then(|v| {
                    v.get("fingerprint")
                        .and_then(|f| f.as_str().map(str::to_string))
                })
                .as_deref()
                == Some(fp)
        })
    {
        return Ok(dataset);
    }
    if occupied {
        return Err(Error::input(format!(
            "--out {}: {} is not empty and holds no experiment.json; choose another --out",
            out.display(),
            dataset.display()
        )));
    }
    let dataset = crate::sweep::dataset::prepare(out, &exp.experiment.name)?;
    let scenarios: Vec<&str> = exp.scenarios.iter().map(|s| s.name.as_str()).collect();
    let meta = serde_json::json!({
        "experiment": exp.experiment.name,
        "version": env!("CARGO_PKG_VERSION"),
        "fingerprint": fp,
        "runs": plan.runs.len(),
        "batches": plan.batches.len(),
        "scenarios": scenarios,
        "scenario_hashes": hashes
            .iter()
            .map(|(name, file, hash)| {
                (
                    name.clone(),
                    serde_json::json!({ "file": file, "sha256": hash }),
                )
            })
            .collect::<serde_json::Map<String, serde_json::Value>>(),
        "provenance": crate::provenance::Provenance::now(&[]),
        "definition": exp,
    });
    let text = serde_json::to_string_pretty(&meta).map_err(|e| Error::Bug(e.to_string()))?;
    crate::sweep::dataset::write_atomic(&meta_path, &text)?;
    Ok(dataset)
}

/// The scenarios whose content hash in an existing `experiment.json` differs from `hashes`,
/// as `"name" (file)` (a scenario new to the plan counts as changed).
fn changed_scenarios(old: &serde_json::Value, hashes: &[(String, String, String)]) -> Vec<String> {
    let Some(stored) = old.get("scenario_hashes").and_then(|v| v.as_object()) else {
        return Vec::new();
    };
    hashes
        .iter()
        .filter(|(name, _, hash)| {
            stored
                .get(name)
                .and_then(|s| s.get("sha256"))
                .and_then(|h| h.as_str())
                != Some(hash.as_str())
        })
        .map(|(name, file, _)| format!("scenario {name:?} ({file})"))
        .collect()
}

/// Refuses (exit 2) a sweep whose remaining batches would need more space than the disk has,
/// or more than [`estimate::LARGE_OUTPUT_BYTES`] without `allow_large`.
fn check_size(
    exp: &RawExperiment,
    plan: &RunPlan,
    sources: &Sources,
    dataset: &Path,
    opts: &SweepOptions,
) -> Result<()> {
    let (i, n) = opts.shard.unwrap_or((0, 1));
    let per = estimate::per_scenario(exp, plan, sources)?;
    let bytes: f64 = shard_batches(plan, i, n)
        .into_iter()
        .filter(|&b| !batch_complete(dataset, plan, b))
        .map(|b| {
            let batch = &plan.batches[b];
            per.iter()
                .find(|e| e.name == batch.scenario)
                .map_or(0.0, |e| e.bytes_per_run * batch.runs.len() as f64)
        })
        .sum();
    if bytes > estimate::LARGE_OUTPUT_BYTES && !opts.allow_large {
        return Err(Error::input(format!(
            "the sweep would write about {:.0} GB (more than {:.0} GB): pass --allow-large to go ahead, or thin firm output (output.firm_level, firm_every_years)",
            bytes / 1e9,
            estimate::LARGE_OUTPUT_BYTES / 1e9
        )));
    }
    // `SYNERGY_SKIP_SPACE_CHECK=1` (tests of full disks) skips the free-space check.
    let skip = std::env::var("SYNERGY_SKIP_SPACE_CHECK").is_ok_and(|v| v == "1");
    if !skip
        && let Some(free) = estimate::free_bytes(dataset)
        && bytes * 1.1 > free as f64
    {
        return Err(Error::input(format!(
            "--out {}: the sweep needs about {:.2} GB and {:.2} GB are free there: free space or write elsewhere",
            opts.out.display(),
            bytes / 1e9,
            free as f64 / 1e9
        )));
    }
    Ok(())
}

/// One error for every failed batch: bad input if all failed on input, else a write failure
/// (exit 1); each line names the batch.
fn batch_failures(plan: &RunPlan, dataset: &Path, mut failed: Vec<(usize, Error)>) -> Error {
    if failed.len() == 1 {
        return failed.remove(0).1;
    }
    let all_input = failed.iter().all(|(_, e)| matches!(e, Error::Input { .. }));
    let lines: Vec<String> = failed
        .iter()
        .map(|(b, e)| {
            let batch = &plan.batches[*b];
            format!("{}/part-{}: {e}", batch.scenario, batch.index)
        })
        .collect();
    if all_input {
        Error::Input { problems: lines }
    } else {
        Error::Write {
            path: dataset.to_path_buf(),
            message: format!("{} batches failed:\n{}", lines.len(), lines.join("\n")),
        }
    }
}

/// Whether batch `b` is complete in `dataset`.
pub fn batch_complete(dataset: &Path, plan: &RunPlan, b: usize) -> bool {
    let batch = &plan.batches[b];
    part_path(
        dataset,
        crate::output::COMPLETION_TABLE,
        &batch.scenario,
        batch.index,
    )
    .exists()
}

/// Runs an experiment file with the given options.
pub fn sweep(exp_path: &Path, opts: &SweepOptions) -> Result<SweepOutcome> {
    let t0 = Instant::now();
    let (exp, _samples, plan) = crate::experiment::load_and_plan(exp_path)?;
    let sources = Sources::new(&exp, exp_path)?;
    check_runs(&sources, &plan, exp.experiment.baseline_until)?;
    let hashes = scenario_hashes(&exp, &sources, &plan)?;
    let fp = fingerprint(&exp, &plan, &hashes);
    let (i, n) = opts.shard.unwrap_or((0, 1));
    let name = &exp.experiment.name;
    std::fs::create_dir_all(&opts.out).map_err(|e| {
        Error::input(format!(
            "--out {}: cannot write the output folder: {e}",
            opts.out.display()
        ))
    })?;
    // Shards of one sweep share the dataset; `synergy run` into it, or the same shard twice,
    // is refused.
    let what = format!("dataset {}", opts.out.join(name).display());
    let _shared = commit::lock(&opts.out.join(format!(".{name}.lock")), false, &what)?;
    let dataset = prepare_dataset(&opts.out, &exp, &plan, &fp, &hashes)?;
    let _shard = commit::lock(
        &dataset.join(format!(".shard-{i}-of-{n}.lock")),
        true,
        &format!("shard {i}/{n} of {what}"),
    )?;
    commit::recover(&dataset)?;
    check_size(&exp, &plan, &sources, &dataset, opts)?;
    let mine = shard_batches(&plan, i, n);
    let todo: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|&b| !batch_complete(&dataset, &plan, b))
        .collect();
    let runs_todo: usize = todo.iter().map(|&b| plan.batches[b].runs.len()).sum();
    let bar = progress(opts.quiet, runs_todo as u64);
    let plain = !opts.quiet && !std::io::stderr().is_terminal();
    let done_runs = AtomicUsize::new(0);
    let done_batches = AtomicUsize::new(0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = match opts.jobs {
        Some(j) if j > cores => {
            if !opts.quiet {
                eprintln!(
                    "warning: --jobs {j} is more than the {cores} cores available: using {cores}"
                );
            }
            cores
        }
        Some(j) => j,
        None => cores,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| Error::Bug(e.to_string()))?;
    let baselines = BaselineCache::default();
    let results: Vec<Result<()>> = pool.install(|| {
        todo.par_iter()
            .map(|&b| {
                let baseline = exp.experiment.baseline_until.map(|y| (y, &baselines));
                run_batch(&sources, &plan, b, &dataset, &exp.experiment.name, baseline, &|| {
                    bar.inc(1);
                    done_runs.fetch_add(1, Ordering::Relaxed);
                })?;
                let k = done_batches.fetch_add(1, Ordering::Relaxed) + 1;
                if plain {
                    let r = done_runs.load(Ordering::Relaxed);
                    let secs = t0.elapsed().as_secs_f64();
                    let rate = r as f64 / secs.max(1e-9);
                    let eta = (runs_todo - r) as f64 / rate.max(1e-9);
                    eprintln!(
                        "[{k}/{} batches, {r}/{runs_todo} runs] {}/part-{} done; {rate:.2} runs/s, ETA {eta:.0} s",
                        todo.len(),
                        plan.batches[b].scenario,
                        plan.batches[b].index
                    );
                }
                Ok(())
            })
            .collect()
    });
    bar.finish_and_clear();
    let failed: Vec<(usize, Error)> = todo
        .iter()
        .zip(results)
        .filter_map(|(&b, r)| r.err().map(|e| (b, e)))
        .collect();
    if !failed.is_empty() {
        return Err(batch_failures(&plan, &dataset, failed));
    }
    Ok(SweepOutcome {
        dataset,
        plan_runs: plan.runs.len(),
        shard_batches: mine.len(),
        skipped_batches: mine.len() - todo.len(),
        runs_done: done_runs.load(Ordering::Relaxed),
        seconds: t0.elapsed().as_secs_f64(),
    })
}

fn progress(quiet: bool, runs: u64) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(runs);
    b.set_style(
        ProgressStyle::with_template(
            "[{bar:30}] {pos}/{len} runs  {per_sec}  elapsed {elapsed}  ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b
}

/// Simulates the runs of batch `b` into one part.
fn run_batch(
    sources: &Sources,
    plan: &RunPlan,
    b: usize,
    dataset: &Path,
    experiment: &str,
    baseline: Option<(i32, &BaselineCache)>,
    on_run: &(dyn Fn() + Sync),
) -> Result<()> {
    let batch = &plan.batches[b];
    let mut writer: Option<PartWriter> = None;
    for r in batch.runs.clone() {
        let run = &plan.runs[r];
        let scenario = Arc::new(sources.resolve(run)?);
        if writer.is_none() {
            writer = Some(PartWriter::create(dataset, &scenario, batch.index)?);
        }
        let spec = RunSpec {
            run_id: run.run_id,
            experiment: experiment.to_string(),
            replicate: run.replicate,
            seed: run.seed,
            parameters: run.parameters_json.clone(),
            baseline: match baseline {
                None => None,
                Some((until, cache)) => {
                    Some(cache.get(sources.resolve_baseline(run, until)?, until, run.seed)?)
                }
            },
        };
        if let Some(w) = writer.as_mut() {
            simulate(scenario, &spec, w, &|_| {})?;
        }
        on_run();
    }
    match writer {
        Some(w) => w.commit(),
        None => Ok(()),
    }
}
