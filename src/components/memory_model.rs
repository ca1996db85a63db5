//! Flink's memory model drawn to scale: nested proportional boxes (Total Process → Total
//! Flink → JVM Heap / Off-Heap / Direct …), used by the calculator and the live cluster view.

use leptos::prelude::*;
use memlab_text::tr;

use crate::lang::{flink_term, Lang};
use memlab_flink::process::Part;
use memlab_flink::read::Source;
use memlab_flink::rest::MemoryConfiguration;
use memlab_size::human;

/// One box of the memory model: a leaf component or a group of them.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    pub id: &'static str,
    pub name: &'static str,
    pub part: Part,
    pub class: &'static str,
    pub option: Option<&'static str>,
}

pub fn leaf(
    id: &'static str,
    name: &'static str,
    part: Part,
    class: &'static str,
    option: Option<&'static str>,
) -> Leaf {
    Leaf { id, name, part, class, option }
}

/// How a part got its size, in English (`data-source` hooks and the CLI's words).
pub fn source_label(s: Source) -> &'static str {
    match s {
        Source::Configured => "configured",
        Source::Default => "default",
        Source::Derived => "derived",
        Source::ClampedToMin => "clamped to min",
        Source::ClampedToMax => "clamped to max",
    }
}

/// How a part got its size, in `lang`.
pub fn source_text(lang: Lang, s: Source) -> &'static str {
    match (lang, s) {
        (Lang::En, s) => source_label(s),
        (Lang::Zh, Source::Configured) => "已配置",
        (Lang::Zh, Source::Default) => "默认值",
        (Lang::Zh, Source::Derived) => "推导",
        (Lang::Zh, Source::ClampedToMin) => "钳制到下限",
        (Lang::Zh, Source::ClampedToMax) => "钳制到上限",
    }
}

pub fn source_class(s: Source) -> &'static str {
    match s {
        Source::Configured => "src-configured",
        Source::Default => "src-default",
        Source::Derived => "src-derived",
        Source::ClampedToMin | Source::ClampedToMax => "src-clamped",
    }
}

/// A proportional box: grows with its bytes (flex-grow values are relative to siblings, so
/// KiB keeps the numbers readable and every row fills its parent).
fn grow(bytes: u64, _total: u64) -> String {
    format!("flex-grow:{:.3};", bytes as f64 / 1024.0)
}

fn tile(l: &Leaf, total: u64, lang: Lang) -> impl IntoView {
    let name = flink_term(lang, l.name);
    let (size, bytes, source) = (human(l.part.bytes), l.part.bytes, source_text(lang, l.part.source));
    let title =
        tr!(lang, "{name}: {size} ({bytes} bytes) — {source}", "{name}：{size}（{bytes} 字节）— {source}");
    view! {
        <div class=format!("mm-leaf {} {}", l.class, source_class(l.part.source)) style=grow(l.part.bytes, total) title=title>
            <span class="mm-name">{name.clone()}</span>
            <span class="mm-size">{human(l.part.bytes)}</span>
        </div>
    }
}

fn group(name: String, class: &'static str, bytes: u64, total: u64, inner: Vec<AnyView>) -> AnyView {
    view! {
        <div class=format!("mm-group {class}") style=grow(bytes, total)>
            <div class="mm-label">
                <span>{name}</span>
                <b>{human(bytes)}</b>
            </div>
            <div class="mm-row">{inner}</div>
        </div>
    }
    .into_any()
}

