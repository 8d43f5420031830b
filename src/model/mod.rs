//! The simulation model: the agents ([`agents`]: components and the resources they share),
//! the World of one run ([`world`]), the year's systems ([`systems`], one file per mechanism)
//! and their order ([`schedule`]). Nothing here reads files or writes output; the record
//! phase that turns the World into rows lives in [`crate::output::collect`].

pub mod adoption;
pub mod agents;
pub mod bank_exit;
pub mod queries;
pub mod schedule;
pub mod systems;
#[cfg(test)]
pub mod testing;
pub mod world;
