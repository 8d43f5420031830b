//! The category dictionaries of a scenario's output (one per [`crate::output::dict`] marker).

use crate::config::Scenario;
use crate::output::{DictNames, Dicts};

/// Category dictionaries for a scenario's output.
pub fn dicts(s: &Scenario) -> Dicts {
    Dicts::new(&DictNames {
        market: s.markets.iter().map(|m| m.name().to_string()).collect(),
        sector: s.sectors.iter().map(|x| x.name.clone()).collect(),
        class: s.class_names(),
        province: s
            .geography
            .provinces
            .iter()
            .map(|p| p.name.clone())
            .collect(),
        grid: crate::geography::GRIDS
            .iter()
            .map(|g| g.to_string())
            .collect(),
        agglomeration: s.geography.agglomerations.clone(),
        technology: s.technologies.iter().map(|t| t.name.clone()).collect(),
        level: vec![
            "nation".to_string(),
            "agglomeration".to_string(),
            "province".to_string(),
            "city".to_string(),
        ],
        power_tech: std::iter::once("thermal".to_string())
            .chain(
                s.power
                    .iter()
                    .flat_map(|p| p.fleets.iter().map(|f| f.name.clone())),
            )
            .collect(),
        slice: s
            .power
            .as_ref()
            .map_or_else(Vec::new, |p| p.slice_names.clone()),
    })
}
