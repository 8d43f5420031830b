//! The dispatch program in HiGHS (the `highs` crate, dual simplex, one thread), kept across
//! solves: a [`Dispatcher`] builds the program once and, while the next problem has the same
//! structure (regions, slices, which region each unit and storage is in, storage efficiencies,
//! corridor ends and losses: everything that sits in the constraint matrix), only changes the
//! costs and bounds of its columns, so HiGHS starts from the last optimal basis. Successive
//! years of a run differ in capacities, costs, carbon prices and load, and re-solve in a
//! fraction of a cold solve's time.
//!
//! Column layout, each block slice-major within its item (`ns` slices): generation `g[u][s]`,
//! corridor flows `fwd[c][s]` (a to b) and `back[c][s]`, storage charging `ch[k][s]`,
//! discharging `dis[k][s]` and state of charge `soc[k][s]`, unserved load `x[r][s]` and the load
//! itself `load[r][s]` (a column fixed at the load, so that a new year's load is a bound
//! change). Rows: the balance of each region and slice (`supply - load = 0`, its dual the
//! price), then the storage step of each storage and slice.

use super::{Dispatch, DispatchError, DispatchProblem, cycle_successors};
use highs::{ColProblem, HighsModelStatus, Model, Row, Sense};

/// What the constraint matrix depends on: two problems with the same structure differ only
/// in costs and bounds.
#[derive(Clone, Debug, PartialEq)]
struct Structure {
    regions: usize,
    /// Hours and cycle of each slice (weights enter the costs only).
    slices: Vec<(u64, u16)>,
    unit_regions: Vec<usize>,
    /// Region and efficiency (bits) of each storage.
    storage: Vec<(usize, u64)>,
    /// Ends and loss (bits) of each corridor.
    corridors: Vec<(usize, usize, u64)>,
}

impl Structure {
    fn of(p: &DispatchProblem) -> Self {
        Structure {
            regions: p.regions,
            slices: p
                .slices
                .iter()
                .map(|s| (s.hours.to_bits(), s.cycle))
                .collect(),
            unit_regions: p.units.iter().map(|u| u.region).collect(),
            storage: p
                .storage
                .iter()
                .map(|k| (k.region, k.efficiency.to_bits()))
                .collect(),
            corridors: p
                .corridors
                .iter()
                .map(|c| (c.a, c.b, c.loss.to_bits()))
                .collect(),
        }
    }
}

/// Offsets of the column blocks.
#[derive(Clone, Copy, Debug)]
struct Layout {
    ns: usize,
    fwd: usize,
    back: usize,
    ch: usize,
    dis: usize,
    soc: usize,
    x: usize,
    load: usize,
    cols: usize,
}

impl Layout {
    fn of(p: &DispatchProblem) -> Self {
        let ns = p.slices.len();
        let (nu, nc, nk, nr) = (p.units.len(), p.corridors.len(), p.storage.len(), p.regions);
        let fwd = nu * ns;
        let back = fwd + nc * ns;
        let ch = back + nc * ns;
        let dis = ch + nk * ns;
        let soc = dis + nk * ns;
        let x = soc + nk * ns;
        let load = x + nr * ns;
        Layout {
            ns,
            fwd,
            back,
            ch,
            dis,
            soc,
            x,
            load,
            cols: load + nr * ns,
        }
    }
}

/// The cost (CNY per hour of the year: slice weights as shares, for the solver's scaling) and
/// the bounds of every column.
fn columns(p: &DispatchProblem, l: &Layout) -> (Vec<f64>, Vec<(f64, f64)>) {
    let mut cost = vec![0.0; l.cols];
    let mut bounds = vec![(0.0, 0.0); l.cols];
    let hours: f64 = p.slices.iter().map(|s| s.weight).sum();
    for (s, sl) in p.slices.iter().enumerate() {
        let w = sl.weight / hours;
        for (u, unit) in p.units.iter().enumerate() {
            cost[u * l.ns + s] = w * unit.full_cost();
            bounds[u * l.ns + s] = (0.0, unit.available(s));
        }
        for (c, cor) in p.corridors.iter().enumerate() {
            for start in [l.fwd, l.back] {
                cost[start + c * l.ns + s] = w * p.wheel;
                bounds[start + c * l.ns + s] = (0.0, cor.capacity_mw);
            }
        }
        for (k, st) in p.storage.iter().enumerate() {
            bounds[l.ch + k * l.ns + s] = (0.0, st.power_mw);
            bounds[l.dis + k * l.ns + s] = (0.0, st.power_mw);
            bounds[l.soc + k * l.ns + s] = (0.0, st.energy_mwh);
        }
        for r in 0..p.regions {
            cost[l.x + r * l.ns + s] = w * p.voll;
            bounds[l.x + r * l.ns + s] = (0.0, f64::INFINITY);
            let d = p.demand[r][s];
            bounds[l.load + r * l.ns + s] = (d, d);
        }
    }
    (cost, bounds)
}

