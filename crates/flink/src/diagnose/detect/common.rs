//! What every detector shares: one process's series over the snapshots, the evidence a
//! finding carries, where findings and pending verdicts go, and the number formats.

use memlab_size::human;
use memlab_text::{tr, Lang};

use super::super::stats::{self, Point};
use super::super::thresholds as th;
use super::super::{Advice, Evidence, Finding, Kind, NoAdvice, Pending, Report, Severity};
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

pub(super) fn hr(b: f64) -> String {
    human(b.max(0.0).round() as u64)
}

/// "12 min" / "12 分钟", "5.5 h" / "5.5 小时", "3 days" / "3 天".
pub fn duration_in(lang: Lang, s: f64) -> String {
    if !s.is_finite() {
        return tr!(lang, "never", "永远不会");
    }
    if s < 120.0 {
        tr!(lang, "{s:.0} s", "{s:.0} 秒")
    } else if s < 600.0 {
        tr!(lang, "{:.1} min", "{:.1} 分钟", s / 60.0)
    } else if s < 7200.0 {
        tr!(lang, "{:.0} min", "{:.0} 分钟", s / 60.0)
    } else if s < 172_800.0 {
        tr!(lang, "{:.1} h", "{:.1} 小时", s / 3600.0)
    } else {
        tr!(lang, "{:.0} days", "{:.0} 天", s / 86_400.0)
    }
}

/// Critical when the forecast limit is near, else a warning.
pub(super) fn forecast_severity(ttl: f64) -> Severity {
    if ttl < th::OOM_CRITICAL_S {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

/// The forecast as a fact.
pub(super) fn limit_reached_in(lang: Lang, ttl: f64) -> String {
    let d = duration_in(lang, ttl);
    tr!(lang, "at this rate the limit is reached in {d}", "按此速度，{d}后达到上限")
}

pub(super) fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
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
    pub lang: Lang,
}

impl Out<'_> {
    pub fn pending(&mut self, kind: Kind, s: &Series) {
        let lang = self.lang;
        let (have, need) = (duration_in(lang, span(s)), duration_in(lang, th::MIN_SPAN_S));
        let message = if s.is_empty() {
            tr!(lang, "not enough data yet: no readings", "数据还不够：没有读数")
        } else {
            tr!(
                lang,
                "not enough data yet: {have} of the {need} needed",
                "数据还不够：已有 {have}，需要 {need}"
            )
        };
        self.pending_because(kind, message);
    }

    pub fn pending_because(&mut self, kind: Kind, message: String) {
        if !self.report.pending.iter().any(|p| p.subject == self.subject && p.kind == kind) {
            self.report.pending.push(Pending { subject: self.subject.clone(), kind, message });
        }
    }

    pub fn found(
        &mut self,
        kind: Kind,
        severity: Severity,
        headline: String,
        explanation: String,
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
            advice: Advice::None(NoAdvice::Because(String::new())),
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
