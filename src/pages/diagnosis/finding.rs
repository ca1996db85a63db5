//! One finding as a card: its headline, explanation and facts in the reader's language, its
//! evidence chart, a link to the poll in the Live cluster page, and its advice (a verified
//! TaskManager change to apply, a JobManager change to open in the calculator, or why none).

use leptos::prelude::*;
use memlab_flink::diagnose::{Basis, Finding, PostMortem};
use memlab_size::human;
use memlab_text::tr;

use crate::components::evidence_chart::EvidenceChart;
use crate::components::rich::rich;
use crate::lang::flink_term;
use crate::nav::Router;
use crate::route::{Route, View};

/// The parts a change resizes, now and after.
pub(super) fn moved_table(rows: Vec<(&'static str, u64, u64)>, testid: &'static str) -> impl IntoView {
    let lang = crate::lang::current();
    view! {
        <table class="moved" data-testid=(!testid.is_empty()).then_some(testid)>
            <thead><tr><th>{tr!(lang, "part", "组成部分")}</th><th>{tr!(lang, "now", "现在")}</th><th>{tr!(lang, "after", "修改后")}</th></tr></thead>
            <tbody>{rows.into_iter().map(|(n, a, b)| view! {
                <tr><td>{flink_term(lang, n)}</td><td class="num">{human(a)}</td><td class="num">{human(b)}</td></tr>
            }).collect_view()}</tbody>
        </table>
    }
}

/// A finding's identity across re-diagnoses (live data changes the numbers, not this).
pub(super) fn key(f: &Finding) -> String {
    format!("{}|{}|{}", f.subject, f.kind.slug(), f.evidence.metric)
}

/// Clock time of `at_s` seconds after the session's first poll (`t0`, ms since the epoch),
/// in the reader's locale; or "+N s" when the session has no first poll.
pub(super) fn clock(t0: Option<u64>, at_s: f64) -> String {
    let lang = crate::lang::current();
    match t0 {
        Some(t0) => js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t0 as f64 + at_s * 1000.0))
            .to_locale_time_string(lang.tag())
            .as_string()
            .unwrap_or_default(),
        None => format!("+{}", lang.duration(at_s)),
    }
}

/// A post-mortem's cause (quoted or inferred) and the incident's timeline.
fn incident_view(pm: &PostMortem, t0: Option<u64>) -> impl IntoView {
    let lang = crate::lang::current();
    let (basis, how) = match &pm.basis {
        Basis::Quoted { .. } => {
            ("quoted", tr!(lang, "quoted from Flink's exception history", "引自 Flink 的异常历史"))
        }
        Basis::Inferred { .. } => (
            "inferred",
            tr!(
                lang,
                "inferred from the metrics (the dead process's own log is gone from the REST API)",
                "由指标推断（已死进程自己的日志已无法从 REST API 获取）"
            ),
        ),
    };
    view! {
        <div class="incident" data-testid="incident" data-cause=pm.cause.slug() data-basis=basis>
            <p><b>{tr!(lang, "Likely cause: ", "可能的原因：")}</b>{pm.cause.label_in(lang)}" "<span class=format!("basis {basis}")>{how}</span></p>
            <ol class="timeline" data-testid="incident-timeline">
                {pm.timeline.iter().map(|m| view! {
                    <li><time>{clock(t0, m.at_s)}</time>" "{rich(&m.what.in_lang(lang))}</li>
                }).collect_view()}
            </ol>
        </div>
    }
}

