//! A time path resolved to one value per simulated year (pure; the config's paths resolve
//! into it, and the model and market mechanisms read it by year).

use serde::Serialize;

/// A path resolved to one value per simulated year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// The year of `values[0]`.
    pub first_year: i32,
    /// One value per year.
    pub values: Vec<f64>,
}

impl Series {
    /// The value in `year` (clamped to the resolved range).
    pub fn at(&self, year: i32) -> f64 {
        if self.values.is_empty() {
            return 0.0;
        }
        let i = (year - self.first_year).clamp(0, self.values.len() as i32 - 1);
        self.values[i as usize]
    }
}
