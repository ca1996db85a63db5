//! A cache prefetch hint, so that `#![forbid(unsafe_code)]` crates can use one.
//!
//! The engine replays long runs of operations (timeline scrubbing, benchmarks) whose
//! records sit far apart in memory. Knowing the next operations, it asks the CPU to start
//! loading their records while it works on the current one, so the cache misses of
//! successive operations overlap instead of queueing. Rust's stable prefetch is an `unsafe`
//! intrinsic only because it takes a raw pointer; the instruction itself never faults and
//! returns nothing, which is what this wrapper relies on.
#![no_std]

/// Hints that `value` will be read soon: starts loading its first cache line into every
/// cache level. Changes nothing observable; on targets without a stable prefetch (wasm32,
/// for one) it does nothing.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    // SAFETY: PREFETCHT0 is a hint: it never faults (not even on an invalid address, and
    // this one is a live reference), reads nothing into the program and writes nothing. SSE,
    // which the intrinsic's `target_feature` names, is part of the x86_64 baseline.
    unsafe {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
