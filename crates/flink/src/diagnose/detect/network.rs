//! Network buffers (segments) while a job runs: exhausted, or mostly idle.

use memlab_text::tr;

use super::super::stats;
use super::super::thresholds as th;
use super::super::{Kind, Options, Severity};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &Proc, mem: &MemoryConfiguration, opts: &Options, out: &mut Out) {
    let lang = opts.lang;
    // Network buffers (segments), while a job runs.
    let used = p.series(NET_USED, true);
    let total = p.last(NET_TOTAL).unwrap_or(0.0);
    if total > 0.0 && !used.is_empty() {
        let full = used.iter().filter(|x| x.1 .1 >= th::NETWORK_FULL * total).count();
        let peak = stats::max_value(&pts(&used));
        let seg = mem.network_memory as f64 / total;
        if full as f64 >= th::NETWORK_FULL_SHARE * used.len() as f64 {
            let mut ev = evidence(NET_USED, &used, Vec::new(), None, Some(total));
            ev.facts.push(tr!(
                lang,
                "{full} of {} readings at ≥ {} of the {total:.0} segments",
                "{} 次读数中有 {full} 次达到 {total:.0} 个段的 ≥ {}",
                used.len(),
                pct(th::NETWORK_FULL)
            ));
            out.found(
                Kind::NetworkExhausted,
                Severity::Warning,
                tr!(
                    lang,
                    "Network buffers are exhausted in {} of the readings",
                    "{} 的读数中网络缓冲区已耗尽",
                    pct(full as f64 / used.len() as f64)
                ),
                tr!(
                    lang,
                    "Every network buffer is in use: tasks wait for buffers (back-pressure), and a new or rescaled job fails with \"Insufficient number of network buffers\". Each channel takes exclusive buffers (2 per channel in Flink 2.x) plus floating buffers per gate (8).",
                    "所有网络缓冲区都在使用中：任务在等待缓冲区（反压），新作业或扩缩容后的作业会以 \"Insufficient number of network buffers\" 失败。每个通道占用独占缓冲区（Flink 2.x 中每通道 2 个），每个输入门另加浮动缓冲区（8 个）。"
                ),
                ev,
            );
        } else if span(&used) < th::MIN_SPAN_S {
            out.pending(Kind::NetworkIdle, &used);
        } else if peak < th::NETWORK_IDLE * total && (mem.network_memory as f64) > th::NETWORK_FLOOR as f64 {
            let mut ev = evidence(NET_USED, &used, Vec::new(), None, Some(total));
            ev.facts.push(tr!(
                lang,
                "peak {peak:.0} of {total:.0} segments ({}) = {} of {}",
                "峰值 {peak:.0} / {total:.0} 个段（{}）= {} / {}",
                pct(peak / total),
                hr(peak * seg),
                hr(total * seg)
            ));
            out.found(
                Kind::NetworkIdle,
                Severity::Info,
                tr!(lang, "At most {} of network memory was used while a job ran", "作业运行期间网络内存最多只用了 {}", pct(peak / total)),
                tr!(
                    lang,
                    "Network memory is reserved up front for shuffle buffers. Most of it stayed idle for this job graph: those bytes could serve the task heap. Keep headroom for rescaling (more channels need more buffers).",
                    "网络内存是为 shuffle 缓冲区预先保留的。对这个作业图来说大部分都闲着：这些字节可以给任务堆用。请为扩缩容留出余量（更多通道需要更多缓冲区）。"
                ),
                ev,
            );
        }
    }
}
