//! Forward-looking expectations and banking (MODEL.md section 7.19): the Hotelling path
//! under foresight, a surplus priced from the first year, the banking limit; through the
//! binary and the Parquet output.

use crate::common::*;
use tempfile::TempDir;

/// Runs `configs/validation/<name>.toml` with `extra` options; returns the dataset folder.
fn run_case(name: &str, extra: &[&str]) -> (TempDir, std::path::PathBuf) {
    let tmp = TempDir::new().unwrap();
    run_ok(&validation(name), tmp.path(), extra);
    let ds = tmp.path().join(name);
    (tmp, ds)
}

/// (year, price, bank at year end) of the one market, in year order.
fn market_path(ds: &std::path::Path) -> Vec<(i32, f64, f64)> {
    let my = read_table(ds, "market_year");
    let mut v: Vec<(i32, f64, f64)> = i32s(&my, "year")
        .into_iter()
        .zip(f64s(&my, "price"))
        .zip(f64s(&my, "bank_total"))
        .map(|((y, p), b)| (y, p, b))
        .collect();
    v.sort_by_key(|x| x.0);
    v
}

/// Cap 250 t then 150 t from 2025, banking, foresight, r = 5 %: the price grows at 5 % (1e-3
/// relative) between years while the bank is positive, starts at the closed form 454.3
/// CNY/t, has no jump at the step (against x3 without banking), and cumulative emissions
/// equal the cumulative cap; the fixed point's gap and change are below the tolerance.
#[test]
fn hotelling_price_grows_at_the_discount_rate_while_the_bank_is_positive() {
    let (_t, ds) = run_case("hotelling", &[]);
    let path = market_path(&ds);
    assert_eq!(path.len(), 10);
    let mut banked_years = 0;
    for w in path.windows(2) {
        let ((y, p0, bank), (_, p1, _)) = ((w[0].0, w[0].1, w[0].2), (w[1].0, w[1].1, w[1].2));
        if bank > 1e-6 {
            banked_years += 1;
            assert!(
                close(p1 / p0, 1.05, 1e-3),
                "{y}: growth {} with bank {bank}",
                p1 / p0 - 1.0
            );
        }
    }
    assert!(
        banked_years >= 8,
        "the bank is positive until the end: {path:?}"
    );
    let sum_growth: f64 = (0..10).map(|k| 1.05f64.powi(k)).sum();
    assert!(
        close(path[0].1, 1000.0 / 0.175 / sum_growth, 1e-3),
        "{path:?}"
    );
    assert!(path[9].2.abs() < 1e-6, "the bank is used up: {path:?}");
    let summary = read_table(&ds, "summary");
    let emissions = f64s(&summary, "cumulative_emissions")[0];
    assert!(
        close(emissions, 2000.0, 1e-6),
        "cumulative emissions {emissions}"
    );
    assert!(u32s(&summary, "foresight_iterations")[0] >= 1);
    assert!(f64s(&summary, "foresight_residual")[0] < 1e-5);
    assert!(f64s(&summary, "foresight_gap")[0] < 1e-4);
    // The jump at the step: x1.05 with banking, x3 without.
    let jump = path[5].1 / path[4].1;
    let (_n, plain) = run_case("hotelling", &["--set", "markets.market.banking=false"]);
    let plain = market_path(&plain);
    let plain_jump = plain[5].1 / plain[4].1;
    assert!(close(plain_jump, 3.0, 1e-9), "no banking: x{plain_jump}");
    assert!(jump < 1.1 && jump < plain_jump, "jump x{jump}");
}

/// A surplus (cap 400 t for 300 t emitted) for five years, then 150 t: under adaptive
/// expectations the price is 0 while the surplus is banked; under foresight it is positive
/// from the first year (the closed form 113.6 CNY/t: 250 t must be abated over ten years).
#[test]
fn a_surplus_before_scarcity_is_priced_from_the_first_year_under_foresight() {
    let cap = "markets.market.cap_t=[[2020, 400], [2024, 400], [2025, 150], [2029, 150]]";
    let (_f, fds) = run_case("hotelling", &["--set", cap]);
    let path = market_path(&fds);
    let sum_growth: f64 = (0..10).map(|k| 1.05f64.powi(k)).sum();
    assert!(
        close(path[0].1, 250.0 / 0.175 / sum_growth, 1e-3),
        "{path:?}"
    );
    assert!(path.iter().all(|x| x.1 > 100.0), "{path:?}");
    let (_a, ads) = run_case(
        "hotelling",
        &[
            "--set",
            cap,
            "--set",
            "markets.market.expectations=\"adaptive\"",
        ],
    );
    let adaptive = market_path(&ads);
    assert_eq!(
        adaptive[0].1, 0.0,
        "adaptive: no price in a surplus {adaptive:?}"
    );
}

