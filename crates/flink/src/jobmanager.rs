//! JobManager memory, derived as Flink 2.x's `JobManagerProcessUtils` and
//! `JobManagerFlinkMemoryUtils` derive it.

use memlab_size::MemorySize;
use serde::Serialize;

use crate::config::FlinkConfig;
use crate::error::FlinkError;
use crate::options::jm as o;
use crate::process::{self, add, sub, Case, Notes, Part, ProcessOptions};
use crate::read::{self, Source};
use crate::version::{map_legacy_heap, FlinkVersion};

const PROCESS: ProcessOptions = ProcessOptions {
    required_fine_grained: &[o::HEAP],
    total_flink: o::TOTAL_FLINK,
    total_process: o::TOTAL_PROCESS,
    metaspace: o::METASPACE,
    overhead_min: o::OVERHEAD_MIN,
    overhead_max: o::OVERHEAD_MAX,
    overhead_fraction: o::OVERHEAD_FRACTION,
};

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobManagerMemory {
    pub jvm_heap: Part,
    pub off_heap: Part,
    pub jvm_metaspace: Part,
    pub jvm_overhead: Part,
    pub case: Case,
    /// `jobmanager.memory.enable-jvm-direct-memory-limit`.
    pub direct_limit: bool,
    pub notes: Vec<String>,
}

impl JobManagerMemory {
    pub fn total_flink(&self) -> u64 {
        self.jvm_heap.bytes + self.off_heap.bytes
    }
    pub fn total_process(&self) -> u64 {
        self.total_flink() + self.jvm_metaspace.bytes + self.jvm_overhead.bytes
    }

    pub fn jvm_args(&self) -> String {
        let direct = if self.direct_limit {
            format!("-XX:MaxDirectMemorySize={} ", self.off_heap.bytes)
        } else {
            String::new()
        };
        format!(
            "-Xmx{h} -Xms{h} {direct}-XX:MaxMetaspaceSize={}",
            self.jvm_metaspace.bytes,
            h = self.jvm_heap.bytes
        )
    }

