//! Recordings of a Flink cluster (`.memlab.json`, version 1): raw REST responses with their
//! HTTP status and arrival time, grouped in polls. The same type serves a live session in
//! the app, a file made by `tools/record.py`, and replays. [`Recording::snapshots`] turns
//! the raw bodies into typed [`Snapshot`]s; a new detector can re-read old recordings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rest::{self, MemoryConfiguration, Overview};

pub const FORMAT: &str = "memlab-recording";
pub const VERSION: u32 = 1;

/// One HTTP response as received (status 0: the request failed before an answer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub path: String,
    pub status: u16,
    pub body: String,
    /// Milliseconds since the epoch.
    pub t: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    pub t: u64,
    pub responses: Vec<Response>,
}

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
        "this recording is format version {0}; this memlab reads version 1 — open it with a newer memlab"
    )]
    UnsupportedVersion(u64),
    #[error("the recording is damaged: {0}")]
    Malformed(String),
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

    /// Parses a `.memlab.json` file, checking its format and version first.
    pub fn parse(text: &str) -> Result<Recording, RecordingError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| RecordingError::NotJson {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(RecordingError::NotARecording);
        }
        match v.get("version").and_then(|x| x.as_u64()) {
            Some(1) => {}
            Some(n) => return Err(RecordingError::UnsupportedVersion(n)),
            None => return Err(RecordingError::Malformed("\"version\" is missing".into())),
        }
        serde_json::from_value(v).map_err(|e| RecordingError::Malformed(e.to_string()))
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

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The typed state of the cluster at each poll.
    pub fn snapshots(&self) -> Vec<Snapshot> {
        self.polls.iter().map(Snapshot::from_poll).collect()
    }

    /// Seconds covered by the recording.
    pub fn duration_s(&self) -> f64 {
        match (self.polls.first(), self.polls.last()) {
            (Some(a), Some(b)) => (b.t - a.t) as f64 / 1000.0,
            _ => 0.0,
        }
    }
}

/// One TaskManager at one poll.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskManagerSnapshot {
    pub id: String,
    pub slots: u32,
    pub free_slots: u32,
    pub memory: Option<MemoryConfiguration>,
    /// Metric id → value.
    pub metrics: BTreeMap<String, f64>,
}

impl TaskManagerSnapshot {
    pub fn metric(&self, id: &str) -> Option<f64> {
        self.metrics.get(id).copied()
    }
}

/// The cluster at one poll. `errors` lists the requests that failed (path, status, body).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Snapshot {
    pub t: u64,
    pub overview: Option<Overview>,
    pub taskmanagers: Vec<TaskManagerSnapshot>,
    pub jobmanager_metrics: BTreeMap<String, f64>,
    pub jobs: Vec<rest::JobSummary>,
    /// The JobManager's effective configuration (`GET /jobmanager/config`).
    pub jobmanager_config: Option<crate::config::FlinkConfig>,
    pub errors: Vec<(String, u16, String)>,
}

impl Snapshot {
    pub fn from_poll(p: &Poll) -> Snapshot {
        let mut s = Snapshot { t: p.t, ..Snapshot::default() };
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
                _ => {}
            }
        }
        s.taskmanagers = order.into_iter().filter_map(|id| tms.remove(&id)).collect();
        s
    }
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
    fn round_trips() {
        let mut r = Recording::new("http://127.0.0.1:8081", 5);
        r.polls.push(Poll {
            t: 6,
            responses: vec![Response { path: "/overview".into(), status: 0, body: "refused".into(), t: 6 }],
        });
        assert_eq!(Recording::parse(&r.to_json()).unwrap(), r);
        let s = &r.snapshots()[0];
        assert_eq!(s.errors, vec![("/overview".to_owned(), 0, "refused".to_owned())]);
    }
}
