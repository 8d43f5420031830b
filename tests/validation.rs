//! MODEL.md section 8, cases 1, 2 and 7, through the public interface: a scenario file is
//! run by the binary and its Parquet output read back.

use crate::common::*;
use tempfile::TempDir;

/// Case 1, worked example: price 400, abatement 40/20/10, total cost 14,000 (tolerance 1e-9
/// relative), each year.
#[test]
fn case1_worked_example() {
    let tmp = TempDir::new().unwrap();
    run_ok(&validation("linear_mac"), tmp.path(), &[]);
    let ds = tmp.path().join("linear_mac");
    let my = read_table(&ds, "market_year");
    let prices = f64s(&my, "price");
    assert_eq!(prices.len(), 3);
    for p in &prices {
        assert!(close(*p, 400.0, 1e-9), "price {p}");
    }
    let fy = read_table(&ds, "firm_year");
    let years = i32s(&fy, "year");
    let ab = f64s(&fy, "operational_abatement");
    let cost = f64s(&fy, "abatement_cost");
    for y in 2020..=2022 {
        let idx: Vec<usize> = (0..years.len()).filter(|&i| years[i] == y).collect();
        let a: Vec<f64> = idx.iter().map(|&i| ab[i]).collect();
        assert!(
            close(a[0], 40.0, 1e-9) && close(a[1], 20.0, 1e-9) && close(a[2], 10.0, 1e-9),
            "{a:?}"
        );
        let total: f64 = idx.iter().map(|&i| cost[i]).sum();
        assert!(close(total, 14_000.0, 1e-9), "total cost {total}");
    }
    // Equal abatement of 70/3 t each would cost 19,056 CNY: the market saves 5,056.
    let equal: f64 = [10.0, 20.0, 40.0]
        .iter()
        .map(|s| s * (70.0f64 / 3.0).powi(2) / 2.0)
        .sum();
    assert!((equal - 19_055.6).abs() < 0.1);
}

/// Case 1 on random populations: p* = (sum E - C) / sum(1/s) and cost p*(sum E - C)/2 for
/// three seeds of 60 firms (tolerance 1e-8 relative).
#[test]
fn case1_closed_form_on_random_populations() {
    for seed in ["1", "2", "3"] {
        let tmp = TempDir::new().unwrap();
        run_ok(&validation("random_mac"), tmp.path(), &["--seed", seed]);
        let ds = tmp.path().join("random_mac");
        let firms = read_table(&ds, "firms");
        assert_eq!(u32s(&firms, "firm_id").len(), 60);
        let slopes = f64s(&firms, "mac_slope");
        let fy = read_table(&ds, "firm_year");
        let my = read_table(&ds, "market_year");
        let years = i32s(&fy, "year");
        let base = f64s(&fy, "gross_emissions");
        let output = f64s(&fy, "output");
        let alloc = f64s(&fy, "allocation");
        let cost = f64s(&fy, "abatement_cost");
        let base_output = f64s(&firms, "base_output");
        for (k, y) in i32s(&my, "year").iter().enumerate() {
            let idx: Vec<usize> = (0..years.len()).filter(|&i| years[i] == *y).collect();
            assert_eq!(idx.len(), 60);
            let e: f64 = idx.iter().map(|&i| base[i]).sum();
            let cap: f64 = idx.iter().map(|&i| alloc[i]).sum();
            // Fixed output: this year's slope equals the reference slope.
            let inv: f64 = idx
                .iter()
                .enumerate()
                .map(|(j, &i)| {
                    assert!(close(output[i], base_output[j], 1e-9));
                    1.0 / slopes[j]
                })
                .sum();
            let p_star = (e - cap) / inv;
            let price = f64s(&my, "price")[k];
            assert!(
                close(price, p_star, 1e-8),
                "seed {seed} year {y}: {price} vs {p_star}"
            );
            let total: f64 = idx.iter().map(|&i| cost[i]).sum();
            assert!(close(total, p_star * (e - cap) / 2.0, 1e-8), "cost {total}");
            assert!(close(cap, 0.85 * e, 1e-9));
        }
    }
}

