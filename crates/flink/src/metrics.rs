//! The metric catalogue: every Flink metric memlab reads, by its REST id
//! (`Status.JVM.Memory.Heap.Used`), and how Flink's PrometheusReporter names it
//! (`flink_taskmanager_Status_JVM_Memory_Heap_Used`). The app's poll, `tools/record.py`
//! (a test keeps its lists equal to these), the Prometheus import and the detectors all
//! name metrics from here.

/// The TaskManager metrics a poll asks for (`tools/record.py` asks for the same).
pub const TM_METRICS: &[&str] = &[
    "Status.JVM.Memory.Heap.Used",
    "Status.JVM.Memory.Heap.Committed",
    "Status.JVM.Memory.Heap.Max",
    "Status.JVM.Memory.NonHeap.Used",
    "Status.JVM.Memory.NonHeap.Committed",
    "Status.JVM.Memory.Metaspace.Used",
    "Status.JVM.Memory.Metaspace.Committed",
    "Status.JVM.Memory.Metaspace.Max",
    "Status.JVM.Memory.Direct.MemoryUsed",
    "Status.JVM.Memory.Direct.TotalCapacity",
    "Status.JVM.Memory.Direct.Count",
    "Status.JVM.Memory.Mapped.MemoryUsed",
    "Status.JVM.Memory.Mapped.TotalCapacity",
    "Status.Flink.Memory.Managed.Used",
    "Status.Flink.Memory.Managed.Total",
    "Status.Shuffle.Netty.UsedMemorySegments",
    "Status.Shuffle.Netty.TotalMemorySegments",
    "Status.Shuffle.Netty.AvailableMemorySegments",
    "Status.Shuffle.Netty.UsedMemory",
    "Status.Shuffle.Netty.TotalMemory",
    "Status.JVM.GarbageCollector.All.Count",
    "Status.JVM.GarbageCollector.All.Time",
    "Status.JVM.GarbageCollector.All.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Young_Generation.Count",
    "Status.JVM.GarbageCollector.G1_Young_Generation.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Old_Generation.Count",
    "Status.JVM.GarbageCollector.G1_Old_Generation.TimeMsPerSecond",
    "Status.JVM.CPU.Load",
    "Status.JVM.Threads.Count",
    "Status.JVM.ClassLoader.ClassesLoaded",
];

/// The JobManager metrics a poll asks for: its JVM's, as for a TaskManager.
pub const JM_METRICS: &[&str] = &[
    "Status.JVM.Memory.Heap.Used",
    "Status.JVM.Memory.Heap.Committed",
    "Status.JVM.Memory.Heap.Max",
    "Status.JVM.Memory.NonHeap.Used",
    "Status.JVM.Memory.NonHeap.Committed",
    "Status.JVM.Memory.Metaspace.Used",
    "Status.JVM.Memory.Metaspace.Committed",
    "Status.JVM.Memory.Metaspace.Max",
    "Status.JVM.Memory.Direct.MemoryUsed",
    "Status.JVM.Memory.Direct.TotalCapacity",
    "Status.JVM.Memory.Direct.Count",
    "Status.JVM.Memory.Mapped.MemoryUsed",
    "Status.JVM.Memory.Mapped.TotalCapacity",
    "Status.JVM.GarbageCollector.All.Count",
    "Status.JVM.GarbageCollector.All.Time",
    "Status.JVM.GarbageCollector.All.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Young_Generation.Count",
    "Status.JVM.GarbageCollector.G1_Young_Generation.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Old_Generation.Count",
    "Status.JVM.GarbageCollector.G1_Old_Generation.TimeMsPerSecond",
    "Status.JVM.CPU.Load",
    "Status.JVM.Threads.Count",
    "Status.JVM.ClassLoader.ClassesLoaded",
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
    fn the_recorder_asks_for_the_same_metrics() {
        // The crate's folder at run time (a build shared between clones bakes in another's).
        let dir =
            std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
        let py = std::fs::read_to_string(format!("{dir}/../../tools/record.py")).expect("tools/record.py");
        let list = |name: &str| -> Vec<String> {
            let start = py.find(&format!("{name} = [")).unwrap_or_else(|| panic!("{name} in record.py"));
            let body = &py[start..start + py[start..].find(']').unwrap()];
            body.split('"').skip(1).step_by(2).map(str::to_owned).collect()
        };
        assert_eq!(list("TM_METRICS"), TM_METRICS);
        assert_eq!(list("JM_METRICS"), JM_METRICS);
    }

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
