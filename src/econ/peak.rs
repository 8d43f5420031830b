//! Emission peaks of a region over a run (MODEL.md 7.23): the year of the highest annual
//! emissions (the first such year on ties), the peak and the last year's emissions. Pure.
//!
//! Units: t CO2 per year.

/// Running peak of one region's annual emissions.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Peak {
    /// Year of the highest emissions so far (None before the first year).
    pub year: Option<i32>,
    /// The highest emissions so far, t CO2 per year.
    pub emissions: f64,
    /// Emissions of the last year added, t CO2 per year.
    pub last: f64,
}

impl Peak {
    /// Adds year `year`'s emissions `e` (t CO2).
    pub fn add(&mut self, year: i32, e: f64) {
        if self.year.is_none() || e > self.emissions {
            self.year = Some(year);
            self.emissions = e;
        }
        self.last = e;
    }

    /// Whether the region has peaked by the end of the run: its highest year is before the
    /// last year added (`last_year`) and its last emissions are below the peak.
    pub fn peaked(&self, last_year: i32) -> bool {
        self.year.is_some_and(|y| y < last_year) && self.last < self.emissions
    }

    /// Whether a target "peak by `by`" is met: the region peaked, in `by` or earlier.
    pub fn met(&self, by: i32, last_year: i32) -> bool {
        self.peaked(last_year) && self.year.is_some_and(|y| y <= by)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_year_is_the_first_highest_year() {
        let mut p = Peak::default();
        for (y, e) in [
            (2020, 5.0),
            (2021, 7.0),
            (2022, 7.0),
            (2023, 6.0),
            (2024, 4.0),
        ] {
            p.add(y, e);
        }
        assert_eq!(p.year, Some(2021));
        assert_eq!(p.emissions, 7.0);
        assert_eq!(p.last, 4.0);
        assert!(p.peaked(2024));
        assert!(p.met(2025, 2024) && p.met(2021, 2024) && !p.met(2020, 2024));
    }

    #[test]
    fn a_region_still_rising_has_not_peaked() {
        let mut p = Peak::default();
        for (y, e) in [(2020, 5.0), (2021, 6.0), (2022, 7.0)] {
            p.add(y, e);
        }
        assert_eq!(p.year, Some(2022));
        assert!(!p.peaked(2022));
        assert!(!p.met(2030, 2022));
        // Flat emissions from the start: the first year is the highest, but nothing fell.
        let mut flat = Peak::default();
        for y in 2020..2025 {
            flat.add(y, 3.0);
        }
        assert_eq!(flat.year, Some(2020));
        assert!(!flat.peaked(2024));
    }
}
