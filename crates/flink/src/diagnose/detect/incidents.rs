//! Post-mortem detectors: a TaskManager that vanished while it worked, a job that failed or
//! restarted. They read the cluster's story poll by poll ([`Timeline`]: which TaskManagers
//! each list showed, each job's states, restart count and exception history) — one
//! timeline, fed the same way by the batch and the incremental diagnosis — and the lost
//! TaskManager's last readings.
//!
//! Not failures, and so not findings: an idle TaskManager released or stopped (all its
//! slots were free), the whole cluster stopping (the JobManager stops answering right
//! after), CANCELED and FINISHED jobs.

use std::collections::HashMap;
use std::sync::Arc;

use super::super::postmortem::{self, Basis, Cause, JobRef, Moment, PostMortem};
use super::super::stats::Observed;
use super::super::thresholds as th;
use super::super::{Advice, Finding, Kind, NoAdvice, Report, Severity, Text};
use super::common::*;
use crate::recording::Snapshot;
use crate::rest::ExceptionEntry;
use crate::snapshot::JobDetail;

/// One TaskManager as the lists showed it.
#[derive(Clone, Debug, PartialEq)]
struct TmSeen {
    id: String,
    /// The last poll whose list had it, and its time.
    last: usize,
    last_t: f64,
    /// Some of its slots were taken at that poll.
    busy: bool,
    /// The first poll whose list no longer had it.
    lost: Option<(usize, f64)>,
}

/// One job as the polls showed it.
#[derive(Clone, Debug, PartialEq)]
struct JobSeen {
    id: String,
    name: String,
    /// Each state change: poll, seconds, state.
    states: Vec<(usize, f64, String)>,
    /// Each restart count change: poll, seconds, count.
    restarts: Vec<(usize, f64, f64)>,
    /// Flink's last word on it (`/jobs/<jid>`, its exceptions, `numRestarts`), shared
    /// with the snapshot it came from.
    detail: Arc<JobDetail>,
}

impl JobSeen {
    /// When the job entered `state`, by Flink's clock (0 there means not yet).
    fn entered(&self, state: &str) -> Option<i64> {
        self.detail.timestamps.get(state).copied().filter(|ms| *ms > 0)
    }

    /// Newest first.
    fn exceptions(&self) -> &[ExceptionEntry] {
        &self.detail.exceptions
    }
}

/// The cluster's story so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Timeline {
    t0: Option<u64>,
    polls: usize,
    /// Per poll: the JobManager answered.
    answered: Vec<bool>,
    /// In the order they were first seen; the indexes find them by id.
    tms: Vec<TmSeen>,
    tm_index: HashMap<String, usize>,
    jobs: Vec<JobSeen>,
    job_index: HashMap<String, usize>,
}

impl Timeline {
    pub fn push(&mut self, s: &Snapshot) {
        let i = self.polls;
        self.polls += 1;
        let t0 = *self.t0.get_or_insert(s.t);
        let t = s.t.saturating_sub(t0) as f64 / 1000.0;
        self.answered.push(s.overview.is_some() || s.listed_taskmanagers);
        if s.listed_taskmanagers {
            for tm in &s.taskmanagers {
                let k = *self.tm_index.entry(tm.id.clone()).or_insert_with(|| {
                    self.tms.push(TmSeen { id: tm.id.clone(), last: i, last_t: t, busy: false, lost: None });
                    self.tms.len() - 1
                });
                let seen = &mut self.tms[k];
                seen.last = i;
                seen.last_t = t;
                seen.busy = tm.free_slots < tm.slots;
                seen.lost = None;
            }
            for seen in self.tms.iter_mut().filter(|x| x.last < i && x.lost.is_none()) {
                seen.lost = Some((i, t));
            }
        }
        for j in &s.jobs {
            let k = *self.job_index.entry(j.jid.clone()).or_insert_with(|| {
                self.jobs.push(JobSeen {
                    id: j.jid.clone(),
                    name: j.name.clone(),
                    states: Vec::new(),
                    restarts: Vec::new(),
                    detail: Arc::default(),
                });
                self.jobs.len() - 1
            });
            let seen = &mut self.jobs[k];
            if seen.states.last().is_none_or(|x| x.2 != j.state) {
                seen.states.push((i, t, j.state.clone()));
            }
            // (Carried forward unchanged, the detail is the same `Arc` poll after poll.)
            if let Some(d) = s.job_details.get(&j.jid).filter(|d| !Arc::ptr_eq(&seen.detail, d)) {
                if let Some(r) = d.restarts.filter(|r| seen.restarts.last().is_none_or(|x| x.2 != *r)) {
                    seen.restarts.push((i, t, r));
                }
                seen.detail = Arc::clone(d);
            }
        }
    }

