//! Network buffers (segments) while a job runs: exhausted, or mostly idle.

use super::super::stats;
use super::super::thresholds as th;
use super::super::{Kind, Severity, Text};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &dyn Readings, mem: &MemoryConfiguration, out: &mut Out) {
    // Network buffers (segments), while a job runs.
    let used = p.series(NET_USED, true);
    let total = p.last(NET_TOTAL).unwrap_or(0.0);
    if total > 0.0 && !used.is_empty() {
        let full = used.iter().filter(|x| x.1 .1 >= th::NETWORK_FULL * total).count();
        let peak = stats::max_value(&pts(&used));
        let segment = mem.network_memory as f64 / total;
        if full as f64 >= th::NETWORK_FULL_SHARE * used.len() as f64 {
            let mut ev = evidence(NET_USED, &used, Vec::new(), None, Some(total));
            ev.facts.push(Text::NetworkFullReadings { full, readings: used.len(), total });
            out.found(
                Kind::NetworkExhausted,
                Severity::Warning,
                Text::NetworkExhaustedHeadline { share: full as f64 / used.len() as f64 },
                Text::NetworkExhaustedWhy,
                ev,
            );
        } else if span(&used) < th::MIN_SPAN_S {
            out.pending(Kind::NetworkIdle, &used);
        } else if peak.0 < th::NETWORK_IDLE * total && (mem.network_memory as f64) > th::NETWORK_FLOOR as f64
        {
            let mut ev = evidence(NET_USED, &used, Vec::new(), None, Some(total));
            ev.facts.push(Text::NetworkPeak { peak, total, segment });
            out.found(
                Kind::NetworkIdle,
                Severity::Info,
                Text::NetworkIdleHeadline { share: peak.0 / total },
                Text::NetworkIdleWhy,
                ev,
            );
        }
    }
}
