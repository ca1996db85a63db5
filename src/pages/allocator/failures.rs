//! Each policy's failed requests up to the step shown, each a link to its step.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_engine::Timeline;

use super::Run;
use crate::i18n::{t, use_i18n};
use crate::lang::use_lang;
use crate::tf;
use crate::viz::player::Player;

#[component]
pub fn Failures(run: RwSignal<Option<Arc<Run>>>, player: RwSignal<Player>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let step = Memo::new(move |_| player.with(|p| p.step));
    // One policy's failures up to step `s`. A long run can fail thousands of times: the
    // first few and the latest are listed, and the rest counted.
    let failure_items = move |t: &Timeline, s: usize| {
        let e = t.failure_excerpt(s);
        if e.first.is_empty() {
            return view! { <li class="muted">{t!(i18n, alloc.none)}</li> }.into_any();
        }
        let item = |f: &memlab_engine::Failure| {
            view! {
                <li data-testid="failure" data-cause=f.reason data-step=f.step class:now=f.step as usize == s>
                    <b>{memlab_engine::OpError::reason_label(f.reason, lang.get())}</b>
                    " · "
                    <button class="linkish" data-testid="failure-seek" on:click={
                        let k = f.step as usize;
                        move |_| player.update(|p| { p.pause(); p.seek(k); })
                    }>
                        {tf!(i18n, alloc.failure_at, step = f.step, line = f.line)}
                    </button>
                    " · "
                    <code translate="no">{f.op.clone()}</code>
                    <div class="muted small">{f.error.describe(lang.get())}</div>
                </li>
            }
        };
        let gap = e.hidden.map(|(count, from, to)| {
            view! {
                <li class="gap muted" data-testid="failures-hidden">
                    {tf!(i18n, alloc.failures_hidden, count = count, from = from, to = to)}
                </li>
            }
        });
        view! {
            {e.first.iter().map(item).collect_view()}
            {gap}
            {e.latest.iter().map(item).collect_view()}
        }
        .into_any()
    };
    view! {
        <h3>{t!(i18n, alloc.failures)}</h3>
        {move || {
            let s = step.get();
            run.with(|r| {
                let Some(r) = r.as_ref() else { return ().into_any() };
                // Side by side, each policy's failures under its name.
                let named = r.timelines.len() > 1;
                r.timelines
                    .iter()
                    .map(|(policy, t)| view! {
                        {named.then(|| view! { <h4 class="fail-policy">{policy.name()}</h4> })}
                        <ul class="failures" data-policy=policy.name()>{failure_items(t, s)}</ul>
                    })
                    .collect_view()
                    .into_any()
            })
        }}
    }
}
