//! Flink's PrometheusReporter scrape (Prometheus text format) as another source of the same
//! snapshots: `flink_taskmanager_Status_JVM_Memory_Heap_Used{tm_id="…"} 1.2E8` becomes the
//! metric `Status.JVM.Memory.Heap.Used` of that TaskManager.
//!
//! Flink builds a Prometheus name by joining the scope and metric name with `_`, so the
//! mapping back is done against the metric ids memlab knows (`G1_Young_Generation` keeps
//! its underscores). The `tm_id` label has `.` and `-` replaced by `_` by the reporter.

use std::collections::BTreeMap;

use crate::metrics::{prom_name, JM_METRICS, TM_METRICS};
use crate::snapshot::TaskManagerSnapshot;

/// One sample line: metric name, labels, value.
fn sample(line: &str) -> Option<(&str, BTreeMap<&str, String>, f64)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (head, rest) = match line.find('{') {
        Some(i) => {
            let close = line.rfind('}')?;
            (&line[..i], (Some(&line[i + 1..close]), line[close + 1..].trim()))
        }
        None => {
            let (n, v) = line.split_once(char::is_whitespace)?;
            (n, (None, v.trim()))
        }
    };
    let value: f64 = match rest.1.split_whitespace().next()? {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    let mut labels = BTreeMap::new();
    if let Some(body) = rest.0 {
        for part in body.split("\",").map(|p| p.trim().trim_end_matches(',')) {
            if let Some((k, v)) = part.split_once("=\"") {
                labels.insert(k.trim(), v.trim_end_matches('"').replace("\\\"", "\"").replace("\\\\", "\\"));
            }
        }
    }
    Some((head, labels, value))
}

/// What a scrape holds: TaskManagers (by their `tm_id` label) and JobManager metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scrape {
    pub taskmanagers: Vec<TaskManagerSnapshot>,
    pub jobmanager: BTreeMap<String, f64>,
}

/// Parses one or more concatenated scrapes (a JobManager's and TaskManagers' endpoints).
pub fn parse(text: &str) -> Scrape {
    let tm_names: BTreeMap<String, &str> =
        TM_METRICS.iter().map(|id| (prom_name("taskmanager", id), *id)).collect();
    let jm_names: BTreeMap<String, &str> =
        JM_METRICS.iter().map(|id| (prom_name("jobmanager", id), *id)).collect();
    let mut tms: BTreeMap<String, TaskManagerSnapshot> = BTreeMap::new();
    let mut out = Scrape::default();
    for (name, labels, value) in text.lines().filter_map(sample) {
        if let Some(id) = tm_names.get(name) {
            let tm = labels.get("tm_id").cloned().unwrap_or_else(|| "taskmanager".into());
            tms.entry(tm.clone())
                .or_insert_with(|| TaskManagerSnapshot {
                    id: tm,
                    slots: 0,
                    free_slots: 0,
                    memory: None,
                    metrics: BTreeMap::new(),
                })
                .metrics
                .insert((*id).to_owned(), value);
        } else if let Some(id) = jm_names.get(name) {
            out.jobmanager.insert((*id).to_owned(), value);
        }
    }
    out.taskmanagers = tms.into_values().collect();
    out
}

/// Whether a text looks like a Prometheus scrape of Flink.
pub fn looks_like_scrape(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("flink_taskmanager_") || l.starts_with("flink_jobmanager_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_with_and_without_labels() {
        let s = parse(
            "# HELP x\nflink_taskmanager_Status_JVM_Memory_Heap_Used{host=\"h\",tm_id=\"a:1_x\",} 1.5E8\n\
             flink_taskmanager_Status_JVM_GarbageCollector_G1_Young_Generation_Count{tm_id=\"a:1_x\"} 7\n\
             flink_jobmanager_Status_JVM_Memory_Heap_Used 42\nflink_unrelated 1\n",
        );
        assert_eq!(s.taskmanagers.len(), 1);
        let tm = &s.taskmanagers[0];
        assert_eq!(tm.id, "a:1_x");
        assert_eq!(tm.metric("Status.JVM.Memory.Heap.Used"), Some(1.5e8));
        assert_eq!(tm.metric("Status.JVM.GarbageCollector.G1_Young_Generation.Count"), Some(7.0));
        assert_eq!(s.jobmanager.get("Status.JVM.Memory.Heap.Used"), Some(&42.0));
    }

    #[test]
    fn junk_is_ignored() {
        assert_eq!(
            parse("not a scrape\n{{{\nflink_taskmanager_Status_JVM_Memory_Heap_Used{tm_id=\"x\"} abc"),
            Scrape::default()
        );
        assert!(!looks_like_scrape("{\"format\": 1}"));
    }
}
