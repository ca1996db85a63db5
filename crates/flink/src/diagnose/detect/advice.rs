//! The advice for one process's findings, decided once all of them are in: idle memory is
//! where the bytes for a fix come from.

use memlab_size::human;
use memlab_text::{tr, Lang};

use super::super::recommend::{self, Base, Component};
use super::super::stats;
use super::super::thresholds as th;
use super::super::{Advice, Finding, Kind, NoAdvice, Options};
use super::common::*;
use crate::config::FlinkConfig;
use crate::options::tm as o;
/// "No configuration change helps here."
pub(super) fn no_change_helps(lang: Lang) -> NoAdvice {
    NoAdvice::Because(tr!(lang, "no configuration change helps here", "这里改配置没有帮助"))
}

/// Whether a finding's advice is still undecided (the placeholder `found` gives it).
fn undecided(f: &Finding) -> bool {
    matches!(&f.advice, Advice::None(NoAdvice::Because(w)) if w.is_empty())
}

/// Attaches recommendations to one TaskManager's findings.
pub(super) fn recommend(p: &Proc, cluster: Option<&FlinkConfig>, opts: &Options, findings: &mut [Finding]) {
    let lang = opts.lang;
    let Some(mem) = p.memory() else {
        for f in findings.iter_mut() {
            f.advice = Advice::None(NoAdvice::Because(tr!(
                lang,
                "memlab has no memory configuration for this TaskManager (GET /taskmanagers/:id), so it cannot propose a change.",
                "memlab 没有这个 TaskManager 的内存配置（GET /taskmanagers/:id），因此无法给出修改。"
            )));
        }
        return;
    };
    let Some(base) = recommend::base(cluster, &mem) else {
        for f in findings.iter_mut() {
            f.advice = Advice::None(NoAdvice::Because(tr!(
                lang,
                "memlab's calculator does not reproduce this TaskManager's sizes, so it cannot propose a verified change.",
                "memlab 的计算器无法复现这个 TaskManager 的各项大小，因此无法给出经过验证的修改。"
            )));
        }
        return;
    };
    let m = &base.memory;
    let kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
    // Over-provisioned components, and the recommendation that frees each.
    let managed_idle = kinds.contains(&Kind::ManagedIdle).then(|| {
        let peak = findings
            .iter()
            .find(|f| f.kind == Kind::ManagedIdle)
            .map_or(0.0, |f| stats::max_value(&f.evidence.series));
        managed_down(&base, peak, lang)
    });
    let network_idle = kinds.contains(&Kind::NetworkIdle).then(|| {
        let f = findings.iter().find(|f| f.kind == Kind::NetworkIdle);
        let peak_segments = f.map_or(0.0, |f| stats::max_value(&f.evidence.series));
        let total = f.and_then(|f| f.evidence.limit).unwrap_or(1.0);
        network_down(&base, peak_segments * m.network.bytes as f64 / total, lang)
    });
    let spare = |r: &Option<Result<recommend::Recommendation, NoAdvice>>, c: Component| {
        r.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, |r| c.bytes(m).saturating_sub(c.bytes(&r.after)))
    };
    let donors = [
        (Component::Managed, spare(&managed_idle, Component::Managed)),
        (Component::Network, spare(&network_idle, Component::Network)),
    ];
    let donated: u64 = donors.iter().map(|d| d.1).sum();
    let from = |donors: &[(Component, u64)]| {
        let names: Vec<&str> = donors.iter().filter(|d| d.1 > 0).map(|d| d.0.label_in(lang)).collect();
        if names.is_empty() {
            String::new()
        } else {
            let names = names.join(tr!(lang, " and ", "和").as_str());
            tr!(lang, " from idle {names}", "，取自闲置的{names}")
        }
    };
    for f in findings.iter_mut() {
        let peak = stats::max_value(&f.evidence.series);
        let r = match f.kind {
            Kind::ManagedIdle => managed_idle.clone(),
            Kind::NetworkIdle => network_idle.clone(),
            Kind::OomRisk if f.evidence.metric == HEAP => {
                f.advice = Advice::None(NoAdvice::Because(tr!(
                    lang,
                    "See the heap-leak finding: the forecast follows from it.",
                    "见堆泄漏那一项：这个预测由它而来。"
                )));
                None
            }
            Kind::HeapLeak => {
                let freed: Vec<&recommend::Recommendation> = [&managed_idle, &network_idle]
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_ref().ok())
                    .collect();
                if freed.is_empty() {
                    f.advice = Advice::None(NoAdvice::Because(tr!(
                        lang,
                        "A leak is fixed in code. No component here is over-provisioned, so any extra heap would have to come from a bigger process — and would only delay the failure.",
                        "泄漏要在代码里修复。这里没有哪个组成部分配多了，所以额外的堆只能来自更大的进程——而且只会推迟失败。"
                    )));
                    None
                } else {
                    Some(
                        recommend::combine(
                            &base,
                            tr!(
                            lang,
                            "Stopgap, not a fix: give the task heap {}{} — the leak still fills it, later",
                            "权宜之计，不是修复：给任务堆 {}{}——泄漏迟早还会把它填满",
                            human(donated),
                            from(&donors)
                        ),
                            &freed,
                        )
                        .map_err(NoAdvice::from),
                    )
                }
            }
            Kind::GcPressure => {
                let add = recommend::round_up((m.jvm_heap() as f64 * th::GC_HEAP_GROWTH) as u64);
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Give the task heap {} more{}",
                            "给任务堆再加 {}{}",
                            human(add),
                            from(&donors)
                        ),
                        Component::TaskHeap,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::MetaspaceGrowth | Kind::OomRisk if f.evidence.metric == METASPACE => {
                let target = recommend::round_up((peak * th::METASPACE_HEADROOM) as u64)
                    .max(m.jvm_metaspace.bytes + (m.jvm_metaspace.bytes / 4));
                let add = recommend::round_up(target - m.jvm_metaspace.bytes);
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Raise the metaspace by {}{}",
                            "把元空间增加 {}{}",
                            human(add),
                            from(&donors)
                        ),
                        Component::Metaspace,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::OomRisk if f.evidence.metric == DIRECT => {
                let add =
                    recommend::round_up(((peak * 1.25) as u64).saturating_sub(m.jvm_direct()).max(64 << 20));
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Give task off-heap {} more (it raises MaxDirectMemorySize){}",
                            "给任务堆外内存再加 {}（会提高 MaxDirectMemorySize）{}",
                            human(add),
                            from(&donors)
                        ),
                        Component::TaskOffHeap,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::NetworkExhausted => {
                let add = recommend::round_up(m.network.bytes / 2);
                let d = [donors[0]];
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Give network memory {} more{}",
                            "给网络内存再加 {}{}",
                            human(add),
                            from(&d)
                        ),
                        Component::Network,
                        add,
                        &d,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::OverheadSmall => {
                let add = recommend::round_up(
                    ((peak / th::OVERHEAD_FILL) as u64).saturating_sub(m.jvm_overhead.bytes),
                );
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Raise JVM overhead by {}{}",
                            "把 JVM 开销增加 {}{}",
                            human(add),
                            from(&donors)
                        ),
                        Component::Overhead,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::ContainerHeadroom => opts.container_limit.map(|limit| {
                // Shrinking the process shrinks every fraction-sized part; idle managed
                // memory goes first, if there is some.
                let mut changes = vec![recommend::Change {
                    key: o::TOTAL_PROCESS.key.to_owned(),
                    from: None,
                    to: recommend::size_value(limit),
                }];
                let idle = managed_idle.as_ref().and_then(|r| r.as_ref().ok());
                changes.extend(idle.iter().flat_map(|r| r.changes.clone()));
                let wanted = recommend::Recommendation { changes, ..empty(&base) };
                recommend::combine(
                    &base,
                    tr!(
                        lang,
                        "Set the process size to the container's limit, {}{}",
                        "把进程大小设为容器的限制 {}{}",
                        human(limit),
                        if idle.is_some() {
                            tr!(lang, ", and lower the idle managed memory", "，并调低闲置的托管内存")
                        } else {
                            String::new()
                        }
                    ),
                    &[&wanted],
                )
                .map_err(NoAdvice::from)
            }),
            _ => None,
        };
        match r {
            Some(Ok(r)) => f.advice = Advice::TaskManager(r),
            Some(Err(e)) => f.advice = Advice::None(e),
            None if undecided(f) && f.kind == Kind::ManagedFull => {
                f.advice = Advice::None(NoAdvice::Because(tr!(
                    lang,
                    "Full managed memory is how RocksDB works (it reserves its share at once) and how batch operators work (they spill to disk beyond it): no change is needed unless jobs slow down from spilling.",
                    "托管内存用满正是 RocksDB 的工作方式（它一次性预留自己的份额），也是批处理算子的工作方式（超出部分溢写到磁盘）：除非作业因溢写而变慢，否则无需修改。"
                )))
            }
            None if undecided(f) => f.advice = Advice::None(no_change_helps(lang)),
            None => {}
        }
    }
}