/// Case 2 (Montgomery): same price, emissions and cost under benchmark, grandfathering and
/// full auction with the same number of allowances (tolerance 1e-9 relative).
#[test]
fn case2_allocation_rules_are_equivalent() {
    let tmp = TempDir::new().unwrap();
    let cfg = validation("allocation_rules");
    let bench = tmp.path().join("bench");
    run_ok(&cfg, &bench, &[]);
    let my = read_table(&bench.join("allocation_rules"), "market_year");
    let total = f64s(&my, "free_allocation")[0];
    assert!(
        f64s(&my, "free_allocation")
            .iter()
            .all(|v| close(*v, total, 1e-9))
    );
    let cap = format!("markets[0].cap_t={total}");
    let gf = tmp.path().join("gf");
    run_ok(
        &cfg,
        &gf,
        &[
            "--set",
            "markets[0].allocation=\"grandfathering\"",
            "--set",
            "markets[0].benchmarks={}",
            "--set",
            &cap,
        ],
    );
    let auc = tmp.path().join("auction");
    run_ok(
        &cfg,
        &auc,
        &[
            "--set",
            "markets[0].allocation=\"auction\"",
            "--set",
            "markets[0].benchmarks={}",
            "--set",
            &cap,
        ],
    );
    let read = |d: &std::path::Path| {
        let ds = d.join("allocation_rules");
        let my = read_table(&ds, "market_year");
        let fy = read_table(&ds, "firm_year");
        (
            f64s(&my, "price"),
            f64s(&fy, "emissions"),
            f64s(&fy, "abatement_cost").iter().sum::<f64>(),
            f64s(&fy, "net_purchase"),
            f64s(&my, "auctioned"),
        )
    };
    let (p0, e0, c0, n0, a0) = read(&bench);
    for d in [&gf, &auc] {
        let (p, e, c, n, _) = read(d);
        assert!(
            p0.iter().zip(&p).all(|(a, b)| close(*a, *b, 1e-9)),
            "{p0:?} vs {p:?}"
        );
        assert!(e0.iter().zip(&e).all(|(a, b)| close(*a, *b, 1e-9)));
        assert!(close(c0, c, 1e-9));
        // Money flows differ: net purchases are not the same under every rule.
        assert!(n0.iter().zip(&n).any(|(a, b)| (a - b).abs() > 1.0));
    }
    assert!(a0.iter().all(|v| *v == 0.0));
    let (_, _, _, _, a_auc) = read(&auc);
    assert!(a_auc.iter().all(|v| close(*v, total, 1e-9)));
    assert!(p0[0] > 0.0);
}

