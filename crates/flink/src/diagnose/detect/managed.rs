//! Managed memory while a job runs: unused, or fully used.

use memlab_text::tr;

use super::super::stats;
use super::super::thresholds as th;
use super::super::{Kind, Options, Severity};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(p: &Proc, mem: &MemoryConfiguration, opts: &Options, out: &mut Out) {
    let lang = opts.lang;
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
            ev.facts.push(tr!(
                lang,
                "peak {} of {} ({}), median {}",
                "峰值 {} / {}（{}），中位数 {}",
                hr(peak),
                hr(cap),
                pct(peak / cap),
                pct(median / cap)
            ));
            let total_flink = mem.total_flink_memory as f64;
            // At or below the share memlab would keep, idle managed memory is a reserve.
            if peak < th::MANAGED_IDLE * cap
                && cap > th::MANAGED_KEEP_FRACTION * total_flink + th::ROUND as f64
            {
                out.found(
                    Kind::ManagedIdle,
                    if cap >= 0.25 * total_flink { Severity::Warning } else { Severity::Info },
                    tr!(
                        lang,
                        "{} of managed memory ({} of Flink memory) is reserved and unused",
                        "{} 的托管内存（占 Flink 内存的 {}）被保留却没有使用",
                        hr(cap),
                        pct(cap / total_flink)
                    ),
                    tr!(
                        lang,
                        "Managed memory is used by RocksDB, batch operators (sorting, hash joins, spilling) and Python UDFs. A streaming job on the heap state backend (HashMapStateBackend) uses none of it: Flink's default fraction 0.4 then leaves 40 % of Flink memory idle while state lives on the heap.",
                        "托管内存供 RocksDB、批处理算子（排序、哈希连接、溢写）和 Python UDF 使用。使用堆状态后端（`HashMapStateBackend`）的流作业完全用不到它：Flink 默认的占比 0.4 会让 40 % 的 Flink 内存闲置，而状态却放在堆上。"
                    ),
                    ev,
                );
            } else if median >= th::MANAGED_FULL * cap {
                out.found(
                    Kind::ManagedFull,
                    Severity::Info,
                    tr!(lang, "Managed memory is {} used", "托管内存已用 {}", pct(median / cap)),
                    tr!(
                        lang,
                        "RocksDB reserves its whole share of managed memory for its block cache and write buffers when the job starts, so full is expected and not a leak. For batch jobs, full managed memory means sorting and joins spill to disk: more managed memory makes them faster.",
                        "RocksDB 在作业启动时就为块缓存和写缓冲区预留全部托管内存份额，所以用满是正常的，不是泄漏。对批作业而言，托管内存用满意味着排序和连接会溢写到磁盘：更多托管内存会让它们更快。"
                    ),
                    ev,
                );
            }
        }
    }
}