/// A recommendation that changes nothing (a carrier for changes to combine).
fn empty(base: &Base) -> recommend::Recommendation {
    recommend::Recommendation {
        summary: String::new(),
        changes: Vec::new(),
        before: base.memory.clone(),
        after: base.memory.clone(),
        process_delta: 0,
    }
}

/// Lowers idle managed memory to [`th::MANAGED_KEEP_FRACTION`] (or twice its peak use).
fn managed_down(base: &Base, peak: f64, lang: Lang) -> Result<recommend::Recommendation, NoAdvice> {
    let m = &base.memory;
    let keep = (m.total_flink() as f64 * th::MANAGED_KEEP_FRACTION) as u64;
    let summary = |after: u64| {
        tr!(
            lang,
            "Lower managed memory from {} to {} and give the {} to the task heap",
            "把托管内存从 {} 降到 {}，把省下的 {} 给任务堆",
            human(m.managed.bytes),
            human(after),
            human(m.managed.bytes.saturating_sub(after))
        )
    };
    let uses_fraction = !crate::read::contains(&base.config, &o::MANAGED_SIZE) && base.from_cluster;
    if (peak * 2.0) as u64 <= keep && uses_fraction {
        let r = recommend::with_changes(
            base,
            String::new(),
            &[(&o::MANAGED_FRACTION, th::MANAGED_KEEP_FRACTION.to_string())],
        )?;
        return Ok(recommend::Recommendation { summary: summary(r.after.managed.bytes), ..r });
    }
    let keep = recommend::round_up(keep.max((peak * 2.0) as u64));
    if keep >= m.managed.bytes {
        return Err(NoAdvice::Because(tr!(lang, "nothing to gain", "没有可省的")));
    }
    let give = m.managed.bytes - keep;
    let r = recommend::plan(base, String::new(), Component::TaskHeap, give, &[(Component::Managed, give)])?;
    Ok(recommend::Recommendation { summary: summary(r.after.managed.bytes), ..r })
}

/// Lowers idle network memory to [`th::NETWORK_KEEP_PEAK`] times its peak (at least
/// [`th::NETWORK_FLOOR`]).
fn network_down(base: &Base, peak_bytes: f64, lang: Lang) -> Result<recommend::Recommendation, NoAdvice> {
    let m = &base.memory;
    let keep = recommend::round_up(((peak_bytes * th::NETWORK_KEEP_PEAK) as u64).max(th::NETWORK_FLOOR));
    if keep >= m.network.bytes {
        return Err(NoAdvice::Because(tr!(
            lang,
            "network memory is already at the floor memlab keeps ({})",
            "网络内存已经处于 memlab 保留的下限（{}）",
            human(keep)
        )));
    }
    let give = m.network.bytes - keep;
    recommend::plan(
        base,
        tr!(
            lang,
            "Lower network memory from {} to {} and give the {} to the task heap",
            "把网络内存从 {} 降到 {}，把省下的 {} 给任务堆",
            human(m.network.bytes),
            human(keep),
            human(give)
        ),
        Component::TaskHeap,
        give,
        &[(Component::Network, give)],
    )
    .map_err(NoAdvice::from)
}
