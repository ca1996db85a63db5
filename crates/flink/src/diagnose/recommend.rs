//! Recommendations as `config.yaml` changes, every one run through memlab's exact Flink
//! calculator: a proposal is a list of option changes plus the breakdown before and after,
//! and it never yields an invalid configuration. By default the process keeps its size:
//! the bytes come from a component the evidence shows is over-provisioned (idle managed or
//! network memory); where there is none, the proposal grows the process and says by how much.

use serde::Serialize;

use super::thresholds::ROUND;
use super::Text;
use crate::config::FlinkConfig;
use crate::error::FlinkError;
use crate::options::{tm as o, Opt};
use crate::read;
use crate::rest::MemoryConfiguration;
use crate::taskmanager::{self, TaskManagerMemory};

/// Why memlab makes no recommendation of the kind asked for: the calculator refuses the
/// result, or the request itself does not make sense. (The messages are what a reader is
/// shown beside the finding.)
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdviceError {
    /// Flink would refuse the changed configuration.
    #[error("Flink would reject this change: {0}")]
    Rejected(FlinkError),
    /// The JobManager's own configuration does not derive, so there is nothing to change.
    #[error("the JobManager's configuration does not derive: {0}")]
    JobManagerBase(FlinkError),
    /// A change names an option that is not a TaskManager memory option.
    #[error("{0} is not a TaskManager memory option")]
    NotAnOption(String),
    /// Bytes can only be taken from managed or network memory.
    #[error("memlab does not take bytes from {0}")]
    NotADonor(&'static str),
    /// The calculator could not give the component the bytes asked for.
    #[error("the calculator gives {0} less than asked")]
    ShortOf(&'static str),
}

/// A part of TaskManager memory a recommendation moves bytes to or from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    TaskHeap,
    TaskOffHeap,
    Managed,
    Network,
    Metaspace,
    Overhead,
}

impl Component {
    pub fn label(self) -> &'static str {
        match self {
            Component::TaskHeap => "task heap",
            Component::TaskOffHeap => "task off-heap",
            Component::Managed => "managed memory",
            Component::Network => "network memory",
            Component::Metaspace => "JVM metaspace",
            Component::Overhead => "JVM overhead",
        }
    }

    /// The component's name in `lang`.
    pub fn label_in(self, lang: memlab_text::Lang) -> &'static str {
        match (lang, self) {
            (memlab_text::Lang::En, c) => c.label(),
            (memlab_text::Lang::Zh, Component::TaskHeap) => "任务堆",
            (memlab_text::Lang::Zh, Component::TaskOffHeap) => "任务堆外内存",
            (memlab_text::Lang::Zh, Component::Managed) => "托管内存",
            (memlab_text::Lang::Zh, Component::Network) => "网络内存",
            (memlab_text::Lang::Zh, Component::Metaspace) => "JVM 元空间",
            (memlab_text::Lang::Zh, Component::Overhead) => "JVM 开销",
        }
    }

    pub fn bytes(self, m: &TaskManagerMemory) -> u64 {
        match self {
            Component::TaskHeap => m.task_heap.bytes,
            Component::TaskOffHeap => m.task_off_heap.bytes,
            Component::Managed => m.managed.bytes,
            Component::Network => m.network.bytes,
            Component::Metaspace => m.jvm_metaspace.bytes,
            Component::Overhead => m.jvm_overhead.bytes,
        }
    }
}

/// One `config.yaml` line changed (`from`: the value before, None when it was not set).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub key: String,
    pub from: Option<String>,
    pub to: String,
}

/// Serialized with its summary in a language: [`super::words::In`].
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    pub summary: Text,
    pub changes: Vec<Change>,
    pub before: TaskManagerMemory,
    pub after: TaskManagerMemory,
    /// Bytes the process grows by (0: same size; negative: smaller).
    pub process_delta: i64,
}

impl Recommendation {
    /// The changes as `config.yaml` lines: `-` the old value (if set), `+` the new one.
    pub fn diff(&self) -> String {
        Recommendation::diff_of(&self.changes)
    }

    fn diff_of(changes: &[Change]) -> String {
        changes
            .iter()
            .map(|c| match &c.from {
                Some(f) => format!("- {}: {f}\n+ {}: {}\n", c.key, c.key, c.to),
                None => format!("+ {}: {}\n", c.key, c.to),
            })
            .collect()
    }
}

