//! The benchmark trace, shared by `memlab bench` (native) and the engine's wasm benchmark
//! (`tools/bench-wasm.mjs`, in headless Chromium), so both time the same operations on the
//! same pool. Timing is the caller's: `std::time::Instant` does not exist in the browser.
//!
//! The trace is the `churn` workload generator's (sizes 64 B – 64 KiB, octave-uniform), run
//! with every allocation assumed to succeed, at a target live-block count.

use crate::workload::{Generator, WorkloadSpec};
use crate::{Engine, Op, Policy, PoolConfig, ReleaseMode};

/// `ops` operations that keep about `live` blocks allocated.
pub fn trace(ops: u64, live: u64, seed: u64) -> Vec<Op> {
    let spec = WorkloadSpec { seed, ops, min: 64, max: 64 << 10, live, owner: None };
    let mut g = Generator::new(spec, 1);
    let mut out = Vec::with_capacity(ops as usize);
    while let Some(op) = g.next_op() {
        g.report(&op, true);
        out.push(op);
    }
    out
}

/// Room for `live` blocks at the mean size (~15 KiB) with 2× headroom.
pub fn pool_for(live: u64) -> u64 {
    ((live * 32) << 10).max(64 << 20)
}

/// An engine for the trace: it frees and merges at once (`coalesce`), as TLSF does.
pub fn engine(pool: u64, policy: Policy, events: bool) -> Engine {
    let mut cfg = PoolConfig::new(pool, policy);
    cfg.release = ReleaseMode::Coalesce;
    let mut e = Engine::new(cfg, &[]).expect("a pool of at least 64 MiB is valid");
    e.set_recording(events);
    e
}

/// Replays the trace: (events drained, failed operations). This is the part to time.
pub fn replay(e: &mut Engine, ops: &[Op]) -> (u64, u64) {
    let (mut events, mut failures) = (0u64, 0u64);
    e.replay(ops, |e, _, r| {
        failures += u64::from(r.is_err());
        events += e.drain_events().count() as u64;
    });
    (events, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_keeps_about_the_live_count_and_fits_its_pool() {
        let ops = trace(20_000, 1_000, 42);
        assert_eq!(ops.len(), 20_000);
        let mut e = engine(pool_for(1_000), Policy::BestFit, true);
        let (events, failures) = replay(&mut e, &ops);
        assert_eq!(failures, 0);
        assert!(events >= ops.len() as u64);
        let live = e.blocks().iter().filter(|b| b.state == crate::BlockState::Live).count();
        assert!((500..=1_500).contains(&live), "{live}");
    }
}
