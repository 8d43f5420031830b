//! Pure economic formulas (no ECS): forward-looking expectations, inequality indices, finance (capital recovery), learning
//! and diffusion curves, goods-market water-filling, firm profit. The least-cost benchmark reuses the clearing in [`crate::market`].
//! Each function has unit tests next to it.

pub mod compensation;
pub mod expectations;
pub mod finance;
pub mod fuel;
pub mod goods;
pub mod inequality;
pub mod learning;
pub mod location;
pub mod peak;
pub mod profit;
pub mod standard;
pub mod vintage;
