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

/// Runs one simulated year of `world` and returns the error a system reported (the power
/// dispatch of the year failed), if any.
pub fn run_year(
    world: &mut bevy_ecs::world::World,
    schedule: &mut bevy_ecs::schedule::Schedule,
) -> crate::Result<()> {
    schedule.run(world);
    match world
        .get_resource_mut::<agents::power::PowerState>()
        .and_then(|mut s| s.error.take())
    {
        Some(e) => Err(crate::Error::input(e)),
        None => Ok(()),
    }
}
