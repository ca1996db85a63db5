//! `memlab bench`: one deterministic alloc/release trace through (a) the engine with events
//! on, (b) the engine with events off, (c) rlsf's TLSF allocator on a real memory region of
//! the same size, touched once before timing so page faults do not count.
//!
//! The trace is the `churn` workload generator's (sizes 64 B – 64 KiB, octave-uniform),
//! run with every allocation assumed to succeed, at each target live-block count.

use std::alloc::Layout;
use std::mem::MaybeUninit;
use std::ptr::NonNull;
use std::time::Instant;

use memlab_engine::workload::SplitMix64;
use memlab_engine::{Op, Policy};
use rlsf::Tlsf;

pub struct Row {
    pub live: u64,
    pub ops: usize,
    pub pool: u64,
    pub events_on_ns: f64,
    pub events_off_ns: f64,
    pub rlsf_ns: f64,
    pub events: u64,
    pub failures: u64,
}

/// The trace for `live` blocks: operations plus, for rlsf, (alloc?, slot, size) with slot ids.
fn trace(ops: u64, live: u64, seed: u64) -> (Vec<Op>, Vec<(bool, usize, usize)>) {
    let out = memlab_engine::bench::trace(ops, live, seed);
    let mut slots = std::collections::HashMap::new();
    let plain = out
        .iter()
        .map(|op| match op {
            Op::Alloc { name, size, .. } => {
                let slot = slots.len();
                slots.insert(name.clone(), slot);
                (true, slot, *size as usize)
            }
            Op::Release { name } => (false, slots[name], 0),
            _ => unreachable!("the churn workload only allocates and releases"),
        })
        .collect();
    (out, plain)
}

fn run_engine(ops: &[Op], pool: u64, policy: Policy, events: bool) -> (f64, u64, u64) {
    let mut e = memlab_engine::bench::engine(pool, policy, events);
    let t0 = Instant::now();
    let (n_events, failures) = memlab_engine::bench::replay(&mut e, ops);
    let ns = t0.elapsed().as_nanos() as f64 / ops.len() as f64;
    (ns, n_events, failures)
}

/// Replays the trace through rlsf on a real `pool`-byte region.
#[allow(unsafe_code)]
fn run_rlsf(plain: &[(bool, usize, usize)], pool: u64) -> f64 {
    let mut mem: Vec<MaybeUninit<u8>> = Vec::with_capacity(pool as usize);
    mem.resize(pool as usize, MaybeUninit::uninit());
    // Touch every page once so the timed loop does not pay for page faults.
    for i in (0..mem.len()).step_by(4096) {
        mem[i] = MaybeUninit::new(1);
    }
    let mut tlsf: Tlsf<'_, u32, u32, 28, 32> = Tlsf::new();
    tlsf.insert_free_block(&mut mem);
    let mut ptrs: Vec<Option<NonNull<u8>>> = vec![None; plain.len()];
    let t0 = Instant::now();
    for &(alloc, slot, size) in plain {
        if alloc {
            ptrs[slot] = tlsf.allocate(Layout::from_size_align(size, 1).expect("valid layout"));
        } else if let Some(p) = ptrs[slot].take() {
            // SAFETY: `p` came from this `tlsf` with alignment 1 and is freed exactly once
            // (`take` clears the slot).
            unsafe { tlsf.deallocate(p, 1) };
        }
    }
    t0.elapsed().as_nanos() as f64 / plain.len() as f64
}

/// Runs each configuration `repeat` times, the live counts interleaved, and keeps each
/// figure's fastest run: the machine's noise (other tenants, frequency changes) only ever
/// adds time, so the minimum is the most repeatable estimate of the code's own cost.
pub fn bench(ops: u64, lives: &[u64], seed: u64, policy: Policy, repeat: u32) -> Vec<Row> {
    let traces: Vec<_> = lives.iter().map(|&live| trace(ops, live, seed)).collect();
    let mut rows: Vec<Row> = lives
        .iter()
        .zip(&traces)
        .map(|(&live, (trace, _))| Row {
            live,
            ops: trace.len(),
            pool: memlab_engine::bench::pool_for(live),
            events_on_ns: f64::INFINITY,
            events_off_ns: f64::INFINITY,
            rlsf_ns: f64::INFINITY,
            events: 0,
            failures: 0,
        })
        .collect();
    for _ in 0..repeat.max(1) {
        for (row, (trace, plain)) in rows.iter_mut().zip(&traces) {
            let (on, events, failures) = run_engine(trace, row.pool, policy, true);
            let (off, _, _) = run_engine(trace, row.pool, policy, false);
            let r = run_rlsf(plain, row.pool);
            row.events_on_ns = row.events_on_ns.min(on);
            row.events_off_ns = row.events_off_ns.min(off);
            row.rlsf_ns = row.rlsf_ns.min(r);
            (row.events, row.failures) = (events, failures);
        }
    }
    rows
}

