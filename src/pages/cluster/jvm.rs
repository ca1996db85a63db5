//! What a JVM reports about itself at one poll, as tables: memory areas, buffers outside the
//! heap, collectors.

use leptos::prelude::*;
use memlab_flink::cluster::JvmDetail;
use memlab_size::human;

use crate::i18n::{t_string, use_i18n};
use crate::lang::flink_term;
use memlab_text::tr;

/// A figure of the JVM's, or a dash where the poll has none.
pub(super) fn figure(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.filter(|v| v.is_finite()).map_or_else(|| "–".to_owned(), f)
}

/// A table cell: the figure as text, and as the JVM reported it in `data-v`.
fn cell(v: Option<f64>, f: impl Fn(f64) -> String) -> impl IntoView {
    view! { <td data-v=v.map(|v| v.to_string())>{figure(v, f)}</td> }
}

fn bytes(v: Option<f64>) -> impl IntoView {
    cell(v, |v| human(v as u64))
}

fn count(v: Option<f64>) -> impl IntoView {
    cell(v, |v| format!("{v:.0}"))
}

/// One of the JVM details' tables: a caption, four column heads, its rows; nothing when
/// the poll has no row for it.
fn jvm_table(
    testid: &'static str,
    caption: &'static str,
    head: [&'static str; 4],
    rows: Vec<AnyView>,
) -> Option<AnyView> {
    (!rows.is_empty()).then(|| {
        view! {
            <table class="jvm-table" data-testid=testid>
                <caption>{caption}</caption>
                <thead><tr>{head.map(|h| view! { <th>{h}</th> })}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    })
}

/// What a TaskManager's JVM reports about itself at one poll: its memory areas, the
/// buffer pools outside the heap and each garbage collector, as three small tables (the
/// figures of Flink's TaskManager page, "Advanced").
#[component]
pub fn JvmTables(d: JvmDetail) -> impl IntoView {
    let i18n = use_i18n();
    let lang = crate::lang::current();
    let misc = [
        d.threads.map(|v| tr!(lang, "{v:.0} threads", "{v:.0} 个线程")),
        d.cpu_load.map(|v| tr!(lang, "CPU load {:.0}%", "CPU 负载 {:.0}%", v * 100.0)),
        d.classes_loaded.map(|v| tr!(lang, "{v:.0} classes loaded", "已加载 {v:.0} 个类")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let areas = d.areas.iter().map(|a| view! {
        <tr data-area=a.name><th>{flink_term(lang, a.name)}</th>{bytes(a.committed)}{bytes(a.used)}{bytes(a.max)}</tr>
    }.into_any());
    let buffers = d.buffers.iter().map(|b| view! {
        <tr data-pool=b.name><th>{flink_term(lang, b.name)}</th>{count(b.count)}{bytes(b.used)}{bytes(b.capacity)}</tr>
    }.into_any());
    let collectors = d.collectors.iter().map(|c| view! {
        <tr data-collector=c.name.clone()><th translate="no">{flink_term(lang, &c.name)}</th>{count(c.count)}{cell(c.ms_per_s, |v| format!("{v:.1}"))}{cell(c.total_ms, |v| format!("{:.1} s", v / 1000.0))}</tr>
    }.into_any());
    let (committed, used, max) = (
        t_string!(i18n, cluster.col_committed),
        t_string!(i18n, cluster.col_used),
        t_string!(i18n, cluster.col_max),
    );
    view! {
        {jvm_table("jvm-memory", t_string!(i18n, cluster.jvm_memory), ["", committed, used, max], areas.collect())}
        {jvm_table("jvm-buffers", t_string!(i18n, cluster.jvm_outside), ["", t_string!(i18n, cluster.col_count), used, t_string!(i18n, cluster.col_capacity)], buffers.collect())}
        {jvm_table("jvm-gc", t_string!(i18n, cluster.jvm_gc), [t_string!(i18n, cluster.col_collector), t_string!(i18n, cluster.col_collections), "ms/s", t_string!(i18n, cluster.col_gc_total)], collectors.collect())}
        {(!misc.is_empty()).then(|| view! { <p class="muted small" data-testid="jvm-misc">{misc}</p> })}
        {d.is_empty().then(|| view! {
            <p class="muted small" data-testid="jvm-none">{tr!(lang, "Flink reported no JVM figures at this poll.", "Flink 在这次轮询中没有报告 JVM 数据。")}</p>
        })}
    }
}
