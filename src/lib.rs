//! # synergy
//!
//! An agent-based simulator of firms and cities in China's carbon markets. Firms, cities and
//! market regulators are bevy_ecs entities; each simulated year runs a chained schedule of
//! phases (policy, macro, expectations, production, allocation, bidding and clearing,
//! compliance, accounting, record); run histories are written to a Hive-partitioned Parquet
//! dataset.
//!
//! ```no_run
//! use std::sync::Arc;
//! let scenario = Arc::new(synergy::config::load_embedded_default(&[]).unwrap());
//! let spec = synergy::run::RunSpec {
//!     run_id: 0,
//!     experiment: "example".into(),
//!     replicate: 0,
//!     seed: scenario.seed(),
//!     parameters: "{}".into(),
//!     baseline: None,
//! };
//! let dir = std::path::Path::new("output/example");
//! let report = synergy::run::run_to_dataset(scenario, &spec, dir, 0, &|_| {}).unwrap();
//! println!("{} firms over {} years", report.firms, report.years);
//! ```
//!
//! Modules: [`config`] (scenario files, resolved into a `Scenario`), [`geography`],
//! [`model`] (agents, the World of a run, the systems of a year and their schedule),
//! [`market`] (pure clearing), [`econ`] (pure formulas), [`rng`] (keyed draws), [`output`]
//! (tables, the table registry, row builders, Parquet writer), [`run`] (one run to
//! Parquet), [`experiment`] (experiment files and plans, pure), [`sweep`] (parallel and
//! sharded runs, Slurm, datasets, compare), [`cli`] (one module per subcommand).

pub mod calibrate;
pub mod cli;
pub mod config;
pub mod econ;
pub mod energy;
pub mod error;
pub mod experiment;
pub mod foresight;
pub mod geography;
pub mod history;
pub mod input;
pub mod market;
pub mod model;
pub mod output;
pub mod provenance;
pub mod rng;
pub mod run;
pub mod series;
pub mod sweep;

pub use error::{Error, Result};
