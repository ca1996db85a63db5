//! Live cluster: connect to a Flink cluster's REST API (polled with gloo-net), or open a
//! recording (the bundled one from a real Flink 2.3.0 cluster, a file, or `?recording=URL`),
//! and see every TaskManager's pools used vs configured over time. Every poll is kept as
//! raw responses in a [`Recording`], which exports as `.memlab.json` and replays the same.

use leptos::prelude::*;
use memlab_text::tr;

use crate::i18n::{t, t_string, use_i18n};
use crate::lang::{flink_term, Lang};
use crate::tf;
use memlab_flink::cluster::{self, Gauge};
use memlab_flink::recording::Snapshot;
use memlab_size::human;

use crate::components::memory_model::{diagram, jm_leaves};
use crate::components::sparkline::Sparkline;
use crate::nav::Router;
use crate::session::{Session, Source, BUNDLED, INTERVALS_S};
use crate::state::cluster::ClusterState;
use crate::viz::player::Player;

mod jvm;
mod tm_card;
mod tm_list;

use jvm::JvmTables;
use tm_card::{bar, TmCardView};
use tm_list::TmList;

/// A cluster with up to this many TaskManagers shows a card for each; a larger one shows
/// the list of all, with cards for the riskiest ([`RISKIEST_CARDS`]) and the ones opened.
const ALL_CARDS_MAX: usize = 12;
const RISKIEST_CARDS: usize = 6;

/// A warning for Flink versions older than the REST API memlab reads (1.17+).
fn old_flink(version: &str, lang: Lang) -> Option<String> {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next()?, parts.next().unwrap_or(0));
    (major < 1 || (major == 1 && minor < 17)).then(|| {
        tr!(lang, "This cluster runs Flink {version}; memlab reads the REST API of Flink 1.17 and later, so some values may be missing or differ.", "该集群运行 Flink {version}；memlab 读取的是 Flink 1.17 及以后版本的 REST API，部分数值可能缺失或不同。")
    })
}

