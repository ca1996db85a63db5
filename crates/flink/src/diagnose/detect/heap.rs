//! Heap: a leak (the level left after garbage collections rises steadily) and the `Java heap space` forecast that follows from it.

use super::super::stats::{self, Observed};
use super::super::thresholds as th;
use super::super::{Kind, Text};
use super::common::*;

pub(super) fn detect(p: &dyn Readings, out: &mut Out) {
    let mem = p.memory();
    // Heap: the lower envelope — readings right after the GC count rose, lowest per
    // window — must rise steadily and substantially. Without collections the heap only
    // fills up with garbage, which says nothing.
    let heap = p.series(HEAP, false);
    let heap_max = p.last(HEAP_MAX).or(mem.map(|m| (m.framework_heap + m.task_heap) as f64));
    let counts = p.series(GC_COUNT, false);
    let after_gc = p.after_gc();
    let minima = stats::window_minima(&after_gc, th::ENVELOPE_WINDOW_S);
    let after_span = match (after_gc.first(), after_gc.last()) {
        (Some(a), Some(b)) => b.0 - a.0,
        _ => 0.0,
    };
    if counts.is_empty() {
        out.pending_because(Kind::HeapLeak, Text::NoGcCount);
    } else if span(&heap) < th::MIN_SPAN_S {
        out.pending(Kind::HeapLeak, &heap);
    } else if after_gc.is_empty() {
        out.pending_because(Kind::HeapLeak, Text::NoGcYet);
    } else if minima.len() < th::MIN_WINDOWS && p.step_s() > th::ENVELOPE_WINDOW_S {
        out.pending_because(
            Kind::HeapLeak,
            Text::StepTooCoarse { step_s: p.step_s(), window_s: th::ENVELOPE_WINDOW_S },
        );
    } else if after_span < th::MIN_SPAN_S || minima.len() < th::MIN_WINDOWS {
        out.pending_because(Kind::HeapLeak, Text::ShortPostGc { span_s: after_span, windows: minima.len() });
    } else if let (Some(t), Some(max)) = (stats::trend(&minima), heap_max) {
        let s = after_span;
        if t.tau >= th::STEADY_TAU && t.slope * s >= th::LEAK_MIN_GROWTH * max {
            // From the observed post-GC minima: the fitted line can run past the maximum.
            let when = stats::forecast(&minima, &t, max, th::NEAR_LIMIT);
            let ttl = when.seconds();
            let (first, last) = (minima[0].1, minima[minima.len() - 1].1);
            let mut ev = evidence(HEAP, &heap, minima.clone(), Some(t), Some(max));
            ev.facts = vec![
                Text::HeapGrowth { per_min: t.per_min() },
                Text::Steadiness { tau: t.tau },
                Text::HeapAfterGc { from: Observed(first), to: Observed(last), max, over_s: s },
                Text::HeapFullIn { when },
            ];
            let sev = forecast_severity(ttl);
            out.found(
                Kind::HeapLeak,
                sev,
                Text::HeapLeakHeadline { per_min: t.per_min(), when },
                Text::HeapLeakWhy,
                ev.clone(),
            );
            if ttl < th::OOM_WARNING_S {
                out.found(Kind::OomRisk, sev, Text::HeapOomHeadline { when }, Text::HeapOomWhy, ev);
            }
        }
    }
}
