use super::*;
use crate::config::overrides;
use crate::experiment::spec::Dist;
use crate::experiment::{EXAMPLE_TOML, parse_experiment};

const TWO_SCENARIOS: &str = r#"
[experiment]
name = "t"
replicates = 2
master_seed = 9
batch_size = 4
[[scenarios]]
name = "b_first"
set = ["markets[0].auction_share = 0.2"]
[[scenarios]]
name = "a_second"
[samples]
method = "grid"
[[samples.parameters]]
path = "sectors.power.x"
dist = "values"
values = [1, 2.5, 3]
"#;

fn two() -> (RawExperiment, RunPlan) {
    let exp = parse_experiment(TWO_SCENARIOS, "t.toml").unwrap();
    let samples = crate::experiment::sample::grid(&[vec![1.0, 2.5, 3.0]]);
    let p = plan(&exp, &samples);
    (exp, p)
}

#[test]
fn runs_are_ordered_by_scenario_sample_replicate() {
    let (_, p) = two();
    assert_eq!(p.runs.len(), 2 * 3 * 2);
    let mut i = 0;
    for (si, name) in ["b_first", "a_second"].into_iter().enumerate() {
        for k in 0..3 {
            for r in 0..2 {
                let run = &p.runs[i];
                assert_eq!(run.run_id, i as u64);
                assert_eq!((run.scenario.as_str(), run.scenario_index), (name, si));
                assert_eq!((run.sample, run.replicate), (k, r));
                i += 1;
            }
        }
    }
    let r = &p.runs[2]; // b_first, sample 1, replicate 0
    assert_eq!(
        r.overrides,
        ["markets[0].auction_share = 0.2", "sectors.power.x=2.5"]
    );
    assert_eq!(r.parameters_json, r#"{"sectors.power.x":2.5}"#);
    let json: serde_json::Value = serde_json::from_str(&p.runs[0].parameters_json).unwrap();
    assert_eq!(json["sectors.power.x"], 1.0);
    assert_eq!(p.runs[6].overrides, ["sectors.power.x=1"]);
}

#[test]
fn seeds_are_shared_within_a_replicate_only() {
    let (exp, p) = two();
    for run in &p.runs {
        assert_eq!(
            run.seed,
            replicate_seed(exp.experiment.master_seed, run.replicate)
        );
    }
    let seeds = |r: u32| -> std::collections::BTreeSet<u64> {
        p.runs
            .iter()
            .filter(|x| x.replicate == r)
            .map(|x| x.seed)
            .collect()
    };
    assert_eq!(seeds(0).len(), 1);
    assert_eq!(seeds(1).len(), 1);
    assert_ne!(seeds(0), seeds(1));
}

#[test]
fn batches_cover_runs_without_mixing_scenarios() {
    let (_, p) = two();
    let got: Vec<(u32, &str, std::ops::Range<usize>)> = p
        .batches
        .iter()
        .map(|b| (b.index, b.scenario.as_str(), b.runs.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (0, "b_first", 0..4),
            (1, "b_first", 4..6),
            (0, "a_second", 6..10),
            (1, "a_second", 10..12)
        ]
    );
    // The example: 2 scenarios x 16 samples x 3 replicates in batches of 4.
    let exp = parse_experiment(EXAMPLE_TOML, "example").unwrap();
    let samples =
        crate::experiment::sample::lhs(&vec![Dist::Uniform { min: 0.0, max: 1.0 }; 2], 16, 1);
    let p = plan(&exp, &samples);
    assert_eq!(p.runs.len(), 96);
    assert_eq!(p.batches.len(), 24);
    let mut next = 0;
    for b in &p.batches {
        assert_eq!(b.runs.start, next);
        assert!(!b.runs.is_empty() && b.runs.len() <= 4);
        assert!(
            p.runs[b.runs.clone()]
                .iter()
                .all(|r| r.scenario == b.scenario)
        );
        next = b.runs.end;
    }
    assert_eq!(next, p.runs.len());
    assert_eq!(
        p.batches
            .iter()
            .filter(|b| b.scenario == "alternative")
            .count(),
        12
    );
    assert_eq!(p.batches.iter().map(|b| b.index).max(), Some(11));
}

#[test]
fn shard_parsing() {
    assert_eq!(parse_shard("0/1").unwrap(), (0, 1));
    assert_eq!(parse_shard("3/4").unwrap(), (3, 4));
    assert_eq!(parse_shard(" 1 / 2 ").unwrap(), (1, 2));
    for bad in ["3/2", "2/2", "0/0", "a/b", "1", "", "-1/2", "1/2/3", "1/"] {
        let e = parse_shard(bad).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{bad}");
        assert!(e.to_string().contains("--shard"), "{bad}: {e}");
    }
}

#[test]
fn shards_partition_the_batches() {
    let (_, p) = two();
    for n in 1..=5u32 {
        let mut all: Vec<usize> = (0..n).flat_map(|i| shard_batches(&p, i, n)).collect();
        all.sort_unstable();
        assert_eq!(all, (0..p.batches.len()).collect::<Vec<_>>(), "n = {n}");
        assert!(shard_batches(&p, n, n).is_empty());
    }
    assert_eq!(shard_batches(&p, 1, 3), vec![1]);
    assert!(shard_batches(&p, 0, 0).is_empty());
}

#[test]
fn sampled_values_survive_the_override_round_trip() {
    #[derive(serde::Deserialize)]
    struct S {
        x: f64,
        k: u32,
    }
    assert_eq!(toml_number(40.0), "40");
    assert_eq!(toml_number(-0.5), "-0.5");
    assert_eq!(toml_number(1e300), "1e300");
    assert_eq!(toml_number(f64::NEG_INFINITY), "-inf");
    for v in [
        0.1,
        1e-7,
        40.0,
        123.456_789_012_345_67,
        1e300,
        -2.5e-300,
        0.0,
    ] {
        let mut doc: toml::Table = "x = 1.0\nk = 1\n".parse().unwrap();
        let ov = overrides::parse(&format!("x={}", toml_number(v))).unwrap();
        overrides::apply(&mut doc, &ov, "t").unwrap();
        overrides::apply(
            &mut doc,
            &overrides::parse(&format!("k={}", toml_number(7.0))).unwrap(),
            "t",
        )
        .unwrap();
        let s: S = toml::from_str(&toml::to_string(&doc).unwrap()).unwrap();
        assert_eq!(s.x, v);
        assert_eq!(s.k, 7);
    }
}

#[test]
fn no_samples_plan_one_run_per_scenario_and_replicate() {
    let text = "[experiment]\nname = \"e\"\nmaster_seed = 1\nreplicates = 3\n[[scenarios]]\nname = \"s\"\n";
    let exp = parse_experiment(text, "e.toml").unwrap();
    let p = plan(&exp, &[Vec::new()]);
    assert_eq!(p.runs.len(), 3);
    assert!(
        p.runs
            .iter()
            .all(|r| r.parameters_json == "{}" && r.overrides.is_empty())
    );
    assert_eq!(p.batches.len(), 1);
    assert!(plan(&exp, &[]).runs.is_empty());
}

#[test]
fn load_and_plan_reads_a_csv_design_next_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.csv"), "a.y,a.x\n1,2\n3,4\n5,6\n").unwrap();
    let text = "[experiment]\nname = \"e\"\nmaster_seed = 1\nbatch_size = 2\n[[scenarios]]\nname = \"s\"\n[samples]\nmethod = \"csv\"\nfile = \"d.csv\"\n[[samples.parameters]]\npath = \"a.x\"\n[[samples.parameters]]\npath = \"a.y\"\n";
    let path = dir.path().join("e.toml");
    std::fs::write(&path, text).unwrap();
    let (_, samples, p) = crate::experiment::load_and_plan(&path).unwrap();
    assert_eq!(
        samples,
        vec![vec![2.0, 1.0], vec![4.0, 3.0], vec![6.0, 5.0]]
    );
    assert_eq!(p.runs[1].overrides, ["a.x=4", "a.y=3"]);
    assert_eq!(p.batches.len(), 2);
    assert!(crate::experiment::load_and_plan(&dir.path().join("missing.toml")).is_err());
}
