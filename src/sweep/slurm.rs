//! `synergy slurm`: writes an sbatch script for a Slurm job array whose task i runs
//! `synergy sweep EXP --shard i/N`. Slurm schedules; synergy only shards. Every task writes
//! its own batches (atomically) into the same dataset; rerunning a failed task alone
//! (`sbatch --array=<i> script`) completes the dataset, and the merged dataset is identical
//! to an unsharded sweep.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Options of `synergy slurm`.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// Number of array tasks (shards), >= 1.
    pub tasks: u32,
    /// Partition (`#SBATCH --partition`), if any.
    pub partition: Option<String>,
    /// Time limit per task, e.g. `02:00:00`.
    pub time: String,
    /// Memory per task, e.g. `4G`.
    pub mem: String,
    /// CPUs per task (the sweep's `--jobs`).
    pub cpus: u32,
    /// Output folder of the sweep.
    pub out: PathBuf,
}

fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Ok(cwd.join(p))
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The sbatch script text.
pub fn script(
    experiment: &str,
    exp_path: &Path,
    binary: &Path,
    o: &SlurmOptions,
) -> Result<String> {
    let exp = absolute(exp_path)?;
    let out = absolute(&o.out)?;
    let logs = out.join(experiment).join("slurm");
    let mut s = String::from("#!/bin/bash\n");
    s.push_str(&format!("#SBATCH --job-name=synergy-{experiment}\n"));
    s.push_str(&format!("#SBATCH --array=0-{}\n", o.tasks - 1));
    s.push_str(&format!("#SBATCH --cpus-per-task={}\n", o.cpus));
    s.push_str(&format!("#SBATCH --time={}\n", o.time));
    s.push_str(&format!("#SBATCH --mem={}\n", o.mem));
    if let Some(p) = &o.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    s.push_str(&format!(
        "#SBATCH --output={}/slurm-%A_%a.out\n",
        logs.display()
    ));
    s.push_str(&format!(
        "# Written by synergy {} for experiment {experiment}: task i runs shard i/{}.\n",
        env!("CARGO_PKG_VERSION"),
        o.tasks
    ));
    s.push_str("# Rerun failed tasks alone with: sbatch --array=<i>[,<j>...] <this script>\n");
    s.push_str("set -euo pipefail\n");
    s.push_str(&format!(
        "exec {} sweep {} --out {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{}\" --jobs \"${{SLURM_CPUS_PER_TASK:-{}}}\" --quiet\n",
        quote(&binary.display().to_string()),
        quote(&exp.display().to_string()),
        quote(&out.display().to_string()),
        o.tasks,
        o.cpus
    ));
    Ok(s)
}

/// Validates options, writes the script to `<out>/<experiment>/slurm/<experiment>.sbatch`
/// and returns its path.
pub fn write_script(exp_path: &Path, o: &SlurmOptions) -> Result<PathBuf> {
    if o.tasks == 0 {
        return Err(Error::input("--tasks 0: need at least one task"));
    }
    if o.cpus == 0 {
        return Err(Error::input("--cpus 0: need at least one CPU per task"));
    }
    let exp = crate::experiment::load_experiment(exp_path)?;
    let name = exp.experiment.name.clone();
    let binary = std::env::current_exe().map_err(|e| Error::io("synergy binary", e))?;
    let text = script(&name, exp_path, &binary, o)?;
    let dir = crate::sweep::dataset::prepare(&o.out, &name)?.join("slurm");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let path = dir.join(format!("{name}.sbatch"));
    crate::sweep::dataset::write_atomic(&path, &text)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_has_array_and_shard() {
        let o = SlurmOptions {
            tasks: 3,
            partition: Some("short".into()),
            time: "01:00:00".into(),
            mem: "2G".into(),
            cpus: 2,
            out: PathBuf::from("/data/out"),
        };
        let s = script(
            "regimes",
            Path::new("/x/regimes.toml"),
            Path::new("/bin/synergy"),
            &o,
        )
        .unwrap();
        assert!(s.contains("#SBATCH --array=0-2\n"));
        assert!(s.contains("#SBATCH --partition=short\n"));
        assert!(s.contains("--shard \"${SLURM_ARRAY_TASK_ID}/3\""));
        assert!(s.contains("'/bin/synergy' sweep '/x/regimes.toml' --out '/data/out'"));
        assert!(s.contains("#SBATCH --output=/data/out/regimes/slurm/slurm-%A_%a.out"));
    }
}
