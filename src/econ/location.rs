//! Capacity and location arithmetic of MODEL.md section 7.24 (pure; the ECS system is
//! [`crate::model::systems::capacity`]).
//!
//! Units: capacities and demand in the sector's units per year; costs as shares of the
//! sector's product price per unit of output (the location logit is scale-free, like the goods
//! market's).

/// Capacity to build for year `T`: `max(0, D_T / u - K_T)`, with `D_T` the expected demand of
/// year `T` (units per year), `u` the sector's target utilisation (share) and `K_T` the
/// capacity that will operate in `T` (plants online by then and not retired or exited), units
/// per year.
pub fn capacity_gap(expected_demand: f64, utilisation: f64, capacity_then: f64) -> f64 {
    if utilisation > 0.0 {
        (expected_demand / utilisation - capacity_then).max(0.0)
    } else {
        0.0
    }
}

/// Expected demand of year `T` from this year's demand `d_t` and the sector's demand index:
/// `d_t x index(T) / index(t)` (units per year; `d_t` when the index of `t` is 0).
pub fn expected_demand(demand_now: f64, index_now: f64, index_then: f64) -> f64 {
    if index_now > 0.0 {
        demand_now * index_then / index_now
    } else {
        demand_now
    }
}

/// Location probabilities of a new plant over candidate cities:
/// `P_c ∝ exp(-theta (cost_c - min cost)) x kernel_c`, normalised; `cost_c` is the expected
/// unit cost plus relocation cost from the origin (share of price), `kernel_c` the proximity
/// weight (1 in the origin city). Writes into `out` (cleared); all zero when every weight is 0.
pub fn location_probabilities(cost: &[f64], kernel: &[f64], theta: f64, out: &mut Vec<f64>) {
    out.clear();
    let min = cost
        .iter()
        .zip(kernel)
        .filter(|(c, k)| **k > 0.0 && c.is_finite())
        .map(|(c, _)| *c)
        .fold(f64::INFINITY, f64::min);
    let mut total = 0.0;
    for (c, k) in cost.iter().zip(kernel) {
        let w = if *k > 0.0 && c.is_finite() {
            k * (-theta * (c - min)).exp()
        } else {
            0.0
        };
        total += w;
        out.push(w);
    }
    if total > 0.0 {
        for w in out.iter_mut() {
            *w /= total;
        }
    }
}

/// Index picked by a uniform draw `u` in [0, 1) against probabilities `p` (the last positive
/// one when rounding leaves `u` above the cumulative sum); `None` when all are 0.
pub fn pick(p: &[f64], u: f64) -> Option<usize> {
    let mut edge = 0.0;
    let mut last = None;
    for (i, w) in p.iter().enumerate() {
        if *w > 0.0 {
            edge += w;
            last = Some(i);
            if u < edge {
                return Some(i);
            }
        }
    }
    last
}

/// Relocation cost of building in a city, share of price per unit: 0 in the origin city,
/// `city_cost` elsewhere in the origin's province, `province_cost` in another province.
pub fn relocation_cost(
    same_city: bool,
    same_province: bool,
    city_cost: f64,
    province_cost: f64,
) -> f64 {
    if same_city {
        0.0
    } else if same_province {
        city_cost
    } else {
        province_cost
    }
}

/// Proximity kernel weight: 1 in the origin city, `phi_a` in the origin's agglomeration,
/// `phi_n` elsewhere.
pub fn kernel_weight(same_city: bool, same_agglomeration: bool, phi_a: f64, phi_n: f64) -> f64 {
    if same_city {
        1.0
    } else if same_agglomeration {
        phi_a
    } else {
        phi_n
    }
}

/// Sizes of the plants that close `gap` with plants of `size` (units per year): full plants
/// and a smaller last one; none when the gap or the size is not positive.
pub fn plant_sizes(gap: f64, size: f64) -> Vec<f64> {
    let mut out = Vec::new();
    if gap <= 0.0 || size <= 0.0 || !gap.is_finite() {
        return out;
    }
    let full = (gap / size).floor();
    // A last plant below 1e-9 of a plant is rounding, not capacity.
    let rest = gap - full * size;
    out.extend(std::iter::repeat_n(size, full as usize));
    if rest > 1e-9 * size {
        out.push(rest);
    }
    out
}

/// Updates a plant's count of consecutive loss years with this year's expected margin
/// (price minus expected unit cost, CNY per unit) and says whether it exits (`exit_years`
/// reached).
pub fn loss_years(losses: u32, margin: f64, exit_years: u32) -> (u32, bool) {
    let n = if margin < 0.0 { losses + 1 } else { 0 };
    (n, n >= exit_years)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_closes_demand_over_utilisation_minus_capacity() {
        // Demand 80 at utilisation 0.8 needs 100; 70 operate: build 30.
        assert!((capacity_gap(80.0, 0.8, 70.0) - 30.0).abs() < 1e-12);
        assert_eq!(capacity_gap(80.0, 0.8, 120.0), 0.0);
        assert!((expected_demand(50.0, 1.0, 1.2) - 60.0).abs() < 1e-12);
    }

    #[test]
    fn relocation_follows_the_carbon_cost_gap_only_past_the_relocation_cost() {
        // Two identical cities; the origin (city 0) has a carbon cost of g (share of price),
        // the other a relocation cost of 0.03; kernel 1 everywhere, sharp logit.
        let mut p = Vec::new();
        let theta = 2000.0;
        for (g, to_other) in [(0.02, false), (0.029, false), (0.031, true), (0.05, true)] {
            let cost = [g, relocation_cost(false, false, 0.005, 0.03)];
            location_probabilities(&cost, &[1.0, 1.0], theta, &mut p);
            assert_eq!(p[1] > 0.5, to_other, "gap {g}: {p:?}");
            assert!((p[0] + p[1] - 1.0).abs() < 1e-12);
        }
        // At a gap of 0.02 below the relocation cost, nothing moves (e^-20).
        location_probabilities(&[0.01, 0.03], &[1.0, 1.0], theta, &mut p);
        assert!(p[1] < 1e-8);
    }

    #[test]
    fn kernel_scales_probabilities_and_zero_kernel_excludes() {
        let mut p = Vec::new();
        location_probabilities(&[0.0, 0.0, 0.0], &[1.0, 0.5, 0.0], 20.0, &mut p);
        assert!((p[0] - 2.0 / 3.0).abs() < 1e-12);
        assert!((p[1] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(p[2], 0.0);
        // A cost difference of 5 % of price at theta 20 divides the weight by e.
        location_probabilities(&[0.0, 0.05], &[1.0, 1.0], 20.0, &mut p);
        assert!((p[1] / p[0] - (-1.0f64).exp()).abs() < 1e-12);
        assert_eq!(pick(&p, 0.0), Some(0));
        assert_eq!(pick(&p, 0.99), Some(1));
        assert_eq!(pick(&[0.0, 0.0], 0.3), None);
    }

    #[test]
    fn plants_close_the_gap_exactly() {
        let s = plant_sizes(25.0, 10.0);
        assert_eq!(s, vec![10.0, 10.0, 5.0]);
        assert!(plant_sizes(0.0, 10.0).is_empty());
        assert_eq!(plant_sizes(20.0, 10.0), vec![10.0, 10.0]);
    }

    #[test]
    fn a_plant_exits_after_consecutive_losses_only() {
        assert_eq!(loss_years(0, -1.0, 3), (1, false));
        assert_eq!(loss_years(1, 2.0, 3), (0, false));
        assert_eq!(loss_years(2, -0.1, 3), (3, true));
    }
}
