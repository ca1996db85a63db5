//! The detectors, one family a file, each run on one process at a time (a TaskManager or
//! the JobManager); then the advice (which needs to know every finding of that process:
//! idle memory is where the bytes for a fix come from).

mod advice;
mod common;
mod container;
mod direct;
mod gc;
mod heap;
mod history;
mod incidents;
mod managed;
mod metaspace;
mod network;
mod overhead;
mod scan;
pub(super) mod usage;

use super::postmortem::Cause;
use super::recommend;
use super::stats;
use super::thresholds as th;
use super::{Advice, Kind, NoAdvice, Options, Report, Text};
use crate::config::FlinkConfig;
use crate::recording::Snapshot;
use common::*;
use history::History;
use scan::Scan;

/// Runs every detector on every process in the snapshots, reading them all at once.
pub(super) fn batch(snaps: &[Snapshot], opts: &Options) -> Report {
    let t0 = snaps.first().map_or(0, |s| s.t);
    let mut timeline = incidents::Timeline::default();
    for s in snaps {
        timeline.push(s);
    }
    let mut ids: Vec<&str> = Vec::new();
    for s in snaps {
        for tm in &s.taskmanagers {
            if !ids.contains(&tm.id.as_str()) {
                ids.push(&tm.id);
            }
        }
    }
    let tms: Vec<Scan> = ids.into_iter().map(|id| Scan { id, jm: false, snaps, t0 }).collect();
    let jm = snaps.iter().any(|s| !s.jobmanager_metrics.is_empty()).then_some(Scan {
        id: "jobmanager",
        jm: true,
        snaps,
        t0,
    });
    let procs = Procs {
        polls: snaps.len(),
        span_s: snaps.last().map_or(0.0, |s| seconds(s, t0)),
        taskmanagers: tms.iter().map(|p| p as &dyn Readings).collect(),
        jobmanager: jm.as_ref().map(|p| p as &dyn Readings),
        cluster: snaps.iter().rev().find_map(|s| s.jobmanager_config.as_ref()),
        submissions: scan::submissions(snaps),
        timeline: &timeline,
    };
    run(&procs, opts)
}

/// The diagnosis kept up to date poll by poll: each poll is read once, when it arrives.
#[derive(Clone, Debug, Default)]
pub struct Diagnoser {
    history: History,
}

impl Diagnoser {
    pub fn new() -> Diagnoser {
        Diagnoser::default()
    }

    /// Adds the next poll.
    pub fn push(&mut self, s: &Snapshot) {
        self.history.push(s);
    }

    /// What each process used in the polls added so far: the same as
    /// [`super::usage`] of them.
    pub fn usage(&self) -> Vec<super::Usage> {
        usage::of_history(&self.history)
    }

    /// The polls added so far.
    pub fn polls(&self) -> usize {
        self.history.polls
    }

    /// The diagnosis of every poll so far: the same as [`super::diagnose`] of them.
    pub fn report(&self, opts: &Options) -> Report {
        let h = &self.history;
        let procs = Procs {
            polls: h.polls,
            span_s: h.span_s(),
            taskmanagers: h.taskmanagers.iter().map(|p| p as &dyn Readings).collect(),
            jobmanager: h.jobmanager.as_ref().map(|p| p as &dyn Readings),
            cluster: h.cluster.as_ref(),
            submissions: h.submissions,
            timeline: &h.timeline,
        };
        run(&procs, opts)
    }
}

/// The processes of a session, and what their report needs besides.
struct Procs<'a> {
    polls: usize,
    span_s: f64,
    taskmanagers: Vec<&'a dyn Readings>,
    jobmanager: Option<&'a dyn Readings>,
    cluster: Option<&'a FlinkConfig>,
    /// How many jobs the cluster was given after the first poll.
    submissions: usize,
    /// The cluster's story, for the post-mortem.
    timeline: &'a incidents::Timeline,
}

fn run(procs: &Procs, opts: &Options) -> Report {
    let mut report = Report { polls: procs.polls, span_s: procs.span_s, ..Report::default() };
    let cluster = procs.cluster;
    for &p in &procs.taskmanagers {
        report.subjects.push(p.id().to_owned());
        let mut out = Out { report: &mut report, subject: p.id().to_owned() };
        let first = out.report.findings.len();
        heap::detect(p, &mut out);
        metaspace::detect(p, procs.submissions, &mut out);
        gc::detect(p, &mut out);
        if let Some(mem) = p.memory() {
            direct::detect(p, &mem, &mut out);
            network::detect(p, &mem, &mut out);
            managed::detect(p, &mem, &mut out);
            overhead::detect(p, &mem, &mut out);
            container::detect(&mem, opts, &mut out);
        }
        incidents::taskmanager(p, procs.timeline, opts.container_limit, &mut out);
        advice::recommend(p, cluster, opts, &mut report.findings[first..]);
    }
    if let Some(p) = procs.jobmanager {
        report.subjects.push("jobmanager".into());
        let mut out = Out { report: &mut report, subject: "jobmanager".into() };
        heap::detect(p, &mut out);
        metaspace::detect(p, procs.submissions, &mut out);
        gc::detect(p, &mut out);
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
    // The jobs last: a job that lost a TaskManager takes that TaskManager's advice.
    // (Only their advice: the findings themselves stay in the report.)
    let lost: Vec<(String, Advice)> = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::TaskManagerLost)
        .map(|f| (f.subject.clone(), f.advice.clone()))
        .collect();
    let advise = |cause: Cause, tm: Option<&str>, line: Option<&str>| -> Advice {
        if let Some((_, advice)) = tm.and_then(|id| lost.iter().find(|(s, _)| s == id)) {
            if cause == Cause::TaskManagerLost || !cause.is_memory() {
                return advice.clone();
            }
        }
        let p = tm
            .and_then(|id| procs.taskmanagers.iter().find(|p| p.id() == id && p.memory().is_some()))
            .or_else(|| procs.taskmanagers.iter().find(|p| p.memory().is_some()));
        let Some(p) = p else { return Advice::None(NoAdvice::Because(Text::NoMemoryConfig)) };
        let Some(base) = p.memory().and_then(|m| recommend::base(cluster, &m)) else {
            return Advice::None(NoAdvice::Because(Text::NotReproduced));
        };
        match advice::for_cause(cause, *p, &base, &[], opts, line) {
            Ok(r) => Advice::TaskManager(r),
            Err(e) => Advice::None(e),
        }
    };
    incidents::jobs(procs.timeline, &mut report, &advise);
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.kind.urgency().cmp(&b.kind.urgency()))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    report
}
