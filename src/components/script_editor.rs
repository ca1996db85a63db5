//! The scenario editor: a textarea over a highlight layer that marks the line being run
//! and the line of a syntax error, with the error message underneath.

use leptos::prelude::*;
use memlab_engine::script::ParseError;

#[component]
pub fn ScriptEditor(
    text: RwSignal<String>,
    #[prop(into)] current_line: Signal<Option<u32>>,
    #[prop(into)] error: Signal<Option<ParseError>>,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let lang = crate::lang::current();
    let layer = NodeRef::<leptos::html::Pre>::new();
    let sync_scroll = move |ev: web_sys::Event| {
        if let (Some(l), Some(t)) = (layer.get(), ev.target()) {
            use wasm_bindgen::JsCast;
            if let Ok(t) = t.dyn_into::<web_sys::HtmlElement>() {
                l.set_scroll_top(t.scroll_top());
            }
        }
    };
    let lines = move || {
        let cur = current_line.get();
        let err = error.get().map(|e| e.line);
        text.with(|t| {
            let mut v: Vec<_> = t
                .split('\n')
                .enumerate()
                .map(|(i, l)| {
                    let n = i as u32 + 1;
                    let class = if Some(n) == err {
                        "ln err"
                    } else if Some(n) == cur {
                        "ln cur"
                    } else {
                        "ln"
                    };
                    view! { <span class=class data-line=n>{format!("{l}\n")}</span> }
                })
                .collect();
            v.push(view! { <span class="ln" data-line=0>{" ".to_string()}</span> });
            v
        })
    };
    view! {
        <div class="editor">
            <div class="editor-stack">
                <pre class="editor-layer" node_ref=layer aria-hidden="true" translate="no">{lines}</pre>
                <textarea
                    class="editor-input"
                    data-testid="script-editor"
                    spellcheck="false"
                    aria-label=crate::i18n::t_string!(i18n, alloc.script_label)
                    translate="no"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:scroll=sync_scroll
                ></textarea>
            </div>
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="editor-error" role="alert" data-testid="script-error" data-line=e.line data-column=e.column>
                                {crate::components::rich::rich(&e.describe(lang))}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
