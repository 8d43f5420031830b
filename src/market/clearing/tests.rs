//! Unit tests and properties of [`clear`](super::clear).

use super::super::{Bid, Clearing, ClearingRules, ClearingScratch, ClearingStatus, clear};
use proptest::prelude::*;

fn bid(e: f64, s: f64, amax: f64, h: f64) -> Bid {
    Bid {
        emissions: e,
        mac_slope: s,
        abatement_max: amax,
        abatement_min: 0.0,
        holdings: h,
        cap_allocation: f64::INFINITY,
        cap_share: 1.0,
        bank_hedge: 0.0,
        bank_slope: 0.0,
        bank_value: 0.0,
    }
}

fn rules(floor: f64, ceiling: f64, v: f64, r: f64, c: f64) -> ClearingRules {
    ClearingRules {
        floor,
        ceiling,
        auction_volume: v,
        reserve_price: r,
        ccr_volume: c,
    }
}

fn run(bids: &[Bid], rules: &ClearingRules) -> (Clearing, Vec<f64>) {
    let mut trades = vec![f64::NAN; 3];
    let out = clear(bids, rules, &mut ClearingScratch::new(), &mut trades);
    assert_eq!(trades.len(), bids.len());
    (out, trades)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn demand(bids: &[Bid], p: f64) -> f64 {
    bids.iter().map(|b| b.net_demand(p)).sum()
}

#[test]
fn worked_example_validation_case_1() {
    let bids = [
        bid(100.0, 10.0, 100.0, 76.0),
        bid(100.0, 20.0, 100.0, 77.0),
        bid(100.0, 40.0, 100.0, 77.0),
    ];
    let (out, trades) = run(&bids, &rules(0.0, 1000.0, 0.0, 0.0, 0.0));
    assert!(close(out.price, 400.0, 1e-9), "{out:?}");
    assert_eq!(out.status, ClearingStatus::Interior);
    for (b, a) in bids.iter().zip([40.0, 20.0, 10.0]) {
        assert!(close(b.abatement(out.price), a, 1e-9));
    }
    let cost: f64 = bids.iter().map(|b| b.abatement_cost(out.price)).sum();
    assert!(close(cost, 14_000.0, 1e-6), "{cost}");
    assert!(close(trades.iter().sum::<f64>(), 0.0, 1e-9));
    for (t, want) in trades.iter().zip([-16.0, 3.0, 13.0]) {
        assert!(close(*t, want, 1e-9));
    }
    assert!(close(out.volume, 16.0, 1e-9));
    assert_eq!(
        (out.auction_sold, out.ccr_sold, out.unmet_demand),
        (0.0, 0.0, 0.0)
    );
}

/// SplitMix64 uniform in [lo, hi).
fn uniform(state: &mut u64, lo: f64, hi: f64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    lo + (hi - lo) * ((z >> 11) as f64 / (1u64 << 53) as f64)
}

#[test]
fn closed_form_price_on_random_populations() {
    for seed in 1..=8u64 {
        let mut st = seed;
        let n = 50 + (uniform(&mut st, 0.0, 50.0) as usize);
        let bids: Vec<Bid> = (0..n)
            .map(|_| {
                let e = uniform(&mut st, 100.0, 200.0);
                let h = e * uniform(&mut st, 0.8, 0.95);
                bid(e, uniform(&mut st, 5.0, 50.0), e, h)
            })
            .collect();
        let cap: f64 = bids.iter().map(|b| b.holdings).sum();
        let total_e: f64 = bids.iter().map(|b| b.emissions).sum();
        let inv_s: f64 = bids.iter().map(|b| 1.0 / b.mac_slope).sum();
        let want = (total_e - cap) / inv_s;
        let (out, trades) = run(&bids, &rules(0.0, 1e4, 0.0, 0.0, 0.0));
        assert!(bids.iter().all(|b| want / b.mac_slope < b.abatement_max));
        assert!(
            close(out.price, want, 1e-9 * want),
            "seed {seed}: {} vs {want}",
            out.price
        );
        assert_eq!(out.status, ClearingStatus::Interior);
        assert!(close(trades.iter().sum::<f64>(), 0.0, 1e-9 * out.volume));
    }
}

#[test]
fn floor_binds_in_oversupplied_market() {
    // D(50) = (100 - 5 - 120) + (100 - 2.5 - 90) = -25 + 7.5 = -17.5.
    let bids = [
        bid(100.0, 10.0, 100.0, 120.0),
        bid(100.0, 20.0, 100.0, 90.0),
    ];
    for reserve in [50.0, 60.0, 10.0] {
        let (out, trades) = run(&bids, &rules(50.0, 500.0, 100.0, reserve, 30.0));
        assert_eq!(out.price, 50.0);
        assert_eq!(out.status, ClearingStatus::AtFloor);
        assert_eq!(
            (out.auction_sold, out.ccr_sold, out.withheld),
            (0.0, 0.0, 100.0)
        );
        assert!(close(out.unsold_supply, 17.5, 1e-12));
        assert!(close(trades[0], -7.5, 1e-12) && close(trades[1], 7.5, 1e-12));
        assert!(close(trades.iter().sum::<f64>(), 0.0, 1e-12));
        assert!(close(out.volume, 7.5, 1e-12));
    }
}

#[test]
fn ceiling_binds_and_reserve_sells() {
    // Each firm wants 90 t at any p >= 10: D(50) = 180 > V + C = 150.
    let bids = [bid(100.0, 1.0, 10.0, 0.0), bid(100.0, 1.0, 10.0, 0.0)];
    let (out, trades) = run(&bids, &rules(5.0, 50.0, 100.0, 20.0, 50.0));
    assert_eq!((out.price, out.status), (50.0, ClearingStatus::AtCeiling));
    assert_eq!(
        (out.auction_sold, out.ccr_sold, out.withheld),
        (100.0, 50.0, 0.0)
    );
    assert!(close(out.unmet_demand, 30.0, 1e-12));
    assert!(trades.iter().all(|t| close(*t, 75.0, 1e-12)));
    assert!(close(out.volume, 150.0, 1e-12));
    // A larger reserve covers the demand: it sells only 80, nothing unmet.
    let (out, trades) = run(&bids, &rules(5.0, 50.0, 100.0, 20.0, 100.0));
    assert_eq!(
        (out.auction_sold, out.ccr_sold, out.unmet_demand),
        (100.0, 80.0, 0.0)
    );
    assert!(trades.iter().all(|t| *t == 90.0));
    // Reserve price above the ceiling: the auction never sells.
    let (out, _) = run(&bids, &rules(5.0, 50.0, 100.0, 80.0, 20.0));
    assert_eq!(
        (out.auction_sold, out.ccr_sold, out.withheld),
        (0.0, 20.0, 100.0)
    );
    assert!(close(out.unmet_demand, 160.0, 1e-12));
}

#[test]
fn reserve_price_and_auction() {
    // D(p) = 50 - p/10: D(200) = 30 lies in [0, V = 100].
    let one = [bid(100.0, 10.0, 100.0, 50.0)];
    let (out, trades) = run(&one, &rules(0.0, 1000.0, 100.0, 200.0, 0.0));
    assert_eq!((out.price, out.status), (200.0, ClearingStatus::AtReserve));
    assert!(close(out.auction_sold, 30.0, 1e-12) && close(out.withheld, 70.0, 1e-12));
    assert!(close(trades[0], 30.0, 1e-12));
    // V = 10 is all sold: interior price where D = V, i.e. 400.
    let (out, _) = run(&one, &rules(0.0, 1000.0, 10.0, 200.0, 0.0));
    assert!(close(out.price, 400.0, 1e-9) && out.status == ClearingStatus::Interior);
    assert!(close(out.auction_sold, 10.0, 1e-12) && close(out.withheld, 0.0, 1e-12));
    // D(p) = 10 - p/10 reaches 0 below r: the auction sells nothing.
    let low = [bid(100.0, 10.0, 100.0, 90.0)];
    let (out, _) = run(&low, &rules(0.0, 1000.0, 100.0, 200.0, 0.0));
    assert!(close(out.price, 100.0, 1e-9) && out.status == ClearingStatus::Interior);
    assert_eq!((out.auction_sold, out.withheld), (0.0, 100.0));
}

#[test]
fn degenerate_inputs() {
    let (out, trades) = run(&[], &rules(10.0, 100.0, 50.0, 10.0, 5.0));
    assert_eq!(
        (out.price, out.status, out.volume),
        (10.0, ClearingStatus::AtFloor, 0.0)
    );
    assert!(trades.is_empty() && out.withheld == 50.0);
    // Flat demand (amax = 0): D = const; the smallest price satisfying the rule.
    let flat = |d: f64| [bid(100.0, 10.0, 0.0, 100.0 - d)];
    let r = rules(0.0, 300.0, 10.0, 100.0, 0.0);
    assert_eq!(run(&flat(-5.0), &r).0.price, 0.0);
    assert_eq!(run(&flat(0.0), &r).0.price, 0.0);
    let (out, _) = run(&flat(5.0), &r);
    assert_eq!(
        (out.price, out.status, out.auction_sold),
        (100.0, ClearingStatus::AtReserve, 5.0)
    );
    assert_eq!(run(&flat(20.0), &r).0.price, 300.0);
    // Invalid ceiling below floor is raised to the floor; NaN rules do not panic.
    assert_eq!(
        run(&flat(20.0), &rules(50.0, 10.0, 0.0, 0.0, 0.0)).0.price,
        50.0
    );
    let _ = run(
        &flat(20.0),
        &rules(0.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN),
    );
}

#[test]
fn obligation_cap_and_banking_shift_the_price() {
    let plain = bid(100.0, 10.0, 100.0, 75.0);
    let r = rules(0.0, 1000.0, 0.0, 0.0, 0.0);
    // Uncapped: D = 25 - p/10 -> 250. Capped at 50 + 0.2 x verified: owes 70 t at p = 0,
    // below H = 75: D = -5 -> floor.
    assert!(close(run(&[plain], &r).0.price, 250.0, 1e-9));
    let capped = Bid {
        cap_allocation: 50.0,
        cap_share: 0.2,
        ..plain
    };
    let (out, _) = run(&[capped], &r);
    assert_eq!((out.price, out.status), (0.0, ClearingStatus::AtFloor));
    assert!(close(out.unsold_supply, 5.0, 1e-12));
    // H = 50: D = 20 - 0.004 p stays positive until the switch price 625, where demand
    // drops by 30 t to -12.5: the market clears there and the firm, indifferent, buys 0.
    let short = Bid {
        holdings: 50.0,
        ..capped
    };
    let (out, trades) = run(&[short], &r);
    assert!(close(out.price, 625.0, 1e-9), "{out:?}");
    assert_eq!(out.status, ClearingStatus::Interior);
    assert!(close(trades[0], 0.0, 1e-9), "{trades:?}");
    // With a second, plain seller of 10 t at any price the jumper buys them.
    let seller = bid(10.0, 1.0, 0.0, 20.0);
    let (out, trades) = run(&[short, seller], &r);
    assert!(close(out.price, 625.0, 1e-9), "{out:?}");
    assert!(
        close(trades[0], 10.0, 1e-9) && close(trades[1], -10.0, 1e-9),
        "{trades:?}"
    );
    // Banking h = 10, k = 0.1, v = 300 with H = 100: D = 40 - 0.2 p -> 200.
    let bank = Bid {
        holdings: 100.0,
        bank_hedge: 10.0,
        bank_slope: 0.1,
        bank_value: 300.0,
        ..plain
    };
    let out = run(&[bank], &r).0;
    assert!(close(out.price, 200.0, 1e-9));
    assert!(close(bank.desired_bank(out.price), 20.0, 1e-9));
    // Crossing past the bank kink at v = 100: D = 40 - p/10 for p >= 100 -> 400.
    let past = Bid {
        holdings: 60.0,
        bank_hedge: 0.0,
        bank_value: 100.0,
        ..bank
    };
    assert!(close(run(&[past], &r).0.price, 400.0, 1e-9));
}

/// Upper end of the regulator's supply set at `p`.
fn smax(r: &ClearingRules, p: f64) -> f64 {
    let auction = if p >= r.reserve_price {
        r.auction_volume
    } else {
        0.0
    };
    auction + if p >= r.ceiling { r.ccr_volume } else { 0.0 }
}

/// The price rule by bisection on the monotone predicate `D(p) <= Smax(p)`.
fn reference_price(bids: &[Bid], r: &ClearingRules) -> f64 {
    let ok = |p: f64| demand(bids, p) <= smax(r, p);
    if ok(r.floor) || !ok(r.ceiling) {
        return if ok(r.floor) { r.floor } else { r.ceiling };
    }
    let (mut lo, mut hi) = (r.floor, r.ceiling);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if ok(mid) { hi = mid } else { lo = mid }
    }
    hi
}

