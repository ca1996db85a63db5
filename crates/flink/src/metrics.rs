//! The metric catalogue: every Flink metric memlab reads, by its REST id
//! (`Status.JVM.Memory.Heap.Used`), and how Flink's PrometheusReporter names it
//! (`flink_taskmanager_Status_JVM_Memory_Heap_Used`). The poll plan ([`crate::poll`], which
//! the app and `memlab record` share), the Prometheus import and the detectors all
//! name metrics from here.

/// Each metric by its REST id.
pub const HEAP_USED: &str = "Status.JVM.Memory.Heap.Used";
pub const HEAP_COMMITTED: &str = "Status.JVM.Memory.Heap.Committed";
pub const HEAP_MAX: &str = "Status.JVM.Memory.Heap.Max";
pub const NON_HEAP_USED: &str = "Status.JVM.Memory.NonHeap.Used";
pub const NON_HEAP_COMMITTED: &str = "Status.JVM.Memory.NonHeap.Committed";
pub const METASPACE_USED: &str = "Status.JVM.Memory.Metaspace.Used";
pub const METASPACE_COMMITTED: &str = "Status.JVM.Memory.Metaspace.Committed";
pub const METASPACE_MAX: &str = "Status.JVM.Memory.Metaspace.Max";
pub const DIRECT_USED: &str = "Status.JVM.Memory.Direct.MemoryUsed";
pub const DIRECT_CAPACITY: &str = "Status.JVM.Memory.Direct.TotalCapacity";
pub const DIRECT_COUNT: &str = "Status.JVM.Memory.Direct.Count";
pub const MAPPED_USED: &str = "Status.JVM.Memory.Mapped.MemoryUsed";
pub const MAPPED_CAPACITY: &str = "Status.JVM.Memory.Mapped.TotalCapacity";
pub const MANAGED_USED: &str = "Status.Flink.Memory.Managed.Used";
pub const MANAGED_TOTAL: &str = "Status.Flink.Memory.Managed.Total";
pub const NETWORK_USED_SEGMENTS: &str = "Status.Shuffle.Netty.UsedMemorySegments";
pub const NETWORK_TOTAL_SEGMENTS: &str = "Status.Shuffle.Netty.TotalMemorySegments";
pub const NETWORK_AVAILABLE_SEGMENTS: &str = "Status.Shuffle.Netty.AvailableMemorySegments";
pub const NETWORK_USED: &str = "Status.Shuffle.Netty.UsedMemory";
pub const NETWORK_TOTAL: &str = "Status.Shuffle.Netty.TotalMemory";
pub const GC_COUNT: &str = "Status.JVM.GarbageCollector.All.Count";
pub const GC_TIME: &str = "Status.JVM.GarbageCollector.All.Time";
pub const GC_MS_PER_S: &str = "Status.JVM.GarbageCollector.All.TimeMsPerSecond";
pub const G1_YOUNG_COUNT: &str = "Status.JVM.GarbageCollector.G1_Young_Generation.Count";
pub const G1_YOUNG_MS_PER_S: &str = "Status.JVM.GarbageCollector.G1_Young_Generation.TimeMsPerSecond";
pub const G1_OLD_COUNT: &str = "Status.JVM.GarbageCollector.G1_Old_Generation.Count";
pub const G1_OLD_MS_PER_S: &str = "Status.JVM.GarbageCollector.G1_Old_Generation.TimeMsPerSecond";
pub const CPU_LOAD: &str = "Status.JVM.CPU.Load";
pub const THREADS: &str = "Status.JVM.Threads.Count";
pub const CLASSES_LOADED: &str = "Status.JVM.ClassLoader.ClassesLoaded";
/// The heap's lowest reading over a Prometheus step (`min_over_time`): its level after a
/// collection when the step held one. Not a Flink metric: a window read from Prometheus
/// has it beside [`HEAP_USED`] (the step's highest), and the leak detector prefers it.
pub const HEAP_USED_LOW: &str = "Status.JVM.Memory.Heap.Used@min";
/// A job's restarts so far (`/jobs/<jid>/metrics`; PrometheusReporter:
/// `flink_jobmanager_job_numRestarts`).
pub const NUM_RESTARTS: &str = "numRestarts";

/// The TaskManager metrics a poll asks for.
pub const TM_METRICS: &[&str] = &[
    HEAP_USED,
    HEAP_COMMITTED,
    HEAP_MAX,
    NON_HEAP_USED,
    NON_HEAP_COMMITTED,
    METASPACE_USED,
    METASPACE_COMMITTED,
    METASPACE_MAX,
    DIRECT_USED,
    DIRECT_CAPACITY,
    DIRECT_COUNT,
    MAPPED_USED,
    MAPPED_CAPACITY,
    MANAGED_USED,
    MANAGED_TOTAL,
    NETWORK_USED_SEGMENTS,
    NETWORK_TOTAL_SEGMENTS,
    NETWORK_AVAILABLE_SEGMENTS,
    NETWORK_USED,
    NETWORK_TOTAL,
    GC_COUNT,
    GC_TIME,
    GC_MS_PER_S,
    G1_YOUNG_COUNT,
    G1_YOUNG_MS_PER_S,
    G1_OLD_COUNT,
    G1_OLD_MS_PER_S,
    CPU_LOAD,
    THREADS,
    CLASSES_LOADED,
];

/// The pools summarised over all TaskManagers (the Live cluster list's header).
pub const SPREAD_METRICS: [&str; 6] =
    [HEAP_USED, MANAGED_USED, NETWORK_USED_SEGMENTS, METASPACE_USED, DIRECT_USED, GC_MS_PER_S];

/// The JobManager metrics a poll asks for: its JVM's, as for a TaskManager.
pub const JM_METRICS: &[&str] = &[
    HEAP_USED,
    HEAP_COMMITTED,
    HEAP_MAX,
    NON_HEAP_USED,
    NON_HEAP_COMMITTED,
    METASPACE_USED,
    METASPACE_COMMITTED,
    METASPACE_MAX,
    DIRECT_USED,
    DIRECT_CAPACITY,
    DIRECT_COUNT,
    MAPPED_USED,
    MAPPED_CAPACITY,
    GC_COUNT,
    GC_TIME,
    GC_MS_PER_S,
    G1_YOUNG_COUNT,
    G1_YOUNG_MS_PER_S,
    G1_OLD_COUNT,
    G1_OLD_MS_PER_S,
    CPU_LOAD,
    THREADS,
    CLASSES_LOADED,
];

/// Flink's PrometheusReporter name of the metric `id` in `scope` (`taskmanager`,
/// `jobmanager`): the scope and the id joined with `_`, dots turned into `_`.
pub fn prom_name(scope: &str, id: &str) -> String {
    format!("flink_{scope}_{}", id.replace('.', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_names_join_scope_and_id() {
        assert_eq!(
            prom_name("taskmanager", "Status.JVM.Memory.Heap.Used"),
            "flink_taskmanager_Status_JVM_Memory_Heap_Used"
        );
        assert_eq!(
            prom_name("jobmanager", "Status.JVM.GarbageCollector.G1_Old_Generation.Count"),
            "flink_jobmanager_Status_JVM_GarbageCollector_G1_Old_Generation_Count"
        );
    }
}
