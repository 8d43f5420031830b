//! Edits of a merged scenario document that derive one scenario from another, applied before
//! validation ([`super::parse_scenario_edited`]), so the derived scenario is checked like a
//! file:
//!
//! * [`baseline`]: the paired no-policy baseline: the same firms, history kept, and no carbon
//!   policy after a year (markets end, later markets and plans are dropped);
//! * [`least_cost`]: the least-cost benchmark of a regime (MODEL.md section 9.2): from a
//!   year on, every source the regime's markets or enforced plans reach faces one uniform
//!   carbon tax rising at the social discount rate (Hotelling), `p_t = p0 (1 + r)^(t - t0)`.

use crate::error::{Error, Result};
use toml::{Table, Value};

/// An integer key of a table, if present.
fn int(t: &Table, key: &str) -> Option<i64> {
    t.get(key).and_then(Value::as_integer)
}

/// The array of tables at `key` (empty when absent).
fn items(doc: &mut Table, key: &str) -> Vec<Table> {
    match doc.remove(key) {
        Some(Value::Array(a)) => a
            .into_iter()
            .filter_map(|v| match v {
                Value::Table(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn put_items(doc: &mut Table, key: &str, items: Vec<Table>) {
    doc.insert(
        key.to_string(),
        Value::Array(items.into_iter().map(Value::Table).collect()),
    );
}

fn name(t: &Table) -> String {
    t.get("name")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

/// Ends market `m` after `last` (`end_year = min(end_year, last)`), dropping sectors that
/// would enter later. Returns None when nothing of the market is left (it starts later or
/// none of its sectors enters by `last`).
fn truncate_market(mut m: Table, last: i32) -> Option<Table> {
    if int(&m, "start_year").is_none_or(|s| s > i64::from(last)) {
        return None;
    }
    let end = int(&m, "end_year").map_or(i64::from(last), |e| e.min(i64::from(last)));
    m.insert("end_year".into(), Value::Integer(end));
    if let Some(Value::Table(sectors)) = m.get_mut("sectors") {
        sectors.retain(|_, y| y.as_integer().is_none_or(|y| y <= i64::from(last)));
        if sectors.is_empty() {
            return None;
        }
    }
    Some(m)
}

/// Checks that no plan straddles the policy change after `last` (its years would be split
/// between two regimes); `what` names the transform in the error.
fn check_plans(plans: &[Table], last: i32, what: &str) -> Result<()> {
    for p in plans {
        let (s, e) = (int(p, "start_year"), int(p, "end_year"));
        if let (Some(s), Some(e)) = (s, e)
            && s <= i64::from(last)
            && e > i64::from(last)
        {
            return Err(Error::input(format!(
                "{what} = {last}: plan {:?} runs {s}-{e} across it; choose a plan boundary \
                 (a year in which a plan ends)",
                name(p)
            )));
        }
    }
    Ok(())
}

/// The paired no-policy baseline: every market ends after `last` (later markets and sector
/// entries are dropped) and plans starting after `last` are dropped. A plan running across
/// `last` is an error (its targets would be half enforced).
pub fn baseline(doc: &mut Table, last: i32) -> Result<()> {
    let markets: Vec<Table> = items(doc, "markets")
        .into_iter()
        .filter_map(|m| truncate_market(m, last))
        .collect();
    put_items(doc, "markets", markets);
    let plans = items(doc, "plans");
    check_plans(&plans, last, "baseline_until")?;
    let plans: Vec<Table> = plans
        .into_iter()
        .filter(|p| int(p, "start_year").is_some_and(|s| s <= i64::from(last)))
        .collect();
    put_items(doc, "plans", plans);
    Ok(())
}

/// The least-cost benchmark's price path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hotelling {
    /// First year of the uniform price, t0.
    pub from: i32,
    /// Price in `from`, CNY per t CO2.
    pub p0: f64,
    /// Social discount rate per year, share.
    pub rate: f64,
}

impl Hotelling {
    /// The price in `year`, CNY per t: `p0 (1 + rate)^(year - from)`.
    pub fn price(&self, year: i32) -> f64 {
        self.p0 * (1.0 + self.rate).powi(year - self.from)
    }

    /// The path as `[[year, price], ...]` for every year from `from` to `end`.
    pub fn points(&self, end: i32) -> Value {
        Value::Array(
            (self.from..=end.max(self.from))
                .map(|y| {
                    Value::Array(vec![
                        Value::Integer(i64::from(y)),
                        Value::Float(self.price(y)),
                    ])
                })
                .collect(),
        )
    }
}

/// Keys of a market that say which firms it covers (kept by its least-cost clone).
const COVERAGE_KEYS: [&str; 6] = [
    "kind",
    "sectors",
    "provinces",
    "cities",
    "exclude_cities",
    "threshold_t",
];

/// A tax market with `m`'s coverage from `from` on at the Hotelling price; None when `m`
/// ends before `from`.
fn tax_clone(m: &Table, h: &Hotelling, end: i32) -> Option<Table> {
    if int(m, "end_year").is_some_and(|e| e < i64::from(h.from)) {
        return None;
    }
    let mut t = Table::new();
    for k in COVERAGE_KEYS {
        if let Some(v) = m.get(k) {
            t.insert(k.into(), v.clone());
        }
    }
    let from = i64::from(h.from);
    t.insert(
        "name".into(),
        Value::String(format!("least_cost_{}", name(m))),
    );
    let start = int(m, "start_year").unwrap_or(from).max(from);
    t.insert("start_year".into(), Value::Integer(start));
    if let Some(e) = int(m, "end_year") {
        t.insert("end_year".into(), Value::Integer(e));
    }
    if let Some(Value::Table(sectors)) = t.get_mut("sectors") {
        for (_, y) in sectors.iter_mut() {
            if let Some(v) = y.as_integer() {
                *y = Value::Integer(v.max(start));
            }
        }
    }
    tax_terms(&mut t, h, end);
    Some(t)
}

/// The tax terms of a benchmark market: the Hotelling path, revenue kept by the centre (a
/// transfer with no behavioural effect), no banking.
fn tax_terms(t: &mut Table, h: &Hotelling, end: i32) {
    t.insert("allocation".into(), Value::String("tax".into()));
    t.insert("tax".into(), h.points(end));
    t.insert("launch_price".into(), Value::Float(h.p0));
    t.insert("recycling".into(), Value::String("centre".into()));
    t.insert("banking".into(), Value::Boolean(false));
}

/// The least-cost benchmark of the regime in `doc`: until `h.from - 1` the regime as it is;
/// from `h.from` every firm its markets would cover (same sectors, regions and thresholds)
/// and every firm of a sector its enforced plans regulate pays the uniform Hotelling tax,
/// and nothing else binds (markets end, enforced plans are monitored only and lose their
/// energy caps). Investment and diffusion run as in the regime.
pub fn least_cost(doc: &mut Table, h: &Hotelling) -> Result<()> {
    let end = doc
        .get("scenario")
        .and_then(|s| s.get("end_year"))
        .and_then(Value::as_integer)
        .and_then(|e| i32::try_from(e).ok())
        .ok_or_else(|| Error::input("least-cost benchmark: scenario.end_year is missing"))?;
    let sectors: Vec<String> = doc
        .get("sectors")
        .and_then(Value::as_table)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    let regime = items(doc, "markets");
    let mut markets: Vec<Table> = regime
        .iter()
        .filter_map(|m| truncate_market(m.clone(), h.from - 1))
        .collect();
    markets.extend(regime.iter().filter_map(|m| tax_clone(m, h, end)));
    let mut plans = items(doc, "plans");
    check_plans(&plans, h.from - 1, "least-cost benchmark from")?;
    let mut reached: Vec<String> = Vec::new();
    for p in &mut plans {
        let later = int(p, "start_year").is_some_and(|s| s >= i64::from(h.from));
        let enforced = p.get("enforce").and_then(Value::as_bool) == Some(true);
        if !later {
            continue;
        }
        if enforced {
            let own: Vec<String> = p
                .get("sectors")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            let own = if own.is_empty() { sectors.clone() } else { own };
            for s in own {
                if !reached.contains(&s) {
                    reached.push(s);
                }
            }
            p.insert("enforce".into(), Value::Boolean(false));
        }
        p.remove("energy_cap_tce");
    }
    if !reached.is_empty() {
        reached.sort();
        let mut t = Table::new();
        t.insert("name".into(), Value::String("least_cost_plans".into()));
        t.insert("kind".into(), Value::String("national".into()));
        t.insert("start_year".into(), Value::Integer(i64::from(h.from)));
        let cover: Table = reached
            .into_iter()
            .map(|s| (s, Value::Integer(i64::from(h.from))))
            .collect();
        t.insert("sectors".into(), Value::Table(cover));
        t.insert("threshold_t".into(), Value::Float(0.0));
        tax_terms(&mut t, h, end);
        markets.push(t);
    }
    put_items(doc, "markets", markets);
    put_items(doc, "plans", plans);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        r#"
[scenario]
name = "x"
end_year = 2030
[sectors.power]
[sectors.steel]
[[markets]]
name = "old"
kind = "pilot"
start_year = 2013
end_year = 2020
sectors = { power = 2013 }
[[markets]]
name = "nat"
kind = "national"
start_year = 2021
sectors = { power = 2021, steel = 2027 }
threshold_t = 26000
[[markets]]
name = "later"
kind = "national"
start_year = 2027
sectors = { steel = 2027 }
[[plans]]
name = "14th"
start_year = 2021
end_year = 2025
enforce = true
[[plans]]
name = "15th"
start_year = 2026
end_year = 2030
enforce = true
energy_cap_tce = 1e9
"#
        .parse()
        .unwrap()
    }

    fn market<'a>(d: &'a Table, n: &str) -> Option<&'a Value> {
        d["markets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"].as_str() == Some(n))
    }

    #[test]
    fn baseline_ends_policy_after_the_year() {
        let mut d = doc();
        baseline(&mut d, 2025).unwrap();
        assert_eq!(
            market(&d, "old").unwrap()["end_year"].as_integer(),
            Some(2020)
        );
        let nat = market(&d, "nat").unwrap();
        assert_eq!(nat["end_year"].as_integer(), Some(2025));
        assert!(nat["sectors"].get("steel").is_none(), "steel enters later");
        assert!(market(&d, "later").is_none());
        let plans = d["plans"].as_array().unwrap();
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0]["name"].as_str(), Some("14th"));
        // A plan across the year is refused.
        let e = baseline(&mut doc(), 2027).unwrap_err().to_string();
        assert!(e.contains("15th") && e.contains("2026-2030"), "{e}");
    }

    #[test]
    fn least_cost_taxes_what_the_regime_reaches() {
        let mut d = doc();
        let h = Hotelling {
            from: 2026,
            p0: 100.0,
            rate: 0.05,
        };
        least_cost(&mut d, &h).unwrap();
        let nat = market(&d, "nat").unwrap();
        assert_eq!(nat["end_year"].as_integer(), Some(2025));
        let tax = market(&d, "least_cost_nat").unwrap();
        assert_eq!(tax["allocation"].as_str(), Some("tax"));
        assert_eq!(tax["start_year"].as_integer(), Some(2026));
        assert_eq!(tax["sectors"]["power"].as_integer(), Some(2026));
        assert_eq!(tax["sectors"]["steel"].as_integer(), Some(2027));
        assert_eq!(tax["threshold_t"].as_integer(), Some(26000));
        let path = tax["tax"].as_array().unwrap();
        assert_eq!(path.len(), 5);
        let last = path[4].as_array().unwrap();
        assert_eq!(last[0].as_integer(), Some(2030));
        assert!((last[1].as_float().unwrap() - 100.0 * 1.05f64.powi(4)).abs() < 1e-9);
        assert!(market(&d, "least_cost_old").is_none(), "ended before");
        assert!(market(&d, "least_cost_later").is_some());
        // The enforced plan's sectors (all) are taxed with no threshold; it is monitored only.
        let plans = market(&d, "least_cost_plans").unwrap();
        assert_eq!(plans["threshold_t"].as_float(), Some(0.0));
        assert!(plans["sectors"].get("steel").is_some());
        let p15 = &d["plans"].as_array().unwrap()[1];
        assert_eq!(p15["enforce"].as_bool(), Some(false));
        assert!(p15.get("energy_cap_tce").is_none());
        assert_eq!(
            d["plans"][0]["enforce"].as_bool(),
            Some(true),
            "history kept"
        );
    }
}
