//! Technology learning (Wright's law) and diffusion (Bass) formulas.

/// Wright's learning exponent `b = -log2(1 - LR)` for learning rate `LR` in [0, 1).
pub fn wright_exponent(learning_rate: f64) -> f64 {
    -(1.0 - learning_rate).log2()
}

/// Unit capex after learning: `capex0 (X_eff / X0)^(-b)`, CNY per unit of capacity, with
/// `X_eff` the effective cumulative capacity and `X0` the initial cumulative capacity (both
/// in units of annual capacity). `X_eff <= X0` gives `capex0`.
pub fn wright_capex(capex0: f64, x0: f64, x_eff: f64, learning_rate: f64) -> f64 {
    if x0 <= 0.0 || x_eff <= x0 {
        return capex0;
    }
    capex0 * (x_eff / x0).powf(-wright_exponent(learning_rate))
}

/// Learning-by-searching factor on capex (two-factor learning): `((K0 + K) / K0)^(-c)` with
/// `c = -log2(1 - rate)`, `K0` the knowledge base and `K` the effective programme knowledge
/// (both CNY); exactly 1 when `K <= 0` (no programme: learning by doing alone).
pub fn searching_factor(knowledge_base: f64, knowledge: f64, rate: f64) -> f64 {
    if knowledge <= 0.0 || knowledge_base <= 0.0 {
        return 1.0;
    }
    ((knowledge_base + knowledge) / knowledge_base).powf(-wright_exponent(rate))
}

/// Probability that an unaware firm becomes aware within one year (discrete Bass hazard):
/// `1 - exp(-(p + q A))`, with `A` the proximity-weighted adoption share.
pub fn awareness_probability(p: f64, q: f64, adoption_share: f64) -> f64 {
    1.0 - (-(p + q * adoption_share)).exp()
}

/// Closed-form Bass cumulative share at time `t` (continuous time):
/// `F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})`.
pub fn bass_cdf(p: f64, q: f64, t: f64) -> f64 {
    let e = (-(p + q) * t).exp();
    (1.0 - e) / (1.0 + (q / p) * e)
}

/// Time of the Bass adoption-rate peak, `t* = ln(q/p) / (p+q)`.
pub fn bass_peak(p: f64, q: f64) -> f64 {
    (q / p).ln() / (p + q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wright_after_n_doublings() {
        for lr in [0.05, 0.2, 0.33] {
            for n in 0..8 {
                let x = 1e6 * 2f64.powi(n);
                let c = wright_capex(1000.0, 1e6, x, lr);
                let expect = 1000.0 * (1.0 - lr).powi(n);
                assert!(
                    (c - expect).abs() <= 1e-9 * expect,
                    "lr {lr} n {n}: {c} vs {expect}"
                );
            }
        }
        assert_eq!(wright_capex(1000.0, 1e6, 5e5, 0.2), 1000.0);
    }

    #[test]
    fn bass_shape() {
        let (p, q) = (0.03, 0.38);
        assert!(bass_cdf(p, q, 0.0).abs() < 1e-12);
        assert!((bass_cdf(p, q, 200.0) - 1.0).abs() < 1e-9);
        // The density peaks at t*: finite differences change sign there.
        let t = bass_peak(p, q);
        let f = |x: f64| bass_cdf(p, q, x + 1e-4) - bass_cdf(p, q, x);
        assert!(f(t) >= f(t - 0.5) && f(t) >= f(t + 0.5));
        assert!((t - (q / p).ln() / (p + q)).abs() < 1e-12);
        assert!((awareness_probability(0.1, 0.0, 0.5) - (1.0 - (-0.1f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn searching_halves_nothing_without_knowledge_and_cuts_by_the_rate_per_doubling() {
        assert_eq!(searching_factor(5e9, 0.0, 0.1), 1.0);
        // K = K0: the effective stock doubles, capex falls by 10 %.
        assert!((searching_factor(5e9, 5e9, 0.1) - 0.9).abs() < 1e-12);
        // K = 3 K0: two doublings, 0.9^2.
        assert!((searching_factor(5e9, 15e9, 0.1) - 0.81).abs() < 1e-12);
    }
}
