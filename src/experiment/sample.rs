//! Parameter samplers: grid, random, Latin hypercube, Saltelli and CSV designs.
//!
//! Every sampler returns `Vec<Vec<f64>>`: one row per sample, one column per parameter in
//! file order, each value in the parameter's own unit. Draws are deterministic from the
//! experiment's master seed through [`sampler_rng`]: column `j` of a design uses its own
//! keyed generator, so adding a parameter never changes the draws of the others, and the
//! samples never depend on thread count, sharding or the runs' world seeds.

use super::spec::{Dist, Method, RawExperiment, validate};
use crate::error::{Error, Result};
use rand::seq::SliceRandom;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal, Triangular, Uniform};
use std::path::Path;

/// Stream id of sampler draws in the key layout of [`crate::rng::keyed`]. It is deliberately
/// outside [`crate::rng::Stream`]'s range (1, 2, ...) so sampler draws can never coincide with
/// a simulation draw. Part of the reproducibility contract: never change it.
pub const SAMPLER_STREAM_ID: u32 = 100;

/// Sub-purposes, keyed in the `index` slot of [`sampler_rng`].
const PURPOSE_RANDOM: u32 = 0;
/// Latin hypercube (and Saltelli matrix A).
const PURPOSE_LHS_A: u32 = 1;
/// Saltelli matrix B.
const PURPOSE_LHS_B: u32 = 2;

/// A sampler generator keyed exactly like [`crate::rng::keyed`] (`master_seed` in bytes
/// 0..8, stream id [`SAMPLER_STREAM_ID`] in 8..12, year 0 in 12..16, `column` (parameter
/// index) in 16..24, `purpose` in 24..28, `b"syn1"` in 28..32) and seeded into ChaCha8.
pub fn sampler_rng(master_seed: u64, column: u64, purpose: u32) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[0..8].copy_from_slice(&master_seed.to_le_bytes());
    key[8..12].copy_from_slice(&SAMPLER_STREAM_ID.to_le_bytes());
    key[12..16].copy_from_slice(&0u32.to_le_bytes());
    key[16..24].copy_from_slice(&column.to_le_bytes());
    key[24..28].copy_from_slice(&purpose.to_le_bytes());
    key[28..32].copy_from_slice(b"syn1");
    ChaCha8Rng::from_seed(key)
}

/// The standard normal quantile Φ⁻¹(p) by Wichura's algorithm AS241 (PPND16, Applied
/// Statistics 37(3), 1988), relative error about 1e-16 over (0, 1). Returns -inf for
/// p <= 0, +inf for p >= 1 and NaN for NaN.
// The published coefficients are kept verbatim, digits beyond f64 precision included.
#[allow(clippy::excessive_precision)]
pub fn inverse_normal_cdf(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let poly = |c: &[f64], x: f64| c.iter().rev().fold(0.0, |acc, k| acc * x + k);
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let a = [
            3.387_132_872_796_366_608,
            1.331_416_678_917_843_774_5e2,
            1.971_590_950_306_551_442_7e3,
            1.373_169_376_550_946_112_5e4,
            4.592_195_393_154_987_145_7e4,
            6.726_577_092_700_870_085_3e4,
            3.343_057_558_358_812_810_5e4,
            2.509_080_928_730_122_672_7e3,
        ];
        let b = [
            1.0,
            4.231_333_070_160_091_125_2e1,
            6.871_870_074_920_579_083e2,
            5.394_196_021_424_751_107_7e3,
            2.121_379_430_158_659_586_7e4,
            3.930_789_580_009_271_061e4,
            2.872_908_573_572_194_267_4e4,
            5.226_495_278_852_854_561e3,
        ];
        return q * poly(&a, r) / poly(&b, r);
    }
    let r = (-(if q < 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        let c = [
            1.423_437_110_749_683_577_34,
            4.630_337_846_156_545_295_9,
            5.769_497_221_460_691_405_5,
            3.647_848_324_763_204_605_04,
            1.270_458_252_452_368_382_58,
            2.417_807_251_774_506_117_7e-1,
            2.272_384_498_926_918_458_33e-2,
            7.745_450_142_783_414_076_4e-4,
        ];
        let d = [
            1.0,
            2.053_191_626_637_758_821_87,
            1.676_384_830_183_803_849_4,
            6.897_673_349_851_000_045_5e-1,
            1.481_039_764_274_800_745_9e-1,
            1.519_866_656_361_645_719_66e-2,
            5.475_938_084_995_344_946e-4,
            1.050_750_071_644_416_843_24e-9,
        ];
        poly(&c, r) / poly(&d, r)
    } else {
        let r = r - 5.0;
        let e = [
            6.657_904_643_501_103_777_2,
            5.463_784_911_164_114_369_9,
            1.784_826_539_917_291_335_8,
            2.965_605_718_285_048_912_3e-1,
            2.653_218_952_657_612_309_3e-2,
            1.242_660_947_388_078_438_6e-3,
            2.711_555_568_743_487_578_15e-5,
            2.010_334_399_292_288_132_65e-7,
        ];
        let f = [
            1.0,
            5.998_322_065_558_879_376_9e-1,
            1.369_298_809_227_358_053_1e-1,
            1.487_536_129_085_061_485_25e-2,
            7.868_691_311_456_132_591e-4,
            1.846_318_317_510_054_681_8e-5,
            1.421_511_758_316_445_888_7e-7,
            2.044_263_103_389_939_785_64e-15,
        ];
        poly(&e, r) / poly(&f, r)
    };
    if q < 0.0 { -x } else { x }
}

