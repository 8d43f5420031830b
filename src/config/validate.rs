//! Validation of a raw scenario: every range and consistency problem, each reported with the
//! file and the key path and what is allowed. References to provinces and cities are checked
//! in [`super::resolve`], once the geography is known.

use super::raw::*;
use super::series::PathRaw;

/// Collects problems; `label` is the config file's name.
pub struct Checker<'a> {
    label: &'a str,
    /// Problems found so far.
    pub problems: Vec<String>,
}

impl<'a> Checker<'a> {
    /// A checker for the file `label`.
    pub fn new(label: &'a str) -> Self {
        Checker {
            label,
            problems: Vec::new(),
        }
    }

    /// Records a problem at `key`.
    pub fn fail(&mut self, key: &str, msg: impl std::fmt::Display) {
        let msg = msg.to_string();
        // "key = value: what is allowed" reads better than "key: = value: ...".
        let sep = if msg.starts_with("= ") { " " } else { ": " };
        self.problems
            .push(format!("{}: {key}{sep}{msg}", self.label));
    }

    /// Requires `lo <= v <= hi`.
    pub fn range(&mut self, key: &str, v: f64, lo: f64, hi: f64) {
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.fail(key, format!("= {v}: must be within [{lo}, {hi}]"));
        }
    }

    /// Requires `v > 0` (finite).
    pub fn positive(&mut self, key: &str, v: f64) {
        if !(v.is_finite() && v > 0.0) {
            self.fail(key, format!("= {v}: must be a number > 0"));
        }
    }

    /// Requires every value of a path within `[lo, hi]`.
    pub fn path(&mut self, key: &str, p: &PathRaw, lo: f64, hi: f64) {
        if let Err(e) = p.check(lo, hi) {
            self.fail(key, e);
        }
    }

    /// Checks a distribution: its whole support must be `>= 0` (`> 0` with `positive`) and
    /// its parameters finite and at most [`DIST_MAX`] in magnitude. A normal is drawn
    /// truncated below at 5 % of its mean, so it needs a mean `> 0` (a normal around 0 would
    /// give negative values).
    pub fn dist(&mut self, key: &str, d: &RawDist, positive: bool) {
        let lo_ok = |v: f64| !positive || v > 0.0;
        let params: Vec<f64> = match d {
            RawDist::Constant(v) => vec![*v],
            RawDist::Dist(DistSpec::Normal { mean, sd }) => vec![*mean, *sd],
            RawDist::Dist(DistSpec::Lognormal { median, sigma }) => vec![*median, *sigma],
            RawDist::Dist(DistSpec::Uniform { min, max }) => vec![*min, *max],
            RawDist::Dist(DistSpec::Triangular { min, mode, max }) => vec![*min, *mode, *max],
        };
        if params.iter().any(|v| v.abs() > DIST_MAX) {
            self.fail(
                key,
                format!("parameters {params:?}: each must be at most {DIST_MAX:e} in magnitude"),
            );
            return;
        }
        if let RawDist::Dist(DistSpec::Lognormal { sigma, .. }) = d
            && *sigma > 10.0
        {
            self.fail(key, format!("lognormal sigma = {sigma}: at most 10"));
            return;
        }
        match d {
            RawDist::Constant(v) => {
                if !(v.is_finite() && lo_ok(*v) && *v >= 0.0) {
                    self.fail(key, format!("= {v}: must be a number {}", gt(positive)));
                }
            }
            RawDist::Dist(DistSpec::Normal { mean, sd }) => {
                let degenerate_zero = *mean == 0.0 && *sd == 0.0 && !positive;
                if !(mean.is_finite() && sd.is_finite() && *sd >= 0.0)
                    || !(*mean > 0.0 || degenerate_zero)
                {
                    self.fail(
                        key,
                        format!(
                            "normal(mean = {mean}, sd = {sd}): mean must be > 0 and sd >= 0 (draws are truncated below at 5 % of the mean; for values near 0 use uniform or triangular)"
                        ),
                    );
                }
            }
            RawDist::Dist(DistSpec::Lognormal { median, sigma }) => {
                if !(median.is_finite() && *median > 0.0 && sigma.is_finite() && *sigma >= 0.0) {
                    self.fail(
                        key,
                        format!("lognormal(median = {median}, sigma = {sigma}): median must be > 0 and sigma >= 0"),
                    );
                }
            }
            RawDist::Dist(DistSpec::Uniform { min, max }) => {
                if !(min.is_finite() && max.is_finite() && min <= max && lo_ok(*min) && *min >= 0.0)
                {
                    self.fail(
                        key,
                        format!(
                            "uniform(min = {min}, max = {max}): need {} min <= max",
                            if positive { "0 <" } else { "0 <=" }
                        ),
                    );
                }
            }
            RawDist::Dist(DistSpec::Triangular { min, mode, max }) => {
                if !(min.is_finite()
                    && max.is_finite()
                    && min <= mode
                    && mode <= max
                    && lo_ok(*min)
                    && *min >= 0.0)
                {
                    self.fail(
                        key,
                        format!("triangular(min = {min}, mode = {mode}, max = {max}): need min <= mode <= max and min {}", gt(positive)),
                    );
                }
            }
        }
    }
}

