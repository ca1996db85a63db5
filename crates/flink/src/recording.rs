//! Recordings of a Flink cluster (`.memlab.json`, version 1): raw REST responses with their
//! HTTP status and arrival time, grouped in polls. The same type serves a live session in
//! the app, a file made by `memlab record`, and replays. [`Recording::snapshots`] turns
//! the raw bodies into typed [`Snapshot`]s; a new detector can re-read old recordings.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::raw::{Poll, Response};
use crate::rest;
pub use crate::snapshot::{Snapshot, TaskManagerSnapshot};

pub const FORMAT: &str = "memlab-recording";
/// A recording of Flink's REST API.
pub const VERSION: u32 = 1;
/// A window read from Prometheus ([`crate::promapi`]): its polls are fetches of range
/// queries, each giving many snapshots, so a memlab that reads only version 1 must refuse
/// it rather than show nothing.
pub const PROMETHEUS_VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recording {
    pub format: String,
    pub version: u32,
    #[serde(default)]
    pub source: BTreeMap<String, String>,
    pub started_at: u64,
    pub polls: Vec<Poll>,
}

/// Why a recording file could not be read: each message says what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    #[error("this is not JSON (line {line}, column {column}): {message} — was the file cut off while downloading?")]
    NotJson { line: usize, column: usize, message: String },
    #[error("this JSON file is not a memlab recording (it has no \"format\": \"memlab-recording\")")]
    NotARecording,
    #[error(
        "this recording is format version {0}; this memlab reads versions 1 and 2 — open it with a newer memlab"
    )]
    UnsupportedVersion(u64),
    #[error("the recording is damaged: {0}")]
    Malformed(String),
}

impl RecordingError {
    /// The message in `lang` (the JSON parser's own detail stays as it is).
    pub fn describe(&self, lang: memlab_text::Lang) -> String {
        use memlab_text::tr;
        match self {
            RecordingError::NotJson { line, column, message } => tr!(
                lang,
                "this is not JSON (line {line}, column {column}): {message} — was the file cut off while downloading?",
                "这不是 JSON（第 {line} 行第 {column} 列）：`{message}`——文件是不是在下载时被截断了？"
            ),
            RecordingError::NotARecording => tr!(
                lang,
                "this JSON file is not a memlab recording (it has no \"format\": \"memlab-recording\")",
                "这个 JSON 文件不是 memlab 录制（没有 \"format\": \"memlab-recording\"）"
            ),
            RecordingError::UnsupportedVersion(v) => tr!(
                lang,
                "this recording is format version {v}; this memlab reads versions 1 and 2 — open it with a newer memlab",
                "这份录制的格式版本是 {v}；这个 memlab 只读版本 1 和 2——请用更新的 memlab 打开"
            ),
            RecordingError::Malformed(m) => tr!(lang, "the recording is damaged: {m}", "录制已损坏：`{m}`"),
        }
    }
}

impl Recording {
    pub fn new(url: &str, started_at: u64) -> Recording {
        Recording {
            format: FORMAT.into(),
            version: VERSION,
            source: [("url".to_owned(), url.to_owned())].into_iter().collect(),
            started_at,
            polls: Vec::new(),
        }
    }

