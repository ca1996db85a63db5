//! Prometheus's HTTP API as a source of the same snapshots the REST poller gives: a window
//! of a cluster's past (`/api/v1/query_range`) read from the Prometheus (or Thanos, Mimir,
//! VictoriaMetrics) that Flink's PrometheusReporter feeds. Sans-IO like [`crate::poll`]:
//! the app (gloo-net) and the CLI (ureq) fetch the paths a [`Fetch`] asks for and get a
//! [`Poll`] of raw answers, which a recording keeps as they came; [`Assembler`] turns them
//! into one [`Snapshot`] per step.
//!
//! A fetch is two rounds:
//! 1. `/api/v1/series` for the heap of every TaskManager and the JobManager and each job's
//!    restarts: whether the server holds Flink's metrics at all, and which labels they carry;
//! 2. one `query_range` per metric of the catalogue ([`crate::metrics`]), over each step
//!    rather than at its instant, so downsampling keeps the evidence: the heap's lowest
//!    reading in the step (the level after a collection, which the leak detector needs)
//!    and its highest, a counter's or gauge's highest, a rate's average.
//!
//! A TaskManager whose REST id is `localhost:40961-a2167b` is `tm_id="localhost:40961_a2167b"`
//! here (the reporter turns every character but letters, digits, `:` and `_` into `_`);
//! [`tm_key`] matches the two forms when the cluster's REST API is read too.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Deserialize;

use crate::metrics::{self, prom_name, JM_METRICS, NUM_RESTARTS, TM_METRICS};
use crate::promql::param;
pub use crate::promql::{decoded_query, encode};
use crate::raw::{Poll, Response};
use crate::rest::{self, MemoryConfiguration};
use crate::snapshot::{JobDetail, Snapshot, TaskManagerSnapshot};

/// The window read when none is given.
pub const DEFAULT_RANGE_S: u64 = 3600;
/// Prometheus refuses a range query with more points per series than this.
pub const MAX_POINTS: u64 = 11_000;
/// Points per series aimed at when the step is not given (1 h → 5 s).
pub const TARGET_POINTS: u64 = 720;
/// The finest step chosen by itself: Flink's metrics change every few seconds at most.
pub const MIN_STEP_S: u64 = 5;
/// The label that names a TaskManager in Flink's PrometheusReporter.
pub const TM_LABEL: &str = "tm_id";
/// The name of the job's restarts, the JobManager's heap (discovery).
pub const JOB_RESTARTS: &str = "flink_jobmanager_job_numRestarts";

/// The config.yaml lines that make Flink export its metrics to Prometheus.
pub const REPORTER_LINES: &str = "metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory\nmetrics.reporter.prom.port: 9249-9260";

/// A window of time, in whole seconds since the epoch, sampled every `step` seconds: the
/// points are `start, start + step, …, end`, each summarising the step before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: u64,
    pub end: u64,
    pub step: u64,
}

/// Steps chosen by themselves: round numbers of seconds.
const STEPS: [u64; 16] =
    [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

impl Window {
    /// The `range_s` seconds up to `end_s`, with `step_s` or a step giving about
    /// [`TARGET_POINTS`] points. Both ends are whole steps, so the windows that follow
    /// ([`Window::next`]) continue the same grid.
    pub fn new(range_s: u64, end_s: u64, step_s: Option<u64>) -> Result<Window, PromError> {
        if range_s == 0 {
            return Err(PromError::BadDuration("0".into()));
        }
        let step = match step_s {
            Some(0) => return Err(PromError::BadDuration("0".into())),
            Some(s) => s,
            None => {
                let want = range_s.div_ceil(TARGET_POINTS).max(MIN_STEP_S);
                STEPS.iter().copied().find(|&s| s >= want).unwrap_or(want)
            }
        };
        let points = range_s / step + 1;
        if points > MAX_POINTS {
            return Err(PromError::TooManyPoints { points, step });
        }
        let end = end_s / step * step;
        let start = end.saturating_sub(range_s) / step * step;
        Ok(Window { start, end, step })
    }

    /// The same window with a step of at least `s` seconds (a round one), on its grid.
    pub fn with_step_at_least(&self, s: u64) -> Window {
        if s <= self.step {
            return *self;
        }
        let step = STEPS.iter().copied().find(|&x| x >= s).unwrap_or(s);
        Window::new(self.end - self.start, self.end, Some(step)).unwrap_or(*self)
    }

    /// The grid alone, for the large window's queries ([`crate::promscale`]).
    pub fn span(&self) -> crate::promscale::Window {
        crate::promscale::Window { start: self.start, end: self.end, step: self.step }
    }

    pub fn points(&self) -> u64 {
        (self.end - self.start) / self.step + 1
    }

    /// The window after this one, up to `now_s` (following live), if a step has passed.
    pub fn next(&self, now_s: u64) -> Option<Window> {
        let end = now_s / self.step * self.step;
        (end > self.end).then(|| Window { start: self.end + self.step, end, step: self.step })
    }

    /// The window `range=` and `end=` describe (`end` None: now).
    pub fn parse(
        range: Option<&str>,
        end: Option<&str>,
        step: Option<&str>,
        now_s: u64,
    ) -> Result<Window, PromError> {
        let range_s = range.map(parse_duration).transpose()?.unwrap_or(DEFAULT_RANGE_S);
        let end_s = end.map(parse_time).transpose()?.unwrap_or(now_s);
        let step_s = step.map(parse_duration).transpose()?;
        Window::new(range_s, end_s, step_s)
    }
}

/// `90s`, `30m`, `6h`, `7d`, `2w` (or plain seconds) as seconds.
pub fn parse_duration(s: &str) -> Result<u64, PromError> {
    let t = s.trim();
    let bad = || PromError::BadDuration(s.to_owned());
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(mult).filter(|&v| v > 0).ok_or_else(bad)
}

/// Unix seconds (`1764770000`, fractions dropped) or RFC 3339 (`2026-12-03T10:00:00Z`,
/// `…+08:00`) as unix seconds.
pub fn parse_time(s: &str) -> Result<u64, PromError> {
    let t = s.trim();
    let bad = || PromError::BadTime(s.to_owned());
    if let Ok(v) = t.parse::<f64>() {
        return if v.is_finite() && v >= 0.0 { Ok(v as u64) } else { Err(bad()) };
    }
    let b = t.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| t.get(r).and_then(|x| x.parse::<i64>().ok()).ok_or_else(bad);
    let (y, mo, d, h, mi, se) =
        (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return Err(bad());
    }
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) && &rest[3..4] == ":" => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            let oh: i64 = rest[1..3].parse().map_err(|_| bad())?;
            let om: i64 = rest[4..6].parse().map_err(|_| bad())?;
            sign * (oh * 3600 + om * 60)
        }
        _ => return Err(bad()),
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset;
    u64::try_from(secs).map_err(|_| bad())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds as RFC 3339 in UTC (`2026-12-03T10:00:00Z`).