    /// Seconds since the first poll of a time in ms since the epoch.
    fn secs(&self, ms: i64) -> f64 {
        (ms - self.t0.unwrap_or(0) as i64) as f64 / 1000.0
    }

    fn t0_ms(&self) -> i64 {
        self.t0.unwrap_or(0) as i64
    }

    /// Every exception recorded for any job, with the job.
    fn exceptions(&self) -> impl Iterator<Item = (&JobSeen, &ExceptionEntry)> {
        self.jobs.iter().flat_map(|j| j.exceptions().iter().map(move |e| (j, e)))
    }
}

/// Whether an exception is about TaskManager `id` (its id, or its host:port).
fn names_taskmanager(e: &ExceptionEntry, id: &str) -> bool {
    let endpoint = id.rsplit_once('-').map_or(id, |(a, _)| a);
    let mentions = |x: &ExceptionEntry| {
        x.task_manager_id.as_deref() == Some(id)
            || x.endpoint.as_deref().is_some_and(|ep| ep == endpoint)
            || x.stacktrace.lines().next().is_some_and(|l| l.contains(id))
    };
    mentions(e) || e.concurrent_exceptions.iter().any(mentions)
}

/// The lost-TaskManager finding for `p`, if it was lost while it worked.
/// `container_limit`: the container's limit the user gave, if any (a suspect when the
/// TaskManager vanished with no pressure inside its JVM).
pub(super) fn taskmanager(p: &dyn Readings, tl: &Timeline, container_limit: Option<u64>, out: &mut Out) {
    let Some(seen) = tl.tms.iter().find(|x| x.id == p.id()) else { return };
    let Some((lost_poll, lost_t)) = seen.lost else { return };
    // The whole cluster stopping: the JobManager stops answering right after.
    if (lost_poll..(lost_poll + 3).min(tl.polls)).any(|k| !tl.answered[k]) {
        return;
    }
    let (from_ms, to_ms) = (
        tl.t0_ms() + (seen.last_t * 1000.0) as i64 - 120_000,
        tl.t0_ms() + (lost_t * 1000.0) as i64 + 300_000,
    );
    let quoted = tl
        .exceptions()
        .filter(|(_, e)| e.timestamp >= from_ms && e.timestamp <= to_ms && names_taskmanager(e, &seen.id))
        .map(|(_, e)| postmortem::classify(e))
        .find(|(c, _)| c.is_memory());
    // An idle TaskManager released or stopped is not a failure.
    if !seen.busy && quoted.is_none() {
        return;
    }
    let heap = p.series(HEAP, false);
    let before: Vec<_> = heap.iter().filter(|x| x.0 <= seen.last).copied().collect();
    let heap_max = p.last(HEAP_MAX).or(p.memory().map(|m| (m.framework_heap + m.task_heap) as f64));
    let last_of = |m: &str| p.series(m, false).iter().rev().find(|x| x.0 <= seen.last).map(|x| x.1 .1);
    let mem = p.memory();
    let meta_cap = p.last(METASPACE_MAX).filter(|m| *m > 0.0).or(mem.map(|m| m.jvm_metaspace as f64));
    let direct_max = mem.map(|m| (m.framework_off_heap + m.task_off_heap + m.network_memory) as f64);
    let share = |v: Option<f64>, cap: Option<f64>| match (v, cap) {
        (Some(v), Some(c)) if c > 0.0 => Some((v / c).min(1.0)),
        _ => None,
    };
    let heap_share = share(last_of(HEAP), heap_max);
    // Committed, not only used: the JVM fails when what it holds reaches the maximum.
    let meta_held = match (last_of(METASPACE), last_of(METASPACE_COMMITTED)) {
        (Some(u), Some(c)) => Some(u.max(c)),
        (u, c) => u.or(c),
    };
    let meta_share = share(meta_held, meta_cap);
    let direct_share = share(last_of(DIRECT), direct_max);
    // Old-generation collections in the last minute it was seen.
    let old = p.series(OLD_GC, false);
    let old_recent: Vec<_> =
        old.iter().filter(|x| x.0 <= seen.last && x.1 .0 >= seen.last_t - 60.0).collect();
    let old_rise = match (old_recent.first(), old_recent.last()) {
        (Some(a), Some(b)) => b.1 .1 - a.1 .1,
        _ => 0.0,
    };
    let mut facts = vec![Text::LastSeen { at_s: seen.last_t }, Text::LostAt { at_s: lost_t }];
    let (cause, basis) = match quoted {
        Some((cause, line)) => (cause, Basis::Quoted { line }),
        None => {
            let near = |x: Option<f64>| x.is_some_and(|x| x >= th::NEAR_LIMIT);
            let at_loss = Text::AtLoss {
                heap: heap_share.map(Observed),
                metaspace: meta_share.map(Observed),
                direct: direct_share.map(Observed),
            };
            if near(heap_share) {
                (
                    Cause::HeapSpace,
                    Basis::Inferred {
                        from: vec![at_loss, Text::OldGcBeforeLoss { count: Observed(old_rise) }],
                    },
                )
            } else if near(meta_share) {
                (Cause::Metaspace, Basis::Inferred { from: vec![at_loss] })
            } else if near(direct_share) {
                (Cause::DirectBuffer, Basis::Inferred { from: vec![at_loss] })
            } else if heap_share.is_some() || meta_share.is_some() {
                // Then the suspects outside the JVM's limits: the container, native memory.
                let mut from = vec![at_loss];
                if let (Some(m), Some(limit)) = (mem, container_limit) {
                    if m.total_process_memory > limit {
                        from.push(Text::ProcessOverLimit { process: m.total_process_memory, limit });
                    }
                }
                let native = p.native_estimate();
                let peak =
                    native.iter().filter(|x| x.0 <= seen.last).map(|x| x.1 .1).fold(f64::NAN, f64::max);
                if let (true, Some(m)) = (peak.is_finite(), mem) {
                    from.push(Text::NativeEstimate { peak: Observed(peak), overhead: m.jvm_overhead as f64 });
                }
                (Cause::KilledFromOutside, Basis::Inferred { from })
            } else {
                (Cause::Unknown, Basis::Inferred { from: Vec::new() })
            }
        }
    };
    if let Basis::Inferred { from } = &basis {
        facts.extend(from.iter().cloned());
    } else if let Basis::Quoted { line } = &basis {
        facts.push(Text::Quoted { line: line.clone() });
    }
    // The incident: the TaskManager's last minutes, then what the jobs did.
    let from = seen.last_t - 300.0;
    let mut timeline = vec![
        Moment { at_s: seen.last_t, what: Text::TmLastListed { id: seen.id.clone() } },
        Moment { at_s: lost_t, what: Text::TmVanished { id: seen.id.clone() } },
    ];
    job_moments(tl, &tl.jobs, from, &mut timeline);
    let series: Vec<_> = before.iter().filter(|x| x.1 .0 >= from).copied().collect();
    let mut ev = evidence(HEAP, &series, Vec::new(), None, heap_max);
    ev.facts = facts;
    ev.to = lost_poll.max(ev.to);
    out.report.findings.push(Finding {
        kind: Kind::TaskManagerLost,
        severity: Severity::Critical,
        subject: seen.id.clone(),
        headline: Text::TmLostHeadline { cause, quoted: matches!(basis, Basis::Quoted { .. }), at_s: lost_t },
        explanation: Text::CauseWhy { cause },
        evidence: ev,
        advice: Advice::None(NoAdvice::Because(Text::Empty)),
        postmortem: Some(Box::new(PostMortem {
            cause,
            basis,
            at_s: lost_t,
            at_poll: lost_poll,
            taskmanager: Some(seen.id.clone()),
            job: None,
            restarts: None,
            timeline,
        })),
    });
}

