//! The allocator visualizer: pick or write a scenario, run it on the engine, and watch every
//! allocation, release, sweep-merge and compaction, step by step, both ways.
//!
//! State: the editor text, the last good run (one timeline per policy shown), and the
//! player. Everything shown for a step is a [`StepView`] built from the timeline when the
//! step changes; the canvas redraws per animation frame from it.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_engine::{narrate, scenarios, script, Policy, Timeline};
use memlab_size::human;

use crate::components::block_table::BlockTable;
use crate::components::buddy_tree::BuddyTree;
use crate::components::pool_canvas::PoolCanvas;
use crate::components::script_editor::ScriptEditor;
use crate::components::sparkline::Sparkline;
use crate::i18n::{t, t_string, use_i18n};
use crate::lang::{use_lang, Lang};
use crate::nav::Router;
use crate::state::allocator::AllocatorState;
use crate::tf;
use crate::viz::player::{Player, SPEEDS};
use crate::viz::scene::StepView;
use crate::viz::share;
use memlab_text::tr;

/// The most steps a script may expand to in the browser (the CLI allows more).
pub const APP_MAX_STEPS: usize = 300_000;

/// One run of the editor's script: a timeline per policy shown side by side.
#[derive(Debug)]
pub struct Run {
    pub text: String,
    /// The built-in scenario this run shows (its title and note, in the reader's language).
    pub scenario: Option<&'static str>,
    pub timelines: Vec<(Policy, Arc<Timeline>)>,
}

impl Run {
    fn len(&self) -> usize {
        self.timelines.iter().map(|(_, t)| t.len()).max().unwrap_or(0)
    }
}

/// The views of every timeline at one step; equal only to itself (rebuilt per step).
#[derive(Clone, Debug)]
struct Views(Vec<Arc<StepView>>);
impl PartialEq for Views {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| Arc::ptr_eq(a, b))
    }
}

/// Runs `text` under the chosen policies; `Err` is a message for the user.
fn run_script(
    text: &str,
    scenario: Option<&str>,
    policy: Option<Policy>,
    compare: Option<Policy>,
    lang: Lang,
) -> Result<Run, String> {
    let s = script::parse_in(text, lang).map_err(|e| {
        let e = e.describe(lang);
        tr!(lang, "The script has an error — {e}", "脚本有错误——{e}")
    })?;
    let first = policy.unwrap_or(s.pool.policy);
    let mut timelines = Vec::new();
    for p in std::iter::once(first).chain(compare.filter(|c| *c != first)) {
        let mut sp = s.clone();
        sp.pool.policy = p;
        let t = Timeline::run_with_limit(&sp, APP_MAX_STEPS).map_err(|e| {
            let e = e.describe(lang);
            tr!(lang, "Cannot run with {p}: {e}", "无法用 {p} 运行：{e}")
        })?;
        timelines.push((p, Arc::new(t)));
    }
    Ok(Run { text: text.to_owned(), scenario: scenario.and_then(scenarios::get).map(|s| s.id), timelines })
}

