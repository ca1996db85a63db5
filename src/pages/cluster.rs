use leptos::prelude::*;

use crate::components::placeholder::Planned;

#[component]
pub fn ClusterPage() -> impl IntoView {
    view! { <Planned title="Live cluster" what="Connect to a running Flink cluster's REST API, watch used vs configured memory for every pool over time, record and replay sessions."/> }
}