/// The state changes, restarts and exceptions of `jobs` from `from` on, in time order.
fn job_moments<'a>(
    tl: &Timeline,
    jobs: impl IntoIterator<Item = &'a JobSeen>,
    from: f64,
    out: &mut Vec<Moment>,
) {
    for j in jobs {
        for (_, t, state) in j.states.iter().filter(|x| x.1 >= from) {
            // Flink keeps only the last time a state was entered: it dates this change
            // only if it is close to the poll that saw it.
            let at = j.entered(state).map(|ms| tl.secs(ms)).filter(|x| (x - t).abs() <= 15.0).unwrap_or(*t);
            out.push(Moment {
                at_s: at,
                what: Text::JobState { name: j.name.clone(), state: state.clone() },
            });
        }
        for (_, t, r) in j.restarts.iter().skip(1).filter(|x| x.1 >= from) {
            out.push(Moment { at_s: *t, what: Text::JobRestarted { name: j.name.clone(), count: *r } });
        }
        for e in j.exceptions().iter().filter(|e| tl.secs(e.timestamp) >= from) {
            out.push(Moment {
                at_s: tl.secs(e.timestamp),
                what: Text::Quoted { line: postmortem::first_sentence(&postmortem::classify(e).1) },
            });
        }
    }
    out.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
}

