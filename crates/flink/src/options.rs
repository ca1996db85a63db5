//! The memory options Flink reads, with their deprecated (fallback) keys and defaults, as
//! defined in Flink 2.x's `TaskManagerOptions` and `JobManagerOptions`.

use memlab_size::MemorySize;

/// A default value as Flink declares it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    Size(u64),
    /// A `Float` option's default (its `Float.toString` text is what error messages print).
    Float(f32, &'static str),
    None,
}

/// One configuration option.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Opt {
    pub key: &'static str,
    /// Deprecated keys still read when `key` is absent, in order.
    pub fallbacks: &'static [&'static str],
    pub default: Default,
    /// What the option is, for people.
    pub label: &'static str,
}

const MB: u64 = 1 << 20;

macro_rules! opt {
    ($name:ident, $key:literal, [$($fb:literal),*], $default:expr, $label:literal) => {
        pub const $name: Opt = Opt { key: $key, fallbacks: &[$($fb),*], default: $default, label: $label };
    };
}

pub mod tm {
    use super::*;
    opt!(TOTAL_PROCESS, "taskmanager.memory.process.size", [], Default::None, "Total Process Memory");
    opt!(TOTAL_FLINK, "taskmanager.memory.flink.size", [], Default::None, "Total Flink Memory");
    opt!(
        FRAMEWORK_HEAP,
        "taskmanager.memory.framework.heap.size",
        [],
        Default::Size(128 * MB),
        "Framework Heap"
    );
    opt!(TASK_HEAP, "taskmanager.memory.task.heap.size", [], Default::None, "Task Heap");
    opt!(
        FRAMEWORK_OFF_HEAP,
        "taskmanager.memory.framework.off-heap.size",
        [],
        Default::Size(128 * MB),
        "Framework Off-Heap"
    );
    opt!(TASK_OFF_HEAP, "taskmanager.memory.task.off-heap.size", [], Default::Size(0), "Task Off-Heap");
    opt!(
        MANAGED_SIZE,
        "taskmanager.memory.managed.size",
        ["taskmanager.memory.size"],
        Default::None,
        "Managed Memory"
    );
    opt!(
        MANAGED_FRACTION,
        "taskmanager.memory.managed.fraction",
        [],
        Default::Float(0.4, "0.4"),
        "Managed Memory fraction"
    );
    opt!(
        NETWORK_MIN,
        "taskmanager.memory.network.min",
        ["taskmanager.network.memory.min"],
        Default::Size(64 * MB),
        "Network Memory min"
    );
    opt!(
        NETWORK_MAX,
        "taskmanager.memory.network.max",
        ["taskmanager.network.memory.max"],
        Default::Size(i64::MAX as u64),
        "Network Memory max"
    );
    opt!(
        NETWORK_FRACTION,
        "taskmanager.memory.network.fraction",
        ["taskmanager.network.memory.fraction"],
        Default::Float(0.1, "0.1"),
        "Network Memory fraction"
    );
    opt!(METASPACE, "taskmanager.memory.jvm-metaspace.size", [], Default::Size(256 * MB), "JVM Metaspace");
    opt!(
        OVERHEAD_MIN,
        "taskmanager.memory.jvm-overhead.min",
        [],
        Default::Size(192 * MB),
        "JVM Overhead min"
    );
    opt!(
        OVERHEAD_MAX,
        "taskmanager.memory.jvm-overhead.max",
        [],
        Default::Size(1024 * MB),
        "JVM Overhead max"
    );
    opt!(
        OVERHEAD_FRACTION,
        "taskmanager.memory.jvm-overhead.fraction",
        [],
        Default::Float(0.1, "0.1"),
        "JVM Overhead fraction"
    );
    opt!(
        SEGMENT_SIZE,
        "taskmanager.memory.segment-size",
        [],
        Default::Size(32 * 1024),
        "Memory segment size"
    );
    opt!(SLOTS, "taskmanager.numberOfTaskSlots", [], Default::None, "Task slots");
    opt!(CPU_CORES, "taskmanager.cpu.cores", [], Default::None, "CPU cores");

