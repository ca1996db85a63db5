//! One right-sized TaskManager configuration from what the cluster used: every component
//! sized from its evidence ([`crate::diagnose::Usage`]), the whole derived by memlab's
//! calculator (so it is valid for Flink), with each number's reason, and beside it what the
//! Flink Kubernetes Operator's memory tuning would set on the same data ([`operator`]).
//!
//! Where memlab differs from the operator, on purpose:
//! - the heap is sized from the live set (the lowest heap after collections, per window),
//!   not from heap *used* (which counts garbage); the headroom grows when the data says
//!   collections would take too much time with less free heap;
//! - network memory is never below the observed peak, and without a job graph it comes
//!   from that peak with a margin;
//! - JVM overhead is sized from the native-memory estimate, not kept as it was;
//! - by default the process keeps its size and the freed bytes go where they help (managed
//!   memory when RocksDB or batch use it, else the heap); `shrink` gives the smallest fit;
//! - a pool a finding implicates (a leak, an OOM forecast, a post-mortem failure) is never
//!   shrunk, and too little data gives no configuration at all.

pub mod operator;
pub mod render;
pub mod words;

use crate::config::FlinkConfig;
use crate::diagnose::recommend::{self, round_up, size_value, Base, Change};
use crate::diagnose::thresholds as th;
use crate::diagnose::{Cause, Kind, Report, Usage};
use crate::jobgraph::JobGraph;
use crate::options::tm as o;
use crate::recording::Snapshot;
use crate::rest::MemoryConfiguration;
use crate::taskmanager::{self, TaskManagerMemory};
pub use words::Reason;

/// The GC time memlab plans for (ms per second): half the `gc-pressure` threshold.
pub const GC_TARGET_MS_PER_S: f64 = th::GC_WARNING_MS_PER_S / 2.0;
/// Network memory from the observed peak alone (no job graph) gets this margin.
pub const NETWORK_PEAK_MARGIN: f64 = 0.5;
/// JVM overhead is never tuned below Flink's default minimum (192 MiB).
pub const OVERHEAD_FLOOR: u64 = 192 << 20;
/// The JVM heap is never tuned below the framework heap plus this.
pub const HEAP_FLOOR: u64 = 64 << 20;

/// What the user asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Room above the live set and the metaspace peak (0.2: 20 %).
    pub headroom: f64,
    /// The smallest process that fits, instead of today's size.
    pub shrink: bool,
    /// The container's memory limit: the process stays within it.
    pub container_limit: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options { headroom: 0.2, shrink: false, container_limit: None }
    }
}

/// A component of TaskManager memory tuning sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    Heap,
    Managed,
    Network,
    Metaspace,
    Overhead,
}

/// One component: its size before and after, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Sized {
    pub part: Part,
    pub before: u64,
    pub after: u64,
    pub reason: Reason,
}

/// What the group used: the highest over its TaskManagers (the operator's means aside).
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub live_set: Option<f64>,
    pub heap_mean: Option<f64>,
    pub gc_median_ms_per_s: Option<f64>,
    pub metaspace_peak: Option<f64>,
    pub managed_peak: Option<f64>,
    pub network_peak_bytes: Option<u64>,
    pub native_peak: Option<f64>,
    /// Seconds of readings while a job ran (the shortest of the group's).
    pub running_s: f64,
}

/// The configuration for one group of TaskManagers of the same size.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// E.g. `1.7 GiB TaskManagers`.
    pub name: String,
    pub members: Vec<String>,
    pub base: Base,
    /// The TaskManager memory options after tuning (only those: paste them over yours).
    pub config: FlinkConfig,
    pub changes: Vec<Change>,
    /// Options to remove if set: they would conflict with the tuned ones.
    pub removals: Vec<String>,
    pub after: TaskManagerMemory,
    pub parts: Vec<Sized>,
    /// What else the reader must know (a pool held, network without a graph, …).
    pub notes: Vec<Reason>,
    /// The operator's choice on the same data, derived by the calculator.
    pub operator: Result<(operator::ConfigChanges, TaskManagerMemory), Reason>,
    /// The operator's network memory comes from a job graph (else memlab's figure stands in).
    pub operator_graph: bool,
    pub evidence: Evidence,
}