impl Dist {
    /// The quantile (inverse CDF) at `u` in [0, 1], clamped to the open interval so normal
    /// and lognormal quantiles stay finite. Uniform: linear; triangular: closed form;
    /// normal and lognormal: [`inverse_normal_cdf`]; values: the `floor(u * len)`-th value.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
        match self {
            Dist::Uniform { min, max } => min + u * (max - min),
            Dist::Normal { mean, sd } => mean + sd * inverse_normal_cdf(u),
            Dist::Lognormal { median, sigma } => median * (sigma * inverse_normal_cdf(u)).exp(),
            Dist::Triangular { min, mode, max } => {
                let w = max - min;
                if w <= 0.0 {
                    *mode
                } else if u < (mode - min) / w {
                    min + (u * w * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * w * (max - mode)).sqrt()
                }
            }
            Dist::Values(v) => {
                let i = (u * v.len() as f64) as usize;
                v.get(i.min(v.len().saturating_sub(1)))
                    .copied()
                    .unwrap_or(f64::NAN)
            }
        }
    }

    /// One independent draw with the `rand_distr` sampler of the family (values: uniform
    /// choice). Falls back to the median should a constructor refuse the parameters (they
    /// were validated before).
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let fallback = || self.quantile(0.5);
        match self {
            Dist::Uniform { min, max } => {
                Uniform::new(*min, *max).map_or_else(|_| fallback(), |d| d.sample(rng))
            }
            Dist::Normal { mean, sd } => {
                Normal::new(*mean, *sd).map_or_else(|_| fallback(), |d| d.sample(rng))
            }
            Dist::Lognormal { median, sigma } => {
                LogNormal::new(median.ln(), *sigma).map_or_else(|_| fallback(), |d| d.sample(rng))
            }
            Dist::Triangular { min, mode, max } => {
                Triangular::new(*min, *max, *mode).map_or_else(|_| fallback(), |d| d.sample(rng))
            }
            Dist::Values(_) => self.quantile(rng.random::<f64>()),
        }
    }
}

/// Columns to rows: `cols[j][i]` becomes `rows[i][j]`; `n` rows.
fn transpose(cols: &[Vec<f64>], n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| {
            cols.iter()
                .map(|c| c.get(i).copied().unwrap_or(f64::NAN))
                .collect()
        })
        .collect()
}