/// China's banking limit on a constructed case (configs/validation/banking_limit.toml): firms
/// hedge a bank of 20 % of emissions under a cap of 280 t; at most 5 t + 1.5 x net sales may
/// be banked. Every firm's bank is min(its 20 % hedge, 5 + 1.5 x its net sales): the seller
/// keeps its hedge, the two buyers are held at exactly 5 t, and 2 x (hedge - 5) t is
/// cancelled.
#[test]
fn the_banking_limit_binds_at_the_fixed_part_plus_a_multiple_of_net_sales() {
    let (_t, ds) = run_case("banking_limit", &[]);
    let fy = read_table(&ds, "firm_year");
    let first: Vec<usize> = (0..i32s(&fy, "year").len())
        .filter(|&i| i32s(&fy, "year")[i] == 2020)
        .collect();
    let pick = |col: &str| -> Vec<f64> {
        let v = f64s(&fy, col);
        first.iter().map(|&i| v[i]).collect()
    };
    let (bank, net, gross) = (pick("bank"), pick("net_purchase"), pick("gross_emissions"));
    assert_eq!(bank.len(), 3);
    let mut cancelled_want = 0.0;
    for i in 0..3 {
        let hedge = 0.2 * gross[i];
        let limit = 5.0 + 1.5 * (-net[i]).max(0.0);
        assert!(
            close(bank[i], hedge.min(limit), 1e-9),
            "firm {i}: bank {} hedge {hedge} limit {limit}",
            bank[i]
        );
        cancelled_want += (hedge - limit).max(0.0);
    }
    // At 457.1 CNY/t firm 1 sells 19.0 t, firms 2 and 3 buy; the buyers bank exactly 5 t.
    let my = read_table(&ds, "market_year");
    let y2020 = i32s(&my, "year").iter().position(|&y| y == 2020).unwrap();
    let p = f64s(&my, "price")[y2020];
    assert!(close(p, 80.0 / 0.175, 1e-9), "price {p}");
    // Firm 1 keeps 100 - p / 10 + 20 of its 93.33 t: it sells p / 10 - 26.67.
    assert!(close(-net[0], p / 10.0 - 80.0 / 3.0, 1e-9), "{net:?}");
    assert!(net[1] > 0.0 && net[2] > 0.0, "{net:?}");
    assert!(
        close(bank[1], 5.0, 1e-9) && close(bank[2], 5.0, 1e-9),
        "{bank:?}"
    );
    let cancelled = f64s(&my, "cancelled")[y2020];
    assert!(
        close(cancelled, cancelled_want, 1e-9) && close(cancelled, 30.0, 1e-9),
        "cancelled {cancelled} vs {cancelled_want}"
    );
}

