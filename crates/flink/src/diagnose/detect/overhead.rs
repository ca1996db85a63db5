//! JVM overhead against the native memory it must cover.

use super::super::stats;
use super::super::thresholds as th;
use super::super::{Kind, Severity, Text};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &dyn Readings, mem: &MemoryConfiguration, out: &mut Out) {
    // JVM overhead against the native memory it must cover.
    let estimate = p.native_estimate();
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
