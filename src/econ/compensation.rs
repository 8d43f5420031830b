//! Eco-compensation arithmetic (MODEL.md section 7.25): a pool of revenue (CNY) attributed to
//! the provinces that paid it and divided among recipient provinces.

/// Flows of `pool` (CNY) from payer provinces (in proportion to `payers`, e.g. the covered
/// emissions of the market's firms) to recipient provinces (in proportion to `recipients`):
/// `(from, to, pool x payer share x recipient share)` for every positive amount, from-major.
/// Empty when the pool is not positive or either weight vector sums to 0 (nothing is paid).
pub fn flows(pool: f64, payers: &[f64], recipients: &[f64]) -> Vec<(usize, usize, f64)> {
    let (tp, tr): (f64, f64) = (payers.iter().sum(), recipients.iter().sum());
    if !(pool > 0.0 && tp > 0.0 && tr > 0.0) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, p) in payers.iter().enumerate() {
        if *p <= 0.0 {
            continue;
        }
        for (j, r) in recipients.iter().enumerate() {
            if *r > 0.0 {
                out.push((i, j, pool * (p / tp) * (r / tr)));
            }
        }
    }
    out
}

/// Weight of a province under the development rule: `population x (national GDP per person /
/// its GDP per person)` (0 without population or GDP). Units: persons; GDP in CNY.
pub fn development_weight(population: f64, gdp: f64, national_gdp_per_person: f64) -> f64 {
    if population > 0.0 && gdp > 0.0 {
        population * national_gdp_per_person / (gdp / population)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_sum_to_the_pool_and_split_by_both_shares() {
        // Payers 3:1, recipients 1:1:2 of a pool of 80 CNY.
        let f = flows(80.0, &[3.0, 1.0, 0.0], &[1.0, 1.0, 2.0]);
        let total: f64 = f.iter().map(|x| x.2).sum();
        assert!((total - 80.0).abs() < 1e-12);
        assert_eq!(f.len(), 6);
        assert_eq!(f[0], (0, 0, 15.0));
        assert_eq!(f[2], (0, 2, 30.0));
        assert_eq!(f[5], (1, 2, 10.0));
        assert!(flows(80.0, &[0.0; 3], &[1.0; 3]).is_empty());
        assert!(flows(0.0, &[1.0; 3], &[1.0; 3]).is_empty());
    }

    #[test]
    fn poorer_provinces_weigh_more_per_person() {
        // National 10 per person: a province of 100 persons at 5 per person weighs 200, one
        // at 20 per person weighs 50.
        assert!((development_weight(100.0, 500.0, 10.0) - 200.0).abs() < 1e-12);
        assert!((development_weight(100.0, 2000.0, 10.0) - 50.0).abs() < 1e-12);
        assert_eq!(development_weight(0.0, 1.0, 10.0), 0.0);
    }
}
