//! The buddy tree under the pool picture of a buddy pool: which blocks were halved from
//! which, so a reader sees why two free neighbours stay apart (they are not buddies). A thin
//! view: the markup comes from [`crate::viz::buddy_tree`].

use leptos::prelude::*;
use memlab_engine::{Block, BlockState};

use crate::components::block_table::state_label;
use crate::i18n::{t, t_string, use_i18n};
use crate::tf;
use crate::viz::buddy_tree::{Tree, Words, MAX_NODES};

#[component]
pub fn BuddyTree(#[prop(into)] blocks: Signal<Vec<Block>>, #[prop(into)] pool: Signal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    // The picture's markup and the same tree as text (depth, line).
    let markup = Memo::new(move |_| {
        let pool = pool.get();
        blocks.with(|blocks| {
            let tree = Tree::of(blocks, pool);
            if tree.nodes.len() > MAX_NODES {
                return Err(tf!(i18n, blocks.tree_too_big, nodes = tree.nodes.len()));
            }
            let at = |size: &str, at: &str| tf!(i18n, blocks.tree_at, size = size, at = at);
            let summary =
                |rows: u32, splits: usize| tf!(i18n, blocks.tree_summary, rows = rows, splits = splits);
            let words = Words {
                split: t_string!(i18n, blocks.tree_split),
                states: [BlockState::Live, BlockState::Unreferenced, BlockState::Free]
                    .map(|s| state_label(i18n, s)),
                at: &at,
                summary: &summary,
            };
            Ok((tree.svg(blocks, &words), tree.outline(blocks, &words)))
        })
    });
    view! {
        <div class="buddy-tree-panel" data-testid="buddy-tree">
            <div class="pool-caption"><b>{t!(i18n, blocks.tree_title)}</b></div>
            {move || markup.with(|m| match m {
                Ok((svg, _)) => view! { <div class="buddy-tree-svg" inner_html=svg.clone()></div> }.into_any(),
                Err(too_big) => view! { <p class="muted small" data-testid="buddy-tree-too-big">{too_big.clone()}</p> }.into_any(),
            })}
            // Outside the part redrawn each step, so an open list stays open while stepping.
            <details class="buddy-tree-text" hidden=move || markup.with(Result::is_err)>
                <summary>{t!(i18n, blocks.tree_text)}</summary>
                <ul data-testid="buddy-tree-text">
                    {move || markup.with(|m| m.as_ref().map(|(_, outline)| {
                        outline.iter().map(|(depth, line)| view! {
                            <li data-depth=*depth style=format!("padding-left: {}em", 1.2 * f64::from(*depth))>{line.clone()}</li>
                        }).collect_view()
                    }).ok())}
                </ul>
            </details>
            <p class="muted small">{t!(i18n, blocks.tree_about)}</p>
        </div>
    }
}