pub fn format_time(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Which process a metric belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    TaskManager,
    JobManager,
    Job,
}

/// How a step's readings become one: `Max` for counters (their newest reading) and for
/// what can run out, `Min` for the heap's level after collections, `Avg` for rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agg {
    Max,
    Min,
    Avg,
}

impl Agg {
    fn function(self) -> &'static str {
        match self {
            Agg::Max => "max_over_time",
            Agg::Min => "min_over_time",
            Agg::Avg => "avg_over_time",
        }
    }
}

/// One range query: a metric of the catalogue, its process and how a step is summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    pub scope: Scope,
    /// The REST id of the metric (or [`metrics::HEAP_USED_LOW`]).
    pub id: &'static str,
    pub agg: Agg,
}

impl Query {
    /// The PrometheusReporter name of the metric.
    pub fn name(&self) -> String {
        match self.scope {
            Scope::TaskManager => prom_name("taskmanager", base_id(self.id)),
            Scope::JobManager => prom_name("jobmanager", base_id(self.id)),
            Scope::Job => JOB_RESTARTS.to_owned(),
        }
    }

    pub fn promql(&self, step: u64) -> String {
        self.promql_for(step, "")
    }

    /// For the series `selector` picks (`{tm_id=~"a|b"}`; empty: all).
    pub fn promql_for(&self, step: u64, selector: &str) -> String {
        format!("{}({}{selector}[{step}s])", self.agg.function(), self.name())
    }
}

/// The metric a derived id summarises (`…Heap.Used@min` → `…Heap.Used`).
fn base_id(id: &str) -> &str {
    id.split('@').next().unwrap_or(id)
}

fn agg_of(id: &str) -> Agg {
    if id == metrics::HEAP_USED_LOW {
        Agg::Min
    } else if id.ends_with("TimeMsPerSecond") || id == metrics::CPU_LOAD {
        Agg::Avg
    } else {
        Agg::Max
    }
}

/// Every range query one window needs: the catalogue's TaskManager and JobManager metrics,
/// the heap's lowest reading per step for both, and each job's restarts.
pub fn queries() -> Vec<Query> {
    let mut out = Vec::new();
    for (scope, ids) in [(Scope::TaskManager, TM_METRICS), (Scope::JobManager, JM_METRICS)] {
        for id in ids.iter().copied().chain([metrics::HEAP_USED_LOW]) {
            out.push(Query { scope, id, agg: agg_of(id) });
        }
    }
    out.push(Query { scope: Scope::Job, id: NUM_RESTARTS, agg: Agg::Max });
    out
}

/// The query a range answer's path asked (None: not one of [`queries`]).
fn query_of(path: &str) -> Option<Query> {
    let q = decoded_query(path)?;
    QUERIES.with(|all| {
        all.iter().copied().find(|x| {
            q.strip_prefix(x.agg.function())
                .and_then(|r| r.strip_prefix('('))
                .and_then(|r| r.strip_prefix(x.name().as_str()))
                .is_some_and(|r| r.starts_with('[') || r.starts_with('{'))
        })
    })
}

thread_local! {
    static QUERIES: Vec<Query> = queries();
}

/// The discovery request: which TaskManagers, JobManager and jobs the window holds.
pub fn series_path(w: &Window) -> String {
    let mut p = String::from("/api/v1/series?");
    for name in [
        prom_name("taskmanager", metrics::HEAP_USED),
        prom_name("jobmanager", metrics::HEAP_USED),
        JOB_RESTARTS.into(),
    ] {
        p.push_str(&format!("match[]={}&", encode(&name)));
    }
    p.push_str(&format!("start={}&end={}", w.start, w.end));
    p
}

/// The full series of the TaskManagers `ids` (their `tm_label` values) over `w`: one
/// range query per TaskManager metric, as for a small window.
pub fn taskmanager_paths(w: &Window, tm_label: &str, ids: &[String]) -> Vec<String> {
    let sel = crate::promscale::matcher(tm_label, ids);
    QUERIES.with(|all| {
        all.iter().filter(|q| q.scope == Scope::TaskManager).map(|q| range_path_for(q, w, &sel)).collect()
    })
}

pub fn range_path(q: &Query, w: &Window) -> String {
    range_path_for(q, w, "")
}

/// [`range_path`] for the series `selector` picks.
pub fn range_path_for(q: &Query, w: &Window, selector: &str) -> String {
    format!(
        "/api/v1/query_range?query={}&start={}&end={}&step={}",
        encode(&q.promql_for(w.step, selector)),
        w.start,
        w.end,
        w.step
    )
}

/// The key a TaskManager id is matched by, REST (`localhost:40961-a2167b`) or Prometheus
/// (`localhost:40961_a2167b`): every character but letters, digits, `:` and `_` as `_`.
pub fn tm_key(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == ':' || c == '_' { c } else { '_' }).collect()
}