/// Case 7: conservation in every market and year, non-negative emissions, no NaN in any
/// float column, on the default scenario and the validation scenarios.
#[test]
fn case7_conservation_and_sanity() {
    let tmp = TempDir::new().unwrap();
    let default = tmp.path().join("default-out");
    let o = synergy(&["run", "--out", default.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut datasets = vec![default.join("default")];
    for name in ["linear_mac", "random_mac", "allocation_rules"] {
        let out = tmp.path().join(name);
        run_ok(&validation(name), &out, &[]);
        datasets.push(out.join(name));
    }
    for ds in &datasets {
        assert!(!read_table(ds, "market_year").is_empty());
        let bad = conservation_violations(ds.parent().unwrap());
        assert!(bad.is_empty(), "{}: {}", ds.display(), bad.join("\n"));
        let fy = read_table(ds, "firm_year");
        assert!(f64s(&fy, "emissions").iter().all(|e| *e >= 0.0));
        for table in [
            "firm_year",
            "city_year",
            "market_year",
            "nation_year",
            "firms",
            "cities",
        ] {
            for b in read_table(ds, table) {
                for (field, c) in b.schema().fields().iter().zip(b.columns()) {
                    if field.data_type() == &arrow::datatypes::DataType::Float64 {
                        let a = c
                            .as_any()
                            .downcast_ref::<arrow::array::Float64Array>()
                            .unwrap();
                        assert!(
                            a.iter().flatten().all(f64::is_finite),
                            "{table}.{} has NaN/inf",
                            field.name()
                        );
                    }
                }
            }
        }
    }
}

/// The default reproduces the calibration magnitudes: about 2,200 power entities and 4.5-5 Gt
/// covered in 2021; about 1,500 steel/cement/aluminium entities and about 3 Gt in 2024; the
/// national price in 2021-2025 within CNY 30-120/t.
#[test]
fn default_calibration_magnitudes() {
    let tmp = TempDir::new().unwrap();
    let o = synergy(&["run", "--out", tmp.path().to_str().unwrap(), "--quiet"]);
    assert!(o.status.success());
    let ds = tmp.path().join("default");
    let firms = read_table(&ds, "firms");
    let sector = cats(&firms, "sector");
    let fy = read_table(&ds, "firm_year");
    let (years, market, ids, em) = (
        i32s(&fy, "year"),
        cats(&fy, "market"),
        u32s(&fy, "firm_id"),
        f64s(&fy, "emissions"),
    );
    let count = |y: i32, sectors: &[&str]| {
        let (mut n, mut e) = (0, 0.0);
        for i in 0..years.len() {
            let s = sector[ids[i] as usize].as_deref().unwrap();
            if years[i] == y && market[i].as_deref() == Some("national") && sectors.contains(&s) {
                n += 1;
                e += em[i];
            }
        }
        (n, e)
    };
    let (n_power, e_power) = count(2021, &["power"]);
    assert!((2000..=2300).contains(&n_power), "{n_power} power entities");
    assert!((4.3e9..=5.2e9).contains(&e_power), "{e_power} t power 2021");
    let (n_new, e_new) = count(2024, &["steel", "cement", "aluminium"]);
    assert!(
        (1300..=1600).contains(&n_new),
        "{n_new} new-sector entities"
    );
    assert!(
        (2.6e9..=3.4e9).contains(&e_new),
        "{e_new} t new sectors 2024"
    );
    let my = read_table(&ds, "market_year");
    let (my_years, my_market, price) = (i32s(&my, "year"), cats(&my, "market"), f64s(&my, "price"));
    for i in 0..my_years.len() {
        if my_market[i].as_deref() == Some("national") && (2021..=2025).contains(&my_years[i]) {
            assert!(
                (30.0..=120.0).contains(&price[i]),
                "{}: {}",
                my_years[i],
                price[i]
            );
        }
    }
}

/// Grandfathering hands out scarcity rents: in the linear-MAC case (price 400 CNY/t either
/// way), each firm's profit under grandfathering exceeds its profit when the whole cap is
/// auctioned by exactly the value of its free allocation (allocation x price), and the
/// regulator's revenue under the auction (230 t x 400) is what firms pay in all.
#[test]
fn free_allocation_is_a_scarcity_rent_in_profits() {
    let tmp = TempDir::new().unwrap();
    let (gf, auc) = (tmp.path().join("gf"), tmp.path().join("auc"));
    run_ok(&validation("linear_mac"), &gf, &[]);
    run_ok(
        &validation("linear_mac"),
        &auc,
        &["--set", "markets[0].allocation=\"auction\""],
    );
    let fy_g = read_table(&gf.join("linear_mac"), "firm_year");
    let fy_a = read_table(&auc.join("linear_mac"), "firm_year");
    let (pg, pa, fav) = (
        f64s(&fy_g, "profit"),
        f64s(&fy_a, "profit"),
        f64s(&fy_g, "free_allocation_value"),
    );
    let (alloc, years) = (f64s(&fy_g, "allocation"), i32s(&fy_g, "year"));
    let my = read_table(&gf.join("linear_mac"), "market_year");
    let price_of = |y: i32| {
        let (ys, ps) = (i32s(&my, "year"), f64s(&my, "price"));
        ps[ys.iter().position(|v| *v == y).unwrap()]
    };
    assert_eq!(pg.len(), pa.len());
    for i in 0..pg.len() {
        let want = alloc[i] * price_of(years[i]);
        assert!(
            fav[i] > 0.0 && close(fav[i], want, 1e-12),
            "{} vs {want}",
            fav[i]
        );
        assert!(
            close(pg[i] - pa[i], fav[i], 1e-9),
            "{} - {} vs {}",
            pg[i],
            pa[i],
            fav[i]
        );
    }
    assert!(
        f64s(&fy_a, "free_allocation_value")
            .iter()
            .all(|v| *v == 0.0)
    );
    let ny = read_table(&auc.join("linear_mac"), "nation_year");
    for v in f64s(&ny, "allowance_payments") {
        assert!(close(v, 230.0 * 400.0, 1e-9), "{v}");
    }
    // Revenue is the product price (with the carbon cost passed through) times output, and
    // the goods market's price is the firms'.
    let (rev, pp, out) = (
        f64s(&fy_g, "revenue"),
        f64s(&fy_g, "product_price"),
        f64s(&fy_g, "output"),
    );
    for i in 0..rev.len() {
        assert!(pp[i] >= 100.0 && close(rev[i], pp[i] * out[i], 1e-12));
    }
    let gy = read_table(&gf.join("linear_mac"), "goods_year");
    let (g_rev, g_price, g_out) = (
        f64s(&gy, "revenue"),
        f64s(&gy, "price"),
        f64s(&gy, "output"),
    );
    for i in 0..g_rev.len() {
        assert!(close(g_rev[i], g_price[i] * g_out[i], 1e-12));
    }
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    assert!(close(sum(&g_rev), sum(&rev), 1e-12));
    assert!(close(sum(&f64s(&gy, "profit")), sum(&pg), 1e-12));
}

/// region_peaks on the default: one row per region (the nation, 31 provinces, the
/// agglomerations); the nation's peak agrees with summary.peak_year computed from the national
/// totals; the targets of `[[peaks]]` appear only on their regions.
#[test]
fn region_peaks_cover_every_region_and_agree_with_the_summary() {
    let tmp = TempDir::new().unwrap();
    run_ok(
        std::path::Path::new("-"),
        tmp.path(),
        &["--set", "scenario.end_year=2040"],
    );
    let ds = tmp.path().join("default");
    let rp = read_table(&ds, "region_peaks");
    let level = cats(&rp, "level");
    let region: Vec<String> = cats(&rp, "region")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let years = i32s(&rp, "peak_year");
    let (peak, last) = (f64s(&rp, "peak_emissions"), f64s(&rp, "final_emissions"));
    let count = |l: &str| level.iter().filter(|x| x.as_deref() == Some(l)).count();
    assert_eq!((count("nation"), count("province")), (1, 31));
    assert!(count("agglomeration") >= 5);
    let sum = read_table(&ds, "summary");
    let nation = level
        .iter()
        .position(|l| l.as_deref() == Some("nation"))
        .unwrap();
    assert_eq!(region[nation], "China");
    assert_eq!(years[nation], i32s(&sum, "peak_year")[0]);
    let rel = (peak[nation] - f64s(&sum, "peak_emissions")[0]).abs() / peak[nation];
    assert!(rel < 1e-9, "{} vs summary", peak[nation]);
    // Provinces add up to the nation in the last year.
    let provinces: f64 = (0..level.len())
        .filter(|&i| level[i].as_deref() == Some("province"))
        .map(|i| last[i])
        .sum();
    assert!((provinces - last[nation]).abs() < 1e-6 * last[nation]);
    for i in 0..level.len() {
        assert!(peak[i] >= last[i], "{}", region[i]);
    }
    let target: Vec<Option<i32>> = rp
        .iter()
        .flat_map(|b| {
            let c = b.column_by_name("target_year").unwrap();
            let a = arrow::array::AsArray::as_primitive::<arrow::datatypes::Int32Type>(c);
            (0..a.len())
                .map(|i| (!arrow::array::Array::is_null(a, i)).then(|| a.value(i)))
                .collect::<Vec<_>>()
        })
        .collect();
    let with_target: Vec<&str> = (0..level.len())
        .filter(|&i| target[i].is_some())
        .map(|i| region[i].as_str())
        .collect();
    assert_eq!(with_target, ["China", "Shanghai"]);
}

/// Budget targets of `[[peaks]]` on the default run to 2030: Jiangsu's budget over 2021-2030
/// sums its cities' emissions of those years (checked against city_year); a budget of 1 t for
/// Hubei is exceeded; a budget ending after the run is not decided unless exceeded.
#[test]
fn region_budgets_sum_the_budget_years_and_say_whether_they_were_kept() {
    let tmp = TempDir::new().unwrap();
    run_ok(
        std::path::Path::new("-"),
        tmp.path(),
        &[
            "--set",
            "scenario.end_year=2030",
            "--set",
            "peaks = [{ region = \"Jiangsu\", budget_t = 1e12, budget_years = [2021, 2030] }, { region = \"Hubei\", by = 2030, budget_t = 1 }, { region = \"Guangdong\", budget_t = 1e12, budget_years = [2021, 2040] }, { region = \"Shenzhen\", by = 2025, budget_t = 1e12, budget_years = [2021, 2030] }]",
        ],
    );
    let ds = tmp.path().join("default");
    let rp = read_table(&ds, "region_peaks");
    let region: Vec<String> = cats(&rp, "region")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let budget_em = f64s(&rp, "budget_emissions");
    let opt_bool = |col: &str| -> Vec<Option<bool>> {
        rp.iter()
            .flat_map(|b| {
                let a = arrow::array::AsArray::as_boolean(b.column_by_name(col).unwrap());
                (0..arrow::array::Array::len(a))
                    .map(|i| (!arrow::array::Array::is_null(a, i)).then(|| a.value(i)))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let met = opt_bool("budget_met");
    let at = |name: &str| region.iter().position(|r| r == name).unwrap();
    // Jiangsu's emissions 2021-2030 from city_year.
    let cities = read_table(&ds, "cities");
    let (cid, prov) = (u32s(&cities, "city_id"), cats(&cities, "province"));
    let js: std::collections::BTreeSet<u32> = (0..cid.len())
        .filter(|&i| prov[i].as_deref() == Some("Jiangsu"))
        .map(|i| cid[i])
        .collect();
    let cy = read_table(&ds, "city_year");
    let (y, c) = (i32s(&cy, "year"), u32s(&cy, "city_id"));
    let (cov, unc) = (
        f64s(&cy, "emissions_covered"),
        f64s(&cy, "emissions_uncovered"),
    );
    // Emissions of the cities `keep` selects over 2021-2030.
    let emitted = |keep: &dyn Fn(u32) -> bool| -> f64 {
        (0..y.len())
            .filter(|&i| (2021..=2030).contains(&y[i]) && keep(c[i]))
            .map(|i| cov[i] + unc[i])
            .sum()
    };
    let j = at("Jiangsu");
    let want = emitted(&|city| js.contains(&city));
    assert!(
        close(budget_em[j], want, 1e-9),
        "{} vs {want}",
        budget_em[j]
    );
    assert_eq!(met[j], Some(true));
    assert_eq!(met[at("Hubei")], Some(false), "1 t is exceeded");
    assert_eq!(
        met[at("Guangdong")],
        None,
        "undecided: the budget runs to 2040"
    );
    assert_eq!(met[at("China")], None, "no budget target");
    // A city with a target has its own row (level "city"); other cities have none.
    let level = cats(&rp, "level");
    let cities_rows: Vec<&str> = (0..level.len())
        .filter(|&i| level[i].as_deref() == Some("city"))
        .map(|i| region[i].as_str())
        .collect();
    assert_eq!(cities_rows, ["Shenzhen"]);
    let names = cats(&cities, "name");
    let sz = cid[names
        .iter()
        .position(|n| n.as_deref() == Some("Shenzhen"))
        .unwrap()];
    let k = at("Shenzhen");
    let want = emitted(&|city| city == sz);
    assert!(
        close(budget_em[k], want, 1e-9),
        "{} vs {want}",
        budget_em[k]
    );
}

/// configs/scenarios/peak_cap.toml to 2040: from 2031 the national market's supply is capped
/// at its 2030 covered emissions falling 6 % a year; the benchmark allocation is scaled down
/// to the cap (correction factor below 1), and covered emissions over 2031-2040 stay within
/// the caps plus the bank carried out of 2030.
#[test]
fn a_peak_cap_turns_the_intensity_market_into_an_absolute_cap_after_the_peak_year() {
    let tmp = TempDir::new().unwrap();
    let file = root().join("configs/scenarios/peak_cap.toml");
    run_ok(&file, tmp.path(), &["--set", "scenario.end_year=2040"]);
    let my = read_table(&tmp.path().join("peak_cap"), "market_year");
    let market = cats(&my, "market");
    let (year, covered, free, auctioned, cap, k, bank) = (
        i32s(&my, "year"),
        f64s(&my, "covered_emissions"),
        f64s(&my, "free_allocation"),
        f64s(&my, "auctioned"),
        f64s(&my, "peak_cap"),
        f64s(&my, "correction_factor"),
        f64s(&my, "bank_total"),
    );
    let national: Vec<usize> = (0..year.len())
        .filter(|&i| market[i].as_deref() == Some("national"))
        .collect();
    let at = |y: i32| *national.iter().find(|&&i| year[i] == y).unwrap();
    let y2030 = at(2030);
    assert!(
        cap[y2030].is_nan() && k[y2030].is_nan(),
        "no cap up to the peak year"
    );
    let first = at(2031);
    assert!(
        close(cap[first], 0.94 * covered[y2030], 1e-12),
        "{}",
        cap[first]
    );
    let (mut caps, mut emitted, mut binding) = (0.0, 0.0, 0);
    for y in 2031..=2040 {
        let i = at(y);
        assert!(close(cap[i], cap[first] * 0.94f64.powi(y - 2031), 1e-9));
        assert!(k[i] > 0.0 && k[i] <= 1.0, "{y}: {}", k[i]);
        assert!(
            free[i] + auctioned[i] <= cap[i] * (1.0 + 1e-9),
            "{y}: supply above the cap"
        );
        binding += usize::from(k[i] < 1.0);
        caps += cap[i];
        emitted += covered[i];
    }
    assert!(binding >= 5, "the cap binds in most years: {binding}");
    // Direct emissions only: the national market counts no indirect emissions.
    assert!(
        emitted <= caps + bank[y2030] + 1e-6 * caps,
        "{emitted} > {caps} + {}",
        bank[y2030]
    );
}
