//! Prometheus alerting rules for the same findings, with the same thresholds, for users
//! who run Prometheus/Grafana next to Flink's PrometheusReporter (metric names as the
//! reporter exports them: `flink_taskmanager_Status_JVM_Memory_Heap_Used`, …).

use super::thresholds as th;

/// The rules file (`groups:` YAML). `limits` gives per-process byte limits the metrics do
/// not carry (e.g. MaxDirectMemorySize), taken from the diagnosed configuration.
pub fn rules(direct_max: Option<u64>, metaspace_max: Option<u64>) -> String {
    let tm = "flink_taskmanager_Status";
    let span = format!("{}m", (th::MIN_SPAN_S / 60.0).ceil() as u64);
    let mut out = String::from(
        "# Prometheus alerting rules exported by memlab (Flink Memory Lab).\n\
         # The thresholds are memlab's diagnosis thresholds; see its README, section Diagnosis.\n\
         groups:\n  - name: memlab-flink-memory\n    rules:\n",
    );
    let mut rule = |name: &str, kind: &str, expr: String, for_: &str, severity: &str, summary: &str| {
        out.push_str(&format!(
            "      - alert: {name}\n        expr: {expr}\n        for: {for_}\n        labels:\n          severity: {severity}\n          memlab_kind: {kind}\n        annotations:\n          summary: \"{summary}\"\n"
        ));
    };
    // Post-mortem: what failed (the JobManager's own metrics).
    rule(
        "FlinkTaskManagerLost",
        "taskmanager-lost",
        "delta(flink_jobmanager_numRegisteredTaskManagers[5m]) < 0".into(),
        "0m",
        "critical",
        "A TaskManager left the cluster: open the recording or Prometheus in memlab to see what killed it",
    );
    rule(
        "FlinkJobRestarts",
        "job-restarts",
        "increase(flink_jobmanager_job_numRestarts[5m]) > 0".into(),
        "0m",
        "critical",
        "Job {{ $labels.job_name }} restarted: memlab classifies its exception and proposes the memory change",
    );
    rule(
        "FlinkHeapLeak",
        "heap-leak",
        format!(
            "predict_linear(min_over_time({tm}_JVM_Memory_Heap_Used[{w}s])[30m:{w}s], {h}) > {tm}_JVM_Memory_Heap_Max",
            w = th::ENVELOPE_WINDOW_S as u64,
            h = th::OOM_WARNING_S as u64
        ),
        "15m",
        "warning",
        "Heap after GC on {{ $labels.tm_id }} is on course to fill the heap within a day",
    );
    rule(
        "FlinkGcPressure",
        "gc-pressure",
        format!("{tm}_JVM_GarbageCollector_All_TimeMsPerSecond >= {}", th::GC_WARNING_MS_PER_S),
        &span,
        "warning",
        "{{ $labels.tm_id }} spends more than 10 % of its time in GC",
    );
    rule(
        "FlinkOldGenCollections",
        "gc-pressure",
        format!(
            "rate({tm}_JVM_GarbageCollector_G1_Old_Generation_Count[{span}]) * 60 >= {}",
            th::OLD_GC_PER_MIN
        ),
        &span,
        "warning",
        "{{ $labels.tm_id }} runs full collections every minute",
    );
    rule(
        "FlinkNetworkBuffersExhausted",
        "network-exhausted",
        format!(
            "{tm}_Shuffle_Netty_UsedMemorySegments / {tm}_Shuffle_Netty_TotalMemorySegments >= {}",
            th::NETWORK_FULL
        ),
        &span,
        "warning",
        "Network buffers on {{ $labels.tm_id }} are exhausted (back-pressure)",
    );
    rule(
        "FlinkManagedMemoryIdle",
        "managed-idle",
        format!(
            "max_over_time({tm}_Flink_Memory_Managed_Used[1h]) < {} * {tm}_Flink_Memory_Managed_Total",
            th::MANAGED_IDLE
        ),
        "1h",
        "info",
        "Managed memory on {{ $labels.tm_id }} is reserved and unused",
    );
    // Limits the metrics do not carry: the diagnosed configuration's, as literals.
    for (name, metric, max, summary) in [
        ("FlinkMetaspaceNearLimit", "JVM_Memory_Metaspace_Used", metaspace_max, "jvm-metaspace.size"),
        ("FlinkDirectMemoryNearLimit", "JVM_Memory_Direct_MemoryUsed", direct_max, "MaxDirectMemorySize"),
    ] {
        if let Some(max) = max {
            rule(
                name,
                "oom-risk",
                format!("{tm}_{metric} >= {}", (th::NEAR_LIMIT * max as f64) as u64),
                "5m",
                "critical",
                &format!("{{{{ $labels.tm_id }}}} is above 90 % of {summary}"),
            );
        }
    }
    out
}
