//! Validation of the technology catalog, investment and diffusion options, and five-year
//! plans (the same conventions as [`super::validate`]).

use super::raw::*;
use super::validate::Checker;

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks `[[technologies]]`, `[investment]` and `[diffusion]`.
pub fn validate_technologies(raw: &RawScenario, c: &mut Checker) {
    let mut names: Vec<&str> = Vec::new();
    for (i, t) in raw.technologies.iter().enumerate() {
        let k = |x: &str| format!("technologies[{i}].{x}");
        if !is_name(&t.name) {
            c.fail(
                &k("name"),
                format!("= {:?}: use letters, digits, _ and - only", t.name),
            );
        }
        if names.contains(&t.name.as_str()) {
            c.fail(
                &k("name"),
                format!("= {:?}: duplicate technology name", t.name),
            );
        }
        names.push(&t.name);
        if !raw.sectors.contains_key(&t.sector) {
            c.fail(
                &k("sector"),
                format!(
                    "= {:?}: no such sector; defined sectors: {:?}",
                    t.sector,
                    raw.sectors.keys().collect::<Vec<_>>()
                ),
            );
        }
        t.check_limits(c, &k);
        if !["", "H", "M", "L", "H/M", "L/M", "M/L"].contains(&t.confidence.as_str()) {
            c.fail(
                &k("confidence"),
                format!("= {:?}: use H, M or L", t.confidence),
            );
        }
    }
    for s in raw.sectors.keys() {
        if raw.technologies.iter().filter(|t| &t.sector == s).count() > 64 {
            c.fail(
                &format!("sectors.{s}"),
                "at most 64 technologies per sector",
            );
        }
    }
    if raw.investment.max_new_per_year == 0 {
        c.fail("investment.max_new_per_year", "= 0: must be at least 1");
    }
    raw.investment
        .check_limits(c, &|f| format!("investment.{f}"));
    raw.diffusion.check_limits(c, &|f| format!("diffusion.{f}"));
}

/// Checks `[[plans]]`.
pub fn validate_plans(raw: &RawScenario, c: &mut Checker) {
    for (i, p) in raw.plans.iter().enumerate() {
        let k = |x: &str| format!("plans[{i}].{x}");
        if p.end_year < p.start_year {
            c.fail(
                &k("end_year"),
                format!(
                    "= {}: must not be before start_year = {}",
                    p.end_year, p.start_year
                ),
            );
        }
        if raw.plans[..i]
            .iter()
            .any(|o| o.end_year >= p.start_year && o.start_year <= p.end_year)
        {
            c.fail(&k("start_year"), "plans must not overlap");
        }
        for (key, v) in [
            ("energy_intensity_cut", p.energy_intensity_cut),
            ("carbon_intensity_cut", p.carbon_intensity_cut),
        ] {
            if let Some(v) = v {
                c.range(&k(key), v, -1.0, 0.99);
            }
        }
        let has_cut = match p.metric {
            Metric::Energy => p.energy_intensity_cut.is_some(),
            Metric::Carbon => p.carbon_intensity_cut.is_some(),
        };
        if p.enforce && !has_cut && p.fixed_rate.is_empty() {
            c.fail(
                &k("metric"),
                "enforce = true needs the cut of the plan's metric (energy_intensity_cut or carbon_intensity_cut) or fixed_rate",
            );
        }
        for (prov, v) in &p.table {
            c.range(&k(&format!("table.{prov}")), *v, -1.0, 0.99);
        }
        if p.differentiation == Differentiation::Table && p.table.is_empty() {
            c.fail(
                &k("table"),
                "differentiation = \"table\" needs province cuts in table",
            );
        }
        for s in p.sectors.iter().chain(p.fixed_rate.keys()) {
            if !raw.sectors.contains_key(s) {
                c.fail(&k("sectors"), format!("{s:?}: no such sector"));
            }
        }
        for (s, path) in &p.fixed_rate {
            c.path(&k(&format!("fixed_rate.{s}")), path, 0.0, 1e6);
        }
        p.check_limits(c, &k);
    }
}
