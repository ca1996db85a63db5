//! Tune: one right-sized TaskManager configuration for the session ([`memlab_flink::tune`]),
//! drawn before and after to scale, each number with its reason, the Flink Kubernetes
//! Operator's choice beside it, downloads and a link into the calculator. Computed only
//! while the section is open (a thousand TaskManagers' series are not read for nothing).

use leptos::prelude::*;
use memlab_flink::tune::{self, render, Group, Tuning};
use memlab_size::human;
use memlab_text::tr;

use crate::components::download::download;
use crate::components::memory_model::{diagram, tm_memory_leaves};
use crate::nav::Router;
use crate::route::{Route, View};
use crate::session::Session;
use crate::state::cluster::DiagnosisState;

/// The headroom as typed (`0.3`, `30%`, empty for the default), or what is wrong with it.
pub fn parse_headroom(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(tune::Options::default().headroom);
    }
    let (num, pct) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let v = num.parse::<f64>().map_err(|_| format!("'{t}'"))?;
    let v = if pct { v / 100.0 } else { v };
    if (0.0..=4.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("'{t}'"))
    }
}

#[component]
pub fn TuneSection(state: RwSignal<DiagnosisState>) -> impl IntoView {
    let lang = crate::lang::current();
    let router = use_context::<Router>().expect("the shell provides the router");
    let session = expect_context::<Session>();
    let set = move |f: &dyn Fn(&mut DiagnosisState)| {
        state.update(|s| f(s));
        router.replace(state.get_untracked().to_route(router.route.get_untracked()));
    };
    let headroom = Memo::new(move |_| state.with(|s| parse_headroom(&s.headroom)));
    let tuning = Memo::new(move |_| {
        // Nothing to tune before the session has data (a window still loading, a first poll).
        if !state.with(|s| s.tune) || session.snapshots.with(|s| s.is_empty()) {
            return None;
        }
        let h = headroom.get().ok()?;
        let opts = tune::Options {
            headroom: h,
            shrink: state.with(|s| s.shrink),
            container_limit: session.container_limit.get(),
        };
        let report = session.report.get();
        let usage = session.usage();
        Some(session.snapshots.with(|snaps| tune::tune_with(snaps, &usage, &report, &opts)))
    });
    let has_data = move || session.snapshots.with(|s| !s.is_empty());
    view! {
        <section class="card tune" id="tune" data-testid="tune">
            <div class="tune-head">
                <h2>{tr!(lang, "Tune", "调优")}</h2>
                <p class="muted small">{tr!(lang, "One TaskManager memory configuration from what the cluster really used: heap from the live set after collections, metaspace from its peak, managed memory kept or released, network from the job graph, overhead from the native memory — checked by the calculator, beside what the Flink Kubernetes Operator's memory tuning would set.", "根据集群的实际用量给出一份 TaskManager 内存配置：堆按 GC 之后的存活集，元空间按峰值，托管内存保留或释放，网络内存按作业图，开销按原生内存——经计算器验证，并与 Flink Kubernetes Operator 的内存调优结果并列。")}</p>
                <div class="tune-controls">
                    <label>{tr!(lang, "headroom ", "余量 ")}
                        <input class="limit-input" data-testid="tune-headroom" placeholder="0.2" prop:value=move || state.with(|s| s.headroom.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); set(&|s| s.headroom = v.clone()); }/>
                    </label>
                    <label><input type="checkbox" data-testid="tune-shrink" prop:checked=move || state.with(|s| s.shrink)
                        on:change=move |ev| { let on = event_target_checked(&ev); set(&|s| s.shrink = on); }/>
                        {tr!(lang, " smallest process that fits", " 能容纳的最小进程")}</label>
                    {move || (!state.with(|s| s.tune)).then(|| view! {
                        <button class="primary" data-testid="tune-run" disabled=move || !has_data() on:click=move |_| set(&|s| s.tune = true)>
                            {tr!(lang, "Tune this cluster", "为该集群调优")}
                        </button>
                    })}
                    <span class="muted small">{tr!(lang, "Same on the command line: ", "命令行中：")}<code>"memlab tune FILE.memlab.json"</code></span>
                </div>
                {move || headroom.get().err().map(|t| view! { <p class="warn small" data-testid="tune-headroom-error">{tr!(lang, "headroom {t}: give a share such as 0.2 or 20%, between 0 and 4", "余量 {t}：请给出 0.2 或 20% 这样的比例，介于 0 与 4 之间")}</p> })}
            </div>
            {move || (state.with(|s| s.tune) && !has_data()).then(|| view! {
                <p class="muted small" data-testid="tune-waiting">{tr!(lang, "Tuning starts when the session has data: open a recording, or wait for the first poll.", "会话有数据后开始调优：请打开一个录制，或等待第一次轮询。")}</p>
            })}
            {move || tuning.get().map(|t| tuning_view(t, router))}
        </section>
    }
}

