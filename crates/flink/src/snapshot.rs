//! The typed state of a cluster at one poll, whatever the source (Flink's REST API, a
//! Prometheus scrape or range query, a recording): what the views and detectors read.
//! Built by [`crate::recording::Recording::snapshots`].

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::rest::{self, MemoryConfiguration, Overview};

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
    /// A Prometheus step: the snapshot summarises the readings of `(t − step_ms, t]`
    /// (see [`crate::promapi`]). 0: a poll, read at `t`.
    pub step_ms: u64,
    pub overview: Option<Overview>,
    pub taskmanagers: Vec<TaskManagerSnapshot>,
    /// The poll had Flink's TaskManager list (`GET /taskmanagers` answered): a TaskManager
    /// missing from it is gone, not just unread.
    pub listed_taskmanagers: bool,
    pub jobmanager_metrics: BTreeMap<String, f64>,
    pub jobs: Vec<rest::JobSummary>,
    /// The JobManager's effective configuration (`GET /jobmanager/config`).
    pub jobmanager_config: Option<crate::config::FlinkConfig>,
    /// What Flink says about each watched job (see [`crate::poll`]), by job id: the last
    /// answers received, carried forward from earlier polls.
    pub job_details: BTreeMap<String, Arc<JobDetail>>,
    pub errors: Vec<(String, u16, String)>,
    /// Every TaskManager's pools summarised cluster-wide, by metric id: Flink's aggregating
    /// endpoint (min, max, avg, sum) or, from Prometheus, min, median and max per step.
    pub summary: BTreeMap<String, Spread>,
    /// The TaskManagers of a large Prometheus window whose full series were not read
    /// ([`crate::promscale`]): each with its peak of each pool over the window (GC: its
    /// mean). One list shared by every step.
    pub peers: Arc<Vec<TaskManagerSnapshot>>,
}

/// One metric over all TaskManagers at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Default, serde::Serialize)]
pub struct Spread {
    pub min: f64,
    pub max: f64,
    pub avg: Option<f64>,
    pub median: Option<f64>,
    pub sum: Option<f64>,
}

impl Spread {
    /// The middle figure: the median where known, else the mean.
    pub fn mid(&self) -> Option<f64> {
        self.median.or(self.avg)
    }
}

/// One job as `/jobs/<jid>`, `/jobs/<jid>/exceptions` and its `numRestarts` metric last
/// described it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct JobDetail {
    pub jid: String,
    pub name: String,
    pub state: String,
    /// Ms since the epoch; `end_time` is -1 while the job runs.
    pub start_time: i64,
    pub end_time: i64,
    /// When the job entered each state (`RUNNING`, `FAILED`, …), ms since the epoch.
    pub timestamps: BTreeMap<String, i64>,
    pub restarts: Option<f64>,
    /// Newest first.
    pub exceptions: Arc<Vec<rest::ExceptionEntry>>,
    /// The job's graph, when Flink gave its plan.
    pub graph: Option<Arc<crate::jobgraph::JobGraph>>,
}
