//! What every detector shares: one process's series over the snapshots, the evidence a
//! finding carries, where findings and pending verdicts go, and the number formats.

use std::borrow::Cow;

use super::super::stats::{self, Point};
use super::super::thresholds as th;
use super::super::{Advice, Evidence, Finding, Kind, NoAdvice, Pending, Report, Severity, Text};
use crate::metrics;
use crate::recording::Snapshot;
use crate::rest::MemoryConfiguration;

pub(super) const HEAP: &str = metrics::HEAP_USED;
pub(super) const HEAP_LOW: &str = metrics::HEAP_USED_LOW;
pub(super) const HEAP_MAX: &str = metrics::HEAP_MAX;
pub(super) const METASPACE: &str = metrics::METASPACE_USED;
pub(super) const METASPACE_MAX: &str = metrics::METASPACE_MAX;
/// What the JVM holds for class metadata: it throws `OutOfMemoryError: Metaspace` when this
/// reaches the maximum, whatever `Used` says (many class loaders each hold part-used chunks).
pub(super) const METASPACE_COMMITTED: &str = metrics::METASPACE_COMMITTED;
pub(super) const DIRECT: &str = metrics::DIRECT_USED;
pub(super) const NON_HEAP: &str = metrics::NON_HEAP_USED;
pub(super) const THREADS: &str = metrics::THREADS;
pub(super) const GC_MS: &str = metrics::GC_MS_PER_S;
pub(super) const GC_COUNT: &str = metrics::GC_COUNT;
pub(super) const OLD_GC: &str = metrics::G1_OLD_COUNT;
pub(super) const MANAGED: &str = metrics::MANAGED_USED;
pub(super) const MANAGED_TOTAL: &str = metrics::MANAGED_TOTAL;
pub(super) const NET_USED: &str = metrics::NETWORK_USED_SEGMENTS;
pub(super) const NET_TOTAL: &str = metrics::NETWORK_TOTAL_SEGMENTS;
/// The computed series behind `overhead-small`.
pub const NATIVE_ESTIMATE: &str = "native memory estimate";

/// Critical when the forecast limit is near, else a warning.
pub(super) fn forecast_severity(ttl: f64) -> Severity {
    if ttl < th::OOM_CRITICAL_S {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

pub(super) type Series = Vec<(usize, Point)>;

/// One process's readings: what every detector reads. Two sources give the same answers:
/// [`super::scan::Scan`] reads them out of all the snapshots at once (`diagnose`), and
/// [`super::history::ProcHistory`] keeps them as polls arrive (`Diagnoser`).
pub(super) trait Readings {
    /// A TaskManager id, or `jobmanager`.
    fn id(&self) -> &str;
    /// The JobManager (its own metric names and limits).
    fn jm(&self) -> bool;
    /// The finite readings of `m` (poll index, (seconds since the first poll, value)); with
    /// `running`, only those taken while a job ran.
    fn series(&self, m: &str, running: bool) -> Cow<'_, Series>;
    /// The newest reading of `m`, even a non-finite one.
    fn last(&self, m: &str) -> Option<f64>;
    /// The newest memory configuration of a TaskManager.
    fn memory(&self) -> Option<MemoryConfiguration>;
    /// The heap readings taken right after a garbage collection (the GC count rose since
    /// the reading before).
    fn after_gc(&self) -> Cow<'_, [Point]>;
    /// The native memory the JVM overhead must cover, per poll: non-heap minus metaspace
    /// (code cache, compressed class space, …) plus a stack per thread.
    fn native_estimate(&self) -> Cow<'_, Series>;
    /// Seconds each reading summarises (a Prometheus step); 0 for polls.
    fn step_s(&self) -> f64;
}

/// Which metrics (and whether only while a job runs) the detectors read as series, and
/// which only as their newest reading. The first two stay the heap and the GC count:
/// `history.rs` pairs them by position to find the post-GC readings.
pub(super) const SERIES: [(&str, bool); 10] = [
    (HEAP, false),
    (GC_COUNT, false),
    (METASPACE, false),
    (GC_MS, false),
    (OLD_GC, false),
    (DIRECT, false),
    (NET_USED, true),
    (MANAGED, true),
    (METASPACE_COMMITTED, false),
    // How long a job ran, for tuning (`diagnose::usage`).
    (HEAP, true),
];
pub(super) const LAST: [&str; 4] = [HEAP_MAX, METASPACE_MAX, NET_TOTAL, MANAGED_TOTAL];

/// A non-heap reading as native memory, given the poll's metaspace and thread count.
pub(super) fn native(non_heap: f64, metaspace: f64, threads: Option<f64>) -> f64 {
    (non_heap - metaspace).max(0.0) + threads.unwrap_or(0.0) * th::THREAD_STACK
}

/// Whether a job was running at the poll.
pub(super) fn running(s: &Snapshot) -> bool {
    s.jobs.iter().any(|j| j.state == "RUNNING")
}

/// Seconds since the first poll.
pub(super) fn seconds(s: &Snapshot, t0: u64) -> f64 {
    s.t.saturating_sub(t0) as f64 / 1000.0
}

pub(super) fn pts(s: &Series) -> Vec<Point> {
    s.iter().map(|x| x.1).collect()
}

pub(super) fn span(s: &Series) -> f64 {
    match (s.first(), s.last()) {
        (Some(a), Some(b)) => b.1 .0 - a.1 .0,
        _ => 0.0,
    }
}

pub(super) fn evidence(
    metric: &str,
    s: &Series,
    used: Vec<Point>,
    trend: Option<stats::Trend>,
    limit: Option<f64>,
) -> Evidence {
    Evidence {
        metric: metric.to_owned(),
        from: s.first().map_or(0, |x| x.0),
        to: s.last().map_or(0, |x| x.0),
        series: pts(s),
        used,
        trend,
        limit,
        facts: Vec::new(),
    }
}

pub(super) struct Out<'r> {
    pub report: &'r mut Report,
    pub subject: String,
}

impl Out<'_> {
    pub fn pending(&mut self, kind: Kind, s: &Series) {
        let message = if s.is_empty() {
            Text::NoReadings
        } else {
            Text::ShortSpan { have_s: span(s), need_s: th::MIN_SPAN_S }
        };
        self.pending_because(kind, message);
    }

    pub fn pending_because(&mut self, kind: Kind, message: Text) {
        if !self.report.pending.iter().any(|p| p.subject == self.subject && p.kind == kind) {
            self.report.pending.push(Pending { subject: self.subject.clone(), kind, message });
        }
    }

    pub fn found(
        &mut self,
        kind: Kind,
        severity: Severity,
        headline: Text,
        explanation: Text,
        evidence: Evidence,
    ) {
        self.report.findings.push(Finding {
            kind,
            severity,
            subject: self.subject.clone(),
            headline,
            explanation,
            evidence,
            // Every finding's advice is decided after all of its process's findings are in.
            advice: Advice::None(NoAdvice::Because(Text::Empty)),
            postmortem: None,
        });
    }
}

/// A trend of a slowly moving series over enough data, if it rises steadily.
pub(super) fn steady_rise(points: &[Point]) -> Option<stats::Trend> {
    stats::trend(points).filter(|t| t.tau >= th::STEADY_TAU && t.slope > 0.0)
}
