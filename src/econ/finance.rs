//! Finance formulas: capital recovery factor.

/// Capital recovery factor `CRF(r, L) = r / (1 - (1 + r)^-L)`: the annual payment, per CNY
/// of capex, that repays a loan at rate `r` (per year) over `L` years. `CRF(0, L) = 1 / L`.
pub fn crf(rate: f64, lifetime_years: f64) -> f64 {
    if lifetime_years <= 0.0 {
        return f64::INFINITY;
    }
    if rate.abs() < 1e-12 {
        return 1.0 / lifetime_years;
    }
    rate / (1.0 - (1.0 + rate).powf(-lifetime_years))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crf_known_values() {
        // 8 % over 20 years: 0.101852...
        assert!((crf(0.08, 20.0) - 0.101_852_2).abs() < 1e-6);
        assert!((crf(0.0, 10.0) - 0.1).abs() < 1e-12);
        // The annuity repays the loan: sum of discounted payments equals 1.
        let r = 0.1;
        let pv: f64 = (1..=15).map(|t| crf(r, 15.0) / (1.0 + r).powi(t)).sum();
        assert!((pv - 1.0).abs() < 1e-12);
    }
}