/// Why a Prometheus could not be read; each message says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PromError {
    #[error("'{0}' is not a duration: use e.g. 30m, 6h or 7d")]
    BadDuration(String),
    #[error("'{0}' is not a time: use unix seconds (1764770000) or RFC 3339 (2026-12-03T10:00:00Z)")]
    BadTime(String),
    #[error("a step of {step} s gives {points} points a series, more than the {MAX_POINTS} Prometheus answers: choose a shorter range or a longer step")]
    TooManyPoints { points: u64, step: u64 },
    #[error("'{0}' is not an http:// or https:// address of a Prometheus (e.g. http://127.0.0.1:9090)")]
    BadUrl(String),
    #[error("{url} did not answer ({detail}). Is Prometheus running there? From a browser page this is also what a refused CORS request looks like: Prometheus answers pages of other origins only when its --web.cors.origin allows them (its default '.*' does)")]
    Unreachable { url: String, detail: String },
    #[error("{url}/api/v1/series answered HTTP {status}: this is not Prometheus's HTTP API. Check the address (Prometheus listens on 9090 by default) and any path prefix (Thanos, Mimir: …/prometheus)")]
    NotPrometheus { url: String, status: u16 },
    #[error("{url} holds no Flink metrics between {from} and {to}. Flink exports them with these two lines in config.yaml (and Prometheus must scrape those ports):\n{REPORTER_LINES}")]
    NoFlinkMetrics { url: String, from: String, to: String },
    #[error("the TaskManager metrics have no label '{label}'; the labels found are: {found}. Choose the one that names a TaskManager")]
    NoTmLabel { label: String, found: String },
    #[error("the query for {metric} is over the server's limits ({detail}): choose a shorter range or a longer step")]
    TooBig { metric: String, detail: String },
    #[error("Prometheus did not finish the query for {metric} in time ({detail}): choose a shorter range or a longer step")]
    Slow { metric: String, detail: String },
    #[error("Prometheus refused the query for {metric}: HTTP {status}: {detail}")]
    Refused { metric: String, status: u16, detail: String },
}

impl PromError {
    pub fn describe(&self, lang: memlab_text::Lang) -> String {
        use memlab_text::tr;
        match self {
            PromError::BadDuration(s) => tr!(lang, "'{s}' is not a duration: use e.g. 30m, 6h or 7d", "'{s}' 不是时长：请用 30m、6h 或 7d 这样的写法"),
            PromError::BadTime(s) => tr!(lang, "'{s}' is not a time: use unix seconds (1764770000) or RFC 3339 (2026-12-03T10:00:00Z)", "'{s}' 不是时间：请用 unix 秒（1764770000）或 RFC 3339（2026-12-03T10:00:00Z）"),
            PromError::TooManyPoints { points, step } => tr!(lang, "a step of {step} s gives {points} points a series, more than the {MAX_POINTS} Prometheus answers: choose a shorter range or a longer step", "步长 {step} 秒时每条序列有 {points} 个点，超过 Prometheus 最多返回的 {MAX_POINTS} 个：请缩短时间范围或加大步长"),
            PromError::BadUrl(u) => tr!(lang, "'{u}' is not an http:// or https:// address of a Prometheus (e.g. http://127.0.0.1:9090)", "'{u}' 不是 Prometheus 的 http:// 或 https:// 地址（例如 http://127.0.0.1:9090）"),
            PromError::Unreachable { url, detail } => tr!(lang, "{url} did not answer ({detail}). Is Prometheus running there? From a browser page this is also what a refused CORS request looks like: Prometheus answers pages of other origins only when its --web.cors.origin allows them (its default '.*' does)", "{url} 没有应答（{detail}）。Prometheus 在那里运行吗？在浏览器页面中，被拒绝的 CORS 请求看起来也是这样：只有当 Prometheus 的 --web.cors.origin 允许时，它才应答其他来源的页面（默认值 '.*' 允许）"),
            PromError::NotPrometheus { url, status } => tr!(lang, "{url}/api/v1/series answered HTTP {status}: this is not Prometheus's HTTP API. Check the address (Prometheus listens on 9090 by default) and any path prefix (Thanos, Mimir: …/prometheus)", "{url}/api/v1/series 返回 HTTP {status}：这不是 Prometheus 的 HTTP API。请检查地址（Prometheus 默认监听 9090）和路径前缀（Thanos、Mimir：…/prometheus）"),
            PromError::NoFlinkMetrics { url, from, to } => tr!(lang, "{url} holds no Flink metrics between {from} and {to}. Flink exports them with these two lines in config.yaml (and Prometheus must scrape those ports):\n{REPORTER_LINES}", "{url} 在 {from} 到 {to} 之间没有 Flink 指标。在 config.yaml 中加入这两行，Flink 就会导出指标（Prometheus 还要抓取这些端口）：\n{REPORTER_LINES}"),
            PromError::NoTmLabel { label, found } => tr!(lang, "the TaskManager metrics have no label '{label}'; the labels found are: {found}. Choose the one that names a TaskManager", "TaskManager 指标没有标签 '{label}'；找到的标签有：{found}。请选择标识 TaskManager 的那个"),
            PromError::TooBig { metric, detail } => tr!(lang, "the query for {metric} is over the server's limits ({detail}): choose a shorter range or a longer step", "{metric} 的查询超出了服务器的限制（{detail}）：请缩短时间范围或加大步长"),
            PromError::Slow { metric, detail } => tr!(lang, "Prometheus did not finish the query for {metric} in time ({detail}): choose a shorter range or a longer step", "Prometheus 没有及时完成 {metric} 的查询（{detail}）：请缩短时间范围或加大步长"),
            PromError::Refused { metric, status, detail } => tr!(lang, "Prometheus refused the query for {metric}: HTTP {status}: {detail}", "Prometheus 拒绝了 {metric} 的查询：HTTP {status}：{detail}"),
        }
    }
}

#[derive(Deserialize)]
struct Answer<T> {
    status: String,
    #[serde(default = "Option::default")]
    data: Option<T>,
    #[serde(default, rename = "errorType")]
    error_type: String,
    #[serde(default)]
    error: String,
}

#[derive(Deserialize)]
struct Matrix {
    result: Vec<RangeSeries>,
}

#[derive(Deserialize)]
struct RangeSeries {
    metric: BTreeMap<String, String>,
    values: Vec<(f64, String)>,
}

/// What the discovery request found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// TaskManagers by the label that names them.
    pub taskmanagers: BTreeSet<String>,
    pub jobmanager: bool,
    /// Job ids.
    pub jobs: BTreeSet<String>,
    /// Every label the TaskManager series carry.
    pub tm_labels: BTreeSet<String>,
}

