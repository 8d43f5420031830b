//! Least-cost dispatch of a multi-region power system in one year as a linear program (pure:
//! no ECS, no I/O), solved with HiGHS ([`Dispatcher`], module `lp`: dual simplex, one thread,
//! the program kept from one year to the next).
//!
//! Units: power in MW (the average over a time slice), energy in MWh, costs in CNY, prices in
//! CNY per MWh, carbon prices in CNY per t CO2, emission factors in t CO2 per MWh.
//!
//! The year is a list of representative time slices ([`Slice`]): slice `s` stands for
//! `weight_s` hours of the year and lasts `hours_s` each time it occurs; consecutive slices with
//! the same `cycle` form one representative day (or week) that repeats, and storage cycles
//! within it (its state of charge returns to where it started). The program:
//!
//! ```text
//! min  sum_s weight_s [ sum_u (cost_u + carbon_u ef_u) g_us + voll x_rs + wheel sum_c (f+ + f-)_cs ]
//! s.t. sum_{u in r} g_us + sum_{k in r} (d_ks - c_ks) + sum_{c into r} (1 - loss_c) f_cs
//!        - sum_{c out of r} f_cs + x_rs = demand_rs             (price_rs: its dual / weight_s)
//!      0 <= g_us <= availability_us capacity_u
//!      0 <= f+_cs, f-_cs <= capacity_c                          (a corridor, each direction)
//!      0 <= c_ks, d_ks <= power_k,  0 <= e_ks <= energy_k,
//!      e_k,next(s) = e_ks + (eta_k c_ks - d_ks) hours_s          (cyclic within each cycle)
//!      x_rs >= 0                                                (unserved load at voll)
//! ```
//!
//! `wheel` (default 0.01 CNY/MWh) keeps flows from circling; prices on the two ends of an
//! unconstrained corridor therefore differ by it. The solution is checked: the solver must
//! report an optimum and every balance must hold to 1e-6 of its load plus 1e-6 of the largest
//! load, else [`DispatchError`].

mod lp;

pub use lp::Dispatcher;
use thiserror::Error;

/// One representative time slice of the year.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Slice {
    /// Hours of the year the slice stands for (`sum = 8760` for a whole year), h.
    pub weight: f64,
    /// Length of one occurrence, h (storage moves `power x hours` per occurrence).
    pub hours: f64,
    /// Storage cycle: consecutive slices with the same cycle form one repeating day.
    pub cycle: u16,
}

/// A generation fleet (or one plant) in one region.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Region index.
    pub region: usize,
    /// Capacity, MW.
    pub capacity_mw: f64,
    /// Available share of capacity per slice (wind, solar, hydro, outages), in [0, 1]; empty:
    /// 1 in every slice.
    pub availability: Vec<f64>,
    /// Variable cost without carbon, CNY per MWh.
    pub cost_per_mwh: f64,
    /// Emission factor, t CO2 per MWh.
    pub emission_t_per_mwh: f64,
    /// Carbon price the unit pays (its market's price or tax), CNY per t CO2.
    pub carbon_price: f64,
}

impl Unit {
    /// Available capacity in slice `s`, MW.
    pub fn available(&self, s: usize) -> f64 {
        self.capacity_mw * self.availability.get(s).copied().unwrap_or(1.0)
    }
    /// Cost of a MWh including carbon, CNY per MWh.
    pub fn full_cost(&self) -> f64 {
        self.cost_per_mwh + self.carbon_price * self.emission_t_per_mwh
    }
}

/// A storage plant (batteries, pumped hydro) in one region.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Storage {
    /// Region index.
    pub region: usize,
    /// Charging and discharging power, MW.
    pub power_mw: f64,
    /// Energy capacity, MWh.
    pub energy_mwh: f64,
    /// Round-trip efficiency, in (0, 1]: MWh stored per MWh charged.
    pub efficiency: f64,
}

/// A transmission corridor between two regions, usable in both directions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Corridor {
    /// One end (region index).
    pub a: usize,
    /// The other end (region index).
    pub b: usize,
    /// Capacity in each direction, MW.
    pub capacity_mw: f64,
    /// Share of the power sent that is lost, in [0, 1).
    pub loss: f64,
}

/// One year's dispatch problem.
#[derive(Clone, Debug, PartialEq)]
pub struct DispatchProblem {
    /// Number of regions.
    pub regions: usize,
    /// Time slices, in order.
    pub slices: Vec<Slice>,
    /// Load per region and slice, MW (`demand[r][s]`).
    pub demand: Vec<Vec<f64>>,
    /// Generation.
    pub units: Vec<Unit>,
    /// Storage.
    pub storage: Vec<Storage>,
    /// Transmission.
    pub corridors: Vec<Corridor>,
    /// Value of lost load: the cost of a MWh not served, CNY per MWh.
    pub voll: f64,
    /// Cost of moving a MWh over a corridor, CNY per MWh (> 0 keeps flows from circling).
    pub wheel: f64,
}

/// The least-cost dispatch.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatch {
    /// Generation per unit and slice, MW.
    pub generation: Vec<Vec<f64>>,
    /// Net flow per corridor and slice from `a` to `b` (negative: from `b` to `a`), MW sent.
    pub flow: Vec<Vec<f64>>,
    /// Charging per storage and slice, MW.
    pub charge: Vec<Vec<f64>>,
    /// Discharging per storage and slice, MW.
    pub discharge: Vec<Vec<f64>>,
    /// Unserved load per region and slice, MW.
    pub unserved: Vec<Vec<f64>>,
    /// Price per region and slice: the marginal cost of a MWh more load, CNY per MWh.
    pub price: Vec<Vec<f64>>,
    /// Cost of the year (generation with carbon, unserved load, wheeling), CNY.
    pub cost: f64,
}

