//! The cluster session the Live cluster and Diagnosis pages share: a live connection or an
//! opened recording, with one typed snapshot per poll. It lives as long as the app, so a
//! live connection keeps polling while the user reads its diagnosis.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_flink::cluster;
use memlab_flink::diagnose::{self, Report};
use memlab_flink::recording::{Poll, Recording, Response, Snapshot};
use memlab_text::{tr, Lang};

/// The recording shipped with the app (relative: works from any sub-path).
pub const BUNDLED: &str = "public/recordings/local-2tm.memlab.json";

/// Real recordings of a local Flink 2.3.0 cluster (tools/record-diagnosis.sh), for the
/// Diagnosis page: (file, what it shows, the same in 简体中文).
/// Real failures of a local Flink 2.3.0 cluster, for the post-mortem (same shape).
pub const POSTMORTEM_RECORDINGS: [(&str, &str, &str); 6] = [
    (
        "public/recordings/tm-heap-oom.memlab.json",
        "a TaskManager that ran out of heap and exited (post-mortem)",
        "堆耗尽后退出的 TaskManager（事后分析）",
    ),
    (
        "public/recordings/job-heap-oom.memlab.json",
        "a task out of heap: the job restarts (post-mortem)",
        "任务堆耗尽：作业重启（事后分析）",
    ),
    (
        "public/recordings/direct-oom.memlab.json",
        "direct buffers kept until Direct buffer memory (post-mortem)",
        "直接缓冲区一直被持有，直到 Direct buffer memory（事后分析）",
    ),
    (
        "public/recordings/metaspace-oom.memlab.json",
        "classes in fresh class loaders until Metaspace (post-mortem)",
        "在新的类加载器中不断加载类，直到 Metaspace（事后分析）",
    ),
    (
        "public/recordings/tm-killed.memlab.json",
        "a busy TaskManager killed with SIGKILL (post-mortem)",
        "一个繁忙的 TaskManager 被 SIGKILL 杀死（事后分析）",
    ),
    (
        "public/recordings/network-buffers.memlab.json",
        "4 × 3 shuffles on 2 MiB of network memory (post-mortem)",
        "在 2 MiB 网络内存上做 4 × 3 次 shuffle（事后分析）",
    ),
];

pub const DIAGNOSIS_RECORDINGS: [(&str, &str, &str); 5] = [
    (
        "public/recordings/heap-leak.memlab.json",
        "keyed heap state that grows without bound",
        "无限增长的 keyed 堆状态",
    ),
    (
        "public/recordings/managed-idle.memlab.json",
        "heap state backend with Flink's default managed memory",
        "堆状态后端配 Flink 默认的托管内存",
    ),
    ("public/recordings/rocksdb.memlab.json", "RocksDB using its managed memory", "使用托管内存的 RocksDB"),
    (
        "public/recordings/healthy.memlab.json",
        "a healthy job, memory sized for it",
        "健康的作业，内存大小合适",
    ),
    (
        "public/recordings/metaspace.memlab.json",
        "the same jar run again every 5 s in a session cluster",
        "在 session 集群中每 5 秒重新运行同一个 jar",
    ),
];

mod prometheus;

use crate::state::cluster::Open;
pub use crate::state::cluster::{Source, DEFAULT_INTERVAL_S, INTERVALS_S};
const MAX_BACKOFF_MS: u32 = 60_000;

/// A request that has not answered after this long is abandoned.
pub(crate) const TIMEOUT_MS: u32 = 10_000;

async fn fetch(base: &str, path: &str) -> Response {
    fetch_with(base, path, None, TIMEOUT_MS).await
}

/// One GET with an optional header (a Prometheus behind an authenticating proxy), abandoned
/// after `timeout_ms`.
pub(crate) async fn fetch_with(
    base: &str,
    path: &str,
    header: Option<&(String, String)>,
    timeout_ms: u32,
) -> Response {
    let t = now_ms();
    let abort = web_sys::AbortController::new().ok();
    let signal = abort.as_ref().map(|a| a.signal());
    // Aborts the request if it runs too long; dropping the timer (on completion) cancels it.
    let _timer = abort.map(|a| gloo_timers::callback::Timeout::new(timeout_ms, move || a.abort()));
    let mut req = gloo_net::http::Request::get(&format!("{base}{path}")).abort_signal(signal.as_ref());
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    match req.send().await {
        Ok(r) => {
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            Response { path: path.to_owned(), status, body, t: now_ms() }
        }
        Err(e) if now_ms() - t >= u64::from(timeout_ms) => Response {
            path: path.to_owned(),
            status: 0,
            body: format!("timeout: no answer within {} s ({e})", timeout_ms / 1000),
            t,
        },
        Err(e) => Response { path: path.to_owned(), status: 0, body: e.to_string(), t },
    }
}