impl Group {
    /// Bytes each TaskManager saves (negative: it grows).
    pub fn saved(&self) -> i64 {
        self.base.memory.total_process() as i64 - self.after.total_process() as i64
    }

    /// The same for the whole group.
    pub fn saved_total(&self) -> i64 {
        self.saved() * self.members.len() as i64
    }

    /// The tuned options as `config.yaml` lines, removals as comments.
    pub fn config_yaml(&self) -> String {
        let mut out = String::new();
        for (k, v) in self.config.entries() {
            out.push_str(&format!("{k}: {v}\n"));
        }
        for k in &self.removals {
            out.push_str(&format!("# remove: {k}\n"));
        }
        out
    }

    /// The tuned options as `-D` flags (for `taskmanager.sh start` or `flink run-application`).
    pub fn dynamic(&self) -> String {
        self.config.entries().map(|(k, v)| format!("-D{k}={v}")).collect::<Vec<_>>().join(" ")
    }

    /// A FlinkDeployment patch: the process size as `spec.taskManager.resource.memory`, the
    /// rest in `spec.flinkConfiguration`.
    pub fn k8s(&self) -> String {
        let mut out = String::from("spec:\n  taskManager:\n    resource:\n");
        out.push_str(&format!("      memory: \"{}\"\n", size_value(self.after.total_process())));
        out.push_str("  flinkConfiguration:\n");
        for (k, v) in self.config.entries().filter(|(k, _)| *k != o::TOTAL_PROCESS.key) {
            out.push_str(&format!("    {k}: \"{v}\"\n"));
        }
        for k in &self.removals {
            out.push_str(&format!("    # remove: {k}\n"));
        }
        out
    }
}

/// The tuning of a cluster: one configuration per group, or why there is none.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuning {
    pub groups: Vec<Group>,
    /// Why no configuration could be given (too little data, no sizes).
    pub refused: Option<Reason>,
    /// The JobManager's changes its findings call for (from the diagnosis).
    pub jobmanager: Vec<recommend::JmRecommendation>,
    /// The running jobs whose graph sized network memory.
    pub graphs: usize,
}

impl Tuning {
    pub fn saved_total(&self) -> i64 {
        self.groups.iter().map(Group::saved_total).sum()
    }
}

/// The running jobs' graphs in the newest snapshot that has any.
pub fn graphs(snapshots: &[Snapshot]) -> Vec<std::sync::Arc<JobGraph>> {
    for s in snapshots.iter().rev() {
        let running: Vec<_> = s
            .job_details
            .values()
            .filter(|d| d.state == "RUNNING" || s.jobs.iter().any(|j| j.jid == d.jid && j.state == "RUNNING"))
            .filter_map(|d| d.graph.clone())
            .collect();
        if !running.is_empty() {
            return running;
        }
    }
    Vec::new()
}

/// Tunes every group of TaskManagers from the snapshots and their diagnosis.
pub fn tune(snapshots: &[Snapshot], report: &Report, opts: &Options) -> Tuning {
    tune_with(snapshots, &crate::diagnose::usage(snapshots), report, opts)
}

