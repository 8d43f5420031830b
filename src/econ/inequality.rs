//! Inequality indices used for the equity metrics: Gini and Theil (with the between/within
//! decomposition across groups such as urban agglomerations).

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

/// Theil T index of positive `values` (each value counts equally), decomposed by `groups`
/// (group index per value). Returns `(total, between, within)`, with
/// `total = between + within`. Values that are not positive are skipped. `None` when
/// nothing positive remains.
pub fn theil_decomposed(values: &[f64], groups: &[usize]) -> Option<(f64, f64, f64)> {
    let items: Vec<(f64, usize)> = values
        .iter()
        .zip(groups)
        .filter(|(v, _)| **v > 0.0 && v.is_finite())
        .map(|(v, g)| (*v, *g))
        .collect();
    if items.is_empty() {
        return None;
    }
    let n = items.len() as f64;
    let mean = items.iter().map(|(v, _)| v).sum::<f64>() / n;
    let total = items
        .iter()
        .map(|(v, _)| (v / mean) * (v / mean).ln())
        .sum::<f64>()
        / n;
    let ngroups = items.iter().map(|(_, g)| g + 1).max().unwrap_or(0);
    let mut sum = vec![0.0; ngroups];
    let mut count = vec![0.0; ngroups];
    for (v, g) in &items {
        sum[*g] += v;
        count[*g] += 1.0;
    }
    let mut between = 0.0;
    for g in 0..ngroups {
        if count[g] > 0.0 {
            let share = sum[g] / (n * mean);
            let gmean = sum[g] / count[g];
            between += share * (gmean / mean).ln();
        }
    }
    Some((total, between, total - between))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn theil_decomposes() {
        let v = [1.0, 2.0, 3.0, 10.0, 12.0];
        let g = [0, 0, 0, 1, 1];
        let (t, b, w) = theil_decomposed(&v, &g).unwrap();
        assert!((t - (b + w)).abs() < 1e-12);
        assert!(b > 0.0 && w > 0.0);
        // Equal values: zero inequality.
        let (t0, b0, _) = theil_decomposed(&[2.0, 2.0, 2.0], &[0, 1, 1]).unwrap();
        assert!(t0.abs() < 1e-12 && b0.abs() < 1e-12);
        // Identical groups: all inequality is within.
        let (t1, b1, w1) = theil_decomposed(&[1.0, 3.0, 1.0, 3.0], &[0, 0, 1, 1]).unwrap();
        assert!(b1.abs() < 1e-12 && (t1 - w1).abs() < 1e-12);
    }
}