    /// A window read from the Prometheus at `url` (see [`crate::promapi`]); `cluster`, the
    /// cluster's REST address when its configured sizes were read too.
    pub fn new_prometheus(
        url: &str,
        window: &crate::promapi::Window,
        tm_label: &str,
        cluster: Option<&str>,
        started_at: u64,
    ) -> Recording {
        let mut source: BTreeMap<String, String> = [
            ("prometheus", url.to_owned()),
            ("start", crate::promapi::format_time(window.start)),
            ("end", crate::promapi::format_time(window.end)),
            ("step", format!("{}s", window.step)),
            ("tmLabel", tm_label.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(c) = cluster {
            source.insert("cluster".into(), c.to_owned());
        }
        Recording {
            format: FORMAT.into(),
            version: PROMETHEUS_VERSION,
            source,
            started_at,
            polls: Vec::new(),
        }
    }

    /// Whether the recording is a window read from Prometheus.
    pub fn is_prometheus(&self) -> bool {
        self.source.contains_key("prometheus")
    }

    /// Parses a `.memlab.json` file, checking its format and version first.
    pub fn parse(text: &str) -> Result<Recording, RecordingError> {
        let (mut r, raw) = Recording::parse_lazy(text)?;
        r.polls =
            raw.iter().enumerate().map(|(i, p)| Recording::parse_poll(p, i)).collect::<Result<_, _>>()?;
        Ok(r)
    }

    /// A one-poll recording of a Prometheus scrape (from Flink's PrometheusReporter).
    pub fn from_prometheus(label: &str, text: &str, t: u64) -> Recording {
        let mut r = Recording::new(label, t);
        r.polls.push(Poll {
            t,
            responses: vec![Response {
                path: format!("prometheus:{label}"),
                status: 200,
                body: text.to_owned(),
                t,
            }],
        });
        r
    }

    /// Like [`Recording::parse`], but leaves each poll as raw JSON to be parsed later (a big
    /// file can then be read a few polls at a time, between frames). Returns the recording
    /// without polls, and the polls.
    pub fn parse_lazy(
        text: &str,
    ) -> Result<(Recording, Vec<Box<serde_json::value::RawValue>>), RecordingError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Head {
            format: Option<String>,
            version: Option<u64>,
            #[serde(default)]
            source: BTreeMap<String, String>,
            #[serde(default)]
            started_at: u64,
            #[serde(default)]
            polls: Vec<Box<serde_json::value::RawValue>>,
        }
        let head: Head = serde_json::from_str(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => RecordingError::Malformed(e.to_string()),
            _ => RecordingError::NotJson { line: e.line(), column: e.column(), message: e.to_string() },
        })?;
        if head.format.as_deref() != Some(FORMAT) {
            return Err(RecordingError::NotARecording);
        }
        let version = match head.version {
            Some(v @ (1 | 2)) => v as u32,
            Some(n) => return Err(RecordingError::UnsupportedVersion(n)),
            None => return Err(RecordingError::Malformed("\"version\" is missing".into())),
        };
        let r = Recording {
            format: FORMAT.into(),
            version,
            source: head.source,
            started_at: head.started_at,
            polls: Vec::new(),
        };
        Ok((r, head.polls))
    }

    /// Parses one poll left raw by [`Recording::parse_lazy`].
    pub fn parse_poll(raw: &serde_json::value::RawValue, index: usize) -> Result<Poll, RecordingError> {
        serde_json::from_str(raw.get()).map_err(|e| RecordingError::Malformed(format!("poll {index}: {e}")))
    }

    /// The recording as a `.memlab.json` file's text. (Its types serialise as plain JSON, so
    /// this fails only if serde_json itself does; the error then says so, rather than an
    /// empty file being saved.)
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// The typed state of the cluster at each poll (job details carried forward from the
    /// polls before, see [`crate::poll`]).
    pub fn snapshots(&self) -> Vec<Snapshot> {
        let mut out: Vec<Snapshot> = Vec::with_capacity(self.polls.len());
        let mut b = Builder::new(self);
        for p in &self.polls {
            b.push(p, &mut out);
        }
        out
    }

    /// Seconds between the first poll and the last (for a Prometheus window, between its
    /// first fetch and its last, not the window: see its snapshots).
    pub fn duration_s(&self) -> f64 {
        match (self.polls.first(), self.polls.last()) {
            (Some(a), Some(b)) => (b.t - a.t) as f64 / 1000.0,
            _ => 0.0,
        }
    }
}

/// Turns a recording's polls into snapshots as they arrive: one per poll of Flink's REST
/// API, one per step of a Prometheus window.
#[derive(Clone, Debug)]
pub struct Builder {
    prometheus: Option<crate::promapi::Assembler>,
}

impl Builder {
    /// For the polls of `r` (only its head is read).
    pub fn new(r: &Recording) -> Builder {
        let label = r.source.get("tmLabel").map_or(crate::promapi::TM_LABEL, String::as_str);
        Builder { prometheus: r.is_prometheus().then(|| crate::promapi::Assembler::new(label)) }
    }

    /// For a large Prometheus window: the TaskManagers (their label values) read in full.
    pub fn read_in_full(&self) -> Option<Vec<String>> {
        self.prometheus.as_ref().and_then(|a| a.read_in_full())
    }

    /// The label that names a TaskManager in a Prometheus recording.
    pub fn tm_label(&self) -> Option<&str> {
        self.prometheus.as_ref().map(|a| a.tm_label())
    }

    /// Appends the snapshots of `p` to `out` (which holds those of the polls before).
    pub fn push(&mut self, p: &Poll, out: &mut Vec<Snapshot>) {
        match &mut self.prometheus {
            Some(a) => a.push(p, out),
            None => {
                let s = Snapshot::from_poll_after(p, out.last());
                out.push(s);
            }
        }
    }
}

impl Snapshot {
    /// The first poll's snapshot (or one read on its own).
    pub fn from_poll(p: &Poll) -> Snapshot {
        Snapshot::from_poll_after(p, None)
    }

