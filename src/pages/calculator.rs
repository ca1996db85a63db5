//! The Flink memory calculator: every TaskManager / JobManager memory option as a form or a
//! pasted config.yaml, derived as Flink 2.x derives it (the `memlab-flink` crate), drawn as
//! Flink's memory model with proportional boxes, exact bytes and where each value came from.
//! The configuration lives in the URL, so a link shares it.

use leptos::prelude::*;
use memlab_flink::options::{jm, legacy, tm, Default as OptDefault, Opt};
use memlab_flink::{jobmanager, lint, read, taskmanager, FlinkConfig, FlinkError, FlinkVersion};
use memlab_size::{human, MemorySize};

use crate::components::memory_model::{
    diagram, jm_leaves, source_class, source_label, source_text, tm_memory_leaves, Leaf,
};
use crate::i18n::{t, use_i18n};
use crate::lang::{flink_term, Lang};
use crate::nav::Router;
use crate::tf;
use memlab_text::tr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proc {
    Tm,
    Jm,
}

impl Proc {
    fn options(self, v: FlinkVersion) -> Vec<Opt> {
        let (all, old) = match self {
            Proc::Tm => (tm::ALL, legacy::TM),
            Proc::Jm => (jm::ALL, legacy::JM),
        };
        let mut o = all.to_vec();
        if v == FlinkVersion::V1_20 {
            o.extend_from_slice(old);
        }
        o
    }
    fn slug(self) -> &'static str {
        match self {
            Proc::Tm => "tm",
            Proc::Jm => "jm",
        }
    }
}

/// The derived model as the page draws it.
#[derive(Clone, Debug, PartialEq)]
struct Model {
    leaves: Vec<Leaf>,
    total_flink: u64,
    total_process: u64,
    jvm_args: String,
    dynamic: String,
    notes: Vec<String>,
    /// (label, value) facts under the diagram.
    facts: Vec<(String, String)>,
}

fn model(p: Proc, v: FlinkVersion, c: &FlinkConfig, lang: Lang) -> Result<Model, FlinkError> {
    match p {
        Proc::Tm => {
            let m = taskmanager::derive_for(c, v)?;
            let segment = read::memory(c, &tm::SEGMENT_SIZE).map(|s| s.bytes()).unwrap_or(32 << 10).max(1);
            let segment_note = if read::contains(c, &tm::SEGMENT_SIZE) {
                String::new()
            } else {
                tr!(lang, " (default segment size)", "（默认段大小）")
            };
            Ok(Model {
                leaves: tm_memory_leaves(&m),
                total_flink: m.total_flink(),
                total_process: m.total_process(),
                jvm_args: m.jvm_args(),
                dynamic: m.dynamic_properties(),
                notes: m.notes.clone(),
                facts: vec![
                    (tr!(lang, "JVM heap (-Xmx)", "JVM 堆 (-Xmx)"), human(m.jvm_heap())),
                    (tr!(lang, "JVM direct memory limit", "JVM 直接内存上限"), human(m.jvm_direct())),
                    (flink_term(lang, "Task slots"), m.slots.to_string()),
                    (tr!(lang, "Managed memory per slot", "每个槽位的托管内存"), human(m.managed_per_slot())),
                    (
                        tr!(lang, "Network buffers", "网络缓冲区"),
                        format!("{} × {}{segment_note}", m.network.bytes / segment, human(segment)),
                    ),
                    (flink_term(lang, "CPU cores"), m.cpu_cores.clone()),
                ],
            })
        }
        Proc::Jm => {
            let m = jobmanager::derive_for(c, v)?;
            Ok(Model {
                leaves: jm_leaves(&m),
                total_flink: m.total_flink(),
                total_process: m.total_process(),
                jvm_args: m.jvm_args(),
                dynamic: m.dynamic_properties(),
                notes: m.notes.clone(),
                // The option that turns the limit on goes with the label (small print), so
                // the value stays a short figure.
                facts: vec![if m.direct_limit {
                    (tr!(lang, "JVM direct memory limit", "JVM 直接内存上限"), human(m.off_heap.bytes))
                } else {
                    (
                        tr!(
                            lang,
                            "JVM direct memory limit (off unless jobmanager.memory.enable-jvm-direct-memory-limit: true)",
                            "JVM 直接内存上限（除非 jobmanager.memory.enable-jvm-direct-memory-limit: true，否则不设）"
                        ),
                        tr!(lang, "not set", "未设置"),
                    )
                }],
            })
        }
    }
}

