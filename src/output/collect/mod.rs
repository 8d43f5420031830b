//! Row builders, one file per moment a row is made: the category dictionaries
//! ([`dicts`]), the rows made once right after the World is built ([`statics`]: `firms`,
//! `cities`), the record phase's systems that append each year's rows ([`year`]) and the
//! rows made once at the end of a run ([`per_run`]: `summary`, `runs`, `milestones`).

pub mod dicts;
pub mod per_run;
pub mod power;
pub mod statics;
pub mod year;

pub use dicts::dicts;