/// The entries of every column in the rows (balance rows first, then storage steps).
fn matrix(p: &DispatchProblem, l: &Layout) -> Vec<Vec<(usize, f64)>> {
    let ns = l.ns;
    let bal = |r: usize, s: usize| r * ns + s;
    let step = |k: usize, s: usize| p.regions * ns + k * ns + s;
    let mut m = vec![Vec::new(); l.cols];
    for s in 0..ns {
        for (u, unit) in p.units.iter().enumerate() {
            m[u * ns + s].push((bal(unit.region, s), 1.0));
        }
        for (c, cor) in p.corridors.iter().enumerate() {
            let keep = 1.0 - cor.loss;
            m[l.fwd + c * ns + s].extend([(bal(cor.b, s), keep), (bal(cor.a, s), -1.0)]);
            m[l.back + c * ns + s].extend([(bal(cor.a, s), keep), (bal(cor.b, s), -1.0)]);
        }
        for (k, st) in p.storage.iter().enumerate() {
            m[l.ch + k * ns + s].push((bal(st.region, s), -1.0));
            m[l.dis + k * ns + s].push((bal(st.region, s), 1.0));
        }
        for r in 0..p.regions {
            m[l.x + r * ns + s].push((bal(r, s), 1.0));
            m[l.load + r * ns + s].push((bal(r, s), -1.0));
        }
    }
    // soc_s + h_s (eta ch_s - dis_s) - soc_next(s) = 0, one row per storage and slice.
    for (k, st) in p.storage.iter().enumerate() {
        for (s, next) in cycle_successors(&p.slices) {
            let h = p.slices[s].hours;
            m[l.ch + k * ns + s].push((step(k, s), h * st.efficiency));
            m[l.dis + k * ns + s].push((step(k, s), -h));
            if next != s {
                m[l.soc + k * ns + s].push((step(k, s), 1.0));
                m[l.soc + k * ns + next].push((step(k, s), -1.0));
            }
        }
    }
    m
}

/// A HiGHS model that only this dispatcher touches.
struct Warm {
    structure: Structure,
    model: Model,
    /// Number of columns.
    cols: usize,
}

// SAFETY: a HiGHS instance has no thread affinity (HiGHS keeps one task scheduler per calling
// thread, and the dispatch runs it with one thread); `Warm` owns its instance and is reached
// only through `&mut Dispatcher`, so it is never used from two threads at once, and `&Warm`
// gives no access to the instance at all.
unsafe impl Send for Warm {}
// SAFETY: see `Send`: no method reads the instance through a shared reference.
unsafe impl Sync for Warm {}

/// Solves dispatch problems one after the other, re-using the last program when the next has
/// the same structure (see the module documentation).
#[derive(Default)]
pub struct Dispatcher {
    warm: Option<Warm>,
    /// Solves that re-used the program (a count for tests and benches).
    pub warm_solves: u64,
    /// Solves that built it.
    pub cold_solves: u64,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("warm", &self.warm.is_some())
            .field("warm_solves", &self.warm_solves)
            .field("cold_solves", &self.cold_solves)
            .finish()
    }
}

impl Dispatcher {
    /// A dispatcher without a program yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Solves `p` (checked first) and keeps its program for the next call.
    pub fn solve(&mut self, p: &DispatchProblem) -> Result<Dispatch, DispatchError> {
        super::check(p)?;
        let l = Layout::of(p);
        let (cost, bounds) = columns(p, &l);
        let structure = Structure::of(p);
        let mut warm = match self.warm.take() {
            Some(w) if w.structure == structure => {
                self.warm_solves += 1;
                w
            }
            _ => {
                self.cold_solves += 1;
                build(p, &l, structure)?
            }
        };
        set_columns(&mut warm, &cost, &bounds)?;
        let solved = warm
            .model
            .try_solve()
            .map_err(|e| DispatchError::Solver(format!("HiGHS returned {e:?}")))?;
        let status = solved.status();
        match status {
            HighsModelStatus::Optimal => {}
            HighsModelStatus::Infeasible => {
                return Err(DispatchError::Infeasible(
                    "no dispatch meets every bound (check availabilities and storage)".into(),
                ));
            }
            other => return Err(DispatchError::Solver(format!("status {other:?}"))),
        }
        let hours: f64 = p.slices.iter().map(|s| s.weight).sum();
        let objective = solved.objective_value() * hours;
        let solution = solved.get_solution();
        let (mut out, fwd, back) = read(
            p,
            &l,
            solution.columns(),
            solution.dual_rows(),
            &bounds,
            hours,
        );
        out.cost = objective;
        self.warm = Some(Warm {
            structure: warm.structure,
            model: Model::from(solved),
            cols: warm.cols,
        });
        super::verify(p, &out, (&fwd, &back))?;
        Ok(out)
    }
}

