//! Unit tests and properties of [`Bid`](super::Bid).

use super::*;
use proptest::prelude::*;

fn plain(e: f64, s: f64, h: f64) -> Bid {
    Bid {
        emissions: e,
        mac_slope: s,
        abatement_max: e,
        abatement_min: 0.0,
        holdings: h,
        cap_allocation: f64::INFINITY,
        cap_share: 1.0,
        bank_hedge: 0.0,
        bank_slope: 0.0,
        bank_value: 0.0,
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn plain_bid_components() {
    let b = plain(100.0, 10.0, 80.0);
    assert_eq!(b.abatement(-5.0), 0.0);
    assert_eq!(b.abatement(400.0), 40.0);
    assert_eq!(b.abatement(5000.0), 100.0);
    assert_eq!(b.abatement_cost(400.0), 8000.0);
    assert_eq!(b.net_demand(100.0), 10.0);
    assert_eq!(b.net_demand(300.0), -10.0);
    assert_eq!(b.slope_right(0.0), -0.1);
    assert_eq!(b.slope_right(1000.0), 0.0);
    assert_eq!(b.switch_price(), None);
    let kinks: Vec<_> = b.kinks().collect();
    assert_eq!(kinks.len(), 2);
    assert_eq!((kinks[0].price, kinks[1].price), (0.0, 1000.0));
}

/// E = 100, s = 10, allocation c = 50, sigma = 0.2: the cap binds below a* = 100 - 50 / 0.8
/// = 37.5 t; the firm switches at p^ = 2 s a* / (1 + sigma) = 625.
fn capped() -> Bid {
    Bid {
        cap_allocation: 50.0,
        cap_share: 0.2,
        ..plain(100.0, 10.0, 50.0)
    }
}

#[test]
fn a_capped_firm_abates_where_each_tonne_saves_sigma_of_obligation() {
    let b = capped();
    assert_eq!(b.cap_threshold(), 37.5);
    // p = 100: a = 0.2 x 100 / 10 = 2 t; owes 50 + 0.2 x 98 = 69.6 t; buys 19.6 t.
    assert!(close(b.abatement(100.0), 2.0, 1e-12));
    assert!(close(b.obligation(100.0), 69.6, 1e-12));
    assert!(close(b.net_demand(100.0), 19.6, 1e-12));
    // Slope of the capped demand: -sigma^2 / s = -0.004 t per CNY/t.
    assert!(close(b.slope_right(100.0), -0.004, 1e-15));
    // Both branches cost 42,968.75 CNY at p^ = 625.
    let ps = b.switch_price().unwrap();
    assert!(close(ps, 625.0, 1e-9), "{ps}");
    let j = b.jump().unwrap();
    // Drop (1 - sigma) a* = 30 t: from 67.5 t owed (a = 12.5) to 37.5 t (a = 62.5).
    assert!(close(j.jump, 30.0, 1e-9), "{j:?}");
    assert!(close(b.net_demand_left(ps), 17.5, 1e-9));
    assert!(close(b.net_demand(ps), -12.5, 1e-9));
    // Beyond p^ it abates p / s like an uncapped firm.
    assert!(close(b.abatement(700.0), 70.0, 1e-12));
    assert!(close(b.net_demand(700.0), -20.0, 1e-12));
    assert!(close(b.slope_right(700.0), -0.1, 1e-15));
    // A cap that binds even at amax: always capped, demand continuous.
    let always = Bid {
        cap_allocation: 10.0,
        abatement_max: 50.0,
        ..b
    };
    assert_eq!(always.switch_price(), None);
    assert!(close(always.abatement(1000.0), 20.0, 1e-12));
    assert!(close(always.abatement(5000.0), 50.0, 1e-12));
    assert!(always.kinks().all(|k| k.jump == 0.0));
}

#[test]
fn a_bound_moves_the_switch_price_found_by_bisection() {
    // amax = 50: the open branch is bounded, so p^ is not 2 s a* / (1 + sigma); check it
    // by the two branches' costs written out (capped a = 0.02 p, open a = min(p / 10, 50)).
    let b = Bid {
        abatement_max: 50.0,
        ..capped()
    };
    let ps = b.switch_price().unwrap();
    let c1 = |p: f64| {
        let a = 0.02 * p;
        5.0 * a * a + p * (50.0 + 0.2 * (100.0 - a))
    };
    let c2 = |p: f64| {
        let a = (p / 10.0).min(50.0);
        5.0 * a * a + p * (100.0 - a)
    };
    assert!(close(c1(ps), c2(ps), 1e-6 * c1(ps)), "{ps}");
    assert!(c1(ps - 1.0) < c2(ps - 1.0) && c1(ps + 1.0) > c2(ps + 1.0));
}

#[test]
fn rationed_firms_abate_up_to_the_penalty_and_jumpers_cover_exactly() {
    // Plain firm E = 100, s = 10, H = 60 at the ceiling 300: a(p) = 30, bids for 10 t, gets
    // 5 t. It must cover 65 t: abating 35 t costs 350 CNY/t at the margin, below a
    // penalty of 1,000: it abates 35 t, no shortfall.
    let b = plain(100.0, 10.0, 60.0);
    let pos = b.position(300.0, 5.0, 1000.0);
    assert!(close(pos.abatement, 35.0, 1e-12), "{pos:?}");
    // With a penalty of 320 it stops at MAC 320 (32 t) and is 3 t short.
    let pos = b.position(300.0, 5.0, 320.0);
    assert!(close(pos.abatement, 32.0, 1e-12) && pos.incentive == 320.0);
    // Not rationed: a(p), incentive p.
    let pos = b.position(300.0, 10.0, 1000.0);
    assert!(close(pos.abatement, 30.0, 1e-12) && pos.incentive == 300.0);
    // A capped firm's incentive is sigma x p.
    let pos = capped().position(100.0, 19.6, 0.0);
    assert!(close(pos.abatement, 2.0, 1e-9) && close(pos.incentive, 20.0, 1e-12));
    // At its switch price a firm that bought 2.5 t (between -12.5 and 17.5) covers
    // 52.5 t: verified 52.5 t, a = 47.5 t.
    let c = capped();
    let ps = c.switch_price().unwrap();
    let pos = c.position(ps, 2.5, 0.0);
    assert!(close(pos.abatement, 47.5, 1e-9), "{pos:?}");
    assert!(close(c.obligation_at(pos.abatement), 52.5, 1e-9));
}

#[test]
fn covering_inverts_the_obligation() {
    let c = capped();
    for a in [0.0, 10.0, 37.5, 60.0, 100.0] {
        assert!(
            close(c.abatement_to_cover(c.obligation_at(a)), a, 1e-9),
            "{a}"
        );
    }
    let zero = Bid {
        cap_share: 0.0,
        ..capped()
    };
    // sigma = 0: owes min(E - a, 50); holding 50 t needs no abatement.
    assert_eq!(zero.abatement_to_cover(50.0), 0.0);
    assert!(close(zero.abatement_to_cover(40.0), 60.0, 1e-12));
}

#[test]
fn banking_adds_demand_below_expected_price() {
    // h = 5, k = 0.5, v = 200: B = 5 + 0.5 (200 - p) until p = 210.
    let b = Bid {
        bank_hedge: 5.0,
        bank_slope: 0.5,
        bank_value: 200.0,
        ..plain(100.0, 10.0, 80.0)
    };
    assert_eq!(b.desired_bank(100.0), 55.0);
    assert_eq!(b.desired_bank(210.0), 0.0);
    assert_eq!(b.desired_bank(300.0), 0.0);
    assert_eq!(b.net_demand(100.0), 10.0 + 55.0);
    assert_eq!(b.slope_right(100.0), -0.6);
    assert_eq!(b.slope_right(210.0), -0.1);
    assert!(b.kinks().any(|k| k.price == 210.0 && k.slope_delta == 0.5));
    let hedge = Bid {
        bank_slope: 0.0,
        ..b
    };
    assert_eq!(hedge.net_demand(100.0), 15.0);
}

#[test]
fn validate_rejects_bad_fields() {
    let b = plain(100.0, 10.0, 80.0);
    assert_eq!(b.validate(), Ok(()));
    let bad = |f: fn(&mut Bid)| {
        let mut x = b;
        f(&mut x);
        x.validate()
    };
    assert_eq!(bad(|x| x.mac_slope = 0.0), Err(BidError::NonPositiveSlope));
    assert_eq!(
        bad(|x| x.holdings = -1.0),
        Err(BidError::Negative("holdings"))
    );
    assert_eq!(
        bad(|x| x.emissions = f64::NAN),
        Err(BidError::NotFinite("emissions"))
    );
    assert_eq!(
        bad(|x| x.cap_allocation = f64::NEG_INFINITY),
        Err(BidError::NotFinite("cap_allocation"))
    );
    assert_eq!(
        bad(|x| x.bank_value = f64::INFINITY),
        Err(BidError::NotFinite("bank_value"))
    );
    assert_eq!(bad(|x| x.cap_share = 1.5), Err(BidError::ShareAboveOne));
}

fn arb_bid() -> impl Strategy<Value = Bid> {
    (
        1.0..1e4f64,
        -1.0..2.0f64,
        0.05..1.0f64,
        0.0..0.5f64,
        prop::option::of((0.0..1.2f64, 0.0..1.0f64)),
        prop::option::of((0.0..100.0f64, 0.0..2.0f64, 0.0..500.0f64)),
    )
        .prop_map(|(e, s, af, minf, cap, bank)| {
            let (c, share) = cap.map_or((f64::INFINITY, 1.0), |(c, sh)| (c * e, sh));
            let (h, k, v) = bank.unwrap_or((0.0, 0.0, 0.0));
            Bid {
                emissions: e,
                mac_slope: 10f64.powf(s),
                abatement_max: af * e,
                abatement_min: minf * af * e,
                holdings: 0.7 * e,
                cap_allocation: c,
                cap_share: share,
                bank_hedge: h,
                bank_slope: k,
                bank_value: v,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// The kinks describe `D` exactly: integrating the right slopes and subtracting the jumps
    /// from `p0` reproduces `D(p1)`; `D` never rises; the chosen abatement is the cheapest.
    #[test]
    fn kinks_integrate_to_the_demand(b in arb_bid(), p0 in 0.0..2000.0f64, w in 0.0..3000.0f64) {
        prop_assert!(b.validate().is_ok());
        let p1 = p0 + w;
        let mut ks: Vec<Kink> = b.kinks().filter(|k| p0 < k.price && k.price <= p1).collect();
        ks.sort_by(|x, y| x.price.total_cmp(&y.price));
        let (mut p, mut d, mut m) = (p0, b.net_demand(p0), b.slope_right(p0));
        for k in &ks {
            d += m * (k.price - p) - k.jump;
            m += k.slope_delta;
            p = k.price;
        }
        d += m * (p1 - p);
        let scale = b.emissions + b.bank_hedge + b.bank_slope * (b.bank_value + 3000.0);
        prop_assert!(close(d, b.net_demand(p1), 1e-9 * (1.0 + scale)), "{d} vs {}", b.net_demand(p1));
        prop_assert!(b.net_demand(p1) <= b.net_demand(p0) + 1e-9 * (1.0 + scale));
        prop_assert!(b.net_demand_left(p0) >= b.net_demand(p0) - 1e-9 * (1.0 + scale));
        let a = b.abatement(p0);
        let cost = |x: f64| 0.5 * b.mac_slope * x * x + p0 * b.obligation_at(x);
        for i in 0..=20 {
            let x = b.abatement_min + (b.abatement_max - b.abatement_min) * f64::from(i) / 20.0;
            prop_assert!(cost(a) <= cost(x) + 1e-7 * (1.0 + cost(x).abs()), "a {a} x {x}");
        }
    }
}
