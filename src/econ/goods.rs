//! Goods-market allocation (pure): logit shares with capacity caps, in log space so that any
//! spread of weights serves demand exactly.
//!
//! Firm i has log weight `lw_i = ln(capacity_i) - beta (u_i - u_min) / price` and capacity
//! `k_i`. Demand `D` is shared by weight among the firms that are not at capacity; a firm
//! whose share would exceed its capacity produces at capacity and the rest is shared again
//! (water-filling). Weights are used relative to the largest log weight of the firms still
//! sharing, `exp(lw_i - max lw)`, and the sum over those firms is taken afresh each round, so
//! neither underflow (weights 1e-300 apart) nor cancellation (subtracting a capped firm's
//! weight from a total it dominates) can leave demand unserved.

/// `sum_i exp(lw_i - m) x` with `m = max lw`, over the finite log weights: (`m`, the sum of
/// `exp(lw_i - m)`, the sum of `exp(lw_i - m) x_i`). `m = -inf` and sums 0 when none is finite.
pub fn log_sum_exp(lw: &[f64], x: &[f64]) -> (f64, f64, f64) {
    let m = lw
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return (m, 0.0, 0.0);
    }
    let (mut s, mut sx) = (0.0, 0.0);
    for (l, v) in lw.iter().zip(x) {
        if l.is_finite() {
            let w = (l - m).exp();
            s += w;
            sx += w * v;
        }
    }
    (m, s, sx)
}

/// Water-filling: shares `demand` (units) among firms with log weights `lw` and capacities
/// `cap` (units), writing each firm's output into `out` (same length). A firm with log weight
/// `-inf` (no capacity) produces nothing. Total output is `min(demand, sum of capacities of
/// firms with a finite log weight)` up to rounding; no firm exceeds its capacity. `capped` is
/// working memory.
pub fn fill(demand: f64, lw: &[f64], cap: &[f64], out: &mut [f64], capped: &mut Vec<bool>) {
    let n = lw.len();
    capped.clear();
    capped.resize(n, false);
    let demand = demand.max(0.0);
    let mut fixed = 0.0;
    // Each round caps at least one more firm or ends, so at most n + 1 rounds.
    let (m, s) = loop {
        let (mut m, mut s) = (f64::NEG_INFINITY, 0.0);
        for i in 0..n {
            if !capped[i] && lw[i].is_finite() {
                m = m.max(lw[i]);
            }
        }
        if m > f64::NEG_INFINITY {
            for i in 0..n {
                if !capped[i] && lw[i].is_finite() {
                    s += (lw[i] - m).exp();
                }
            }
        }
        if s <= 0.0 {
            break (m, s);
        }
        let remaining = (demand - fixed).max(0.0);
        let (mut newly, mut changed) = (0.0, false);
        for i in 0..n {
            if !capped[i] && lw[i].is_finite() && remaining * (lw[i] - m).exp() / s > cap[i] {
                capped[i] = true;
                newly += cap[i];
                changed = true;
            }
        }
        if !changed {
            break (m, s);
        }
        fixed += newly;
    };
    let remaining = (demand - fixed).max(0.0);
    for i in 0..n {
        out[i] = if capped[i] {
            cap[i]
        } else if lw[i].is_finite() && s > 0.0 {
            (remaining * (lw[i] - m).exp() / s).min(cap[i])
        } else {
            0.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_firm_far_cheaper_than_the_other_fills_its_capacity_and_the_other_serves_the_rest() {
        // Two firms of capacity 125, inelastic demand 200, logit 20, price 100, a tax of 200
        // on the second: its weight is exp(-40) of the first's. Output 125 + 75.
        let lw = [125f64.ln(), 125f64.ln() - 20.0 * 200.0 / 100.0];
        let mut out = [0.0; 2];
        fill(200.0, &lw, &[125.0, 125.0], &mut out, &mut Vec::new());
        assert_eq!(out[0], 125.0);
        assert!((out[1] - 75.0).abs() < 1e-9, "{out:?}");
        // Weights that underflow as plain numbers (e^-2000) still serve the rest: the first
        // firm fills its 100, the second (share 1 / (1 + e^-1) of 200) its 100, the third 100.
        let lw = [0.0, -2000.0, -2001.0];
        let mut out = [0.0; 3];
        fill(
            300.0,
            &lw,
            &[100.0, 100.0, 200.0],
            &mut out,
            &mut Vec::new(),
        );
        assert_eq!(out[..2], [100.0, 100.0]);
        assert!((out[2] - 100.0).abs() < 1e-9, "{out:?}");
    }

    #[test]
    fn shares_follow_weights_below_capacity() {
        let lw = [0.0, 2f64.ln(), f64::NEG_INFINITY];
        let mut out = [0.0; 3];
        fill(30.0, &lw, &[100.0, 100.0, 100.0], &mut out, &mut Vec::new());
        assert!((out[0] - 10.0).abs() < 1e-12 && (out[1] - 20.0).abs() < 1e-12);
        assert_eq!(out[2], 0.0, "no capacity, no output");
        let (m, s, sx) = log_sum_exp(&lw, &[1.0, 4.0, 9.0]);
        assert_eq!(m, 2f64.ln());
        assert!((s - 1.5).abs() < 1e-12 && (sx - 4.5).abs() < 1e-12);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn demand_is_served_exactly_for_any_spread_of_weights(
            firms in prop::collection::vec((-3000.0f64..10.0, 0.0f64..1e6), 1..12),
            demand in 0.0f64..1e7,
        ) {
            let lw: Vec<f64> = firms.iter().map(|f| f.0).collect();
            let cap: Vec<f64> = firms.iter().map(|f| f.1).collect();
            let mut out = vec![0.0; lw.len()];
            fill(demand, &lw, &cap, &mut out, &mut Vec::new());
            let total: f64 = out.iter().sum();
            let capacity: f64 = cap.iter().sum();
            let expected = demand.min(capacity);
            prop_assert!((total - expected).abs() <= 1e-9 * expected.max(1.0), "{total} vs {expected}");
            for (o, k) in out.iter().zip(&cap) {
                prop_assert!(*o >= 0.0 && *o <= *k * (1.0 + 1e-12));
            }
        }
    }
}