/// Every part of TaskManager memory with its bytes, in Flink's order (for before/after tables).
pub fn parts(m: &TaskManagerMemory) -> [(&'static str, u64); 10] {
    [
        ("Framework heap", m.framework_heap.bytes),
        ("Task heap", m.task_heap.bytes),
        ("Framework off-heap", m.framework_off_heap.bytes),
        ("Task off-heap", m.task_off_heap.bytes),
        ("Network", m.network.bytes),
        ("Managed", m.managed.bytes),
        ("JVM metaspace", m.jvm_metaspace.bytes),
        ("JVM overhead", m.jvm_overhead.bytes),
        ("Total Flink memory", m.total_flink()),
        ("Total process memory", m.total_process()),
    ]
}

impl Recommendation {
    /// The parts whose size changes: (name, before, after).
    pub fn moved(&self) -> Vec<(&'static str, u64, u64)> {
        changed(&parts(&self.before), &parts(&self.after))
    }
}

/// The (name, before, after) of the parts whose size differs.
fn changed(before: &[(&'static str, u64)], after: &[(&'static str, u64)]) -> Vec<(&'static str, u64, u64)> {
    before.iter().zip(after).filter(|(a, b)| a.1 != b.1).map(|(a, b)| (a.0, a.1, b.1)).collect()
}

/// What a TaskManager runs with: the configuration recommendations change.
#[derive(Clone, Debug, PartialEq)]
pub struct Base {
    pub config: FlinkConfig,
    pub memory: TaskManagerMemory,
    /// True when `config` is the cluster's own (from `/jobmanager/config`); false when
    /// memlab rebuilt it from the sizes the TaskManager reports.
    pub from_cluster: bool,
}

/// The TaskManager memory options of the cluster's configuration if they reproduce what
/// the TaskManager reports, else the reported sizes written out as options.
pub fn base(cluster: Option<&FlinkConfig>, m: &MemoryConfiguration) -> Option<Base> {
    let matches = |d: &TaskManagerMemory| {
        d.total_process() == m.total_process_memory
            && d.managed.bytes == m.managed_memory
            && d.network.bytes == m.network_memory
            && d.task_heap.bytes == m.task_heap
    };
    if let Some(c) = cluster {
        let mut tm = FlinkConfig::new();
        for (k, v) in c.entries() {
            if k.starts_with("taskmanager.memory.") || k == o::SLOTS.key {
                tm.set(k, v);
            }
        }
        if let Ok(d) = taskmanager::derive(&tm) {
            if matches(&d) {
                return Some(Base { config: tm, memory: d, from_cluster: true });
            }
        }
    }
    let mut c = FlinkConfig::new();
    for (opt, b) in [
        (&o::TOTAL_PROCESS, m.total_process_memory),
        (&o::FRAMEWORK_HEAP, m.framework_heap),
        (&o::FRAMEWORK_OFF_HEAP, m.framework_off_heap),
        (&o::TASK_OFF_HEAP, m.task_off_heap),
        (&o::MANAGED_SIZE, m.managed_memory),
        (&o::NETWORK_MIN, m.network_memory),
        (&o::NETWORK_MAX, m.network_memory),
        (&o::METASPACE, m.jvm_metaspace),
        (&o::OVERHEAD_MIN, m.jvm_overhead),
        (&o::OVERHEAD_MAX, m.jvm_overhead),
    ] {
        c.set(opt.key, &size_value(b));
    }
    let d = taskmanager::derive(&c).ok()?;
    matches(&d).then_some(Base { config: c, memory: d, from_cluster: false })
}

/// A size as Flink reads it, in the largest whole unit (`64m`, `1g`, `123456b`).
pub fn size_value(b: u64) -> String {
    for (unit, s) in [(1u64 << 30, "g"), (1 << 20, "m"), (1 << 10, "k")] {
        if b > 0 && b.is_multiple_of(unit) {
            return format!("{}{s}", b / unit);
        }
    }
    format!("{b}b")
}

/// Rounds up to [`ROUND`].
pub fn round_up(b: u64) -> u64 {
    b.div_ceil(ROUND) * ROUND
}

/// Applies option changes to the base and derives the result with the calculator.
pub fn with_changes(
    base: &Base,
    summary: Text,
    set: &[(&Opt, String)],
) -> Result<Recommendation, AdviceError> {
    let mut c = base.config.clone();
    let mut changes: Vec<Change> = Vec::new();
    for (opt, v) in set {
        let from = read::raw(&base.config, opt).map(|(_, v)| v.to_owned());
        // A fallback key (e.g. a deprecated one) would keep winning: remove it.
        if let Some((k, _)) = read::raw(&c, opt) {
            if k != opt.key {
                c.remove(k);
            }
        }
        c.set(opt.key, v);
        if from.as_deref() != Some(v.as_str()) {
            changes.retain(|ch| ch.key != opt.key);
            changes.push(Change { key: opt.key.to_owned(), from, to: v.clone() });
        }
    }
    let after = taskmanager::derive(&c).map_err(AdviceError::Rejected)?;
    let process_delta = after.total_process() as i64 - base.memory.total_process() as i64;
    Ok(Recommendation { summary, changes, before: base.memory.clone(), after, process_delta })
}

/// Applies the changes of several recommendations in order (a later one wins on the same
/// key) and derives the result: what a user gets by applying all of them.
pub fn combine(base: &Base, summary: Text, recs: &[&Recommendation]) -> Result<Recommendation, AdviceError> {
    let mut set: Vec<(&Opt, String)> = Vec::new();
    for c in recs.iter().flat_map(|r| &r.changes) {
        let Some(opt) = o::ALL.iter().find(|opt| opt.key == c.key) else {
            return Err(AdviceError::NotAnOption(c.key.clone()));
        };
        set.retain(|(x, _)| x.key != opt.key);
        set.push((opt, c.to.clone()));
    }
    with_changes(base, summary, &set)
}

/// The TaskManager memory options of the base with the recommendations applied, as a
/// `config.yaml` fragment to merge into the cluster's.
pub fn config_yaml(base: &Base, recs: &[&Recommendation]) -> String {
    let mut c = FlinkConfig::new();
    for (k, v) in base.config.entries() {
        c.set(k, v);
    }
    for ch in recs.iter().flat_map(|r| &r.changes) {
        c.set(&ch.key, &ch.to);
    }
    let header = if base.from_cluster {
        "# TaskManager memory options for config.yaml (memlab: the cluster's own options with the changes applied)\n"
    } else {
        "# TaskManager memory options for config.yaml (memlab: rebuilt from the sizes the TaskManager reported)\n"
    };
    format!("{header}{}", c.to_yaml())
}

/// Gives `add` bytes to `to`: first from the donors (exactly the bytes listed), the rest by
/// growing the process. The result's `to` component grows by at least `add`.
pub fn plan(
    base: &Base,
    summary: Text,
    to: Component,
    add: u64,
    donors: &[(Component, u64)],
) -> Result<Recommendation, AdviceError> {
    let m = &base.memory;
    let mut set: Vec<(&Opt, String)> = Vec::new();
    let mut given = 0;
    for &(d, bytes) in donors {
        let bytes = bytes.min(add.saturating_sub(given));
        if bytes == 0 {
            continue;
        }
        // Whole MiB left (the donor gives a little more), so the option reads well.
        let left_bytes = (d.bytes(m) - bytes) >> 20 << 20;
        given += d.bytes(m) - left_bytes;
        let left = size_value(left_bytes);
        match d {
            Component::Managed => set.push((&o::MANAGED_SIZE, left)),
            Component::Network => {
                set.push((&o::NETWORK_MIN, left.clone()));
                set.push((&o::NETWORK_MAX, left));
            }
            _ => return Err(AdviceError::NotADonor(d.label())),
        }
    }
    let new = size_value(to.bytes(m) + add);
    match to {
        // Derived from the total when not set: it takes what the others leave.
        Component::TaskHeap if !read::contains(&base.config, &o::TASK_HEAP) => {}
        Component::TaskHeap => set.push((&o::TASK_HEAP, new)),
        Component::TaskOffHeap => set.push((&o::TASK_OFF_HEAP, new)),
        Component::Managed => set.push((&o::MANAGED_SIZE, new)),
        Component::Network => {
            set.push((&o::NETWORK_MIN, new.clone()));
            set.push((&o::NETWORK_MAX, new));
        }
        Component::Metaspace => set.push((&o::METASPACE, new)),
        Component::Overhead => {
            set.push((&o::OVERHEAD_MIN, new.clone()));
            set.push((&o::OVERHEAD_MAX, new));
        }
    }
    // The rest grows the process (or Flink memory), when one of them is what is configured.
    let inside_flink = !matches!(to, Component::Metaspace | Component::Overhead);
    let total = if read::contains(&base.config, &o::TOTAL_PROCESS) {
        Some((&o::TOTAL_PROCESS, m.total_process()))
    } else if read::contains(&base.config, &o::TOTAL_FLINK) && inside_flink {
        Some((&o::TOTAL_FLINK, m.total_flink()))
    } else {
        None
    };
    let donor_list: Vec<Component> = donors.iter().map(|d| d.0).collect();
    // Good when `to` gained `add` and no other component (except the donors) shrank.
    let good = |r: &Recommendation| {
        to.bytes(&r.after) >= to.bytes(m) + add
            && [
                Component::TaskHeap,
                Component::TaskOffHeap,
                Component::Managed,
                Component::Network,
                Component::Metaspace,
                Component::Overhead,
            ]
            .iter()
            .filter(|c| **c != to && !donor_list.contains(c))
            .all(|c| c.bytes(&r.after) >= c.bytes(m))
    };
    let rec = match total.filter(|_| given < add) {
        None => with_changes(base, summary, &set)?,
        Some((opt, size)) => {
            // Fractions (managed, network, overhead) grow with the total: grow it until `to`
            // has gained `add` and nothing else shrank, in whole 16 MiB steps.
            let mut grow = add - given;
            let mut last = Err(AdviceError::ShortOf(to.label()));
            for _ in 0..24 {
                let mut s = set.clone();
                s.push((opt, size_value(round_up(size + grow))));
                last = with_changes(base, summary.clone(), &s);
                match &last {
                    Ok(r) if good(r) => break,
                    _ => grow += ROUND,
                }
            }
            last?
        }
    };
    if to.bytes(&rec.after) < to.bytes(m) + add {
        return Err(AdviceError::ShortOf(to.label()));
    }
    Ok(rec)
}

/// A JobManager change, derived by the calculator like a TaskManager one. The JobManager has
/// no idle pool to take bytes from: its fixes grow the process.
#[derive(Clone, Debug, PartialEq)]
pub struct JmRecommendation {
    pub summary: Text,
    pub changes: Vec<Change>,
    pub before: crate::jobmanager::JobManagerMemory,
    pub after: crate::jobmanager::JobManagerMemory,
    pub process_delta: i64,
}

impl JmRecommendation {
    pub fn diff(&self) -> String {
        Recommendation::diff_of(&self.changes)
    }

    /// The parts whose size changes: (name, before, after).
    pub fn moved(&self) -> Vec<(&'static str, u64, u64)> {
        let parts = |m: &crate::jobmanager::JobManagerMemory| {
            [
                ("JVM heap", m.jvm_heap.bytes),
                ("Off-heap", m.off_heap.bytes),
                ("JVM metaspace", m.jvm_metaspace.bytes),
                ("JVM overhead", m.jvm_overhead.bytes),
                ("Total Flink memory", m.total_flink()),
                ("Total process memory", m.total_process()),
            ]
        };
        changed(&parts(&self.before), &parts(&self.after))
    }
}

/// Which JobManager part a change grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JmPart {
    Heap,
    Metaspace,
}