/// Cartesian product of each parameter's values; the first parameter varies slowest.
/// No parameters give one empty row; an empty value list gives no rows.
pub fn grid(values: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut rows: Vec<Vec<f64>> = vec![Vec::new()];
    for vals in values {
        rows = rows
            .iter()
            .flat_map(|r| {
                vals.iter().map(move |v| {
                    let mut r = r.clone();
                    r.push(*v);
                    r
                })
            })
            .collect();
    }
    rows
}

/// `n` independent draws per parameter ([`Dist::draw`]).
pub fn random(dists: &[Dist], n: usize, master_seed: u64) -> Vec<Vec<f64>> {
    let cols: Vec<Vec<f64>> = dists
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let mut rng = sampler_rng(master_seed, j as u64, PURPOSE_RANDOM);
            (0..n).map(|_| d.draw(&mut rng)).collect()
        })
        .collect();
    transpose(&cols, n)
}

/// One Latin-hypercube column on [0, 1): a random permutation of the strata 0..n, then a
/// uniform draw inside each stratum. Point `i` lies in stratum `perm[i]`.
fn lhs_unit(n: usize, master_seed: u64, column: u64, purpose: u32) -> Vec<f64> {
    let mut rng = sampler_rng(master_seed, column, purpose);
    let mut perm: Vec<usize> = (0..n).collect();
    perm.shuffle(&mut rng);
    perm.iter()
        .map(|&k| {
            ((k as f64 + rng.random::<f64>()) / n as f64)
                .min(((k + 1) as f64 / n as f64).next_down())
        })
        .collect()
}

fn lhs_matrix(dists: &[Dist], n: usize, master_seed: u64, purpose: u32) -> Vec<Vec<f64>> {
    let cols: Vec<Vec<f64>> = dists
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let unit = lhs_unit(n, master_seed, j as u64, purpose);
            unit.into_iter().map(|u| d.quantile(u)).collect()
        })
        .collect();
    transpose(&cols, n)
}

/// Latin hypercube of `n` points: in every column each of the `n` equal-probability strata
/// holds exactly one point; values are the distribution's quantiles ([`Dist::quantile`]).
pub fn lhs(dists: &[Dist], n: usize, master_seed: u64) -> Vec<Vec<f64>> {
    lhs_matrix(dists, n, master_seed, PURPOSE_LHS_A)
}

/// Saltelli's design in SALib's row order (`SALib.sample.saltelli.sample(problem, N,
/// calc_second_order)`, no groups). A and B are two independent `n`-point Latin hypercubes
/// (already mapped through the quantiles). For each base row j: A_j, then AB_j^i for i in
/// 0..D (A_j with column i taken from B_j), then, with `second_order`, BA_j^i (B_j with
/// column i from A_j), then B_j: `n * (2D + 2)` rows, or `n * (D + 2)` without second order.
///
/// The values differ from SALib's (which uses a Sobol sequence) but the layout is the same,
/// so `SALib.analyze.sobol.analyze(problem, Y, calc_second_order)` reads outputs `Y` listed
/// in run order (sample index order).
pub fn saltelli(dists: &[Dist], n: usize, second_order: bool, master_seed: u64) -> Vec<Vec<f64>> {
    let a = lhs_matrix(dists, n, master_seed, PURPOSE_LHS_A);
    let b = lhs_matrix(dists, n, master_seed, PURPOSE_LHS_B);
    let d = dists.len();
    let per = if second_order { 2 * d + 2 } else { d + 2 };
    let mut rows = Vec::with_capacity(n.saturating_mul(per).min(1 << 20));
    for (aj, bj) in a.iter().zip(&b) {
        rows.push(aj.clone());
        for i in 0..d {
            let mut r = aj.clone();
            r[i] = bj[i];
            rows.push(r);
        }
        if second_order {
            for i in 0..d {
                let mut r = bj.clone();
                r[i] = aj[i];
                rows.push(r);
            }
        }
        rows.push(bj.clone());
    }
    rows
}

