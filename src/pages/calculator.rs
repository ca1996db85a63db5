use leptos::prelude::*;

use crate::components::placeholder::Planned;

#[component]
pub fn CalculatorPage() -> impl IntoView {
    view! { <Planned title="Flink memory model" what="TaskManager and JobManager memory derived from your config exactly as Flink 2.x derives it, drawn as Flink's memory diagram."/> }
}
