//! Text with `code` spans: option keys, operations, Java's and Flink's verbatim messages
//! inside a translated sentence are set as code (and so kept out of translation checks).

use leptos::prelude::*;

/// Text with `code` spans (option names, operations, Java's messages) set as code.
pub fn rich(text: &str) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_owned()}</code> }.into_any()
            } else {
                part.to_owned().into_any()
            }
        })
        .collect_view()
}
