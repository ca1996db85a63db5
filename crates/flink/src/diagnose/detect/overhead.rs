//! JVM overhead against the native memory it must cover.

use super::super::stats;
use super::super::thresholds as th;
use super::super::{Kind, Severity, Text};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &Proc, mem: &MemoryConfiguration, out: &mut Out) {
    // JVM overhead against the native memory it must cover.
    let non_heap = p.series(NON_HEAP, false);
    let estimate: Series = non_heap
        .iter()
        .filter_map(|&(i, (t, nh))| {
            let s = &p.snaps[i];
            let meta = p.get(s, METASPACE)?;
            let threads = p.get(s, THREADS).unwrap_or(0.0);
            Some((i, (t, (nh - meta).max(0.0) + threads * th::THREAD_STACK)))
        })
        .collect();
    let overhead = mem.jvm_overhead as f64;
    let peak = stats::max_value(&pts(&estimate));
    if overhead > 0.0 && peak.0 >= th::OVERHEAD_FILL * overhead {
        let mut ev = evidence(NATIVE_ESTIMATE, &estimate, Vec::new(), None, Some(overhead));
        ev.facts.push(Text::NativeEstimate { peak, overhead });
        out.found(
            Kind::OverheadSmall,
            Severity::Warning,
            Text::OverheadHeadline { overhead, peak },
            Text::OverheadWhy,
            ev,
        );
    }
}
