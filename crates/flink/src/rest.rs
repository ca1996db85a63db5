//! Typed views of the Flink REST API responses memlab reads (Flink 2.x field names).
//! Unknown fields are ignored, so newer Flink versions still parse.

use serde::Deserialize;

/// `GET /overview`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Overview {
    pub taskmanagers: u32,
    #[serde(rename = "slots-total")]
    pub slots_total: u32,
    #[serde(rename = "slots-available")]
    pub slots_available: u32,
    #[serde(rename = "jobs-running")]
    pub jobs_running: u32,
    #[serde(rename = "flink-version")]
    pub flink_version: String,
}

/// `memoryConfiguration` of `GET /taskmanagers/<id>` (bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryConfiguration {
    pub framework_heap: u64,
    pub task_heap: u64,
    pub framework_off_heap: u64,
    pub task_off_heap: u64,
    pub network_memory: u64,
    pub managed_memory: u64,
    pub jvm_metaspace: u64,
    pub jvm_overhead: u64,
    pub total_flink_memory: u64,
    pub total_process_memory: u64,
}

/// One entry of `GET /taskmanagers`, or `GET /taskmanagers/<id>`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskManagerInfo {
    pub id: String,
    pub slots_number: u32,
    pub free_slots: u32,
    #[serde(default)]
    pub memory_configuration: Option<MemoryConfiguration>,
}

/// `GET /taskmanagers`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TaskManagers {
    pub taskmanagers: Vec<TaskManagerInfo>,
}

/// One job of `GET /jobs/overview`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct JobSummary {
    pub jid: String,
    pub name: String,
    pub state: String,
    /// Ms since the epoch (0 when absent).
    #[serde(rename = "start-time", default)]
    pub start_time: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct JobsOverview {
    pub jobs: Vec<JobSummary>,
}

#[derive(Deserialize)]
struct Metric {
    id: String,
    value: String,
}

/// `GET …/metrics?get=…`: metric values arrive as strings; unparsable ones are skipped.
pub fn parse_metrics(body: &str) -> Result<Vec<(String, f64)>, serde_json::Error> {
    let raw: Vec<Metric> = serde_json::from_str(body)?;
    Ok(raw.into_iter().filter_map(|m| m.value.parse::<f64>().ok().map(|v| (m.id, v))).collect())
}

/// `GET /taskmanagers/metrics?get=…&agg=…`: each metric summarised over the TaskManagers
/// (Flink omits an aggregate it was not asked for).
pub fn parse_aggregated(body: &str) -> Result<Vec<Aggregate>, serde_json::Error> {
    serde_json::from_str(body)
}

/// One metric of an aggregating endpoint's answer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Aggregate {
    pub id: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub avg: Option<f64>,
    pub sum: Option<f64>,
}

/// One entry of `GET /jobmanager/config`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ConfigEntry {
    pub key: String,
    pub value: String,
}

/// Flink's job states that do not change again (`JobStatus.isGloballyTerminalState`).
pub const TERMINAL_STATES: [&str; 3] = ["FINISHED", "CANCELED", "FAILED"];

/// Whether a job in `state` is done for good.
pub fn is_terminal(state: &str) -> bool {
    TERMINAL_STATES.contains(&state)
}

/// `GET /jobs/<jid>`: the job's state and when it entered each state (ms since the epoch).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct JobDetails {
    pub jid: String,
    pub name: String,
    pub state: String,
    #[serde(rename = "start-time", default)]
    pub start_time: i64,
    /// -1 while the job runs.
    #[serde(rename = "end-time", default)]
    pub end_time: i64,
    #[serde(default)]
    pub timestamps: std::collections::BTreeMap<String, i64>,
    /// The job's graph (vertices, parallelism, ship strategies): see [`crate::jobgraph`].
    #[serde(default)]
    pub plan: Option<serde_json::Value>,
}

/// One failure in `GET /jobs/<jid>/exceptions` (Flink 2.x `exceptionHistory.entries[]`).
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionEntry {
    /// The exception's class and message as Flink prints it, e.g.
    /// `java.lang.OutOfMemoryError: Java heap space` (Flink puts the class name here and the
    /// message in the first line of `stacktrace`).
    pub exception_name: String,
    #[serde(default)]
    pub stacktrace: String,
    /// Ms since the epoch.
    #[serde(default)]
    pub timestamp: i64,
    #[serde(default)]
    pub task_name: Option<String>,
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub task_manager_id: Option<String>,
    #[serde(default)]
    pub failure_labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub concurrent_exceptions: Vec<ExceptionEntry>,
}

impl ExceptionEntry {
    /// The first line of the stack trace (`class: message`), or the exception's name.
    pub fn headline(&self) -> &str {
        self.stacktrace.lines().next().filter(|l| !l.trim().is_empty()).unwrap_or(&self.exception_name)
    }
}

/// `GET /jobs/<jid>/exceptions`: `exceptionHistory.entries` (newest first).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct JobExceptions {
    #[serde(rename = "exceptionHistory", default)]
    pub history: ExceptionHistory,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ExceptionHistory {
    #[serde(default)]
    pub entries: Vec<ExceptionEntry>,
    #[serde(default)]
    pub truncated: bool,
}
