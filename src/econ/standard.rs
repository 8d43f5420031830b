//! Administrative standard arithmetic: the uniform cut that lets a city meet its target, the
//! uniform-rate limit for a group of firms, and province target differentiation.

/// The uniform relative cut `c` of regulated firms' base-year intensity such that
/// `(1 - c) x regulated_base_total = allowed`, clamped to `[0, max_cut]`.
pub fn relative_cut(allowed: f64, regulated_base_total: f64, max_cut: f64) -> f64 {
    if regulated_base_total <= 0.0 {
        return 0.0;
    }
    (1.0 - allowed / regulated_base_total).clamp(0.0, max_cut.max(0.0))
}

/// The uniform-rate limit `s` with `sum_i q_i min(m_i, s) = allowed` for firms with outputs
/// `q` and intensities `m` (pairs sorted by intensity ascending in `firms`). Returns the
/// highest intensity when nothing needs cutting, 0 when `allowed <= 0`.
pub fn uniform_rate(firms: &[(f64, f64)], allowed: f64) -> f64 {
    let total: f64 = firms.iter().map(|(q, m)| q * m).sum();
    let top = firms.iter().map(|f| f.1).fold(0.0, f64::max);
    if allowed >= total {
        return top;
    }
    if allowed <= 0.0 {
        return 0.0;
    }
    // Walk up: below the k-th intensity, firms k.. are at the limit.
    let mut below = 0.0; // sum q m of firms under the limit
    let mut q_rest: f64 = firms.iter().map(|f| f.0).sum();
    for &(q, m) in firms {
        // Limit equal to m: firms below contribute their own, the rest m each.
        if below + q_rest * m >= allowed {
            return if q_rest > 0.0 {
                (allowed - below) / q_rest
            } else {
                m
            };
        }
        below += q * m;
        q_rest -= q;
    }
    top
}

/// Tier multipliers of `gdp_tiers` differentiation, richest fifth first (the 12th plan's
/// 18/17/16/15/10 % around 16 %).
pub const TIER_MULTIPLIERS: [f64; 5] = [1.125, 1.0625, 1.0, 0.9375, 0.625];

/// Province cuts by GDP-per-capita tier: `gdp_per_capita` per province, national `cut`.
pub fn gdp_tier_cuts(gdp_per_capita: &[f64], cut: f64) -> Vec<f64> {
    let n = gdp_per_capita.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| gdp_per_capita[b].total_cmp(&gdp_per_capita[a]));
    let mut out = vec![cut; n];
    for (rank, &p) in order.iter().enumerate() {
        let tier = (rank * 5 / n.max(1)).min(4);
        out[p] = cut * TIER_MULTIPLIERS[tier];
    }
    out
}

/// City cuts of one province by GDP-per-capita tier (`city_split = "gdp_tiers"`): the tier
/// multipliers of [`gdp_tier_cuts`] over the province's cities, rescaled so that the mean of
/// the city cuts weighted by `weights` (the cities' base-year emissions or energy use) is
/// `province_cut`: the province's intensity falls by its cut if every city meets its own.
/// Each cut stays below 1.
pub fn city_tier_cuts(province_cut: f64, gdp_per_capita: &[f64], weights: &[f64]) -> Vec<f64> {
    let m = gdp_tier_cuts(gdp_per_capita, 1.0);
    let w_sum: f64 = weights.iter().sum();
    let mean = if w_sum > 0.0 {
        m.iter().zip(weights).map(|(m, w)| m * w).sum::<f64>() / w_sum
    } else {
        m.iter().sum::<f64>() / m.len().max(1) as f64
    };
    m.iter()
        .map(|x| {
            if mean > 0.0 {
                (province_cut * x / mean).min(0.99)
            } else {
                province_cut
            }
        })
        .collect()
}

/// A city's projection of a quantity for this year from what it saw: last year's value
/// grown at last year's rate (`last x last / prev`), or last year's value without an earlier
/// one (or with a non-positive one).
pub fn extrapolate(last: f64, prev: Option<f64>) -> f64 {
    match prev {
        Some(p) if p > 0.0 && last.is_finite() => last * (last / p),
        _ => last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_cut_meets_the_allowance() {
        assert!((relative_cut(80.0, 100.0, 0.5) - 0.2).abs() < 1e-12);
        assert_eq!(relative_cut(120.0, 100.0, 0.5), 0.0);
        assert_eq!(relative_cut(10.0, 100.0, 0.5), 0.5);
    }

    #[test]
    fn uniform_rate_meets_the_allowance() {
        let firms = [(0.5, 0.8), (0.5, 1.0)];
        // Newell-Stavins example: both at 0.7 -> allowed 0.7.
        assert!((uniform_rate(&firms, 0.7) - 0.7).abs() < 1e-12);
        // Allowed 0.85: the clean firm keeps 0.8 (0.4), the other gets 0.9 (0.45).
        let s = uniform_rate(&firms, 0.85);
        assert!((s - 0.9).abs() < 1e-12, "{s}");
        let used: f64 = firms.iter().map(|(q, m)| q * m.min(s)).sum();
        assert!((used - 0.85).abs() < 1e-12);
        assert_eq!(uniform_rate(&firms, 5.0), 1.0);
    }

    #[test]
    fn tiers_follow_gdp_per_capita() {
        let cuts = gdp_tier_cuts(&[10.0, 1.0, 5.0, 3.0, 8.0], 0.16);
        assert!((cuts[0] - 0.18).abs() < 1e-12);
        assert!((cuts[1] - 0.10).abs() < 1e-12);
        assert!((cuts[2] - 0.16).abs() < 1e-12);
    }

    #[test]
    fn city_tiers_keep_the_province_cut_on_average() {
        // Five cities, richest first gets 1.125 x, poorest 0.625 x, rescaled so that the
        // emission-weighted mean is the province's 16 %.
        let gpc = [10.0, 8.0, 5.0, 3.0, 1.0];
        let w = [1.0, 2.0, 3.0, 2.0, 2.0];
        let cuts = city_tier_cuts(0.16, &gpc, &w);
        let mean: f64 = cuts.iter().zip(&w).map(|(c, w)| c * w).sum::<f64>() / 10.0;
        assert!((mean - 0.16).abs() < 1e-12, "{cuts:?}");
        assert!(cuts[0] > cuts[2] && cuts[2] > cuts[4]);
        assert!((cuts[0] / cuts[4] - 1.125 / 0.625).abs() < 1e-12);
        // One city: its province's cut.
        assert!((city_tier_cuts(0.16, &[4.0], &[3.0])[0] - 0.16).abs() < 1e-12);
    }

    #[test]
    fn projections_grow_at_the_last_observed_rate() {
        assert!((extrapolate(110.0, Some(100.0)) - 121.0).abs() < 1e-12);
        assert_eq!(extrapolate(110.0, None), 110.0);
        assert_eq!(extrapolate(110.0, Some(0.0)), 110.0);
    }
}