/// Most sectors in a scenario.
pub const MAX_SECTORS: u64 = 1_000;
/// Most markets in a scenario.
pub const MAX_MARKETS: u64 = 1_000;
/// Most technologies in a scenario.
pub const MAX_TECHNOLOGIES: u64 = 10_000;
/// Most five-year plans in a scenario.
pub const MAX_PLANS: u64 = 1_000;
/// Most firms in a scenario (generated and listed; a firms file is counted when read).
pub const MAX_FIRMS: u64 = 50_000_000;

/// Largest magnitude of a distribution parameter (keeps products of attributes finite).
pub const DIST_MAX: f64 = 1e12;

fn gt(positive: bool) -> &'static str {
    if positive { "> 0" } else { ">= 0" }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Bounds of a regime's stringency value when `scenario.stringency_bounds` is absent.
pub const DEFAULT_STRINGENCY_BOUNDS: (f64, f64) = (0.05, 20.0);

/// Checks ranges and internal consistency of a raw scenario. References to sectors are
/// checked here; references to provinces and cities in [`super::resolve`].
pub fn validate(raw: &RawScenario, c: &mut Checker) {
    let m = &raw.scenario;
    if !is_name(&m.name) {
        c.fail(
            "scenario.name",
            format!("= {:?}: use letters, digits, _ and - only", m.name),
        );
    }
    m.check_limits(c, &|f| format!("scenario.{f}"));
    if let Some(p) = &raw.power {
        super::power::validate(p, c);
    }
    if let Some(p) = &raw.capacity {
        super::capacity::validate(p, c);
    }
    if let Some(r) = &raw.research {
        super::research::validate(r, c);
    }
    super::fuels::validate(raw, c);
    let bounds = m
        .stringency_bounds
        .map_or(DEFAULT_STRINGENCY_BOUNDS, |[a, b]| (a, b));
    for (i, s) in m.stringency.iter().enumerate() {
        if let Err(e) = crate::calibrate::param::Param::parse_compact(s, bounds) {
            c.fail(&format!("scenario.stringency[{i}]"), e);
        }
    }
    if m.stringency_bounds.is_some() && m.stringency.is_empty() {
        c.fail("scenario.stringency_bounds", "needs scenario.stringency");
    }
    if m.end_year < m.start_year {
        c.fail(
            "scenario.end_year",
            format!(
                "= {}: must not be before scenario.start_year = {}",
                m.end_year, m.start_year
            ),
        );
    } else if m.end_year - m.start_year > 500 {
        c.fail("scenario.end_year", "runs are limited to 500 years");
    }
    raw.geography.check_limits(c, &|f| format!("geography.{f}"));
    raw.macro_.check_limits(c, &|f| format!("macro.{f}"));
    raw.behaviour.check_limits(c, &|f| format!("behaviour.{f}"));
    // Counts stay far inside the integer types of their ids (u16 sector, market and
    // technology ids, u32 firm ids).
    let total_firms: u64 = raw
        .sectors
        .values()
        .map(|s| u64::from(s.firms))
        .sum::<u64>()
        + raw.firms.len() as u64;
    for (key, n, max) in [
        ("sectors", raw.sectors.len() as u64, MAX_SECTORS),
        ("markets", raw.markets.len() as u64, MAX_MARKETS),
        (
            "technologies",
            raw.technologies.len() as u64,
            MAX_TECHNOLOGIES,
        ),
        ("plans", raw.plans.len() as u64, MAX_PLANS),
        ("firms (generated and listed)", total_firms, MAX_FIRMS),
    ] {
        if n > max {
            c.fail(key, format!("{n} of them: at most {max}"));
        }
    }
    if raw.sectors.is_empty() {
        c.fail(
            "sectors",
            "the sector list is empty: define at least one [sectors.<name>] table",
        );
    }
    for (name, s) in &raw.sectors {
        let k = |f: &str| format!("sectors.{name}.{f}");
        if !is_name(name) {
            c.fail(
                &format!("sectors.{name}"),
                "sector names use letters, digits, _ and - only",
            );
        }
        if s.unit.trim().is_empty() {
            c.fail(&k("unit"), "must name the unit of output, e.g. \"MWh\"");
        }
        // Total output of the generated firms: > 0 when there are any, at most 1e14 units.
        let lo = if s.firms > 0 { f64::MIN_POSITIVE } else { 0.0 };
        if !(s.total_output.is_finite() && s.total_output >= lo && s.total_output <= 1e14) {
            c.fail(
                &k("total_output"),
                format!(
                    "= {}: must be {} and at most 1e14",
                    s.total_output,
                    if s.firms > 0 {
                        "> 0 (the sector has firms)"
                    } else {
                        ">= 0"
                    }
                ),
            );
        }
        s.check_limits(c, &k);
        if s.electricity_intensity > 0.0 && raw.power.as_ref().is_some_and(|p| &p.sector == name) {
            c.fail(
                &k("electricity_intensity"),
                format!(
                    "= {}: the power sector ([power] sector) generates the electricity; its own use is in its load, so this must be 0",
                    s.electricity_intensity
                ),
            );
        }
        if let RawDist::Constant(v) = s.expectation_weight {
            c.range(&k("expectation_weight"), v, 0.0, 1.0);
        }
        if let Some(r) = &s.renewal {
            r.check_limits(c, &|f| k(&format!("renewal.{f}")));
        }
        for (g, r) in &s.groups {
            if !is_name(g) {
                c.fail(
                    &k(&format!("groups.{g}")),
                    "group names use letters, digits, _ and - only",
                );
            }
            r.check_limits(c, &|f| k(&format!("groups.{g}.{f}")));
        }
        let shares: f64 = s.groups.values().map(|g| g.share).sum();
        if shares > 1.0 + 1e-12 {
            c.fail(
                &k("groups"),
                format!("shares sum to {shares}: they must sum to at most 1 (the rest is the main population)"),
            );
        }
        if s.groups.len() > 250 {
            c.fail(&k("groups"), "at most 250 groups per sector");
        }
    }
    for (i, f) in raw.firms.iter().enumerate() {
        let k = |x: &str| format!("firms[{i}].{x}");
        if !raw.sectors.contains_key(&f.sector) {
            c.fail(&k("sector"), format!("= {:?}: no such sector", f.sector));
        }
        f.check_limits(c, &k);
    }
    for (i, mk) in raw.markets.iter().enumerate() {
        validate_market(raw, i, mk, c);
    }
    raw.output.check_limits(c, &|f| format!("output.{f}"));
    raw.foresight.check_limits(c, &|f| format!("foresight.{f}"));
    if raw.output.firm_every_years == 0 {
        c.fail("output.firm_every_years", "= 0: must be at least 1");
    }
}