/// Sets the cost and bounds of every column in two calls (one call per column would make
/// HiGHS redo its model bookkeeping each time: most of a warm solve's time).
fn set_columns(warm: &mut Warm, cost: &[f64], bounds: &[(f64, f64)]) -> Result<(), DispatchError> {
    let n = warm.cols;
    if n == 0 {
        return Ok(());
    }
    let (lo, hi): (Vec<f64>, Vec<f64>) = bounds.iter().copied().unzip();
    let last = i32::try_from(n - 1)
        .map_err(|_| DispatchError::Invalid(format!("{n} columns: too many for HiGHS")))?;
    let ptr = warm.model.as_mut_ptr();
    // SAFETY: `ptr` is the live HiGHS instance owned by `warm` (borrowed mutably here); the
    // program has exactly `n` columns (built from the same layout) and `cost`, `lo` and `hi`
    // hold `n` values each, which HiGHS reads and copies during the calls.
    let (a, b) = unsafe {
        (
            highs_sys::Highs_changeColsCostByRange(ptr, 0, last, cost.as_ptr()),
            highs_sys::Highs_changeColsBoundsByRange(ptr, 0, last, lo.as_ptr(), hi.as_ptr()),
        )
    };
    let ok = |status| status == highs_sys::STATUS_OK;
    if ok(a) && ok(b) {
        Ok(())
    } else {
        Err(DispatchError::Solver(format!(
            "HiGHS refused the year's costs or bounds (status {a}, {b})"
        )))
    }
}

/// Builds the program of `p` in one pass to HiGHS (costs and bounds are set by the caller).
fn build(p: &DispatchProblem, l: &Layout, structure: Structure) -> Result<Warm, DispatchError> {
    let mut problem = ColProblem::default();
    let rows = p.regions * l.ns + p.storage.len() * l.ns;
    let rows: Vec<Row> = (0..rows).map(|_| problem.add_row(0.0..=0.0)).collect();
    let matrix = matrix(p, l);
    let cols = matrix.len();
    for entries in matrix {
        problem.add_column(
            0.0,
            0.0..=0.0,
            entries.into_iter().map(|(r, v)| (rows[r], v)),
        );
    }
    let mut model = problem
        .try_optimise(Sense::Minimise)
        .map_err(|e| DispatchError::Solver(format!("HiGHS returned {e:?} while building")))?;
    model.make_quiet();
    model.set_option("threads", 1);
    Ok(Warm {
        structure,
        model,
        cols,
    })
}

/// The dispatch from the solver's column values and row duals. Values within 1e-7 of the
/// largest load of a bound are snapped to it (the simplex meets bounds to its tolerance).
fn read(
    p: &DispatchProblem,
    l: &Layout,
    values: &[f64],
    duals: &[f64],
    bounds: &[(f64, f64)],
    hours: f64,
) -> (Dispatch, Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let ns = l.ns;
    let snap = 1e-7 * p.demand.iter().flatten().fold(1.0_f64, |a, b| a.max(*b));
    let value = |j: usize| {
        let (v, hi) = (values[j], bounds[j].1);
        if v <= snap {
            0.0
        } else if v >= hi - snap {
            hi
        } else {
            v
        }
    };
    let block = |start: usize, n: usize| -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| (0..ns).map(|s| value(start + i * ns + s)).collect())
            .collect()
    };
    let (nc, nk) = (p.corridors.len(), p.storage.len());
    let fwd = block(l.fwd, nc);
    let back = block(l.back, nc);
    let flow = fwd
        .iter()
        .zip(&back)
        .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x - y).collect())
        .collect();
    let price = (0..p.regions)
        .map(|r| {
            (0..ns)
                .map(|s| duals[r * ns + s] * hours / p.slices[s].weight)
                .collect()
        })
        .collect();
    let out = Dispatch {
        generation: block(0, p.units.len()),
        flow,
        charge: block(l.ch, nk),
        discharge: block(l.dis, nk),
        unserved: block(l.x, p.regions),
        price,
        cost: 0.0,
    };
    (out, fwd, back)
}