/// The market stability reserve on a bank path made by the model
/// (configs/validation/msr.toml): in every year the intake is 24 % of the allowances in
/// circulation (bank_start) above 100 t, at most the auction volume before it; the release is
/// 20 t below 40 t, at most the stock; the stock is continuous and never above 100 t (the rest
/// invalidated); the auction is 165 t net of intake plus release.
#[test]
fn the_stability_reserve_takes_in_and_releases_by_its_rule_on_the_bank_path() {
    let (_t, ds) = run_case("msr", &[]);
    let my = read_table(&ds, "market_year");
    let mut rows: Vec<(i32, [f64; 6])> = i32s(&my, "year")
        .into_iter()
        .enumerate()
        .map(|(i, y)| {
            let col = |c: &str| f64s(&my, c)[i];
            (
                y,
                [
                    col("bank_start"),
                    col("msr_intake"),
                    col("msr_release"),
                    col("msr_invalidated"),
                    col("msr_stock"),
                    col("auctioned"),
                ],
            )
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    let mut stock = 0.0;
    let mut intakes = 0;
    for (y, [tnac, intake, release, invalid, after, auctioned]) in rows {
        let base = 165.0;
        let (want_in, want_out) = if tnac > 100.0 {
            ((0.24 * tnac).min(base), 0.0)
        } else if tnac < 40.0 {
            (0.0, 20.0f64.min(stock))
        } else {
            (0.0, 0.0)
        };
        assert!(
            close(intake, want_in, 1e-9) || (intake - want_in).abs() < 1e-9,
            "{y}: intake {intake} vs {want_in}"
        );
        assert!(
            (release - want_out).abs() < 1e-9,
            "{y}: release {release} vs {want_out}"
        );
        let before_invalid = stock + want_in - want_out;
        let want_invalid = (before_invalid - 100.0).max(0.0);
        assert!(
            (invalid - want_invalid).abs() < 1e-9,
            "{y}: invalidated {invalid}"
        );
        stock = before_invalid - want_invalid;
        assert!(
            (after - stock).abs() < 1e-9,
            "{y}: stock {after} vs {stock}"
        );
        assert!(
            (auctioned - (base - intake + release)).abs() < 1e-9,
            "{y}: auctioned {auctioned}"
        );
        if intake > 0.0 {
            intakes += 1;
        }
    }
    assert!(intakes >= 5, "the reserve takes in on most years");
}

/// The markets of the embedded default, each set to `mode`.
fn every_market(mode: &str) -> Vec<String> {
    [
        "national",
        "shenzhen",
        "shanghai",
        "beijing",
        "guangdong",
        "tianjin",
        "hubei",
        "chongqing",
        "fujian",
    ]
    .iter()
    .flat_map(|m| {
        [
            "--set".to_string(),
            format!("markets.{m}.expectations=\"{mode}\""),
        ]
    })
    .collect()
}

/// Runs the embedded default with every market under `mode`; returns its `summary` batches.
fn default_with(tmp: &TempDir, mode: &str) -> (std::path::PathBuf, Vec<arrow::array::RecordBatch>) {
    let out = tmp.path().join(mode);
    let mut args = vec![
        "run".to_string(),
        "--out".into(),
        out.to_str().unwrap().into(),
        "--quiet".into(),
    ];
    args.extend(every_market(mode));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = synergy(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ds = out.join("default");
    let summary = read_table(&ds, "summary");
    (ds, summary)
}

/// The default scenario with every market under foresight: the fixed point meets its
/// convergence criterion (the last change of the expected path below foresight.tolerance =
/// 1e-3) within its iteration budget and reports the iterations and the gap; under
/// announced expectations the default runs too, without a fixed point.
#[test]
fn the_foresight_fixed_point_converges_on_the_default() {
    let tmp = TempDir::new().unwrap();
    let (ds, summary) = default_with(&tmp, "foresight");
    let iterations = u32s(&summary, "foresight_iterations")[0];
    let residual = f64s(&summary, "foresight_residual")[0];
    let gap = f64s(&summary, "foresight_gap")[0];
    assert!(
        iterations > 1 && iterations < 200,
        "{iterations} iterations"
    );
    assert!(residual < 1e-3, "residual {residual}");
    assert!(gap.is_finite() && gap >= 0.0, "gap {gap}");
    let prices = f64s(&read_table(&ds, "market_year"), "price");
    assert!(prices.iter().all(|p| p.is_finite() && *p >= 0.0));

    let (_, summary) = default_with(&tmp, "announced");
    assert_eq!(u32s(&summary, "foresight_iterations")[0], 0);
    assert!(
        f64s(&summary, "foresight_residual")[0].is_nan(),
        "null without foresight"
    );
}

/// Borrowing under foresight, the mirror of banking: a cap of 150 t (2020-2024) then 250 t,
/// borrowing up to twice a firm's allocation. Firms borrow early and repay from later
/// allocations: the price rises at 5 % in every year but the last (within 1e-3), starts at the
/// same closed form as with the cap the other way round (454.3 CNY/t: the cumulative cap is
/// again 2,000 t), and cumulative emissions equal the cumulative cap; no debt is left and the
/// allowance balance with `borrowed` holds in every year. Without borrowing the price falls at
/// the step.
#[test]
fn borrowing_lets_the_price_rise_at_the_discount_rate_before_a_looser_cap() {
    let cap = "markets.market.cap_t=[[2020, 150], [2024, 150], [2025, 250], [2029, 250]]";
    let borrow = "markets.market.borrowing={share_of_allocation = 2}";
    let (_b, ds) = run_case("hotelling", &["--set", cap, "--set", borrow]);
    let path = market_path(&ds);
    for w in path[..9].windows(2) {
        assert!(
            close(w[1].1 / w[0].1, 1.05, 1e-3),
            "{} -> {}: {path:?}",
            w[0].0,
            w[1].0
        );
    }
    let sum_growth: f64 = (0..10).map(|k| 1.05f64.powi(k)).sum();
    assert!(
        close(path[0].1, 1000.0 / 0.175 / sum_growth, 1e-3),
        "{path:?}"
    );
    let my = read_table(&ds, "market_year");
    assert!(
        f64s(&my, "borrowed").iter().take(5).all(|b| *b > 1.0),
        "borrowed early"
    );
    let emissions = f64s(&read_table(&ds, "summary"), "cumulative_emissions")[0];
    assert!(
        close(emissions, 2000.0, 1e-6),
        "cumulative emissions {emissions}"
    );
    let bad = conservation_violations(ds.parent().unwrap());
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let (_n, plain) = run_case("hotelling", &["--set", cap]);
    let plain = market_path(&plain);
    assert!(
        plain[5].1 < 0.5 * plain[4].1,
        "no borrowing: the price falls {plain:?}"
    );
}