    pub fn dynamic_properties(&self) -> String {
        let b = |p: &Part| format!("{}b", p.bytes);
        let entries = vec![
            (o::HEAP.key.to_owned(), b(&self.jvm_heap)),
            (o::OFF_HEAP.key.to_owned(), b(&self.off_heap)),
            (o::METASPACE.key.to_owned(), b(&self.jvm_metaspace)),
            (o::OVERHEAD_MIN.key.to_owned(), b(&self.jvm_overhead)),
            (o::OVERHEAD_MAX.key.to_owned(), b(&self.jvm_overhead)),
        ];
        process::java_hashmap_order(entries)
            .into_iter()
            .map(|(k, v)| format!("-D {k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn hr(b: u64) -> String {
    MemorySize::new(b).to_human_readable_string()
}

fn part(c: &FlinkConfig, opt: &crate::options::Opt) -> Result<Part, FlinkError> {
    Ok(Part::new(read::memory(c, opt)?.bytes(), read::source(c, opt)))
}

fn from_fine_grained(c: &FlinkConfig, notes: &mut Notes) -> Result<(Part, Part), FlinkError> {
    let heap = part(c, &o::HEAP)?;
    let mut off_heap = part(c, &o::OFF_HEAP)?;
    if read::contains(c, &o::TOTAL_FLINK) {
        let total = read::memory(c, &o::TOTAL_FLINK)?.bytes();
        if read::contains(c, &o::OFF_HEAP) {
            if total != add(heap.bytes, off_heap.bytes)? {
                return Err(FlinkError::config(format!(
                    "Sum of the configured JVM Heap Memory ({}) and the configured Off-heap Memory ({}) does not match the configured Total Flink Memory ({}). Please, make the configuration consistent or configure only one option: either JVM Heap or Total Flink Memory.",
                    heap.hr(), off_heap.hr(), hr(total)
                ))
                .at(o::HEAP.key)
                .at(o::OFF_HEAP.key)
                .at(o::TOTAL_FLINK.key));
            }
        } else {
            if total < heap.bytes {
                return Err(FlinkError::config(format!(
                    "The configured JVM Heap Memory ({}) exceeds the configured Total Flink Memory ({}). Please, make the configuration consistent or configure only one option: either JVM Heap or Total Flink Memory.",
                    heap.hr(), hr(total)
                ))
                .at(o::HEAP.key)
                .at(o::TOTAL_FLINK.key));
            }
            let derived = sub(total, heap.bytes)?;
            if derived != off_heap.bytes {
                notes.push(format!(
                    "The Off-Heap Memory size ({}) is derived the configured Total Flink Memory size ({}) minus the configured JVM Heap Memory size ({}). The default Off-Heap Memory size ({}) is ignored.",
                    hr(derived), hr(total), heap.hr(), off_heap.hr()
                ));
            }
            off_heap = Part::new(derived, Source::Derived);
        }
    }
    Ok((heap, off_heap))
}

fn from_total_flink(c: &FlinkConfig, total: u64) -> Result<(Part, Part), FlinkError> {
    let off_heap = part(c, &o::OFF_HEAP)?;
    if total <= off_heap.bytes {
        return Err(FlinkError::config(format!(
            "The configured Total Flink Memory ({}) is less than the configured Off-heap Memory ({}).",
            hr(total),
            off_heap.hr()
        ))
        .at(o::TOTAL_FLINK.key)
        .at(o::OFF_HEAP.key));
    }
    Ok((Part::new(sub(total, off_heap.bytes)?, Source::Derived), off_heap))
}

fn direct_limit(c: &FlinkConfig) -> Result<bool, FlinkError> {
    match read::raw(c, &o::DIRECT_LIMIT) {
        None => Ok(false),
        Some((k, v)) => match v.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(FlinkError::argument(format!("Could not parse value '{v}' for key '{k}'."))
                .at(o::DIRECT_LIMIT.key)
                .caused_by(
                    crate::error::ILLEGAL_ARGUMENT,
                    format!("Unrecognized option for boolean: {v}. Expected either true or false(case insensitive)"),
                )),
        },
    }
}

/// Derives a JobManager's memory from its configuration, as Flink 2.x does.
pub fn derive(c: &FlinkConfig) -> Result<JobManagerMemory, FlinkError> {
    derive_for(c, FlinkVersion::V2)
}

/// Derives a JobManager's memory as the given Flink version does.
pub fn derive_for(c: &FlinkConfig, v: FlinkVersion) -> Result<JobManagerMemory, FlinkError> {
    match v {
        // Flink 2.x reports JobManager errors without a prefix.
        FlinkVersion::V2 => derive_inner(c),
        // Flink 1.20 maps the legacy heap options, and prefixes every error.
        FlinkVersion::V1_20 => map_legacy_heap(c, &o::HEAP, "jobmanager.heap.size", "jobmanager.heap.mb")
            .and_then(|c| derive_inner(&c))
            .map_err(|e| e.prefixed("JobManager memory configuration failed: ")),
    }
}

fn derive_inner(c: &FlinkConfig) -> Result<JobManagerMemory, FlinkError> {
    let mut notes = Vec::new();
    let case = PROCESS.case(c)?;
    let ((heap, off_heap), meta) = match case {
        Case::FineGrained => {
            let f = from_fine_grained(c, &mut notes)?;
            let m = PROCESS.from_total_flink(c, add(f.0.bytes, f.1.bytes)?, &mut notes)?;
            (f, m)
        }
        Case::TotalFlink => {
            let total = read::memory(c, &o::TOTAL_FLINK)?.bytes();
            let f = from_total_flink(c, total)?;
            let m = PROCESS.from_total_flink(c, total, &mut notes)?;
            (f, m)
        }
        Case::TotalProcess => {
            let total_process = read::memory(c, &o::TOTAL_PROCESS)?.bytes();
            let m = PROCESS.from_total_process(c, total_process, &mut notes)?;
            let total_flink = sub(total_process, add(m.metaspace.bytes, m.overhead.bytes)?)?;
            (from_total_flink(c, total_flink)?, m)
        }
    };
    Ok(JobManagerMemory {
        jvm_heap: heap,
        off_heap,
        jvm_metaspace: meta.metaspace,
        jvm_overhead: meta.overhead,
        case,
        direct_limit: direct_limit(c)?,
        notes,
    })
}
