//! The ABM's thermal plants in the dispatch (pure): plants of a region are grouped into cost
//! bins that enter the program as units, and the thermal generation the program gives a
//! region in a slice goes back to its plants in merit order (what the program would do with
//! one unit per plant, since all plants of a region face the same price).
//!
//! Units: MW, CNY per MWh (cost with the plant's expected carbon cost), t CO2 per MWh.

use super::dispatch::Unit;
use std::ops::Range;

/// A thermal plant as the dispatch sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plant {
    /// Region (province) index.
    pub region: usize,
    /// Available capacity, MW.
    pub available_mw: f64,
    /// Cost of a MWh including its expected carbon cost, CNY per MWh.
    pub cost: f64,
    /// Emission factor, t CO2 per MWh.
    pub emission: f64,
    /// Firm id (tie-break: a stable merit order).
    pub id: u32,
    /// Log weight of the plant's share of its province's thermal generation when that is
    /// shared by the logit (`power.within_province = "logit"`): `ln(capacity) - beta x cost /
    /// price`, as in the goods market (MODEL.md 7.4).
    pub log_weight: f64,
}

/// The merit order: by region, then cost, then id.
pub fn merit_cmp(a: &Plant, b: &Plant) -> std::cmp::Ordering {
    a.region
        .cmp(&b.region)
        .then(a.cost.total_cmp(&b.cost))
        .then(a.id.cmp(&b.id))
}

/// Sorts plants by [`merit_cmp`].
pub fn sort_merit(plants: &mut [Plant]) {
    plants.sort_by(merit_cmp);
}

/// The plants of each region (a range of `plants`, sorted by [`merit_cmp`]) split into at
/// most `bins` consecutive bins of (nearly) equal numbers of plants; each bin becomes a unit
/// with the bin's capacity, its capacity-weighted cost and emission factor, and carbon
/// already in the cost. Bins without capacity are skipped.
pub fn bins(plants: &[Plant], bins: usize) -> Vec<(Range<usize>, Unit)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < plants.len() {
        let r = plants[start].region;
        let end = start + plants[start..].iter().take_while(|p| p.region == r).count();
        let n = end - start;
        let k = bins.max(1).min(n);
        for b in 0..k {
            let range = start + b * n / k..start + (b + 1) * n / k;
            let cap: f64 = plants[range.clone()].iter().map(|p| p.available_mw).sum();
            if cap <= 0.0 {
                continue;
            }
            let mean = |f: fn(&Plant) -> f64| {
                plants[range.clone()]
                    .iter()
                    .map(|p| p.available_mw * f(p))
                    .sum::<f64>()
                    / cap
            };
            out.push((
                range.clone(),
                Unit {
                    region: r,
                    capacity_mw: cap,
                    availability: vec![],
                    cost_per_mwh: mean(|p| p.cost),
                    emission_t_per_mwh: mean(|p| p.emission),
                    carbon_price: 0.0,
                },
            ));
        }
        start = end;
    }
    out
}

/// Splits `total_mw` over `plants` (one region, merit order) cheapest first, each up to its
/// available capacity; `out[i]` is plant i's generation, MW. What exceeds the plants'
/// capacity (rounding of the solver) is left out.
pub fn merit_order(plants: &[Plant], total_mw: f64, out: &mut [f64]) {
    let mut left = total_mw.max(0.0);
    for (p, o) in plants.iter().zip(out.iter_mut()) {
        let g = left.min(p.available_mw.max(0.0));
        *o = g;
        left -= g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plant(region: usize, cap: f64, cost: f64, id: u32) -> Plant {
        Plant {
            region,
            available_mw: cap,
            cost,
            emission: cost / 400.0,
            id,
            log_weight: 0.0,
        }
    }

    #[test]
    fn bins_group_consecutive_plants_per_region() {
        let mut p = vec![
            plant(1, 10.0, 300.0, 4),
            plant(0, 10.0, 200.0, 1),
            plant(0, 30.0, 400.0, 2),
            plant(0, 10.0, 100.0, 3),
        ];
        sort_merit(&mut p);
        assert_eq!(p.iter().map(|x| x.id).collect::<Vec<_>>(), vec![3, 1, 2, 4]);
        let b = bins(&p, 2);
        // Region 0: 3 plants in 2 bins of 1 and 2 plants; region 1: one bin.
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].0, 0..1);
        assert_eq!(b[1].0, 1..3);
        // Bin 2: 10 MW at 200 and 30 MW at 400: 40 MW at 350.
        assert!((b[1].1.capacity_mw - 40.0).abs() < 1e-12);
        assert!((b[1].1.cost_per_mwh - 350.0).abs() < 1e-12);
        assert!((b[1].1.emission_t_per_mwh - 350.0 / 400.0).abs() < 1e-12);
        assert_eq!(b[2].1.region, 1);
    }

    #[test]
    fn merit_order_fills_the_cheapest_first() {
        let p = [
            plant(0, 10.0, 1.0, 0),
            plant(0, 30.0, 2.0, 1),
            plant(0, 5.0, 3.0, 2),
        ];
        let mut out = [0.0; 3];
        merit_order(&p, 25.0, &mut out);
        assert_eq!(out, [10.0, 15.0, 0.0]);
        merit_order(&p, 100.0, &mut out);
        assert_eq!(out, [10.0, 30.0, 5.0]);
        merit_order(&p, -1.0, &mut out);
        assert_eq!(out, [0.0; 3]);
    }
}