#[component]
pub fn ClusterPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = crate::lang::current();
    let router = use_context::<Router>().expect("the shell provides the router");
    let start = router.route.get_untracked();
    let init = ClusterState::from_route(&start);
    let url = RwSignal::new(init.url);
    // The REST API does not expose taskmanager.memory.segment-size: 32 KiB unless set here.
    let segment = RwSignal::new(init.segment);
    // The session outlives this page: a live connection keeps polling while the Diagnosis
    // page reads it, until Stop or a new connection.
    let session = expect_context::<Session>();
    let Session { source, recording, snapshots, problem, loading, interval, .. } = session;
    if let Some(i) = init.interval {
        interval.set(i);
    }
    // None: follow the newest poll. `?at=N` opens at poll N (links from Diagnosis evidence).
    let start_at = init.at;
    // The replay cursor (the allocator's player, a poll per step), and whether the page
    // follows the newest poll instead.
    let last_poll = move || snapshots.with_untracked(|s| s.len().saturating_sub(1));
    let replay = RwSignal::new({
        let mut p = Player::replay(last_poll());
        p.seek(start_at.unwrap_or(0));
        p
    });
    let follow = RwSignal::new(start_at.is_none());
    // Shows poll `i`, paused.
    let show = move |i: usize| {
        follow.set(false);
        replay.update(|p| {
            p.len = last_poll();
            p.pause();
            p.seek(i);
        });
    };
    let follow_newest = move || {
        replay.update(Player::pause);
        follow.set(true);
    };
    // A newly opened recording starts at its end — except the one the address asked for
    // with `at=` (a lesson step, a link from the Diagnosis page), which opens there.
    let start_recording = start.get("recording").map(|r| Source::File(r.to_owned()));
    Effect::watch(
        move || source.get(),
        move |s, _, _| match start_at.filter(|_| Some(s) == start_recording.as_ref()) {
            Some(at) => show(at),
            None => follow_newest(),
        },
        false,
    );
    let replay_step = Memo::new(move |_| replay.with(|p| p.step));
    let replaying = Memo::new(move |_| replay.with(|p| p.playing));
    let replay_speed = Memo::new(move |_| replay.with(|p| p.speed));
    // Following the newest poll shows the newest *good* one: when the cluster stops
    // answering, the last data stays visible (the failed polls are still recorded).
    let index = Signal::derive(move || {
        snapshots.with(|s| {
            let n = s.len();
            if follow.get() {
                s.iter().rposition(|x| x.overview.is_some()).unwrap_or(n.saturating_sub(1))
            } else {
                replay_step.get().min(n.saturating_sub(1))
            }
        })
    });
    let current = Memo::new(move |_| snapshots.with(|s| s.get(index.get()).cloned()));
    // The session's diagnosis (the Diagnosis page's findings), for the badges and the order.
    let report = session.report;
    let view_at = Memo::new(move |_| snapshots.with(|s| cluster::at(s, index.get())));
    // Play / pause; as in the allocator, Play on the last poll starts again from the first.
    let toggle_replay = move || {
        if follow.get_untracked() {
            show(last_poll());
        }
        replay.update(|p| {
            p.len = last_poll();
            p.toggle();
        });
    };
    // Keys, as in the allocator: space play/pause, ←/→ previous/next poll.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::components::keys::not_for_us(&ev)
            || matches!(source.get_untracked(), Source::Live(_) | Source::None)
        {
            return;
        }
        let at = index.get_untracked();
        match ev.key().as_str() {
            " " => toggle_replay(),
            "ArrowRight" => show(at + 1),
            "ArrowLeft" => show(at.saturating_sub(1)),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());
    // The replay stops as it shows the last poll.
    crate::components::frame_loop::every_frame(move |dt| {
        if replay.with_untracked(|p| p.playing) {
            replay.update(|p| {
                p.tick(dt);
            });
        }
    });

    let connect = move |base: String| {
        follow_newest();
        session.connect(base);
    };
    let stop = move || session.stop();

    // A window of the cluster's past from Prometheus (`?prometheus=URL&range=&end=`).
    let start_prom = match crate::state::cluster::Open::from_route(&start) {
        Some(crate::state::cluster::Open::Prometheus(w)) => w,
        _ => Default::default(),
    };
    let prom_url = RwSignal::new(start_prom.url.clone());
    let prom_range = RwSignal::new(start_prom.range.clone().unwrap_or_else(|| "1h".into()));
    let prom_end = RwSignal::new(start_prom.end.clone().unwrap_or_default());
    let prom_with_cluster = RwSignal::new(start_prom.cluster.is_some());
    let prom_tm_label = RwSignal::new(start_prom.tm_label.clone().unwrap_or_default());
    let prom_header_text = RwSignal::new(
        session.prom_header.get_untracked().map(|(k, v)| format!("{k}: {v}")).unwrap_or_default(),
    );
    let read_prometheus = move || {
        let h = prom_header_text.get_untracked();
        let header = match h.trim() {
            "" => None,
            t => match t.split_once(':') {
                Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(' ') => {
                    Some((k.trim().to_owned(), v.trim().to_owned()))
                }
                _ => {
                    session.problem.set(Some(tr!(
                        lang,
                        "'{t}' is not a header: write 'Name: value', e.g. 'Authorization: Bearer …'",
                        "'{t}' 不是请求头：请写成 'Name: value'，例如 'Authorization: Bearer …'"
                    )));
                    return;
                }
            },
        };
        session.prom_header.set(header);
        follow_newest();
        let end = prom_end.get_untracked();
        session.open_prometheus(crate::state::cluster::PromWindow {
            url: prom_url.get_untracked(),
            range: Some(prom_range.get_untracked()),
            end: (!end.trim().is_empty()).then(|| end.trim().to_owned()),
            cluster: prom_with_cluster.get_untracked().then(|| url.get_untracked()),
            tm_label: Some(prom_tm_label.get_untracked().trim().to_owned())
                .filter(|l| !l.is_empty() && l != memlab_flink::promapi::TM_LABEL),
        });
    };

    let open_url = move |u: String| session.open_url(u);
    let open_file = move |f: web_sys::File| session.open_file(f);

    let export = move || {
        if let Some(r) = recording.get_untracked() {
            match r.to_json() {
                Ok(text) => {
                    crate::components::download::download("session.memlab.json", "application/json", &text)
                }
                Err(e) => session.problem.set(Some(e.to_string())),
            }
        }
    };

    // Start from the address bar: ?cluster=URL connects, ?recording=URL opens (unless the
    // session already holds it, e.g. when coming back from Diagnosis).
    session.open_from_route(&start);

    let status = move || match source.get() {
        Source::None => t_string!(i18n, cluster.status_none).to_owned(),
        Source::Live(u) => {
            tf!(
                i18n,
                cluster.status_live,
                url = u,
                every = interval.get(),
                polls = snapshots.with(|s| s.len())
            )
        }
        Source::Prometheus(u) => session.prometheus_status(&u, lang),
        Source::File(l) => recording.with(|r| {
            r.as_ref()
                .map(|r| {
                    if r.is_prometheus() {
                        let (n, span) = snapshots.with(|s| {
                            (s.len(), s.first().zip(s.last()).map_or(0, |(a, b)| b.t - a.t) as f64 / 1000.0)
                        });
                        return tr!(
                            lang,
                            "{l}: a Prometheus window of {n} steps over {}",
                            "{l}：Prometheus 窗口，{} 内共 {n} 步",
                            lang.duration(span)
                        );
                    }
                    tf!(
                        i18n,
                        cluster.status_file,
                        file = l,
                        polls = r.polls.len(),
                        span = lang.duration(r.duration_s())
                    )
                })
                .unwrap_or_default()
        }),
    };

    // One card per TaskManager id, kept while the replay moves: only its values change.
    // Whether the JobManager card's JVM details are open (the card is rebuilt each poll).
    let jm_open = RwSignal::new(false);
    // A large cluster: the cards opened from the list, the list's rows in view.
    let opened = RwSignal::new(Vec::<String>::new());
    let in_view = RwSignal::new(Vec::<String>::new());
    let large = Memo::new(move |_| view_at.with(|(cs, _)| cs.len() > ALL_CARDS_MAX));
    let card_ids = Memo::new(move |_| {
        // Small multiples sorted by risk: worst finding first, then fullest.
        report.with(|r| {
            view_at.with(|(cs, _)| {
                let by_risk = cluster::arrange(cs, "", cluster::TmOrder::Risk, |id| r.risk(id));
                if cs.len() <= ALL_CARDS_MAX {
                    return by_risk.into_iter().map(|c| c.id.clone()).collect::<Vec<_>>();
                }
                let mut ids: Vec<String> =
                    opened.get().into_iter().filter(|id| cs.iter().any(|c| c.id == *id)).collect();
                for c in by_risk.into_iter().take(RISKIEST_CARDS) {
                    if !ids.contains(&c.id) {
                        ids.push(c.id.clone());
                    }
                }
                ids
            })
        })
    });
    // What the poll plan reads first on a large cluster: the cards, then the rows in view.
    Effect::new(move |_| {
        let mut focus = card_ids.get();
        focus.extend(in_view.get().into_iter().filter(|id| !focus.contains(id)).collect::<Vec<_>>());
        session.focus.set_value(focus);
    });
    let open_card = Callback::new(move |id: String| {
        // A large Prometheus window's TaskManager known only by its peaks: read it in full.
        if view_at.with_untracked(|(cs, _)| cs.iter().any(|c| c.id == id && c.peak)) {
            session.read_taskmanager(id.clone());
        }
        opened.update(|o| {
            o.retain(|x| *x != id);
            o.insert(0, id);
            o.truncate(ALL_CARDS_MAX);
        })
    });
    let close_card = Callback::new(move |id: String| opened.update(|o| o.retain(|x| *x != id)));
    let spread = Memo::new(move |_| current.with(|s| s.as_ref().map(cluster::spread).unwrap_or_default()));
    let spread_over_time = Memo::new(move |_| {
        if !large.get() {
            return Vec::new();
        }
        snapshots.with(|all| {
            let per: Vec<Vec<(&'static str, memlab_flink::snapshot::Spread)>> =
                all.iter().map(cluster::spread).collect();
            cluster::SPREAD_METRICS
                .into_iter()
                .map(|m| {
                    let pick = |f: fn(&memlab_flink::snapshot::Spread) -> Option<f64>| {
                        per.iter()
                            .map(|row| {
                                row.iter().find(|(k, _)| *k == m).and_then(|(_, x)| f(x)).unwrap_or(f64::NAN)
                            })
                            .collect::<Vec<f64>>()
                    };
                    (m, pick(|x| Some(x.max)), pick(memlab_flink::snapshot::Spread::mid))
                })
                .collect::<Vec<_>>()
        })
    });
    let now_t = Signal::derive(move || current.with(|s| s.as_ref().map_or(0, |s| s.t)));

    view! {
        <section class="cluster">
            <header class="page-head">
                <div>
                    <h1>{t!(i18n, cluster.title)}</h1>
                    <p class="muted">{t!(i18n, cluster.intro)}</p>
                </div>
            </header>
            <div class="card source-bar">
                <form class="connect" on:submit=move |ev| { ev.prevent_default(); connect(url.get_untracked()); }>
                    <input type="url" data-testid="cluster-url" aria-label=t_string!(i18n, cluster.url_label) prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                    <button class="primary" type="submit" data-testid="connect">{t!(i18n, cluster.connect)}</button>
                    <button type="button" data-testid="stop" disabled=move || !matches!(source.get(), Source::Live(_) | Source::Prometheus(_)) on:click=move |_| stop()>{t!(i18n, cluster.stop)}</button>
                    <label class="speed">
                        {t!(i18n, cluster.every)}" "
                        <select data-testid="interval" on:change=move |ev| if let Ok(s) = event_target_value(&ev).parse() { interval.set(s) }>
                            {INTERVALS_S.into_iter().map(|s| view! { <option value=s.to_string() selected=move || interval.get() == s>{format!("{s} s")}</option> }).collect_view()}
                        </select>
                    </label>
                </form>
                <form class="connect prom-connect" data-testid="prometheus-form" on:submit=move |ev| { ev.prevent_default(); read_prometheus(); }>
                    <input type="url" data-testid="prometheus-url" placeholder="http://127.0.0.1:9090" aria-label=tr!(lang, "Prometheus address", "Prometheus 地址") prop:value=move || prom_url.get() on:input=move |ev| prom_url.set(event_target_value(&ev))/>
                    <select data-testid="prometheus-range" aria-label=tr!(lang, "Window", "时间窗口") on:change=move |ev| prom_range.set(event_target_value(&ev))>
                        {{
                            // The offered windows, and the address's own if it is another.
                            let mut ranges: Vec<String> = ["30m", "1h", "6h", "1d", "7d"].map(String::from).to_vec();
                            let asked = prom_range.get_untracked();
                            if !ranges.contains(&asked) {
                                ranges.insert(0, asked);
                            }
                            ranges.into_iter().map(|r| { let (v, label) = (r.clone(), r.clone()); view! { <option value=r selected=move || prom_range.get() == v>{label}</option> } }).collect_view()
                        }}
                    </select>
                    <input type="text" class="prom-end" data-testid="prometheus-end" placeholder=tr!(lang, "ending now", "截至现在") title=tr!(lang, "The window's end: unix seconds or RFC 3339 (2026-12-03T10:00:00Z); empty: now, then following live", "窗口的结束时间：unix 秒或 RFC 3339（2026-12-03T10:00:00Z）；留空：现在，并持续跟随") prop:value=move || prom_end.get() on:input=move |ev| prom_end.set(event_target_value(&ev))/>
                    <input type="password" class="prom-header" data-testid="prometheus-header" autocomplete="off" placeholder=tr!(lang, "header (optional)", "请求头（可选）") title=tr!(lang, "Sent with every request to Prometheus, e.g. 'Authorization: Bearer …' or 'X-Scope-OrgID: team-a'. Kept in this tab's memory only, never in the address or a recording.", "随每个 Prometheus 请求发送，例如 'Authorization: Bearer …' 或 'X-Scope-OrgID: team-a'。只保存在本标签页的内存中，不会进入地址栏或录制文件。") prop:value=move || prom_header_text.get() on:input=move |ev| prom_header_text.set(event_target_value(&ev))/>
                    <input type="text" class="prom-label" data-testid="prometheus-tm-label" placeholder="tm_id" aria-label=tr!(lang, "TaskManager label", "TaskManager 标签") title=tr!(lang, "The label that names a TaskManager: Flink's reporter uses tm_id; with custom metrics.scope.* settings or relabelling it may be another (an error lists the labels found).", "标识 TaskManager 的标签：Flink 的指标上报器使用 tm_id；自定义 metrics.scope.* 或重新打标签后可能是别的标签（出错时会列出找到的标签）。") prop:value=move || prom_tm_label.get() on:input=move |ev| prom_tm_label.set(event_target_value(&ev))/>
                    <label class="small"><input type="checkbox" data-testid="prometheus-with-cluster" prop:checked=move || prom_with_cluster.get() on:change=move |ev| prom_with_cluster.set(event_target_checked(&ev))/>" "{tr!(lang, "sizes from the REST address above", "从上面的 REST 地址读取配置大小")}</label>
                    <button class="primary" type="submit" data-testid="prometheus-read">{tr!(lang, "Read from Prometheus", "从 Prometheus 读取")}</button>
                </form>
                <div class="source-actions">
                    <button data-testid="load-demo" on:click=move |_| open_url(BUNDLED.to_owned())>{t!(i18n, cluster.open_bundled)}</button>
                    <label class="file-button">
                        {t!(i18n, cluster.import)}
                        <input type="file" accept=".json,.txt,application/json,text/plain" data-testid="import-file" on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            if let Some(f) = input.files().and_then(|l| l.get(0)) { open_file(f); }
                        }/>
                    </label>
                    <label class="speed">
                        {t!(i18n, cluster.segment_size)}" "
                        <select data-testid="segment-size" on:change=move |ev| if let Ok(m) = memlab_size::MemorySize::parse(&event_target_value(&ev)) { segment.set(m.bytes()) }>
                            {["4kb", "8kb", "16kb", "32kb", "64kb", "128kb"].into_iter().map(|s| {
                                let b = memlab_size::MemorySize::parse(s).map(|m| m.bytes()).unwrap_or(0);
                                view! { <option value=s selected=move || segment.get() == b>{s}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <button data-testid="export" disabled=move || recording.with(|r| r.as_ref().is_none_or(|r| r.polls.is_empty())) on:click=move |_| export()>{t!(i18n, cluster.export)}</button>
                </div>
                <p class="status" data-testid="cluster-status">{status}</p>
                {move || loading.get().map(|l| view! { <p class="status loading" data-testid="loading" role="status">{l}</p> })}
            </div>
            {move || problem.get().map(|p| view! { <p class="banner error" role="alert" data-testid="cluster-error">{crate::components::rich::rich(&p)}</p> })}
            <div
                class="drop-zone"
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    if let Some(f) = ev.data_transfer().and_then(|d| d.files()).and_then(|l| l.get(0)) { open_file(f); }
                }
            >
                {move || (snapshots.with(|s| s.len()) > 1 && !matches!(source.get(), Source::Live(_))).then(|| view! {
                    <div class="replay">
                        <button data-testid="replay-back" title=t_string!(i18n, cluster.prev_poll) on:click=move |_| show(index.get_untracked().saturating_sub(1))>"◀"</button>
                        <button data-testid="replay-forward" title=t_string!(i18n, cluster.next_poll) on:click=move |_| show(index.get_untracked() + 1)>"▶"</button>
                        <select data-testid="replay-speed" aria-label=t_string!(i18n, cluster.replay_speed) on:change=move |ev| if let Ok(v) = event_target_value(&ev).parse() { replay.update(|p| p.speed = v) }>
                            {crate::viz::player::REPLAY_SPEEDS.into_iter().map(|v| view! { <option value=v.to_string() selected=move || replay_speed.get() == v>{format!("{v}×")}</option> }).collect_view()}
                        </select>
                        <button data-testid="replay-play" on:click=move |_| toggle_replay()>
                            {move || if replaying.get() { t_string!(i18n, cluster.pause) } else { t_string!(i18n, cluster.play) }}
                        </button>
                        <input type="range" data-testid="replay-timeline" min="0" max=move || snapshots.with(|s| s.len().saturating_sub(1)).to_string()
                            prop:value=move || index.get().to_string()
                            on:input=move |ev| match event_target_value(&ev).parse() { Ok(i) => show(i), Err(_) => follow_newest() }/>
                        <span class="mono small">{move || current.get().map(|s: Snapshot| {
                            let t0 = snapshots.with(|v| v.first().map_or(s.t, |f| f.t));
                            format!("+{:.0} s", (s.t - t0) as f64 / 1000.0)
                        })}</span>
                    </div>
                })}
                {move || current.get().and_then(|s| s.overview.clone()).map(|o| view! {
                    <div class="facts" data-testid="cluster-overview">
                        <div><dt>"Flink"</dt><dd>{o.flink_version}</dd></div>
                        <div><dt>"TaskManagers"</dt><dd data-testid="tm-count">{o.taskmanagers}</dd></div>
                        <div><dt>{t!(i18n, cluster.slots_free)}</dt><dd>{tf!(i18n, cluster.of, a = o.slots_available, b = o.slots_total)}</dd></div>
                        <div><dt>{t!(i18n, cluster.jobs_running)}</dt><dd>{o.jobs_running}</dd></div>
                    </div>
                })}
                {move || current.get().and_then(|s| s.overview.clone()).and_then(|o| old_flink(&o.flink_version, lang)).map(|m| view! {
                    <p class="banner warn-banner" data-testid="version-warning">{m}</p>
                })}
                {move || large.get().then(|| view! { <TmList view_at=view_at report=report now_t=now_t open=open_card in_view=in_view spread=spread spread_over_time=spread_over_time/> })}
                <div class="tm-grid">
                    <For
                        each=move || card_ids.get()
                        key=|id| id.clone()
                        children=move |id| {
                            let closable = opened.with_untracked(|o| o.contains(&id)).then_some(close_card);
                            view! { <TmCardView id=id view_at=view_at snapshots=snapshots index=index report=report segment=segment now_t=now_t close=closable/> }
                        }
                    />
                    {move || current.get().filter(|s| !s.jobmanager_metrics.is_empty()).map(|s| {
                        let m = |k: &str| s.jobmanager_metrics.get(k).copied();
                        let heap = m(memlab_flink::metrics::HEAP_USED).zip(m(memlab_flink::metrics::HEAP_MAX)).map(|(used, capacity)| Gauge { used, capacity });
                        let meta = m(memlab_flink::metrics::METASPACE_USED).zip(m(memlab_flink::metrics::METASPACE_MAX).filter(|x| *x > 0.0)).map(|(used, capacity)| Gauge { used, capacity });
                        let jm_heap = Signal::derive(move || snapshots.with(|s| s.iter().map(|x| x.jobmanager_metrics.get(memlab_flink::metrics::HEAP_USED).copied().unwrap_or(f64::NAN)).collect::<Vec<_>>()));
                        let heap_max = heap.map(|g| g.capacity).unwrap_or(1.0);
                        view! {
                            <article class="card tm-card jm-card" data-testid="jm-card">
                                <header>
                                    <h3>"JobManager"</h3>
                                    <span class="muted small">{m(memlab_flink::metrics::GC_MS_PER_S).map(|g| format!("GC {g:.1} ms/s")).unwrap_or_default()}</span>
                                </header>
                                {bar(flink_term(lang, "JVM Heap"), Signal::derive(move || heap), true, "jm-gauge-heap")}
                                {meta.map(|g| bar(flink_term(lang, "JVM Metaspace"), Signal::derive(move || Some(g)), true, "jm-gauge-metaspace").into_any()).unwrap_or_else(|| view! {
                                    <p class="muted small">{tf!(i18n, cluster.metaspace_no_limit, used = m(memlab_flink::metrics::METASPACE_USED).map(|v| human(v as u64)).unwrap_or_default())}</p>
                                }.into_any())}
                                <p class="muted small">{tf!(i18n, cluster.direct_used_now, used = m(memlab_flink::metrics::DIRECT_USED).map(|v| human(v as u64)).unwrap_or_else(|| "–".into()))}</p>
                                <Sparkline values=jm_heap max=Signal::derive(move || heap_max) cursor=index label=t_string!(i18n, cluster.heap_over_session) value_text=Signal::derive(move || heap.map(|g| human(g.used as u64)).unwrap_or_default()) class="live" testid="jm-heap-chart"/>
                                {
                                    let meta_now = m(memlab_flink::metrics::METASPACE_USED).map(|v| human(v as u64)).unwrap_or_default();
                                    let jm_meta = Signal::derive(move || snapshots.with(|s| s.iter().map(|x| x.jobmanager_metrics.get(memlab_flink::metrics::METASPACE_USED).copied().unwrap_or(f64::NAN)).collect::<Vec<_>>()));
                                    let meta_max = Signal::derive(move || jm_meta.with(|v| v.iter().copied().filter(|x| x.is_finite()).fold(1.0, f64::max)));
                                    view! { <Sparkline values=jm_meta max=meta_max cursor=index label=t_string!(i18n, cluster.metaspace_over_session) value_text=Signal::derive(move || meta_now.clone()) class="unref" testid="jm-metaspace-chart"/> }
                                }
                                {s.jobmanager_config.as_ref().map(|c| match memlab_flink::jobmanager::derive(c) {
                                    Ok(m) => view! {
                                        <div data-testid="jm-model">{diagram(&jm_leaves(&m), m.total_flink(), m.total_process())}</div>
                                        <p class="muted small">{t!(i18n, cluster.jm_derived)}</p>
                                    }.into_any(),
                                    Err(e) => view! { <p class="warn small">{tf!(i18n, cluster.jm_underivable, error = e)}</p> }.into_any(),
                                })}
                                // Rebuilt with each poll: the open state lives outside it.
                                <details class="tm-advanced" data-testid="jm-advanced" prop:open=move || jm_open.get_untracked()
                                    on:toggle=move |ev| jm_open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())>
                                    <summary>{t!(i18n, cluster.jvm_details)}</summary>
                                    <JvmTables d=cluster::jvm_detail(&s.jobmanager_metrics)/>
                                </details>
                            </article>
                        }
                    })}
                </div>
                {move || {
                    let gone = view_at.get().1;
                    (!gone.is_empty()).then(|| view! {
                        <div class="card">
                            <h3>{t!(i18n, cluster.gone)}</h3>
                            <ul>{gone.into_iter().map(|(id, t)| {
                                let (cause, last) = gone_detail(&report.get(), &snapshots.get(), &id, index.get_untracked());
                                view! {
                                    <li data-testid="tm-gone" data-id=id.clone()>
                                        {tf!(i18n, cluster.last_seen, id = id.clone(), at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64)).to_locale_time_string(lang.tag()).as_string().unwrap_or_default())}
                                        {last.map(|l| view! { <p class="muted small" data-testid="tm-gone-last">{l}</p> })}
                                        {cause}
                                    </li>
                                }
                            }).collect_view()}</ul>
                        </div>
                    })
                }}
                {move || current.get().map(|s| (!s.jobs.is_empty()).then(|| view! {
                    <div class="card">
                        <h3>{t!(i18n, cluster.jobs)}</h3>
                        <ul>{s.jobs.iter().map(|j| {
                            // Its restarts so far and Flink's last word on why, when polled.
                            let d = s.job_details.get(&j.jid);
                            let restarts = d.and_then(|d| d.restarts).filter(|r| *r > 0.0);
                            let last = d.and_then(|d| d.exceptions.first()).map(|e| {
                                use memlab_flink::diagnose::postmortem::{classify, first_sentence};
                                first_sentence(&classify(e).1)
                            });
                            view! {
                                <li data-testid="job" data-state=j.state.clone()>
                                    <b translate="no">{j.state.clone()}</b>" "<span translate="no">{j.name.clone()}</span>
                                    {restarts.map(|r| view! { <span class="muted small">" · "{tr!(lang, "{r:.0} restart(s)", "重启 {r:.0} 次")}</span> })}
                                    {last.map(|l| view! { <p class="muted small" data-testid="job-exception" translate="no">{l}</p> })}
                                </li>
                            }
                        }).collect_view()}</ul>
                    </div>
                }))}
            </div>
        </section>
    }
}

