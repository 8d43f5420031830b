//! The expected price paths of the markets (MODEL.md section 7.19): what firms with
//! `announced` or `foresight` expectations read.

use crate::config::kinds::Expectations;
use bevy_ecs::prelude::Resource;

/// Expected clearing price of every market in every year of the run, CNY per t CO2 (index
/// `year - first_year`; 0 where a market does not operate).
#[derive(Resource, Clone, Debug, Default)]
pub struct Outlook {
    /// First year of every path (the scenario's first year).
    pub first_year: i32,
    /// Per market, the rational-expectations path the foresight fixed point feeds in (empty
    /// before its first iteration: firms then expect adaptively).
    pub foresight: Vec<Vec<f64>>,
    /// Per market, the path implied by its announced supply, rewritten each year from that
    /// year on by the expectations phase (empty when no firm uses `announced`).
    pub announced: Vec<Vec<f64>>,
    /// Whole runs the foresight fixed point took (0 without foresight).
    pub iterations: u32,
    /// Its last change of the expected path, share (None without foresight).
    pub residual: Option<f64>,
    /// Its fixed-point gap `max_t |realised - expected| / max(expected, 1)`, share (None
    /// without foresight).
    pub gap: Option<f64>,
}

impl Outlook {
    /// The expected path of market `m` under `mode`, if there is one.
    pub fn path(&self, mode: Expectations, m: usize) -> Option<&[f64]> {
        let paths = match mode {
            Expectations::Adaptive => return None,
            Expectations::Announced => &self.announced,
            Expectations::Foresight => &self.foresight,
        };
        paths.get(m).map(Vec::as_slice).filter(|p| !p.is_empty())
    }

    /// The price of market `m` expected for `year` under `mode` (None: adaptive, no path yet,
    /// or outside the run; after the run's last year the last value holds).
    pub fn at(&self, mode: Expectations, m: usize, year: i32) -> Option<f64> {
        let path = self.path(mode, m)?;
        let i = usize::try_from(year - self.first_year).ok()?;
        path.get(i).or(path.last()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_path_of_the_mode_and_holds_the_last_value() {
        let o = Outlook {
            first_year: 2020,
            foresight: vec![vec![10.0, 11.0, 12.1]],
            announced: vec![],
            ..Outlook::default()
        };
        assert_eq!(o.at(Expectations::Foresight, 0, 2021), Some(11.0));
        assert_eq!(o.at(Expectations::Foresight, 0, 2030), Some(12.1));
        assert_eq!(o.at(Expectations::Foresight, 0, 2019), None);
        assert_eq!(o.at(Expectations::Announced, 0, 2021), None);
        assert_eq!(o.at(Expectations::Adaptive, 0, 2021), None);
    }
}
