use super::*;
use std::io::Write;

fn uni(min: f64, max: f64) -> Dist {
    Dist::Uniform { min, max }
}
fn tri(min: f64, mode: f64, max: f64) -> Dist {
    Dist::Triangular { min, mode, max }
}

/// Triangular CDF, to check strata through the closed-form quantile.
fn tri_cdf(x: f64, min: f64, mode: f64, max: f64) -> f64 {
    if x < mode {
        (x - min).powi(2) / ((max - min) * (mode - min))
    } else {
        1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
    }
}

fn column(rows: &[Vec<f64>], j: usize) -> Vec<f64> {
    rows.iter().map(|r| r[j]).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn inverse_normal_matches_reference_values() {
    // Reference values from Python's statistics.NormalDist().inv_cdf.
    let cases = [
        (0.5, 0.0),
        (0.975, 1.959_963_984_540_053_6),
        (0.001, -3.090_232_306_167_813),
        (1e-10, -6.361_340_902_404_056),
        (0.841_344_746_068_542_9, 1.0),
    ];
    for (p, z) in cases {
        let got = inverse_normal_cdf(p);
        assert!(
            (got - z).abs() < 1e-12 * z.abs().max(1.0),
            "{p}: {got} vs {z}"
        );
        // Symmetry where 1 - p is represented accurately.
        if p >= 1e-3 {
            assert!((inverse_normal_cdf(1.0 - p) + z).abs() < 1e-12 * z.abs().max(1.0));
        }
    }
    assert_eq!(inverse_normal_cdf(0.0), f64::NEG_INFINITY);
    assert_eq!(inverse_normal_cdf(1.0), f64::INFINITY);
    assert!(inverse_normal_cdf(f64::NAN).is_nan());
    // Quantiles stay finite at the ends of [0, 1].
    let n = Dist::Normal { mean: 0.0, sd: 1.0 };
    assert!(n.quantile(0.0).is_finite() && n.quantile(1.0).is_finite());
}

#[test]
fn triangular_quantile_inverts_the_cdf() {
    for u in [0.0, 0.01, 0.2, 0.25, 0.5, 0.9, 0.999] {
        let x = tri(1.0, 2.0, 5.0).quantile(u);
        assert!((tri_cdf(x, 1.0, 2.0, 5.0) - u).abs() < 1e-12, "{u}: {x}");
    }
}

#[test]
fn grid_is_the_product_with_the_first_parameter_slowest() {
    let rows = grid(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]);
    let expect = [
        [1.0, 10.0],
        [1.0, 20.0],
        [1.0, 30.0],
        [2.0, 10.0],
        [2.0, 20.0],
        [2.0, 30.0],
    ];
    assert_eq!(rows.len(), 6);
    for (r, e) in rows.iter().zip(expect) {
        assert_eq!(r.as_slice(), e.as_slice());
    }
    assert_eq!(
        grid(&[vec![1.0, 2.0], vec![1.0; 3], vec![0.0; 4]]).len(),
        24
    );
    assert_eq!(grid(&[]), vec![Vec::<f64>::new()]);
    assert!(grid(&[vec![1.0], vec![]]).is_empty());
}

#[test]
fn lhs_puts_one_point_in_each_stratum() {
    for n in [10usize, 37] {
        let rows = lhs(&[uni(10.0, 20.0), tri(0.0, 1.0, 5.0), uni(-1.0, 1.0)], n, 7);
        assert_eq!(rows.len(), n);
        let strata = |f: &dyn Fn(f64) -> f64, j: usize| {
            let mut s: Vec<usize> = column(&rows, j)
                .into_iter()
                .map(|x| (f(x) * n as f64).floor() as usize)
                .collect();
            s.sort_unstable();
            s
        };
        let all: Vec<usize> = (0..n).collect();
        assert_eq!(strata(&|x| (x - 10.0) / 10.0, 0), all, "n = {n}");
        assert_eq!(strata(&|x| tri_cdf(x, 0.0, 1.0, 5.0), 1), all, "n = {n}");
        assert_eq!(strata(&|x| (x + 1.0) / 2.0, 2), all, "n = {n}");
    }
}

#[test]
fn lhs_and_random_marginals_have_the_right_mean() {
    let n = 20_000;
    let dists = [
        uni(40.0, 120.0),
        Dist::Normal { mean: 5.0, sd: 2.0 },
        Dist::Lognormal {
            median: 80.0,
            sigma: 0.4,
        },
        tri(0.0, 1.0, 5.0),
    ];
    // (mean, standard deviation) of each distribution.
    let lognormal_mean = 80.0 * (0.08f64).exp();
    let lognormal_sd = lognormal_mean * ((0.16f64).exp() - 1.0).sqrt();
    let tri_sd = ((0.0 + 1.0 + 25.0 - 0.0 - 0.0 - 5.0) / 18.0f64).sqrt();
    let moments = [
        (80.0, 80.0 / 12f64.sqrt()),
        (5.0, 2.0),
        (lognormal_mean, lognormal_sd),
        (2.0, tri_sd),
    ];
    for rows in [random(&dists, n, 3), lhs(&dists, n, 3)] {
        assert_eq!(rows.len(), n);
        for (j, (m, sd)) in moments.iter().enumerate() {
            let col = column(&rows, j);
            let se = sd / (n as f64).sqrt();
            let got = mean(&col);
            assert!((got - m).abs() < 4.0 * se, "column {j}: mean {got} vs {m}");
            let var = col.iter().map(|x| (x - got).powi(2)).sum::<f64>() / (n - 1) as f64;
            assert!(
                (var.sqrt() / sd - 1.0).abs() < 0.05,
                "column {j}: sd {}",
                var.sqrt()
            );
        }
    }
}

