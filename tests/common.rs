//! Shared helpers: run the binary, read Parquet columns back.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Float64Type, Int32Type, UInt32Type};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A validation config's path.
pub fn validation(name: &str) -> PathBuf {
    root()
        .join("configs/validation")
        .join(format!("{name}.toml"))
}

/// Runs the synergy binary with `args`.
pub fn synergy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synergy"))
        .args(args)
        .output()
        .expect("the synergy binary runs")
}

/// Runs `synergy <command> <file> --out <out> --quiet <extra>` and asserts success.
pub fn command_ok(command: &str, file: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        command,
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = synergy(&args);
    assert!(
        o.status.success(),
        "synergy {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Runs a scenario into `out` and asserts success.
pub fn run_ok(scenario: &Path, out: &Path, extra: &[&str]) {
    command_ok("run", scenario, out, extra);
}

/// All batches of a table in a dataset (every part of every scenario).
pub fn read_table(dataset: &Path, table: &str) -> Vec<RecordBatch> {
    let mut files = Vec::new();
    let dir = dataset.join(table);
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let part_dir = entry.unwrap().path();
        for f in std::fs::read_dir(&part_dir).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "parquet") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let file = std::fs::File::open(&f).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for b in reader {
            out.push(b.unwrap());
        }
    }
    out
}

/// The Arrow schema of a table's first part file (also for tables without rows).
pub fn table_schema(dataset: &Path, table: &str) -> arrow::datatypes::SchemaRef {
    let dir = dataset.join(table);
    let part_dir = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let file = std::fs::read_dir(&part_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(file).unwrap())
        .unwrap()
        .schema()
        .clone()
}

/// A float64 column over all batches (nulls as NaN).
pub fn f64s(batches: &[RecordBatch], col: &str) -> Vec<f64> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b
                .column_by_name(col)
                .unwrap_or_else(|| panic!("no column {col}"))
                .as_primitive::<Float64Type>()
                .clone();
            (0..a.len())
                .map(move |i| if a.is_null(i) { f64::NAN } else { a.value(i) })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// An int32 column over all batches.
pub fn i32s(batches: &[RecordBatch], col: &str) -> Vec<i32> {
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name(col)
                .unwrap_or_else(|| panic!("no column {col}"))
                .as_primitive::<Int32Type>()
                .values()
                .to_vec()
        })
        .collect()
}

/// A uint32 column over all batches.
pub fn u32s(batches: &[RecordBatch], col: &str) -> Vec<u32> {
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name(col)
                .unwrap_or_else(|| panic!("no column {col}"))
                .as_primitive::<UInt32Type>()
                .values()
                .to_vec()
        })
        .collect()
}

/// A dictionary-encoded string column as strings (None for null).
pub fn cats(batches: &[RecordBatch], col: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for b in batches {
        let c = b
            .column_by_name(col)
            .unwrap_or_else(|| panic!("no column {col}"));
        let strings = arrow::compute::cast(c, &arrow::datatypes::DataType::Utf8).unwrap();
        let s = strings.as_string::<i32>();
        for i in 0..s.len() {
            out.push((!s.is_null(i)).then(|| s.value(i).to_string()));
        }
    }
    out
}

/// Relative closeness.
pub fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// All files below `dir`, relative paths, sorted.
/// A dataset file's content for comparisons between runs: the bytes, except that
/// `experiment.json` loses its `provenance` block (command line, timestamp, build), which
/// differs between identical runs by design; everything else in it must match.
pub fn comparable(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.file_name().is_some_and(|n| n == "experiment.json") {
        let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let p = v.as_object_mut().unwrap().remove("provenance");
        assert!(p.is_some(), "{}: no provenance block", path.display());
        return serde_json::to_vec(&v).unwrap();
    }
    bytes
}

pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Every non-finite value (NaN or infinite, nulls aside) of every float column of every
/// visible Parquet file below `dir`: one line per column that has any, with the count and the
/// first row. No value is filtered out.
pub fn non_finite_values(dir: &Path) -> Vec<String> {
    use arrow::array::{Array, Float32Array, Float64Array};
    let mut found = Vec::new();
    for f in files_below(dir) {
        if f.extension().is_none_or(|x| x != "parquet")
            || f.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        {
            continue;
        }
        let file = std::fs::File::open(dir.join(&f)).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let mut bad: std::collections::BTreeMap<String, (usize, usize, f64)> = Default::default();
        let mut row0 = 0;
        for batch in reader {
            let batch = batch.unwrap();
            for (i, field) in batch.schema().fields().iter().enumerate() {
                let col = batch.column(i);
                let values: Vec<Option<f64>> =
                    if let Some(a) = col.as_any().downcast_ref::<Float64Array>() {
                        (0..a.len())
                            .map(|k| a.is_valid(k).then(|| a.value(k)))
                            .collect()
                    } else if let Some(a) = col.as_any().downcast_ref::<Float32Array>() {
                        (0..a.len())
                            .map(|k| a.is_valid(k).then(|| f64::from(a.value(k))))
                            .collect()
                    } else {
                        continue;
                    };
                for (k, v) in values.into_iter().enumerate() {
                    if let Some(v) = v
                        && !v.is_finite()
                    {
                        let e = bad.entry(field.name().clone()).or_insert((0, row0 + k, v));
                        e.0 += 1;
                    }
                }
            }
            row0 += batch.num_rows();
        }
        for (col, (n, first, v)) in bad {
            found.push(format!(
                "{}: column {col}: {n} non-finite values (first at row {first}: {v})",
                f.display()
            ));
        }
    }
    found
}

/// A uint64 column over all batches.
pub fn u64s(batches: &[RecordBatch], col: &str) -> Vec<u64> {
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name(col)
                .unwrap_or_else(|| panic!("no column {col}"))
                .as_primitive::<arrow::datatypes::UInt64Type>()
                .values()
                .to_vec()
        })
        .collect()
}

/// The datasets (non-hidden folders) of an output folder.
pub fn datasets_in(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    v.sort();
    v
}