/// Reads the discovery answer of a window from `url`, with `tm_label` naming TaskManagers.
pub fn discovered(url: &str, r: &Response, w: &Window, tm_label: &str) -> Result<Found, PromError> {
    match r.status {
        0 => {
            return Err(PromError::Unreachable {
                url: url.to_owned(),
                detail: r.body.chars().take(200).collect(),
            })
        }
        200 | 400 | 422 | 503 => {}
        s => return Err(PromError::NotPrometheus { url: url.to_owned(), status: s }),
    }
    let a: Answer<Vec<BTreeMap<String, String>>> = serde_json::from_str(&r.body)
        .map_err(|_| PromError::NotPrometheus { url: url.to_owned(), status: r.status })?;
    if a.status != "success" {
        return Err(api_error("/api/v1/series", r.status, &a.error_type, &a.error));
    }
    let tm_name = prom_name("taskmanager", metrics::HEAP_USED);
    let mut f = Found::default();
    let mut tm_series = 0;
    for labels in a.data.unwrap_or_default() {
        match labels.get("__name__").map(String::as_str) {
            Some(n) if n == tm_name => {
                tm_series += 1;
                f.tm_labels.extend(labels.keys().filter(|k| *k != "__name__").cloned());
                if let Some(id) = labels.get(tm_label) {
                    f.taskmanagers.insert(id.clone());
                }
            }
            Some(JOB_RESTARTS) => {
                if let Some(j) = labels.get("job_id") {
                    f.jobs.insert(j.clone());
                }
            }
            Some(_) => f.jobmanager = true,
            None => {}
        }
    }
    if tm_series == 0 && !f.jobmanager {
        return Err(PromError::NoFlinkMetrics {
            url: url.to_owned(),
            from: format_time(w.start),
            to: format_time(w.end),
        });
    }
    if tm_series > 0 && f.taskmanagers.is_empty() {
        return Err(PromError::NoTmLabel {
            label: tm_label.to_owned(),
            found: f.tm_labels.iter().cloned().collect::<Vec<_>>().join(", "),
        });
    }
    Ok(f)
}

fn api_error(metric: &str, status: u16, kind: &str, error: &str) -> PromError {
    let detail: String = error.chars().take(300).collect();
    let metric = metric.to_owned();
    if kind == "timeout" || status == 503 {
        PromError::Slow { metric, detail }
    } else if error.contains("11,000 points") || error.contains("too many samples") || status == 422 {
        PromError::TooBig { metric, detail }
    } else {
        PromError::Refused {
            metric,
            status,
            detail: if detail.is_empty() { kind.to_owned() } else { detail },
        }
    }
}

/// The first failed range answer of a fetch, as an error (None: all answered).
pub fn failed(url: &str, p: &Poll) -> Option<PromError> {
    p.responses.iter().filter(|r| r.path.starts_with("/api/v1/query_range")).find_map(|r| {
        let metric = query_of(&r.path).map_or_else(|| "a metric".to_owned(), |q| q.name());
        match r.status {
            200 => None,
            0 => Some(PromError::Unreachable {
                url: url.to_owned(),
                detail: r.body.chars().take(200).collect(),
            }),
            s => Some(match serde_json::from_str::<Answer<serde_json::Value>>(&r.body) {
                Ok(a) => api_error(&metric, s, &a.error_type, &a.error),
                Err(_) => {
                    PromError::Refused { metric, status: s, detail: r.body.chars().take(200).collect() }
                }
            }),
        }
    })
}

/// What one window's fetch does. Round one is the discovery; once its answer is in,
/// [`Fetch::paths`] gives the range queries (none if nothing was found).
#[derive(Clone, Debug)]
pub struct Fetch {
    pub window: Window,
    round: u8,
    responses: Vec<Response>,
    /// Also ask the cluster's REST API (its paths have no `/api/v1/` prefix): the
    /// configured sizes Prometheus lacks.
    pub with_rest: bool,
    tm_label: String,
    /// More TaskManagers than [`crate::promscale::FULL_MAX`]: a third round reads the
    /// riskiest one's full series.
    large: bool,
    /// Following a large window live: the TaskManagers already read in full, read on
    /// instead of ranking again (their series continue; the others stay peaks).
    keep: Option<Vec<String>>,
    /// The running jobs' details were asked for (the last round, with `with_rest`).
    jobs_asked: bool,
}

/// The REST requests a Prometheus window adds when the cluster's address is known too (and
/// then, in a last round, `/jobs/<jid>` of each running job: its graph, for tuning).
pub const REST_PATHS: [&str; 3] = ["/taskmanagers", "/jobmanager/config", "/jobs/overview"];

impl Fetch {
    pub fn new(window: Window, with_rest: bool) -> Fetch {
        Fetch {
            window,
            round: 0,
            responses: Vec::new(),
            with_rest,
            tm_label: TM_LABEL.into(),
            large: false,
            keep: None,
            jobs_asked: false,
        }
    }

    /// Following a large window: only `ids` (their label values) in full, no ranking.
    pub fn with_taskmanagers(mut self, ids: Option<Vec<String>>) -> Fetch {
        self.keep = ids;
        self
    }

    /// With `label` naming a TaskManager (Flink's reporter: [`TM_LABEL`]).
    pub fn with_tm_label(mut self, label: &str) -> Fetch {
        self.tm_label = label.to_owned();
        self
    }

    /// Whether the window is of a large cluster (known after the first round).
    pub fn is_large(&self) -> bool {
        self.large
    }

    /// The requests of the next round (empty: done). A REST path is for the cluster's
    /// address, the others for Prometheus's.
    pub fn paths(&mut self) -> Vec<String> {
        self.round += 1;
        let p = self.round_paths();
        if !p.is_empty() || !self.with_rest || self.jobs_asked {
            return p;
        }
        // Last: each running job's details (its plan: the job graph tuning counts buffers from).
        self.jobs_asked = true;
        self.responses
            .iter()
            .filter(|r| r.status == 200 && r.path == "/jobs/overview")
            .filter_map(|r| serde_json::from_str::<rest::JobsOverview>(&r.body).ok())
            .flat_map(|o| o.jobs)
            .filter(|j| j.state == "RUNNING")
            .take(crate::poll::MAX_WATCHED)
            .map(|j| format!("/jobs/{}", j.jid))
            .collect()
    }

