//! Inequality indices used for the equity metrics: Gini and Theil (population-weighted, with
//! the between/within decomposition across groups such as urban agglomerations).

/// Gini coefficient of `values` (unweighted): mean absolute difference over twice the mean,
/// `G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)`. Returns `None` when there are no values or
/// the mean is not positive. With negative values (net sellers of allowances) the index is
/// still defined this way and may exceed 1.
pub fn gini(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if mean.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    // sum_{i<j} (x_j - x_i) = sum_j x_j (2j - n + 1) for sorted x, 0-based j.
    let s: f64 = sorted
        .iter()
        .enumerate()
        .map(|(j, x)| x * (2.0 * j as f64 - n as f64 + 1.0))
        .sum();
    Some(s / (n as f64 * n as f64 * mean))
}

/// Weighted Gini coefficient of `values` with weights `weights` (e.g. population), normalised
/// by the weighted mean **absolute** value so that it stays in [0, 1] when some values are
/// negative (Raffinetti, Siletti and Vernizzi 2015):
/// `G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W sum_i w_i |x_i|)`, `W = sum_i w_i`.
/// With non-negative values this is the usual weighted Gini. `None` when no value with a
/// positive weight is non-zero. O(n log n).
pub fn gini_weighted(values: &[f64], weights: &[f64]) -> Option<f64> {
    let mut items: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(x, w)| **w > 0.0 && x.is_finite() && w.is_finite())
        .map(|(x, w)| (*x, *w))
        .collect();
    let total_w: f64 = items.iter().map(|p| p.1).sum();
    let abs_mass: f64 = items.iter().map(|(x, w)| w * x.abs()).sum();
    if items.is_empty() || abs_mass <= 0.0 {
        return None;
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    // sum_i sum_j w_i w_j |x_i - x_j| = 2 sum_i w_i x_i (W_below(i) - W_above(i)).
    let (mut below, mut s) = (0.0, 0.0);
    for (x, w) in &items {
        let above = total_w - below - w;
        s += w * x * (below - above);
        below += w;
    }
    Some((s / (total_w * abs_mass)).clamp(0.0, 1.0))
}

/// A population-weighted Theil T index with its decomposition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theil {
    /// `T = sum_i s_i (x_i / mu) ln(x_i / mu)`, `s_i` the weight shares, `mu = sum_i s_i x_i`.
    pub total: f64,
    /// `sum_g s_g (mu_g / mu) ln(mu_g / mu)` over groups.
    pub between: f64,
    /// `total - between` (`= sum_g s_g (mu_g / mu) T_g`).
    pub within: f64,
    /// Weight share of the values the index covers (the positive ones), in [0, 1].
    pub coverage: f64,
}

