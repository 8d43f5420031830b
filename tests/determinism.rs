//! Determinism: the same scenario and seed give byte-identical Parquet files; another seed
//! gives different firm rows.

use crate::common::*;
use tempfile::TempDir;

#[test]
fn same_seed_same_bytes_other_seed_differs() {
    let tmp = TempDir::new().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    for (dir, seed) in [(&a, "5"), (&b, "5"), (&c, "6")] {
        let o = synergy(&[
            "run",
            "--out",
            dir.to_str().unwrap(),
            "--seed",
            seed,
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let files = files_below(&a.join("default"));
    assert!(files.len() >= 9, "{files:?}");
    assert_eq!(files, files_below(&b.join("default")));
    for f in &files {
        let x = comparable(&a.join("default").join(f));
        let y = comparable(&b.join("default").join(f));
        assert!(x == y, "{} differs between identical runs", f.display());
    }
    let fy = "firm_year/scenario=default/part-0.parquet";
    let x = std::fs::read(a.join("default").join(fy)).unwrap();
    let z = std::fs::read(c.join("default").join(fy)).unwrap();
    assert_ne!(x, z, "a different seed must give different firm rows");
}

/// Keyed draws do not depend on what else is in the world: adding steel firms leaves every
/// power firm unchanged (common random numbers across scenarios).
#[test]
fn firm_draws_are_keyed_by_sector_and_index() {
    let tmp = TempDir::new().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (dir, steel) in [
        (&a, "sectors.steel.firms=250"),
        (&b, "sectors.steel.firms=400"),
    ] {
        let o = synergy(&[
            "run",
            "--out",
            dir.to_str().unwrap(),
            "--quiet",
            "--set",
            "scenario.end_year=2006",
            "--set",
            steel,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let fa = read_table(&a.join("default"), "firms");
    let fb = read_table(&b.join("default"), "firms");
    let (sa, sb) = (cats(&fa, "sector"), cats(&fb, "sector"));
    let pick =
        |f: &[arrow::record_batch::RecordBatch], s: &[Option<String>], col: &str| -> Vec<f64> {
            f64s(f, col)
                .into_iter()
                .zip(s)
                .filter(|(_, s)| s.as_deref() == Some("power"))
                .map(|(v, _)| v)
                .collect()
        };
    for col in [
        "mac_slope",
        "base_output",
        "energy_intensity",
        "hurdle_rate",
    ] {
        let (x, y) = (pick(&fa, &sa, col), pick(&fb, &sb, col));
        assert_eq!(x.len(), 2200);
        assert_eq!(x, y, "{col}");
    }
    assert_eq!(
        sb.iter().filter(|s| s.as_deref() == Some("steel")).count(),
        400
    );
}
