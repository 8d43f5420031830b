//! Integration tests: one binary, one module per theme. They drive the public API and the
//! `synergy` binary, read the Parquet output back and check it against closed forms
//! (MODEL.md section 8), invariants, determinism and the error contract.

mod bad_input;
mod bad_values;
mod calibration;
mod capacity;
mod commit;
mod common;
mod compensation;
mod determinism;
mod expectations;
mod fuzz;
mod golden;
mod groups;
mod history;
mod offsets;
mod output_schema;
mod power;
mod regimes;
mod research;
mod sweep;
mod technology;
mod upstream;
mod validation;