    /// Every memory option a user may set on a TaskManager, in the calculator's order.
    pub const ALL: &[Opt] = &[
        TOTAL_PROCESS,
        TOTAL_FLINK,
        FRAMEWORK_HEAP,
        TASK_HEAP,
        FRAMEWORK_OFF_HEAP,
        TASK_OFF_HEAP,
        MANAGED_SIZE,
        MANAGED_FRACTION,
        NETWORK_MIN,
        NETWORK_MAX,
        NETWORK_FRACTION,
        METASPACE,
        OVERHEAD_MIN,
        OVERHEAD_MAX,
        OVERHEAD_FRACTION,
        SEGMENT_SIZE,
        SLOTS,
        CPU_CORES,
    ];
}

pub mod jm {
    use super::*;
    opt!(TOTAL_PROCESS, "jobmanager.memory.process.size", [], Default::None, "Total Process Memory");
    opt!(TOTAL_FLINK, "jobmanager.memory.flink.size", [], Default::None, "Total Flink Memory");
    opt!(HEAP, "jobmanager.memory.heap.size", [], Default::None, "JVM Heap");
    opt!(OFF_HEAP, "jobmanager.memory.off-heap.size", [], Default::Size(128 * MB), "Off-Heap Memory");
    opt!(METASPACE, "jobmanager.memory.jvm-metaspace.size", [], Default::Size(256 * MB), "JVM Metaspace");
    opt!(OVERHEAD_MIN, "jobmanager.memory.jvm-overhead.min", [], Default::Size(192 * MB), "JVM Overhead min");
    opt!(
        OVERHEAD_MAX,
        "jobmanager.memory.jvm-overhead.max",
        [],
        Default::Size(1024 * MB),
        "JVM Overhead max"
    );
    opt!(
        OVERHEAD_FRACTION,
        "jobmanager.memory.jvm-overhead.fraction",
        [],
        Default::Float(0.1, "0.1"),
        "JVM Overhead fraction"
    );
    opt!(
        DIRECT_LIMIT,
        "jobmanager.memory.enable-jvm-direct-memory-limit",
        [],
        Default::None,
        "Limit JVM direct memory"
    );

    pub const ALL: &[Opt] = &[
        TOTAL_PROCESS,
        TOTAL_FLINK,
        HEAP,
        OFF_HEAP,
        METASPACE,
        OVERHEAD_MIN,
        OVERHEAD_MAX,
        OVERHEAD_FRACTION,
        DIRECT_LIMIT,
    ];
}

impl Opt {
    pub fn default_size(&self) -> Option<MemorySize> {
        match self.default {
            Default::Size(b) => Some(MemorySize::new(b)),
            _ => None,
        }
    }

    /// Java's `ConfigOption.toString()`, which some of Flink's messages print.
    pub fn java_to_string(&self) -> String {
        let default = match self.default {
            Default::Size(b) => MemorySize::new(b).to_string(),
            Default::Float(_, text) => text.to_owned(),
            Default::None => "null".to_owned(),
        };
        let fallbacks: Vec<String> =
            self.fallbacks.iter().map(|k| format!("{{key={k}, isDeprecated=true}}")).collect();
        format!("Key: '{}' , default: {default} (fallback keys: [{}])", self.key, fallbacks.join(", "))
    }
}

/// Options Flink 1.20 still reads and 2.0 removed (shown for the 1.20 profile).
pub mod legacy {
    use super::*;
    opt!(
        TM_HEAP,
        "taskmanager.heap.size",
        [],
        Default::None,
        "Legacy TaskManager heap (→ Total Flink Memory)"
    );
    opt!(TM_HEAP_MB, "taskmanager.heap.mb", [], Default::None, "Legacy TaskManager heap in MB");
    opt!(
        NETWORK_BUFFERS,
        "taskmanager.network.numberOfBuffers",
        [],
        Default::None,
        "Legacy number of network buffers"
    );
    opt!(JM_HEAP, "jobmanager.heap.size", [], Default::None, "Legacy JobManager heap (→ JVM Heap)");
    opt!(JM_HEAP_MB, "jobmanager.heap.mb", [], Default::None, "Legacy JobManager heap in MB");

    pub const TM: &[Opt] = &[TM_HEAP, TM_HEAP_MB, NETWORK_BUFFERS];
    pub const JM: &[Opt] = &[JM_HEAP, JM_HEAP_MB];
}
