//! What happened at the step shown, in sentences, and the steps before it as links.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_engine::narrate;

use super::Run;
use crate::i18n::{t, use_i18n};
use crate::lang::use_lang;
use crate::tf;
use crate::viz::player::Player;
use crate::viz::scene::StepView;

#[component]
pub fn EventLog(
    primary: Signal<Option<Arc<StepView>>>,
    run: RwSignal<Option<Arc<Run>>>,
    player: RwSignal<Player>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let step = Memo::new(move |_| player.with(|p| p.step));
    view! {
    <div class="card log">
        <h2>{t!(i18n, alloc.what_happened)}</h2>
        <ol class="events" data-testid="event-log">
            {move || {
                primary.get().map(|v| {
                    if v.scene.events.is_empty() {
                        return view! { <li class="muted">{t!(i18n, alloc.ready)}</li> }.into_any();
                    }
                    let said = narrate::step_sentences(&v.scene.events, lang.get(), v.engine.config().policy);
                    v.scene.events.iter().zip(said).map(|(e, sentence)| {
                        let fail = matches!(e, memlab_engine::Event::Fail { .. });
                        view! { <li class:fail=fail>{sentence}</li> }
                    }).collect_view().into_any()
                })
            }}
        </ol>
        <h3>{t!(i18n, alloc.earlier)}</h3>
        <ol class="history">
            {move || {
                let s = step.get();
                run.with(|r| r.as_ref().map(|r| {
                    let t = &r.timelines[0].1;
                    (s.saturating_sub(12).max(1)..s).rev().filter_map(|k| t.op_at(k).map(|(l, op)| {
                        let failed = t.failure_at(k).map(|f| f.reason);
                        view! {
                            <li>
                                <button class="linkish" on:click=move |_| player.update(|p| { p.pause(); p.seek(k); })>
                                    {tf!(i18n, alloc.history_item, step = k, line = l)}<code translate="no">{op.to_string()}</code>
                                </button>
                                {failed.map(|r| view! { <span class="fail-tag">{memlab_engine::OpError::reason_label(r, lang.get())}</span> })}
                            </li>
                        }
                    })).collect_view()
                }))
            }}
        </ol>
    </div>    }
}
