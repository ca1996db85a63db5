//! The text alternative of the pool picture: every block in address order, kept in step
//! with the canvas. Rows carry `data-*` hooks with exact bytes for tests.

use leptos::prelude::*;
use memlab_engine::Block;
use memlab_engine::BlockState;
use memlab_size::human;

use crate::i18n::{t, t_string, use_i18n};
use crate::lang::use_lang;
use crate::tf;
use crate::viz::scene::Ghost;

/// A block state as the reader's language says it.
pub fn state_label(i18n: leptos_i18n::I18nContext<crate::i18n::Locale>, s: BlockState) -> &'static str {
    match s {
        BlockState::Live => t_string!(i18n, alloc.legend_live),
        BlockState::Unreferenced => t_string!(i18n, alloc.m_unref),
        BlockState::Free => t_string!(i18n, alloc.legend_free),
    }
}

/// The state's dot (a static class: a jump builds up to [`MAX_ROWS`] rows at once).
fn dot_class(s: BlockState) -> &'static str {
    match s {
        BlockState::Live => "dot live",
        BlockState::Unreferenced => "dot unreferenced",
        BlockState::Free => "dot free",
    }
}

/// Rows beyond this are summarised, so a 10,000-block pool does not flood the page.
pub const MAX_ROWS: usize = 400;

#[component]
pub fn BlockTable(
    #[prop(into)] blocks: Signal<Vec<Block>>,
    #[prop(into)] highlight: Signal<Vec<String>>,
    /// The request that failed at this step (drawn above the pool), if one did.
    #[prop(into, optional)]
    failed: Signal<Option<Ghost>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    view! {
        <div class="table-wrap">
            <table class="blocks" data-testid="block-table">
                <caption>{t!(i18n, blocks.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, blocks.offset)}</th>
                        <th scope="col">{t!(i18n, blocks.size)}</th>
                        <th scope="col">{t!(i18n, blocks.state)}</th>
                        <th scope="col">{t!(i18n, blocks.refcount)}</th>
                        <th scope="col">{t!(i18n, blocks.name)}</th>
                        <th scope="col">{t!(i18n, blocks.owner)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let hl = highlight.get();
                        blocks
                            .with(|bs| {
                                bs.iter()
                                    .take(MAX_ROWS)
                                    .map(|b| {
                                        let name = b.name.as_deref().unwrap_or("").to_string();
                                        let active = !name.is_empty() && hl.contains(&name);
                                        view! {
                                            <tr
                                                data-testid="block-row"
                                                data-offset=b.offset.to_string()
                                                data-size=b.size.to_string()
                                                data-state=b.state.name()
                                                data-refcount=b.refcount.to_string()
                                                data-name=name.clone()
                                                class:active=active
                                            >
                                                <td class="num">{human(b.offset)}</td>
                                                <td class="num">{human(b.size)}</td>
                                                <td>
                                                    <span class=dot_class(b.state)></span>
                                                    {state_label(i18n, b.state)}
                                                </td>
                                                <td class="num">{b.refcount}</td>
                                                <td translate="no">{name.clone()}</td>
                                                <td translate="no">{b.owner.as_deref().unwrap_or("").to_string()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                </tbody>
            </table>
            {move || {
                failed.get().map(|g| {
                    let reason = memlab_engine::OpError::reason_label(g.reason, lang.get());
                    view! {
                        <p class="table-failed" data-testid="table-failed" data-cause=g.reason>
                            {tf!(i18n, blocks.failed, request = g.label, reason = reason)}
                        </p>
                    }
                })
            }}
            {move || {
                let n = blocks.with(Vec::len);
                (n > MAX_ROWS)
                    .then(|| {
                        view! {
                            <p class="muted">
                                {tf!(i18n, blocks.truncated, max = MAX_ROWS, n = n)}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
