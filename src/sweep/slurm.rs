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

/// Slurm's time formats: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`, or
/// `UNLIMITED`/`infinite`.
pub fn valid_time(t: &str) -> bool {
    if t == "UNLIMITED" || t == "infinite" {
        return true;
    }
    let num = |p: &str| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit());
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    if days.is_some_and(|d| !num(d)) {
        return false;
    }
    let parts: Vec<&str> = rest.split(':').collect();
    (1..=3).contains(&parts.len()) && parts.iter().all(|p| num(p))
}

/// Slurm's memory format: a whole number with an optional unit `K`, `M`, `G` or `T`.
pub fn valid_mem(m: &str) -> bool {
    let digits = m.trim_end_matches(['K', 'M', 'G', 'T']);
    m.len() - digits.len() <= 1
        && !digits.is_empty()
        && digits.len() <= 12
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A partition list: names of letters, digits, `_`, `-` and `.`, separated by commas.
pub fn valid_partition(p: &str) -> bool {
    !p.is_empty()
        && p.split(',').all(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        })
}

/// Most array tasks a script may ask for.
pub const MAX_TASKS: u32 = 1_000_000;
/// Most CPUs per task.
pub const MAX_CPUS: u32 = 4096;

/// Checks the options; every problem names the flag and what is allowed.
pub fn check_options(o: &SlurmOptions) -> Result<()> {
    let mut problems = Vec::new();
    if !(1..=MAX_TASKS).contains(&o.tasks) {
        problems.push(format!(
            "--tasks {}: must be within [1, {MAX_TASKS}]",
            o.tasks
        ));
    }
    if !(1..=MAX_CPUS).contains(&o.cpus) {
        problems.push(format!("--cpus {}: must be within [1, {MAX_CPUS}]", o.cpus));
    }
    if !valid_time(&o.time) {
        problems.push(format!(
            "--time {:?}: use a Slurm time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED)",
            o.time
        ));
    }
    if !valid_mem(&o.mem) {
        problems.push(format!(
            "--mem {:?}: use a whole number with an optional unit K, M, G or T (e.g. 4G)",
            o.mem
        ));
    }
    if let Some(p) = &o.partition
        && !valid_partition(p)
    {
        problems.push(format!(
            "--partition {p:?}: partition names use letters, digits, _, - and . (a list: comma-separated)"
        ));
    }
    let out = o.out.display().to_string();
    if out.chars().any(|c| c.is_control() || c.is_whitespace()) {
        problems.push(format!(
            "--out {out:?}: the sbatch script names it in an #SBATCH line: use a path without spaces or control characters"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input { problems })
    }
}

/// Validates options, writes the script to `<out>/<experiment>/slurm/<experiment>.sbatch`
/// and returns its path.
pub fn write_script(exp_path: &Path, o: &SlurmOptions) -> Result<PathBuf> {
    check_options(o)?;
    if exp_path.display().to_string().chars().any(char::is_control) {
        return Err(Error::input(format!(
            "{:?}: an experiment path with control characters cannot go into a script",
            exp_path.display().to_string()
        )));
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
    fn slurm_formats_are_checked() {
        for t in [
            "30",
            "30:00",
            "02:00:00",
            "1-00",
            "1-02:00",
            "1-02:00:00",
            "UNLIMITED",
        ] {
            assert!(valid_time(t), "{t}");
        }
        for t in [
            "",
            "2h",
            "01:00:00\nrm -rf /",
            "1-",
            "-1",
            "1:2:3:4",
            "01:00 ",
            "$(id)",
        ] {
            assert!(!valid_time(t), "{t:?}");
        }
        for m in ["4G", "4096", "512M", "1T"] {
            assert!(valid_mem(m), "{m}");
        }
        for m in ["", "G", "4GB", "4G\n", "-1G", "4 G", "1.5G"] {
            assert!(!valid_mem(m), "{m:?}");
        }
        assert!(valid_partition("short,long") && valid_partition("gpu-a100"));
        for p in ["", "a b", "a;b", "a\nb", "a,,b", "$(id)"] {
            assert!(!valid_partition(p), "{p:?}");
        }
    }

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
