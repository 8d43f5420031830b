//! Parquet round trip: every written table has exactly the columns `synergy schema`
//! documents, in order and with the declared types; `firm_year` has one row per firm per year;
//! docs/OUTPUT.md carries the generated schema.

use crate::common::*;
use synergy::output::*;
use tempfile::TempDir;

fn schema_listing() -> Vec<(String, Vec<String>)> {
    let o = synergy(&["schema"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(col) = line.strip_prefix("  ") {
            let name = col.split_whitespace().next().unwrap().to_string();
            out.last_mut().unwrap().1.push(name);
        } else {
            let table = line.split(':').next().unwrap().to_string();
            out.push((table, Vec::new()));
        }
    }
    out
}

#[test]
fn written_tables_match_schema() {
    let tmp = TempDir::new().unwrap();
    run_ok(&validation("random_mac"), tmp.path(), &[]);
    let ds = tmp.path().join("random_mac");
    let listing = schema_listing();
    // 19 tables of a run's dataset, then the tools' tables (calibration, matched comparison,
    // history validation, history fit).
    assert_eq!(listing.len(), 23);
    let (run_tables, tools) = listing.split_at(19);
    for ((name, cols), (tool, _, docs)) in tools.iter().zip(registry::tool_tables()) {
        assert_eq!(name, tool);
        let names: Vec<String> = docs.iter().map(|c| c.name.to_string()).collect();
        assert_eq!(cols, &names, "{tool}");
    }
    for (table, cols) in run_tables {
        let schema = table_schema(&ds, table);
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(&names, cols, "{table}");
        // No column duplicates the Hive partition key (plain pandas.read_parquet fails on
        // a file column named like the partition).
        assert!(!names.iter().any(|n| n == "scenario"), "{table}: {names:?}");
    }
    for table in [
        "firms",
        "cities",
        "firm_year",
        "city_year",
        "market_year",
        "nation_year",
        "summary",
        "runs",
    ] {
        assert!(!read_table(&ds, table).is_empty(), "{table} has no rows");
    }
    let check = |t: &str, schema: arrow::datatypes::SchemaRef| {
        let written = table_schema(&ds, t);
        assert_eq!(written.fields().len(), schema.fields().len());
        for (f, g) in written.fields().iter().zip(schema.fields()) {
            assert_eq!(f.data_type(), g.data_type(), "{t}.{}", f.name());
        }
    };
    check("technology_year", TechnologyYear::schema());
    check("milestones", Milestones::schema());
    check("firm_year", FirmYear::schema());
    check("market_year", MarketYear::schema());
    check("summary", Summary::schema());
    check("firms", Firms::schema());
    check("technology_year", TechnologyYear::schema());
    check("milestones", Milestones::schema());
    // One row per firm per year.
    let firms = u32s(&read_table(&ds, "firms"), "firm_id").len();
    let fy = read_table(&ds, "firm_year");
    let years = i32s(&fy, "year");
    assert_eq!(years.len(), firms * 5);
    let mut pairs: Vec<(i32, u32)> = years.iter().copied().zip(u32s(&fy, "firm_id")).collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), firms * 5);
    // Nothing temporary is left behind.
    assert!(
        files_below(&ds)
            .iter()
            .all(|p| !p.to_string_lossy().contains(".tmp"))
    );
    assert!(ds.join("experiment.json").exists());
}

#[test]
fn output_doc_carries_the_generated_schema() {
    let doc = std::fs::read_to_string(root().join("docs/OUTPUT.md")).unwrap();
    let generated = synergy::output::all_markdown();
    assert!(
        doc.contains(generated.trim()),
        "docs/OUTPUT.md is out of date: paste `synergy schema --markdown`"
    );
    assert!(
        doc.contains(synergy::output::registry::tool_markdown().trim()),
        "docs/OUTPUT.md lacks the calibration_trace table: paste `synergy schema --markdown`"
    );
}

/// Every dataset's `experiment.json` records its provenance (version, git commit and dirty
/// flag of the build, the command line, the overrides, the start time), outside the
/// deterministic tables; `--version` prints the commit.
#[test]
fn datasets_record_their_provenance() {
    let tmp = TempDir::new().unwrap();
    let f = validation("linear_mac");
    run_ok(
        &f,
        tmp.path(),
        &["--set", "markets.market.penalty_price_multiple=2"],
    );
    let text = std::fs::read_to_string(tmp.path().join("linear_mac/experiment.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let p = &v["provenance"];
    assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
    let commit = p["git_commit"].as_str().unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    assert!(["true", "false", "unknown"].contains(&p["git_dirty"].as_str().unwrap()));
    let cmd: Vec<&str> = p["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(cmd[1], "run");
    assert!(
        cmd.contains(&"markets.market.penalty_price_multiple=2"),
        "{cmd:?}"
    );
    assert_eq!(p["overrides"][0], "markets.market.penalty_price_multiple=2");
    assert!(p["created_unix_seconds"].as_u64().unwrap() > 1_700_000_000);
    let o = synergy(&["--version"]);
    let version = String::from_utf8_lossy(&o.stdout);
    assert!(version.contains(&format!("git {commit}")), "{version}");
}
