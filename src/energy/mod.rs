//! The power system across regions (MODEL.md section 7.22): yearly least-cost
//! dispatch over provinces, time slices, storage and transmission corridors as a linear program
//! ([`dispatch`]), and the corridor data ([`corridors`]). Pure: no ECS, no I/O besides reading
//! the corridor table; the ECS systems that use it are [`crate::model::systems::power`] and
//! [`crate::model::systems::indirect`]. Indirect emissions of purchased electricity are
//! counted at the factors of [`indirect`].

pub mod corridors;
pub mod dispatch;
pub mod indirect;
pub mod provinces;
pub mod summary;
pub mod synthetic;
pub mod thermal;
pub mod year;
