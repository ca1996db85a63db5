use leptos::prelude::*;

/// A page that is planned but not built yet: says so plainly instead of pretending.
#[component]
pub fn Planned(title: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <section class="card planned">
            <h1>{title}</h1>
            <p>{what}</p>
            <p class="muted">"This area is being built. Meanwhile, try the Allocator."</p>
        </section>
    }
}