fn tuning_view(t: Tuning, router: Router) -> AnyView {
    let lang = crate::lang::current();
    if let Some(why) = &t.refused {
        return view! { <p class="banner warn" role="status" data-testid="tune-refused">{why.in_lang(lang)}</p> }.into_any();
    }
    let json = serde_json::to_string_pretty(&render::json("memlab", &t, lang)).unwrap_or_default();
    let total = (t.groups.len() > 1).then(|| {
        view! { <p data-testid="tune-cluster-saving"><b>{tr!(lang, "The cluster: {}", "整个集群：{}", render::saving(t.saved_total(), lang))}</b></p> }
    });
    let jm = t
        .jobmanager
        .iter()
        .map(|r| {
            view! {
                <div class="tune-jm" data-testid="tune-jobmanager">
                    <h3>{tr!(lang, "JobManager", "JobManager")}</h3>
                    <p>{r.summary.in_lang(lang)}</p>
                    <pre class="code">{r.diff()}</pre>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="tune-result" data-testid="tune-result">
            {t.groups.into_iter().map(|g| group_view(g, router)).collect_view()}
            {total}
            {jm}
            <div class="finding-actions">
                <button data-testid="tune-export-json" on:click=move |_| download("memlab-tune.json", "application/json", &json)>{tr!(lang, "Tuning (JSON)", "调优结果 (JSON)")}</button>
            </div>
        </div>
    }
    .into_any()
}

fn group_view(g: Group, router: Router) -> impl IntoView {
    let lang = crate::lang::current();
    let (before, after) = (g.base.memory.clone(), g.after.clone());
    let widest = before.total_process().max(after.total_process()).max(1) as f64;
    let width = |b: u64| format!("width: {:.1}%", b as f64 / widest * 100.0);
    let operator = g.operator.clone();
    let op_mem = operator.as_ref().ok().map(|(_, m)| m.clone());
    let yaml = g.config_yaml();
    let (yaml_dl, k8s) = (yaml.clone(), g.k8s());
    let mut params = vec![("p".to_owned(), "tm".to_owned())];
    params.extend(g.config.entries().map(|(k, v)| (k.to_owned(), v.to_owned())));
    let calc = Route::default().navigate(View::Calculator).with_params(params);
    let calc_href = calc.to_query();
    let n = g.members.len();
    let headline = render::headline(&g, lang);
    let rows = g.parts.iter().map(|p| {
        let theirs = op_mem.as_ref().map_or("—".to_owned(), |m| human(render::part_bytes(m, p.part)));
        let moved = if p.after < p.before { "down" } else if p.after > p.before { "up" } else { "same" };
        view! {
            <tr data-testid="tune-part" data-part=format!("{:?}", p.part).to_lowercase() data-before=p.before data-after=p.after>
                <td>{p.part.label(lang)}</td>
                <td class="num">{human(p.before)}</td>
                <td class=format!("num {moved}")><b>{human(p.after)}</b></td>
                <td class="num muted">{theirs}</td>
                <td class="why">{p.reason.in_lang(lang)}</td>
            </tr>
        }
    }).collect_view();
    let op_total = op_mem.as_ref().map_or("—".to_owned(), |m| human(m.total_process()));
    let operator_view = match operator {
        Ok((changes, m)) => {
            let diffs = render::differences(&g, &m, lang);
            view! {
                <details class="tune-operator" data-testid="tune-operator">
                    <summary>{tr!(lang, "What the operator's memory tuning would set ({})", "Operator 的内存调优会设置什么（{}）", render::OPERATOR)}</summary>
                    <pre class="code">{changes.overrides.iter().map(|(k, v)| format!("{k}: {v}\n")).collect::<String>()}</pre>
                    {(!g.operator_graph).then(|| view! { <p class="muted small">{render::operator_stand_in(lang)}</p> })}
                    <ul>{diffs.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                </details>
            }.into_any()
        }
        Err(why) => {
            view! { <p class="muted small" data-testid="tune-operator">{why.in_lang(lang)}</p> }.into_any()
        }
    };
    view! {
        <div class="tune-group" data-testid="tune-group" data-members=n data-saved=g.saved()>
            <h3>{headline}</h3>
            <div class="before-after">
                <div data-testid="tune-before">
                    <h4>{tr!(lang, "Now", "现在")}</h4>
                    <div style=width(before.total_process())>{diagram(&tm_memory_leaves(&before), before.total_flink(), before.total_process())}</div>
                </div>
                <div data-testid="tune-after">
                    <h4>{tr!(lang, "Tuned", "调优后")}</h4>
                    <div style=width(after.total_process())>{diagram(&tm_memory_leaves(&after), after.total_flink(), after.total_process())}</div>
                </div>
            </div>
            <table class="moved tune-table">
                <thead><tr>
                    <th>{tr!(lang, "part", "组成部分")}</th><th>{tr!(lang, "now", "现在")}</th><th>"memlab"</th>
                    <th>{tr!(lang, "operator", "Operator")}</th><th>{tr!(lang, "why", "原因")}</th>
                </tr></thead>
                <tbody>
                    {rows}
                    <tr class="total"><td>{tr!(lang, "process", "进程")}</td><td class="num">{human(before.total_process())}</td>
                        <td class="num"><b>{human(after.total_process())}</b></td><td class="num muted">{op_total}</td><td></td></tr>
                </tbody>
            </table>
            <ul class="tune-notes">{g.notes.iter().map(|r| view! { <li data-testid="tune-note">{r.in_lang(lang)}</li> }).collect_view()}</ul>
            <pre class="code" data-testid="tune-yaml">{yaml}</pre>
            <div class="finding-actions">
                <button class="primary" data-testid="tune-download-yaml" on:click=move |_| download("config.yaml", "application/yaml", &yaml_dl)>{tr!(lang, "Download config.yaml", "下载 config.yaml")}</button>
                <button data-testid="tune-download-k8s" on:click=move |_| download("flinkdeployment-patch.yaml", "application/yaml", &k8s)>{tr!(lang, "FlinkDeployment patch", "FlinkDeployment 补丁")}</button>
                <a href=calc_href data-testid="tune-open-calculator" on:click=move |ev| { ev.prevent_default(); router.push(calc.clone()); }>{tr!(lang, "Open in the calculator", "在计算器中打开")}</a>
            </div>
            {operator_view}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_headroom;

    #[test]
    fn headroom_reads_shares_and_percentages() {
        assert_eq!(parse_headroom(""), Ok(0.2));
        assert_eq!(parse_headroom("0.3"), Ok(0.3));
        assert_eq!(parse_headroom(" 50% "), Ok(0.5));
        assert!(parse_headroom("-1").is_err());
        assert!(parse_headroom("lots").is_err());
    }
}
