//! The allocator visualizer: pick or write a scenario, run it on the engine, and watch every
//! allocation, release, sweep-merge and compaction, step by step, both ways.
//!
//! State: the editor text, the last good run (one timeline per policy shown), and the
//! player. Everything shown for a step is a [`StepView`] built from the timeline when the
//! step changes; the canvas redraws per animation frame from it.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_engine::{scenarios, script, Policy, Timeline};
use memlab_size::human;

mod controls;
mod events;
mod failures;
mod metrics;

use controls::Controls;
use events::EventLog;
use metrics::SidePanel;

use crate::components::block_table::BlockTable;
use crate::components::buddy_tree::BuddyTree;
use crate::components::pool_canvas::PoolCanvas;
use crate::components::script_editor::ScriptEditor;
use crate::i18n::{t, t_string, use_i18n};
use crate::lang::{use_lang, Lang};
use crate::nav::Router;
use crate::state::allocator::AllocatorState;
use crate::tf;
use crate::viz::player::Player;
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

/// The run's sparkline series (used, unreferenced, largest free, fragmentation) and the
/// pool size.
pub type Samples = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, f64);

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

    // (A memo: the editor scrolls, and measures itself, only when the line changes.)
    let current_line = Memo::new(move |_| primary.get().and_then(|v| v.line));
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
                    <Controls player=player len=len/>
                    <p class="hint muted">{t!(i18n, alloc.keys)}</p>
                </div>

                <SidePanel primary=primary samples=samples run=run player=player/>
            </div>

            <div class="alloc-lower">
                <EventLog primary=primary run=run player=player/>
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

            <div class="card blocks-card">
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
