//! The scenario editor: a textarea over a layer that marks the line being run and the line
//! of a syntax error, with the error message underneath.
//!
//! The marks are bars placed by line number (the editor never wraps, and every line is
//! one line-height tall), so neither a step nor a keystroke copies or lays out the text a
//! second time: a layer that held the text, a span per line, took seconds per keystroke
//! and half a second per step on a 50,000-line script.

use leptos::prelude::*;
use memlab_engine::script::ParseError;

/// The lines to mark, each with its class: the error's line, and the line being run
/// (when both are the same line, the error shows).
pub fn marks(cur: Option<u32>, err: Option<u32>) -> Vec<(u32, &'static str)> {
    let mut v: Vec<(u32, &'static str)> = [(err, "err"), (cur, "cur")]
        .into_iter()
        .filter_map(|(n, class)| n.filter(|&n| n > 0).map(|n| (n, class)))
        .collect();
    v.dedup_by_key(|m| m.0);
    v
}

/// Where to scroll so that 1-based `line` is in view, if it is not: `line_px` is one line's
/// height, `top` the scroll position, `height` the visible height (padding excluded). The
/// line then sits a third of the way down.
pub fn scroll_to_show(line: u32, line_px: f64, top: f64, height: f64) -> Option<f64> {
    let y = f64::from(line.saturating_sub(1)) * line_px;
    let visible = y >= top && y + line_px <= top + height;
    (!visible).then(|| (y - height / 3.0).max(0.0))
}

#[component]
pub fn ScriptEditor(
    text: RwSignal<String>,
    #[prop(into)] current_line: Signal<Option<u32>>,
    #[prop(into)] error: Signal<Option<ParseError>>,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let lang = crate::lang::current();
    let input = NodeRef::<leptos::html::Textarea>::new();
    let scroll = RwSignal::new(0i32);
    // The text goes into the textarea only when it differs from what is there: setting a
    // long script back after every keystroke made the browser lay it out again.
    Effect::new(move |_| {
        let Some(t) = input.get() else { return };
        text.with(|v| {
            if t.value() != *v {
                t.set_value(v);
            }
        });
    });
    // Each step brings the line being run into view (typing does not move the view). This
    // effect comes after the one above, so a link that opens at a step finds the text there.
    Effect::new(move |_| {
        let Some(line) = current_line.get() else { return };
        let Some(t) = input.get() else { return };
        let style = web_sys::window().and_then(|w| w.get_computed_style(&t).ok().flatten());
        let px = |p: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(p).ok())
                .and_then(|v| v.trim_end_matches("px").parse::<f64>().ok())
        };
        let (Some(line_px), Some(pad)) = (px("line-height"), px("padding-top")) else { return };
        let height = f64::from(t.client_height()) - 2.0 * pad;
        if let Some(top) = scroll_to_show(line, line_px, f64::from(t.scroll_top()), height) {
            t.set_scroll_top(top as i32);
            scroll.set(t.scroll_top());
        }
    });
    // A mark past the text's end (the run's line after an edit shortened the text) is dropped.
    let line_count = Memo::new(move |_| text.with(|t| t.bytes().filter(|&b| b == b'\n').count() + 1));
    let bars = move || {
        marks(current_line.get(), error.get().map(|e| e.line))
            .into_iter()
            .filter(|&(n, _)| n as usize <= line_count.get())
            .map(|(n, class)| {
                let style = move || format!("--line: {}; --scroll: {}", n - 1, scroll.get());
                view! { <div class=format!("editor-mark {class}") data-line=n style=style></div> }
            })
            .collect_view()
    };
    view! {
        <div class="editor">
            <div class="editor-stack">
                <div class="editor-layer" aria-hidden="true">{bars}</div>
                <textarea
                    class="editor-input"
                    data-testid="script-editor"
                    node_ref=input
                    spellcheck="false"
                    wrap="off"
                    aria-label=crate::i18n::t_string!(i18n, alloc.script_label)
                    translate="no"
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:scroll=move |_| {
                        if let Some(t) = input.get_untracked() {
                            scroll.set(t.scroll_top());
                        }
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_error_and_the_current_line_and_the_error_wins_on_one_line() {
        assert!(marks(None, None).is_empty());
        assert_eq!(marks(Some(4), None), [(4, "cur")]);
        assert_eq!(marks(Some(4), Some(1)), [(1, "err"), (4, "cur")]);
        assert_eq!(marks(Some(3), Some(3)), [(3, "err")]);
        // Line 0 is no line (an operation from no line of the text).
        assert_eq!(marks(Some(0), Some(0)), []);
    }

    #[test]
    fn scrolls_only_when_the_line_is_out_of_view() {
        // 20 px lines, 200 px visible: lines 1..=10 show at the top.
        assert_eq!(scroll_to_show(1, 20.0, 0.0, 200.0), None);
        assert_eq!(scroll_to_show(10, 20.0, 0.0, 200.0), None);
        // Line 11 is below: it comes to a third of the way down.
        assert_eq!(scroll_to_show(11, 20.0, 0.0, 200.0), Some(200.0 - 200.0 / 3.0));
        // Line 40 000 of a long script, and back to line 2 (never above the top).
        assert_eq!(scroll_to_show(40_000, 20.0, 0.0, 200.0), Some(39_999.0 * 20.0 - 200.0 / 3.0));
        assert_eq!(scroll_to_show(2, 20.0, 5_000.0, 200.0), Some(0.0));
        // A line cut in half at the bottom edge is not in view.
        assert_eq!(scroll_to_show(10, 20.0, 10.0, 200.0), None);
        assert!(scroll_to_show(11, 20.0, 10.0, 200.0).is_some());
    }
}
