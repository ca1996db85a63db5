//! Post-mortem: what killed a TaskManager or made a job fail or restart, as data. A cause
//! is either **quoted** (Flink's exception history names it: the line is kept verbatim)
//! or **inferred** (from the metrics before the loss: the facts say which).

use serde::Serialize;

use super::Text;
use crate::rest::ExceptionEntry;

/// Why a TaskManager was lost or a job failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// `java.lang.OutOfMemoryError: Java heap space` (or `GC overhead limit exceeded`).
    HeapSpace,
    /// `java.lang.OutOfMemoryError: Metaspace`.
    Metaspace,
    /// `java.lang.OutOfMemoryError: Direct buffer memory`.
    DirectBuffer,
    /// `Insufficient number of network buffers` (a task could not get its buffers).
    NetworkBuffers,
    /// `Could not allocate enough memory segments for NetworkBufferPool` (the network
    /// memory itself could not be allocated).
    NetworkSegments,
    /// The job lost a TaskManager (heartbeat timeout, "no longer reachable", a closed
    /// connection): the TaskManager's own cause is its `taskmanager-lost` finding's.
    TaskManagerLost,
    /// The process vanished with no memory pressure inside the JVM: a container's OOM
    /// killer (exit 137), `kill -9`, the machine.
    KilledFromOutside,
    /// A failure that is not about memory (user code, a connector, a bad record).
    NotMemory,
    /// Nothing tells.
    Unknown,
}

impl Cause {
    /// Whether a memory setting can address it.
    pub fn is_memory(self) -> bool {
        matches!(
            self,
            Cause::HeapSpace
                | Cause::Metaspace
                | Cause::DirectBuffer
                | Cause::NetworkBuffers
                | Cause::NetworkSegments
        )
    }

    pub fn slug(self) -> &'static str {
        match self {
            Cause::HeapSpace => "heap-space",
            Cause::Metaspace => "metaspace",
            Cause::DirectBuffer => "direct-buffer",
            Cause::NetworkBuffers => "network-buffers",
            Cause::NetworkSegments => "network-segments",
            Cause::TaskManagerLost => "taskmanager-lost",
            Cause::KilledFromOutside => "killed-from-outside",
            Cause::NotMemory => "not-memory",
            Cause::Unknown => "unknown",
        }
    }
}

/// The markers of each cause in an exception's text, most specific first (the network
/// pool's message ends with "Cause: Direct buffer memory": it is a network cause).
const MARKERS: [(Cause, &[&str]); 6] = [
    (Cause::NetworkSegments, &["Could not allocate enough memory segments"]),
    (
        Cause::HeapSpace,
        &["OutOfMemoryError: Java heap space", "OutOfMemoryError: GC overhead limit exceeded"],
    ),
    (Cause::Metaspace, &["OutOfMemoryError: Metaspace"]),
    (Cause::DirectBuffer, &["OutOfMemoryError: Direct buffer memory"]),
    (Cause::NetworkBuffers, &["Insufficient number of network buffers"]),
    (
        Cause::TaskManagerLost,
        &[
            "is no longer reachable",
            "Heartbeat of TaskManager",
            "heartbeat of TaskManager",
            "Connection unexpectedly closed by remote task manager",
            "TaskManager was lost",
            "The TaskExecutor is shutting down",
            "Lost connection to task manager",
        ],
    ),
];

/// The cause an exception names, and the line that names it (verbatim, trimmed). Every
/// line of the stack trace is read (the `Caused by:` chain included), and of the exceptions
/// Flink saw at the same moment.
pub fn classify(e: &ExceptionEntry) -> (Cause, String) {
    let texts: Vec<&str> = std::iter::once(e)
        .chain(&e.concurrent_exceptions)
        .flat_map(|x| std::iter::once(x.exception_name.as_str()).chain(x.stacktrace.lines()))
        .collect();
    for (cause, markers) in MARKERS {
        for line in &texts {
            if markers.iter().any(|m| line.contains(m)) {
                let line = line.trim().trim_start_matches("Caused by: ").trim();
                return (cause, line.to_owned());
            }
        }
    }
    (Cause::NotMemory, e.headline().trim().to_owned())
}

/// How a cause is known.
#[derive(Clone, Debug, PartialEq)]
pub enum Basis {
    /// Flink's exception history names it: the line as Flink wrote it.
    Quoted { line: String },
    /// Read from the metrics: the facts say which.
    Inferred { from: Vec<Text> },
}

/// A moment of an incident's timeline: seconds since the first poll, what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    pub at_s: f64,
    pub what: Text,
}

/// A job a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobRef {
    pub id: String,
    pub name: String,
}

