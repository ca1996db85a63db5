//! Diagnosis: the findings of [`memlab_flink::diagnose`] for the session the Live cluster
//! page holds (a live connection keeps updating them) or a recording opened here — ranked by
//! severity per process, each with its evidence chart and, where config can help, a
//! `config.yaml` change checked by the calculator. Applied changes combine into one
//! before/after breakdown and a config.yaml to download.

use leptos::prelude::*;
use memlab_text::tr;

use crate::lang::Lang;
use memlab_flink::diagnose::{self, alerts, recommend, Finding, Severity};
use memlab_size::MemorySize;

use crate::components::download::download;
use crate::components::memory_model::{diagram, tm_memory_leaves};
use crate::nav::Router;
use crate::route::{Route, View};
use crate::session::{Session, Source, BUNDLED, DIAGNOSIS_RECORDINGS, POSTMORTEM_RECORDINGS};
use crate::state::cluster::{DiagnosisState, Open};

mod finding;
mod pool_findings;
mod tune;

use finding::{finding_view, key, moved_table};
use pool_findings::allocator_section;

fn parse_limit(text: &str, lang: Lang) -> Result<Option<u64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    MemorySize::parse(t)
        .map(|m| Some(m.bytes()))
        .map_err(|e| tr!(lang, "container limit '{t}': {e}", "容器限制 '{t}'：{e}"))
}

