//! The session's third source: a window of a cluster's past read from Prometheus (range
//! queries planned by [`memlab_flink::promapi`]), then — when the window ends now — the
//! newest steps re-read every step, following live. The answers are kept as a version 2
//! recording, which exports and re-opens like any other.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_flink::promapi::{self, Fetch, PromError, Window};
use memlab_flink::recording::{Builder, Poll, Recording};

use super::{fetch_with, now_ms, Session, Source, TIMEOUT_MS};
use crate::state::cluster::{Open, PromWindow};

/// A range query over a long window may take a while (Prometheus's own limit is 2 min).
const QUERY_TIMEOUT_MS: u32 = 120_000;
/// Requests in flight at once (a browser allows six per host).
const PARALLEL: usize = 6;

/// Reads one window: the discovery round, then the range queries (and, with `cluster`,
/// the configured sizes from its REST API). `progress` hears how many have answered.
async fn read_window(
    url: &str,
    cluster: Option<&str>,
    header: Option<&(String, String)>,
    window: Window,
    tm_label: &str,
    keep: Option<Vec<String>>,
    progress: impl Fn(usize, usize),
) -> Result<(Poll, Window), PromError> {
    let mut fetch = Fetch::new(window, cluster.is_some()).with_tm_label(tm_label).with_taskmanagers(keep);
    let mut first = true;
    loop {
        let paths = fetch.paths();
        if paths.is_empty() {
            break;
        }
        let mut got = Vec::with_capacity(paths.len());
        for chunk in paths.chunks(PARALLEL) {
            let answers = futures_util::future::join_all(chunk.iter().map(|p| async move {
                match cluster.filter(|_| !promapi::is_prometheus_path(p)) {
                    Some(c) => fetch_with(c, p, None, TIMEOUT_MS).await,
                    None => fetch_with(url, p, header, QUERY_TIMEOUT_MS).await,
                }
            }))
            .await;
            got.extend(answers);
            progress(got.len(), paths.len());
        }
        if first {
            first = false;
            promapi::discovered(url, &got[0], &window, tm_label)?;
        }
        fetch.receive(got);
    }
    let window = fetch.window;
    let poll = fetch.finish(now_ms());
    match promapi::failed(url, &poll) {
        Some(e) => Err(e),
        None => Ok((poll, window)),
    }
}

impl Session {
    /// What the session shows of a Prometheus window, in words.
    pub fn prometheus_status(self, url: &str, lang: memlab_text::Lang) -> String {
        let steps = self.snapshots.with(|s| s.len());
        let (from, to, step) = self.recording.with(|r| {
            let g = |k: &str| r.as_ref().and_then(|r| r.source.get(k).cloned()).unwrap_or_default();
            (g("start"), g("end"), g("step"))
        });
        let mut out = memlab_text::tr!(
            lang,
            "Prometheus {url}: {steps} steps from {from} to {to}, every {step} (each step's lowest and highest readings).",
            "Prometheus {url}：从 {from} 到 {to} 共 {steps} 个步长，步长 {step}（每步的最低和最高读数）。"
        );
        let (full, peers) =
            self.snapshots.with(|s| s.last().map_or((0, 0), |x| (x.taskmanagers.len(), x.peers.len())));
        if peers > 0 {
            let all = full + peers;
            out.push(' ');
            out.push_str(&memlab_text::tr!(
                lang,
                "{all} TaskManagers: the {full} riskiest (ranked by Prometheus: heap, its level and growth after collections, GC time, metaspace, direct and network memory, and the shortest-lived) are read in full and diagnosed; the list shows the others' peaks over the window.",
                "{all} 个 TaskManager：其中风险最高的 {full} 个（由 Prometheus 排名：堆、回收后堆的水平和增长、GC 时间、元空间、直接内存和网络内存，以及存活最短的）读取了完整序列并参与诊断；列表中显示其余 TaskManager 在窗口内的峰值。"
            ));
        }
        if self.snapshots.with(|s| promapi::lacks_configuration(s)) {
            out.push(' ');
            out.push_str(&memlab_text::tr!(
                lang,
                "Prometheus has each TaskManager's heap maximum, managed memory's total, network segments and metaspace maximum, not Flink's whole memory configuration: tick “sizes from the REST address” (cluster=) for the rest.",
                "Prometheus 里有每个 TaskManager 的堆上限、托管内存总量、网络内存段和元空间上限，但没有 Flink 完整的内存配置：勾选“从 REST 地址读取配置大小”（cluster=）即可读取其余部分。"
            ));
        }
        out
    }

