//! The power system across regions (MODEL.md section 7.22, in progress): yearly least-cost
//! dispatch over provinces, time slices, storage and transmission corridors as a linear program
//! ([`dispatch`]), and the corridor data ([`corridors`]). Pure: no ECS, no I/O besides reading
//! the corridor table. Not yet wired into the yearly schedule.

pub mod corridors;
pub mod dispatch;
pub mod provinces;
pub mod summary;
pub mod synthetic;
pub mod thermal;
pub mod year;
