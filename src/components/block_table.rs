//! The text alternative of the pool picture: every block in address order, kept in step
//! with the canvas. Rows carry `data-*` hooks with exact bytes for tests.

use leptos::prelude::*;
use memlab_engine::Block;
use memlab_size::human;

/// Rows beyond this are summarised, so a 10,000-block pool does not flood the page.
pub const MAX_ROWS: usize = 400;

#[component]
pub fn BlockTable(
    #[prop(into)] blocks: Signal<Vec<Block>>,
    #[prop(into)] highlight: Signal<Vec<String>>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="blocks" data-testid="block-table">
                <caption>"Blocks in address order (the picture above, as text)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Offset"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Refcount"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Owner"</th>
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
                                                title=name.clone()
                                                class=format!("state-{}", b.state.name())
                                                class:active=active
                                            >
                                                <td class="num">{human(b.offset)}</td>
                                                <td class="num">{human(b.size)}</td>
                                                <td>
                                                    <span class=format!("dot {}", b.state.name())></span>
                                                    {b.state.name()}
                                                </td>
                                                <td class="num">{b.refcount}</td>
                                                <td>{name.clone()}</td>
                                                <td>{b.owner.as_deref().unwrap_or("").to_string()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                </tbody>
            </table>
            {move || {
                let n = blocks.with(Vec::len);
                (n > MAX_ROWS)
                    .then(|| {
                        view! {
                            <p class="muted">
                                {format!("Showing the first {MAX_ROWS} of {n} blocks; the picture shows them all.")}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