/// What a post-mortem finding adds: the cause, how it is known, when, and the incident's
/// timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct PostMortem {
    pub cause: Cause,
    pub basis: Basis,
    /// When the TaskManager vanished or the job failed, seconds since the first poll.
    pub at_s: f64,
    /// The poll of that moment (for a link to the Live cluster page).
    pub at_poll: usize,
    /// The TaskManager lost (or, for a job, the one its exception names).
    pub taskmanager: Option<String>,
    pub job: Option<JobRef>,
    /// A job's restart count at the first and the last poll.
    pub restarts: Option<(f64, f64)>,
    pub timeline: Vec<Moment>,
}

/// The numbers in Flink's "Insufficient number of network buffers: required R, but only A
/// available. The total number of network buffers is currently set to T of S bytes
/// each." (None when the text does not have them all).
pub fn network_buffer_numbers(line: &str) -> Option<NetworkShortfall> {
    // The number after `key`, looked for from byte `from` on.
    let after = |key: &str, from: usize| -> Option<(u64, usize)> {
        let at = from + line.get(from..)?.find(key)? + key.len();
        let digits: String = line[at..].trim_start().chars().take_while(char::is_ascii_digit).collect();
        Some((digits.parse().ok()?, at))
    };
    let (required, at) = after("required", 0)?;
    let (available, at) = after("but only", at)?;
    let (total, at) = after("currently set to", at)?;
    let (segment, _) = after(" of ", at)?;
    (segment > 0).then_some(NetworkShortfall { required, available, total, segment })
}

/// What a task asked of the network buffer pool and what it had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkShortfall {
    pub required: u64,
    pub available: u64,
    pub total: u64,
    /// Bytes per buffer.
    pub segment: u64,
}

/// A long exception message cut after its first sentence (Flink's enriched
/// `OutOfMemoryError` messages run to a paragraph): for a timeline; facts quote in full.
pub fn first_sentence(line: &str) -> String {
    const LONG: usize = 140;
    if line.chars().count() <= LONG {
        return line.to_owned();
    }
    match line.find(". ") {
        Some(i) if i < LONG * 2 => format!("{}. …", &line[..i]),
        _ => format!("{}…", line.chars().take(LONG).collect::<String>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, trace: &str) -> ExceptionEntry {
        ExceptionEntry {
            exception_name: name.into(),
            stacktrace: trace.into(),
            timestamp: 0,
            task_name: None,
            endpoint: None,
            task_manager_id: None,
            failure_labels: Default::default(),
            concurrent_exceptions: Vec::new(),
        }
    }

    #[test]
    fn the_root_cause_is_read_from_the_whole_chain() {
        let e = entry(
            "org.apache.flink.runtime.JobException",
            "org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy\n\tat x\nCaused by: java.lang.OutOfMemoryError: Java heap space\n\tat y",
        );
        assert_eq!(classify(&e), (Cause::HeapSpace, "java.lang.OutOfMemoryError: Java heap space".into()));
        let e = entry("java.lang.OutOfMemoryError", "java.lang.OutOfMemoryError: Could not allocate enough memory segments for NetworkBufferPool (required (MB): 64, allocated (MB): 10, missing (MB): 54). Cause: Direct buffer memory");
        assert_eq!(classify(&e).0, Cause::NetworkSegments);
        let e = entry("java.lang.RuntimeException", "java.lang.RuntimeException: bad record 42\n\tat z");
        assert_eq!(classify(&e), (Cause::NotMemory, "java.lang.RuntimeException: bad record 42".into()));
        let mut e = entry("org.apache.flink.util.FlinkException", "org.apache.flink.util.FlinkException: x");
        e.concurrent_exceptions
            .push(entry("java.lang.OutOfMemoryError", "java.lang.OutOfMemoryError: Metaspace"));
        assert_eq!(classify(&e).0, Cause::Metaspace);
    }

    #[test]
    fn a_paragraph_is_cut_after_its_first_sentence_and_a_line_is_kept() {
        let long = format!(
            "java.lang.OutOfMemoryError: Direct buffer memory. {}",
            "The direct out-of-memory error has occurred. ".repeat(5)
        );
        assert_eq!(first_sentence(&long), "java.lang.OutOfMemoryError: Direct buffer memory. …");
        assert_eq!(
            first_sentence("java.lang.OutOfMemoryError: Metaspace"),
            "java.lang.OutOfMemoryError: Metaspace"
        );
    }

    #[test]
    fn the_network_shortfall_is_read_from_flinks_message() {
        let line = "java.io.IOException: Insufficient number of network buffers: required 17, but only 10 available. The total number of network buffers is currently set to 64 of 32768 bytes each. You can increase this number by setting the configuration keys 'taskmanager.memory.network.fraction', 'taskmanager.memory.network.min', and 'taskmanager.memory.network.max'.";
        assert_eq!(
            network_buffer_numbers(line),
            Some(NetworkShortfall { required: 17, available: 10, total: 64, segment: 32768 })
        );
        assert_eq!(network_buffer_numbers("Insufficient number of network buffers"), None);
    }
}
