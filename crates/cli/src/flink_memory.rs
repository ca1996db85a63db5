//! `memlab flink-memory`: Flink's TaskManager or JobManager memory for a configuration, as
//! Flink itself derives it.

use std::path::Path;
use std::time::Instant;

use memlab_flink::process::Part;
use memlab_flink::{jobmanager, lint, taskmanager, FlinkConfig, FlinkVersion};
use memlab_size::MemorySize;
use serde_json::{json, Value};

/// Which process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Process {
    Taskmanager,
    Jobmanager,
}

/// Reads PATH (a config file, or a directory holding `config.yaml` or `flink-conf.yaml`) and
/// applies `-D` overrides. `Err` is a message for standard error.
pub fn load(path: &Path, dynamic: &[String]) -> Result<FlinkConfig, String> {
    let file = if path.is_dir() {
        ["config.yaml", "flink-conf.yaml"].iter().map(|f| path.join(f)).find(|p| p.exists()).ok_or_else(
            || format!("{}: no config.yaml or flink-conf.yaml in this directory", path.display()),
        )?
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut c = if file.file_name().is_some_and(|n| n == "flink-conf.yaml") {
        FlinkConfig::from_legacy(&text)
    } else {
        FlinkConfig::from_yaml(&text).map_err(|e| format!("{}: {e}", file.display()))?
    };
    c.apply_dynamic(dynamic.iter().map(String::as_str)).map_err(|e| e.to_string())?;
    Ok(c)
}

fn row(name: &str, p: &Part) -> String {
    format!(
        "  {name:<22} {:>14}  {:<34} {:?}\n",
        p.bytes,
        MemorySize::new(p.bytes).to_human_readable_string(),
        p.source
    )
}

fn total(name: &str, b: u64) -> String {
    format!("  {name:<22} {b:>14}  {}\n", MemorySize::new(b).to_human_readable_string())
}

/// Runs the derivation. `Ok((stdout, warnings))`, or `Err(Flink's error)` (exit 1).
pub fn run(
    process: Process,
    c: &FlinkConfig,
    as_json: bool,
    v: FlinkVersion,
) -> Result<(String, Vec<String>), memlab_flink::FlinkError> {
    let warnings: Vec<String> = lint::check(c).into_iter().map(|w| w.message).collect();
    let out = match process {
        Process::Taskmanager => {
            let m = taskmanager::derive_for(c, v)?;
            if as_json {
                let v = json!({
                    "frameworkHeap": m.framework_heap.bytes,
                    "taskHeap": m.task_heap.bytes,
                    "frameworkOffHeap": m.framework_off_heap.bytes,
                    "taskOffHeap": m.task_off_heap.bytes,
                    "networkMemory": m.network.bytes,
                    "managedMemory": m.managed.bytes,
                    "jvmMetaspace": m.jvm_metaspace.bytes,
                    "jvmOverhead": m.jvm_overhead.bytes,
                    "totalFlinkMemory": m.total_flink(),
                    "totalProcessMemory": m.total_process(),
                    "jvmArgs": m.jvm_args(),
                    "dynamicProperties": m.dynamic_properties(),
                    "numberOfTaskSlots": m.slots,
                    "managedMemoryPerSlot": m.managed_per_slot(),
                    "case": m.case,
                    "sources": {
                        "frameworkHeap": m.framework_heap.source, "taskHeap": m.task_heap.source,
                        "frameworkOffHeap": m.framework_off_heap.source, "taskOffHeap": m.task_off_heap.source,
                        "networkMemory": m.network.source, "managedMemory": m.managed.source,
                        "jvmMetaspace": m.jvm_metaspace.source, "jvmOverhead": m.jvm_overhead.source,
                    },
                    "notes": m.notes,
                    "warnings": warnings,
                });
                pretty(&v)
            } else {
                let mut s = format!("TaskManager memory (Flink {})\n", v.label());
                s += &row("Framework Heap", &m.framework_heap);
                s += &row("Task Heap", &m.task_heap);
                s += &row("Framework Off-Heap", &m.framework_off_heap);
                s += &row("Task Off-Heap", &m.task_off_heap);
                s += &row("Network", &m.network);
                s += &row("Managed", &m.managed);
                s += &row("JVM Metaspace", &m.jvm_metaspace);
                s += &row("JVM Overhead", &m.jvm_overhead);
                s += &total("Total Flink Memory", m.total_flink());
                s += &total("Total Process Memory", m.total_process());
                s += &format!(
                    "  slots {} · managed per slot {}\n",
                    m.slots,
                    MemorySize::new(m.managed_per_slot()).to_human_readable_string()
                );
                s += &format!("JVM arguments:      {}\n", m.jvm_args());
                s += &format!("Dynamic properties: {}\n", m.dynamic_properties());
                for n in &m.notes {
                    s += &format!("INFO  {n}\n");
                }
                s
            }
        }
        Process::Jobmanager => {
            let m = jobmanager::derive_for(c, v)?;
            if as_json {
                pretty(&json!({
                    "jvmHeap": m.jvm_heap.bytes,
                    "offHeap": m.off_heap.bytes,
                    "jvmMetaspace": m.jvm_metaspace.bytes,
                    "jvmOverhead": m.jvm_overhead.bytes,
                    "totalFlinkMemory": m.total_flink(),
                    "totalProcessMemory": m.total_process(),
                    "jvmArgs": m.jvm_args(),
                    "dynamicProperties": m.dynamic_properties(),
                    "case": m.case,
                    "sources": {
                        "jvmHeap": m.jvm_heap.source, "offHeap": m.off_heap.source,
                        "jvmMetaspace": m.jvm_metaspace.source, "jvmOverhead": m.jvm_overhead.source,
                    },
                    "notes": m.notes,
                    "warnings": warnings,
                }))
            } else {
                let mut s = format!("JobManager memory (Flink {})\n", v.label());
                s += &row("JVM Heap", &m.jvm_heap);
                s += &row("Off-Heap", &m.off_heap);
                s += &row("JVM Metaspace", &m.jvm_metaspace);
                s += &row("JVM Overhead", &m.jvm_overhead);
                s += &total("Total Flink Memory", m.total_flink());
                s += &total("Total Process Memory", m.total_process());
                s += &format!("JVM arguments:      {}\n", m.jvm_args());
                s += &format!("Dynamic properties: {}\n", m.dynamic_properties());
                for n in &m.notes {
                    s += &format!("INFO  {n}\n");
                }
                s
            }
        }
    };
    Ok((out, warnings))
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// Derivations per second over a handful of typical configurations.
pub fn bench(rounds: u64) -> String {
    let yamls = [
        "taskmanager.memory.process.size: 1728m",
        "taskmanager.memory.flink.size: 4g\ntaskmanager.memory.managed.fraction: 0.2",
        "taskmanager.memory.task.heap.size: 1g\ntaskmanager.memory.managed.size: 512m",
        "taskmanager.memory.process.size: 8g\ntaskmanager.memory.network.max: 512m\ntaskmanager.numberOfTaskSlots: 4",
    ];
    let configs: Vec<FlinkConfig> =
        yamls.iter().map(|y| FlinkConfig::from_yaml(y).expect("valid yaml")).collect();
    let t0 = Instant::now();
    let mut bytes = 0u64;
    for _ in 0..rounds {
        for c in &configs {
            if let Ok(m) = taskmanager::derive(c) {
                bytes = bytes.wrapping_add(m.total_process());
            }
        }
    }
    let n = rounds * configs.len() as u64;
    let secs = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let mut len = 0usize;
    for _ in 0..rounds {
        for c in &configs {
            if let Ok(m) = taskmanager::derive(c) {
                len += m.dynamic_properties().len() + m.jvm_args().len();
            }
        }
    }
    let secs_lines = t1.elapsed().as_secs_f64();
    format!(
        "{n} TaskManager derivations in {secs:.3} s: {:.0} per second ({:.2} µs each); with both result lines: {:.2} µs each (checksum {bytes} {len})\n",
        n as f64 / secs,
        secs / n as f64 * 1e6,
        secs_lines / n as f64 * 1e6
    )
}
