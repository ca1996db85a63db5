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

/// One entry of `GET /jobmanager/config`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ConfigEntry {
    pub key: String,
    pub value: String,
}