    fn round_paths(&mut self) -> Vec<String> {
        match self.round {
            1 => vec![series_path(&self.window), interval_path(&self.window)],
            2 if self.responses.first().is_some_and(|r| r.status == 200) => {
                // A step finer than the scrape interval would leave steps without a reading.
                if let Some(i) = self.responses.get(1).and_then(scrape_interval) {
                    self.window = self.window.with_step_at_least(i);
                }
                let tms = discovered("", &self.responses[0], &self.window, &self.tm_label)
                    .map_or(0, |f| f.taskmanagers.len());
                self.large = tms > crate::promscale::FULL_MAX;
                let w = &self.window;
                let mut p: Vec<String> = if let Some(ids) = &self.keep {
                    let mut p = taskmanager_paths(w, &self.tm_label, ids);
                    p.extend(crate::promscale::dist_paths(&w.span()));
                    p.extend(
                        queries().iter().filter(|q| q.scope != Scope::TaskManager).map(|q| range_path(q, w)),
                    );
                    self.large = false;
                    p
                } else if self.large {
                    // The ranking, the peaks and the distributions; the full series of the
                    // riskiest next round; the JobManager's and the jobs' now.
                    let mut p = crate::promscale::rank_paths(&w.span());
                    p.extend(crate::promscale::peak_paths(&w.span()));
                    p.extend(crate::promscale::dist_paths(&w.span()));
                    p.extend(
                        queries().iter().filter(|q| q.scope != Scope::TaskManager).map(|q| range_path(q, w)),
                    );
                    p
                } else {
                    queries().iter().map(|q| range_path(q, w)).collect()
                };
                if self.with_rest {
                    p.extend(REST_PATHS.iter().map(|s| (*s).to_owned()));
                }
                p
            }
            3 if self.large => {
                let ranks: Vec<&Response> = self
                    .responses
                    .iter()
                    .filter(|r| {
                        r.status == 200
                            && decoded_query(&r.path).is_some_and(|q| {
                                crate::promscale::classify(&r.path, &q) == Some(crate::promscale::Kind::Rank)
                            })
                    })
                    .collect();
                let ids = crate::promscale::chosen(&ranks, &self.tm_label);
                if ids.is_empty() {
                    return Vec::new();
                }
                taskmanager_paths(&self.window, &self.tm_label, &ids)
            }
            _ => Vec::new(),
        }
    }

    pub fn receive(&mut self, answers: impl IntoIterator<Item = Response>) {
        self.responses.extend(answers);
    }

    /// The answers as one poll at `t` (ms).
    pub fn finish(self, t: u64) -> Poll {
        Poll { t, responses: self.responses }
    }
}

/// The most heap readings a TaskManager had in 3 minutes, over the hour before the
/// window's end (a cluster may have stopped before it): the scrape interval, which the
/// step must not be finer than.
pub fn interval_path(w: &Window) -> String {
    let q = format!(
        "max_over_time(max(count_over_time({}[3m]))[1h:3m])",
        prom_name("taskmanager", metrics::HEAP_USED)
    );
    format!("/api/v1/query?query={}&time={}", encode(&q), w.end)
}

/// The scrape interval (s) the answer to [`interval_path`] shows, if it shows one.
fn scrape_interval(r: &Response) -> Option<u64> {
    #[derive(Deserialize)]
    struct Vector {
        result: Vec<Sample>,
    }
    #[derive(Deserialize)]
    struct Sample {
        value: (f64, String),
    }
    let a: Answer<Vector> = serde_json::from_str(&r.body).ok()?;
    let n: f64 = a.data?.result.first()?.value.1.parse().ok()?;
    (n >= 2.0).then(|| (180.0 / n).ceil() as u64)
}

/// Whether a response is Prometheus's (the others in a Prometheus recording are the
/// cluster's REST API).
pub fn is_prometheus_path(path: &str) -> bool {
    path.starts_with("/api/v1/")
}

/// Readings at one step.
#[derive(Clone, Debug, Default)]
struct Frame {
    tms: BTreeMap<String, BTreeMap<String, f64>>,
    jm: BTreeMap<String, f64>,
    /// Job id → (name, restarts).
    jobs: BTreeMap<String, (String, f64)>,
    /// Metric id → min, median, max over all TaskManagers.
    spread: BTreeMap<String, [Option<f64>; 3]>,
}

/// Turns the polls of a Prometheus recording into one snapshot per step, as they arrive.
#[derive(Clone, Debug)]
pub struct Assembler {
    tm_label: String,
    /// From the cluster's REST API, by [`tm_key`]: (REST id, slots, free slots, memory).
    rest_tms: BTreeMap<String, (String, u32, u32, Option<MemoryConfiguration>)>,
    jm_config: Option<crate::config::FlinkConfig>,
    /// Seconds of the newest step turned into a snapshot.
    done: Option<u64>,
    step: u64,
    /// A large window's peaks, by TaskManager: metric id → value.
    peaks: BTreeMap<String, BTreeMap<String, f64>>,
    /// The TaskManagers whose full series arrived.
    full: BTreeSet<String>,
    peers: Arc<Vec<TaskManagerSnapshot>>,
    /// The running jobs' graphs, from the cluster's REST API, by job id.
    graphs: BTreeMap<String, Arc<crate::jobgraph::JobGraph>>,
}

impl Assembler {
    pub fn new(tm_label: &str) -> Assembler {
        Assembler {
            tm_label: tm_label.to_owned(),
            rest_tms: BTreeMap::new(),
            jm_config: None,
            done: None,
            step: 0,
            peaks: BTreeMap::new(),
            full: BTreeSet::new(),
            peers: Arc::new(Vec::new()),
            graphs: BTreeMap::new(),
        }
    }

