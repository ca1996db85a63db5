//! Heap: a leak (the level left after garbage collections rises steadily) and the `Java heap space` forecast that follows from it.

use memlab_text::tr;

use super::super::stats::{self, Point};
use super::super::thresholds as th;
use super::super::Kind;
use super::common::*;

pub(super) fn detect(p: &Proc, out: &mut Out) {
    let lang = out.lang;
    let dur = |s: f64| duration_in(lang, s);
    let mem = p.memory();
    // Heap: the lower envelope — readings right after the GC count rose, lowest per
    // window — must rise steadily and substantially. Without collections the heap only
    // fills up with garbage, which says nothing.
    let heap = p.series(HEAP, false);
    let heap_max = p.last(HEAP_MAX).or(mem.map(|m| (m.framework_heap + m.task_heap) as f64));
    let counts = p.series(GC_COUNT, false);
    let after_gc: Vec<Point> = counts
        .windows(2)
        .filter(|w| w[1].1 .1 > w[0].1 .1)
        .filter_map(|w| heap.iter().find(|h| h.0 == w[1].0).map(|h| h.1))
        .collect();
    let minima = stats::window_minima(&after_gc, th::ENVELOPE_WINDOW_S);
    let after_span = match (after_gc.first(), after_gc.last()) {
        (Some(a), Some(b)) => b.0 - a.0,
        _ => 0.0,
    };
    if counts.is_empty() {
        out.pending_because(
            Kind::HeapLeak,
            tr!(
                lang,
                "cannot tell: the data has no {GC_COUNT} readings, so post-GC heap levels are unknown",
                "无法判断：数据中没有 {GC_COUNT} 读数，因此不知道 GC 之后的堆水位"
            ),
        );
    } else if span(&heap) < th::MIN_SPAN_S {
        out.pending(Kind::HeapLeak, &heap);
    } else if after_gc.is_empty() {
        out.pending_because(
            Kind::HeapLeak,
            tr!(
                lang,
                "not enough data yet: no garbage collection ran, so the heap has only filled with garbage",
                "数据还不够：还没有发生垃圾回收，堆里只是积满了垃圾"
            ),
        );
    } else if after_span < th::MIN_SPAN_S || minima.len() < th::MIN_WINDOWS {
        out.pending_because(
            Kind::HeapLeak,
            tr!(
                lang,
                "not enough data yet: post-GC readings span {} in {} windows (need {} and {})",
                "数据还不够：GC 后的读数跨越 {}，共 {} 个窗口（需要 {} 和 {} 个）",
                dur(after_span),
                minima.len(),
                dur(th::MIN_SPAN_S),
                th::MIN_WINDOWS
            ),
        );
    } else if let (Some(t), Some(max)) = (stats::trend(&minima), heap_max) {
        let s = after_span;
        let t_end = heap.last().map_or(0.0, |x| x.1 .0);
        if t.tau >= th::STEADY_TAU && t.slope * s >= th::LEAK_MIN_GROWTH * max {
            let ttl = t.time_to(t_end, max).unwrap_or(f64::INFINITY);
            let mut ev = evidence(HEAP, &heap, minima.clone(), Some(t), Some(max));
            ev.facts = vec![
                tr!(
                    lang,
                    "heap after GC grows {}/min (Theil–Sen slope of the lowest post-GC reading per {} s)",
                    "GC 后的堆每分钟增长 {}（每 {} 秒内 GC 后最低读数的 Theil–Sen 斜率）",
                    hr(t.slope * 60.0),
                    th::ENVELOPE_WINDOW_S
                ),
                tr!(
                    lang,
                    "steadiness: Kendall τ = {:.2} (threshold {})",
                    "稳定性：Kendall τ = {:.2}（阈值 {}）",
                    t.tau,
                    th::STEADY_TAU
                ),
                tr!(
                    lang,
                    "heap after GC {} → {} of {} max over {}",
                    "GC 后的堆在 {3} 内从 {0} 涨到 {1}（上限 {2}）",
                    hr(t.at(minima[0].0)),
                    hr(t.at(t_end)),
                    hr(max),
                    dur(s)
                ),
                tr!(lang, "at this rate the heap is full in {}", "按此速度，堆将在 {}后占满", dur(ttl)),
            ];
            let sev = forecast_severity(ttl);
            out.found(
                Kind::HeapLeak,
                sev,
                tr!(
                    lang,
                    "The heap left after each garbage collection grows {}/min; full in about {}",
                    "每次垃圾回收后剩下的堆每分钟增长 {}；大约 {}后占满",
                    hr(t.slope * 60.0),
                    dur(ttl)
                ),
                tr!(
                    lang,
                    "What the garbage collector cannot free keeps growing: something holds on to objects — typically keyed state that is never cleared (heap state backend), a growing cache or collection in a user function, or timers that are never deleted. A single high reading means nothing (the heap is a saw-tooth); this is the lower envelope, the level after collections, rising steadily. More heap only delays the OutOfMemoryError: bound the state (StateTtlConfig, clear() in onTimer) or move it to RocksDB, and check with a heap dump.",
                    "垃圾回收器回收不掉的部分在持续增长：有东西一直持有对象——通常是从不清理的键控状态（堆状态后端）、用户函数里不断变大的缓存或集合，或从不删除的定时器。单个高读数说明不了什么（堆的曲线是锯齿形）；这里看的是下包络线，即每次回收后的水位，它在稳定上升。加大堆只会推迟 `OutOfMemoryError`：请限制状态（`StateTtlConfig`、在 `onTimer` 中 `clear()`）或改用 RocksDB，并用堆转储核实。"
                ),
                ev.clone(),
            );
            if ttl < th::OOM_WARNING_S {
                let sev = forecast_severity(ttl);
                out.found(
                    Kind::OomRisk,
                    sev,
                    tr!(
                        lang,
                        "Java heap space: at the current trend the heap is exhausted in about {}",
                        "`Java heap space`：按当前趋势，堆大约 {}后耗尽",
                        dur(ttl)
                    ),
                    tr!(
                        lang,
                        "Forecast from the trend of the heap after garbage collection: when it reaches the maximum heap (-Xmx = framework heap + task heap), the JVM throws java.lang.OutOfMemoryError: Java heap space and the TaskManager fails.",
                        "根据垃圾回收后堆的趋势预测：当它达到最大堆（-Xmx = 框架堆 + 任务堆）时，JVM 抛出 `java.lang.OutOfMemoryError: Java heap space`，TaskManager 随之失败。"
                    ),
                    ev,
                );
            }
        }
    }
}
