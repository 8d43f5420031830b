//! Indirect emissions (MODEL.md section 7.22): the emission factor at which a market counts
//! a covered firm's purchased electricity, from the year's dispatch ([`PowerYear`]) or the
//! market's fixed factor. Pure.
//!
//! Units: t CO2 per MWh.

use super::year::PowerYear;
use crate::config::kinds::Indirect;

/// The factor at which a market with rule `rule` (and fixed factor `fixed`, t CO2 per MWh)
/// counts the electricity of a firm in province `province` of grid region `grid`, given the
/// year's dispatch `year` (None: no dispatch yet, or `[power]` off):
/// * `none`: 0;
/// * `fixed`: `fixed`;
/// * `grid`: the average factor of the grid region's generation;
/// * `province`: the average factor of the province's own generation, or its grid region's
///   when it generates nothing (a province that only imports);
/// * `national`: emissions over generation of all provinces.
///
/// A factor from the dispatch is 0 without a dispatch (the first year of a run: the firm
/// expects no indirect cost before it has seen one) or without any generation in the scope.
pub fn counted_factor(
    rule: Indirect,
    fixed: f64,
    province: usize,
    grid: usize,
    year: Option<&PowerYear>,
) -> f64 {
    let grid_factor = |y: &PowerYear| y.grid_factor.get(grid).copied().flatten();
    match (rule, year) {
        (Indirect::None, _) => 0.0,
        (Indirect::Fixed, _) => fixed,
        (_, None) => 0.0,
        (Indirect::Grid, Some(y)) => grid_factor(y).unwrap_or(0.0),
        (Indirect::Province, Some(y)) => y
            .provinces
            .get(province)
            .and_then(|p| p.summary.average_factor)
            .or_else(|| grid_factor(y))
            .unwrap_or(0.0),
        (Indirect::National, Some(y)) => y.national_factor().unwrap_or(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::energy::year::ProvincePower;

    /// Two provinces of one grid region: A generates 100 MWh emitting 80 t, B generates
    /// nothing; a second grid region's province C generates 300 MWh emitting 60 t.
    fn year() -> PowerYear {
        let p = |generation: f64, emissions: f64| {
            let mut x = ProvincePower::default();
            x.summary.generation = generation;
            x.summary.emissions = emissions;
            x.summary.average_factor = (generation > 0.0).then(|| emissions / generation);
            x
        };
        PowerYear {
            provinces: vec![p(100.0, 80.0), p(0.0, 0.0), p(300.0, 60.0)],
            grid_factor: vec![Some(0.8), Some(0.2)],
            ..Default::default()
        }
    }

    #[test]
    fn factors_by_rule_by_hand() {
        let y = year();
        let f = |rule, province, grid| counted_factor(rule, 0.55, province, grid, Some(&y));
        assert_eq!(f(Indirect::None, 0, 0), 0.0);
        assert_eq!(f(Indirect::Fixed, 0, 0), 0.55);
        assert_eq!(f(Indirect::Grid, 1, 0), 0.8);
        assert_eq!(f(Indirect::Grid, 2, 1), 0.2);
        assert_eq!(f(Indirect::Province, 0, 0), 0.8);
        // B generates nothing: its grid region's factor.
        assert_eq!(f(Indirect::Province, 1, 0), 0.8);
        assert_eq!(f(Indirect::Province, 2, 1), 0.2);
        // (80 + 60) / (100 + 300) = 0.35.
        assert!((f(Indirect::National, 1, 0) - 0.35).abs() < 1e-12);
    }

    #[test]
    fn without_a_dispatch_only_the_fixed_factor_counts() {
        for rule in [Indirect::Grid, Indirect::Province, Indirect::National] {
            assert_eq!(counted_factor(rule, 0.55, 0, 0, None), 0.0);
        }
        assert_eq!(counted_factor(Indirect::Fixed, 0.55, 0, 0, None), 0.55);
    }
}
