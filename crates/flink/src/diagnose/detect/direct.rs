//! Direct memory against `-XX:MaxDirectMemorySize`: near it, or rising towards it.

use super::super::stats::{self, Observed};
use super::super::thresholds as th;
use super::super::{Kind, Severity, Text};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &dyn Readings, mem: &MemoryConfiguration, out: &mut Out) {
    // Direct memory against -XX:MaxDirectMemorySize.
    let direct = p.series(DIRECT, false);
    let direct_max = (mem.framework_off_heap + mem.task_off_heap + mem.network_memory) as f64;
    if let Some(&(_, (_, last))) = direct.last() {
        // A steady rise towards the limit is a risk before it gets near.
        let rising = (span(&direct) >= th::MIN_SPAN_S)
            .then(|| steady_rise(&pts(&direct)))
            .flatten()
            .filter(|t| t.slope * span(&direct) >= th::METASPACE_MIN_GROWTH * direct_max)
            .map(|t| (t, stats::forecast(&pts(&direct), &t, direct_max, th::NEAR_LIMIT)))
            .filter(|(_, when)| matches!(when, stats::Forecast::In { s } if *s < th::OOM_WARNING_S));
        if let (Some((t, when)), true) = (rising, last < th::NEAR_LIMIT * direct_max) {
            let ttl = when.seconds();
            let mut ev = evidence(DIRECT, &direct, Vec::new(), Some(t), Some(direct_max));
            ev.facts.push(Text::DirectGrowth {
                used: Observed(last),
                max: direct_max,
                per_min: t.per_min(),
                tau: t.tau,
            });
            ev.facts.push(Text::LimitReachedIn { when });
            out.found(
                Kind::OomRisk,
                forecast_severity(ttl),
                Text::DirectOomHeadline { when },
                Text::DirectOomWhy,
                ev,
            );
        }
        if last >= th::NEAR_LIMIT * direct_max {
            let mut ev = evidence(DIRECT, &direct, Vec::new(), None, Some(direct_max));
            ev.facts.push(Text::DirectUsed { used: Observed(last), max: direct_max });
            out.found(
                Kind::OomRisk,
                Severity::Critical,
                Text::DirectNearHeadline { share: last / direct_max },
                Text::DirectNearWhy,
                ev,
            );
        }
    }
}
