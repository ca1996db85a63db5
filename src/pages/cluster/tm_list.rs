//! Every TaskManager of a large cluster in one list: a row each (its pools' fullness, GC,
//! findings, how old its readings are), searchable by id and sorted by risk, a pool or id.
//! Only the rows in view are in the page (a thousand TaskManagers cost a screenful of
//! rows); a row opens the TaskManager's card.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_flink::cluster::{self, Gauge, TmCard, TmOrder};
use memlab_flink::diagnose::Report;
use memlab_text::tr;

use super::tm_card::Cards;
use crate::lang::{flink_term, Lang};

/// A pool's maximum and middle figure over all TaskManagers, at every snapshot.
pub type SpreadSeries = (&'static str, Vec<f64>, Vec<f64>);

/// A row's height (px): fixed, so the rows in view follow from the scroll position.
pub const ROW_PX: f64 = 30.0;
/// The list's height (px).
const VIEW_PX: f64 = 420.0;
/// Rows drawn beyond the view on each side, so a quick scroll shows no gap.
const OVERSCAN: usize = 8;

/// Which rows (first, past-the-last) of `n` are drawn with the list scrolled to `top` px.
pub fn window(top: f64, n: usize) -> (usize, usize) {
    let first = ((top.max(0.0) / ROW_PX) as usize).saturating_sub(OVERSCAN).min(n);
    let last = (first + (VIEW_PX / ROW_PX).ceil() as usize + 2 * OVERSCAN).min(n);
    (first, last)
}

fn order_label(o: TmOrder, lang: Lang) -> String {
    match o {
        TmOrder::Risk => tr!(lang, "risk", "风险"),
        TmOrder::Heap => flink_term(lang, "JVM Heap"),
        TmOrder::Managed => flink_term(lang, "Managed Memory"),
        TmOrder::Network => tr!(lang, "network buffers", "网络缓冲区"),
        TmOrder::Metaspace => flink_term(lang, "JVM Metaspace"),
        TmOrder::Direct => flink_term(lang, "Direct Memory"),
        TmOrder::Gc => tr!(lang, "GC time", "GC 时间"),
        TmOrder::Id => "id".into(),
    }
}

fn spread_label(m: &str, lang: Lang) -> String {
    use memlab_flink::metrics as k;
    match m {
        k::HEAP_USED => tr!(lang, "{} used", "{} 已用", flink_term(lang, "JVM Heap")),
        k::MANAGED_USED => tr!(lang, "{} used", "{} 已用", flink_term(lang, "Managed Memory")),
        k::NETWORK_USED_SEGMENTS => tr!(lang, "network buffers used (segments)", "已用网络缓冲区（段）"),
        k::METASPACE_USED => tr!(lang, "{} used", "{} 已用", flink_term(lang, "JVM Metaspace")),
        k::DIRECT_USED => tr!(lang, "{} used", "{} 已用", flink_term(lang, "Direct Memory")),
        k::GC_MS_PER_S => tr!(lang, "GC time (ms/s)", "GC 时间（ms/s）"),
        other => other.to_owned(),
    }
}

fn spread_figure(m: &str, v: f64) -> String {
    use memlab_flink::metrics as k;
    match m {
        k::NETWORK_USED_SEGMENTS => format!("{v:.0}"),
        k::GC_MS_PER_S => format!("{v:.1}"),
        _ => memlab_size::human(v.max(0.0) as u64),
    }
}

fn pct(g: Option<Gauge>) -> impl IntoView {
    match g {
        Some(g) => {
            let p = g.ratio() * 100.0;
            let level = if p >= 90.0 {
                "hot"
            } else if p >= 70.0 {
                "warm"
            } else {
                "ok"
            };
            view! { <span class=format!("cell pct {level}") style=format!("--p:{p:.0}%")>{format!("{p:.0} %")}</span> }
                .into_any()
        }
        None => view! { <span class="cell pct muted">"–"</span> }.into_any(),
    }
}

#[component]
pub fn TmList(
    view_at: Memo<Cards>,
    report: Memo<Arc<Report>>,
    /// The time of the poll shown (ms), to say how old each row's readings are.
    now_t: Signal<u64>,
    /// Open a TaskManager's card.
    open: Callback<String>,
    /// The ids of the rows in view, for the poll plan to read first.
    in_view: RwSignal<Vec<String>>,
    /// Every TaskManager's pools at the poll shown, summarised ([`cluster::spread`]).
    spread: Memo<Vec<(&'static str, memlab_flink::snapshot::Spread)>>,
    /// Each pool's maximum and middle figure over all TaskManagers at every snapshot.
    spread_over_time: Memo<Vec<SpreadSeries>>,
) -> impl IntoView {
    let lang = crate::lang::current();
    let query = RwSignal::new(String::new());
    let order = RwSignal::new(TmOrder::Risk);
    let top = RwSignal::new(0.0f64);
    // The order of all matching rows, by id (recomputed when the poll, the findings, the
    // search or the order change; scrolling only moves the window over it).
    let ids = Memo::new(move |_| {
        let q = query.get();
        let o = order.get();
        report.with(|r| {
            view_at.with(|(cs, _)| {
                cluster::arrange(cs, &q, o, |id| r.risk(id))
                    .into_iter()
                    .map(|c| c.id.clone())
                    .collect::<Vec<_>>()
            })
        })
    });
    let total = Memo::new(move |_| view_at.with(|(cs, _)| cs.len()));
    let rows = Memo::new(move |_| {
        let (first, last) = ids.with(|v| window(top.get(), v.len()));
        let shown: Vec<String> = ids.with(|v| v[first..last].to_vec());
        (first, shown)
    });
    Effect::new(move |_| {
        let (first, shown) = rows.get();
        let top_px = top.get_untracked();
        // The rows actually on screen (not the overscan), most visible first.
        let skip = ((top_px / ROW_PX) as usize).saturating_sub(first);
        in_view.set(shown.into_iter().skip(skip).take((VIEW_PX / ROW_PX).ceil() as usize).collect());
    });
    let row = move |i: usize, id: String| {
        let c: Option<TmCard> = view_at.with(|(cs, _)| cs.iter().find(|c| c.id == id).cloned());
        let worst = report.with(|r| r.worst(&id).map(|s| (s.label(), r.count(&id))));
        let age = c.as_ref().and_then(|c| {
            let now = now_t.get_untracked();
            match c.read_t {
                _ if c.peak => Some(tr!(lang, "window peak", "窗口峰值")),
                0 => Some(tr!(lang, "not read yet", "尚未读取")),
                t if t < now => Some(lang.duration((now - t) as f64 / 1000.0)),
                _ => None,
            }
        });
        let open_id = id.clone();
        view! {
            <div class="tm-row" role="row" data-testid="tm-row" data-id=id.clone() style=format!("top:{}px", i as f64 * ROW_PX)
                tabindex="0" on:click=move |_| open.run(open_id.clone())
                on:keydown={ let id = id.clone(); move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { open.run(id.clone()) } }>
                <span class="cell id mono" translate="no" title=id.clone()>{id.clone()}</span>
                {pct(c.as_ref().and_then(|c| c.heap))}
                {pct(c.as_ref().and_then(|c| c.managed))}
                {pct(c.as_ref().and_then(|c| c.network))}
                {pct(c.as_ref().and_then(|c| c.metaspace))}
                {pct(c.as_ref().and_then(|c| c.direct))}
                <span class="cell num">{c.as_ref().and_then(|c| c.gc_ms_per_s).map(|g| format!("{g:.1}")).unwrap_or_else(|| "–".into())}</span>
                <span class="cell">{worst.map(|(sev, n)| view! { <span class=format!("sev-badge sev-{sev}") data-testid="tm-row-findings" data-severity=sev>{n}</span> })}</span>
                <span class="cell muted small" data-testid="tm-row-age">{age}</span>
            </div>
        }
    };
    view! {
        <div class="card tm-list" data-testid="tm-list">
            <div class="tm-list-head">
                <h3>{move || tr!(lang, "All TaskManagers ({})", "全部 TaskManager（{}）", total.get())}</h3>
                <input type="search" data-testid="tm-search" placeholder=tr!(lang, "search by id", "按 id 搜索") aria-label=tr!(lang, "search TaskManagers by id", "按 id 搜索 TaskManager")
                    prop:value=move || query.get() on:input=move |ev| { query.set(event_target_value(&ev)); top.set(0.0); }/>
                <label class="small">{tr!(lang, "sort by", "排序")}" "
                    <select data-testid="tm-sort" on:change=move |ev| if let Some(o) = TmOrder::from_slug(&event_target_value(&ev)) { order.set(o) }>
                        {TmOrder::ALL.into_iter().map(|o| view! { <option value=o.slug() selected=move || order.get() == o>{order_label(o, lang)}</option> }).collect_view()}
                    </select>
                </label>
                <span class="muted small" data-testid="tm-matches">{move || tr!(lang, "{} shown", "显示 {} 个", ids.with(Vec::len))}</span>
            </div>
            <table class="tm-spread" data-testid="tm-spread">
                <thead><tr><th>{tr!(lang, "over all TaskManagers", "全部 TaskManager")}</th><th>"min"</th><th>{tr!(lang, "median / mean", "中位数 / 均值")}</th><th>"max"</th><th>{tr!(lang, "max and median over time", "最大值与中位数随时间")}</th></tr></thead>
                <tbody>{move || spread.get().into_iter().map(|(m, x)| {
                    let f = move |v: f64| spread_figure(m, v);
                    view! {
                        <tr data-testid="tm-spread-row" data-metric=m>
                            <td>{spread_label(m, lang)}</td>
                            <td class="num">{f(x.min)}</td>
                            <td class="num">{x.mid().map(f).unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{f(x.max)}</td>
                            <td class="spread-chart">{spread_over_time.with(|all| all.iter().find(|(k, _, _)| *k == m).map(|(_, max, mid)| {
                                let top = max.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
                                view! {
                                    <svg viewBox="0 0 240 44" preserveAspectRatio="none" aria-hidden="true" data-testid="tm-spread-chart">
                                        <polyline class="max" points=crate::components::sparkline::points(max, top) fill="none" vector-effect="non-scaling-stroke"></polyline>
                                        <polyline class="mid" points=crate::components::sparkline::points(mid, top) fill="none" vector-effect="non-scaling-stroke"></polyline>
                                    </svg>
                                }
                            }))}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
            <div class="tm-row tm-row-head" role="row">
                <span class="cell id">"TaskManager"</span>
                {[TmOrder::Heap, TmOrder::Managed, TmOrder::Network, TmOrder::Metaspace, TmOrder::Direct, TmOrder::Gc].into_iter().map(|o| view! {
                    <button class="cell sort" class:active=move || order.get() == o on:click=move |_| order.set(o)>{order_label(o, lang)}</button>
                }).collect_view()}
                <span class="cell">{tr!(lang, "findings", "发现")}</span>
                <span class="cell">{tr!(lang, "read", "读取于")}</span>
            </div>
            <div class="tm-scroll" data-testid="tm-scroll" style=format!("height:{VIEW_PX}px")
                on:scroll=move |ev| top.set(event_target::<web_sys::Element>(&ev).scroll_top() as f64)>
                <div class="tm-rows" style=move || format!("height:{}px", ids.with(Vec::len) as f64 * ROW_PX)>
                    {move || { let (first, shown) = rows.get(); shown.into_iter().enumerate().map(|(k, id)| row(first + k, id)).collect_view() }}
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_rows_in_view_and_a_margin_are_drawn() {
        assert_eq!(window(0.0, 1000), (0, 30));
        let (first, last) = window(500.0 * ROW_PX, 1000);
        assert_eq!((first, last), (492, 522));
        assert_eq!(window(10_000.0 * ROW_PX, 1000), (1000, 1000));
        assert_eq!(window(0.0, 3), (0, 3));
    }
}