/// Checks of allowance and money conservation over every run of every dataset in `out`,
/// against sums independent of the model's own totals; each violation as a line:
///
/// * allowances, per market and year: free allocation + auction sold + reserve sales +
///   borrowed + offset credits used = surrendered + change in banks + cancelled;
/// * offsets, per year: what firms paid for offsets (city_year.offset_payments) = what the
///   sources received (city_year.offset_revenue) = nation_year.offset_payments; the real
///   reductions of the cities (city_year.offset_abatement) = the markets' offset_reduction
///   = nation_year.offset_abatement, and no more than the credits used;
/// * bank continuity, per market between consecutive years: bank_start(t) =
///   bank_total(t-1) - bank_exit(t) + bank_entry(t), and the market's bank_exit and
///   bank_entry equal the sums over its firms (when every firm is written);
/// * money, per year: what firms paid for allowances (city_year.net_allowance_value) = what
///   regulators received (market_year.auction_revenue); what cities received
///   (city_year.recycled_revenue) = what regulators paid out (market_year.recycled); no
///   market pays out more than it has received up to that year; nation_year's transfer
///   columns (allowance_payments, recycled_revenue) equal the markets' sums;
/// * R&D money, per year: nation_year.research_cost = the cities' research_cost (budgets) +
///   the markets' research_funding of the year before.
pub fn conservation_violations(out: &Path) -> Vec<String> {
    use std::collections::BTreeMap;
    let mut bad = Vec::new();
    for ds in datasets_in(out) {
        let name = ds.file_name().unwrap().to_string_lossy().to_string();
        let my = read_table(&ds, "market_year");
        let (run, year, market) = (u64s(&my, "run_id"), i32s(&my, "year"), cats(&my, "market"));
        let col = |c: &str| f64s(&my, c);
        let (free, auct, res, withheld) = (
            col("free_allocation"),
            col("auctioned"),
            col("reserve_sales"),
            col("withheld"),
        );
        let (surr, bank0, bank1, canc) = (
            col("surrendered"),
            col("bank_start"),
            col("bank_total"),
            col("cancelled"),
        );
        let (exit, entry, revenue, recycled) = (
            col("bank_exit"),
            col("bank_entry"),
            col("auction_revenue"),
            col("recycled"),
        );
        let (borrowed, offsets) = (col("borrowed"), col("offsets_used"));
        let mut rows: BTreeMap<(u64, String, i32), usize> = BTreeMap::new();
        for i in 0..run.len() {
            let m = market[i].clone().unwrap_or_default();
            rows.insert((run[i], m, year[i]), i);
            let inflow = free[i] + auct[i] + res[i] - withheld[i] + borrowed[i] + offsets[i];
            let outflow = surr[i] + (bank1[i] - bank0[i]) + canc[i];
            let scale = free[i].abs() + auct[i].abs() + surr[i].abs() + bank1[i].abs() + 1.0;
            if (inflow - outflow).abs() > 1e-9 * scale {
                bad.push(format!(
                    "{name}: run {} {} {}: allowances in {inflow} != out {outflow}",
                    run[i],
                    market[i].as_deref().unwrap_or("?"),
                    year[i]
                ));
            }
        }
        let mut paid_out: BTreeMap<(u64, String), (f64, f64)> = BTreeMap::new();
        for (&(r, ref m, y), &i) in &rows {
            let acc = paid_out.entry((r, m.clone())).or_default();
            acc.0 += revenue[i];
            acc.1 += recycled[i];
            if acc.1 > acc.0 * (1.0 + 1e-9) + 1e-6 {
                bad.push(format!(
                    "{name}: run {r} {m} {y}: paid out {} of {} received",
                    acc.1, acc.0
                ));
            }
            let Some(&j) = rows.get(&(r, m.clone(), y - 1)) else {
                continue;
            };
            let want = bank1[j] - exit[i] + entry[i];
            if (bank0[i] - want).abs() > 1e-9 * (1.0 + bank1[j].abs() + bank0[i].abs()) {
                bad.push(format!(
                    "{name}: run {r} {m} {y}: bank_start {} != last bank_total {} - exit {} + entry {}",
                    bank0[i], bank1[j], exit[i], entry[i]
                ));
            }
        }
        // Money per run and year.
        let cy = read_table(&ds, "city_year");
        let (crun, cyear) = (u64s(&cy, "run_id"), i32s(&cy, "year"));
        let (value, received) = (
            f64s(&cy, "net_allowance_value"),
            f64s(&cy, "recycled_revenue"),
        );
        let mut money: BTreeMap<(u64, i32), [f64; 5]> = BTreeMap::new();
        for i in 0..crun.len() {
            let e = money.entry((crun[i], cyear[i])).or_default();
            e[0] += value[i];
            e[2] += received[i];
            e[4] += value[i].abs();
        }
        // Offsets per run and year: [paid, received, reduced by cities, reduced per
        // markets, used].
        let mut off: BTreeMap<(u64, i32), [f64; 5]> = BTreeMap::new();
        let (opaid, orev, oab) = (
            f64s(&cy, "offset_payments"),
            f64s(&cy, "offset_revenue"),
            f64s(&cy, "offset_abatement"),
        );
        for i in 0..crun.len() {
            let e = off.entry((crun[i], cyear[i])).or_default();
            e[0] += opaid[i];
            e[1] += orev[i];
            e[2] += oab[i];
        }
        let ored = col("offset_reduction");
        for i in 0..run.len() {
            let e = off.entry((run[i], year[i])).or_default();
            e[3] += ored[i];
            e[4] += offsets[i];
        }
        // The value traded in the clearings (volume x price) scales the rounding of the
        // firms' net payments, which sum to the auction revenue.
        let (volume, price) = (col("volume"), col("price"));
        for i in 0..run.len() {
            let e = money.entry((run[i], year[i])).or_default();
            e[1] += revenue[i];
            e[3] += recycled[i];
            e[4] += (volume[i] * price[i]).abs();
        }
        // The nation's transfer ledger against the markets' rows.
        let ny = read_table(&ds, "nation_year");
        let (nrun, nyear) = (u64s(&ny, "run_id"), i32s(&ny, "year"));
        let (npaid, nrec) = (
            f64s(&ny, "allowance_payments"),
            f64s(&ny, "recycled_revenue"),
        );
        let (npo, nab) = (f64s(&ny, "offset_payments"), f64s(&ny, "offset_abatement"));
        for i in 0..nrun.len() {
            let o = off.get(&(nrun[i], nyear[i])).copied().unwrap_or_default();
            let tol = 1e-9 * (1.0 + o[0].abs() + o[4].abs());
            let ok = (o[0] - o[1]).abs() <= tol
                && (npo[i] - o[0]).abs() <= tol
                && (o[2] - o[3]).abs() <= tol
                && (nab[i] - o[2]).abs() <= tol
                && o[2] <= o[4] + tol;
            if !ok {
                bad.push(format!(
                    "{name}: run {} {}: offsets paid {} / received {} / nation {}; reduced {} (cities) {} (markets) {} (nation) of {} used",
                    nrun[i], nyear[i], o[0], o[1], npo[i], o[2], o[3], nab[i], o[4]
                ));
            }
            let e = money.entry((nrun[i], nyear[i])).or_default();
            let tol = 1e-9 * (1.0 + e[4] + e[1].abs());
            if (npaid[i] - e[1]).abs() > tol || (nrec[i] - e[3]).abs() > tol {
                bad.push(format!(
                    "{name}: run {} {}: nation_year transfers {} / {} != markets' {} / {}",
                    nrun[i], nyear[i], npaid[i], nrec[i], e[1], e[3]
                ));
            }
        }
        // R&D money: what programmes spent beyond the cities' budget shares is what markets
        // paid into them the year before.
        let mut funded: BTreeMap<(u64, i32), f64> = BTreeMap::new();
        for (i, f) in f64s(&my, "research_funding").iter().enumerate() {
            *funded.entry((run[i], year[i])).or_default() += f;
        }
        let cy = read_table(&ds, "city_year");
        let mut budgets: BTreeMap<(u64, i32), f64> = BTreeMap::new();
        let (crun, cyear) = (u64s(&cy, "run_id"), i32s(&cy, "year"));
        for (i, c) in f64s(&cy, "research_cost").iter().enumerate() {
            *budgets.entry((crun[i], cyear[i])).or_default() += c;
        }
        for (i, spent) in f64s(&ny, "research_cost").iter().enumerate() {
            let key = (nrun[i], nyear[i]);
            let from_revenue = funded.get(&(key.0, key.1 - 1)).copied().unwrap_or(0.0);
            let budget = budgets.get(&key).copied().unwrap_or(0.0);
            if (spent - budget - from_revenue).abs() > 1e-9 * (1.0 + spent.abs()) {
                bad.push(format!(
                    "{name}: run {} {}: R&D spent {spent}, city budgets {budget} + last year's market funding {from_revenue}",
                    key.0, key.1
                ));
            }
        }
        for ((r, y), [paid, got, received, recycled, scale]) in money {
            let tol = 1e-9 * (1.0 + scale + got.abs());
            if (paid - got).abs() > tol {
                bad.push(format!(
                    "{name}: run {r} {y}: firms paid {paid} for allowances, regulators received {got}"
                ));
            }
            if (received - recycled).abs() > 1e-9 * (1.0 + recycled.abs()) {
                bad.push(format!(
                    "{name}: run {r} {y}: cities received {received}, regulators paid out {recycled}"
                ));
            }
        }
    }
    bad
}
