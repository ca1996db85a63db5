//! A TaskManager's card: its pools used against configured at the poll shown, the pages of
//! managed and network memory, its charts over the session, its configured model and the
//! JVM's own figures. One card per TaskManager stays while the replay moves.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_flink::cluster::{self, Gauge, TmCard};
use memlab_flink::diagnose::Report;
use memlab_flink::recording::Snapshot;
use memlab_size::human;

use super::jvm::{figure, JvmTables};
use crate::components::memory_model::{diagram, tm_leaves};
use crate::components::page_grid::PageGrid;
use crate::components::sparkline::Sparkline;
use crate::i18n::{t, t_string, use_i18n};
use crate::lang::flink_term;
use crate::nav::Router;
use crate::tf;
use memlab_text::tr;

pub(super) fn bar(
    label: String,
    g: Signal<Option<Gauge>>,
    unit_bytes: bool,
    testid: &'static str,
) -> impl IntoView {
    let lang = crate::lang::current();
    let text = move || {
        g.get().map_or_else(
            || tr!(lang, "no data", "无数据"),
            |g| {
                if unit_bytes {
                    format!("{} / {}", human(g.used as u64), human(g.capacity as u64))
                } else {
                    let (used, cap) = (g.used as u64, g.capacity as u64);
                    tr!(lang, "{used} / {cap} segments", "{used} / {cap} 段")
                }
            },
        )
    };
    let pct = move || g.get().map(|g| g.ratio() * 100.0);
    let level = move || match pct() {
        Some(p) if p >= 90.0 => "bar hot",
        Some(p) if p >= 70.0 => "bar warm",
        _ => "bar ok",
    };
    view! {
        <div class="gauge" data-testid=testid data-used=move || g.get().map(|g| g.used.to_string()) data-capacity=move || g.get().map(|g| g.capacity.to_string())>
            <div class="gauge-head">
                <span>{label}</span>
                <span class="muted">{text}</span>
            </div>
            <div class=level>
                <span style=move || format!("width:{:.1}%", pct().unwrap_or(0.0))></span>
            </div>
        </div>
    }
}

/// A small chart of one TaskManager metric over the session.
#[allow(clippy::too_many_arguments)]
fn chart(
    snapshots: RwSignal<Arc<Vec<Snapshot>>>,
    index: Signal<usize>,
    id: &str,
    metric: &'static str,
    label: String,
    max: f64,
    class: &'static str,
    bytes: bool,
) -> impl IntoView {
    let id = id.to_owned();
    let values = Signal::derive(move || snapshots.with(|s| cluster::series(s, &id, metric)));
    let now = Signal::derive(move || {
        let v = values.with(|v| v.get(index.get()).copied());
        figure(v, |v| {
            if bytes {
                human(v as u64)
            } else if v.fract() != 0.0 && v.abs() < 100.0 {
                // A rate such as GC ms/s: 0.4 is not 0.
                format!("{v:.1}")
            } else {
                format!("{v:.0}")
            }
        })
    });
    view! { <Sparkline values=values max=Signal::derive(move || max) cursor=index label=label value_text=now class=class testid="tm-chart"/> }
}

/// Every TaskManager's card figures at the poll shown (`cluster::at`).
pub type Cards = (Vec<TmCard>, Vec<(String, u64)>);

