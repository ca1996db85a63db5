//! Garbage collection: the share of time in collections, and full collections per minute.

use memlab_text::tr;

use super::super::stats;
use super::super::thresholds as th;
use super::super::{Kind, Severity};
use super::common::*;

pub(super) fn detect(p: &Proc, out: &mut Out) {
    let lang = out.lang;
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
        if median >= th::GC_WARNING_MS_PER_S || old_per_min >= th::OLD_GC_PER_MIN {
            let mut ev = evidence(GC_MS, &gc, Vec::new(), None, Some(th::GC_WARNING_MS_PER_S));
            ev.facts = vec![
                tr!(
                    lang,
                    "median {median:.0} ms of GC per second ({} of the time; threshold {})",
                    "每秒 GC 时间中位数 {median:.0} ms（占时间的 {}；阈值 {}）",
                    pct(median / 1000.0),
                    pct(th::GC_WARNING_MS_PER_S / 1000.0)
                ),
                tr!(
                    lang,
                    "{old_per_min:.1} old-generation collections per minute (threshold {})",
                    "每分钟老年代回收 {old_per_min:.1} 次（阈值 {}）",
                    th::OLD_GC_PER_MIN
                ),
            ];
            out.found(
                Kind::GcPressure,
                if median >= th::GC_CRITICAL_MS_PER_S { Severity::Critical } else { Severity::Warning },
                tr!(lang, "The JVM spends {} of its time in garbage collection", "JVM 把 {} 的时间花在垃圾回收上", pct(median / 1000.0)),
                tr!(
                    lang,
                    "Time in GC is time not spent processing: throughput drops, latency and checkpoint durations rise, and heartbeats can time out. The heap is too small for the live data and allocation rate (or it leaks — see the heap trend).",
                    "花在 GC 上的时间就不能用来处理数据：吞吐下降，延迟和 checkpoint 时长上升，心跳可能超时。堆相对存活数据量和分配速率太小了（或者在泄漏——看看堆的趋势）。"
                ),
                ev,
            );
        }
    }
}