/// The same with each process's use already read (a live session's
/// [`crate::diagnose::Diagnoser::usage`] keeps it up to date poll by poll).
pub fn tune_with(snapshots: &[Snapshot], usage: &[Usage], report: &Report, opts: &Options) -> Tuning {
    let graphs = graphs(snapshots);
    let cluster = snapshots.iter().rev().find_map(|s| s.jobmanager_config.as_ref());
    let mut jobmanager: Vec<recommend::JmRecommendation> = Vec::new();
    for r in
        report.findings.iter().filter(|f| f.subject == "jobmanager").filter_map(|f| f.jm_recommendation())
    {
        if !jobmanager.iter().any(|j| j.diff() == r.diff()) {
            jobmanager.push(r.clone());
        }
    }
    let mut tuning = Tuning { groups: Vec::new(), refused: None, jobmanager, graphs: graphs.len() };
    let tms: Vec<&Usage> = usage.iter().filter(|u| u.subject != "jobmanager").collect();
    if tms.is_empty() {
        tuning.refused = Some(Reason::NoTaskManagers);
        return tuning;
    }
    // Enough data: the detectors' span while a job ran, and post-GC windows for the live
    // set — of the TaskManagers the cluster still has (one lost mid-way has less, but its
    // readings and findings still count for its group).
    let now: Vec<&str> = snapshots
        .iter()
        .rev()
        .find(|s| !s.taskmanagers.is_empty())
        .map(|s| s.taskmanagers.iter().map(|t| t.id.as_str()).collect())
        .unwrap_or_default();
    let alive: Vec<&&Usage> = tms.iter().filter(|u| now.contains(&u.subject.as_str())).collect();
    let judged: Vec<&Usage> =
        if alive.is_empty() { tms.clone() } else { alive.into_iter().copied().collect() };
    let have = judged.iter().map(|u| u.running_span_s).fold(f64::INFINITY, f64::min);
    if have < th::MIN_SPAN_S {
        tuning.refused = Some(Reason::NeedMoreData { have_s: have, need_s: th::MIN_SPAN_S });
        return tuning;
    }
    let windows = judged.iter().map(|u| u.post_gc_windows).min().unwrap_or(0);
    if windows < th::MIN_WINDOWS {
        tuning.refused = Some(Reason::NeedPostGc { windows, need: th::MIN_WINDOWS });
        return tuning;
    }
    // Groups: TaskManagers of the same sizes, smallest process first.
    let mut groups: Vec<(MemoryConfiguration, Vec<&Usage>)> = Vec::new();
    for u in &tms {
        match u.memory {
            Some(m) => match groups.iter_mut().find(|(g, _)| *g == m) {
                Some((_, members)) => members.push(u),
                None => groups.push((m, vec![u])),
            },
            None if u.step_s > 0.0 => {
                tuning.refused = Some(Reason::NoSizesFromPrometheus);
                return tuning;
            }
            None => {
                tuning.refused = Some(Reason::NoSizes { taskmanager: u.subject.clone() });
                return tuning;
            }
        }
    }
    groups.sort_by_key(|(m, _)| m.total_process_memory);
    let many = groups.len() > 1;
    // A TaskManager's slots, as the newest snapshot that lists it says.
    let slots = |id: &str| {
        snapshots.iter().rev().find_map(|s| s.taskmanagers.iter().find(|t| t.id == id)).map_or(1, |t| t.slots)
    };
    for (mem, members) in &groups {
        let Some(base) = recommend::base(cluster, mem) else {
            tuning.refused = Some(Reason::NotReproduced { taskmanager: members[0].subject.clone() });
            return tuning;
        };
        match group(members, base, slots(&members[0].subject), &graphs, report, opts, many) {
            Ok(g) => tuning.groups.push(g),
            Err(r) => {
                tuning.refused = Some(r);
                return tuning;
            }
        }
    }
    tuning
}

/// The highest of a figure over the members.
fn most(members: &[&Usage], f: impl Fn(&Usage) -> Option<f64>) -> Option<f64> {
    members.iter().filter_map(|u| f(u)).reduce(f64::max)
}

