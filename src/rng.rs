//! Keyed random draws (MODEL.md section 6).
//!
//! Every draw is keyed by `(world seed, stream, entity id, year, index)`: the key is the
//! 32-byte seed of a ChaCha8 generator (`rand_chacha::ChaCha8Rng`, a named, portable,
//! counter-based algorithm). A draw therefore never depends on iteration order, thread
//! count, batching, sharding or on what other systems draw, and adding a new [`Stream`]
//! never changes existing draws.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a draw is for. Each purpose is its own stream; the numeric values are part of the
/// output format's reproducibility contract: never renumber, only append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Stream {
    /// City heterogeneity (GDP shares) in the geography generator.
    CityShares = 1,
    /// Which city a firm is located in.
    FirmLocation = 2,
    /// Firm size (share of its sector's output).
    FirmSize = 3,
    /// Firm intensities (energy intensity, carbon factor) and variable cost.
    FirmIntensity = 4,
    /// Firm operational abatement cost (MAC slope).
    FirmMac = 5,
    /// Firm behaviour (hurdle rate, expectation weight, banking).
    FirmBehaviour = 6,
    /// Bid noise on the perceived MAC slope (bounded rationality), per firm and year.
    BidNoise = 7,
    /// Emissions forecast error at bidding time, per firm and year.
    ForecastError = 8,
    /// Technology capex multipliers per firm (investment submodel).
    TechCapex = 9,
    /// Technology awareness (Bass diffusion), per firm, year and technology.
    Awareness = 10,
    /// Whether a firm is in the `firm_year` output sample.
    OutputSample = 11,
    /// Marginal cost of a city's offset projects, per city and market.
    OffsetMac = 12,
    /// Which group of its sector a generated firm belongs to (drawn only when the sector has
    /// groups).
    FirmGroup = 13,
    /// Remaining lifetime of an initial plant under `[capacity]` (uniform age).
    PlantAge = 14,
    /// Origin and location of a new plant, per goods market, year and plant.
    PlantLocation = 15,
    /// A new plant's drawn attributes (variable cost, MAC, behaviour), per plant key.
    PlantDraws = 16,
}

/// A deterministic generator for one keyed purpose.
///
/// `seed` is the world seed of the run (shared by all scenarios of a replicate for common
/// random numbers); `id` is an entity id (firm id, city id) and `year` the simulated year
/// (0 for static draws); `index` separates several draws of the same purpose.
pub fn keyed(seed: u64, stream: Stream, id: u64, year: u32, index: u32) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[0..8].copy_from_slice(&seed.to_le_bytes());
    key[8..12].copy_from_slice(&(stream as u32).to_le_bytes());
    key[12..16].copy_from_slice(&year.to_le_bytes());
    key[16..24].copy_from_slice(&id.to_le_bytes());
    key[24..28].copy_from_slice(&index.to_le_bytes());
    key[28..32].copy_from_slice(b"syn1");
    ChaCha8Rng::from_seed(key)
}

/// The world seed of replicate `replicate` under an experiment's master seed. All scenarios
/// of one replicate share it (common random numbers).
pub fn replicate_seed(master: u64, replicate: u32) -> u64 {
    // SplitMix64 finaliser over (master, replicate): a fixed, documented mix.
    let mut z = master ^ (u64::from(replicate).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn same_key_same_draws_other_key_other_draws() {
        let a: f64 = keyed(7, Stream::FirmSize, 3, 0, 0).random();
        let b: f64 = keyed(7, Stream::FirmSize, 3, 0, 0).random();
        let c: f64 = keyed(7, Stream::FirmSize, 4, 0, 0).random();
        let d: f64 = keyed(7, Stream::FirmMac, 3, 0, 0).random();
        let e: f64 = keyed(8, Stream::FirmSize, 3, 0, 0).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_ne!(a, e);
    }

    #[test]
    fn replicate_seeds_differ() {
        let s: std::collections::HashSet<u64> = (0..1000).map(|r| replicate_seed(1, r)).collect();
        assert_eq!(s.len(), 1000);
    }

    #[test]
    fn keyed_uniforms_are_uniform() {
        // Mean of 20,000 keyed uniforms within 4 standard errors of 0.5.
        let n = 20_000;
        let mean: f64 = (0..n)
            .map(|i| keyed(1, Stream::Awareness, i, 2020, 0).random::<f64>())
            .sum::<f64>()
            / n as f64;
        let se = (1.0 / 12.0f64 / n as f64).sqrt();
        assert!((mean - 0.5).abs() < 4.0 * se, "mean {mean}");
    }
}