#[component]
pub fn TmCardView(
    id: String,
    view_at: Memo<Cards>,
    snapshots: RwSignal<Arc<Vec<Snapshot>>>,
    index: Signal<usize>,
    report: Memo<Arc<Report>>,
    segment: RwSignal<u64>,
    /// The time of the poll shown (ms), to say when older readings were taken.
    now_t: Signal<u64>,
    /// A card opened from the list closes again.
    close: Option<Callback<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = crate::lang::current();
    let router = use_context::<Router>().expect("the shell provides the router");
    let id_for_memo = id.clone();
    let card = Memo::new(move |_| view_at.with(|(cs, _)| cs.iter().find(|c| c.id == id_for_memo).cloned()));
    let first = card.get_untracked();
    let g =
        move |f: fn(&TmCard) -> Option<Gauge>| Signal::derive(move || card.with(|c| c.as_ref().and_then(f)));
    let (heap, managed, network, metaspace, direct) =
        (g(|c| c.heap), g(|c| c.managed), g(|c| c.network), g(|c| c.metaspace), g(|c| c.direct));
    let cap = |x: Option<Gauge>| x.map(|g| g.capacity).unwrap_or(1.0);
    let id2 = id.clone();
    let heap_series = Signal::derive(move || {
        snapshots.with(|s| cluster::series(s, &id2, memlab_flink::metrics::HEAP_USED))
    });
    let mem = first.as_ref().and_then(|c| c.memory);
    let mismatch = first.as_ref().and_then(|c| c.config_mismatch.clone());
    let (heap_cap, managed_cap, network_cap, meta_cap, direct_cap) = (
        cap(heap.get_untracked()),
        cap(managed.get_untracked()),
        cap(network.get_untracked()),
        cap(metaspace.get_untracked()),
        cap(direct.get_untracked()),
    );
    let header = move || {
        card.with(|c| {
            c.as_ref()
                .map(|c| {
                    tf!(
                        i18n,
                        cluster.tm_header,
                        slots = c.slots,
                        free = c.free_slots,
                        gc = c.gc_ms_per_s.map(|g| format!(" · GC {g:.1} ms/s")).unwrap_or_default()
                    )
                })
                .unwrap_or_default()
        })
    };
    view! {
        <article class="card tm-card" data-testid="tm-card" data-id=id.clone()>
            <header>
                <h3 class="mono" translate="no">{id.clone()}</h3>
                <span class="muted small">{header}</span>
                {
                    let id = id.clone();
                    let to_diagnosis = move || router.route.with_untracked(|r| r.navigate(crate::route::View::Diagnosis));
                    move || report.with(|r| r.worst(&id).map(|sev| {
                        let n = r.count(&id);
                        view! {
                            <a class=format!("sev-badge sev-{}", sev.label()) data-testid="tm-findings" data-severity=sev.label()
                                href=to_diagnosis().to_query()
                                on:click=move |ev| { ev.prevent_default(); router.push(to_diagnosis()); }
                                title=t_string!(i18n, cluster.open_diagnosis)>
                                {if n == 1 { t_string!(i18n, cluster.one_finding).to_owned() } else { tf!(i18n, cluster.findings, n = n) }}
                            </a>
                        }
                    }))
                }
            </header>
            {close.map(|close| { let id = id.clone(); view! {
                <button class="card-close" data-testid="tm-card-close" title=tr!(lang, "close", "关闭") on:click=move |_| close.run(id.clone())>"×"</button>
            } })}
            {move || card.with(|c| {
                let (read, now) = (c.as_ref().map_or(0, |c| c.read_t), now_t.get());
                let peak = c.as_ref().is_some_and(|c| c.peak);
                (read < now).then(|| view! {
                    <p class="muted small" data-testid="tm-card-age" data-peak=peak.to_string()>{if peak {
                        tr!(lang, "Peaks over the window: Prometheus ranked this TaskManager below the riskiest, whose full series were read.", "窗口内的峰值：Prometheus 的排名中这个 TaskManager 不在风险最高之列，只有后者读取了完整序列。")
                    } else if read == 0 {
                        tr!(lang, "Not read yet: a large cluster's poll reads a few TaskManagers at a time.", "尚未读取：大集群的每次轮询只读取部分 TaskManager。")
                    } else {
                        tr!(lang, "Readings from {} before the poll shown (a large cluster's poll reads a few TaskManagers at a time).", "读数来自所示轮询之前 {}（大集群的每次轮询只读取部分 TaskManager）。", lang.duration((now - read) as f64 / 1000.0))
                    }}</p>
                })
            })}
            {mismatch.map(|m| view! { <p class="warn small" data-testid="config-mismatch">{m}</p> })}
            {bar(flink_term(lang, "JVM Heap"), heap, true, "gauge-heap")}
            {bar(flink_term(lang, "Managed Memory"), managed, true, "gauge-managed")}
            {bar(t_string!(i18n, cluster.network_buffers).to_owned(), network, false, "gauge-network")}
            <PageGrid
                used=Signal::derive(move || managed.get().map_or(0, |g| (g.used / segment.get() as f64).ceil() as u64))
                total=Signal::derive(move || managed.get().map_or(0, |g| (g.capacity / segment.get() as f64) as u64))
                label=tf!(i18n, cluster.managed_pages, size = human(segment.get_untracked()))
                testid="managed-pages"
            />
            <PageGrid
                used=Signal::derive(move || network.get().map_or(0, |g| g.used as u64))
                total=Signal::derive(move || network.get().map_or(0, |g| g.capacity as u64))
                label=t_string!(i18n, cluster.network_pages).to_owned()
                testid="network-pages"
            />
            {bar(flink_term(lang, "JVM Metaspace"), metaspace, true, "gauge-metaspace")}
            {bar(flink_term(lang, "Direct Memory"), direct, true, "gauge-direct")}
            <Sparkline values=heap_series max=Signal::derive(move || heap_cap) cursor=index label=t_string!(i18n, cluster.heap_over_session) value_text=Signal::derive(move || heap.get().map(|g| human(g.used as u64)).unwrap_or_default()) class="live" testid="tm-heap-chart"/>
            {chart(snapshots, index, &id, memlab_flink::metrics::GC_MS_PER_S, t_string!(i18n, cluster.gc_time).to_owned(), 1000.0, "fail", false)}
            {chart(snapshots, index, &id, memlab_flink::metrics::MANAGED_USED, t_string!(i18n, cluster.managed_used).to_owned(), managed_cap, "free", true)}
            {chart(snapshots, index, &id, memlab_flink::metrics::NETWORK_USED_SEGMENTS, t_string!(i18n, cluster.network_used).to_owned(), network_cap, "unref", false)}
            {chart(snapshots, index, &id, memlab_flink::metrics::METASPACE_USED, t_string!(i18n, cluster.metaspace_used).to_owned(), meta_cap, "live", true)}
            {chart(snapshots, index, &id, memlab_flink::metrics::DIRECT_USED, t_string!(i18n, cluster.direct_used).to_owned(), direct_cap, "unref", true)}
            {mem.map(|m| diagram(&tm_leaves(&m), m.total_flink_memory, m.total_process_memory))}
            {mem.map(|m| view! {
                <p class="muted small" data-testid="tm-config">
                    {tf!(i18n, cluster.configured, process = human(m.total_process_memory), flink = human(m.total_flink_memory), heap = human(m.framework_heap + m.task_heap), managed = human(m.managed_memory), network = human(m.network_memory))}
                </p>
            })}
            // Always there, though a fresh TaskManager's first polls have no figures yet:
            // the summary stays put across polls (an open section stays open) and the
            // tables follow the poll shown.
            <details class="tm-advanced" data-testid="tm-advanced">
                <summary>{t!(i18n, cluster.jvm_details)}</summary>
                {move || card.with(|c| c.as_ref().map(|c| view! { <JvmTables d=c.jvm.clone()/> }))}
            </details>
        </article>
    }
}