    /// Reads the full series of a TaskManager of a large window (the user opened its card):
    /// they join the window's steps, and the diagnosis reads them too.
    pub fn read_taskmanager(self, id: String) {
        let Session {
            recording,
            snapshots,
            problem,
            loading,
            generation,
            lang,
            prom_header,
            prom_builder,
            revision,
            ..
        } = self;
        let lang = lang.get_untracked();
        let Some(url) =
            recording.with_untracked(|r| r.as_ref().and_then(|r| r.source.get("prometheus").cloned()))
        else {
            return;
        };
        let Some(label) =
            prom_builder.with_value(|b| b.as_ref().and_then(|b| b.tm_label().map(str::to_owned)))
        else {
            return;
        };
        let window = snapshots.with_untracked(|s| {
            Some(Window {
                start: s.first()?.t / 1000,
                end: s.last()?.t / 1000,
                step: (s.last()?.step_ms / 1000).max(1),
            })
        });
        let Some(window) = window else { return };
        let paths = promapi::taskmanager_paths(&window, &label, &[promapi::tm_key(&id)]);
        let my_gen = generation.get_value();
        loading.set(Some(memlab_text::tr!(lang, "Reading {id}'s full series…", "正在读取 {id} 的完整序列…")));
        leptos::task::spawn_local(async move {
            let header = prom_header.get_untracked();
            let mut got = Vec::with_capacity(paths.len());
            for chunk in paths.chunks(PARALLEL) {
                let answers = futures_util::future::join_all(
                    chunk.iter().map(|p| fetch_with(&url, p, header.as_ref(), QUERY_TIMEOUT_MS)),
                )
                .await;
                got.extend(answers);
            }
            if generation.try_get_value() != Some(my_gen) {
                return;
            }
            loading.set(None);
            let poll = Poll { t: now_ms(), responses: got };
            if let Some(e) = promapi::failed(&url, &poll) {
                problem.set(Some(e.describe(lang)));
                return;
            }
            revision.update_value(|r| *r += 1);
            snapshots.update(|v| {
                let v = Arc::make_mut(v);
                prom_builder.update_value(|b| {
                    if let Some(b) = b {
                        b.push(&poll, v)
                    }
                });
            });
            recording.update(|r| {
                if let Some(r) = r {
                    Arc::make_mut(r).polls.push(poll);
                }
            });
        });
    }

    /// Reads the window `w` names, then follows live if it ends now.
    pub fn open_prometheus(self, w: PromWindow) {
        let Session {
            source,
            recording,
            snapshots,
            problem,
            loading,
            generation,
            lang,
            prom_header,
            prom_builder,
            ..
        } = self;
        let lang = lang.get_untracked();
        let url = w.url.trim().trim_end_matches('/').to_owned();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            problem.set(Some(PromError::BadUrl(w.url.clone()).describe(lang)));
            return;
        }
        let now_s = now_ms() / 1000;
        let window = match Window::parse(w.range.as_deref(), w.end.as_deref(), None, now_s) {
            Ok(x) => x,
            Err(e) => {
                problem.set(Some(e.describe(lang)));
                return;
            }
        };
        let follow = w.end.is_none();
        let tm_label = w
            .tm_label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .unwrap_or(promapi::TM_LABEL)
            .to_owned();
        generation.update_value(|g| *g += 1);
        let my_gen = generation.get_value();
        source.set(Source::Prometheus(url.clone()));
        recording.set(None);
        snapshots.set(Arc::new(Vec::new()));
        problem.set(None);
        if let Some(router) = use_context::<crate::nav::Router>() {
            router.replace(Open::Prometheus(w.clone()).to_route(router.route.get_untracked()));
        }
        let cluster = w.cluster.map(|c| c.trim().trim_end_matches('/').to_owned());
        leptos::task::spawn_local(async move {
            let header = prom_header.get_untracked();
            let alive = move || generation.try_get_value() == Some(my_gen);
            let shown = url.clone();
            let progress = move |done: usize, total: usize| {
                let url = &shown;
                if alive() {
                    loading.set(Some(memlab_text::tr!(
                        lang,
                        "Reading {url}: {done} of {total} queries…",
                        "正在读取 {url}：{done} / {total} 个查询…"
                    )));
                }
            };
            let (poll, window) = match read_window(
                &url,
                cluster.as_deref(),
                header.as_ref(),
                window,
                &tm_label,
                None,
                progress,
            )
            .await
            {
                Ok(x) => x,
                Err(e) => {
                    if alive() {
                        problem.set(Some(e.describe(lang)));
                        loading.set(None);
                        source.set(Source::None);
                    }
                    return;
                }
            };
            if !alive() {
                return;
            }
            let mut rec = Recording::new_prometheus(&url, &window, &tm_label, cluster.as_deref(), now_ms());
            let mut builder = Builder::new(&rec);
            let mut snaps = Vec::new();
            builder.push(&poll, &mut snaps);
            prom_builder.set_value(Some(builder));
            rec.polls.push(poll);
            snapshots.set(Arc::new(snaps));
            recording.set(Some(Arc::new(rec)));
            loading.set(None);
            if !follow {
                return;
            }
            // Following live: the steps that passed since, one step at a time.
            let mut last = window;
            loop {
                gloo_timers::future::TimeoutFuture::new((last.step.max(5) * 1000) as u32).await;
                if !alive() {
                    return;
                }
                let Some(next) = last.next(now_ms() / 1000) else { continue };
                // A large window goes on with the TaskManagers it read in full.
                let keep = prom_builder.with_value(|b| b.as_ref().and_then(Builder::read_in_full));
                match read_window(&url, None, header.as_ref(), next, &tm_label, keep, |_, _| {}).await {
                    Ok((poll, _)) => {
                        if !alive() {
                            return;
                        }
                        snapshots.update(|v| {
                            let v = Arc::make_mut(v);
                            prom_builder.update_value(|b| {
                                if let Some(b) = b {
                                    b.push(&poll, v)
                                }
                            });
                        });
                        recording.update(|r| {
                            if let Some(r) = r {
                                Arc::make_mut(r).polls.push(poll);
                            }
                        });
                        last = next;
                    }
                    // Nothing new in these steps (the cluster stopped exporting): wait on.
                    Err(PromError::NoFlinkMetrics { .. }) => last = next,
                    Err(e) => {
                        if alive() {
                            problem.set(Some(e.describe(lang)));
                        }
                    }
                }
            }
        });
    }
}