/// One poll, as [`memlab_flink::poll`] plans it: each round's requests concurrently, the
/// rounds one after another. Polls never overlap: the next starts after this one ends.
async fn poll(base: &str, poller: &mut memlab_flink::poll::Poller) -> Poll {
    let mut run = poller.begin(now_ms());
    loop {
        let paths = run.paths();
        if paths.is_empty() {
            return run.finish();
        }
        run.receive(futures_util::future::join_all(paths.iter().map(|p| fetch(base, p))).await);
    }
}

/// What went wrong with a poll, in words a user can act on (None: it worked).
fn poll_problem(base: &str, p: &Poll, lang: Lang) -> Option<String> {
    let first = p.responses.first()?;
    let https = window().location().protocol().is_ok_and(|p| p == "https:");
    match first.status {
        0 if first.body.starts_with("timeout") => Some(tr!(
            lang,
            "{base} did not answer within {} s. The JobManager may be overloaded (long GC pauses) or the network path slow; memlab keeps trying, less often.",
            "{base} 在 {} 秒内没有应答。JobManager 可能过载（GC 停顿很长）或网络很慢；memlab 会继续尝试，但降低频率。",
            TIMEOUT_MS / 1000
        )),
        0 => Some(cluster::network_failure_message_in(lang, base, https)),
        200 => {
            if serde_json::from_str::<memlab_flink::rest::Overview>(&first.body).is_err() {
                Some(tr!(lang, "{base}/overview answered, but not with Flink's overview JSON: is this the REST port of a Flink JobManager (8081 by default)?", "{base}/overview 有应答，但不是 Flink 的 overview JSON：这是 Flink JobManager 的 REST 端口吗（默认 8081）？"))
            } else {
                None
            }
        }
        404 => Some(tr!(lang, "{base}/overview is 404: this is a web server, but not Flink's REST API. Check the port (8081 by default) and any path prefix.", "{base}/overview 返回 404：这是一个 Web 服务器，但不是 Flink 的 REST API。请检查端口（默认 8081）和路径前缀。")),
        s => Some(tr!(lang, "{base}/overview answered HTTP {s}; the data shown is from the last good poll.", "{base}/overview 返回 HTTP {s}；显示的是上一次成功轮询的数据。")),
    }
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

#[derive(Clone, Copy, Debug)]
pub struct Session {
    pub source: RwSignal<Source>,
    pub recording: RwSignal<Option<Arc<Recording>>>,
    /// Kept in step with `recording`: one typed snapshot per poll, appended as polls arrive
    /// (never recomputed from scratch, so a long live session stays cheap).
    pub snapshots: RwSignal<Arc<Vec<Snapshot>>>,
    pub problem: RwSignal<Option<String>>,
    pub loading: RwSignal<Option<String>>,
    /// Each connection gets a generation: a newer one (or Stop) ends older polling loops.
    pub generation: StoredValue<u32>,
    /// Seconds between polls of a live connection.
    pub interval: RwSignal<u32>,
    /// The interface language, for the session's own messages.
    pub lang: Signal<Lang>,
    /// The container's memory limit the user gave on the Diagnosis page (`container=`).
    pub container_limit: RwSignal<Option<u64>>,
    /// A header sent to Prometheus (`Authorization: Bearer …`, `X-Scope-OrgID: …`): kept in
    /// memory only, never in the address or a recording.
    pub prom_header: RwSignal<Option<(String, String)>>,
    /// The TaskManagers the user looks at (cards, list rows in view), most wanted first:
    /// a large cluster's poll reads them first ([`memlab_flink::poll::Poller::set_focus`]).
    pub focus: StoredValue<Vec<String>>,
    /// What turns a Prometheus window's answers into snapshots: kept, so that the steps
    /// followed live and a TaskManager read in full later join the same snapshots.
    pub prom_builder: StoredValue<Option<memlab_flink::recording::Builder>>,
    /// Bumped when snapshots already diagnosed change (a TaskManager read in full later):
    /// the diagnosis starts again.
    pub revision: StoredValue<u32>,
    /// The diagnosis of the whole session, in no language: one per new poll, shared by the
    /// Live cluster page (badges, order) and the Diagnosis page (which writes it out).
    pub report: Memo<Arc<Report>>,
    /// What keeps `report` up to date: every process's series, read once per poll.
    diagnoser: StoredValue<(Option<(u32, u32)>, diagnose::Diagnoser)>,
}

impl Session {
    /// What each process used in the session so far (for tuning), from the series the
    /// diagnosis keeps: tracks `report`, so it follows every new poll.
    pub fn usage(self) -> Vec<diagnose::Usage> {
        self.report.track();
        self.diagnoser.with_value(|(_, d)| d.usage())
    }

    /// Needs the language context (the shell creates it).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Session {
        let snapshots = RwSignal::new(Arc::new(Vec::<Snapshot>::new()));
        let generation = StoredValue::new(0);
        let container_limit = RwSignal::new(None);
        // Each new poll is read once: the diagnoser keeps every process's series. A new
        // connection or recording (a new generation) starts it again.
        let revision = StoredValue::new(0u32);
        let diagnoser = StoredValue::new((None::<(u32, u32)>, diagnose::Diagnoser::new()));
        let report = Memo::new(move |_| {
            let opts = diagnose::Options { container_limit: container_limit.get() };
            let gen = (generation.get_value(), revision.get_value());
            snapshots.with(|s| {
                diagnoser.update_value(|(g, d)| {
                    if *g != Some(gen) || d.polls() > s.len() {
                        *g = Some(gen);
                        *d = diagnose::Diagnoser::new();
                    }
                    for x in &s[d.polls()..] {
                        d.push(x);
                    }
                })
            });
            Arc::new(diagnoser.with_value(|(_, d)| d.report(&opts)))
        });
        Session {
            lang: crate::lang::use_lang(),
            source: RwSignal::new(Source::None),
            recording: RwSignal::new(None),
            snapshots,
            container_limit,
            prom_header: RwSignal::new(None),
            focus: StoredValue::new(Vec::new()),
            prom_builder: StoredValue::new(None),
            revision,
            report,
            diagnoser,
            problem: RwSignal::new(None),
            loading: RwSignal::new(None),
            generation,
            interval: RwSignal::new(DEFAULT_INTERVAL_S),
        }
    }

    /// Polls a Flink REST API until [`Session::stop`] or another connection: one poll at a
    /// time, every `interval` seconds, backing off while the cluster does not answer.
    pub fn connect(self, base: String) {
        let Session { source, recording, snapshots, problem, generation, interval, .. } = self;
        let base = base.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            problem.set(Some(tr!(self.lang.get_untracked(), "'{base}' is not an http:// or https:// address of a Flink REST API (e.g. http://127.0.0.1:8081).", "'{base}' 不是 Flink REST API 的 http:// 或 https:// 地址（例如 http://127.0.0.1:8081）。")));
            return;
        }
        generation.update_value(|g| *g += 1);
        let my_gen = generation.get_value();
        source.set(Source::Live(base.clone()));
        recording.set(Some(Arc::new(Recording::new(&base, now_ms()))));
        snapshots.set(Arc::new(Vec::new()));
        problem.set(None);
        if let Some(router) = use_context::<crate::nav::Router>() {
            router.replace(router.route.get_untracked().with("cluster", Some(&base)).with("recording", None));
        }
        leptos::task::spawn_local(async move {
            let mut backoff = 0u32;
            let mut poller = memlab_flink::poll::Poller::new();
            loop {
                if generation.try_get_value() != Some(my_gen) {
                    return;
                }
                if let Some(f) = self.focus.try_get_value() {
                    poller.set_focus(f);
                }
                let p = poll(&base, &mut poller).await;
                if generation.try_get_value() != Some(my_gen) {
                    return;
                }
                let trouble = poll_problem(&base, &p, self.lang.get_untracked());
                let every = interval.try_get_untracked().unwrap_or(DEFAULT_INTERVAL_S) * 1000;
                backoff = if trouble.is_some() { (backoff.max(every) * 2).min(MAX_BACKOFF_MS) } else { 0 };
                let wait = if backoff > 0 { backoff } else { every };
                problem.set(trouble);
                snapshots.update(|v| {
                    let s = Snapshot::from_poll_after(&p, v.last());
                    Arc::make_mut(v).push(s);
                });
                recording.update(|r| {
                    if let Some(r) = r {
                        Arc::make_mut(r).polls.push(p);
                    }
                });
                gloo_timers::future::TimeoutFuture::new(wait).await;
            }
        });
    }

    /// Opens what an address asks for (`recording=` or `cluster=`), unless the session
    /// already shows it (coming back from the other page).
    pub fn open_from_route(self, route: &crate::route::Route) {
        match Open::from_route(route) {
            Some(o) if o.is_open(&self.source.get_untracked()) => {}
            Some(Open::Recording(r)) => self.open_url(r),
            Some(Open::Cluster(c)) => self.connect(c),
            Some(Open::Prometheus(w)) => self.open_prometheus(w),
            None => {}
        }
    }

    /// Ends the live connection; its polls stay as a recording.
    pub fn stop(self) {
        self.generation.update_value(|g| *g += 1);
        if let Source::Live(u) | Source::Prometheus(u) = self.source.get_untracked() {
            self.source.set(Source::File(tr!(
                self.lang.get_untracked(),
                "session with {u} (stopped)",
                "与 {u} 的会话（已停止）"
            )));
        }
    }

    /// Opens a recording (or a Prometheus scrape) a few hundred polls at a time, letting the
    /// page paint between chunks, so a big file does not freeze it.
    pub fn open_text(self, label: String, text: String) {
        let Session {
            source, recording, snapshots, problem, loading, generation, lang, prom_builder, ..
        } = self;
        leptos::task::spawn_local(async move {
            if !text.trim_start().starts_with('{') && memlab_flink::prometheus::looks_like_scrape(&text) {
                let r = Recording::from_prometheus(&label, &text, now_ms());
                generation.update_value(|g| *g += 1);
                snapshots.set(Arc::new(r.snapshots()));
                recording.set(Some(Arc::new(r)));
                source.set(Source::File(label));
                problem.set(None);
                loading.set(None);
                return;
            }
            let (head, raw) = match Recording::parse_lazy(&text) {
                Ok(x) => x,
                Err(e) => {
                    problem.set(Some(format!("{label}: {}", e.describe(lang.get_untracked()))));
                    loading.set(None);
                    return;
                }
            };
            drop(text);
            let mut rec = head;
            let mut snaps = Vec::with_capacity(raw.len());
            let mut builder = memlab_flink::recording::Builder::new(&rec);
            for (chunk_no, chunk) in raw.chunks(200).enumerate() {
                for (i, r) in chunk.iter().enumerate() {
                    match Recording::parse_poll(r, chunk_no * 200 + i) {
                        Ok(p) => {
                            builder.push(&p, &mut snaps);
                            rec.polls.push(p);
                        }
                        Err(e) => {
                            problem.set(Some(format!("{label}: {}", e.describe(lang.get_untracked()))));
                            loading.set(None);
                            return;
                        }
                    }
                }
                loading.set(Some(tr!(
                    lang.get_untracked(),
                    "Reading {label}: {} of {} polls…",
                    "正在读取 {label}：{} / {} 次轮询…",
                    rec.polls.len(),
                    raw.len()
                )));
                gloo_timers::future::TimeoutFuture::new(0).await;
            }
            generation.update_value(|g| *g += 1);
            prom_builder.set_value(Some(builder));
            snapshots.set(Arc::new(snaps));
            recording.set(Some(Arc::new(rec)));
            source.set(Source::File(label));
            problem.set(None);
            loading.set(None);
        });
    }

    pub fn open_url(self, u: String) {
        let problem = self.problem;
        let lang = self.lang.get_untracked();
        self.loading.set(Some(tr!(lang, "Loading {u}…", "正在加载 {u}…")));
        leptos::task::spawn_local(async move {
            match gloo_net::http::Request::get(&u).send().await {
                Ok(r) if r.ok() => match r.text().await {
                    Ok(t) => self.open_text(u.clone(), t),
                    Err(e) => problem.set(Some(tr!(
                        lang,
                        "{u}: could not read the file: {e}",
                        "{u}：无法读取文件：{e}"
                    ))),
                },
                Ok(r) => problem.set(Some(tr!(
                    lang,
                    "{u}: HTTP {} — the recording is not there.",
                    "{u}：HTTP {}——录制文件不在那里。",
                    r.status()
                ))),
                Err(e) => problem.set(Some(format!("{u}: {e}"))),
            }
            if problem.get_untracked().is_some() {
                self.loading.set(None);
            }
        });
    }

    pub fn open_file(self, file: web_sys::File) {
        let name = file.name();
        let mb = file.size() / 1e6;
        let loading = self.loading;
        let lang = self.lang.get_untracked();
        loading.set(Some(tr!(lang, "Reading {name} ({mb:.1} MB)…", "正在读取 {name}（{mb:.1} MB）…")));
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            // Let the page paint "Parsing…" before the (synchronous) parse starts.
            loading.set(Some(tr!(lang, "Parsing {name} ({mb:.1} MB)…", "正在解析 {name}（{mb:.1} MB）…")));
            gloo_timers::future::TimeoutFuture::new(30).await;
            match text {
                Ok(t) => self.open_text(name, t.as_string().unwrap_or_default()),
                Err(_) => {
                    self.problem.set(Some(tr!(
                        lang,
                        "{name}: the browser could not read this file.",
                        "{name}：浏览器无法读取此文件。"
                    )));
                    loading.set(None);
                }
            }
        });
    }
}
