//! `synergy sweep`, `slurm` and `compare`: experiments on one machine or a cluster, and the
//! comparison of a dataset's scenarios.

use crate::error::Result;
use crate::sweep::slurm::SlurmOptions;
use std::path::{Path, PathBuf};

/// Runs the experiment file `experiment` (or shard `shard`, `I/N`) into `<out>/<name>/`.
pub fn sweep(
    experiment: &Path,
    out: PathBuf,
    jobs: Option<usize>,
    shard: Option<&str>,
    quiet: bool,
    allow_large: bool,
) -> Result<()> {
    let shard = shard.map(crate::experiment::parse_shard).transpose()?;
    let opts = crate::sweep::SweepOptions {
        out,
        jobs,
        shard,
        quiet,
        allow_large,
    };
    let o = crate::sweep::sweep(experiment, &opts)?;
    if !quiet {
        say!(
            "{} runs simulated in {:.1} s ({} of {} batches of this shard were already complete; plan: {} runs)",
            o.runs_done,
            o.seconds,
            o.skipped_batches,
            o.shard_batches,
            o.plan_runs
        );
        let rows = crate::sweep::compare::read::read_runs(&o.dataset)?;
        let c = crate::sweep::compare::compare(&rows, &Default::default())?;
        say_raw!("{}", crate::sweep::compare::render::table(&c));
        say!("Dataset: {}", o.dataset.display());
    }
    Ok(())
}

/// Writes the sbatch script of a job array for `experiment`.
pub fn slurm(experiment: &Path, o: SlurmOptions) -> Result<()> {
    let path = crate::sweep::slurm::write_script(experiment, &o)?;
    say!("Submit with: sbatch {}", path.display());
    say!("{}", path.display());
    Ok(())
}

/// Prints the comparison of the dataset (or output folder) `dir`.
pub fn compare(
    dir: &Path,
    opts: &crate::sweep::compare::CompareOptions,
    format: &str,
) -> Result<()> {
    let format = crate::sweep::compare::render::Format::parse(format)?;
    let rows = crate::sweep::compare::read::read_runs(dir)?;
    let c = crate::sweep::compare::compare(&rows, opts)?;
    say_raw!("{}", crate::sweep::compare::render::render(&c, format)?);
    Ok(())
}