    /// The snapshot of poll `p`, which came after the one `prev` was built from: job
    /// details and the JobManager's configuration this poll did not ask for (or whose
    /// answer was unchanged, and so not kept) are `prev`'s (job details only for the jobs
    /// the job list still shows).
    pub fn from_poll_after(p: &Poll, prev: Option<&Snapshot>) -> Snapshot {
        let mut s = Snapshot { t: p.t, ..Snapshot::default() };
        if let Some(prev) = prev {
            s.job_details = prev.job_details.clone();
            s.jobmanager_config = prev.jobmanager_config.clone();
        }
        let mut tms: BTreeMap<String, TaskManagerSnapshot> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        for r in &p.responses {
            if r.status != 200 {
                s.errors.push((r.path.clone(), r.status, r.body.chars().take(300).collect()));
                continue;
            }
            if r.path.starts_with("prometheus:") {
                // A Prometheus scrape: another source of the same TaskManager metrics.
                let scrape = crate::prometheus::parse(&r.body);
                for tm in scrape.taskmanagers {
                    order.push(tm.id.clone());
                    tms.entry(tm.id.clone()).or_insert(tm);
                }
                s.jobmanager_metrics.extend(scrape.jobmanager);
                continue;
            }
            let path = r.path.split('?').next().unwrap_or("");
            let bad = |s: &mut Snapshot, e: String| s.errors.push((r.path.clone(), r.status, e));
            match path.split('/').collect::<Vec<_>>().as_slice() {
                ["", "overview"] => match serde_json::from_str(&r.body) {
                    Ok(o) => s.overview = Some(o),
                    Err(e) => bad(&mut s, e.to_string()),
                },
                ["", "taskmanagers"] => match serde_json::from_str::<rest::TaskManagers>(&r.body) {
                    Ok(list) => {
                        s.listed_taskmanagers = true;
                        for tm in list.taskmanagers {
                            order.push(tm.id.clone());
                            tms.entry(tm.id.clone()).or_insert(TaskManagerSnapshot {
                                id: tm.id,
                                slots: tm.slots_number,
                                free_slots: tm.free_slots,
                                memory: tm.memory_configuration,
                                metrics: BTreeMap::new(),
                            });
                        }
                    }
                    Err(e) => bad(&mut s, e.to_string()),
                },
                // The poll plan's hunt asks about groups: not the cluster's summary.
                ["", "taskmanagers", "metrics"] if r.path.contains("taskmanagers=") => {}
                ["", "taskmanagers", "metrics"] => match rest::parse_aggregated(&r.body) {
                    Ok(m) => s.summary.extend(m.into_iter().filter_map(|a| {
                        let x = crate::snapshot::Spread {
                            min: a.min?,
                            max: a.max?,
                            avg: a.avg,
                            median: None,
                            sum: a.sum,
                        };
                        Some((a.id, x))
                    })),
                    Err(e) => bad(&mut s, e.to_string()),
                },
                ["", "taskmanagers", id] => match serde_json::from_str::<rest::TaskManagerInfo>(&r.body) {
                    Ok(info) => {
                        let e = tms.entry((*id).to_owned()).or_insert_with(|| TaskManagerSnapshot {
                            id: (*id).to_owned(),
                            slots: info.slots_number,
                            free_slots: info.free_slots,
                            memory: None,
                            metrics: BTreeMap::new(),
                        });
                        if info.memory_configuration.is_some() {
                            e.memory = info.memory_configuration;
                        }
                    }
                    Err(err) => bad(&mut s, err.to_string()),
                },
                ["", "taskmanagers", id, "metrics"] => match rest::parse_metrics(&r.body) {
                    Ok(m) => {
                        if let Some(tm) = tms.get_mut(*id) {
                            tm.metrics.extend(m);
                        }
                    }
                    Err(e) => bad(&mut s, e.to_string()),
                },
                ["", "jobmanager", "metrics"] => match rest::parse_metrics(&r.body) {
                    Ok(m) => s.jobmanager_metrics.extend(m),
                    Err(e) => bad(&mut s, e.to_string()),
                },
                ["", "jobmanager", "config"] => match serde_json::from_str::<Vec<rest::ConfigEntry>>(&r.body)
                {
                    Ok(entries) => {
                        let mut c = crate::config::FlinkConfig::new();
                        for e in entries {
                            c.set(&e.key, &e.value);
                        }
                        s.jobmanager_config = Some(c);
                    }
                    Err(e) => bad(&mut s, e.to_string()),
                },
                ["", "jobs", "overview"] => match serde_json::from_str::<rest::JobsOverview>(&r.body) {
                    Ok(j) => s.jobs = j.jobs,
                    Err(e) => bad(&mut s, e.to_string()),
                },
                ["", "jobs", jid] => match serde_json::from_str::<rest::JobDetails>(&r.body) {
                    Ok(d) => {
                        let e = Arc::make_mut(job(&mut s, jid));
                        e.name = d.name;
                        e.state = d.state;
                        e.start_time = d.start_time;
                        e.end_time = d.end_time;
                        e.timestamps = d.timestamps;
                        if let Some(g) = d.plan.as_ref().and_then(crate::jobgraph::JobGraph::from_plan) {
                            e.graph = Some(Arc::new(g));
                        }
                    }
                    Err(err) => bad(&mut s, err.to_string()),
                },
                ["", "jobs", jid, "exceptions"] => match serde_json::from_str::<rest::JobExceptions>(&r.body)
                {
                    Ok(x) => Arc::make_mut(job(&mut s, jid)).exceptions = Arc::new(x.history.entries),
                    Err(err) => bad(&mut s, err.to_string()),
                },
                ["", "jobs", jid, "metrics"] => match rest::parse_metrics(&r.body) {
                    Ok(m) => {
                        if let Some((_, v)) = m.into_iter().find(|(id, _)| id == crate::metrics::NUM_RESTARTS)
                        {
                            Arc::make_mut(job(&mut s, jid)).restarts = Some(v);
                        }
                    }
                    Err(err) => bad(&mut s, err.to_string()),
                },
                _ => {}
            }
        }
        s.taskmanagers = order.into_iter().filter_map(|id| tms.remove(&id)).collect();
        // A job the list no longer shows is forgotten; the list's state is the newest word.
        if p.responses.iter().any(|r| r.status == 200 && r.path == "/jobs/overview") {
            let jobs = &s.jobs;
            s.job_details.retain(|jid, _| jobs.iter().any(|j| j.jid == *jid));
        }
        for j in &s.jobs {
            if let Some(d) = s.job_details.get_mut(&j.jid) {
                if d.state != j.state || d.name != j.name {
                    let d = Arc::make_mut(d);
                    d.state = j.state.clone();
                    d.name = j.name.clone();
                }
            }
        }
        s
    }
}

