//! The side panel: the pool's figures at the step shown, their sparklines over the run, the
//! owners and their quotas, leak suspects, and the failures.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_size::human;

use super::failures::Failures;
use super::{pct, Run, Samples};
use crate::components::sparkline::Sparkline;
use crate::i18n::{t, t_string, use_i18n};
use crate::tf;
use crate::viz::player::Player;
use crate::viz::scene::StepView;

#[component]
pub fn SidePanel(
    primary: Signal<Option<Arc<StepView>>>,
    samples: Memo<Samples>,
    run: RwSignal<Option<Arc<Run>>>,
    player: RwSignal<Player>,
) -> impl IntoView {
    let i18n = use_i18n();
    let step = Memo::new(move |_| player.with(|p| p.step));
    let metric = move |id: &'static str,
                       label: &'static str,
                       value: Box<dyn Fn() -> (String, String) + Send + Sync>| {
        let value = Arc::new(value);
        let value2 = value.clone();
        view! {
            <div class="metric" data-testid=id data-value=move || value().1>
                <span class="metric-label">{label}</span>
                <span class="metric-value">{move || value2().0}</span>
            </div>
        }
    };
    let m = move || primary.get().map(|v| v.metrics.clone());
    view! {
    <aside class="side">
        <div class="card metrics">
            <h2>{t!(i18n, alloc.metrics)}</h2>
            <div class="metric-grid">
                {metric("metric-used", t_string!(i18n, alloc.m_used), Box::new(move || m().map(|m| (human(m.used), m.used.to_string())).unwrap_or_default()))}
                {metric("metric-free", t_string!(i18n, alloc.m_free), Box::new(move || m().map(|m| (human(m.free), m.free.to_string())).unwrap_or_default()))}
                {metric("metric-unreferenced", t_string!(i18n, alloc.m_unref), Box::new(move || m().map(|m| (human(m.unreferenced), m.unreferenced.to_string())).unwrap_or_default()))}
                {metric("metric-largest-free", t_string!(i18n, alloc.m_largest), Box::new(move || m().map(|m| (human(m.largest_free), m.largest_free.to_string())).unwrap_or_default()))}
                {metric("metric-fragmentation", t_string!(i18n, alloc.m_frag), Box::new(move || m().map(|m| (pct(m.fragmentation), format!("{:.6}", m.fragmentation))).unwrap_or_default()))}
                {metric("metric-free-blocks", t_string!(i18n, alloc.m_free_blocks), Box::new(move || m().map(|m| (m.free_blocks.to_string(), m.free_blocks.to_string())).unwrap_or_default()))}
                {metric("metric-waste", t_string!(i18n, alloc.m_waste), Box::new(move || m().map(|m| (human(m.internal_waste), m.internal_waste.to_string())).unwrap_or_default()))}
                {metric("metric-live-blocks", t_string!(i18n, alloc.m_live_blocks), Box::new(move || m().map(|m| (m.live_blocks.to_string(), m.live_blocks.to_string())).unwrap_or_default()))}
            </div>
            <div class="sparks">
                <Sparkline values=Signal::derive(move || samples.with(|s| s.0.clone())) max=Signal::derive(move || samples.with(|s| s.4)) cursor=step label=t_string!(i18n, alloc.m_used) value_text=Signal::derive(move || m().map(|m| human(m.used)).unwrap_or_default()) class="live" testid="chart-used"/>
                <Sparkline values=Signal::derive(move || samples.with(|s| s.1.clone())) max=Signal::derive(move || samples.with(|s| s.4)) cursor=step label=t_string!(i18n, alloc.m_unref) value_text=Signal::derive(move || m().map(|m| human(m.unreferenced)).unwrap_or_default()) class="unref" testid="chart-unreferenced"/>
                <Sparkline values=Signal::derive(move || samples.with(|s| s.2.clone())) max=Signal::derive(move || samples.with(|s| s.4)) cursor=step label=t_string!(i18n, alloc.m_largest_block) value_text=Signal::derive(move || m().map(|m| human(m.largest_free)).unwrap_or_default()) class="free" testid="chart-largest-free"/>
                <Sparkline values=Signal::derive(move || samples.with(|s| s.3.clone())) max=Signal::derive(|| 1.0) cursor=step label=t_string!(i18n, alloc.m_frag) value_text=Signal::derive(move || m().map(|m| pct(m.fragmentation)).unwrap_or_default()) class="fail" testid="chart-fragmentation"/>
            </div>
            {move || {
                m().map(|m| {
                    let owners = m.owners.clone();
                    let leaks = m.leak_suspects.clone();
                    view! {
                        {(!owners.is_empty()).then(|| view! {
                            <h3>{t!(i18n, alloc.owners)}</h3>
                            <ul class="owners">
                                {owners.into_iter().map(|o| {
                                    let frac = o.quota.map(|q| if q == 0 { 1.0 } else { o.used as f64 / q as f64 }).unwrap_or(0.0);
                                    let quota = o.quota.map(|q| tf!(i18n, alloc.of_quota, quota = human(q))).unwrap_or_else(|| t_string!(i18n, alloc.no_quota).to_owned());
                                    // Full: this owner's next request fails, whatever the pool holds.
                                    let fill = if o.quota.is_none() { "" } else if frac >= 1.0 { "hot" } else if frac >= 0.85 { "warm" } else { "" };
                                    view! {
                                        <li data-testid="owner" data-owner=o.owner.to_string() data-fill=fill>
                                            <span>{format!("{}: {}{}", o.owner, human(o.used), quota)}</span>
                                            <span class=format!("bar {fill}")><span style=format!("width:{:.1}%", (frac * 100.0).min(100.0))></span></span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        })}
                        {m.overcommitted.then(|| view! { <p class="warn">{t!(i18n, alloc.overcommitted)}</p> })}
                        {(!leaks.is_empty()).then(|| view! {
                            <h3>{t!(i18n, alloc.leaks)}</h3>
                            <ul class="leaks">
                                {leaks.into_iter().map(|l| view! {
                                    <li data-testid="leak-suspect">{tf!(i18n, alloc.leak, name = l.name, size = human(l.size), steps = l.idle_steps)}</li>
                                }).collect_view()}
                            </ul>
                        })}
                    }
                })
            }}
            <Failures run=run player=player/>
                </div>
            </aside>
    }
}
