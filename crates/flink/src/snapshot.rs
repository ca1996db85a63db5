//! The typed state of a cluster at one poll, whatever the source (Flink's REST API, a
//! Prometheus scrape or range query, a recording): what the views and detectors read.
//! Built by [`crate::recording::Recording::snapshots`].

use std::collections::BTreeMap;

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
    pub overview: Option<Overview>,
    pub taskmanagers: Vec<TaskManagerSnapshot>,
    pub jobmanager_metrics: BTreeMap<String, f64>,
    pub jobs: Vec<rest::JobSummary>,
    /// The JobManager's effective configuration (`GET /jobmanager/config`).
    pub jobmanager_config: Option<crate::config::FlinkConfig>,
    pub errors: Vec<(String, u16, String)>,
}
