//! The detectors, one family a file, each run on one process at a time (a TaskManager or
//! the JobManager); then the advice (which needs to know every finding of that process:
//! idle memory is where the bytes for a fix come from).

mod advice;
mod common;
mod container;
mod direct;
mod gc;
mod heap;
mod managed;
mod metaspace;
mod network;
mod overhead;

use super::recommend;
use super::stats;
use super::thresholds as th;
use super::{Advice, Kind, NoAdvice, Options, Report, Text};
use crate::recording::Snapshot;
use common::*;

/// Runs every detector on every process in the snapshots.
pub(super) fn run(snaps: &[Snapshot], opts: &Options) -> Report {
    let t0 = snaps.first().map_or(0, |s| s.t);
    let mut report = Report {
        polls: snaps.len(),
        span_s: snaps.last().map_or(0.0, |s| (s.t - t0) as f64 / 1000.0),
        ..Report::default()
    };
    let mut ids: Vec<&str> = Vec::new();
    for s in snaps {
        for tm in &s.taskmanagers {
            if !ids.contains(&tm.id.as_str()) {
                ids.push(&tm.id);
            }
        }
    }
    let cluster = snaps.iter().rev().find_map(|s| s.jobmanager_config.as_ref());
    for id in ids {
        let p = Proc { id, jm: false, snaps, t0 };
        report.subjects.push(id.to_owned());
        let mut out = Out { report: &mut report, subject: id.to_owned() };
        let first = out.report.findings.len();
        heap::detect(&p, &mut out);
        metaspace::detect(&p, &mut out);
        gc::detect(&p, &mut out);
        if let Some(mem) = p.memory() {
            direct::detect(&p, &mem, &mut out);
            network::detect(&p, &mem, &mut out);
            managed::detect(&p, &mem, &mut out);
            overhead::detect(&p, &mem, &mut out);
            container::detect(&mem, opts, &mut out);
        }
        advice::recommend(&p, cluster, opts, &mut report.findings[first..]);
    }
    if snaps.iter().any(|s| !s.jobmanager_metrics.is_empty()) {
        let p = Proc { id: "jobmanager", jm: true, snaps, t0 };
        report.subjects.push("jobmanager".into());
        let mut out = Out { report: &mut report, subject: "jobmanager".into() };
        heap::detect(&p, &mut out);
        metaspace::detect(&p, &mut out);
        gc::detect(&p, &mut out);
        for f in report.findings.iter_mut().filter(|f| f.subject == "jobmanager") {
            let peak = stats::max_value(&f.evidence.series).0;
            let plan = match (f.kind, cluster) {
                (_, None) => Err(NoAdvice::Because(Text::NoJmConfig)),
                (Kind::MetaspaceGrowth | Kind::OomRisk, Some(c)) if f.evidence.metric == METASPACE => {
                    let cap = f.evidence.limit.unwrap_or(peak) as u64;
                    let add = recommend::round_up(
                        ((peak * th::METASPACE_HEADROOM) as u64).saturating_sub(cap).max(cap / 4),
                    );
                    recommend::jm_plan(c, Text::JmRaiseMetaspace { add }, recommend::JmPart::Metaspace, add)
                        .map_err(NoAdvice::from)
                }
                (Kind::GcPressure, Some(c)) => {
                    let heap = p.last(HEAP_MAX).unwrap_or(0.0);
                    let add = recommend::round_up((heap * th::GC_HEAP_GROWTH) as u64);
                    recommend::jm_plan(c, Text::JmGiveHeap { add }, recommend::JmPart::Heap, add)
                        .map_err(NoAdvice::from)
                }
                (Kind::HeapLeak | Kind::OomRisk, _) => Err(NoAdvice::Because(Text::LeakInCode)),
                _ => Err(advice::no_change_helps()),
            };
            f.advice = match plan {
                Ok(r) => Advice::JobManager(r),
                Err(e) => Advice::None(e),
            };
        }
    }
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.kind.urgency().cmp(&b.kind.urgency()))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    report
}