/// Working-set sizes at which [`chase_ns`] measures this machine's memory: around the core's
/// L2 (1–4 MiB), the knee where the share of the last-level cache a core gets runs out
/// (between 8 and 16 MiB on the machine the figures in docs/BENCHMARKS.md come from), and beyond it.
pub const CHASE_SIZES: [usize; 6] = [1 << 20, 4 << 20, 8 << 20, 12 << 20, 16 << 20, 64 << 20];

/// This machine's latency for dependent random reads over `bytes` of memory: a pointer
/// chase around one random cycle through every 64-byte line, in ns per load (the fastest of
/// three rounds). It tells what a cache miss costs here at each working-set size, and so
/// what an engine whose state outgrows the caches must pay.
pub fn chase_ns(bytes: usize) -> f64 {
    const LINE: usize = 64 / std::mem::size_of::<usize>();
    let lines = (bytes / 64).max(2);
    let mut order: Vec<usize> = (0..lines).collect();
    let mut rng = SplitMix64::new(1);
    for i in (1..lines).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut next = vec![0usize; lines * LINE];
    for k in 0..lines {
        next[order[k] * LINE] = order[(k + 1) % lines] * LINE;
    }
    let loads = 2_000_000;
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let mut at = 0;
        let t0 = Instant::now();
        for _ in 0..loads {
            at = next[at];
        }
        std::hint::black_box(at);
        best = best.min(t0.elapsed().as_nanos() as f64 / loads as f64);
    }
    best
}

/// One line of [`chase_ns`] figures, for the report.
pub fn latency_line() -> String {
    let figures: Vec<String> = CHASE_SIZES
        .iter()
        .map(|&b| format!("{} {:.0} ns", memlab_size::human(b as u64), chase_ns(b)))
        .collect();
    format!("memory latency here (random dependent loads over a working set): {}\n", figures.join(", "))
}

pub fn report(rows: &[Row], policy: Policy, repeat: u32) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "memlab bench — policy {policy}, coalescing release; ns per operation, best of {} runs",
        repeat.max(1)
    );
    let _ = writeln!(
        o,
        "{:>8} {:>9} {:>10} {:>12} {:>12} {:>10} {:>12} {:>10} {:>9}",
        "live", "ops", "pool", "events on", "events off", "rlsf", "on / rlsf", "events/op", "failures"
    );
    for r in rows {
        let _ = writeln!(
            o,
            "{:>8} {:>9} {:>10} {:>12.1} {:>12.1} {:>10.1} {:>11.2}× {:>10.2} {:>9}",
            r.live,
            r.ops,
            memlab_size::human(r.pool),
            r.events_on_ns,
            r.events_off_ns,
            r.rlsf_ns,
            r.events_on_ns / r.rlsf_ns,
            r.events as f64 / r.ops as f64,
            r.failures
        );
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        if rows.len() > 1 {
            let ratio = last.events_on_ns / first.events_on_ns;
            // The requirement is stated for 100,000 against 1,000 live blocks only.
            let verdict = if (first.live, last.live) == (1000, 100_000) {
                format!(" (required ≤ 1.5: {})", if ratio <= 1.5 { "met" } else { "NOT met" })
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "scaling, events on: {} live / {} live = {ratio:.2}{verdict}",
                last.live, first.live
            );
            // The same ratio for an O(1) allocator on this machine: how much of ours is the
            // machine's caches rather than the algorithms.
            let _ = writeln!(
                o,
                "scaling, rlsf (O(1) TLSF) in the same runs: {} live / {} live = {:.2}",
                last.live,
                first.live,
                last.rlsf_ns / first.rlsf_ns
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(live: u64, on: f64, rlsf: f64) -> Row {
        Row {
            live,
            ops: 10,
            pool: 1 << 20,
            events_on_ns: on,
            events_off_ns: on,
            rlsf_ns: rlsf,
            events: 0,
            failures: 0,
        }
    }

    #[test]
    fn the_report_sets_the_engines_scaling_beside_rlsfs() {
        let text = report(&[row(1000, 100.0, 30.0), row(100_000, 160.0, 66.0)], Policy::BestFit, 3);
        assert!(text.contains("100000 live / 1000 live = 1.60 (required ≤ 1.5: NOT met)"), "{text}");
        assert!(text.contains("rlsf (O(1) TLSF) in the same runs: 100000 live / 1000 live = 2.20"), "{text}");
        let met = report(&[row(1000, 100.0, 30.0), row(100_000, 150.0, 30.0)], Policy::BestFit, 3);
        assert!(met.contains("= 1.50 (required ≤ 1.5: met)"), "{met}");
        // Other live counts get the ratio but no verdict: the requirement is for 100k / 1k.
        let other = report(&[row(1000, 100.0, 30.0), row(10_000, 120.0, 30.0)], Policy::BestFit, 3);
        assert!(other.contains("10000 live / 1000 live = 1.20\n"), "{other}");
    }
}
