//! Metaspace: near `MaxMetaspaceSize`, or growing across job submissions (class loaders kept alive).

use super::super::stats::{self, Observed};
use super::super::thresholds as th;
use super::super::{Kind, Severity, Text};
use super::common::*;

/// `jobs`: the job submissions during the data.
pub(super) fn detect(p: &dyn Readings, jobs: usize, out: &mut Out) {
    let mem = p.memory();
    // Metaspace: near its limit, or growing (class loaders kept alive across jobs).
    let meta = p.series(METASPACE, false);
    let meta_max = if p.jm() { p.last(METASPACE_MAX) } else { mem.map(|m| m.jvm_metaspace as f64) };
    if let (Some(&(_, (_, last))), Some(cap)) = (meta.last(), meta_max.filter(|c| *c > 0.0)) {
        let trend = if span(&meta) >= th::MIN_SPAN_S { steady_rise(&pts(&meta)) } else { None };
        if span(&meta) < th::MIN_SPAN_S {
            out.pending(Kind::MetaspaceGrowth, &meta);
        }
        let mut ev = evidence(METASPACE, &meta, Vec::new(), trend, Some(cap));
        ev.facts.push(Text::MetaspaceUsed { used: Observed(last), cap });
        if last >= th::NEAR_LIMIT * cap {
            out.found(
                Kind::OomRisk,
                Severity::Critical,
                Text::MetaspaceNearHeadline { share: last / cap },
                Text::MetaspaceNearWhy,
                ev.clone(),
            );
        }
        if let Some(t) = trend.filter(|t| t.slope * span(&meta) >= th::METASPACE_MIN_GROWTH * cap) {
            let when = stats::forecast(&pts(&meta), &t, cap, th::NEAR_LIMIT);
            let ttl = when.seconds();
            ev.facts.push(Text::MetaspaceGrowth { per_min: t.per_min(), tau: t.tau });
            ev.facts.push(Text::Submissions { jobs });
            ev.facts.push(Text::LimitReachedIn { when });
            out.found(
                Kind::MetaspaceGrowth,
                forecast_severity(ttl),
                Text::MetaspaceGrowthHeadline { per_min: t.per_min(), jobs },
                Text::MetaspaceGrowthWhy,
                ev.clone(),
            );
            // (Once reached, the near-the-limit finding above says so.)
            if ttl < th::OOM_WARNING_S && matches!(when, stats::Forecast::In { .. }) {
                out.found(
                    Kind::OomRisk,
                    forecast_severity(ttl),
                    Text::MetaspaceOomHeadline { when },
                    Text::MetaspaceOomWhy,
                    ev,
                );
            }
        }
    }
}