/// Why a dispatch could not be found.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum DispatchError {
    /// An input is out of its domain (names the field).
    #[error("invalid dispatch input: {0}")]
    Invalid(String),
    /// The program has no solution (only possible with bounds that contradict each other).
    #[error("the dispatch is infeasible: {0}")]
    Infeasible(String),
    /// The solver stopped without an optimum, or its solution fails the balance check.
    #[error("the dispatch solver failed: {0}")]
    Solver(String),
}

/// Solves `p` for its least-cost dispatch from scratch (a [`Dispatcher`] re-uses the program
/// of the previous solve).
pub fn solve(p: &DispatchProblem) -> Result<Dispatch, DispatchError> {
    Dispatcher::new().solve(p)
}

/// Each slice with the slice that follows it in its cycle (the first of the cycle after the
/// last).
fn cycle_successors(slices: &[Slice]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(slices.len());
    let mut start = 0;
    while start < slices.len() {
        let mut end = start;
        while end + 1 < slices.len() && slices[end + 1].cycle == slices[start].cycle {
            end += 1;
        }
        for s in start..=end {
            out.push((s, if s == end { start } else { s + 1 }));
        }
        start = end + 1;
    }
    out
}

/// Checks the domain of every input.
fn check(p: &DispatchProblem) -> Result<(), DispatchError> {
    let bad = |what: String| Err(DispatchError::Invalid(what));
    let finite_nonneg = |x: f64| x.is_finite() && x >= 0.0;
    let ns = p.slices.len();
    if ns == 0 || p.regions == 0 {
        return bad("at least one region and one slice".into());
    }
    for (s, sl) in p.slices.iter().enumerate() {
        if !(sl.weight.is_finite() && sl.weight > 0.0 && sl.hours.is_finite() && sl.hours > 0.0) {
            return bad(format!("slice {s}: weight and hours must be > 0"));
        }
    }
    if p.demand.len() != p.regions || p.demand.iter().any(|d| d.len() != ns) {
        return bad(format!(
            "demand must be {} regions x {ns} slices",
            p.regions
        ));
    }
    if p.demand.iter().flatten().any(|d| !finite_nonneg(*d)) {
        return bad("demand must be finite and >= 0".into());
    }
    for (u, x) in p.units.iter().enumerate() {
        let ok = x.region < p.regions
            && finite_nonneg(x.capacity_mw)
            && x.cost_per_mwh.is_finite()
            && finite_nonneg(x.emission_t_per_mwh)
            && finite_nonneg(x.carbon_price)
            && (x.availability.is_empty() || x.availability.len() == ns)
            && x.availability.iter().all(|a| (0.0..=1.0).contains(a));
        if !ok {
            return bad(format!("unit {u}"));
        }
    }
    for (k, x) in p.storage.iter().enumerate() {
        let ok = x.region < p.regions
            && finite_nonneg(x.power_mw)
            && finite_nonneg(x.energy_mwh)
            && x.efficiency > 0.0
            && x.efficiency <= 1.0;
        if !ok {
            return bad(format!("storage {k}"));
        }
    }
    for (c, x) in p.corridors.iter().enumerate() {
        let ok = x.a < p.regions
            && x.b < p.regions
            && x.a != x.b
            && finite_nonneg(x.capacity_mw)
            && (0.0..1.0).contains(&x.loss);
        if !ok {
            return bad(format!("corridor {c}"));
        }
    }
    if !(finite_nonneg(p.voll) && finite_nonneg(p.wheel)) {
        return bad("voll and wheel must be finite and >= 0".into());
    }
    Ok(())
}

/// The balance of every region and slice holds to 1e-6 of its load plus 1e-6 of the largest
/// load (the solver's accuracy and the snapping of values to their bounds are relative to the
/// problem's scale).
fn verify(
    p: &DispatchProblem,
    d: &Dispatch,
    (fwd, back): (&[Vec<f64>], &[Vec<f64>]),
) -> Result<(), DispatchError> {
    let scale = p.demand.iter().flatten().fold(1.0_f64, |a, b| a.max(*b));
    for s in 0..p.slices.len() {
        let mut supply: Vec<f64> = (0..p.regions).map(|r| d.unserved[r][s]).collect();
        for (u, unit) in p.units.iter().enumerate() {
            supply[unit.region] += d.generation[u][s];
        }
        for (k, st) in p.storage.iter().enumerate() {
            supply[st.region] += d.discharge[k][s] - d.charge[k][s];
        }
        for (c, cor) in p.corridors.iter().enumerate() {
            let keep = 1.0 - cor.loss;
            supply[cor.b] += keep * fwd[c][s] - back[c][s];
            supply[cor.a] += keep * back[c][s] - fwd[c][s];
        }
        for (r, got) in supply.iter().enumerate() {
            let want = p.demand[r][s];
            if (got - want).abs() > 1e-6 * want.max(1.0) + 1e-6 * scale {
                return Err(DispatchError::Solver(format!(
                    "region {r}, slice {s}: supply {got} MW against load {want} MW"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