/// The options of a policy picker: `none_label` for no policy, then every policy.
fn policy_options(selected: RwSignal<Option<Policy>>, none_label: impl IntoView + 'static) -> impl IntoView {
    let none = view! { <option value="" selected=move || selected.get().is_none()>{none_label}</option> };
    let each = Policy::ALL
        .into_iter()
        .map(|p| view! { <option value=p.name() selected=move || selected.get() == Some(p)>{p.name()}</option> })
        .collect_view();
    (none, each)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

#[component]
pub fn AllocatorPage() -> impl IntoView {
    let router = use_context::<Router>().expect("the shell provides the router");
    let i18n = use_i18n();
    let lang = use_lang();
    let (init, warnings) = AllocatorState::from_route(&router.route.get_untracked());
    let warning = (!warnings.is_empty())
        .then(|| warnings.iter().map(|w| w.message(lang.get_untracked())).collect::<Vec<_>>().join(" "));

    let text = RwSignal::new(init.text.clone());
    let scenario = RwSignal::new(init.scenario);
    let policy = RwSignal::new(init.policy);
    let compare = RwSignal::new(init.compare);
    let run = RwSignal::new(None::<Arc<Run>>);
    let run_error = RwSignal::new(warning.clone());
    let player = RwSignal::new(Player::new(0));

    let parse_error = Memo::new(move |_| text.with(|t| script::parse_in(t, lang.get_untracked()).err()));

    let start = move |keep_step: Option<usize>| {
        let t = text.get_untracked();
        let l = lang.get_untracked();
        match run_script(&t, scenario.get_untracked(), policy.get_untracked(), compare.get_untracked(), l) {
            Ok(r) => {
                let mut p = Player::new(r.len());
                p.speed = player.with_untracked(|p| p.speed);
                p.seek(keep_step.unwrap_or(0));
                player.set(p);
                run.set(Some(Arc::new(r)));
                run_error.set(None);
            }
            Err(e) => run_error.set(Some(e)),
        }
    };
    start(Some(init.step));
    player.update(|p| p.speed = init.speed);
    // A `step` set from outside (a lesson's next step): play there, every step animated.
    let route_step = Memo::new(move |_| {
        router.route.with(|r| r.get("step").and_then(|s| s.parse::<usize>().ok()).unwrap_or(0))
    });
    Effect::watch(
        move || route_step.get(),
        move |target, _, _| {
            // (While playing to an earlier target, a newer one replaces it.)
            if *target != player.with_untracked(|p| p.step) {
                player.update(|p| p.play_to(*target));
            }
        },
        false,
    );
    if let Some(w) = warning {
        run_error.set(Some(w));
    }

    let step = Memo::new(move |_| player.with(|p| p.step));
    let playing = Memo::new(move |_| player.with(|p| p.playing));
    let speed = Memo::new(move |_| player.with(|p| p.speed));
    let progress = Signal::derive(move || player.with(|p| p.progress));
    let len = Memo::new(move |_| run.with(|r| r.as_ref().map_or(0, |r| r.len())));

    let views = Memo::new(move |_| {
        let s = step.get();
        Views(
            run.with(|r| {
                r.as_ref().map(|r| r.timelines.iter().map(|(_, t)| Arc::new(StepView::build(t, s))).collect())
            })
            .unwrap_or_default(),
        )
    });
    let primary = Signal::derive(move || views.with(|v| v.0.first().cloned()));

    // The animation clock: one requestAnimationFrame loop while the page is shown.
    crate::components::frame_loop::every_frame(move |dt| {
        if player.with_untracked(|p| p.playing || p.animating()) {
            player.update(|p| {
                p.tick(dt);
            });
        }
    });

    // Keyboard: space, ←/→, +/−, Home.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::components::keys::not_for_us(&ev) {
            return;
        }
        let handled = match ev.key().as_str() {
            " " => {
                player.update(Player::toggle);
                true
            }
            "ArrowRight" => {
                player.update(Player::forward);
                true
            }
            "ArrowLeft" => {
                player.update(Player::back);
                true
            }
            "+" | "=" => {
                player.update(Player::faster);
                true
            }
            "-" | "_" => {
                player.update(Player::slower);
                true
            }
            "Home" => {
                player.update(Player::reset);
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    });
    on_cleanup(move || keys.remove());

    // The script's share parameter, packed once per run (not once per step: packing a
    // 50,000-line script took tens of milliseconds).
    let shared = Memo::new(move |_| run.with(|r| r.as_ref().map(|r| share::encode(&r.text))));
    // Keep the address bar in step (not on every frame: only when paused).
    Effect::new(move |_| {
        let s = step.get();
        let sp = speed.get();
        let is_playing = playing.get();
        let pol = policy.get();
        let cmp = compare.get();
        let sc = scenario.get();
        let Some(r) = run.get() else { return };
        if is_playing {
            return;
        }
        // The address holds the script that ran, not the editor's unsaved text.
        let state = AllocatorState {
            text: r.text.clone(),
            scenario: sc,
            policy: pol,
            compare: cmp,
            step: s,
            speed: sp,
        };
        router.replace(shared.with(|p| state.to_route(router.route.get_untracked(), p.as_ref())));
    });

    let current_line = Signal::derive(move || primary.get().and_then(|v| v.line));
    let highlight: Signal<Vec<String>> = Signal::derive(move || {
        primary
            .get()
            .map(|v| Timeline::names_in(&v.scene.events).iter().map(|n| n.to_string()).collect())
            .unwrap_or_default()
    });
    let blocks = Signal::derive(move || primary.get().map(|v| v.scene.after.clone()).unwrap_or_default());
    let failed = Signal::derive(move || primary.get().and_then(|v| v.scene.failed()));

    let samples = Memo::new(move |_| {
        run.with(|r| {
            r.as_ref()
                .map(|r| {
                    let t = &r.timelines[0].1;
                    let pool = t.config().size as f64;
                    let s = t.samples();
                    (
                        s.iter().map(|x| x.used as f64).collect::<Vec<_>>(),
                        s.iter().map(|x| x.unreferenced as f64).collect::<Vec<_>>(),
                        s.iter().map(|x| x.largest_free as f64).collect::<Vec<_>>(),
                        s.iter().map(|x| x.fragmentation()).collect::<Vec<_>>(),
                        pool,
                    )
                })
                .unwrap_or_default()
        })
    });

    let on_scenario = move |ev: web_sys::Event| {
        let id = event_target_value(&ev);
        if let Some(s) = scenarios::get(&id) {
            let mut state = AllocatorState {
                text: String::new(),
                scenario: scenario.get_untracked(),
                policy: policy.get_untracked(),
                compare: compare.get_untracked(),
                step: 0,
                speed: 1.0,
            };
            state.choose_scenario(s);
            compare.set(state.compare);
            scenario.set(state.scenario);
            text.set(state.text);
            start(None);
        }
    };
    let on_policy = move |ev: web_sys::Event| {
        policy.set(Policy::parse(&event_target_value(&ev)));
        start(Some(step.get_untracked()));
    };
    let on_compare = move |ev: web_sys::Event| {
        compare.set(Policy::parse(&event_target_value(&ev)));
        start(Some(step.get_untracked()));
    };

    // One policy's failures up to step `s`. A long run can fail thousands of times: the
    // first few and the latest are listed, and the rest counted.
    let failure_items = move |t: &Timeline, s: usize| {
        let e = t.failure_excerpt(s);
        if e.first.is_empty() {
            return view! { <li class="muted">{t!(i18n, alloc.none)}</li> }.into_any();
        }
        let item = |f: &memlab_engine::Failure| {
            view! {
                <li data-testid="failure" data-cause=f.reason data-step=f.step class:now=f.step as usize == s>
                    <b>{memlab_engine::OpError::reason_label(f.reason, lang.get())}</b>
                    " · "
                    <button class="linkish" data-testid="failure-seek" on:click={
                        let k = f.step as usize;
                        move |_| player.update(|p| { p.pause(); p.seek(k); })
                    }>
                        {tf!(i18n, alloc.failure_at, step = f.step, line = f.line)}
                    </button>
                    " · "
                    <code translate="no">{f.op.clone()}</code>
                    <div class="muted small">{f.error.describe(lang.get())}</div>
                </li>
            }
        };
        let gap = e.hidden.map(|(count, from, to)| {
            view! {
                <li class="gap muted" data-testid="failures-hidden">
                    {tf!(i18n, alloc.failures_hidden, count = count, from = from, to = to)}
                </li>
            }
        });
        view! {
            {e.first.iter().map(item).collect_view()}
            {gap}
            {e.latest.iter().map(item).collect_view()}
        }
        .into_any()
    };
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
        <section class="allocator">
            <header class="page-head">
                <div>
                    <h1>{t!(i18n, alloc.title)}</h1>
                    <p class="muted">{t!(i18n, alloc.intro)}</p>
                </div>
                <div class="pickers">
                    <label>
                        {t!(i18n, alloc.scenario)}" "
                        <select data-testid="scenario-select" on:change=on_scenario>
                            {scenarios::ALL
                                .iter()
                                .map(|s| {
                                    let id = s.id;
                                    view! {
                                        <option value=id selected=move || scenario.get() == Some(id)>
                                            {move || s.title_in(lang.get())}
                                        </option>
                                    }
                                })
                                .collect_view()}
                            <option value="" disabled=true selected=move || scenario.get().is_none()>
                                {t!(i18n, alloc.your_script)}
                            </option>
                        </select>
                    </label>
                    <label>
                        {t!(i18n, alloc.policy)}" "
                        <select data-testid="policy-select" on:change=on_policy>
                            {policy_options(policy, t!(i18n, alloc.as_in_script))}
                        </select>
                    </label>
                    <label>
                        {t!(i18n, alloc.compare_with)}" "
                        <select data-testid="compare-select" on:change=on_compare>
                            {policy_options(compare, t!(i18n, alloc.nothing))}
                        </select>
                    </label>
                </div>
            </header>

            {move || run_error.get().map(|e| view! { <p class="banner error" role="alert" data-testid="run-error">{crate::components::rich::rich(&e)}</p> })}

            <div class="alloc-grid">
                <div class="stage card">
                    <div class="stage-head">
                        <div class="step-title" data-testid="step-title">
                            {move || {
                                let s = step.get();
                                let n = len.get();
                                let at = tf!(i18n, alloc.step_of, step = s, steps = n);
                                match run.with(|r| r.as_ref().and_then(|r| r.timelines[0].1.op_at(s).map(|(l, o)| (l, o.to_string())))) {
                                    Some((l, op)) => view! { {at}{tf!(i18n, alloc.line_op, line = l)}<span translate="no">{op}</span> }.into_any(),
                                    None => view! { {at}{t!(i18n, alloc.empty_pool)} }.into_any(),
                                }
                            }}
                        </div>
                    </div>
                    {move || {
                        // One canvas per timeline, kept across steps (rebuilt only on a new run).
                        let shown: Vec<(Policy, Option<u64>, u64)> = run
                            .with(|r| {
                                r.as_ref().map(|r| {
                                    r.timelines
                                        .iter()
                                        .map(|(p, t)| {
                                            (*p, (*p == Policy::Pages).then(|| t.config().page_size), t.config().size)
                                        })
                                        .collect()
                                })
                            })
                            .unwrap_or_default();
                        shown
                            .into_iter()
                            .enumerate()
                            .map(|(i, (pol, page, pool))| {
                                let v = Signal::derive(move || views.with(|v| v.0.get(i).cloned()));
                                let testid = if i == 0 { "pool-canvas" } else { "pool-canvas-compare" };
                                let height = if page.is_some() { 320.0 } else { 220.0 };
                                view! {
                                    <div class="pool-panel">
                                        <div class="pool-caption">
                                            <b>{pol.name()}</b>
                                            <span class="muted">
                                                {move || v.get().map(|v| {
                                                    let mm = &v.metrics;
                                                    tf!(i18n, alloc.caption,
                                                        used = human(mm.used),
                                                        free = human(mm.free),
                                                        blocks = mm.free_blocks,
                                                        largest = human(mm.largest_free),
                                                        frag = pct(mm.fragmentation),
                                                    )
                                                })}
                                                {move || page.map(|p| tf!(i18n, alloc.pages_of, size = human(p)))}
                                            </span>
                                        </div>
                                        <PoolCanvas
                                            view=v
                                            progress=progress
                                            page=Signal::derive(move || page)
                                            highlight=Signal::derive(move || if i == 0 { highlight.get().first().cloned() } else { None })
                                            testid=testid
                                            height=height
                                        />
                                        // A buddy pool also gets its tree: which block was halved from which.
                                        {(pol == Policy::Buddy).then(|| {
                                            let blocks = Signal::derive(move || v.with(|v| v.as_ref().map(|v| v.scene.after.clone()).unwrap_or_default()));
                                            view! { <BuddyTree blocks=blocks pool=Signal::derive(move || pool)/> }
                                        })}
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                    <div class="legend" aria-hidden="true">
                        <span><i class="sw live"></i>{t!(i18n, alloc.legend_live)}</span>
                        <span><i class="sw unreferenced"></i>{t!(i18n, alloc.legend_unref)}</span>
                        <span><i class="sw free"></i>{t!(i18n, alloc.legend_free)}</span>
                        <span><i class="sw fail"></i>{t!(i18n, alloc.legend_fail)}</span>
                        <span><i class="sw owner"></i>{t!(i18n, alloc.legend_owner)}</span>
                    </div>
                    <div class="controls" role="group" aria-label=move || t_string!(i18n, alloc.playback)>
                        <button data-testid="reset" title=move || t_string!(i18n, alloc.reset_title) on:click=move |_| player.update(Player::reset)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3 2h2v12H3zM14 2v12L6 8z" fill="currentColor"/></svg><span class="sr">{t!(i18n, alloc.reset)}</span></button>
                        <button data-testid="step-back" title=move || t_string!(i18n, alloc.back_title) on:click=move |_| player.update(Player::back)>{t!(i18n, alloc.back)}</button>
                        <button data-testid="play" class="primary" title=move || t_string!(i18n, alloc.play_title) disabled=move || playing.get() on:click=move |_| player.update(Player::play)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 2l10 6-10 6z" fill="currentColor"/></svg>" "{t!(i18n, alloc.play)}</button>
                        <button data-testid="pause" title=move || t_string!(i18n, alloc.pause_title) disabled=move || !playing.get() on:click=move |_| player.update(Player::pause)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3 2h4v12H3zM9 2h4v12H9z" fill="currentColor"/></svg>" "{t!(i18n, alloc.pause)}</button>
                        <button data-testid="step" title=move || t_string!(i18n, alloc.forward_title) on:click=move |_| player.update(Player::forward)>{t!(i18n, alloc.forward)}</button>
                        <input
                            type="range"
                            class="timeline"
                            data-testid="timeline"
                            aria-label=move || t_string!(i18n, alloc.timeline)
                            min="0"
                            max=move || len.get().to_string()
                            prop:value=move || step.get().to_string()
                            on:input=move |ev| {
                                if let Ok(s) = event_target_value(&ev).parse::<usize>() {
                                    player.update(|p| {
                                        p.pause();
                                        p.seek(s);
                                    });
                                }
                            }
                        />
                        <label class="speed">
                            {t!(i18n, alloc.speed)}" "
                            <select
                                data-testid="speed"
                                on:change=move |ev| {
                                    if let Ok(s) = event_target_value(&ev).parse::<f64>() {
                                        player.update(|p| p.speed = s);
                                    }
                                }
                            >
                                {SPEEDS
                                    .into_iter()
                                    .map(|s| view! { <option value=s.to_string() selected=move || speed.get() == s>{format!("{s}×")}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                    </div>
                    <p class="hint muted">{t!(i18n, alloc.keys)}</p>
                </div>

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
                        <h3>{t!(i18n, alloc.failures)}</h3>
                        {move || {
                            let s = step.get();
                            run.with(|r| {
                                let Some(r) = r.as_ref() else { return ().into_any() };
                                // Side by side, each policy's failures under its name.
                                let named = r.timelines.len() > 1;
                                r.timelines
                                    .iter()
                                    .map(|(policy, t)| view! {
                                        {named.then(|| view! { <h4 class="fail-policy">{policy.name()}</h4> })}
                                        <ul class="failures" data-policy=policy.name()>{failure_items(t, s)}</ul>
                                    })
                                    .collect_view()
                                    .into_any()
                            })
                        }}
                    </div>
                </aside>
            </div>

            <div class="alloc-lower">
                <div class="card log">
                    <h2>{t!(i18n, alloc.what_happened)}</h2>
                    <ol class="events" data-testid="event-log">
                        {move || {
                            primary.get().map(|v| {
                                if v.scene.events.is_empty() {
                                    return view! { <li class="muted">{t!(i18n, alloc.ready)}</li> }.into_any();
                                }
                                let said = narrate::step_sentences(&v.scene.events, lang.get(), v.engine.config().policy);
                                v.scene.events.iter().zip(said).map(|(e, sentence)| {
                                    let fail = matches!(e, memlab_engine::Event::Fail { .. });
                                    view! { <li class:fail=fail>{sentence}</li> }
                                }).collect_view().into_any()
                            })
                        }}
                    </ol>
                    <h3>{t!(i18n, alloc.earlier)}</h3>
                    <ol class="history">
                        {move || {
                            let s = step.get();
                            run.with(|r| r.as_ref().map(|r| {
                                let t = &r.timelines[0].1;
                                (s.saturating_sub(12).max(1)..s).rev().filter_map(|k| t.op_at(k).map(|(l, op)| {
                                    let failed = t.failure_at(k).map(|f| f.reason);
                                    view! {
                                        <li>
                                            <button class="linkish" on:click=move |_| player.update(|p| { p.pause(); p.seek(k); })>
                                                {tf!(i18n, alloc.history_item, step = k, line = l)}<code translate="no">{op.to_string()}</code>
                                            </button>
                                            {failed.map(|r| view! { <span class="fail-tag">{memlab_engine::OpError::reason_label(r, lang.get())}</span> })}
                                        </li>
                                    }
                                })).collect_view()
                            }))
                        }}
                    </ol>
                </div>
                <div class="card script">
                    <h2>{move || match run.with(|r| r.as_ref().map(|r| r.scenario)).flatten().and_then(scenarios::get) {
                        Some(s) => s.title_in(lang.get()),
                        None => t_string!(i18n, alloc.your_script).to_owned(),
                    }}</h2>
                    <p class="about" data-testid="scenario-about">{move || match run.with(|r| r.as_ref().map(|r| r.scenario)).flatten().and_then(scenarios::get) {
                        Some(s) => s.about_in(lang.get()),
                        None => t_string!(i18n, alloc.your_script_about).to_owned(),
                    }}</p>
                    <ScriptEditor text=text current_line=current_line error=Signal::derive(move || parse_error.get())/>
                    <div class="editor-actions">
                        <button class="primary" data-testid="run-script" on:click=move |_| {
                            if scenario.get_untracked().and_then(scenarios::get).is_none_or(|s| s.text != text.get_untracked()) {
                                scenario.set(None);
                            }
                            start(None);
                        }>{t!(i18n, alloc.run)}</button>
                        <span class="muted small">{t!(i18n, alloc.run_hint)}</span>
                    </div>
                </div>
            </div>

            <div class="card">
                <BlockTable blocks=blocks highlight=highlight failed=failed/>
                {move || views.with(|v| v.0.get(1).map(|c| {
                    let m = &c.metrics;
                    view! {
                        <p class="muted" data-testid="compare-summary">
                            {tf!(i18n, alloc.compared, free = human(m.free), blocks = m.free_blocks, largest = human(m.largest_free), failures = m.failures.values().sum::<u64>())}
                        </p>
                    }
                }))}
            </div>
        </section>
    }
}
