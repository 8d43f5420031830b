//! The library's one error type and its mapping to exit codes.
//!
//! * [`Error::Input`]: bad configuration, data file or command-line input; exit code 2.
//!   The message always names the file (or `--set`) and the key path.
//! * [`Error::Io`]: a runtime failure while reading or writing; exit code 1.
//! * [`Error::Bug`]: an internal invariant failed; exit code 1. Please report it.

use std::path::PathBuf;

/// Everything that can go wrong in synergy.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid user input: config, data table, CLI. One or more problems, each naming the
    /// source and the key path.
    #[error("{}", .problems.join("\n"))]
    Input {
        /// Human-readable problems, one per line, e.g.
        /// `configs/x.toml: markets[0].auction_share = 1.4: must be within [0, 1]`.
        problems: Vec<String>,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The Parquet/Arrow writer failed.
    #[error("writing {path}: {message}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What the writer said.
        message: String,
    },
    /// An internal invariant failed: a bug in synergy, never the user's fault.
    #[error("internal error (please report): {0}")]
    Bug(String),
}

impl Error {
    /// The same error with `what: ` before each input problem (other errors unchanged): says
    /// where a problem of a derived input came from.
    pub fn prefixed(self, what: &str) -> Self {
        match self {
            Error::Input { problems } => Error::Input {
                problems: problems
                    .into_iter()
                    .map(|p| format!("{what}: {p}"))
                    .collect(),
            },
            other => other,
        }
    }

    /// One input problem.
    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input {
            problems: vec![msg.into()],
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The process exit code for this error: 2 for input errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } => 2,
            _ => 1,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