/// The detail entry of job `jid` in `s`, made if missing.
fn job<'a>(s: &'a mut Snapshot, jid: &str) -> &'a mut Arc<crate::snapshot::JobDetail> {
    s.job_details.entry(jid.to_owned()).or_insert_with(|| {
        Arc::new(crate::snapshot::JobDetail { jid: jid.to_owned(), end_time: -1, ..Default::default() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(matches!(
            Recording::parse("{\"format\": \"memlab-rec"),
            Err(RecordingError::NotJson { line: 1, .. })
        ));
        assert_eq!(Recording::parse("{\"a\": 1}"), Err(RecordingError::NotARecording));
        assert_eq!(
            Recording::parse("{\"format\": \"memlab-recording\", \"version\": 7}"),
            Err(RecordingError::UnsupportedVersion(7))
        );
        assert!(matches!(
            Recording::parse("{\"format\": \"memlab-recording\", \"version\": 1, \"polls\": 3}"),
            Err(RecordingError::Malformed(_))
        ));
    }

    #[test]
    fn lazy_parsing_agrees_with_parsing() {
        let mut r = Recording::new("http://h", 5);
        r.polls.push(Poll {
            t: 6,
            responses: vec![Response { path: "/overview".into(), status: 200, body: "{}".into(), t: 6 }],
        });
        let (head, raw) = Recording::parse_lazy(&r.to_json().unwrap()).unwrap();
        assert_eq!(raw.len(), 1);
        let mut back = head;
        back.polls = raw.iter().enumerate().map(|(i, p)| Recording::parse_poll(p, i).unwrap()).collect();
        assert_eq!(back, r);
        assert!(matches!(
            Recording::parse_lazy("{\"format\": \"memlab-rec"),
            Err(RecordingError::NotJson { .. })
        ));
        assert_eq!(Recording::parse_lazy("{\"a\": 1}").unwrap_err(), RecordingError::NotARecording);
        assert_eq!(
            Recording::parse_lazy("{\"format\": \"memlab-recording\", \"version\": 3}").unwrap_err(),
            RecordingError::UnsupportedVersion(3)
        );
    }

    #[test]
    fn round_trips() {
        let mut r = Recording::new("http://127.0.0.1:8081", 5);
        r.polls.push(Poll {
            t: 6,
            responses: vec![Response { path: "/overview".into(), status: 0, body: "refused".into(), t: 6 }],
        });
        assert_eq!(Recording::parse(&r.to_json().unwrap()).unwrap(), r);
        let s = &r.snapshots()[0];
        assert_eq!(s.errors, vec![("/overview".to_owned(), 0, "refused".to_owned())]);
    }
}
