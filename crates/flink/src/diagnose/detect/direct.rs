//! Direct memory against `-XX:MaxDirectMemorySize`: near it, or rising towards it.

use memlab_text::tr;

use super::super::thresholds as th;
use super::super::{Kind, Options, Severity};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &Proc, mem: &MemoryConfiguration, opts: &Options, out: &mut Out) {
    let lang = opts.lang;
    let dur = |s: f64| duration_in(lang, s);
    // Direct memory against -XX:MaxDirectMemorySize.
    let direct = p.series(DIRECT, false);
    let direct_max = (mem.framework_off_heap + mem.task_off_heap + mem.network_memory) as f64;
    if let Some(&(_, (t_end, last))) = direct.last() {
        // A steady rise towards the limit is a risk before it gets near.
        let rising = (span(&direct) >= th::MIN_SPAN_S)
            .then(|| steady_rise(&pts(&direct)))
            .flatten()
            .filter(|t| t.slope * span(&direct) >= th::METASPACE_MIN_GROWTH * direct_max)
            .map(|t| (t, t.time_to(t_end, direct_max).unwrap_or(f64::INFINITY)))
            .filter(|(_, ttl)| *ttl < th::OOM_WARNING_S);
        if let (Some((t, ttl)), true) = (rising, last < th::NEAR_LIMIT * direct_max) {
            let mut ev = evidence(DIRECT, &direct, Vec::new(), Some(t), Some(direct_max));
            ev.facts.push(tr!(
                lang,
                "direct memory used {} of {}, growing {}/min (Kendall τ = {:.2})",
                "直接内存已用 {} / {}，每分钟增长 {}（Kendall τ = {:.2}）",
                hr(last),
                hr(direct_max),
                hr(t.slope * 60.0),
                t.tau
            ));
            ev.facts.push(limit_reached_in(lang, ttl));
            out.found(
                Kind::OomRisk,
                forecast_severity(ttl),
                tr!(
                    lang,
                    "Direct memory: at the current trend -XX:MaxDirectMemorySize is reached in about {}",
                    "直接内存：按当前趋势，大约 {}后达到 -XX:MaxDirectMemorySize",
                    dur(ttl)
                ),
                tr!(
                    lang,
                    "Forecast from the trend of direct (off-heap) buffer use. At the limit the JVM throws java.lang.OutOfMemoryError: Direct buffer memory. Direct buffers are freed only when their Java objects are collected: steady growth means buffers are kept (a connector's pool, a cache) or leaked.",
                    "根据直接（堆外）缓冲区用量的趋势预测。到达上限时 JVM 抛出 `java.lang.OutOfMemoryError: Direct buffer memory`。直接缓冲区只有在其 Java 对象被回收时才释放：稳定增长意味着缓冲区被留着（连接器的池、缓存）或泄漏了。"
                ),
                ev,
            );
        }
        if last >= th::NEAR_LIMIT * direct_max {
            let mut ev = evidence(DIRECT, &direct, Vec::new(), None, Some(direct_max));
            ev.facts.push(tr!(
                lang,
                "direct memory used {} of {} ({})",
                "直接内存已用 {} / {}（{}）",
                hr(last),
                hr(direct_max),
                pct(last / direct_max)
            ));
            out.found(
                Kind::OomRisk,
                Severity::Critical,
                tr!(lang, "Direct memory is at {} of -XX:MaxDirectMemorySize", "直接内存已达 -XX:MaxDirectMemorySize 的 {}", pct(last / direct_max)),
                tr!(
                    lang,
                    "Direct (off-heap) buffers are limited to framework off-heap + task off-heap + network memory. Beyond it the JVM throws java.lang.OutOfMemoryError: Direct buffer memory — usually a connector or library allocating direct buffers (Netty, Kafka clients, compression) that task off-heap memory does not account for.",
                    "直接（堆外）缓冲区的上限是 框架堆外 + 任务堆外 + 网络内存。超过它 JVM 抛出 `java.lang.OutOfMemoryError: Direct buffer memory`——通常是某个连接器或库分配了任务堆外内存没有算进去的直接缓冲区（Netty、Kafka 客户端、压缩）。"
                ),
                ev,
            );
        }
    }
}
