//! Phase 1, policy: the regime timeline for year t. Markets switch on and off, sectors join
//! the national market (leaving their pilot), and each firm's coverage is set: national
//! markets take precedence over pilots, then file order; a firm is covered when its sector
//! and city are in the market this year and its last-year gross emissions reach the
//! threshold. When a firm's market changes, its bank follows the rule of the market it leaves
//! (`bank_on_exit`: kept dormant, cancelled or converted; [`crate::model::bank_exit`]); a
//! firm that leaves every market has its make-good debt forgiven.

use crate::config::Scenario;
use crate::config::fuels::CoveragePoint;
use crate::config::kinds::{AllocationRule, MarketKind};
use crate::model::agents::firm::{Account, Coverage, FirmInfo, Lifecycle};
use crate::model::agents::power::PowerState;
use crate::model::agents::regulator::{MarketOutcome, Regulator};
use crate::model::agents::{Clock, RunParams};
use crate::model::bank_exit::{ExitRule, change_market};
use bevy_ecs::prelude::*;

/// Advances the clock's markets: active flags and fresh year outcomes.
pub fn update_regulators(
    params: Res<RunParams>,
    clock: Res<Clock>,
    mut regs: Query<&mut Regulator>,
) {
    for mut r in &mut regs {
        let m = &params.scenario.markets[r.market as usize];
        r.active = m.active(clock.year);
        r.year = MarketOutcome::default();
    }
}

/// The market covering a firm of `sector` in `city` in `year` whose gross emissions last
/// year were `last_gross` t CO2: the first downstream national market (file order) that
/// covers it and whose threshold it reaches, else the first such downstream pilot, else the
/// first upstream market (national, then pilot) that covers its sector and city (upstream
/// markets have no threshold; a firm covered downstream is exempt from them, so no tonne is
/// priced twice).
pub fn covering_market(
    s: &Scenario,
    sector: usize,
    city: u32,
    year: i32,
    last_gross: f64,
) -> Option<usize> {
    [MarketKind::National, MarketKind::Pilot]
        .into_iter()
        .find_map(|kind| {
            s.markets.iter().find(|m| {
                m.kind == kind
                    && m.point == CoveragePoint::Downstream
                    && m.covers(sector, city, year)
                    && last_gross >= m.threshold_t
            })
        })
        .or_else(|| {
            [MarketKind::National, MarketKind::Pilot]
                .into_iter()
                .find_map(|kind| {
                    s.markets.iter().find(|m| {
                        m.kind == kind
                            && m.point == CoveragePoint::Upstream
                            && m.covers(sector, city, year)
                    })
                })
        })
        .map(|m| m.id as usize)
}

/// Sets each firm's covering market, its marginal free allocation rate and the factor at
/// which it expects its market to count its electricity (last year's dispatch: the power
/// state still holds it in this phase).
pub fn assign_coverage(
    params: Res<RunParams>,
    clock: Res<Clock>,
    power: Res<PowerState>,
    mut firms: Query<(&FirmInfo, &Lifecycle, &mut Coverage, &mut Account)>,
) {
    let s = &params.scenario;
    let year = clock.year;
    let rule = |m: u16| {
        let spec = &s.markets[m as usize];
        ExitRule {
            on_exit: spec.bank_on_exit,
            rate: spec.bank_conversion_rate,
            closed: year > spec.end_year,
        }
    };
    for (info, life, mut cov, mut acc) in &mut firms {
        let sector = info.sector as usize;
        // A plant that no longer produces (retired or exited, `[capacity]`) leaves its market.
        let market = if life.operating(year) {
            covering_market(s, sector, info.city, year, cov.last_gross_emissions)
        } else {
            None
        };
        cov.previous = cov.market;
        cov.market = market.map(|m| m as u16);
        cov.direct_share = market.map_or(1.0, |m| s.markets[m].direct_share[sector]);
        cov.indirect_factor = cov.market.map_or(0.0, |m| {
            super::indirect::firm_factor(s, m, info.city, power.year.as_ref())
        });
        if cov.market != cov.previous && cov.market.is_some() {
            cov.entered = year;
            // Its indirect part is added once this year's factor is known
            // ([`super::indirect::count_indirect`]).
            cov.base_emissions = cov.counted(cov.last_gross_emissions);
        }
        change_market(&mut acc, cov.previous, cov.market, rule);
        if cov.market.is_none() {
            acc.debt = 0.0;
        }
        cov.free_rate = match market {
            Some(m) => {
                let spec = &s.markets[m];
                match (spec.allocation, &spec.benchmarks[info.class as usize]) {
                    (AllocationRule::Benchmark, Some(b)) => {
                        let p = s.geography.cities[info.city as usize].province as usize;
                        b.at(year) * (1.0 - spec.auction_share.at(year)) * spec.benchmark_factor[p]
                    }
                    _ => 0.0,
                }
            }
            None => 0.0,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{firms, run, world};

    const UPSTREAM: &str = include_str!("../../../configs/validation/upstream.toml");

    /// A downstream tax on alpha and an upstream market on coal for both sectors: alpha stays
    /// in the downstream market (counted fully, exempt upstream), beta is covered upstream on
    /// its coal share (0.4) whatever its size.
    #[test]
    fn downstream_coverage_takes_precedence_over_upstream_coverage() {
        let toml = format!(
            "{UPSTREAM}\n[[markets]]\nname = \"fuel\"\nkind = \"national\"\nstart_year = 2020\nsectors = {{ alpha = 2020, beta = 2020 }}\nallocation = \"tax\"\ntax = 10\nbanking = false\npoint = \"upstream\"\nfuels = [\"coal\"]\n"
        );
        let mut w = world(
            &toml,
            &[
                "markets.tax.start_year = 2020",
                "markets.tax.sectors = { alpha = 2020 }",
                "markets.tax.threshold_t = 1e9",
                "sectors.beta.fuel_shares = { coal = 0.4 }",
            ],
        );
        // Last year's emissions of 250 t are below the downstream threshold: alpha is
        // upstream too until the threshold is lowered.
        run(&mut w, update_regulators);
        run(&mut w, assign_coverage);
        let cov = firms::<Coverage>(&mut w);
        assert_eq!((cov[0].market, cov[0].direct_share), (Some(1), 1.0));
        assert_eq!((cov[1].market, cov[1].direct_share), (Some(1), 0.4));
        let mut w = world(
            &toml,
            &[
                "markets.tax.start_year = 2020",
                "markets.tax.sectors = { alpha = 2020 }",
                "sectors.beta.fuel_shares = { coal = 0.4 }",
            ],
        );
        run(&mut w, update_regulators);
        run(&mut w, assign_coverage);
        let cov = firms::<Coverage>(&mut w);
        assert_eq!((cov[0].market, cov[0].direct_share), (Some(0), 1.0));
        assert_eq!((cov[1].market, cov[1].direct_share), (Some(1), 0.4));
    }
}