fn arb_bid() -> impl Strategy<Value = Bid> {
    let bank = prop::option::of((0.0..1e4f64, 0.0..5.0f64, 0.0..1500.0f64));
    (
        0.0..1e5f64,
        -2.0..3.0f64,
        0.0..1.0f64,
        0.8..1.2f64,
        prop::option::of((0.0..1.0f64, 0.0..1.0f64)),
        bank,
        prop::option::of(0.0..1.0f64),
    )
        .prop_map(|(e, s, af, hf, cap, bank, minf)| {
            let (cap_allocation, cap_share) =
                cap.map_or((f64::INFINITY, 1.0), |(c, share)| (c * e, share));
            let (hedge, slope, value) = bank.unwrap_or((0.0, 0.0, 0.0));
            Bid {
                emissions: e,
                mac_slope: 10f64.powf(s),
                abatement_max: af * e,
                abatement_min: minf.map_or(0.0, |m| m * af * e),
                holdings: hf * e,
                cap_allocation,
                cap_share,
                bank_hedge: hedge,
                bank_slope: slope,
                bank_value: value,
            }
        })
}

/// Up to 60 bids whose holdings share a random tightness, so that every
/// status occurs often.
fn arb_bids() -> impl Strategy<Value = Vec<Bid>> {
    (prop::collection::vec(arb_bid(), 0..60), 0.2..1.2f64).prop_map(|(mut bids, tight)| {
        bids.iter_mut().for_each(|b| b.holdings *= tight);
        bids
    })
}

