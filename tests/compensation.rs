//! Eco-compensation and regional benchmark adjustment (MODEL.md 7.25) through the binary: the
//! two-province closed form, flows that add up to the share of revenue assigned to them on a
//! national tax, and the benchmark factor in firms' free allocation.

use crate::common::*;
use tempfile::TempDir;

/// (year, from, to, amount) of compensation_year.
fn flows(ds: &std::path::Path) -> Vec<(i32, String, String, f64)> {
    let b = read_table(ds, "compensation_year");
    let (y, f, t, a) = (
        i32s(&b, "year"),
        cats(&b, "from_province"),
        cats(&b, "to_province"),
        f64s(&b, "amount"),
    );
    (0..y.len())
        .map(|i| (y[i], f[i].clone().unwrap(), t[i].clone().unwrap(), a[i]))
        .collect()
}

/// Tax revenue 5,000 CNY a year from Jiangsu; 40 % paid to both provinces by population (or
/// development tier: equal GDP per person gives the same split); the rest to Jiangsu's city.
/// By abatement nobody qualifies (no firm can abate): nothing is compensated.
#[test]
fn compensation_pays_the_share_of_revenue_to_provinces_by_the_rule() {
    let tmp = TempDir::new().unwrap();
    for rule in ["population", "development", "abatement"] {
        let out = tmp.path().join(rule);
        let set = format!("markets.tax.compensation.rule = \"{rule}\"");
        run_ok(&validation("compensation"), &out, &["--set", &set]);
        let ds = out.join("compensation");
        let f = flows(&ds);
        let cy = read_table(&ds, "city_year");
        let (city, recycled) = (u32s(&cy, "city_id"), f64s(&cy, "recycled_revenue"));
        let my = read_table(&ds, "market_year");
        for r in f64s(&my, "recycled") {
            assert!(close(r, 5000.0, 1e-12), "{rule}: recycled {r}");
        }
        if rule == "abatement" {
            assert!(f.is_empty(), "{f:?}");
        } else {
            assert_eq!(f.len(), 6, "{rule}: {f:?}");
            for (_, from, _, amount) in &f {
                assert_eq!(from, "Jiangsu");
                assert!(close(*amount, 1000.0, 1e-12), "{rule}: {amount}");
            }
        }
        let xinjiang = if rule == "abatement" { 0.0 } else { 1000.0 };
        for i in 0..city.len() {
            let want = if city[i] == 0 {
                xinjiang
            } else {
                5000.0 - xinjiang
            };
            assert!(
                close(recycled[i], want, 1e-12),
                "{rule} city {}: {}",
                city[i],
                recycled[i]
            );
        }
        assert!(conservation_violations(&out).is_empty());
    }
}

/// On the national tax regime, 30 % of each year's revenue goes to provinces by development
/// tier: the flows of every year add up to 0.3 x revenue, poorer provinces receive more per
/// person, and money is conserved.
#[test]
fn compensation_flows_sum_to_the_revenue_assigned_on_a_national_tax() {
    let tmp = TempDir::new().unwrap();
    let file = root().join("configs/regimes/tax.toml");
    run_ok(
        &file,
        tmp.path(),
        &[
            "--set",
            "markets.carbon_tax.compensation = { share = 0.3, rule = \"development\" }",
            "--set",
            "output.firm_level = \"none\"",
        ],
    );
    let ds = tmp.path().join("tax");
    let f = flows(&ds);
    assert!(!f.is_empty());
    let my = read_table(&ds, "market_year");
    let (year, market, revenue) = (
        i32s(&my, "year"),
        cats(&my, "market"),
        f64s(&my, "auction_revenue"),
    );
    for i in 0..year.len() {
        if market[i].as_deref() != Some("carbon_tax") || revenue[i] <= 0.0 {
            continue;
        }
        let paid: f64 = f.iter().filter(|x| x.0 == year[i]).map(|x| x.3).sum();
        assert!(
            close(paid, 0.3 * revenue[i], 1e-9),
            "{}: {paid} vs {}",
            year[i],
            revenue[i]
        );
    }
    // Receipts per person in 2030: Gansu (poor) above Beijing (rich).
    let to = |p: &str| -> f64 {
        f.iter()
            .filter(|x| x.0 == 2030 && x.2 == p)
            .map(|x| x.3)
            .sum()
    };
    let prov = read_table(&ds, "cities");
    let (pname, pop_base) = (cats(&prov, "province"), f64s(&prov, "population"));
    let pop = |p: &str| -> f64 {
        (0..pname.len())
            .filter(|&i| pname[i].as_deref() == Some(p))
            .map(|i| pop_base[i])
            .sum()
    };
    assert!(to("Gansu") / pop("Gansu") > 2.0 * to("Beijing") / pop("Beijing"));
    assert!(conservation_violations(tmp.path()).is_empty());
}

/// `benchmark_adjustment = { Xinjiang = 1.1 }` on the default: the national market's power
/// plants in Xinjiang receive 1.1 x the benchmark per MWh in 2022, the others 1 x.
#[test]
fn benchmark_adjustment_scales_free_allocation_in_its_province() {
    let tmp = TempDir::new().unwrap();
    run_ok(
        &root().join("configs/default.toml"),
        tmp.path(),
        &[
            "--set",
            "markets.national.benchmark_adjustment = { Xinjiang = 1.1 }",
        ],
    );
    let ds = tmp.path().join("default");
    let firms = read_table(&ds, "firms");
    let cities = read_table(&ds, "cities");
    let (cid, cprov) = (u32s(&cities, "city_id"), cats(&cities, "province"));
    let prov_of = |c: u32| {
        cprov[cid.iter().position(|x| *x == c).unwrap()]
            .clone()
            .unwrap()
    };
    let (fid, fcity, class) = (
        u32s(&firms, "firm_id"),
        u32s(&firms, "city_id"),
        cats(&firms, "class"),
    );
    let fy = read_table(&ds, "firm_year");
    let (id, year, market, alloc, output) = (
        u32s(&fy, "firm_id"),
        i32s(&fy, "year"),
        cats(&fy, "market"),
        f64s(&fy, "allocation"),
        f64s(&fy, "output"),
    );
    let (mut xj, mut rest) = (Vec::new(), Vec::new());
    for i in 0..id.len() {
        if year[i] != 2022 || market[i].as_deref() != Some("national") || output[i] <= 0.0 {
            continue;
        }
        let k = fid.iter().position(|x| *x == id[i]).unwrap();
        if class[k].as_deref() != Some("power") {
            continue;
        }
        let ratio = alloc[i] / output[i];
        if prov_of(fcity[k]) == "Xinjiang" {
            xj.push(ratio);
        } else {
            rest.push(ratio);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    assert!(!xj.is_empty() && !rest.is_empty());
    let (a, b) = (median(&mut xj), median(&mut rest));
    assert!(close(a / b, 1.1, 1e-9), "Xinjiang {a} t/MWh, others {b}");
}
