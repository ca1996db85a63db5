//! Diagnosis: what is wrong with a cluster's memory, found in live or recorded snapshots,
//! and what to change in `config.yaml` (verified by the calculator). Pure Rust: the app's
//! Diagnosis page and `memlab diagnose` show the same [`Report`].
//!
//! Each detector works on one process (a TaskManager or the JobManager), needs a minimum
//! span of data ([`thresholds::MIN_SPAN_S`]) and otherwise says "not enough data yet"
//! instead of guessing. Every threshold is a named constant in [`thresholds`].

pub mod alerts;
mod detect;
pub mod postmortem;
pub mod recommend;
pub mod stats;
pub mod thresholds;
pub mod words;

use serde::Serialize;

use crate::recording::Snapshot;
pub use postmortem::{Basis, Cause, JobRef, Moment, PostMortem};
pub use recommend::{AdviceError, Change, Component, Recommendation};
use stats::{Point, Trend};
pub use words::Text;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// What was found. The kebab-case names are stable (`--json`, alert rules, tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A registered TaskManager disappeared (post-mortem).
    #[serde(rename = "taskmanager-lost")]
    TaskManagerLost,
    /// A job went FAILED (post-mortem).
    JobFailed,
    /// A job restarted: its `numRestarts` rose (post-mortem).
    JobRestarts,
    HeapLeak,
    MetaspaceGrowth,
    OomRisk,
    GcPressure,
    NetworkExhausted,
    NetworkIdle,
    ManagedIdle,
    ManagedFull,
    OverheadSmall,
    ContainerHeadroom,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::TaskManagerLost,
        Kind::JobFailed,
        Kind::JobRestarts,
        Kind::HeapLeak,
        Kind::MetaspaceGrowth,
        Kind::OomRisk,
        Kind::GcPressure,
        Kind::NetworkExhausted,
        Kind::NetworkIdle,
        Kind::ManagedIdle,
        Kind::ManagedFull,
        Kind::OverheadSmall,
        Kind::ContainerHeadroom,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Kind::TaskManagerLost => "taskmanager-lost",
            Kind::JobFailed => "job-failed",
            Kind::JobRestarts => "job-restarts",
            Kind::HeapLeak => "heap-leak",
            Kind::MetaspaceGrowth => "metaspace-growth",
            Kind::OomRisk => "oom-risk",
            Kind::GcPressure => "gc-pressure",
            Kind::NetworkExhausted => "network-exhausted",
            Kind::NetworkIdle => "network-idle",
            Kind::ManagedIdle => "managed-idle",
            Kind::ManagedFull => "managed-full",
            Kind::OverheadSmall => "overhead-small",
            Kind::ContainerHeadroom => "container-headroom",
        }
    }

    /// Among findings of the same severity, which to read first (0 first): what will fail
    /// before what wastes memory, a cause (a leak) before its forecast.
    pub fn urgency(self) -> u8 {
        match self {
            Kind::TaskManagerLost => 0,
            Kind::JobFailed => 1,
            Kind::JobRestarts => 2,
            Kind::HeapLeak => 3,
            Kind::OomRisk => 4,
            Kind::MetaspaceGrowth => 5,
            Kind::ContainerHeadroom => 6,
            Kind::GcPressure => 7,
            Kind::NetworkExhausted => 8,
            Kind::OverheadSmall => 9,
            Kind::ManagedFull => 10,
            Kind::ManagedIdle => 11,
            Kind::NetworkIdle => 12,
        }
    }

    /// What failed rather than what might: a lost TaskManager, a failed or restarted job.
    pub fn is_postmortem(self) -> bool {
        matches!(self, Kind::TaskManagerLost | Kind::JobFailed | Kind::JobRestarts)
    }
}

/// The data a finding rests on, enough to draw it: the series, the points the detector
/// used (e.g. window minima), the fitted trend and the limit.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// The metric drawn (a Flink metric id, or a name for a computed series).
    pub metric: String,
    /// Poll indices the evidence spans (inclusive).
    pub from: usize,
    pub to: usize,
    /// Seconds since the first poll.
    pub series: Vec<Point>,
    pub used: Vec<Point>,
    pub trend: Option<Trend>,
    pub limit: Option<f64>,
    /// The numbers behind the verdict.
    pub facts: Vec<Text>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// A TaskManager id, `jobmanager`, or a job id (see [`Report::jobs`]).
    pub subject: String,
    pub headline: Text,
    pub explanation: Text,
    pub evidence: Evidence,
    /// What to change, if anything.
    pub advice: Advice,
    /// For a lost TaskManager or a failed job: the cause and the incident's timeline.
    pub postmortem: Option<Box<PostMortem>>,
}

/// What a finding proposes: one TaskManager change, one JobManager change, or none and why.
#[derive(Clone, Debug, PartialEq)]
pub enum Advice {
    /// A `taskmanager.memory.*` change, derived by the calculator.
    TaskManager(Recommendation),
    /// A `jobmanager.memory.*` change, derived by the JobManager calculator.
    JobManager(recommend::JmRecommendation),
    /// No config change.
    None(NoAdvice),
}