fn arb_rules() -> impl Strategy<Value = ClearingRules> {
    (
        0.0..200.0f64,
        1.0..3000.0f64,
        0.0..1e5f64,
        0u8..4,
        0.0..3000.0f64,
        0.0..1e5f64,
    )
        .prop_map(|(floor, width, v, kind, r, c)| {
            let ceiling = floor + width;
            let reserve = match kind {
                0 => floor,
                1 => ceiling + 1.0,
                _ => r,
            };
            rules(floor, ceiling, if kind == 3 { 0.0 } else { v }, reserve, c)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn clearing_invariants(
        bids in arb_bids(),
        r in arb_rules(),
        (f1, f2) in (0.0..1.0f64, 0.0..1.0f64),
    ) {
        prop_assert!(bids.iter().all(|b| b.validate().is_ok()) && r.validate().is_ok());
        let (out, trades) = run(&bids, &r);
        let p = out.price;
        prop_assert!(r.floor <= p && p <= r.ceiling);
        let sum_e: f64 = bids.iter().map(|b| b.emissions).sum();
        let sold = out.auction_sold + out.ccr_sold;
        let sum_t: f64 = trades.iter().sum();
        prop_assert!(close(sum_t, sold, 1e-6 * (1.0 + out.volume)), "{sum_t} vs {sold}");
        prop_assert!(out.auction_sold <= r.auction_volume && out.ccr_sold <= r.ccr_volume);
        prop_assert!(out.auction_sold >= 0.0 && out.ccr_sold >= 0.0);
        prop_assert!(close(out.withheld, r.auction_volume - out.auction_sold, 0.0));
        prop_assert!(out.ccr_sold == 0.0 || out.status == ClearingStatus::AtCeiling);
        prop_assert!(out.unmet_demand == 0.0 || out.status == ClearingStatus::AtCeiling);
        prop_assert!(out.unsold_supply == 0.0 || out.status == ClearingStatus::AtFloor);
        // Each trade lies between 0 and the bid's demand (between its right and left demand
        // at its switch price).
        for (b, t) in bids.iter().zip(&trades) {
            let (d, dl) = (b.net_demand(p), b.net_demand_left(p));
            let eps = 1e-12 * (1.0 + d.abs() + dl.abs());
            prop_assert!(*t >= d.min(0.0) - eps && *t <= dl.max(0.0) + eps, "{t} vs [{d}, {dl}]");
        }
        let d_star = demand(&bids, p);
        let d_left: f64 = bids.iter().map(|b| b.net_demand_left(p)).sum();
        if out.status == ClearingStatus::Interior {
            let tol = 1e-6 * (1.0 + sum_e);
            prop_assert!(d_star <= sold + tol && d_left >= sold - tol, "{d_star} {d_left} vs {sold}");
        }
        // D is non-increasing.
        let scale: f64 = bids.iter().map(|b| b.emissions + b.holdings + b.bank_hedge
            + b.bank_slope * b.bank_value).sum();
        let (q1, q2) = (f1 * 3000.0, f2 * 3000.0);
        let (lo, hi) = (q1.min(q2), q1.max(q2));
        prop_assert!(demand(&bids, lo) >= demand(&bids, hi) - 1e-9 * (1.0 + scale));
        // The price rule, against bisection and against reversed input order.
        let tol_d = 1e-7 * (1.0 + scale);
        let p_ref = reference_price(&bids, &r);
        prop_assert!(close(p, p_ref, 1e-6 * (1.0 + r.ceiling))
            || close(d_star, demand(&bids, p_ref), tol_d), "{p} vs bisection {p_ref}");
        let reversed: Vec<Bid> = bids.iter().rev().copied().collect();
        let p_rev = run(&reversed, &r).0.price;
        prop_assert!(close(p, p_rev, 1e-9 * (1.0 + r.ceiling))
            || close(d_star, demand(&bids, p_rev), tol_d), "{p} vs reversed {p_rev}");
    }
}

#[test]
fn a_bid_with_an_infinite_slope_costs_nothing_at_any_price() {
    let b = Bid {
        emissions: 0.0,
        mac_slope: f64::INFINITY,
        abatement_max: 0.0,
        abatement_min: 0.0,
        holdings: 0.0,
        cap_allocation: f64::INFINITY,
        cap_share: 1.0,
        bank_hedge: 0.0,
        bank_slope: 0.0,
        bank_value: 0.0,
    };
    for p in [0.0, 50.0, 1e6] {
        assert_eq!(b.abatement_cost(p), 0.0);
    }
}