pub(super) fn finding_view(
    f: Finding,
    open: RwSignal<Vec<String>>,
    applied: RwSignal<Vec<String>>,
    cluster_config: Memo<Option<memlab_flink::FlinkConfig>>,
    t0: Option<u64>,
) -> impl IntoView {
    let k = key(&f);
    let lang = crate::lang::current();
    // A Prometheus window is read in steps, not polls.
    let by_steps = use_context::<crate::session::Session>()
        .is_some_and(|s| s.recording.with_untracked(|r| r.as_ref().is_some_and(|r| r.is_prometheus())));
    let (k1, k2, k3) = (k.clone(), k.clone(), k.clone());
    let is_open = Memo::new(move |_| open.with(|o| o.contains(&k1)));
    let evidence = f.evidence.clone();
    let at = f.evidence.to;
    let router = use_context::<Router>().expect("router");
    let to_cluster =
        move || router.route.with_untracked(|r| r.navigate(View::Cluster)).with("at", Some(&at.to_string()));
    let cluster_href = to_cluster().to_query();
    view! {
        <article class=format!("card finding sev-{}", f.severity.label()) data-testid="finding" data-kind=f.kind.slug() data-subject=f.subject.clone()>
            <header>
                <span class=format!("sev-badge sev-{}", f.severity.label())>{f.severity.label_in(lang)}</span>
                <h3>{f.kind.title_in(lang)}</h3>
                <code class="kind">{f.kind.slug()}</code>
            </header>
            <p class="headline" data-testid="finding-headline">{rich(&f.headline.in_lang(lang))}</p>
            <p class="muted">{rich(&f.explanation.in_lang(lang))}</p>
            <ul class="facts-list">{f.evidence.facts.iter().map(|x| view! { <li>{rich(&x.in_lang(lang))}</li> }).collect_view()}</ul>
            {f.postmortem.as_deref().map(|pm| incident_view(pm, t0))}
            <div class="finding-actions">
                <button data-testid="show-evidence" aria-expanded=move || is_open.get().to_string() on:click=move |_| open.update(|o| {
                    if let Some(i) = o.iter().position(|x| *x == k2) { o.remove(i); } else { o.push(k2.clone()); }
                })>{move || if is_open.get() { tr!(lang, "Hide evidence", "隐藏证据") } else { tr!(lang, "Show evidence", "查看证据") }}</button>
                <a href=cluster_href data-testid="evidence-link" on:click=move |ev| { ev.prevent_default(); router.push(to_cluster()); }>
                    {if by_steps {
                        tr!(lang, "Open in Live cluster at step {}", "在实时集群中打开第 {} 步", at + 1)
                    } else {
                        tr!(lang, "Open in Live cluster at poll {}", "在实时集群中打开第 {} 次轮询", at + 1)
                    }}
                </a>
            </div>
            {move || is_open.get().then(|| view! { <EvidenceChart evidence=evidence.clone()/> })}
            {f.recommendation().cloned().map(|rec| {
                let checked = move || applied.with(|a| a.contains(&k3));
                let k4 = k.clone();
                view! {
                    <div class="rec" data-testid="recommendation">
                        <p><b>{tr!(lang, "Change: ", "修改：")}</b>{rec.summary.in_lang(lang)}</p>
                        <pre class="code diff" data-testid="rec-diff">{rec.diff()}</pre>
                        {moved_table(rec.moved(), "")}
                        <p class="muted small">{match rec.process_delta {
                            0 => tr!(lang, "Total process memory stays the same.", "进程总内存保持不变。"),
                            d if d > 0 => tr!(lang, "The process grows by {}: no component here is idle enough to give the bytes.", "进程增大 {}：这里没有哪个组成部分闲到可以让出这些字节。", human(d as u64)),
                            d => tr!(lang, "The process shrinks by {}.", "进程缩小 {}。", human(d.unsigned_abs())),
                        }}</p>
                        <label class="apply">
                            <input type="checkbox" data-testid="apply" prop:checked=checked on:change=move |_| applied.update(|a| {
                                if let Some(i) = a.iter().position(|x| *x == k4) { a.remove(i); } else { a.push(k4.clone()); }
                            })/>
                            " "{tr!(lang, "Apply", "应用")}
                        </label>
                    </div>
                }
            })}
            {f.jm_recommendation().cloned().map(|rec| {
                let mut params = vec![("p".to_owned(), "jm".to_owned())];
                let mut config = cluster_config.get_untracked().unwrap_or_default();
                for c in &rec.changes {
                    config.set(&c.key, &c.to);
                }
                params.extend(config.entries().filter(|(k, _)| k.starts_with("jobmanager.memory.")).map(|(k, v)| (k.to_owned(), v.to_owned())));
                let calc = Route::default().navigate(View::Calculator).with_params(params);
                let href = calc.to_query();
                view! {
                    <div class="rec" data-testid="jm-recommendation">
                        <p><b>{tr!(lang, "Change: ", "修改：")}</b>{rec.summary.in_lang(lang)}</p>
                        <pre class="code diff">{rec.diff()}</pre>
                        {moved_table(rec.moved(), "")}
                        <a href=href data-testid="jm-open-calculator" on:click=move |ev| { ev.prevent_default(); router.push(calc.clone()); }>{tr!(lang, "Open the JobManager's new breakdown in the calculator", "在计算器中打开 JobManager 的新分解")}</a>
                    </div>
                }
            })}
            {f.no_recommendation().map(|w| w.in_lang(lang)).map(|w| view! { <p class="muted small" data-testid="no-recommendation">{tr!(lang, "No config change: {w}", "不改配置：{w}")}</p> })}
        </article>
    }
}
