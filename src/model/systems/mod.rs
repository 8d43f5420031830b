//! The systems of one simulated year (MODEL.md section 3), one file per mechanism: most
//! files hold one phase; `administrative` has a Policy-phase and a Market-phase system, and
//! `recycling` and `targets` are steps of the Accounting phase. The record phase lives in
//! [`crate::output::collect::year`]. Each system is a plain function made of named steps;
//! the arithmetic it needs lives in [`crate::market`], [`crate::econ`] and
//! [`crate::model::adoption`].

pub mod accounting;
pub mod administrative;
pub mod allocation;
pub mod capacity;
pub mod compliance;
pub mod diffusion;
pub mod expectations;
pub mod fuel;
pub mod indirect;
pub mod investment;
pub mod macroeconomy;
pub mod market;
pub mod offsets;
pub mod peaks;
pub mod policy;
pub mod power;
pub mod production;
pub mod recycling;
pub mod renewal;
pub mod research;
pub mod targets;
