//! The fuel-supply stage's arithmetic (pure; MODEL.md section 7.27).
//!
//! Units: prices CNY per tce, fuel use tce, carbon content t CO2 per tce, emissions t CO2,
//! markups CNY per t CO2 of a firm's direct emissions.

use crate::config::fuels::FuelSpec;

/// Producer price of a fuel this year, CNY per tce: `p0 (q_prev / q0)^psi` with `q_prev`
/// last year's national use and `q0` the base use (tce); `p0` when `psi` is 0 or before the
/// base use is known (`q0 <= 0`).
pub fn producer_price(p0: f64, psi: f64, q_prev: f64, q0: f64) -> f64 {
    if psi == 0.0 || q0 <= 0.0 {
        p0
    } else {
        p0 * (q_prev.max(0.0) / q0).powf(psi)
    }
}

/// Change of a sector's fuel cost per t CO2 of its direct emissions against the base prices,
/// CNY per t CO2: `sum_f share_f (P_f - P0_f) / c_f` (a t CO2 from fuel f takes `1 / c_f`
/// tce of it).
pub fn markup_per_t(shares: &[f64], fuels: &[FuelSpec], prices: &[f64]) -> f64 {
    shares
        .iter()
        .zip(fuels)
        .zip(prices)
        .map(|((s, f), p)| s * (p - f.price) / f.carbon_factor)
        .sum()
}

/// A firm's use of fuel `f` for `emissions` t CO2 of direct emissions, tce:
/// `share_f emissions / c_f`.
pub fn fuel_use(share: f64, fuel: &FuelSpec, emissions: f64) -> f64 {
    share * emissions / fuel.carbon_factor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coal() -> FuelSpec {
        FuelSpec {
            name: "coal".into(),
            carbon_factor: 2.5,
            price: 1000.0,
            inverse_supply_elasticity: 0.5,
        }
    }

    #[test]
    fn the_producer_price_follows_the_inverse_supply_curve() {
        assert_eq!(producer_price(1000.0, 0.5, 81.0, 100.0), 900.0);
        assert_eq!(producer_price(1000.0, 0.0, 81.0, 100.0), 1000.0);
        assert_eq!(
            producer_price(1000.0, 0.5, 81.0, 0.0),
            1000.0,
            "no base use yet"
        );
        assert_eq!(producer_price(1000.0, 1.0, 0.0, 100.0), 0.0);
    }

    #[test]
    fn the_markup_is_the_price_change_per_t_co2_of_each_fuel() {
        // 80 % of emissions from coal at 900 instead of 1,000 CNY/tce, 2.5 t CO2/tce:
        // 0.8 x (-100) / 2.5 = -32 CNY per t CO2.
        let m = markup_per_t(&[0.8], &[coal()], &[900.0]);
        assert!((m + 32.0).abs() < 1e-12, "{m}");
        assert_eq!(markup_per_t(&[0.8], &[coal()], &[1000.0]), 0.0);
        // 10 t CO2 at 80 % from coal burn 3.2 tce.
        assert!((fuel_use(0.8, &coal(), 10.0) - 3.2).abs() < 1e-12);
    }
}
