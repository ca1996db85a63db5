//! Managed memory while a job runs: unused, or fully used.

use super::super::stats;
use super::super::thresholds as th;
use super::super::{Kind, Severity, Text};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &dyn Readings, mem: &MemoryConfiguration, out: &mut Out) {
    // Managed memory, while a job runs.
    let managed = p.series(MANAGED, true);
    let cap = if mem.managed_memory > 0 { Some(mem.managed_memory as f64) } else { p.last(MANAGED_TOTAL) };
    if let Some(cap) = cap.filter(|c| *c > 0.0) {
        if span(&managed) < th::MIN_SPAN_S {
            out.pending(Kind::ManagedIdle, &managed);
        } else {
            let peak = stats::max_value(&pts(&managed));
            let median = stats::median_value(&pts(&managed));
            let mut ev = evidence(MANAGED, &managed, Vec::new(), None, Some(cap));
            ev.facts.push(Text::ManagedUse { peak, cap, median });
            let total_flink = mem.total_flink_memory as f64;
            // At or below the share memlab would keep, idle managed memory is a reserve.
            if peak.0 < th::MANAGED_IDLE * cap
                && cap > th::MANAGED_KEEP_FRACTION * total_flink + th::ROUND as f64
            {
                out.found(
                    Kind::ManagedIdle,
                    if cap >= 0.25 * total_flink { Severity::Warning } else { Severity::Info },
                    Text::ManagedIdleHeadline { cap, share_of_flink: cap / total_flink },
                    Text::ManagedIdleWhy,
                    ev,
                );
            } else if median.0 >= th::MANAGED_FULL * cap {
                out.found(
                    Kind::ManagedFull,
                    Severity::Info,
                    Text::ManagedFullHeadline { share: median.0 / cap },
                    Text::ManagedFullWhy,
                    ev,
                );
            }
        }
    }
}
