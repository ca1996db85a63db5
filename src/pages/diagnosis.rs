use leptos::prelude::*;

use crate::components::placeholder::Planned;

#[component]
pub fn DiagnosisPage() -> impl IntoView {
    view! { <Planned title="Diagnosis" what="Leaks, OOM risk, fragmentation, network-buffer and managed-memory problems found in live or recorded data, each with a config.yaml change checked by the calculator."/> }
}