/// Reads a CSV design matrix. The header must name exactly `paths` (any order, each once);
/// the result's columns follow `paths`. Every value must be a finite number. Problems name
/// the file, the row (line number in the file) and the column; up to 50 are reported.
pub fn read_csv_design(path: &Path, paths: &[&str]) -> Result<Vec<Vec<f64>>> {
    let f = path.display();
    let text = crate::input::read_text(path)
        .map_err(|e| Error::input(format!("{f}: cannot read csv design: {e}")))?;
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| Error::input(format!("{f}: header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut problems = Vec::new();
    for (c, h) in header.iter().enumerate() {
        if !paths.contains(&h.as_str()) {
            problems.push(format!(
                "{f}: column {} {h:?}: not a parameter path of the experiment (parameters: {})",
                c + 1,
                paths.join(", ")
            ));
        } else if header[..c].contains(h) {
            problems.push(format!("{f}: column {} {h:?}: duplicate column", c + 1));
        }
    }
    let mut index = Vec::with_capacity(paths.len());
    for p in paths {
        match header.iter().position(|h| h == p) {
            Some(c) => index.push(c),
            None => problems.push(format!(
                "{f}: header: no column named {p:?} (one column per parameter path)"
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input { problems });
    }
    let mut rows = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{f}: row {line}: {e}"));
                continue;
            }
        };
        let mut row = Vec::with_capacity(paths.len());
        for (&c, p) in index.iter().zip(paths) {
            let text = rec.get(c).unwrap_or("");
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => row.push(v),
                _ => problems.push(format!(
                    "{f}: row {line}, column {p:?}: {text:?} is not a finite number"
                )),
            }
        }
        rows.push(row);
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(format!(
            "{f}: no rows: the design needs at least one sample"
        ));
    }
    if problems.len() > 50 {
        let more = problems.len() - 50;
        problems.truncate(50);
        problems.push(format!("{f}: ... and {more} more problems"));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(Error::Input { problems })
    }
}

/// The samples of an experiment (validated again here; `label` names the experiment file
/// in errors). A csv design is read from `base_dir` (the experiment file's folder) joined
/// with `samples.file`. Without `[samples]`: one sample with no parameters.
pub fn draw_samples(exp: &RawExperiment, label: &str, base_dir: &Path) -> Result<Vec<Vec<f64>>> {
    let problems = validate(exp, label);
    if !problems.is_empty() {
        return Err(Error::Input { problems });
    }
    let Some(s) = &exp.samples else {
        return Ok(vec![Vec::new()]);
    };
    let method = exp
        .method()
        .ok_or_else(|| Error::Bug("validated method unknown".into()))?;
    let dists = if method == Method::Csv {
        Vec::new()
    } else {
        s.parameters
            .iter()
            .map(|p| {
                p.to_dist()
                    .map_err(|_| Error::Bug(format!("validated parameter {} invalid", p.path)))
            })
            .collect::<Result<Vec<Dist>>>()?
    };
    let n = s.n.unwrap_or(0) as usize;
    let seed = exp.experiment.master_seed;
    Ok(match method {
        Method::Grid => {
            let values: Vec<Vec<f64>> = dists
                .iter()
                .map(|d| {
                    if let Dist::Values(v) = d {
                        v.clone()
                    } else {
                        Vec::new()
                    }
                })
                .collect();
            grid(&values)
        }
        Method::Random => random(&dists, n, seed),
        Method::Lhs => lhs(&dists, n, seed),
        Method::Saltelli => saltelli(&dists, n, s.second_order.unwrap_or(true), seed),
        Method::Csv => {
            let file = base_dir.join(s.file.as_deref().unwrap_or_default());
            let rows = read_csv_design(&file, &exp.parameter_paths())?;
            let runs = (rows.len() as u64)
                .saturating_mul(exp.scenarios.len() as u64)
                .saturating_mul(u64::from(exp.experiment.replicates));
            if runs > super::spec::MAX_RUNS {
                return Err(Error::input(format!(
                    "{label}: samples.file: {} rows make {runs} runs (scenarios x samples x replicates): at most {} allowed",
                    rows.len(),
                    super::spec::MAX_RUNS
                )));
            }
            rows
        }
    })
}

#[cfg(test)]
#[path = "sample_tests.rs"]
mod tests;
