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

use crate::app::Router;
use crate::components::block_table::BlockTable;
use crate::components::pool_canvas::PoolCanvas;
use crate::components::script_editor::ScriptEditor;
use crate::components::sparkline::Sparkline;
use crate::viz::player::{Player, SPEEDS};
use crate::viz::scene::StepView;
use crate::viz::share;

/// The most steps a script may expand to in the browser (the CLI allows more).
pub const APP_MAX_STEPS: usize = 300_000;

/// One run of the editor's script: a timeline per policy shown side by side.
#[derive(Debug)]
pub struct Run {
    pub text: String,
    pub title: String,
    pub about: String,
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

/// What the address bar says about the allocator.
struct Initial {
    text: String,
    scenario: Option<&'static str>,
    policy: Option<Policy>,
    compare: Option<Policy>,
    step: Option<usize>,
    speed: Option<f64>,
    warning: Option<String>,
}

fn initial(route: &crate::route::Route) -> Initial {
    let mut warning = None;
    let mut scenario = route.get("scenario").and_then(|id| {
        let s = scenarios::get(id);
        if s.is_none() {
            warning =
                Some(format!("There is no built-in scenario '{id}'; showing the seed example instead."));
        }
        s
    });
    let text = if let Some(t) = route.get("script") {
        scenario = None;
        Some(t.to_owned())
    } else if let Some(z) = route.get("scriptz") {
        match share::decode_compressed(z) {
            Ok(t) => {
                scenario = None;
                Some(t)
            }
            Err(e) => {
                warning = Some(e.to_string());
                None
            }
        }
    } else {
        None
    };
    let scenario = if text.is_none() { Some(scenario.unwrap_or(&scenarios::ALL[0])) } else { None };
    Initial {
        text: text.unwrap_or_else(|| scenario.map(|s| s.text.to_owned()).unwrap_or_default()),
        scenario: scenario.map(|s| s.id),
        policy: route.get("policy").and_then(Policy::parse),
        compare: route.get("compare").and_then(Policy::parse),
        step: route.get("step").and_then(|s| s.parse().ok()),
        speed: route.get("speed").and_then(|s| s.parse().ok()).filter(|s| SPEEDS.contains(s)),
        warning,
    }
}

/// Runs `text` under the chosen policies; `Err` is a message for the user.
fn run_script(
    text: &str,
    scenario: Option<&str>,
    policy: Option<Policy>,
    compare: Option<Policy>,
) -> Result<Run, String> {
    let s = script::parse(text).map_err(|e| format!("The script has an error — {e}"))?;
    let first = policy.unwrap_or(s.pool.policy);
    let mut timelines = Vec::new();
    for p in std::iter::once(first).chain(compare.filter(|c| *c != first)) {
        let mut sp = s.clone();
        sp.pool.policy = p;
        let t =
            Timeline::run_with_limit(&sp, APP_MAX_STEPS).map_err(|e| format!("Cannot run with {p}: {e}"))?;
        timelines.push((p, Arc::new(t)));
    }
    let sc = scenario.and_then(scenarios::get);
    Ok(Run {
        text: text.to_owned(),
        title: sc.map(|s| s.title()).unwrap_or_else(|| "Your script".to_owned()),
        about: sc.map(|s| s.about()).unwrap_or_else(|| {
            "Edit the script and press Run. Step through it to see each operation's effect.".to_owned()
        }),
        timelines,
    })
}

/// The options of a policy picker: `none_label` for no policy, then every policy.
fn policy_options(selected: RwSignal<Option<Policy>>, none_label: &'static str) -> impl IntoView {
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
    let init = initial(&router.route.get_untracked());

    let text = RwSignal::new(init.text.clone());
    let scenario = RwSignal::new(init.scenario);
    let policy = RwSignal::new(init.policy);
    let compare = RwSignal::new(init.compare);
    let run = RwSignal::new(None::<Arc<Run>>);
    let run_error = RwSignal::new(init.warning.clone());
    let player = RwSignal::new(Player::new(0));

    let parse_error = Memo::new(move |_| text.with(|t| script::parse(t).err()));

    let start = move |keep_step: Option<usize>| {
        let t = text.get_untracked();
        match run_script(&t, scenario.get_untracked(), policy.get_untracked(), compare.get_untracked()) {
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
    start(init.step);
    if let Some(s) = init.speed {
        player.update(|p| p.speed = s);
    }
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
    if let Some(w) = init.warning {
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
        let mut route = router.route.get_untracked();
        for k in ["script", "scriptz", "scenario", "policy", "compare", "step", "speed"] {
            route = route.with(k, None);
        }
        route = match sc {
            Some(id) if scenarios::get(id).is_some_and(|x| x.text == r.text) => {
                route.with("scenario", Some(id))
            }
            _ => {
                let (k, v) = share::encode(&r.text);
                route.with(k, Some(&v))
            }
        };
        route = route.with("policy", pol.map(Policy::name));
        route = route.with("compare", cmp.map(Policy::name));
        if s > 0 {
            route = route.with("step", Some(&s.to_string()));
        }
        if sp != 1.0 {
            route = route.with("speed", Some(&sp.to_string()));
        }
        router.replace(route);
    });

    let current_line = Signal::derive(move || primary.get().and_then(|v| v.line));
    let highlight: Signal<Vec<String>> = Signal::derive(move || {
        primary
            .get()
            .map(|v| Timeline::names_in(&v.scene.events).iter().map(|n| n.to_string()).collect())
            .unwrap_or_default()
    });
    let blocks = Signal::derive(move || primary.get().map(|v| v.scene.after.clone()).unwrap_or_default());

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
            scenario.set(Some(s.id));
            text.set(s.text.to_owned());
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
                    <h1>"Allocator"</h1>
                    <p class="muted">
                        "A pool carved into blocks: allocation policies, reference counting, mark-sweep merging, compaction, quotas and Flink's pages."
                    </p>
                </div>
                <div class="pickers">
                    <label>
                        "Scenario "
                        <select data-testid="scenario-select" on:change=on_scenario>
                            {scenarios::ALL
                                .iter()
                                .map(|s| {
                                    let id = s.id;
                                    view! {
                                        <option value=id selected=move || scenario.get() == Some(id)>
                                            {s.title()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                            <option value="" disabled=true selected=move || scenario.get().is_none()>
                                "Your script"
                            </option>
                        </select>
                    </label>
                    <label>
                        "Policy "
                        <select data-testid="policy-select" on:change=on_policy>
                            {policy_options(policy, "as in the script")}
                        </select>
                    </label>
                    <label>
                        "Compare with "
                        <select data-testid="compare-select" on:change=on_compare>
                            {policy_options(compare, "nothing")}
                        </select>
                    </label>
                </div>
            </header>

            {move || run_error.get().map(|e| view! { <p class="banner error" role="alert" data-testid="run-error">{e}</p> })}

            <div class="alloc-grid">
                <div class="stage card">
                    <div class="stage-head">
                        <div class="step-title" data-testid="step-title">
                            {move || {
                                let s = step.get();
                                let n = len.get();
                                let op = run
                                    .with(|r| {
                                        r.as_ref().and_then(|r| r.timelines[0].1.op_at(s).map(|(l, o)| format!("line {l} · {o}")))
                                    })
                                    .unwrap_or_else(|| "the empty pool".into());
                                format!("Step {s} of {n} · {op}")
                            }}
                        </div>
                    </div>
                    {move || {
                        // One canvas per timeline, kept across steps (rebuilt only on a new run).
                        let shown: Vec<(Policy, Option<u64>)> = run
                            .with(|r| {
                                r.as_ref().map(|r| {
                                    r.timelines
                                        .iter()
                                        .map(|(p, t)| (*p, (*p == Policy::Pages).then(|| t.config().page_size)))
                                        .collect()
                                })
                            })
                            .unwrap_or_default();
                        shown
                            .into_iter()
                            .enumerate()
                            .map(|(i, (pol, page))| {
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
                                                    format!(
                                                        "{} used · {} free in {} block(s) · largest free {} · fragmentation {}",
                                                        human(mm.used),
                                                        human(mm.free),
                                                        mm.free_blocks,
                                                        human(mm.largest_free),
                                                        pct(mm.fragmentation),
                                                    )
                                                })}
                                                {page.map(|p| format!(" · pages of {}", human(p)))}
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
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                    <div class="legend" aria-hidden="true">
                        <span><i class="sw live"></i>"live"</span>
                        <span><i class="sw unreferenced"></i>"unreferenced (refcount 0, awaiting sweep)"</span>
                        <span><i class="sw free"></i>"free"</span>
                        <span><i class="sw fail"></i>"failed request"</span>
                        <span><i class="sw owner"></i>"top stripe: owner"</span>
                    </div>
                    <div class="controls" role="group" aria-label="Playback">
                        <button data-testid="reset" title="Reset (Home)" on:click=move |_| player.update(Player::reset)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3 2h2v12H3zM14 2v12L6 8z" fill="currentColor"/></svg><span class="sr">"Reset"</span></button>
                        <button data-testid="step-back" title="Step back (←)" on:click=move |_| player.update(Player::back)>"◀ Step"</button>
                        <button data-testid="play" class="primary" title="Play (space)" disabled=move || playing.get() on:click=move |_| player.update(Player::play)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 2l10 6-10 6z" fill="currentColor"/></svg>" Play"</button>
                        <button data-testid="pause" title="Pause (space)" disabled=move || !playing.get() on:click=move |_| player.update(Player::pause)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3 2h4v12H3zM9 2h4v12H9z" fill="currentColor"/></svg>" Pause"</button>
                        <button data-testid="step" title="Step forward (→)" on:click=move |_| player.update(Player::forward)>"Step ▶"</button>
                        <input
                            type="range"
                            class="timeline"
                            data-testid="timeline"
                            aria-label="Timeline: step"
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
                            "Speed "
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
                    <p class="hint muted">"Keys: space play/pause · ← → step · + − speed · Home reset. Hover a block for details."</p>
                </div>

                <aside class="side">
                    <div class="card metrics">
                        <h2>"Metrics"</h2>
                        <div class="metric-grid">
                            {metric("metric-used", "used", Box::new(move || m().map(|m| (human(m.used), m.used.to_string())).unwrap_or_default()))}
                            {metric("metric-free", "free", Box::new(move || m().map(|m| (human(m.free), m.free.to_string())).unwrap_or_default()))}
                            {metric("metric-unreferenced", "unreferenced", Box::new(move || m().map(|m| (human(m.unreferenced), m.unreferenced.to_string())).unwrap_or_default()))}
                            {metric("metric-largest-free", "largest free", Box::new(move || m().map(|m| (human(m.largest_free), m.largest_free.to_string())).unwrap_or_default()))}
                            {metric("metric-fragmentation", "fragmentation", Box::new(move || m().map(|m| (pct(m.fragmentation), format!("{:.6}", m.fragmentation))).unwrap_or_default()))}
                            {metric("metric-free-blocks", "free blocks", Box::new(move || m().map(|m| (m.free_blocks.to_string(), m.free_blocks.to_string())).unwrap_or_default()))}
                            {metric("metric-waste", "internal waste", Box::new(move || m().map(|m| (human(m.internal_waste), m.internal_waste.to_string())).unwrap_or_default()))}
                            {metric("metric-live-blocks", "live blocks", Box::new(move || m().map(|m| (m.live_blocks.to_string(), m.live_blocks.to_string())).unwrap_or_default()))}
                        </div>
                        <div class="sparks">
                            <Sparkline values=Signal::derive(move || samples.with(|s| s.0.clone())) max=Signal::derive(move || samples.with(|s| s.4)) cursor=step label="used" value_text=Signal::derive(move || m().map(|m| human(m.used)).unwrap_or_default()) class="live" testid="chart-used"/>
                            <Sparkline values=Signal::derive(move || samples.with(|s| s.1.clone())) max=Signal::derive(move || samples.with(|s| s.4)) cursor=step label="unreferenced" value_text=Signal::derive(move || m().map(|m| human(m.unreferenced)).unwrap_or_default()) class="unref" testid="chart-unreferenced"/>
                            <Sparkline values=Signal::derive(move || samples.with(|s| s.2.clone())) max=Signal::derive(move || samples.with(|s| s.4)) cursor=step label="largest free block" value_text=Signal::derive(move || m().map(|m| human(m.largest_free)).unwrap_or_default()) class="free" testid="chart-largest-free"/>
                            <Sparkline values=Signal::derive(move || samples.with(|s| s.3.clone())) max=Signal::derive(|| 1.0) cursor=step label="fragmentation" value_text=Signal::derive(move || m().map(|m| pct(m.fragmentation)).unwrap_or_default()) class="fail" testid="chart-fragmentation"/>
                        </div>
                        {move || {
                            m().map(|m| {
                                let owners = m.owners.clone();
                                let leaks = m.leak_suspects.clone();
                                view! {
                                    {(!owners.is_empty()).then(|| view! {
                                        <h3>"Owners vs quota"</h3>
                                        <ul class="owners">
                                            {owners.into_iter().map(|o| {
                                                let frac = o.quota.map(|q| if q == 0 { 1.0 } else { o.used as f64 / q as f64 }).unwrap_or(0.0);
                                                let quota = o.quota.map(|q| format!(" of {}", human(q))).unwrap_or_else(|| " (no quota)".into());
                                                view! {
                                                    <li data-testid="owner" data-owner=o.owner.to_string()>
                                                        <span>{format!("{}: {}{}", o.owner, human(o.used), quota)}</span>
                                                        <span class="bar"><span style=format!("width:{:.1}%", (frac * 100.0).min(100.0))></span></span>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    })}
                                    {m.overcommitted.then(|| view! { <p class="warn">"The executors' fractions add up to more than 1: overcommitted."</p> })}
                                    {(!leaks.is_empty()).then(|| view! {
                                        <h3>"Leak suspects"</h3>
                                        <ul class="leaks">
                                            {leaks.into_iter().map(|l| view! {
                                                <li data-testid="leak-suspect">{format!("{} ({}) untouched for {} steps", l.name, human(l.size), l.idle_steps)}</li>
                                            }).collect_view()}
                                        </ul>
                                    })}
                                }
                            })
                        }}
                        <h3>"Failures so far"</h3>
                        <ul class="failures">
                            {move || {
                                let s = step.get();
                                run.with(|r| {
                                    let fs: Vec<_> = r.as_ref().map(|r| r.timelines[0].1.failures().iter().filter(|f| f.step as usize <= s).cloned().collect()).unwrap_or_default();
                                    if fs.is_empty() {
                                        return view! { <li class="muted">"none"</li> }.into_any();
                                    }
                                    fs.into_iter().map(|f| view! {
                                        <li data-testid="failure" data-cause=f.reason data-step=f.step class:now=f.step as usize == s>
                                            <b>{f.reason}</b>
                                            {format!(" · step {} · line {} · {}", f.step, f.line, f.op)}
                                            <div class="muted small">{f.message.clone()}</div>
                                        </li>
                                    }).collect_view().into_any()
                                })
                            }}
                        </ul>
                    </div>
                </aside>
            </div>

            <div class="alloc-lower">
                <div class="card log">
                    <h2>"What happened"</h2>
                    <ol class="events" data-testid="event-log">
                        {move || {
                            primary.get().map(|v| {
                                if v.scene.events.is_empty() {
                                    return view! { <li class="muted">"The pool is ready: one free block spans it all. Press Step or Play."</li> }.into_any();
                                }
                                v.scene.events.iter().map(|e| {
                                    let fail = matches!(e, memlab_engine::Event::Fail { .. });
                                    view! { <li class:fail=fail>{narrate::sentence(e)}</li> }
                                }).collect_view().into_any()
                            })
                        }}
                    </ol>
                    <h3>"Earlier steps"</h3>
                    <ol class="history">
                        {move || {
                            let s = step.get();
                            run.with(|r| r.as_ref().map(|r| {
                                let t = &r.timelines[0].1;
                                (s.saturating_sub(12).max(1)..s).rev().filter_map(|k| t.op_at(k).map(|(l, op)| {
                                    let failed = t.failures().iter().find(|f| f.step as usize == k).map(|f| f.reason);
                                    view! {
                                        <li>
                                            <button class="linkish" on:click=move |_| player.update(|p| { p.pause(); p.seek(k); })>
                                                {format!("step {k} · line {l} · {op}")}
                                            </button>
                                            {failed.map(|r| view! { <span class="fail-tag">{r}</span> })}
                                        </li>
                                    }
                                })).collect_view()
                            }))
                        }}
                    </ol>
                </div>
                <div class="card script">
                    <h2>{move || run.with(|r| r.as_ref().map(|r| r.title.clone()).unwrap_or_default())}</h2>
                    <p class="about" data-testid="scenario-about">{move || run.with(|r| r.as_ref().map(|r| r.about.clone()).unwrap_or_default())}</p>
                    <ScriptEditor text=text current_line=current_line error=Signal::derive(move || parse_error.get())/>
                    <div class="editor-actions">
                        <button class="primary" data-testid="run-script" on:click=move |_| {
                            if scenario.get_untracked().and_then(scenarios::get).is_none_or(|s| s.text != text.get_untracked()) {
                                scenario.set(None);
                            }
                            start(None);
                        }>"Run script"</button>
                        <span class="muted small">"Runs the text above from step 0. The link in the address bar opens this exact script and step."</span>
                    </div>
                </div>
            </div>

            <div class="card">
                <BlockTable blocks=blocks highlight=highlight/>
                {move || views.with(|v| v.0.get(1).map(|c| {
                    let m = &c.metrics;
                    view! {
                        <p class="muted" data-testid="compare-summary">
                            {format!("Compared policy: {} free in {} block(s), largest {}, {} failure(s) so far.", human(m.free), m.free_blocks, human(m.largest_free), m.failures.values().sum::<u64>())}
                        </p>
                    }
                }))}
            </div>
        </section>
    }
}
