//! Running experiments: the sweep runner (rayon over batches, resume, shards, progress:
//! [`runner`]), the sbatch script of a Slurm job array ([`slurm`]), experiment folders on
//! disk ([`dataset`]) and the comparison of a dataset's scenarios ([`compare`]). What an
//! experiment is (spec, validation, samples, plan) is pure and lives in
//! [`crate::experiment`].

pub mod compare;
pub mod dataset;
pub mod estimate;
pub mod runner;
pub mod slurm;

pub use runner::{SweepOptions, SweepOutcome, sweep};
