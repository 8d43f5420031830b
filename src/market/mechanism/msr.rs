//! Market stability reserve (EU style): the auction volume adjusts to the allowances in
//! circulation.

use super::{AllocationTotals, MarketBook, MarketYear, Mechanism};

/// A market stability reserve. With `TNAC` the total number of allowances in circulation
/// (the covered firms' banks at the end of last year, [`MarketBook::tnac`]), at allocation:
/// * `TNAC > upper_t`: `intake_rate x TNAC` (at most this year's auction volume) is taken
///   out of the auction into the reserve;
/// * `TNAC < lower_t`: `release_t` (at most the reserve's stock) is added to the auction;
/// * then, with `invalidate_above_t`, the stock above it is invalidated (cancelled).
///
/// From `from` on (earlier years: nothing happens). Runs after [`super::Auction`].
#[derive(Clone, Debug)]
pub struct StabilityReserve {
    /// First year the reserve operates.
    pub from: i32,
    /// Upper threshold of TNAC, t CO2.
    pub upper_t: f64,
    /// Lower threshold of TNAC, t CO2.
    pub lower_t: f64,
    /// Share of TNAC taken in when it is above `upper_t`, per year.
    pub intake_rate: f64,
    /// Volume released when TNAC is below `lower_t`, t CO2 per year.
    pub release_t: f64,
    /// Stock above which allowances in the reserve are invalidated, t CO2 (None: never).
    pub invalidate_above_t: Option<f64>,
}

impl Mechanism for StabilityReserve {
    fn name(&self) -> &'static str {
        "stability_reserve"
    }
    fn allocate(&self, y: MarketYear, _: &AllocationTotals, book: &mut MarketBook) {
        book.msr_intake = 0.0;
        book.msr_release = 0.0;
        book.msr_invalidated = 0.0;
        if y.year < self.from {
            return;
        }
        let tnac = book.tnac;
        if tnac > self.upper_t {
            let intake = (self.intake_rate * tnac).min(book.auctioned).max(0.0);
            book.auctioned -= intake;
            book.msr_stock += intake;
            book.msr_intake = intake;
        } else if tnac < self.lower_t {
            let release = self.release_t.min(book.msr_stock).max(0.0);
            book.auctioned += release;
            book.msr_stock -= release;
            book.msr_release = release;
        }
        if let Some(cap) = self.invalidate_above_t
            && book.msr_stock > cap
        {
            book.msr_invalidated = book.msr_stock - cap;
            book.msr_stock = cap;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn totals() -> AllocationTotals {
        AllocationTotals {
            auction_base: 1000.0,
            auction_share: 0.5,
        }
    }

    #[test]
    fn takes_in_above_the_upper_threshold_releases_below_the_lower_and_invalidates() {
        let m = StabilityReserve {
            from: 2020,
            upper_t: 800.0,
            lower_t: 400.0,
            intake_rate: 0.24,
            release_t: 100.0,
            invalidate_above_t: Some(250.0),
        };
        // A bank path 1000, 900, 600, 300, 300 t with 500 t auctioned each year: intake 240
        // and 216 t (stock 456, of which 206 above 250 invalidated), nothing in the band,
        // then 100 t released twice (stock 250 -> 150 -> 50).
        let mut book = MarketBook::default();
        let mut seen = Vec::new();
        for (year, tnac) in [
            (2020, 1000.0),
            (2021, 900.0),
            (2022, 600.0),
            (2023, 300.0),
            (2024, 300.0),
        ] {
            book.auctioned = 500.0;
            book.tnac = tnac;
            m.allocate(super::super::testing::year(year), &totals(), &mut book);
            seen.push((
                book.auctioned,
                book.msr_intake,
                book.msr_release,
                book.msr_invalidated,
                book.msr_stock,
            ));
        }
        let want = [
            (260.0, 240.0, 0.0, 0.0, 240.0),
            (284.0, 216.0, 0.0, 206.0, 250.0),
            (500.0, 0.0, 0.0, 0.0, 250.0),
            (600.0, 0.0, 100.0, 0.0, 150.0),
            (600.0, 0.0, 100.0, 0.0, 50.0),
        ];
        for (got, want) in seen.iter().zip(want) {
            let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
            assert!(
                close(got.0, want.0)
                    && close(got.1, want.1)
                    && close(got.2, want.2)
                    && close(got.3, want.3)
                    && close(got.4, want.4),
                "{got:?} vs {want:?}"
            );
        }
        // Intake never exceeds the auction volume; before `from` nothing happens.
        let mut small = MarketBook {
            auctioned: 100.0,
            tnac: 5000.0,
            ..MarketBook::default()
        };
        m.allocate(year(2025), &totals(), &mut small);
        assert_eq!((small.auctioned, small.msr_intake), (0.0, 100.0));
        let mut early = MarketBook {
            auctioned: 100.0,
            tnac: 5000.0,
            ..MarketBook::default()
        };
        m.allocate(year(2019), &totals(), &mut early);
        assert_eq!(early.auctioned, 100.0);
    }
}
