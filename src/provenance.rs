//! Where a dataset comes from, written into its `experiment.json` (never into the
//! deterministic tables): the synergy version, the git commit of the build and whether its
//! tree had uncommitted changes, the full command line, the `--set` overrides and when the
//! dataset was started.

use serde::Serialize;

/// The git commit the binary was built from (`unknown` outside a git checkout).
pub const GIT_COMMIT: &str = env!("SYNERGY_GIT_COMMIT");
/// Whether the tree had uncommitted changes at build time: `true`, `false` or `unknown`.
pub const GIT_DIRTY: &str = env!("SYNERGY_GIT_DIRTY");
/// `--version`: the package version and the commit (with `-dirty` for a modified tree).
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (git ",
    env!("SYNERGY_GIT_COMMIT"),
    ", dirty ",
    env!("SYNERGY_GIT_DIRTY"),
    ")"
);

/// The provenance block of `experiment.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Provenance {
    /// synergy version (Cargo package version).
    pub version: &'static str,
    /// Git commit of the build.
    pub git_commit: &'static str,
    /// Uncommitted changes in the tree at build time (`true`, `false`, `unknown`).
    pub git_dirty: &'static str,
    /// The command line, argument by argument.
    pub command_line: Vec<String>,
    /// The `--set` overrides given on the command line, in order.
    pub overrides: Vec<String>,
    /// When the dataset was started, seconds since 1970-01-01 UTC.
    pub created_unix_seconds: u64,
}

impl Provenance {
    /// The provenance of this process with the given overrides.
    pub fn now(overrides: &[String]) -> Self {
        Provenance {
            version: env!("CARGO_PKG_VERSION"),
            git_commit: GIT_COMMIT,
            git_dirty: GIT_DIRTY,
            command_line: std::env::args().collect(),
            overrides: overrides.to_vec(),
            created_unix_seconds: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}