/// Grows a JobManager part by at least `add` bytes (the process grows with it), from the
/// cluster's `jobmanager.memory.*` options.
pub fn jm_plan(
    cluster: &FlinkConfig,
    summary: Text,
    part: JmPart,
    add: u64,
) -> Result<JmRecommendation, AdviceError> {
    use crate::jobmanager;
    use crate::options::jm;
    let mut base = FlinkConfig::new();
    for (k, v) in cluster.entries().filter(|(k, _)| k.starts_with("jobmanager.memory.")) {
        base.set(k, v);
    }
    let before = jobmanager::derive(&base).map_err(AdviceError::JobManagerBase)?;
    let mut set: Vec<(&Opt, u64)> = match part {
        JmPart::Heap => vec![(&jm::HEAP, before.jvm_heap.bytes + add)],
        JmPart::Metaspace => vec![(&jm::METASPACE, before.jvm_metaspace.bytes + add)],
    };
    // The total that is configured grows by the same bytes.
    if read::contains(&base, &jm::TOTAL_PROCESS) {
        set.push((&jm::TOTAL_PROCESS, before.total_process() + add));
    } else if read::contains(&base, &jm::TOTAL_FLINK) && part == JmPart::Heap {
        set.push((&jm::TOTAL_FLINK, before.total_flink() + add));
    }
    let mut c = base.clone();
    let mut changes = Vec::new();
    for (opt, bytes) in set {
        let to = size_value(bytes);
        changes.push(Change {
            key: opt.key.to_owned(),
            from: read::raw(&base, opt).map(|(_, v)| v.to_owned()),
            to: to.clone(),
        });
        c.set(opt.key, &to);
    }
    let after = jobmanager::derive(&c).map_err(AdviceError::Rejected)?;
    let process_delta = after.total_process() as i64 - before.total_process() as i64;
    Ok(JmRecommendation { summary, changes, before, after, process_delta })
}
