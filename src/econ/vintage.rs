//! Capacity renewal of a sector whose plants are not modelled one by one (MODEL.md 7.28):
//! each year a firm's capacity grows with its sector's demand index and a share of last
//! year's capacity is retired and rebuilt; the new capacity has the energy intensity of
//! the year's new plants, so the firm's build intensity is a capacity-weighted mean of its
//! vintages. Pure arithmetic; the system is `model::systems::renewal`.

/// Share of this year's capacity that is new: `1 - (1 - r) / g`, clamped to `[0, 1]`, where
/// `g = K_t / K_{t-1}` is the growth factor of capacity (the demand index ratio) and `r` the
/// share of last year's capacity retired this year. When capacity shrinks faster than it
/// retires (`g < 1 - r`) nothing is built (0).
pub fn new_share(growth: f64, retirement: f64) -> f64 {
    if growth.is_nan() || growth <= 0.0 {
        return 0.0;
    }
    (1.0 - (1.0 - retirement.clamp(0.0, 1.0)) / growth).clamp(0.0, 1.0)
}

/// The capacity-weighted build intensity after renewal: `(1 - n) old + n new`, with `n` the
/// [`new_share`] of this year's capacity and `new` the new plants' intensity (same units as
/// `old`, e.g. tce per unit of output).
pub fn renewed(old: f64, new: f64, share: f64) -> f64 {
    (1.0 - share) * old + share * new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_alone_adds_its_increment() {
        // Capacity 100 -> 125: 25 of 125 is new.
        assert!((new_share(1.25, 0.0) - 0.2).abs() < 1e-12);
        assert_eq!(new_share(1.0, 0.0), 0.0);
    }

    #[test]
    fn retirements_are_rebuilt() {
        // Constant capacity, 5 % retired: 5 % rebuilt.
        assert!((new_share(1.0, 0.05) - 0.05).abs() < 1e-12);
        // 100 -> 110 with 10 retired: 90 survive, 20 of 110 are new.
        assert!((new_share(1.1, 0.1) - 20.0 / 110.0).abs() < 1e-12);
    }

    #[test]
    fn shrinking_capacity_builds_nothing() {
        assert_eq!(new_share(0.9, 0.05), 0.0);
        assert_eq!(new_share(0.0, 0.05), 0.0);
        assert_eq!(new_share(f64::NAN, 0.05), 0.0);
        // A full retirement rebuilds everything.
        assert_eq!(new_share(1.0, 1.0), 1.0);
    }

    #[test]
    fn the_blend_is_capacity_weighted() {
        // 80 units at 0.37 and 20 new at 0.29 tce/MWh: 0.354.
        assert!((renewed(0.37, 0.29, 0.2) - 0.354).abs() < 1e-12);
        assert_eq!(renewed(0.37, 0.29, 0.0), 0.37);
    }
}
