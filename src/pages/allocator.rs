use leptos::prelude::*;

use crate::components::placeholder::Planned;

#[component]
pub fn AllocatorPage() -> impl IntoView {
    view! { <Planned title="Allocator" what="A pre-allocated pool cut into blocks: allocation policies, reference counting, mark-sweep merging, compaction, quotas and Flink pages."/> }
}
