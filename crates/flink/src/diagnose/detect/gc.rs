//! Garbage collection: the share of time in collections, and full collections per minute.

use super::super::stats::{self, Observed};
use super::super::thresholds as th;
use super::super::{Kind, Severity, Text};
use super::common::*;

pub(super) fn detect(p: &dyn Readings, out: &mut Out) {
    // GC: share of time in collections, and full collections.
    let gc = p.series(GC_MS, false);
    if span(&gc) < th::MIN_SPAN_S {
        out.pending(Kind::GcPressure, &gc);
    } else {
        let median = stats::median_value(&pts(&gc));
        let old = p.series(OLD_GC, false);
        let old_per_min = match (old.first(), old.last()) {
            (Some(a), Some(b)) if span(&old) > 0.0 => (b.1 .1 - a.1 .1) / span(&old) * 60.0,
            _ => 0.0,
        };
        if median.0 >= th::GC_WARNING_MS_PER_S || old_per_min >= th::OLD_GC_PER_MIN {
            let mut ev = evidence(GC_MS, &gc, Vec::new(), None, Some(th::GC_WARNING_MS_PER_S));
            ev.facts = vec![
                Text::GcMedian { median_ms: median },
                Text::OldGcRate { per_min: Observed(old_per_min) },
            ];
            out.found(
                Kind::GcPressure,
                if median.0 >= th::GC_CRITICAL_MS_PER_S { Severity::Critical } else { Severity::Warning },
                // The headline says why it fired.
                if median.0 >= th::GC_WARNING_MS_PER_S {
                    Text::GcHeadline { median_ms: median }
                } else {
                    Text::GcOldHeadline { per_min: Observed(old_per_min) }
                },
                Text::GcWhy,
                ev,
            );
        }
    }
}
