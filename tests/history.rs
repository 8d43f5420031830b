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