/// Theil T index of `values` weighted by `weights` (each value stands for its weight in
/// people), decomposed by `groups` (group index per value). The index is defined for
/// positive values only: values that are not positive (or not finite, or of zero weight)
/// are left out, and `coverage` says what weight share remains. `None` when nothing
/// positive remains.
pub fn theil_weighted(values: &[f64], weights: &[f64], groups: &[usize]) -> Option<Theil> {
    let all_w: f64 = weights.iter().filter(|w| **w > 0.0 && w.is_finite()).sum();
    let items: Vec<(f64, f64, usize)> = values
        .iter()
        .zip(weights)
        .zip(groups)
        .filter(|((v, w), _)| **v > 0.0 && v.is_finite() && **w > 0.0 && w.is_finite())
        .map(|((v, w), g)| (*v, *w, *g))
        .collect();
    let total_w: f64 = items.iter().map(|x| x.1).sum();
    if items.is_empty() || total_w <= 0.0 {
        return None;
    }
    let mean = items.iter().map(|(v, w, _)| v * w).sum::<f64>() / total_w;
    let total = items
        .iter()
        .map(|(v, w, _)| (w / total_w) * (v / mean) * (v / mean).ln())
        .sum::<f64>();
    let ngroups = items.iter().map(|x| x.2 + 1).max().unwrap_or(0);
    let (mut mass, mut weight) = (vec![0.0; ngroups], vec![0.0; ngroups]);
    for (v, w, g) in &items {
        mass[*g] += v * w;
        weight[*g] += w;
    }
    let mut between = 0.0;
    for g in 0..ngroups {
        if weight[g] > 0.0 {
            let gmean = mass[g] / weight[g];
            between += (weight[g] / total_w) * (gmean / mean) * (gmean / mean).ln();
        }
    }
    Some(Theil {
        total,
        between,
        within: total - between,
        coverage: total_w / all_w,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_gini_stays_in_the_unit_interval_with_negative_values() {
        // Equal weights, non-negative: the usual Gini.
        let g = gini_weighted(&[0.0, 0.0, 0.0, 4.0], &[1.0; 4]).unwrap();
        assert!((g - 0.75).abs() < 1e-12);
        // A weight counts like repetition: (3 with weight 2, 1) = (3, 3, 1).
        let a = gini_weighted(&[3.0, 1.0], &[2.0, 1.0]).unwrap();
        let b = gini(&[3.0, 3.0, 1.0]).unwrap();
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        // Mixed signs: (-1, 1): sum |xi - xj| = 4, 2 W sum|x| = 2 x 2 x 2 = 8: 0.5, where the
        // mean-normalised Gini is undefined (mean 0).
        assert!((gini_weighted(&[-1.0, 1.0], &[1.0, 1.0]).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(gini(&[-1.0, 1.0]), None);
        // Extreme: one city bears everything, the others gain a little: still <= 1.
        let g = gini_weighted(&[-0.1, -0.1, 10.0], &[1.0, 1.0, 1.0]).unwrap();
        assert!((0.0..=1.0).contains(&g), "{g}");
        assert_eq!(gini_weighted(&[0.0, 0.0], &[1.0, 1.0]), None);
        assert_eq!(gini_weighted(&[1.0], &[0.0]), None);
    }

    #[test]
    fn gini_known_values() {
        assert_eq!(gini(&[]), None);
        assert_eq!(gini(&[0.0, 0.0]), None);
        assert!(gini(&[5.0, 5.0, 5.0]).unwrap().abs() < 1e-12);
        // One holds everything among n: G = (n - 1) / n.
        assert!((gini(&[0.0, 0.0, 0.0, 4.0]).unwrap() - 0.75).abs() < 1e-12);
        // 1, 2, 3: mean abs diff = 8/9, G = (8/9) / (2 * 2) = 2/9.
        assert!((gini(&[3.0, 1.0, 2.0]).unwrap() - 2.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn weighted_theil_decomposes_and_says_what_it_covers() {
        // Equal weights: the usual Theil of (1, 3): mean 2, T = (0.5 ln 0.5 + 1.5 ln 1.5) / 2.
        let t = theil_weighted(&[1.0, 3.0], &[1.0, 1.0], &[0, 0]).unwrap();
        let want = (0.5 * 0.5f64.ln() + 1.5 * 1.5f64.ln()) / 2.0;
        assert!((t.total - want).abs() < 1e-12 && t.between.abs() < 1e-12);
        assert_eq!(t.coverage, 1.0);
        // A weight counts like repetition: (1 with weight 2, 3) = (1, 1, 3).
        let a = theil_weighted(&[1.0, 3.0], &[2.0, 1.0], &[0, 1]).unwrap();
        let b = theil_weighted(&[1.0, 1.0, 3.0], &[1.0; 3], &[0, 0, 1]).unwrap();
        assert!((a.total - b.total).abs() < 1e-12 && (a.between - b.between).abs() < 1e-12);
        // Groups that are internally equal: all inequality is between them.
        assert!((a.within).abs() < 1e-12 && (a.total - a.between).abs() < 1e-12);
        // Equal values: 0.
        let e = theil_weighted(&[2.0, 2.0, 2.0], &[1.0, 5.0, 2.0], &[0, 1, 1]).unwrap();
        assert!(e.total.abs() < 1e-12);
        // A negative burden is left out and the coverage says so (weight 1 of 4).
        let n = theil_weighted(&[1.0, 3.0, -2.0], &[1.0, 1.0, 2.0], &[0, 0, 0]).unwrap();
        assert!((n.total - want).abs() < 1e-12 && n.coverage == 0.5);
        assert_eq!(theil_weighted(&[-1.0, 0.0], &[1.0, 1.0], &[0, 0]), None);
    }
}