#[test]
fn draws_are_keyed_by_seed_and_column() {
    let one = [uni(0.0, 1.0)];
    let two = [uni(0.0, 1.0), uni(5.0, 6.0)];
    assert_eq!(lhs(&one, 20, 1), lhs(&one, 20, 1));
    assert_ne!(lhs(&one, 20, 1), lhs(&one, 20, 2));
    assert_eq!(column(&lhs(&two, 20, 1), 0), column(&lhs(&one, 20, 1), 0));
    assert_eq!(
        column(&random(&two, 20, 1), 0),
        column(&random(&one, 20, 1), 0)
    );
    assert_ne!(
        column(&random(&one, 20, 1), 0),
        column(&lhs(&one, 20, 1), 0)
    );
}

#[test]
fn saltelli_has_salib_layout() {
    let dists = [
        uni(0.0, 1.0),
        Dist::Normal { mean: 0.0, sd: 1.0 },
        tri(0.0, 1.0, 2.0),
    ];
    let (n, d) = (8, 3);
    for second in [true, false] {
        let rows = saltelli(&dists, n, second, 11);
        let per = if second { 2 * d + 2 } else { d + 2 };
        assert_eq!(rows.len(), n * per);
        // A is the LHS design with the same seed.
        let a = lhs(&dists, n, 11);
        for j in 0..n {
            let block = &rows[j * per..(j + 1) * per];
            let (aj, bj) = (&block[0], &block[per - 1]);
            assert_eq!(aj, &a[j]);
            assert!((0..d).all(|c| aj[c] != bj[c]), "A and B share a value");
            for i in 0..d {
                let ab = &block[1 + i];
                for c in 0..d {
                    assert_eq!(ab[c], if c == i { bj[c] } else { aj[c] }, "AB row {j} {i}");
                }
                if second {
                    let ba = &block[1 + d + i];
                    for c in 0..d {
                        assert_eq!(ba[c], if c == i { aj[c] } else { bj[c] }, "BA row {j} {i}");
                    }
                }
            }
        }
    }
}

fn write_csv(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn csv_design_round_trips() {
    let rows = vec![
        vec![0.1, 1e-7],
        vec![123.456_789_012_345, -4.0],
        vec![1e300, 0.0],
    ];
    // Columns in the other order than the parameters; values written with `{:?}`.
    let mut text = String::from("b, a\n");
    for r in &rows {
        text += &format!("{:?},{:?}\n", r[1], r[0]);
    }
    let f = write_csv(&text);
    let got = read_csv_design(f.path(), &["a", "b"]).unwrap();
    assert_eq!(got, rows);
}

#[test]
fn csv_design_errors_name_column_and_row() {
    let f = write_csv("a,c\n1,2\n");
    let msg = read_csv_design(f.path(), &["a", "b"])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("column 2 \"c\": not a parameter path"),
        "{msg}"
    );
    assert!(msg.contains("no column named \"b\""), "{msg}");
    let f = write_csv("a,b\n1,2\n3,x\nnan,4\n");
    let e = read_csv_design(f.path(), &["a", "b"]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let msg = e.to_string();
    assert!(
        msg.contains("row 3, column \"b\": \"x\" is not a finite number"),
        "{msg}"
    );
    assert!(msg.contains("row 4, column \"a\""), "{msg}");
    let f = write_csv("a,b\n");
    assert!(
        read_csv_design(f.path(), &["a", "b"])
            .unwrap_err()
            .to_string()
            .contains("no rows")
    );
    let f = write_csv("a,b\n1,2,3\n");
    assert!(
        read_csv_design(f.path(), &["a", "b"])
            .unwrap_err()
            .to_string()
            .contains("row 2")
    );
    let missing = Path::new("/nonexistent/design.csv");
    assert!(read_csv_design(missing, &["a"]).is_err());
}

#[test]
fn draw_samples_follows_the_method() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.csv"), "a.x\n1.5\n2.5\n").unwrap();
    let head = "[experiment]\nname = \"e\"\nmaster_seed = 5\n[[scenarios]]\nname = \"s\"\n";
    let draw = |samples: &str| {
        let exp = crate::experiment::parse_experiment(&format!("{head}{samples}"), "e.toml")?;
        draw_samples(&exp, "e.toml", dir.path())
    };
    assert_eq!(draw("").unwrap(), vec![Vec::<f64>::new()]);
    let csv =
        "[samples]\nmethod = \"csv\"\nfile = \"d.csv\"\n[[samples.parameters]]\npath = \"a.x\"\n";
    assert_eq!(draw(csv).unwrap(), vec![vec![1.5], vec![2.5]]);
    let grid = "[samples]\nmethod = \"grid\"\n[[samples.parameters]]\npath = \"a.x\"\ndist = \"values\"\nvalues = [1, 2.5]\n";
    assert_eq!(draw(grid).unwrap(), vec![vec![1.0], vec![2.5]]);
    let salt = "[samples]\nmethod = \"saltelli\"\nn = 5\nsecond_order = false\n[[samples.parameters]]\npath = \"a.x\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n";
    assert_eq!(draw(salt).unwrap().len(), 5 * 3);
}
