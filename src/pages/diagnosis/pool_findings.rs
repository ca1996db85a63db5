//! The allocator's findings (fragmentation) for a built-in scenario, each linked to its step.

use leptos::prelude::*;
use memlab_flink::diagnose::Severity;
use memlab_text::tr;

use crate::components::rich::rich;
use crate::nav::Router;
use crate::route::{Route, View};

/// The allocator's findings (fragmentation) for a built-in scenario, linked to the step.
pub(super) fn allocator_section() -> impl IntoView {
    let router = use_context::<Router>().expect("router");
    let lang = crate::lang::current();
    let chosen = RwSignal::new("fragmentation-oom".to_owned());
    let findings = Memo::new(move |_| {
        chosen.with(|id| {
            memlab_engine::scenarios::get(id)
                .and_then(|s| memlab_engine::script::parse(s.text).ok())
                .and_then(|s| memlab_engine::Timeline::run(&s).ok())
                .map(|t| memlab_engine::diagnose::diagnose_in(&t, lang))
                .unwrap_or_default()
        })
    });
    view! {
        <section class="subject" data-testid="allocator-diagnosis">
            <h2>{tr!(lang, "Allocator simulation ", "分配器模拟 ")}<span class="muted small">{tr!(lang, "fragmentation in a scenario of the Allocator page", "分配器页面某个场景中的碎片")}</span></h2>
            <label class="speed">{tr!(lang, "scenario ", "场景 ")}
                <select data-testid="allocator-scenario" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {memlab_engine::scenarios::ALL.iter().map(|s| view! {
                        <option value=s.id selected=move || chosen.get() == s.id>{s.title_in(lang)}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || {
                let list = findings.get();
                if list.is_empty() {
                    return view! { <p class="muted" data-testid="allocator-no-findings">{tr!(lang, "No fragmentation in this scenario.", "这个场景中没有碎片。")}</p> }.into_any();
                }
                list.into_iter().map(|f| {
                    let id = chosen.get_untracked();
                    let to = Route::default().navigate(View::Allocator).with("scenario", Some(&id)).with("step", Some(&f.step.to_string()));
                    let href = to.to_query();
                    let sev = if f.severity == "critical" { "critical" } else { "warning" };
                    view! {
                        <article class=format!("card finding sev-{sev}") data-testid="pool-finding" data-kind=f.kind>
                            <header>
                                <span class=format!("sev-badge sev-{sev}")>{if sev == "critical" { Severity::Critical.label_in(lang) } else { Severity::Warning.label_in(lang) }}</span>
                                <h3>{if f.kind == "fragmentation-oom" { tr!(lang, "Out of memory caused by fragmentation", "碎片导致的内存不足") } else { tr!(lang, "Fragmentation", "碎片") }}</h3>
                                <code class="kind">{f.kind}</code>
                            </header>
                            <p class="headline">{rich(&f.headline)}</p>
                            <p class="muted">{rich(&f.explanation)}</p>
                            <a href=href on:click=move |ev| { ev.prevent_default(); router.push(to.clone()); }>{tr!(lang, "Open in the allocator at step {}", "在分配器中打开第 {} 步", f.step)}</a>
                        </article>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}
