//! JVM overhead against the native memory it must cover.

use memlab_text::tr;

use super::super::stats;
use super::super::thresholds as th;
use super::super::{Kind, Options, Severity};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &Proc, mem: &MemoryConfiguration, opts: &Options, out: &mut Out) {
    let lang = opts.lang;
    // JVM overhead against the native memory it must cover.
    let non_heap = p.series(NON_HEAP, false);
    let estimate: Series = non_heap
        .iter()
        .filter_map(|&(i, (t, nh))| {
            let s = &p.snaps[i];
            let meta = p.get(s, METASPACE)?;
            let threads = p.get(s, THREADS).unwrap_or(0.0);
            Some((i, (t, (nh - meta).max(0.0) + threads * th::THREAD_STACK)))
        })
        .collect();
    let overhead = mem.jvm_overhead as f64;
    let peak = stats::max_value(&pts(&estimate));
    if overhead > 0.0 && peak >= th::OVERHEAD_FILL * overhead {
        let mut ev = evidence(NATIVE_ESTIMATE, &estimate, Vec::new(), None, Some(overhead));
        ev.facts.push(tr!(
            lang,
            "native memory estimate peaks at {} of {} JVM overhead ({})",
            "本地内存估算峰值为 {}，JVM 开销为 {}（{}）",
            hr(peak),
            hr(overhead),
            pct(peak / overhead)
        ));
        out.found(
            Kind::OverheadSmall,
            Severity::Warning,
            tr!(
                lang,
                "JVM overhead ({}) barely covers the JVM's native memory ({})",
                "JVM 开销（{}）勉强够 JVM 的本地内存（{}）",
                hr(overhead),
                hr(peak)
            ),
            tr!(
                lang,
                "JVM overhead is the part of the process Flink leaves for what the JVM itself uses outside heap, metaspace and direct buffers: thread stacks, code cache, GC structures, native libraries. When native use outgrows it, the process exceeds its container and is killed by the OS (exit code 137) without a Java error.",
                "JVM 开销是 Flink 为 JVM 自身在堆、元空间和直接缓冲区之外使用的内存留出的部分：线程栈、代码缓存、GC 结构、本地库。本地内存用量超出它时，进程会超出容器限制，被操作系统杀掉（退出码 137），不会有 Java 报错。"
            ),
            ev,
        );
    }
}