#[component]
pub fn DiagnosisPage() -> impl IntoView {
    let router = use_context::<Router>().expect("the shell provides the router");
    let lang = crate::lang::current();
    let session = expect_context::<Session>();
    let start = router.route.get_untracked();
    let dstate = RwSignal::new(DiagnosisState::from_route(&start));
    let limit_text = RwSignal::new(dstate.with_untracked(|s| s.container.clone()));
    let limit = Memo::new(move |_| limit_text.with(|t| parse_limit(t, lang)));
    let open = RwSignal::new(Vec::<String>::new());
    let applied = RwSignal::new(Vec::<String>::new());

    // `?recording=URL` opens a recording, `?cluster=URL` connects (unless the session
    // already holds it, e.g. when coming from the Live cluster page).
    session.open_from_route(&start);
    let open_recording = move |u: &str| {
        applied.set(Vec::new());
        open.set(Vec::new());
        router.replace(Open::Recording(u.to_owned()).to_route(router.route.get_untracked()));
        session.open_url(u.to_owned());
    };

    // The container limit is the session's: the Live cluster page's badges count it too.
    Effect::new(move |_| {
        let l = limit.with(|l| l.clone().ok().flatten());
        if session.container_limit.get_untracked() != l {
            session.container_limit.set(l);
        }
    });
    let report = session.report;
    let cluster_config = Memo::new(move |_| {
        session.snapshots.with(|s| s.iter().rev().find_map(|x| x.jobmanager_config.clone()))
    });

    let status = move || {
        match session.source.get() {
        Source::None => tr!(lang, "Open a recording below, or connect to a cluster on the Live cluster page: its session is diagnosed here, and live data updates the findings with every poll.", "打开下面的某个录制，或在“实时集群”页面连接一个集群：它的会话会在这里诊断，实时数据每轮询一次就更新一次结果。"),
        Source::Live(u) => tr!(lang, "Live session with {u}: {} polls — the findings update with every poll.", "与 {u} 的实时会话：已轮询 {} 次——每次轮询都会更新诊断结果。", session.snapshots.with(|s| s.len())),
        Source::Prometheus(u) => session.prometheus_status(&u, lang),
        Source::File(l) => tr!(lang, "{l}: {} polls over {}", "{l}：{1} 内轮询 {0} 次", session.snapshots.with(|s| s.len()), lang.duration(report.with(|r| r.span_s))),
    }
    };

    let summary = move || {
        report.with(|r| {
            let n = |s: Severity| r.findings.iter().filter(|f| f.severity == s).count();
            if r.polls == 0 {
                String::new()
            } else if r.findings.is_empty() {
                tr!(lang, "No findings on {} process(es).", "{} 个进程均无发现。", r.subjects.len())
            } else {
                tr!(
                    lang,
                    "{} finding(s) on {} process(es): {} critical, {} warning(s), {} info.",
                    "{1} 个进程共 {0} 项发现：严重 {2} 项，警告 {3} 项，提示 {4} 项。",
                    r.findings.len(),
                    r.subjects.len(),
                    n(Severity::Critical),
                    n(Severity::Warning),
                    n(Severity::Info)
                )
            }
        })
    };

    // The applied recommendations of each process, combined on that process's base config.
    let applied_view = move || {
        let keys = applied.get();
        if keys.is_empty() {
            return None;
        }
        let r = report.get();
        let cfg = cluster_config.get();
        let snaps = session.snapshots.get();
        // TaskManagers that run the same configuration share one panel (one config.yaml).
        let mut groups: Vec<(recommend::Base, Vec<String>)> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for f in r.findings.iter().filter(|f| keys.contains(&key(f)) && f.recommendation().is_some()) {
            if groups.iter().any(|(_, s)| s.contains(&f.subject)) || unknown.contains(&f.subject) {
                continue;
            }
            let mem = snaps
                .iter()
                .rev()
                .find_map(|s| s.taskmanagers.iter().find(|t| t.id == f.subject).and_then(|t| t.memory));
            match mem.and_then(|m| recommend::base(cfg.as_ref(), &m)) {
                Some(base) => match groups.iter_mut().find(|(b, _)| *b == base) {
                    Some((_, subjects)) => subjects.push(f.subject.clone()),
                    None => groups.push((base, vec![f.subject.clone()])),
                },
                None => unknown.push(f.subject.clone()),
            }
        }
        let unknown_view = unknown
            .into_iter()
            .map(|subject| view! { <p class="warn">{tr!(lang, "{subject}: its configuration is unknown", "{subject}：配置未知")}</p> })
            .collect_view();
        Some((unknown_view, groups.into_iter().map(|(base, subjects)| {
            // Each change once: the same recommendation on several TaskManagers is one change.
            let mut recs: Vec<&recommend::Recommendation> = Vec::new();
            for rec in r.findings.iter()
                .filter(|f| subjects.contains(&f.subject) && keys.contains(&key(f)))
                .filter_map(|f| f.recommendation())
            {
                if !recs.iter().any(|x| x.changes == rec.changes) {
                    recs.push(rec);
                }
            }
            let subject = if subjects.len() == 1 {
                subjects[0].clone()
            } else {
                tr!(lang, "{} TaskManagers with the same configuration", "配置相同的 {} 个 TaskManager", subjects.len())
            };
            match recommend::combine(&base, diagnose::Text::Empty, &recs) {
                Ok(all) => {
                    let yaml = recommend::config_yaml(&base, &recs);
                    let yaml2 = yaml.clone();
                    let mut params = vec![("p".to_owned(), "tm".to_owned())];
                    if let Ok(c) = memlab_flink::FlinkConfig::from_yaml(&yaml) {
                        params.extend(c.entries().map(|(k, v)| (k.to_owned(), v.to_owned())));
                    }
                    let calc = Route::default().navigate(View::Calculator).with_params(params);
                    let calc_href = calc.to_query();
                    view! {
                        <section class="card applied" data-testid="applied" data-subject=subject.clone()>
                            <h2>{tr!(lang, "With {} change(s) applied — {subject}", "应用 {} 项修改后——{subject}", recs.len())}</h2>
                            <div class="before-after">
                                <div data-testid="before-model">
                                    <h3>{tr!(lang, "Now", "现在")}</h3>
                                    {diagram(&tm_memory_leaves(&all.before), all.before.total_flink(), all.before.total_process())}
                                </div>
                                <div data-testid="after-model">
                                    <h3>{tr!(lang, "After", "修改后")}</h3>
                                    {diagram(&tm_memory_leaves(&all.after), all.after.total_flink(), all.after.total_process())}
                                </div>
                            </div>
                            {moved_table(all.moved(), "applied-moved")}
                            <pre class="code" data-testid="applied-yaml">{yaml}</pre>
                            <div class="finding-actions">
                                <button class="primary" data-testid="export-config" on:click=move |_| download("config.yaml", "application/yaml", &yaml2)>{tr!(lang, "Download config.yaml", "下载 config.yaml")}</button>
                                <a href=calc_href.clone() data-testid="open-calculator" on:click=move |ev| { ev.prevent_default(); router.push(calc.clone()); }>{tr!(lang, "Open in the calculator", "在计算器中打开")}</a>
                            </div>
                        </section>
                    }.into_any()
                }
                Err(e) => view! { <p class="banner error" data-testid="applied-error">{tr!(lang, "{subject}: these changes together are not valid: {e}", "{subject}：这些修改合在一起无效：{e}")}</p> }.into_any(),
            }
        }).collect_view()))
    };

    view! {
        <section class="diagnosis">
            <header class="page-head">
                <div>
                    <h1>{tr!(lang, "Diagnosis", "诊断")}</h1>
                    <p class="muted">{tr!(lang, "What killed a TaskManager or failed a job, then leaks, out-of-memory risk, GC pressure, network-buffer and managed-memory problems found in live or recorded metrics — each with its evidence and a config.yaml change checked by memlab's Flink calculator.", "是什么杀死了 TaskManager 或让作业失败；然后是从实时或录制的指标中找出的泄漏、内存不足风险、GC 压力、网络缓冲区和托管内存问题——每一项都附有证据，以及经 memlab 的 Flink 计算器验证过的 config.yaml 修改。")}</p>
                </div>
            </header>
            <div class="card source-bar">
                <div class="source-actions">
                    // The examples, then the real failures (after a label).
                    {DIAGNOSIS_RECORDINGS.iter().map(|r| (false, r)).chain(POSTMORTEM_RECORDINGS.iter().enumerate().map(|(i, r)| (i == 0, r))).map(|(label, (u, what, what_zh))| {
                        let name = u.rsplit('/').next().unwrap_or(u).trim_end_matches(".memlab.json");
                        let title = if lang == Lang::Zh { *what_zh } else { *what };
                        view! {
                            {label.then(|| view! { <span class="muted small">{tr!(lang, "failures:", "故障：")}</span> })}
                            <button data-testid=format!("open-{name}") title=title translate="no" on:click=move |_| open_recording(u)>{name.to_owned()}</button>
                        }
                    }).collect_view()}
                    <button data-testid="open-bundled" translate="no" on:click=move |_| open_recording(BUNDLED)>"local-2tm"</button>
                    <label class="file-button">
                        {tr!(lang, "Import recording", "导入录制")}
                        <input type="file" accept=".json,.txt,application/json,text/plain" data-testid="diagnosis-import" on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            if let Some(f) = input.files().and_then(|l| l.get(0)) { applied.set(Vec::new()); session.open_file(f); }
                        }/>
                    </label>
                    <label class="speed">
                        {tr!(lang, "container limit ", "容器限制 ")}
                        <input class="limit-input" data-testid="container-limit" placeholder=tr!(lang, "e.g. 2g", "例如 2g") prop:value=move || limit_text.get() on:input=move |ev| {
                            let v = event_target_value(&ev);
                            dstate.update(|s| s.container = v.clone());
                            router.replace(dstate.get_untracked().to_route(router.route.get_untracked()));
                            limit_text.set(v);
                        }/>
                    </label>
                </div>
                <p class="status" data-testid="diagnosis-status">{status}</p>
                {move || session.loading.get().map(|l| view! { <p class="status loading" role="status">{l}</p> })}
                {move || limit.get().err().map(|e| view! { <p class="warn small" data-testid="limit-error">{e}</p> })}
            </div>
            {move || session.problem.get().map(|p| view! { <p class="banner error" role="alert" data-testid="diagnosis-error">{crate::components::rich::rich(&p)}</p> })}
            {move || (report.with(|r| r.polls) > 0).then(|| view! {
                <div class="card diag-summary">
                    <p data-testid="diagnosis-summary"><b>{summary}</b></p>
                    <div class="finding-actions">
                        <button data-testid="export-findings" on:click=move |_| download("findings.json", "application/json", &serde_json::to_string_pretty(&report.get_untracked().in_lang(lang)).unwrap_or_default())>{tr!(lang, "Findings (JSON)", "诊断结果 (JSON)")}</button>
                        <button data-testid="export-rules" on:click=move |_| {
                            let mem = session.snapshots.with_untracked(|s| s.iter().rev().find_map(|x| x.taskmanagers.iter().find_map(|t| t.memory)));
                            download("memlab-alerts.yaml", "application/yaml", &alerts::rules(
                                mem.map(|m| m.framework_off_heap + m.task_off_heap + m.network_memory),
                                mem.map(|m| m.jvm_metaspace),
                            ));
                        }>{tr!(lang, "Prometheus alert rules", "Prometheus 告警规则")}</button>
                        <a href="#tune" data-testid="goto-tune" on:click=move |ev| {
                            ev.prevent_default();
                            if let Some(el) = document().get_element_by_id("tune") { el.scroll_into_view(); }
                        }>{tr!(lang, "Tune the whole configuration ↓", "调优整份配置 ↓")}</a>
                        <span class="muted small">{tr!(lang, "Same report on the command line: ", "命令行中的同一份报告：")}<code>"memlab diagnose FILE.memlab.json"</code></span>
                    </div>
                </div>
            })}
            {applied_view}
            {move || {
                // What failed comes first: lost TaskManagers, failed and restarted jobs.
                let r = report.get();
                let t0 = session.snapshots.with(|s| s.first().map(|x| x.t));
                let failed: Vec<Finding> = r.postmortems().cloned().collect();
                (!failed.is_empty()).then(|| view! {
                    <section class="subject postmortem" data-testid="postmortem">
                        <h2>{tr!(lang, "What failed", "发生了什么故障")}" "<span class="muted small">{tr!(lang, "{} incident(s)", "{} 起事件", failed.len())}</span></h2>
                        {failed.into_iter().map(|f| {
                            let about = match r.job(&f.subject) {
                                Some(j) => tr!(lang, "Job {} ({})", "作业 {}（{}）", j.name, j.id),
                                None => format!("TaskManager {}", f.subject),
                            };
                            view! {
                                <p class="muted small about" translate="no">{about}</p>
                                {finding_view(f, open, applied, cluster_config, t0)}
                            }
                        }).collect_view()}
                    </section>
                })
            }}
            {move || {
                let r = report.get();
                let t0 = session.snapshots.with(|s| s.first().map(|x| x.t));
                r.subjects_by_risk().into_iter().map(|subject| {
                    // (Post-mortem findings are shown above.)
                    let findings: Vec<Finding> = r.findings.iter().filter(|f| f.subject == subject && !f.kind.is_postmortem()).cloned().collect();
                    let pending: Vec<_> = r.pending.iter().filter(|p| p.subject == subject).cloned().collect();
                    let title = if subject == "jobmanager" { "JobManager".to_owned() } else { format!("TaskManager {subject}") };
                    let above = r.findings.iter().filter(|f| f.subject == subject && f.kind.is_postmortem()).count();
                    let count = match (findings.len(), above) {
                        (0, 0) => tr!(lang, "no findings", "无发现"),
                        (0, _) => tr!(lang, "lost: see What failed above", "已丢失：见上面的“发生了什么故障”"),
                        (n, _) => tr!(lang, "{} finding(s)", "{} 项发现", n),
                    };
                    view! {
                        <section class="subject" data-testid="subject" data-subject=subject.clone()>
                            <h2>{title}" "<span class="muted small">{count}</span></h2>
                            {findings.into_iter().map(|f| finding_view(f, open, applied, cluster_config, t0)).collect_view()}
                            {(!pending.is_empty()).then(|| view! {
                                <details class="pending" data-testid="pending">
                                    <summary>{tr!(lang, "{} check(s) not decided yet", "{} 项检查尚无定论", pending.len())}</summary>
                                    <ul>{pending.into_iter().map(|p| view! { <li><code>{p.kind.slug()}</code>" — "{p.message.in_lang(lang)}</li> }).collect_view()}</ul>
                                </details>
                            })}
                        </section>
                    }
                }).collect_view()
            }}
            <tune::TuneSection state=dstate/>
            {allocator_section()}
        </section>
    }
}