/// Flink's memory model, drawn to scale.
pub fn diagram(leaves: &[Leaf], total_flink: u64, total: u64) -> AnyView {
    let lang = crate::lang::current();
    let term = |en: &str| flink_term(lang, en);
    let l = |id: &str| leaves.iter().find(|x| x.id == id).cloned().expect("known component");
    let is_tm = leaves.iter().any(|x| x.id == "taskHeap");
    let flink_inner: Vec<AnyView> = match is_tm {
        true => {
            let (fh, th, mg, fo, to, net) = (
                l("frameworkHeap"),
                l("taskHeap"),
                l("managedMemory"),
                l("frameworkOffHeap"),
                l("taskOffHeap"),
                l("networkMemory"),
            );
            let heap = fh.part.bytes + th.part.bytes;
            let direct = fo.part.bytes + to.part.bytes + net.part.bytes;
            vec![
                group(
                    term("JVM Heap"),
                    "g-heap",
                    heap,
                    total,
                    vec![tile(&fh, total, lang).into_any(), tile(&th, total, lang).into_any()],
                ),
                group(
                    term("Off-Heap Memory"),
                    "g-offheap",
                    mg.part.bytes + direct,
                    total,
                    vec![
                        tile(&mg, total, lang).into_any(),
                        group(
                            term("Direct Memory"),
                            "g-direct",
                            direct,
                            total,
                            vec![
                                tile(&fo, total, lang).into_any(),
                                tile(&to, total, lang).into_any(),
                                tile(&net, total, lang).into_any(),
                            ],
                        ),
                    ],
                ),
            ]
        }
        false => {
            vec![tile(&l("jvmHeap"), total, lang).into_any(), tile(&l("offHeap"), total, lang).into_any()]
        }
    };
    view! {
        <div class="mm" data-testid="memory-diagram" role="img" aria-label=tr!(lang, "Flink's memory model drawn to scale; the table lists the same values.", "按比例绘制的 Flink 内存模型；表格列出同样的数值。")>
            <div class="mm-group g-process">
                <div class="mm-label">
                    <span>{term("Total Process Memory")}</span>
                    <b data-testid="total-process">{human(total)}</b>
                </div>
                <div class="mm-row">
                    {group(term("Total Flink Memory"), "g-flink", total_flink, total, flink_inner)}
                    {tile(&l("jvmMetaspace"), total, lang)}
                    {tile(&l("jvmOverhead"), total, lang)}
                </div>
            </div>
        </div>
    }
    .into_any()
}

/// The leaves of a TaskManager as memlab derives it, each with the option that sets it.
pub fn tm_memory_leaves(m: &memlab_flink::taskmanager::TaskManagerMemory) -> Vec<Leaf> {
    use memlab_flink::options::tm;
    vec![
        leaf("frameworkHeap", "Framework Heap", m.framework_heap, "heap", Some(tm::FRAMEWORK_HEAP.key)),
        leaf("taskHeap", "Task Heap", m.task_heap, "heap", Some(tm::TASK_HEAP.key)),
        leaf("managedMemory", "Managed Memory", m.managed, "managed", Some(tm::MANAGED_SIZE.key)),
        leaf(
            "frameworkOffHeap",
            "Framework Off-Heap",
            m.framework_off_heap,
            "direct",
            Some(tm::FRAMEWORK_OFF_HEAP.key),
        ),
        leaf("taskOffHeap", "Task Off-Heap", m.task_off_heap, "direct", Some(tm::TASK_OFF_HEAP.key)),
        leaf("networkMemory", "Network", m.network, "network", Some(tm::NETWORK_FRACTION.key)),
        leaf("jvmMetaspace", "JVM Metaspace", m.jvm_metaspace, "meta", Some(tm::METASPACE.key)),
        leaf("jvmOverhead", "JVM Overhead", m.jvm_overhead, "overhead", Some(tm::OVERHEAD_FRACTION.key)),
    ]
}

/// The leaves of a TaskManager as its REST `memoryConfiguration` reports them.
pub fn tm_leaves(m: &MemoryConfiguration) -> Vec<Leaf> {
    let p = |b: u64| Part::new(b, Source::Derived);
    vec![
        leaf("frameworkHeap", "Framework Heap", p(m.framework_heap), "heap", None),
        leaf("taskHeap", "Task Heap", p(m.task_heap), "heap", None),
        leaf("managedMemory", "Managed Memory", p(m.managed_memory), "managed", None),
        leaf("frameworkOffHeap", "Framework Off-Heap", p(m.framework_off_heap), "direct", None),
        leaf("taskOffHeap", "Task Off-Heap", p(m.task_off_heap), "direct", None),
        leaf("networkMemory", "Network", p(m.network_memory), "network", None),
        leaf("jvmMetaspace", "JVM Metaspace", p(m.jvm_metaspace), "meta", None),
        leaf("jvmOverhead", "JVM Overhead", p(m.jvm_overhead), "overhead", None),
    ]
}

/// The leaves of a JobManager, as memlab derives them from its configuration, each with the
/// option that sets it.
pub fn jm_leaves(m: &memlab_flink::jobmanager::JobManagerMemory) -> Vec<Leaf> {
    use memlab_flink::options::jm;
    vec![
        leaf("jvmHeap", "JVM Heap", m.jvm_heap, "heap", Some(jm::HEAP.key)),
        leaf("offHeap", "Off-Heap", m.off_heap, "direct", Some(jm::OFF_HEAP.key)),
        leaf("jvmMetaspace", "JVM Metaspace", m.jvm_metaspace, "meta", Some(jm::METASPACE.key)),
        leaf("jvmOverhead", "JVM Overhead", m.jvm_overhead, "overhead", Some(jm::OVERHEAD_FRACTION.key)),
    ]
}