/// The advice for a cause, given the TaskManager an exception names and its line.
pub(super) type Advise<'a> = dyn Fn(Cause, Option<&str>, Option<&str>) -> Advice + 'a;

/// The job findings: each job that failed, or restarted, during the data. Their advice
/// comes from the cause (a lost TaskManager's from its finding), given `advise` for a
/// cause on a TaskManager.
pub(super) fn jobs(tl: &Timeline, report: &mut Report, advise: &Advise<'_>) {
    for j in &tl.jobs {
        let failed = j.states.iter().find(|x| x.2 == "FAILED");
        let restarts = match (j.restarts.first(), j.restarts.last()) {
            (Some(a), Some(b)) if b.2 > a.2 => Some((a.2, b.2)),
            _ => None,
        };
        let (kind, at_poll, at_s) = match (failed, restarts) {
            (Some(f), _) => (Kind::JobFailed, f.0, j.entered("FAILED").map_or(f.1, |ms| tl.secs(ms))),
            (None, Some(_)) => {
                let r = j.restarts.iter().find(|x| x.2 > j.restarts[0].2).unwrap_or(&j.restarts[0]);
                (Kind::JobRestarts, r.0, r.1)
            }
            (None, None) => continue,
        };
        // The exception that did it: for a failure the newest; for restarts, the most
        // telling of those in the data (a memory cause before any other).
        let classified: Vec<(Cause, String, &ExceptionEntry)> = j
            .exceptions()
            .iter()
            .filter(|e| e.timestamp >= tl.t0_ms() - 60_000 || kind == Kind::JobFailed)
            .map(|e| {
                let (c, l) = postmortem::classify(e);
                (c, l, e)
            })
            .collect();
        let root = match kind {
            Kind::JobFailed => classified.first(),
            _ => classified
                .iter()
                .find(|x| x.0.is_memory())
                .or(classified.iter().find(|x| x.0 == Cause::TaskManagerLost))
                .or(classified.first()),
        };
        // A TaskManager lost around then, if the exception does not name the cause.
        let lost_near = tl.tms.iter().find(|x| x.lost.is_some_and(|(_, t)| (t - at_s).abs() <= 120.0));
        let (cause, basis, tm) = match root {
            Some((c, line, e)) => {
                let tm = e
                    .task_manager_id
                    .clone()
                    .or_else(|| tl.tms.iter().find(|x| names_taskmanager(e, &x.id)).map(|x| x.id.clone()));
                (*c, Basis::Quoted { line: line.clone() }, tm.or(lost_near.map(|x| x.id.clone())))
            }
            None => match lost_near {
                Some(x) => (
                    Cause::TaskManagerLost,
                    Basis::Inferred { from: vec![Text::TmVanished { id: x.id.clone() }] },
                    Some(x.id.clone()),
                ),
                None => (Cause::Unknown, Basis::Inferred { from: Vec::new() }, None),
            },
        };
        let quoted_line = match &basis {
            Basis::Quoted { line } => Some(line.as_str()),
            Basis::Inferred { .. } => None,
        };
        let advice = advise(cause, tm.as_deref(), quoted_line);
        // A lost TaskManager's own cause, from its finding.
        let via = (cause == Cause::TaskManagerLost)
            .then(|| {
                report
                    .findings
                    .iter()
                    .find(|f| f.kind == Kind::TaskManagerLost && Some(&f.subject) == tm.as_ref())
                    .and_then(|f| f.postmortem.as_ref().map(|p| p.cause))
            })
            .flatten();
        let mut timeline = Vec::new();
        job_moments(tl, [j], at_s - 300.0, &mut timeline);
        if let Some(x) = tm.as_ref().and_then(|id| tl.tms.iter().find(|x| x.id == *id)) {
            if let Some((_, t)) = x.lost {
                timeline.push(Moment { at_s: t, what: Text::TmVanished { id: x.id.clone() } });
                timeline.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
            }
        }
        let mut facts = vec![Text::JobAt {
            state: if kind == Kind::JobFailed { "FAILED".into() } else { "RESTARTING".into() },
            at_s,
        }];
        if let Some((a, b)) = restarts {
            facts.push(Text::Restarts { from: a, to: b });
        }
        match &basis {
            Basis::Quoted { line } => facts.push(Text::Quoted { line: line.clone() }),
            Basis::Inferred { from } => facts.extend(from.iter().cloned()),
        }
        let series: Vec<_> = j.restarts.iter().map(|x| (x.0, (x.1, x.2))).collect();
        let mut ev = evidence(crate::metrics::NUM_RESTARTS, &series, Vec::new(), None, None);
        ev.facts = facts;
        ev.to = at_poll.max(ev.to);
        ev.from = ev.from.min(at_poll);
        let job = JobRef { id: j.id.clone(), name: j.name.clone() };
        if !report.jobs.contains(&job) {
            report.jobs.push(job.clone());
        }
        report.findings.push(Finding {
            kind,
            severity: Severity::Critical,
            subject: j.id.clone(),
            headline: if kind == Kind::JobFailed {
                Text::JobFailedHeadline { name: j.name.clone(), cause, via }
            } else {
                Text::JobRestartsHeadline {
                    name: j.name.clone(),
                    cause,
                    via,
                    restarts: restarts.map_or(0.0, |r| r.1 - r.0),
                }
            },
            explanation: Text::CauseWhy { cause },
            evidence: ev,
            advice,
            postmortem: Some(Box::new(PostMortem {
                cause,
                basis,
                at_s,
                at_poll,
                taskmanager: tm,
                job: Some(job),
                restarts,
                timeline,
            })),
        });
    }
}
