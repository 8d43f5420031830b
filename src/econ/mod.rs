//! Pure economic formulas (no ECS): inequality indices, finance, least-cost benchmark.
//! Each function has unit tests next to it.

pub mod finance;
pub mod inequality;
pub mod learning;