    /// Adds the steps of `p` to `out` (the snapshots of the polls before): the steps newer
    /// than those already given as new snapshots; the TaskManager series of steps already
    /// given (a TaskManager of a large window read in full later, when the user opened it)
    /// into their snapshots.
    pub fn push(&mut self, p: &Poll, out: &mut Vec<Snapshot>) {
        let mut frames: BTreeMap<u64, Frame> = BTreeMap::new();
        for r in p.responses.iter().filter(|r| r.status == 200) {
            let path = r.path.split('?').next().unwrap_or("");
            match path {
                "/taskmanagers" => {
                    if let Ok(list) = serde_json::from_str::<rest::TaskManagers>(&r.body) {
                        for tm in list.taskmanagers {
                            self.rest_tms.insert(
                                tm_key(&tm.id),
                                (tm.id.clone(), tm.slots_number, tm.free_slots, tm.memory_configuration),
                            );
                        }
                    }
                }
                "/jobmanager/config" => {
                    if let Ok(entries) = serde_json::from_str::<Vec<rest::ConfigEntry>>(&r.body) {
                        let mut c = crate::config::FlinkConfig::new();
                        for e in entries {
                            c.set(&e.key, &e.value);
                        }
                        self.jm_config = Some(c);
                    }
                }
                p if p.starts_with("/jobs/") && p.len() > "/jobs/".len() && !p[6..].contains('/') => {
                    if let Ok(d) = serde_json::from_str::<rest::JobDetails>(&r.body) {
                        if let Some(g) = d.plan.as_ref().and_then(crate::jobgraph::JobGraph::from_plan) {
                            self.graphs.insert(d.jid, Arc::new(g));
                        }
                    }
                }
                "/api/v1/query" => {
                    let kind = decoded_query(&r.path).and_then(|q| crate::promscale::classify(&r.path, &q));
                    if let Some(crate::promscale::Kind::Peak(id)) = kind {
                        for (tm, v) in crate::promscale::values(r, &self.tm_label) {
                            self.peaks.entry(tm).or_default().insert(id.to_owned(), v);
                        }
                    }
                }
                "/api/v1/query_range" => {
                    if let Some(step) = param(&r.path, "step").and_then(|s| s.parse().ok()) {
                        self.step = step;
                    }
                    let kind = decoded_query(&r.path).and_then(|q| crate::promscale::classify(&r.path, &q));
                    if let Some(crate::promscale::Kind::Dist(id, stat)) = kind {
                        let k = stat as usize;
                        if let Ok(a) = serde_json::from_str::<Answer<Matrix>>(&r.body) {
                            for s in a.data.map(|m| m.result).unwrap_or_default() {
                                for (ts, v) in &s.values {
                                    if let Ok(v) = v.parse::<f64>() {
                                        frames
                                            .entry(*ts as u64)
                                            .or_default()
                                            .spread
                                            .entry(id.to_owned())
                                            .or_default()[k] = Some(v);
                                    }
                                }
                            }
                        }
                        continue;
                    }
                    let (Some(q), Ok(a)) =
                        (query_of(&r.path), serde_json::from_str::<Answer<Matrix>>(&r.body))
                    else {
                        continue;
                    };
                    for s in a.data.map(|m| m.result).unwrap_or_default() {
                        for (ts, v) in &s.values {
                            let Ok(v) = v.parse::<f64>() else { continue };
                            let f = frames.entry(*ts as u64).or_default();
                            match q.scope {
                                Scope::TaskManager => {
                                    if let Some(tm) = s.metric.get(&self.tm_label) {
                                        if !self.full.contains(tm) {
                                            self.full.insert(tm.clone());
                                        }
                                        f.tms.entry(tm.clone()).or_default().insert(q.id.to_owned(), v);
                                    }
                                }
                                Scope::JobManager => {
                                    f.jm.insert(q.id.to_owned(), v);
                                }
                                Scope::Job => {
                                    if let Some(j) = s.metric.get("job_id") {
                                        let name = s.metric.get("job_name").cloned().unwrap_or_default();
                                        f.jobs.insert(j.clone(), (name, v));
                                    }
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !self.peaks.is_empty() {
            let peers: Vec<TaskManagerSnapshot> = self
                .peaks
                .iter()
                .filter(|(id, _)| !self.full.contains(*id))
                .map(|(id, metrics)| self.taskmanager(id.clone(), metrics.clone()))
                .collect();
            if peers.len() != self.peers.len() {
                self.peers = Arc::new(peers);
                for s in out.iter_mut() {
                    s.peers = self.peers.clone();
                }
            }
        }
        for (ts, f) in frames {
            if self.done.is_some_and(|d| ts <= d) {
                let Ok(k) = out.binary_search_by_key(&(ts * 1000), |s| s.t) else { continue };
                for (id, metrics) in f.tms {
                    let tm = self.taskmanager(id, metrics);
                    let s = &mut out[k];
                    match s.taskmanagers.iter_mut().find(|t| t.id == tm.id) {
                        Some(t) => t.metrics.extend(tm.metrics),
                        None => s.taskmanagers.push(tm),
                    }
                }
                continue;
            }
            self.done = Some(ts);
            out.push(self.snapshot(ts, f));
        }
    }

    /// The label values of the TaskManagers read in full, when the window is a large
    /// cluster's (None: every TaskManager is).
    pub fn tm_label(&self) -> &str {
        &self.tm_label
    }

    pub fn read_in_full(&self) -> Option<Vec<String>> {
        (!self.peaks.is_empty()).then(|| self.full.iter().cloned().collect())
    }

    /// A TaskManager by its Prometheus label, under its REST id when the cluster's REST
    /// API was read too.
    fn taskmanager(&self, id: String, metrics: BTreeMap<String, f64>) -> TaskManagerSnapshot {
        let rest = self.rest_tms.get(&tm_key(&id));
        TaskManagerSnapshot {
            id: rest.map_or(id, |r| r.0.clone()),
            slots: rest.map_or(0, |r| r.1),
            free_slots: rest.map_or(0, |r| r.2),
            memory: rest.and_then(|r| r.3),
            metrics,
        }
    }

    fn snapshot(&self, ts: u64, f: Frame) -> Snapshot {
        let taskmanagers = f.tms.into_iter().map(|(id, metrics)| self.taskmanager(id, metrics)).collect();
        let summary = f
            .spread
            .into_iter()
            .filter_map(|(id, [min, median, max])| {
                let s = crate::snapshot::Spread { min: min?, max: max?, avg: None, median, sum: None };
                Some((id, s))
            })
            .collect();
        let jobs: Vec<rest::JobSummary> = f
            .jobs
            .iter()
            .map(|(jid, (name, _))| rest::JobSummary {
                jid: jid.clone(),
                name: name.clone(),
                // The JobManager exports a job's metrics while it holds the job.
                state: "RUNNING".into(),
                start_time: 0,
            })
            .collect();
        let job_details = f
            .jobs
            .into_iter()
            .map(|(jid, (name, restarts))| {
                let d = JobDetail {
                    jid: jid.clone(),
                    name,
                    state: "RUNNING".into(),
                    end_time: -1,
                    restarts: Some(restarts),
                    graph: self.graphs.get(&jid).cloned(),
                    ..Default::default()
                };
                (jid, Arc::new(d))
            })
            .collect();
        Snapshot {
            t: ts * 1000,
            step_ms: self.step * 1000,
            overview: None,
            taskmanagers,
            listed_taskmanagers: true,
            jobmanager_metrics: f.jm,
            jobs,
            jobmanager_config: self.jm_config.clone(),
            job_details,
            errors: Vec::new(),
            summary,
            peers: self.peers.clone(),
        }
    }
}

/// The configured sizes a Prometheus window cannot give, as words for the reader: Flink
/// exports the heap's maximum, managed memory's total, the network segments and the
/// metaspace maximum, but not its whole memory configuration.
pub fn lacks_configuration(snaps: &[Snapshot]) -> bool {
    snaps.last().is_some_and(|s| s.taskmanagers.iter().any(|t| t.memory.is_none()))
}

/// A recording's snapshots as OpenMetrics text (what `promtool tsdb
/// create-blocks-from openmetrics` backfills), in PrometheusReporter names, shifted by
/// `shift_ms`: the history a real Prometheus would hold had it scraped that cluster.
pub fn to_openmetrics(snaps: &[Snapshot], shift_ms: i64, tm_label: &str) -> String {
    // name → labels → [(t, v)]: OpenMetrics wants each family's samples together.
    let mut fam: BTreeMap<String, BTreeMap<String, Vec<(i64, f64)>>> = BTreeMap::new();
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    for s in snaps {
        let t = s.t as i64 + shift_ms;
        for tm in &s.taskmanagers {
            let labels = format!("{tm_label}=\"{}\"", esc(&tm_key(&tm.id)));
            for (id, v) in &tm.metrics {
                if TM_METRICS.contains(&id.as_str()) && v.is_finite() {
                    fam.entry(prom_name("taskmanager", id))
                        .or_default()
                        .entry(labels.clone())
                        .or_default()
                        .push((t, *v));
                }
            }
        }
        for (id, v) in &s.jobmanager_metrics {
            if JM_METRICS.contains(&id.as_str()) && v.is_finite() {
                fam.entry(prom_name("jobmanager", id))
                    .or_default()
                    .entry(String::new())
                    .or_default()
                    .push((t, *v));
            }
        }
        for j in &s.jobs {
            if j.state != "RUNNING" && j.state != "RESTARTING" {
                continue;
            }
            let restarts = s.job_details.get(&j.jid).and_then(|d| d.restarts).unwrap_or(0.0);
            let labels = format!("job_id=\"{}\",job_name=\"{}\"", esc(&j.jid), esc(&tm_key(&j.name)));
            fam.entry(JOB_RESTARTS.to_owned()).or_default().entry(labels).or_default().push((t, restarts));
        }
    }
    let mut out = String::new();
    for (name, series) in fam {
        out.push_str(&format!("# TYPE {name} gauge\n"));
        for (labels, points) in series {
            for (t, v) in points {
                let at = format!("{}.{:03}", t.div_euclid(1000), t.rem_euclid(1000));
                if labels.is_empty() {
                    out.push_str(&format!("{name} {v} {at}\n"));
                } else {
                    out.push_str(&format!("{name}{{{labels}}} {v} {at}\n"));
                }
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_whole_steps_within_prometheus_limits() {
        let w = Window::new(3600, 1_764_770_003, None).unwrap();
        assert_eq!(w.step, 5);
        assert_eq!(w.end % 5, 0);
        assert_eq!(w.points(), 721);
        assert_eq!(Window::new(7 * 86_400, 1_764_770_000, None).unwrap().step, 900);
        assert_eq!(
            Window::new(86_400, 1_764_770_000, Some(1)),
            Err(PromError::TooManyPoints { points: 86_401, step: 1 })
        );
        let next = w.next(w.end + 12).unwrap();
        assert_eq!((next.start, next.end), (w.end + 5, w.end + 10));
        assert_eq!(w.next(w.end + 4), None);
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert_eq!(parse_duration("90"), Ok(90));
        assert!(parse_duration("6 hours").is_err());
        assert!(parse_duration("0h").is_err());
        assert_eq!(parse_time("1764770000"), Ok(1_764_770_000));
        assert_eq!(parse_time("2026-12-03T10:00:00Z"), Ok(1_796_292_000));
        assert_eq!(parse_time("2026-12-03T18:00:00.250+08:00"), Ok(1_796_292_000));
        assert_eq!(format_time(1_796_292_000), "2026-12-03T10:00:00Z");
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2026-13-03T10:00:00Z").is_err());
    }

    #[test]
    fn rest_and_prometheus_ids_match() {
        assert_eq!(tm_key("localhost:40961-a2167b"), "localhost:40961_a2167b");
        assert_eq!(tm_key("10.0.0.7:40961-a2167b"), tm_key("10_0_0_7:40961_a2167b"));
    }

    #[test]
    fn range_paths_say_their_query() {
        let w = Window::new(600, 1_764_770_000, None).unwrap();
        for q in queries() {
            assert_eq!(query_of(&range_path(&q, &w)), Some(q), "{}", q.promql(w.step));
        }
        let heap_low =
            queries().into_iter().find(|q| q.id == metrics::HEAP_USED_LOW && q.scope == Scope::TaskManager);
        assert_eq!(
            heap_low.unwrap().promql(5),
            "min_over_time(flink_taskmanager_Status_JVM_Memory_Heap_Used[5s])"
        );
    }

    fn answer(path: String, body: &str) -> Response {
        Response { path, status: 200, body: body.into(), t: 0 }
    }

    #[test]
    fn discovery_explains_what_is_missing() {
        let w = Window::new(600, 1_764_770_000, None).unwrap();
        let empty = answer(series_path(&w), r#"{"status":"success","data":[]}"#);
        assert!(matches!(
            discovered("http://p", &empty, &w, TM_LABEL),
            Err(PromError::NoFlinkMetrics { .. })
        ));
        let relabelled = answer(
            series_path(&w),
            r#"{"status":"success","data":[{"__name__":"flink_taskmanager_Status_JVM_Memory_Heap_Used","pod":"tm-1","host":"h"}]}"#,
        );
        assert_eq!(
            discovered("http://p", &relabelled, &w, TM_LABEL),
            Err(PromError::NoTmLabel { label: "tm_id".into(), found: "host, pod".into() })
        );
        assert_eq!(discovered("http://p", &relabelled, &w, "pod").unwrap().taskmanagers.len(), 1);
        let html = Response { status: 404, ..answer(series_path(&w), "<html>") };
        assert_eq!(
            discovered("http://p", &html, &w, TM_LABEL),
            Err(PromError::NotPrometheus { url: "http://p".into(), status: 404 })
        );
    }

    #[test]
    fn a_full_series_query_is_not_a_large_windows_summary() {
        let w = Window::new(600, 1_764_770_000, None).unwrap();
        for q in queries() {
            let p = range_path(&q, &w);
            assert_eq!(crate::promscale::classify(&p, &decoded_query(&p).unwrap()), None, "{p}");
        }
    }

    #[test]
    fn a_taskmanager_opened_later_joins_the_steps_already_given() {
        let w = Window { start: 100, end: 110, step: 5 };
        let series = |id: &str| {
            format!(
                r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"tm_id":"{id}"}},"values":[[100,"5"],[105,"7"],[110,"9"]]}}]}}}}"#
            )
        };
        let peaks = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"tm_id":"a"},"value":[110,"9"]},{"metric":{"tm_id":"b"},"value":[110,"4"]}]}}"#;
        let heap_of = |ids: &[&str]| {
            let ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
            taskmanager_paths(&w, TM_LABEL, &ids)
                .into_iter()
                .find(|p| query_of(p).is_some_and(|q| q.id == metrics::HEAP_USED))
                .unwrap()
        };
        let first = Poll {
            t: 0,
            responses: vec![
                answer(crate::promscale::peak_paths(&w.span())[0].clone(), peaks),
                answer(heap_of(&["a"]), &series("a")),
            ],
        };
        let mut a = Assembler::new(TM_LABEL);
        let mut snaps = Vec::new();
        a.push(&first, &mut snaps);
        assert_eq!(snaps.len(), 3);
        assert_eq!(snaps[2].taskmanagers.len(), 1);
        assert_eq!(snaps[2].peers.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["b"]);
        // The user opens b: its series join every step, and it is no longer a peer.
        let later = Poll { t: 1, responses: vec![answer(heap_of(&["b"]), &series("b"))] };
        a.push(&later, &mut snaps);
        assert_eq!(snaps.len(), 3);
        assert!(snaps.iter().all(|s| s.taskmanagers.len() == 2 && s.peers.is_empty()));
        assert_eq!(snaps[1].taskmanagers[1].metric(metrics::HEAP_USED), Some(7.0));
    }

    #[test]
    fn with_the_cluster_the_running_jobs_graphs_are_read_last() {
        let w = Window { start: 100, end: 110, step: 5 };
        let mut f = Fetch::new(w, true);
        let series = r#"{"status":"success","data":[{"__name__":"flink_taskmanager_Status_JVM_Memory_Heap_Used","tm_id":"h:1_ab"}]}"#;
        assert_eq!(f.paths().len(), 2);
        f.receive([answer(series_path(&w), series), answer(interval_path(&w), "{}")]);
        let second = f.paths();
        assert!(second.iter().any(|p| p == "/jobs/overview"), "{second:?}");
        let overview = r#"{"jobs":[{"jid":"j1","name":"load","state":"RUNNING","start-time":1},{"jid":"j0","name":"old","state":"FINISHED","start-time":0}]}"#;
        f.receive([answer("/jobs/overview".into(), overview)]);
        assert_eq!(f.paths(), ["/jobs/j1"], "only the running job");
        assert!(f.paths().is_empty());
        // Its plan gives the job's graph in every step.
        let q = queries().into_iter().find(|q| q.scope == Scope::Job).unwrap();
        let restarts = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job_id":"j1","job_name":"load"},"values":[[100,"0"],[105,"0"],[110,"0"]]}]}}"#;
        let detail = r#"{"jid":"j1","name":"load","state":"RUNNING","plan":{"nodes":[{"id":"a","parallelism":2,"description":"Source"},{"id":"b","parallelism":2,"description":"Sink","inputs":[{"id":"a","ship_strategy":"HASH"}]}]}}"#;
        let p = Poll {
            t: 0,
            responses: vec![answer(range_path(&q, &w), restarts), answer("/jobs/j1".into(), detail)],
        };
        let mut a = Assembler::new(TM_LABEL);
        let mut snaps = Vec::new();
        a.push(&p, &mut snaps);
        let g = snaps[0].job_details["j1"].graph.as_ref().expect("the graph");
        assert_eq!(g.vertices.len(), 2);
    }

    #[test]
    fn range_answers_become_one_snapshot_per_step() {
        let w = Window { start: 100, end: 110, step: 5 };
        let q = |id| queries().into_iter().find(|q| q.id == id && q.scope == Scope::TaskManager).unwrap();
        let heap = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"tm_id":"h:1_ab"},"values":[[100,"5"],[105,"7"],[110,"9"]]}]}}"#;
        let low = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"tm_id":"h:1_ab"},"values":[[105,"3"]]}]}}"#;
        let tms = r#"{"taskmanagers":[{"id":"h:1-ab","slotsNumber":2,"freeSlots":1}]}"#;
        let p = Poll {
            t: 0,
            responses: vec![
                answer(range_path(&q(metrics::HEAP_USED), &w), heap),
                answer(range_path(&q(metrics::HEAP_USED_LOW), &w), low),
                answer("/taskmanagers".into(), tms),
            ],
        };
        let mut a = Assembler::new(TM_LABEL);
        let mut snaps = Vec::new();
        a.push(&p, &mut snaps);
        assert_eq!(snaps.len(), 3);
        assert_eq!(snaps[1].t, 105_000);
        assert_eq!(snaps[1].step_ms, 5000);
        let tm = &snaps[1].taskmanagers[0];
        assert_eq!(tm.id, "h:1-ab", "the REST id, matched");
        assert_eq!(
            (tm.slots, tm.metric(metrics::HEAP_USED), tm.metric(metrics::HEAP_USED_LOW)),
            (2, Some(7.0), Some(3.0))
        );
        let before = snaps.clone();
        a.push(&p, &mut snaps);
        assert_eq!(snaps, before, "steps already given are not given again");
    }

    #[test]
    fn openmetrics_groups_each_family() {
        let mut s = Snapshot { t: 1_000_500, ..Snapshot::default() };
        s.taskmanagers.push(TaskManagerSnapshot {
            id: "h:1-ab".into(),
            slots: 1,
            free_slots: 0,
            memory: None,
            metrics: [(metrics::HEAP_USED.to_owned(), 5.0)].into_iter().collect(),
        });
        let mut s2 = s.clone();
        s2.t += 1000;
        let text = to_openmetrics(&[s, s2], 0, TM_LABEL);
        assert_eq!(
            text,
            "# TYPE flink_taskmanager_Status_JVM_Memory_Heap_Used gauge\n\
             flink_taskmanager_Status_JVM_Memory_Heap_Used{tm_id=\"h:1_ab\"} 5 1000.500\n\
             flink_taskmanager_Status_JVM_Memory_Heap_Used{tm_id=\"h:1_ab\"} 5 1001.500\n# EOF\n"
        );
    }
}