fn placeholder(o: &Opt, lang: Lang) -> String {
    match o.default {
        OptDefault::Size(b) if b == i64::MAX as u64 => tr!(lang, "no limit (default)", "无上限（默认）"),
        OptDefault::Size(b) => tr!(lang, "{} (default)", "{}（默认）", MemorySize::new(b)),
        OptDefault::Float(_, t) => tr!(lang, "{t} (default)", "{t}（默认）"),
        OptDefault::None => tr!(lang, "not set", "未设置"),
    }
}

#[component]
pub fn CalculatorPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = crate::lang::current();
    let router = use_context::<Router>().expect("the shell provides the router");
    let start = router.route.get_untracked();
    let proc_ = RwSignal::new(if start.get("p") == Some("jm") { Proc::Jm } else { Proc::Tm });
    let version = RwSignal::new(start.get("flink").and_then(FlinkVersion::parse).unwrap_or_default());
    let mut initial = FlinkConfig::new();
    for (k, v) in start.params().filter(|(k, _)| *k != "p" && *k != "flink") {
        initial.set(k, v);
    }
    if initial.entries().next().is_none() {
        initial.set(tm::TOTAL_PROCESS.key, "1728m");
        initial.set(jm::TOTAL_PROCESS.key, "1600m");
    }
    let config = RwSignal::new(initial);
    let yaml = RwSignal::new(config.with_untracked(FlinkConfig::to_yaml));
    let yaml_error = RwSignal::new(None::<String>);

    let result = Memo::new(move |_| config.with(|c| model(proc_.get(), version.get(), c, lang)));
    let warnings = Memo::new(move |_| config.with(lint::check));
    let bad_keys =
        Memo::new(move |_| result.with(|r| r.as_ref().err().map(|e| e.keys.clone()).unwrap_or_default()));

    // The URL holds the process and every option that is set.
    Effect::new(move |_| {
        let p = proc_.get();
        let mut params = vec![("p".to_owned(), p.slug().to_owned())];
        if version.get() == FlinkVersion::V1_20 {
            params.push(("flink".to_owned(), "1.20".to_owned()));
        }
        config.with(|c| params.extend(c.entries().map(|(k, v)| (k.to_owned(), v.to_owned()))));
        router.replace(router.route.get_untracked().with_params(params));
    });

    let set_field = move |key: &'static str, value: String| {
        config.update(|c| {
            if value.trim().is_empty() {
                c.remove(key);
            } else {
                c.set(key, &value);
            }
        });
        yaml.set(config.with_untracked(FlinkConfig::to_yaml));
        yaml_error.set(None);
    };

    let on_yaml = move |ev: web_sys::Event| {
        let text = event_target_value(&ev);
        yaml.set(text.clone());
        match FlinkConfig::from_yaml(&text) {
            Ok(c) => {
                config.set(c);
                yaml_error.set(None);
            }
            Err(e) => yaml_error.set(Some(e.to_string())),
        }
    };

    let fields = move || {
        let p = proc_.get();
        p.options(version.get())
            .into_iter()
            .map(|o| {
                let key = o.key;
                let value =
                    move || config.with(|c| read::raw(c, &o).map(|(_, v)| v.to_owned()).unwrap_or_default());
                let invalid = move || bad_keys.with(|k| k.contains(&key));
                let via = move || {
                    config.with(|c| {
                        read::raw(c, &o)
                            .filter(|(k, _)| *k != key)
                            .map(|(k, _)| tf!(i18n, calc.deprecated_key, key = k))
                    })
                };
                view! {
                    <label class="field" class:invalid=invalid>
                        <span class="field-label">{flink_term(lang, o.label)}</span>
                        <code class="field-key">{key}</code>
                        <input
                            type="text"
                            data-testid=format!("opt-{key}")
                            aria-invalid=move || invalid().then_some("true")
                            placeholder=placeholder(&o, lang)
                            prop:value=value
                            on:input=move |ev| set_field(key, event_target_value(&ev))
                        />
                        {move || via().map(|t| view! { <span class="muted small">{t}</span> })}
                    </label>
                }
            })
            .collect_view()
    };

    let switch = move |p: Proc| proc_.set(p);

    view! {
        <section class="calculator">
            <header class="page-head">
                <div>
                    <h1>{t!(i18n, calc.title)}</h1>
                    <p class="muted">{t!(i18n, calc.intro)}</p>
                </div>
                <label class="version">
                    "Flink "
                    <select data-testid="flink-version" on:change=move |ev| version.set(FlinkVersion::parse(&event_target_value(&ev)).unwrap_or_default())>
                        <option value="2.3" selected=move || version.get() == FlinkVersion::V2>"2.x (2.0 – 2.3)"</option>
                        <option value="1.20" selected=move || version.get() == FlinkVersion::V1_20>{t!(i18n, calc.v120)}</option>
                    </select>
                </label>
                <div class="tabs" role="tablist">
                    <button role="tab" data-testid="tab-tm" class:active=move || proc_.get() == Proc::Tm aria-selected=move || (proc_.get() == Proc::Tm).to_string() on:click=move |_| switch(Proc::Tm)>"TaskManager"</button>
                    <button role="tab" data-testid="tab-jm" class:active=move || proc_.get() == Proc::Jm aria-selected=move || (proc_.get() == Proc::Jm).to_string() on:click=move |_| switch(Proc::Jm)>"JobManager"</button>
                </div>
            </header>
            <div class="calc-grid">
                <div class="card calc-form">
                    <h2>{t!(i18n, calc.options)}</h2>
                    <p class="muted small">{t!(i18n, calc.options_hint)}</p>
                    <div class="fields">{fields}</div>
                    <details class="paste" open=false>
                        <summary>{t!(i18n, calc.paste)}</summary>
                        <textarea data-testid="config-yaml" spellcheck="false" prop:value=move || yaml.get() on:input=on_yaml></textarea>
                        {move || yaml_error.get().map(|e| view! { <p class="editor-error">{e}</p> })}
                    </details>
                </div>
                <div class="calc-result">
                    {move || {
                        warnings
                            .get()
                            .into_iter()
                            .map(|w| view! { <p class="banner warn-banner" data-testid="config-warning">{w.message_in(lang)}</p> })
                            .collect_view()
                    }}
                    {move || match result.get() {
                        Err(e) => view! {
                            <div class="card error-card" role="alert" data-testid="flink-error">
                                <h2>{t!(i18n, calc.refused)}</h2>
                                <p class="flink-message"><code data-testid="flink-error-message">{e.message.clone()}</code></p>
                                {(!e.causes.is_empty()).then(|| view! {
                                    <ol class="flink-causes" data-testid="flink-error-causes" translate="no">
                                        {e.causes.iter().map(|c| view! {
                                            <li data-testid="flink-error-cause"><code>{format!("Caused by: {}: {}", c.exception, c.message)}</code></li>
                                        }).collect_view()}
                                    </ol>
                                })}
                                <p data-testid="flink-error-explanation">{memlab_flink::terms::explain_error(lang, &e.message)}</p>
                                <p class="muted small">{tf!(i18n, calc.refused_hint, exception = e.exception.rsplit('.').next().unwrap_or(""))}</p>
                            </div>
                        }
                        .into_any(),
                        Ok(m) => {
                            let p = proc_.get();
                            let total = m.total_process;
                            view! {
                                <div class="card">
                                    <h2>{if p == Proc::Tm { t!(i18n, calc.tm_memory).into_any() } else { t!(i18n, calc.jm_memory).into_any() }}</h2>
                                    {diagram(&m.leaves, m.total_flink, m.total_process)}
                                    <div class="legend mm-legend">
                                        <span><i class="sw src-configured"></i>{t!(i18n, calc.src_configured)}</span>
                                        <span><i class="sw src-derived"></i>{t!(i18n, calc.src_derived)}</span>
                                        <span><i class="sw src-default"></i>{t!(i18n, calc.src_default)}</span>
                                        <span><i class="sw src-clamped"></i>{t!(i18n, calc.src_clamped)}</span>
                                    </div>
                                    <div class="table-scroll">
                                    <table class="mm-table" data-testid="memory-table">
                                        <thead><tr><th>{t!(i18n, calc.component)}</th><th class="num">{t!(i18n, calc.bytes)}</th><th>{t!(i18n, blocks.size)}</th><th class="num">{t!(i18n, calc.share)}</th><th>{t!(i18n, calc.source)}</th><th>{t!(i18n, calc.option)}</th></tr></thead>
                                        <tbody>
                                            {m.leaves.iter().map(|l| view! {
                                                <tr data-testid=format!("mm-{}", l.id) data-bytes=l.part.bytes.to_string() data-source=source_label(l.part.source)>
                                                    <td><i class=format!("sw {}", l.class)></i>{flink_term(lang, l.name)}</td>
                                                    <td class="num mono">{lang.int(l.part.bytes)}</td>
                                                    <td>{MemorySize::new(l.part.bytes).to_human_readable_string()}</td>
                                                    <td class="num">{format!("{:.1}%", l.part.bytes as f64 / total.max(1) as f64 * 100.0)}</td>
                                                    <td><span class=format!("badge {}", source_class(l.part.source))>{source_text(lang, l.part.source)}</span></td>
                                                    <td><code class="small">{l.option.unwrap_or("")}</code></td>
                                                </tr>
                                            }).collect_view()}
                                            <tr class="total" data-testid="mm-totalFlinkMemory" data-bytes=m.total_flink.to_string()>
                                                <td>{flink_term(lang, "Total Flink Memory")}</td><td class="num mono">{lang.int(m.total_flink)}</td><td>{MemorySize::new(m.total_flink).to_human_readable_string()}</td><td></td><td></td><td></td>
                                            </tr>
                                            <tr class="total" data-testid="mm-totalProcessMemory" data-bytes=total.to_string()>
                                                <td>{flink_term(lang, "Total Process Memory")}</td><td class="num mono">{lang.int(total)}</td><td>{MemorySize::new(total).to_human_readable_string()}</td><td></td><td></td><td></td>
                                            </tr>
                                        </tbody>
                                    </table>
                                    </div>
                                    <dl class="facts">
                                        {m.facts.iter().map(|(k, v)| view! { <div><dt>{k.clone()}</dt><dd>{v.clone()}</dd></div> }).collect_view()}
                                    </dl>
                                    <h3>{t!(i18n, calc.jvm_args)}</h3>
                                    <pre class="code" data-testid="jvm-args">{m.jvm_args.clone()}</pre>
                                    <h3>{t!(i18n, calc.dynamic)}</h3>
                                    <pre class="code wrap" data-testid="dynamic-properties">{m.dynamic.clone()}</pre>
                                    {(!m.notes.is_empty()).then(|| view! {
                                        <h3>{t!(i18n, calc.logs)}</h3>
                                        <ul class="notes" data-testid="flink-notes" translate="no">
                                            {m.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}
                                        </ul>
                                    })}
                                </div>
                            }
                            .into_any()
                        }
                    }}
                    <div class="card">
                        <h3>"config.yaml"</h3>
                        <p class="muted small">{t!(i18n, calc.yaml_hint)}</p>
                        <pre class="code" data-testid="export-yaml">{move || config.with(FlinkConfig::to_yaml)}</pre>
                    </div>
                </div>
            </div>
        </section>
    }
}
