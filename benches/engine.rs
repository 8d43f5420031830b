//! Engine throughput: firm-years per second for the default scenario at several scales,
//! with and without firm-level Parquet output. Results are reported in docs/PERFORMANCE.md.
//!
//! Run with `cargo bench --bench engine`. Scale k multiplies every sector's firm count by k
//! (and total output, so firm sizes stay the same); large scales simulate 2020-2030 only.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::sync::Arc;
use synergy::config::load_embedded_default;
use synergy::run::{RunSpec, run_to_dataset};

fn scenario(scale: u32, firm_output: bool) -> Arc<synergy::config::Scenario> {
    let base = load_embedded_default(&[]).expect("default loads");
    let mut set: Vec<String> = Vec::new();
    for (name, s) in base.raw().sectors.iter() {
        set.push(format!("sectors.{name}.firms={}", s.firms * scale));
        set.push(format!(
            "sectors.{name}.total_output={:e}",
            s.total_output * f64::from(scale)
        ));
    }
    if scale > 1 {
        set.push("scenario.start_year=2020".into());
        set.push("scenario.end_year=2030".into());
    }
    if !firm_output {
        set.push("output.firm_level=\"none\"".into());
    }
    Arc::new(load_embedded_default(&set).expect("scaled default loads"))
}

/// One run of `s` into a temporary folder.
fn run_once(s: &Arc<synergy::config::Scenario>) -> synergy::run::RunReport {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = RunSpec {
        run_id: 0,
        experiment: "bench".into(),
        replicate: 0,
        seed: 1,
        parameters: "{}".into(),
        baseline: None,
    };
    run_to_dataset(s.clone(), &spec, dir.path(), 0, &|_| {}).expect("run")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for scale in [1u32, 10, 50] {
        for firm_output in [false, true] {
            let s = scenario(scale, firm_output);
            let firms = s.generated_firms() as u64;
            group.throughput(Throughput::Elements(firms * s.years() as u64));
            let label = if firm_output {
                "with_firm_output"
            } else {
                "simulate"
            };
            group.bench_with_input(BenchmarkId::new(label, firms), &s, |b, s| {
                b.iter(|| run_once(s))
            });
        }
    }
    // The default without its power system (power firms back on the goods-market logit): the
    // difference to `simulate` at scale 1 is the dispatch's share of a run.
    let mut off = (*scenario(1, false)).clone();
    off.power = None;
    let off = Arc::new(off);
    let firms = off.generated_firms() as u64;
    group.throughput(Throughput::Elements(firms * off.years() as u64));
    group.bench_with_input(
        BenchmarkId::new("simulate_power_off", firms),
        &off,
        |b, s| b.iter(|| run_once(s)),
    );
    group.finish();
}

/// One year's power dispatch of national size (31 provinces, 56 corridors, 12 slices, 4
/// technologies and storage per province; `synergy::energy::synthetic::national`).
fn dispatch(c: &mut Criterion) {
    let p = synergy::energy::synthetic::national();
    let mut group = c.benchmark_group("dispatch");
    group.sample_size(20);
    group.bench_function("national_31x12", |b| {
        b.iter(|| synergy::energy::dispatch::solve(&p).expect("dispatch"))
    });
    // Re-solves on one dispatcher, alternating between this year and one with 3 % more load
    // and a higher carbon price, as successive years of a run do.
    let mut next = p.clone();
    for row in &mut next.demand {
        for d in row.iter_mut() {
            *d *= 1.03;
        }
    }
    for u in &mut next.units {
        u.carbon_price += 20.0;
    }
    let mut warm = synergy::energy::dispatch::Dispatcher::new();
    let mut flip = false;
    group.bench_function("national_31x12_warm", |b| {
        b.iter(|| {
            flip = !flip;
            warm.solve(if flip { &next } else { &p }).expect("dispatch")
        })
    });
    group.finish();
}

criterion_group!(benches, bench, dispatch);
criterion_main!(benches);
