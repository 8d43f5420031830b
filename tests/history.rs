//! `synergy validate-history` (MODEL.md section 8.1): the default against the observed
//! series, through the binary; the model values match the dataset's own rows; bad tables are
//! refused with exit code 2.

use crate::common::*;
use tempfile::TempDir;

#[test]
fn the_default_is_compared_with_every_observation() {
    let tmp = TempDir::new().unwrap();
    run_ok(std::path::Path::new("-"), tmp.path(), &[]);
    let ds = tmp.path().join("default");
    let out = tmp.path().join("vh.csv");
    let o = synergy(&[
        "validate-history",
        ds.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head = r.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let observed = synergy::history::observed::parse(
        synergy::history::observed::EMBEDDED_OBSERVED,
        "observed",
    )
    .unwrap();
    assert_eq!(rows.len(), observed.len());
    // Every observation of the default's years and markets has a model value.
    for row in &rows {
        assert_eq!(&row[col("runs")], "1", "{row:?}");
        let m: f64 = row[col("model_mean")].parse().unwrap();
        assert!(m.is_finite(), "{row:?}");
    }
    // The national price of 2024 is the dataset's market_year row.
    let my = read_table(&ds, "market_year");
    let (years, markets, prices) = (i32s(&my, "year"), cats(&my, "market"), f64s(&my, "price"));
    let i = (0..years.len())
        .find(|&i| years[i] == 2024 && markets[i].as_deref() == Some("national"))
        .unwrap();
    let row = rows
        .iter()
        .find(|r| {
            &r[col("series")] == "price"
                && &r[col("scope")] == "national"
                && &r[col("year")] == "2024"
        })
        .unwrap();
    let m: f64 = row[col("model_mean")].parse().unwrap();
    assert_eq!(m, prices[i]);
    let err: f64 = row[col("relative_error")].parse().unwrap();
    assert!((err - (prices[i] - 95.96) / 95.96).abs() < 1e-12);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("energy_intensity_change") && stdout.contains("pp"),
        "{stdout}"
    );
}

#[test]
fn a_bad_observed_table_is_refused_naming_the_row() {
    let tmp = TempDir::new().unwrap();
    let bad = tmp.path().join("obs.csv");
    std::fs::write(
        &bad,
        "series,scope,year,from_year,value,unit,source,confidence\nprice,national,2021,,x,CNY/t,s,H\n",
    )
    .unwrap();
    let o = synergy(&[
        "validate-history",
        tmp.path().to_str().unwrap(),
        "--observed",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("obs.csv: observation 1"), "{err}");
    // No dataset below the folder: exit 2 as well.
    let o = synergy(&["validate-history", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no dataset found"));
}

/// The observed change of `series` from `from` to `to` and the model's, from a
/// validate-history table.
fn change(text: &str, series: &str, from: &str, to: &str) -> (f64, f64) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head = r.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    for row in r.records().map(|x| x.unwrap()) {
        if &row[col("series")] == series
            && &row[col("from_year")] == from
            && &row[col("year")] == to
        {
            return (
                row[col("observed")].parse().unwrap(),
                row[col("model_mean")].parse().unwrap(),
            );
        }
    }
    panic!("no {series} {from}-{to} row");
}

/// configs/scenarios/history_renewal.toml (MODEL.md 7.28): firms start from 2005
/// intensities and their capacity renews at new plants' intensities. The 2021 intensities
/// of every sector emerge within 2 % of the 2021 values the default imposes from the start
/// (power 0.305 tce/MWh, steel 0.56, cement 0.095, aluminium 3.0, other industry 0.4), and
/// the 11th plan's energy intensity falls at least 5 pp more than in the default (-13 % against
/// -6 %; -19.1 % observed).
#[test]
fn renewal_from_2005_reproduces_the_2021_intensities() {
    let tmp = TempDir::new().unwrap();
    let file = root().join("configs/scenarios/history_renewal.toml");
    run_ok(&file, tmp.path(), &["--set", "scenario.end_year=2021"]);
    run_ok(
        std::path::Path::new("-"),
        tmp.path(),
        &[
            "--set",
            "scenario.end_year=2010",
            "--set",
            "output.firm_level=\"none\"",
        ],
    );
    let ds = tmp.path().join("history_renewal");
    let firms = read_table(&ds, "firms");
    let sector_of: std::collections::HashMap<u32, String> = u32s(&firms, "firm_id")
        .into_iter()
        .zip(cats(&firms, "sector"))
        .map(|(id, s)| (id, s.unwrap()))
        .collect();
    let fy = read_table(&ds, "firm_year");
    let (years, ids) = (i32s(&fy, "year"), u32s(&fy, "firm_id"));
    let (output, ei) = (f64s(&fy, "output"), f64s(&fy, "energy_intensity"));
    let mut sums: std::collections::BTreeMap<&str, (f64, f64)> = Default::default();
    for i in 0..years.len() {
        if years[i] == 2021 {
            let e = sums.entry(sector_of[&ids[i]].as_str()).or_default();
            e.0 += output[i] * ei[i];
            e.1 += output[i];
        }
    }
    for (sector, want) in [
        ("power", 0.305),
        ("steel", 0.56),
        ("cement", 0.095),
        ("aluminium", 3.0),
        ("other_industry", 0.4),
    ] {
        let (energy, out) = sums[sector];
        let got = energy / out;
        assert!(
            close(got, want, 0.02),
            "{sector}: {got} tce/unit in 2021, want {want}"
        );
    }
    let table = |d: &std::path::Path| {
        let out = d.join("vh.csv");
        let o = synergy(&[
            "validate-history",
            d.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(out).unwrap()
    };
    let (obs, renewal) = change(&table(&ds), "energy_intensity_change", "2005", "2010");
    let (_, default) = change(
        &table(&tmp.path().join("default")),
        "energy_intensity_change",
        "2005",
        "2010",
    );
    assert_eq!(obs, -0.191);
    assert!(
        renewal < default - 0.05 && renewal > obs - 0.03,
        "11th plan: renewal {renewal}, default {default}"
    );
}