/// A gone TaskManager's likely cause (from the session's post-mortem) and its last
/// readings before it vanished (at or before poll `index`).
fn gone_detail(
    report: &memlab_flink::diagnose::Report,
    snapshots: &[memlab_flink::recording::Snapshot],
    id: &str,
    index: usize,
) -> (Option<AnyView>, Option<String>) {
    use memlab_flink::diagnose::{Basis, Kind};
    let lang = crate::lang::current();
    let last = snapshots[..(index + 1).min(snapshots.len())]
        .iter()
        .rev()
        .find_map(|s| s.taskmanagers.iter().find(|t| t.id == id))
        .map(cluster::card)
        .map(|c| {
            let g = |name: &str, g: Option<cluster::Gauge>| {
                g.map(|g| format!("{name} {} / {}", human(g.used as u64), human(g.capacity as u64)))
            };
            let parts: Vec<String> = [
                g(&flink_term(lang, "JVM Heap"), c.heap),
                g(&flink_term(lang, "JVM Metaspace"), c.metaspace),
                g(&tr!(lang, "direct", "直接内存"), c.direct),
            ]
            .into_iter()
            .flatten()
            .collect();
            tr!(lang, "Last readings: {}", "最后的读数：{}", parts.join(" · "))
        });
    let cause =
        report.findings.iter().find(|f| f.kind == Kind::TaskManagerLost && f.subject == id).and_then(|f| {
            let pm = f.postmortem.as_deref()?;
            let how = match pm.basis {
                Basis::Quoted { .. } => tr!(lang, "quoted from Flink", "引自 Flink"),
                Basis::Inferred { .. } => tr!(lang, "inferred from its metrics", "由指标推断"),
            };
            Some(
            view! {
                <p class="tm-gone-cause" data-testid="tm-gone-cause" data-cause=pm.cause.slug()>
                    <b>{tr!(lang, "Likely cause: ", "可能的原因：")}</b>{pm.cause.label_in(lang)}" ("{how}")"
                </p>
            }
            .into_any(),
        )
        });
    (cause, last)
}