/// Why a finding proposes no config change.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NoAdvice {
    /// Config is not the fix, or there is nothing to change: a leak is fixed in code, full
    /// managed memory is how RocksDB works, …
    #[error("{}", .0.in_lang(memlab_text::Lang::En))]
    Because(Text),
    /// The change memlab would propose is not possible: the calculator refuses it.
    #[error(transparent)]
    Refused(#[from] recommend::AdviceError),
}

impl Finding {
    /// The TaskManager change, if that is the advice.
    pub fn recommendation(&self) -> Option<&Recommendation> {
        match &self.advice {
            Advice::TaskManager(r) => Some(r),
            _ => None,
        }
    }

    /// The JobManager change, if that is the advice.
    pub fn jm_recommendation(&self) -> Option<&recommend::JmRecommendation> {
        match &self.advice {
            Advice::JobManager(r) => Some(r),
            _ => None,
        }
    }

    /// Why there is no change, if there is none.
    pub fn no_recommendation(&self) -> Option<&NoAdvice> {
        match &self.advice {
            Advice::None(why) => Some(why),
            _ => None,
        }
    }
}

/// A detector that could not decide yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub subject: String,
    pub kind: Kind,
    pub message: Text,
}

/// What the diagnosis found, in no language: [`Report::in_lang`] and [`Text::in_lang`]
/// write it in one.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Report {
    /// Most severe first.
    pub findings: Vec<Finding>,
    pub pending: Vec<Pending>,
    /// Every process looked at.
    pub subjects: Vec<String>,
    /// The jobs post-mortem findings are about (subjects that are jobs, not processes).
    pub jobs: Vec<JobRef>,
    pub span_s: f64,
    pub polls: usize,
}

impl Report {
    /// The worst severity for a process (None: nothing found).
    pub fn worst(&self, subject: &str) -> Option<Severity> {
        self.findings.iter().filter(|f| f.subject == subject).map(|f| f.severity).max()
    }

    pub fn count(&self, subject: &str) -> usize {
        self.findings.iter().filter(|f| f.subject == subject).count()
    }

    /// A sort key, most at risk first: worst severity, then most urgent finding.
    pub fn risk(&self, subject: &str) -> (std::cmp::Reverse<Option<Severity>>, u8) {
        let urgency = self.findings.iter().filter(|f| f.subject == subject).map(|f| f.kind.urgency()).min();
        (std::cmp::Reverse(self.worst(subject)), urgency.unwrap_or(u8::MAX))
    }

    /// The job a subject names, if it is a job.
    pub fn job(&self, subject: &str) -> Option<&JobRef> {
        self.jobs.iter().find(|j| j.id == subject)
    }

    /// The post-mortem findings, in report order (most severe first).
    pub fn postmortems(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.kind.is_postmortem())
    }

    /// The processes, most at risk first, then by name.
    pub fn subjects_by_risk(&self) -> Vec<String> {
        let mut out = self.subjects.clone();
        out.sort_by_key(|s| (self.risk(s), s.clone()));
        out
    }
}

/// What the data cannot tell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// The container's memory limit in bytes, when the user knows it.
    pub container_limit: Option<u64>,
}

/// Runs every detector on every process in the snapshots. (A live session adds a poll at
/// a time: [`Diagnoser`] gives the same report without reading the past polls again.)
pub fn diagnose(snapshots: &[Snapshot], opts: &Options) -> Report {
    detect::batch(snapshots, opts)
}

pub use detect::Diagnoser;

/// What one process used over the data (bytes; GC in ms per second): the evidence
/// [`crate::tune`] sizes a configuration from. `None`: no readings of that metric.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Usage {
    /// A TaskManager id, or `jobmanager`.
    pub subject: String,
    /// The sizes the TaskManager reports (none for the JobManager).
    pub memory: Option<crate::rest::MemoryConfiguration>,
    /// Seconds of readings, and of readings while a job ran.
    pub span_s: f64,
    pub running_span_s: f64,
    /// Seconds each reading summarises (a Prometheus step); 0 for polls.
    pub step_s: f64,
    /// Heap used, garbage included: its mean (what the operator's tuning reads).
    pub heap_mean: Option<f64>,
    /// The live set: the highest of the lowest post-GC heap readings per
    /// [`thresholds::ENVELOPE_WINDOW_S`] window (what the heap-leak detector reads).
    pub live_set: Option<f64>,
    pub post_gc_windows: usize,
    /// The JVM's maximum heap.
    pub heap_limit: Option<f64>,
    pub gc_median_ms: Option<f64>,
    pub metaspace_mean: Option<f64>,
    /// The highest of metaspace used and committed.
    pub metaspace_peak: Option<f64>,
    pub metaspace_limit: Option<f64>,
    /// Managed memory while a job ran.
    pub managed_mean: Option<f64>,
    pub managed_peak: Option<f64>,
    /// Network buffers in use while a job ran, and all of them.
    pub network_peak_segments: Option<f64>,
    pub network_total_segments: Option<f64>,
    /// The native memory the JVM overhead must cover (see `overhead-small`).
    pub native_peak: Option<f64>,
}

/// Every process's use over the snapshots (TaskManagers in order of appearance, then the
/// JobManager).
pub fn usage(snapshots: &[Snapshot]) -> Vec<Usage> {
    detect::usage::of(snapshots)
}
