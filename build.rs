//! Build script: records the git commit of the source tree and whether it had uncommitted
//! changes at build time (`SYNERGY_GIT_COMMIT`, `SYNERGY_GIT_DIRTY`), for `--version` and the
//! provenance block of every dataset's `experiment.json` (src/provenance.rs). Outside a git
//! checkout (a source archive) both are "unknown". Reruns when the sources, the configs or
//! the git state change.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    for p in [
        "src",
        "configs",
        "Cargo.toml",
        "Cargo.lock",
        ".git/HEAD",
        ".git/index",
    ] {
        println!("cargo:rerun-if-changed={p}");
    }
    let commit = git(&["rev-parse", "HEAD"]).filter(|c| !c.is_empty());
    let dirty = match &commit {
        None => "unknown".to_string(),
        Some(_) => match git(&["status", "--porcelain", "--untracked-files=no"]) {
            Some(s) => (!s.is_empty()).to_string(),
            None => "unknown".to_string(),
        },
    };
    println!(
        "cargo:rustc-env=SYNERGY_GIT_COMMIT={}",
        commit.unwrap_or_else(|| "unknown".into())
    );
    println!("cargo:rustc-env=SYNERGY_GIT_DIRTY={dirty}");
}
