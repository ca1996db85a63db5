//! Deterministic generated workloads: `workload churn seed=7 ops=10000 min=4kb max=4mb`.
//!
//! The algorithm is part of the scenario language's contract (docs/scenario-language.md): the same line gives
//! the same operations on every machine, natively and in wasm, because it uses integers
//! only.
//!
//! - **PRNG**: SplitMix64 seeded with `seed`; `below(n)` = high 64 bits of `next() × n`.
//! - **Each of the `ops` operations**: with `n` blocks of this workload live and target
//!   `live` = L, allocate when `n == 0`, or when `n < 2L` and `below(2L) >= n` (so the
//!   chance to allocate is 1 − n/2L: the live count drifts to L and stays near it);
//!   otherwise release.
//! - **Sizes** are octave-uniform between `min` and `max` (close to log-uniform): pick a bit
//!   length uniformly between those of `min` and `max`, then a uniform size within that
//!   octave, clamped to [min, max].
//! - **Releases** pick one of the workload's live blocks uniformly (`below(n)`), remove it
//!   by swapping the last one into its place, and release it once.
//! - **Names** are `w<line>.<k>` with k = 1, 2, … counting this line's allocations; a
//!   failed allocation is not live, so it is never released.

use crate::model::Op;
use crate::name::Name;

/// The largest `ops=` a workload line may ask for.
pub const MAX_OPS: u64 = 5_000_000;

/// A parsed `workload` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadSpec {
    pub seed: u64,
    pub ops: u64,
    pub min: u64,
    pub max: u64,
    /// Target number of this workload's live blocks.
    pub live: u64,
    pub owner: Option<Name>,
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec { seed: 1, ops: 1000, min: 4 << 10, max: 4 << 20, live: 100, owner: None }
    }
}

/// SplitMix64: tiny, fast, and the same on every platform.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Octave-uniform size in `[min, max]` (see the module docs).
    pub fn size(&mut self, min: u64, max: u64) -> u64 {
        let bits = |x: u64| 64 - x.leading_zeros();
        let (lo_b, hi_b) = (bits(min), bits(max));
        let b = lo_b + self.below(u64::from(hi_b - lo_b + 1)) as u32;
        let octave_lo = 1u64 << (b - 1);
        let octave_hi = if b == 64 { u64::MAX } else { (1u64 << b) - 1 };
        let (lo, hi) = (octave_lo.max(min), octave_hi.min(max));
        lo + self.below(hi - lo + 1)
    }
}

/// Expands one `workload` line into operations, one at a time, learning from the engine
/// which allocations succeeded.
#[derive(Clone, Debug)]
pub struct Generator {
    spec: WorkloadSpec,
    rng: SplitMix64,
    live: Vec<Name>,
    prefix: String,
    allocated: u64,
    emitted: u64,
}

impl Generator {
    pub fn new(spec: WorkloadSpec, line: u32) -> Self {
        Generator {
            rng: SplitMix64::new(spec.seed),
            spec,
            live: Vec::new(),
            prefix: format!("w{line}."),
            allocated: 0,
            emitted: 0,
        }
    }

    /// The next operation, or `None` after `ops` operations.
    pub fn next_op(&mut self) -> Option<Op> {
        if self.emitted == self.spec.ops {
            return None;
        }
        self.emitted += 1;
        let n = self.live.len() as u64;
        let two_l = self.spec.live.max(1) * 2;
        let alloc = n == 0 || (n < two_l && self.rng.below(two_l) >= n);
        Some(if alloc {
            self.allocated += 1;
            let name: Name = format!("{}{}", self.prefix, self.allocated).into();
            let size = self.rng.size(self.spec.min, self.spec.max);
            Op::Alloc { name, size, owner: self.spec.owner.clone() }
        } else {
            let i = self.rng.below(n) as usize;
            Op::Release { name: self.live.swap_remove(i) }
        })
    }

    /// Tells the generator whether the operation it produced succeeded.
    pub fn report(&mut self, op: &Op, ok: bool) {
        if let (Op::Alloc { name, .. }, true) = (op, ok) {
            self.live.push(name.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First outputs of SplitMix64 seeded with 0 (the published reference values).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn sizes_stay_in_range_and_cover_every_octave() {
        let mut r = SplitMix64::new(7);
        let mut octaves = [0u32; 64];
        for _ in 0..20_000 {
            let s = r.size(64, 65536);
            assert!((64..=65536).contains(&s));
            octaves[63 - s.leading_zeros() as usize] += 1;
        }
        assert!((6..=16).all(|b| octaves[b] > 1000), "{octaves:?}");
    }

    #[test]
    fn live_count_hovers_around_the_target() {
        let mut g = Generator::new(WorkloadSpec { ops: 20_000, live: 500, ..Default::default() }, 1);
        while let Some(op) = g.next_op() {
            g.report(&op, true);
        }
        assert!((400..=600).contains(&g.live.len()), "{}", g.live.len());
    }
}
