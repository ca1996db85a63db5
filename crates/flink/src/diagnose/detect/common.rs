//! What every detector shares: one process's series over the snapshots, the evidence a
//! finding carries, where findings and pending verdicts go, and the number formats.

use super::super::stats::{self, Point};
use super::super::thresholds as th;
use super::super::{Advice, Evidence, Finding, Kind, NoAdvice, Pending, Report, Severity, Text};
use crate::metrics;
use crate::recording::Snapshot;
use crate::rest::MemoryConfiguration;

pub(super) const HEAP: &str = metrics::HEAP_USED;
pub(super) const HEAP_MAX: &str = metrics::HEAP_MAX;
pub(super) const METASPACE: &str = metrics::METASPACE_USED;
pub(super) const METASPACE_MAX: &str = metrics::METASPACE_MAX;
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

/// One process's metrics over the snapshots.
pub(super) struct Proc<'a> {
    pub id: &'a str,
    pub jm: bool,
    pub snaps: &'a [Snapshot],
    pub t0: u64,
}

pub(super) type Series = Vec<(usize, Point)>;

impl Proc<'_> {
    pub fn get(&self, s: &Snapshot, m: &str) -> Option<f64> {
        if self.jm {
            s.jobmanager_metrics.get(m).copied()
        } else {
            s.taskmanagers.iter().find(|t| t.id == self.id)?.metric(m)
        }
    }

    /// Readings of `m`; with `running`, only those taken while a job ran.
    pub fn series(&self, m: &str, running: bool) -> Series {
        self.snaps
            .iter()
            .enumerate()
            .filter(|(_, s)| !running || s.jobs.iter().any(|j| j.state == "RUNNING"))
            .filter_map(|(i, s)| {
                let v = self.get(s, m)?;
                v.is_finite().then(|| (i, ((s.t.saturating_sub(self.t0)) as f64 / 1000.0, v)))
            })
            .collect()
    }

    pub fn last(&self, m: &str) -> Option<f64> {
        self.snaps.iter().rev().find_map(|s| self.get(s, m))
    }

    pub fn memory(&self) -> Option<MemoryConfiguration> {
        self.snaps.iter().rev().find_map(|s| s.taskmanagers.iter().find(|t| t.id == self.id)?.memory)
    }
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
        });
    }
}

/// A trend of a slowly moving series over enough data, if it rises steadily.
pub(super) fn steady_rise(points: &[Point]) -> Option<stats::Trend> {
    stats::trend(points).filter(|t| t.tau >= th::STEADY_TAU && t.slope > 0.0)
}

/// How many jobs were submitted after the first snapshot.
pub(super) fn submissions(snaps: &[Snapshot]) -> usize {
    let Some(first) = snaps.first() else { return 0 };
    let mut seen: Vec<&str> = first.jobs.iter().map(|j| j.jid.as_str()).collect();
    let mut n = 0;
    for s in snaps {
        for j in &s.jobs {
            if !seen.contains(&j.jid.as_str()) {
                seen.push(&j.jid);
                n += 1;
            }
        }
    }
    n
}