fn validate_market(raw: &RawScenario, i: usize, mk: &RawMarket, c: &mut Checker) {
    let k = |x: &str| format!("markets[{i}].{x}");
    if !is_name(&mk.name) {
        c.fail(
            &k("name"),
            format!("= {:?}: use letters, digits, _ and - only", mk.name),
        );
    }
    if raw.markets[..i].iter().any(|o| o.name == mk.name) {
        c.fail(
            &k("name"),
            format!("= {:?}: duplicate market name", mk.name),
        );
    }
    let end = mk
        .end_year
        .unwrap_or(raw.scenario.end_year.max(mk.start_year));
    if end < mk.start_year {
        c.fail(
            &k("end_year"),
            format!("= {end}: must not be before start_year = {}", mk.start_year),
        );
    }
    if mk.sectors.is_empty() {
        c.fail(&k("sectors"), "the market covers no sector");
    }
    if mk.bank_conversion_rate.is_some() && mk.bank_on_exit != BankOnExit::Convert {
        c.fail(
            &k("bank_conversion_rate"),
            "is set but bank_on_exit is not \"convert\": set bank_on_exit = \"convert\" or drop the rate",
        );
    }
    for (s, y) in &mk.sectors {
        if !raw.sectors.contains_key(s) {
            c.fail(
                &k(&format!("sectors.{s}")),
                format!(
                    "no such sector; defined sectors: {:?}",
                    raw.sectors.keys().collect::<Vec<_>>()
                ),
            );
        }
        if *y < mk.start_year {
            c.fail(
                &k(&format!("sectors.{s}")),
                format!("= {y}: must not be before start_year = {}", mk.start_year),
            );
        }
    }
    if mk.kind == MarketKind::Pilot && mk.provinces.is_empty() && mk.cities.is_empty() {
        c.fail(&k("provinces"), "a pilot must list provinces or cities");
    }
    mk.check_limits(c, &k);
    match (mk.indirect, mk.indirect_factor) {
        (Indirect::Fixed, None) => c.fail(
            &k("indirect_factor"),
            "is missing: indirect = \"fixed\" needs the emission factor in t CO2 per MWh",
        ),
        (Indirect::Fixed, Some(_)) | (_, None) => {}
        (_, Some(_)) => c.fail(
            &k("indirect_factor"),
            "is set but indirect is not \"fixed\": set indirect = \"fixed\" or drop the factor",
        ),
    }
    if matches!(
        mk.indirect,
        Indirect::Grid | Indirect::Province | Indirect::National
    ) && raw.power.is_none()
    {
        c.fail(
            &k("indirect"),
            format!(
                "= {:?}: grid emission factors come from the power dispatch, which needs a [power] table; without it use \"none\" or \"fixed\" with indirect_factor",
                format!("{:?}", mk.indirect).to_lowercase()
            ),
        );
    }
    if let Some(l) = &mk.banking_limit {
        l.check_limits(c, &|f| k(&format!("banking_limit.{f}")));
        if let (Some(a), Some(b)) = (l.from, l.until)
            && b < a
        {
            c.fail(
                &k("banking_limit.until"),
                format!("= {b}: must not be before banking_limit.from = {a}"),
            );
        }
        if !mk.banking {
            c.fail(
                &k("banking_limit"),
                "is set but banking = false: nothing is banked to limit",
            );
        }
    }
    if let Some(b) = &mk.borrowing {
        b.check_limits(c, &|f| k(&format!("borrowing.{f}")));
        if !mk.banking {
            c.fail(
                &k("borrowing"),
                "is set but banking = false: borrowing carries allowances between years; set banking = true",
            );
        }
        if mk.allocation == AllocationRule::Tax {
            c.fail(
                &k("borrowing"),
                "a tax market has no allocation to borrow from",
            );
        }
    }
    if let Some(o) = &mk.offsets {
        o.check_limits(c, &|f| k(&format!("offsets.{f}")));
        for (j, src) in o.sources.iter().enumerate() {
            src.check_limits(c, &|f| k(&format!("offsets.sources[{j}].{f}")));
        }
        if let (Some(a), Some(b)) = (o.from, o.until)
            && b < a
        {
            c.fail(
                &k("offsets.until"),
                format!("= {b}: must not be before offsets.from = {a}"),
            );
        }
        if mk.allocation == AllocationRule::Tax {
            c.fail(
                &k("offsets"),
                "a tax market takes no offsets (the tax is paid per tonne emitted)",
            );
        }
    }
    if let Some(r) = &mk.msr {
        r.check_limits(c, &|f| k(&format!("msr.{f}")));
        if r.lower_t > r.upper_t {
            c.fail(
                &k("msr.lower_t"),
                format!(
                    "= {}: must not exceed msr.upper_t = {}",
                    r.lower_t, r.upper_t
                ),
            );
        }
        if mk.allocation == AllocationRule::Tax {
            c.fail(&k("msr"), "a tax market has no auction volume to adjust");
        }
    }
    match mk.allocation {
        AllocationRule::Benchmark => {
            for s in mk.sectors.keys() {
                match mk.benchmarks.get(s) {
                    None => c.fail(
                        &k("benchmarks"),
                        format!("allocation = \"benchmark\" needs a benchmark for sector {s:?}"),
                    ),
                    Some(p) => c.path(&k(&format!("benchmarks.{s}")), p, 0.0, 1e6),
                }
            }
            if mk.cap_factor.is_some() || mk.cap_t.is_some() {
                c.fail(
                    &k("cap_factor"),
                    "benchmark allocation has no fixed cap: remove cap_factor/cap_t",
                );
            }
        }
        AllocationRule::Tax => {}
        AllocationRule::Grandfathering | AllocationRule::Auction => {
            match (&mk.cap_factor, &mk.cap_t) {
                (Some(p), None) => c.path(&k("cap_factor"), p, 0.0, 10.0),
                (None, Some(p)) => c.path(&k("cap_t"), p, 0.0, 1e13),
                _ => c.fail(
                    &k("cap_factor"),
                    "grandfathering and auction need exactly one of cap_factor (relative to base-period emissions) or cap_t (t CO2 per year)",
                ),
            }
        }
    }
    for (s, groups) in &mk.groups {
        if !mk.sectors.contains_key(s) {
            c.fail(
                &k(&format!("groups.{s}")),
                "rules for a sector the market does not cover",
            );
            continue;
        }
        let Some(sector) = raw.sectors.get(s) else {
            continue;
        };
        for (g, rule) in groups {
            let key = |f: &str| k(&format!("groups.{s}.{g}.{f}"));
            if !sector.groups.contains_key(g) {
                c.fail(
                    &k(&format!("groups.{s}.{g}")),
                    format!(
                        "sector {s:?} has no group {g:?} (its groups: {:?}; define it under [sectors.{s}.groups.{g}])",
                        sector.groups.keys().collect::<Vec<_>>()
                    ),
                );
            }
            rule.check_limits(c, &key);
            if rule.benchmark.is_some() && mk.allocation != AllocationRule::Benchmark {
                c.fail(
                    &key("benchmark"),
                    "a group benchmark needs allocation = \"benchmark\"",
                );
            }
            if rule.obligation_cap_share.is_some() && mk.allocation == AllocationRule::Tax {
                c.fail(
                    &key("obligation_cap_share"),
                    "a tax market has no allocation to cap the obligation at",
                );
            }
        }
    }
    for s in mk.benchmarks.keys() {
        if !mk.sectors.contains_key(s) {
            c.fail(
                &k(&format!("benchmarks.{s}")),
                "benchmark for a sector the market does not cover",
            );
        }
    }
    if let Some(p) = &mk.auction_share
        && mk.allocation == AllocationRule::Auction
        && p.check(1.0, 1.0).is_err()
    {
        c.fail(
            &k("auction_share"),
            "must be 1 (or absent) when allocation = \"auction\"",
        );
    }
    for y in mk.start_year..=end {
        if mk.ceiling.at(y) <= mk.floor.at(y) {
            c.fail(
                &k("ceiling"),
                format!(
                    "= {} in {y}: must be above floor = {}",
                    mk.ceiling.at(y),
                    mk.floor.at(y)
                ),
            );
            break;
        }
    }
    match (&mk.tax, mk.allocation) {
        (Some(t), AllocationRule::Tax) => {
            c.path(&k("tax"), t, 0.0, 1e6);
            // A tax fixes the price: the band, the auction and the reserve do not apply.
            for (key, p) in [
                ("floor", &mk.floor),
                ("reserve_price", &mk.reserve_price),
                ("ccr_volume_t", &mk.ccr_volume_t),
            ] {
                if p.check(0.0, 0.0).is_err() {
                    c.fail(
                        &k(key),
                        "does not apply to a tax market (the tax fixes the price): remove it",
                    );
                }
            }
        }
        (None, AllocationRule::Tax) => c.fail(
            &k("tax"),
            "allocation = \"tax\" needs a tax path (CNY per t)",
        ),
        (Some(_), _) => c.fail(&k("tax"), "a tax path needs allocation = \"tax\""),
        (None, _) => {}
    }
}
