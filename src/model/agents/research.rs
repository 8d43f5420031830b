//! Knowledge stocks of the R&D programmes (`[research]`, MODEL.md section 7.26).

use crate::config::Scenario;
use bevy_ecs::prelude::Resource;

/// Knowledge stocks and this year's capex factors.
#[derive(Resource, Clone, Debug, Default)]
pub struct ResearchState {
    /// Per programme, its stock per technology (`tech`) and unit: one unit for a joint
    /// programme (`stock[p][tech]`), one per city otherwise (`stock[p][tech x cities + city]`),
    /// CNY.
    pub stock: Vec<Vec<f64>>,
    /// Per programme and technology, what it spent this year, CNY.
    pub spent: Vec<Vec<f64>>,
    /// Learning-by-searching factor on capex per technology and city
    /// (`tech x cities + city`), this year; empty without `[research]`.
    pub factor: Vec<f64>,
    /// Per programme, market revenue paid in by recycling and not yet spent, CNY (spent in
    /// the next diffusion phase).
    pub fund: Vec<f64>,
    /// Per city, what its budget paid for programmes this year, CNY (part of its cost burden).
    pub city_cost: Vec<f64>,
    /// Spent this year by every programme, from budgets and market revenue, CNY (social cost).
    pub total_spent: f64,
}

impl ResearchState {
    /// Empty stocks for the scenario's programmes.
    pub fn new(s: &Scenario) -> Self {
        let Some(r) = &s.research else {
            return ResearchState::default();
        };
        let (nt, nc) = (s.technologies.len(), s.geography.cities.len());
        let units = |joint: bool| if joint { nt } else { nt * nc };
        ResearchState {
            stock: r
                .programmes
                .iter()
                .map(|p| vec![0.0; units(p.joint)])
                .collect(),
            spent: r.programmes.iter().map(|_| vec![0.0; nt]).collect(),
            factor: vec![1.0; nt * nc],
            fund: vec![0.0; r.programmes.len()],
            city_cost: vec![0.0; nc],
            total_spent: 0.0,
        }
    }
}