fn mean_of(members: &[&Usage], f: impl Fn(&Usage) -> Option<f64>) -> Option<f64> {
    let v: Vec<f64> = members.iter().filter_map(|u| f(u)).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Which pools a group's findings forbid shrinking, and which need more.
#[derive(Default)]
struct Holds {
    heap: Option<Reason>,
    heap_grow: bool,
    metaspace: Option<Reason>,
    network: Option<Reason>,
    overhead: Option<Reason>,
}

fn holds(report: &Report, members: &[&Usage]) -> Holds {
    let mut h = Holds::default();
    let ids: Vec<&str> = members.iter().map(|u| u.subject.as_str()).collect();
    for f in report.findings.iter().filter(|f| ids.contains(&f.subject.as_str())) {
        let metric = f.evidence.metric.as_str();
        let who = f.subject.clone();
        match f.kind {
            Kind::HeapLeak => h.heap = Some(Reason::HeldLeak { taskmanager: who }),
            Kind::OomRisk if metric == crate::metrics::METASPACE_USED => {
                h.metaspace = Some(Reason::HeldForecast { taskmanager: who, part: Part::Metaspace })
            }
            // Direct memory is framework and task off-heap plus network: of those, tuning sizes network.
            Kind::OomRisk if metric == crate::metrics::DIRECT_USED => {
                h.network = Some(Reason::HeldForecast { taskmanager: who, part: Part::Network })
            }
            Kind::OomRisk => {
                h.heap.get_or_insert(Reason::HeldForecast { taskmanager: who, part: Part::Heap });
            }
            Kind::MetaspaceGrowth => h.metaspace = Some(Reason::HeldGrowth { taskmanager: who }),
            Kind::GcPressure => h.heap_grow = true,
            Kind::TaskManagerLost | Kind::JobFailed | Kind::JobRestarts => {
                let Some(pm) = &f.postmortem else { continue };
                let held = Reason::HeldFailure { taskmanager: who, cause: pm.cause };
                match pm.cause {
                    Cause::HeapSpace => h.heap = Some(held),
                    Cause::Metaspace => h.metaspace = Some(held),
                    Cause::DirectBuffer | Cause::NetworkBuffers | Cause::NetworkSegments => {
                        h.network = Some(held)
                    }
                    Cause::KilledFromOutside => h.overhead = Some(held),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    h
}

fn group(
    members: &[&Usage],
    base: Base,
    slots: u32,
    graphs: &[std::sync::Arc<JobGraph>],
    report: &Report,
    opts: &Options,
    named_by_size: bool,
) -> Result<Group, Reason> {
    let m = &base.memory;
    let holds = holds(report, members);
    let mut notes: Vec<Reason> = Vec::new();
    let fh = m.framework_heap.bytes;
    let heap_now = m.jvm_heap();
    let mut parts: Vec<Sized> = Vec::new();

    // Heap: the live set with headroom; more headroom when collections would take too
    // long with less free heap (young collections run as often as the free heap fills:
    // their time per second scales with 1 / free heap).
    let live = most(members, |u| u.live_set).unwrap_or(heap_now as f64);
    let gc = most(members, |u| u.gc_median_ms).unwrap_or(0.0);
    let limit = most(members, |u| u.heap_limit).unwrap_or(heap_now as f64);
    let free_now = (limit - live).max(0.0);
    let gc_headroom = if gc > 0.0 && live > 0.0 { gc * free_now / (GC_TARGET_MS_PER_S * live) } else { 0.0 };
    let headroom = opts.headroom.max(gc_headroom);
    let mut heap = round_up((live * (1.0 + headroom)) as u64).max(fh + HEAP_FLOOR);
    let mut heap_reason = if gc_headroom > opts.headroom {
        Reason::HeapFromLiveSetGc { live, headroom, gc_ms: gc, target_ms: GC_TARGET_MS_PER_S }
    } else {
        Reason::HeapFromLiveSet { live, headroom }
    };
    if holds.heap_grow {
        let grown = round_up((heap_now as f64 * (1.0 + th::GC_HEAP_GROWTH)) as u64);
        if grown > heap {
            heap = grown;
            heap_reason = Reason::HeapGcPressure { gc_ms: gc, grow: th::GC_HEAP_GROWTH };
        }
    }
    if let Some(why) = holds.heap.clone() {
        hold(&mut heap, heap_now, &mut heap_reason, why, &mut notes);
    }
    parts.push(Sized { part: Part::Heap, before: heap_now, after: heap, reason: heap_reason });

    // Metaspace: its peak (used or committed) with headroom.
    let meta_now = m.jvm_metaspace.bytes;
    let meta_peak = most(members, |u| u.metaspace_peak);
    let (mut meta, mut meta_reason) = match meta_peak {
        Some(p) => (
            round_up((p * (1.0 + opts.headroom)) as u64),
            Reason::MetaspaceFromPeak { peak: p, headroom: opts.headroom },
        ),
        None => (meta_now, Reason::KeptNoReadings),
    };
    if let Some(why) = holds.metaspace.clone() {
        hold(&mut meta, meta_now, &mut meta_reason, why, &mut notes);
    }
    parts.push(Sized { part: Part::Metaspace, before: meta_now, after: meta, reason: meta_reason });

    // Managed: opaque to metrics (RocksDB and batch reserve what they get), kept when used,
    // released when jobs never touched it.
    let managed_now = m.managed.bytes;
    let managed_peak = most(members, |u| u.managed_peak);
    let managed_used = managed_peak.is_some_and(|p| p > 0.0);
    let (managed, managed_reason) = match managed_peak {
        _ if managed_now == 0 => (0, Reason::ManagedNone),
        // Kept, to a whole MiB (a fraction's bytes are not a size anyone would write).
        Some(p) if p > 0.0 => (managed_now.div_ceil(1 << 20) << 20, Reason::ManagedKept { peak: p }),
        Some(_) => (
            0,
            Reason::ManagedReleased {
                over_s: members.iter().map(|u| u.running_span_s).fold(f64::INFINITY, f64::min),
            },
        ),
        None => (managed_now.div_ceil(1 << 20) << 20, Reason::KeptNoReadings),
    };
    parts.push(Sized { part: Part::Managed, before: managed_now, after: managed, reason: managed_reason });

    // Network: from the job graph as the operator counts it, never below the observed peak.
    let net_now = m.network.bytes;
    let segment = match (members[0].memory, most(members, |u| u.network_total_segments)) {
        (Some(mc), Some(t)) if t > 0.0 => (mc.network_memory as f64 / t).round() as u64,
        _ => crate::read::memory(&base.config, &o::SEGMENT_SIZE).map_or(32 << 10, |s| s.bytes()),
    }
    .max(1);
    let peak_bytes = most(members, |u| u.network_peak_segments).map(|p| (p * segment as f64) as u64);
    let mut cfg = base.config.clone();
    if cfg.get(o::SLOTS.key).is_none() {
        cfg.set(o::SLOTS.key, &slots.max(1).to_string());
    }
    let slots = operator::slots(&cfg);
    let from_graph = graphs.iter().filter_map(|g| operator::network_bytes(&cfg, g).ok()).max();
    let to_mib = |b: u64| b.div_ceil(1 << 20) << 20;
    let (mut network, network_reason) = match (from_graph, peak_bytes) {
        (Some(g), p) if g >= p.unwrap_or(0) => (
            to_mib(g),
            Reason::NetworkFromGraph { bytes: g, jobs: graphs.len(), slots, peak: p.unwrap_or(0) },
        ),
        (Some(g), Some(p)) => (to_mib(p), Reason::NetworkPeakOverGraph { graph: g, peak: p }),
        (None, Some(p)) => {
            // The buffers in use say little about those a job requests when it deploys (a
            // job that used 10 failed with 32): hence a floor as well as the margin.
            notes.push(Reason::NoGraph);
            let b = to_mib((p as f64 * (1.0 + NETWORK_PEAK_MARGIN)) as u64).max(th::NETWORK_FLOOR);
            (b, Reason::NetworkFromPeak { peak: p, margin: NETWORK_PEAK_MARGIN, floor: th::NETWORK_FLOOR })
        }
        (_, None) => (net_now, Reason::KeptNoReadings),
    };
    network = network.max(segment);
    let mut network_reason = network_reason;
    if let Some(why) = holds.network.clone() {
        hold(&mut network, net_now, &mut network_reason, why, &mut notes);
    }
    parts.push(Sized { part: Part::Network, before: net_now, after: network, reason: network_reason });

    // JVM overhead: the native memory it covers, below the share the detector warns at.
    let over_now = m.jvm_overhead.bytes;
    let native = most(members, |u| u.native_peak);
    let (mut overhead, mut over_reason) = match native {
        Some(n) => {
            let need = round_up((n * (1.0 + opts.headroom) / th::OVERHEAD_FILL) as u64).max(OVERHEAD_FLOOR);
            (need, Reason::OverheadFromNative { native: n, fill: th::OVERHEAD_FILL })
        }
        None => (over_now, Reason::KeptNoReadings),
    };
    if let Some(why) = holds.overhead.clone() {
        hold(&mut overhead, over_now, &mut over_reason, why, &mut notes);
    }
    parts.push(Sized { part: Part::Overhead, before: over_now, after: overhead, reason: over_reason });

    // The process: what the parts need, or today's size with the rest where it helps.
    let fixed = m.framework_off_heap.bytes + m.task_off_heap.bytes;
    let need = fixed + heap + managed + network + meta + overhead;
    let today = m.total_process();
    let mut process = if opts.shrink { need.div_ceil(1 << 20) << 20 } else { need.max(today) };
    if let Some(limit) = opts.container_limit {
        if need > limit {
            return Err(Reason::OverContainer { need, limit });
        }
        process = process.min(limit);
    }
    let spare = process - need;
    let (mut heap, mut managed) = (heap, managed);
    if spare > 0 {
        if managed_used {
            managed += spare;
            notes.push(Reason::SpareToManaged { bytes: spare });
            parts.iter_mut().filter(|p| p.part == Part::Managed).for_each(|p| p.after = managed);
        } else if holds.heap.is_some() {
            // More heap would only put off what a leak or a failure will do anyway.
            process = need;
            notes.push(Reason::SpareReturned { bytes: spare });
        } else {
            heap += spare;
            notes.push(Reason::SpareToHeap { bytes: spare });
            parts.iter_mut().filter(|p| p.part == Part::Heap).for_each(|p| p.after = heap);
        }
    } else if need > today {
        notes.push(Reason::Grows { bytes: need - today });
    }

    // The options: fine-grained sizes that add up to the process exactly.
    let mut config = FlinkConfig::new();
    let set = |c: &mut FlinkConfig, key: &str, b: u64| c.set(key, &size_value(b));
    set(&mut config, o::TOTAL_PROCESS.key, process);
    set(&mut config, o::TASK_HEAP.key, heap - fh);
    set(&mut config, o::MANAGED_SIZE.key, managed);
    set(&mut config, o::NETWORK_MIN.key, network);
    set(&mut config, o::NETWORK_MAX.key, network);
    set(&mut config, o::METASPACE.key, meta);
    set(&mut config, o::OVERHEAD_MIN.key, overhead);
    set(&mut config, o::OVERHEAD_MAX.key, overhead);
    for opt in [&o::FRAMEWORK_HEAP, &o::FRAMEWORK_OFF_HEAP, &o::TASK_OFF_HEAP, &o::SEGMENT_SIZE, &o::SLOTS] {
        if let Some(v) = base.config.get(opt.key) {
            config.set(opt.key, v);
        }
    }
    let mut full = base.config.clone();
    let mut removals: Vec<String> = vec![o::TOTAL_FLINK.key.to_owned()];
    for opt in [&o::MANAGED_FRACTION, &o::NETWORK_FRACTION, &o::OVERHEAD_FRACTION] {
        if base.config.get(opt.key).is_some() {
            removals.push(opt.key.to_owned());
        }
    }
    for opt in o::ALL {
        for fb in opt.fallbacks {
            if base.config.get(fb).is_some() {
                removals.push((*fb).to_owned());
            }
        }
    }
    for k in &removals {
        full.remove(k);
    }
    for (k, v) in config.entries() {
        full.set(k, v);
    }
    let after = taskmanager::derive(&full).map_err(|e| Reason::Rejected { error: e.to_string() })?;
    // The calculator must give each part what was planned.
    let got = [
        after.jvm_heap(),
        after.managed.bytes,
        after.network.bytes,
        after.jvm_metaspace.bytes,
        after.jvm_overhead.bytes,
    ];
    if got != [heap, managed, network, meta, overhead] || after.total_process() != process {
        return Err(Reason::Rejected {
            error: format!("the calculator derived {got:?}, not the planned sizes"),
        });
    }
    let changes: Vec<Change> = config
        .entries()
        .filter(|(k, v)| base.config.get(k) != Some(*v))
        .map(|(k, v)| Change {
            key: k.to_owned(),
            from: base.config.get(k).map(str::to_owned),
            to: v.to_owned(),
        })
        .collect();
    let removals: Vec<String> =
        removals.into_iter().filter(|k| base.config.get(k).is_some() || k == o::TOTAL_FLINK.key).collect();

    // The operator on the same data.
    let operator = operator_choice(members, &cfg, today, graphs, network);

    let name = if named_by_size {
        format!("{} TaskManagers", memlab_size::human(today))
    } else {
        "TaskManagers".to_owned()
    };
    Ok(Group {
        name,
        members: members.iter().map(|u| u.subject.clone()).collect(),
        base,
        config,
        changes,
        removals,
        after,
        parts,
        notes,
        operator,
        operator_graph: !graphs.is_empty(),
        evidence: Evidence {
            live_set: most(members, |u| u.live_set),
            heap_mean: mean_of(members, |u| u.heap_mean),
            gc_median_ms_per_s: most(members, |u| u.gc_median_ms),
            metaspace_peak: meta_peak,
            managed_peak,
            network_peak_bytes: peak_bytes,
            native_peak: native,
            running_s: members.iter().map(|u| u.running_span_s).fold(f64::INFINITY, f64::min),
        },
    })
}

/// A pool a finding implicates is never shrunk: below today's size it stays there, and the
/// finding is its reason; above it, the finding is a note.
fn hold(size: &mut u64, now: u64, reason: &mut Reason, why: Reason, notes: &mut Vec<Reason>) {
    if *size <= now {
        *size = now;
        *reason = why;
    } else {
        notes.push(why);
    }
}

/// What the operator's memory tuning would set: its inputs are the averages over all the
/// group's TaskManagers; without a job graph it cannot size network memory, so memlab's
/// figure stands in (and the comparison says so).
fn operator_choice(
    members: &[&Usage],
    cfg: &FlinkConfig,
    process: u64,
    graphs: &[std::sync::Arc<JobGraph>],
    memlab_network: u64,
) -> Result<(operator::ConfigChanges, TaskManagerMemory), Reason> {
    let mut spec = cfg.clone();
    if spec.get(o::TOTAL_PROCESS.key).is_none()
        && spec.get(o::TOTAL_FLINK.key).is_none()
        && spec.get(o::TASK_HEAP.key).is_none()
    {
        spec.set(o::TOTAL_PROCESS.key, &size_value(process));
    }
    let graph = graphs.iter().max_by_key(|g| operator::network_bytes(cfg, g).unwrap_or(0));
    let empty = JobGraph::default();
    let input = operator::Input {
        config: &spec,
        process_size: process,
        heap_used: mean_of(members, |u| u.heap_mean).unwrap_or(0.0),
        managed_used: mean_of(members, |u| u.managed_mean).unwrap_or(0.0),
        metaspace_used: mean_of(members, |u| u.metaspace_mean).unwrap_or(0.0),
        graph: graph.map_or(&empty, |g| &**g),
        network: graph.is_none().then_some(memlab_network),
        overhead: operator::DEFAULT_OVERHEAD,
        maximize_managed: false,
        scaling: None,
    };
    let changes = operator::tune(&input).map_err(|e| Reason::OperatorSkipped { why: e.to_string() })?;
    let derived = taskmanager::derive(&changes.apply(&spec))
        .map_err(|e| Reason::OperatorInvalid { error: e.to_string() })?;
    Ok((changes, derived))
}
