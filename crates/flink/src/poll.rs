//! The poll plan: which REST requests one poll of a Flink cluster makes, in which order,
//! and which answers are kept. Sans-IO: the app (gloo-net) and `memlab record` (native)
//! each fetch the paths a [`PollRun`] asks for, hand the answers back, and get a [`Poll`].
//!
//! One poll is up to four rounds of concurrent requests:
//! 1. `/overview` and `/taskmanagers`;
//! 2. the cluster-wide summary of every TaskManager's pools from Flink's aggregating
//!    endpoint ([`summary_path`]: min, max, avg and sum in one request, however many
//!    TaskManagers there are); the metrics of at most [`TM_BUDGET`] TaskManagers
//!    ([`Poller::choose`]: the ones the user looks at, the riskiest seen so far, and a
//!    round-robin sweep of the rest, so every TaskManager is read within
//!    ⌈n / sweep⌉ polls), each one's details only when the list lacks its memory
//!    configuration (Flink before 1.15); the JobManager's metrics and configuration, and
//!    `/jobs/overview`;
//! 3. for the jobs worth watching ([`Poller::watched`]): `numRestarts`, and — when a job's
//!    state or restart count changed since they were last fetched, when the job is new, or
//!    every [`DETAILS_EVERY`] polls while it runs — `/jobs/<jid>` (its state timestamps)
//!    and `/jobs/<jid>/exceptions` (what Flink says made it fail).
//!
//! A job answer (or the JobManager's configuration) whose body equals the last one kept for
//! its path is dropped from the poll (a failing job's exception history is the same long
//! text poll after poll); readers carry the last value forward ([`crate::recording::Recording::snapshots`]).
//!
//! A poll never asks for more than [`MAX_REQUESTS`] paths, whatever the cluster's size.

use std::collections::BTreeMap;

use crate::metrics::{self, JM_METRICS, NUM_RESTARTS, TM_METRICS};
use crate::raw::{Poll, Response};
use crate::rest;

/// A running job's details and exceptions are fetched again after this many polls even when
/// nothing seems to have changed (a restart between two polls that left the count as it was
/// cannot happen, but a new exception after a partial failover can).
pub const DETAILS_EVERY: u64 = 10;
/// Exceptions asked for per job (newest first): enough for the failure and what followed.
pub const MAX_EXCEPTIONS: u32 = 5;
/// At most this many jobs are watched per poll: running ones first, then the most recently
/// started done ones (a session cluster may list hundreds of finished jobs).
pub const MAX_WATCHED: usize = 16;

/// At most this many TaskManagers are read one by one in a poll; a cluster with no more
/// than this has all of them read every poll.
pub const TM_BUDGET: usize = 32;
/// Of the budget, at most this many are the ones the user looks at ([`Poller::set_focus`]).
pub const FOCUS_MAX: usize = 12;
/// Of the budget, at most this many are the fullest seen so far (by [`crate::cluster::TmCard::pressure`]).
pub const RISKIEST: usize = 6;
/// The hunt for the fullest TaskManager: each poll splits the suspects into this many
/// groups and asks Flink's aggregating endpoint for each group's maxima (one request a
/// group); the fullest group is the next poll's suspects. A thousand TaskManagers come
/// down to a handful in two polls, which the third reads.
pub const HUNT_GROUPS: usize = 16;
/// Suspects this few are read one by one (and the hunt starts again over all).
pub const HUNT_READ: usize = 4;
/// The rest of the budget sweeps the other TaskManagers in turn.
pub const SWEEP_MIN: usize = TM_BUDGET - FOCUS_MAX - RISKIEST - HUNT_READ;
/// The most requests one poll makes: `/overview` and `/taskmanagers`; the summary and the
/// JobManager's three; the hunt's groups; two per TaskManager read (one when the list
/// carries its memory configuration, as since Flink 1.15); a restart count and two detail
/// requests per watched job.
pub const MAX_REQUESTS: usize = 2 + 4 + HUNT_GROUPS + 2 * TM_BUDGET + 3 * MAX_WATCHED;

/// What the hunt's group requests ask for.
const HUNT_METRICS: &[&str] = &[
    metrics::HEAP_USED,
    metrics::HEAP_MAX,
    metrics::METASPACE_USED,
    metrics::METASPACE_MAX,
    metrics::NETWORK_USED_SEGMENTS,
    metrics::NETWORK_TOTAL_SEGMENTS,
    metrics::GC_MS_PER_S,
];

/// The aggregating endpoint's maxima (and the limits' minima) over the TaskManagers `ids`.
pub fn group_path(ids: &[String]) -> String {
    format!("/taskmanagers/metrics?get={}&agg=min,max&taskmanagers={}", HUNT_METRICS.join(","), ids.join(","))
}

/// How full the fullest of a group can be, from its aggregates: the highest use over the
/// lowest limit of each pool, or its highest GC time (as [`crate::cluster::TmCard::pressure`]).
fn group_pressure(body: &str) -> Option<f64> {
    let aggs: BTreeMap<String, rest::Aggregate> =
        rest::parse_aggregated(body).ok()?.into_iter().map(|a| (a.id.clone(), a)).collect();
    let ratio =
        |used: &str, cap: &str| match (aggs.get(used).and_then(|u| u.max), aggs.get(cap).and_then(|c| c.min))
        {
            (Some(u), Some(c)) if c > 0.0 => (u / c).clamp(0.0, 1.0),
            _ => 0.0,
        };
    let gc = aggs.get(metrics::GC_MS_PER_S).and_then(|g| g.max).map_or(0.0, |g| (g / 100.0).clamp(0.0, 1.0));
    Some(
        ratio(metrics::HEAP_USED, metrics::HEAP_MAX)
            .max(ratio(metrics::METASPACE_USED, metrics::METASPACE_MAX))
            .max(ratio(metrics::NETWORK_USED_SEGMENTS, metrics::NETWORK_TOTAL_SEGMENTS))
            .max(gc),
    )
}

/// The pools summarised cluster-wide by Flink's aggregating endpoint.
pub const SUMMARY_METRICS: &[&str] = &[
    metrics::HEAP_USED,
    metrics::HEAP_MAX,
    metrics::MANAGED_USED,
    metrics::MANAGED_TOTAL,
    metrics::NETWORK_USED_SEGMENTS,
    metrics::NETWORK_TOTAL_SEGMENTS,
    metrics::METASPACE_USED,
    metrics::DIRECT_USED,
    metrics::GC_MS_PER_S,
];

/// `GET /taskmanagers/metrics?get=…&agg=min,max,avg,sum`: every TaskManager's pools
/// summarised by the JobManager in one answer.
pub fn summary_path() -> String {
    format!("/taskmanagers/metrics?get={}&agg=min,max,avg,sum", SUMMARY_METRICS.join(","))
}

/// What the poller knew about a job when it last fetched its details.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    state: String,
    restarts: Option<String>,
    fetched_at: u64,
}

/// The plan's memory between polls: the jobs it has seen, and the last body kept per job
/// path. One per connection (a new connection starts afresh).
#[derive(Clone, Debug, Default)]
pub struct Poller {
    polls: u64,
    seen: BTreeMap<String, Seen>,
    kept: BTreeMap<String, String>,
    /// The TaskManagers the user looks at, most wanted first.
    focus: Vec<String>,
    /// Each TaskManager's fullness when last read (0 to 1).
    pressure: BTreeMap<String, f64>,
    /// The sweep's position: the last TaskManager id it read.
    swept: Option<String>,
    /// The hunt's suspects (empty: all).
    suspects: Vec<String>,
}

/// The paths of one TaskManager's requests.
pub fn taskmanager_paths(id: &str) -> [String; 2] {
    [format!("/taskmanagers/{id}"), metrics_path(id)]
}

/// One TaskManager's metrics.
pub fn metrics_path(id: &str) -> String {
    format!("/taskmanagers/{id}/metrics?get={}", TM_METRICS.join(","))
}

/// The JobManager's requests and the job list.
pub fn jobmanager_paths() -> [String; 3] {
    [
        format!("/jobmanager/metrics?get={}", JM_METRICS.join(",")),
        "/jobmanager/config".into(),
        "/jobs/overview".into(),
    ]
}

fn restarts_path(jid: &str) -> String {
    format!("/jobs/{jid}/metrics?get={NUM_RESTARTS}")
}

fn details_paths(jid: &str) -> [String; 2] {
    [format!("/jobs/{jid}"), format!("/jobs/{jid}/exceptions?maxExceptions={MAX_EXCEPTIONS}")]
}

/// Whether a path's unchanged answers are dropped: the per-job requests, and the
/// JobManager's configuration (the same text every poll).
pub fn is_kept_when_changed(path: &str) -> bool {
    path == "/jobmanager/config"
        || path.strip_prefix("/jobs/").is_some_and(|rest| !rest.starts_with("overview"))
}

impl Poller {
    pub fn new() -> Poller {
        Poller::default()
    }

    /// The TaskManagers the user looks at (the cards on screen, the ones opened), most
    /// wanted first: read every poll, up to [`FOCUS_MAX`].
    pub fn set_focus(&mut self, ids: Vec<String>) {
        self.focus = ids;
    }

    /// The TaskManagers of `listed` (the cluster's list, in its order) to read this poll,
    /// and the hunt's groups to ask about: all of them and no hunt when they fit the
    /// budget; otherwise the focus, the hunt's last few suspects, the fullest seen so far,
    /// and the next ones of the sweep (by id, wrapping round), [`TM_BUDGET`] in all.
    pub fn choose(&mut self, listed: &[String]) -> (Vec<String>, Vec<Vec<String>>) {
        let set: std::collections::BTreeSet<&String> = listed.iter().collect();
        self.pressure.retain(|id, _| set.contains(id));
        if listed.len() <= TM_BUDGET {
            return (listed.to_vec(), Vec::new());
        }
        let mut out: Vec<String> = Vec::with_capacity(TM_BUDGET);
        let add = |out: &mut Vec<String>, id: &String| {
            if !out.contains(id) && out.len() < TM_BUDGET {
                out.push(id.clone());
            }
        };
        for id in self.focus.iter().filter(|id| set.contains(id)).take(FOCUS_MAX) {
            add(&mut out, id);
        }
        let mut ids: Vec<&String> = set.iter().copied().collect();
        ids.sort();
        let mut suspects: Vec<String> = self.suspects.iter().filter(|id| set.contains(id)).cloned().collect();
        if suspects.is_empty() {
            suspects = ids.iter().map(|id| (*id).clone()).collect();
        }
        let mut groups = Vec::new();
        if suspects.len() <= HUNT_READ {
            for id in &suspects {
                add(&mut out, id);
            }
            self.suspects.clear();
        } else {
            let per = suspects.len().div_ceil(HUNT_GROUPS);
            groups = suspects.chunks(per).map(<[String]>::to_vec).collect();
        }
        let mut fullest: Vec<(&String, f64)> = self.pressure.iter().map(|(k, v)| (k, *v)).collect();
        fullest.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        for (id, _) in fullest.into_iter().take(RISKIEST) {
            add(&mut out, id);
        }
        let start = self.swept.as_ref().map_or(0, |last| ids.partition_point(|id| *id <= last));
        for k in 0..ids.len() {
            if out.len() >= TM_BUDGET {
                break;
            }
            let id = ids[(start + k) % ids.len()];
            if !out.contains(id) {
                out.push(id.clone());
                self.swept = Some(id.clone());
            }
        }
        (out, groups)
    }

    /// Starts one poll at `t` (ms since the epoch).
    pub fn begin(&mut self, t: u64) -> PollRun<'_> {
        self.polls += 1;
        PollRun { poller: self, t, round: 0, responses: Vec::new(), pending: Vec::new(), groups: Vec::new() }
    }

    /// The jobs of a `/jobs/overview` answer worth watching: every job that is not done,
    /// and done jobs not yet seen in that state; at most [`MAX_WATCHED`], running first.
    fn watched(&self, jobs: &[rest::JobSummary]) -> Vec<(String, String)> {
        let mut out: Vec<&rest::JobSummary> = jobs
            .iter()
            .filter(|j| {
                !rest::is_terminal(&j.state) || self.seen.get(&j.jid).is_none_or(|s| s.state != j.state)
            })
            .collect();
        out.sort_by_key(|j| (rest::is_terminal(&j.state), std::cmp::Reverse(j.start_time), j.jid.clone()));
        out.into_iter().take(MAX_WATCHED).map(|j| (j.jid.clone(), j.state.clone())).collect()
    }

    /// Forgets the jobs Flink's list no longer shows (it drops finished jobs after a
    /// while): a session cluster that runs thousands of jobs keeps no memory of them here.
    fn forget_unlisted(&mut self, jobs: &[rest::JobSummary]) {
        let listed = |jid: &str| jobs.iter().any(|j| j.jid == jid);
        self.seen.retain(|jid, _| listed(jid));
        self.kept.retain(|path, _| {
            path.strip_prefix("/jobs/").is_none_or(|rest| listed(rest.split(['/', '?']).next().unwrap_or("")))
        });
    }

    /// Whether a job's details are due: new, changed state or restart count, or stale.
    fn details_due(&self, jid: &str, state: &str, restarts: Option<&str>) -> bool {
        match self.seen.get(jid) {
            None => true,
            Some(s) => {
                s.state != state
                    || s.restarts.as_deref() != restarts
                    || (!rest::is_terminal(state) && self.polls - s.fetched_at >= DETAILS_EVERY)
            }
        }
    }
}

/// One poll in progress: ask [`PollRun::paths`], answer with [`PollRun::receive`], until no
/// paths are left; then [`PollRun::finish`].
#[derive(Debug)]
pub struct PollRun<'a> {
    poller: &'a mut Poller,
    t: u64,
    round: u8,
    responses: Vec<Response>,
    /// Round 3's jobs: (jid, state).
    pending: Vec<(String, String)>,
    /// The hunt's groups asked about this poll: (path, ids).
    groups: Vec<(String, Vec<String>)>,
}

impl PollRun<'_> {
    /// The requests of the next round (all may run at once); empty when the poll is done.
    pub fn paths(&mut self) -> Vec<String> {
        match self.round {
            0 => vec!["/overview".into(), "/taskmanagers".into()],
            // No answer at all (refused, timed out): the rest would not answer either.
            1 if self.responses.iter().any(|r| r.path == "/overview" && r.status == 0) => Vec::new(),
            1 => {
                let list: Vec<rest::TaskManagerInfo> = self
                    .answer("/taskmanagers")
                    .and_then(|b| serde_json::from_str::<rest::TaskManagers>(b).ok())
                    .map(|l| l.taskmanagers)
                    .unwrap_or_default();
                let ids: Vec<String> = list.iter().map(|t| t.id.clone()).collect();
                let (chosen, groups) = self.poller.choose(&ids);
                self.groups = groups.into_iter().map(|g| (group_path(&g), g)).collect();
                let mut out = vec![summary_path()];
                out.extend(self.groups.iter().map(|(p, _)| p.clone()));
                for id in &chosen {
                    // The list carries each one's memory configuration since Flink 1.15.
                    if list.iter().any(|t| t.id == *id && t.memory_configuration.is_none()) {
                        out.push(format!("/taskmanagers/{id}"));
                    }
                    out.push(metrics_path(id));
                }
                out.extend(jobmanager_paths());
                out
            }
            2 => {
                let Some(jobs) = self
                    .answer("/jobs/overview")
                    .and_then(|b| serde_json::from_str::<rest::JobsOverview>(b).ok())
                    .map(|o| o.jobs)
                else {
                    return Vec::new();
                };
                self.poller.forget_unlisted(&jobs);
                self.pending = self.poller.watched(&jobs);
                self.pending.iter().map(|(jid, _)| restarts_path(jid)).collect()
            }
            3 => {
                let mut out = Vec::new();
                for (jid, state) in std::mem::take(&mut self.pending) {
                    let restarts = self.answer(&restarts_path(&jid)).and_then(restart_count);
                    if self.poller.details_due(&jid, &state, restarts.as_deref()) {
                        out.extend(details_paths(&jid));
                        let fetched_at = self.poller.polls;
                        self.poller.seen.insert(jid, Seen { state, restarts, fetched_at });
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// The answers to the last [`PollRun::paths`], in any order.
    pub fn receive(&mut self, answers: impl IntoIterator<Item = Response>) {
        self.responses.extend(answers);
        self.round += 1;
    }

    /// The poll, without job answers equal to the last kept for their path.
    pub fn finish(self) -> Poll {
        // How full each TaskManager read this poll is, for the next polls' choice.
        let list: Vec<rest::TaskManagerInfo> = self
            .answer("/taskmanagers")
            .and_then(|b| serde_json::from_str::<rest::TaskManagers>(b).ok())
            .map(|l| l.taskmanagers)
            .unwrap_or_default();
        let memory = |id: &str| list.iter().find(|t| t.id == id).and_then(|t| t.memory_configuration);
        // The fullest group holds the next poll's suspects.
        let fullest = self
            .groups
            .iter()
            .filter_map(|(path, ids)| Some((group_pressure(self.answer(path)?)?, ids)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, ids)) = fullest {
            self.poller.suspects = ids.clone();
        }
        for r in self.responses.iter().filter(|r| r.status == 200) {
            let Some(id) =
                r.path.strip_prefix("/taskmanagers/").and_then(|p| p.split_once("/metrics")).map(|x| x.0)
            else {
                continue;
            };
            if let Ok(m) = rest::parse_metrics(&r.body) {
                let tm = crate::snapshot::TaskManagerSnapshot {
                    id: id.to_owned(),
                    slots: 0,
                    free_slots: 0,
                    memory: memory(id),
                    metrics: m.into_iter().collect(),
                };
                self.poller.pressure.insert(id.to_owned(), crate::cluster::card(&tm).pressure());
            }
        }
        for r in &self.responses {
            let Some(jid) = r.path.strip_prefix("/jobs/").filter(|j| !j.contains('/') && !j.contains('?'))
            else {
                continue;
            };
            if r.status != 200 {
                // Details that did not arrive are asked for again next poll.
                self.poller.seen.remove(jid);
            } else if let Ok(d) = serde_json::from_str::<rest::JobDetails>(&r.body) {
                // The details may lag the job list (a job failing between the two requests:
                // the list says FAILED, the details still RUNNING, no exception yet): what
                // the details said is what was seen, so they are asked for again.
                if let Some(seen) = self.poller.seen.get_mut(jid) {
                    seen.state = d.state;
                }
            }
        }
        let kept = &mut self.poller.kept;
        let responses = self
            .responses
            .into_iter()
            .filter(|r| {
                if !is_kept_when_changed(&r.path) || r.status != 200 {
                    return true;
                }
                if kept.get(&r.path) == Some(&r.body) {
                    return false;
                }
                kept.insert(r.path.clone(), r.body.clone());
                true
            })
            .collect();
        Poll { t: self.t, responses }
    }

    fn answer(&self, path: &str) -> Option<&str> {
        self.responses.iter().find(|r| r.path == path && r.status == 200).map(|r| r.body.as_str())
    }
}

/// The `numRestarts` value of a job metrics answer, as Flink wrote it.
fn restart_count(body: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct M {
        id: String,
        value: String,
    }
    serde_json::from_str::<Vec<M>>(body).ok()?.into_iter().find(|m| m.id == NUM_RESTARTS).map(|m| m.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake cluster: answers every path from a table (404 otherwise).
    fn run(poller: &mut Poller, answers: &BTreeMap<&str, String>) -> (Vec<Vec<String>>, Poll) {
        let mut run = poller.begin(1);
        let mut rounds = Vec::new();
        loop {
            let paths = run.paths();
            if paths.is_empty() {
                break;
            }
            let got: Vec<Response> = paths
                .iter()
                .map(|p| match answers.get(p.as_str()) {
                    Some(b) => Response { path: p.clone(), status: 200, body: b.clone(), t: 1 },
                    None => Response { path: p.clone(), status: 404, body: String::new(), t: 1 },
                })
                .collect();
            rounds.push(paths);
            run.receive(got);
        }
        (rounds, run.finish())
    }

    fn cluster(state: &str, restarts: u32) -> BTreeMap<&'static str, String> {
        [
            ("/overview", "{}".to_owned()),
            ("/jobmanager/config", r#"[{"key":"a","value":"1"}]"#.to_owned()),
            ("/taskmanagers", r#"{"taskmanagers":[{"id":"tm1","slotsNumber":1,"freeSlots":0}]}"#.to_owned()),
            (
                "/jobs/overview",
                format!(
                    r#"{{"jobs":[{{"jid":"j1","name":"a","state":"{state}","start-time":5}},{{"jid":"old","name":"b","state":"FINISHED","start-time":1}}]}}"#
                ),
            ),
            ("/jobs/j1/metrics?get=numRestarts", format!(r#"[{{"id":"numRestarts","value":"{restarts}"}}]"#)),
            ("/jobs/j1/exceptions?maxExceptions=5", r#"{"exceptionHistory":{"entries":[]}}"#.to_owned()),
            ("/jobs/j1", format!(r#"{{"jid":"j1","name":"a","state":"{state}"}}"#)),
            ("/jobs/old", r#"{"jid":"old","name":"b","state":"FINISHED"}"#.to_owned()),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn details_are_fetched_when_a_job_is_new_changes_or_restarts_and_unchanged_answers_are_dropped() {
        let mut p = Poller::new();
        let (rounds, poll) = run(&mut p, &cluster("RUNNING", 0));
        assert_eq!(rounds[0], ["/overview", "/taskmanagers"]);
        assert!(
            rounds[1].contains(&"/taskmanagers/tm1".to_owned())
                && rounds[1].contains(&"/jobs/overview".to_owned())
        );
        // Both jobs are new: the running one first; the finished one once.
        assert_eq!(rounds[2], ["/jobs/j1/metrics?get=numRestarts", "/jobs/old/metrics?get=numRestarts"]);
        assert_eq!(
            rounds[3],
            [
                "/jobs/j1",
                "/jobs/j1/exceptions?maxExceptions=5",
                "/jobs/old",
                "/jobs/old/exceptions?maxExceptions=5"
            ]
        );
        assert!(poll.responses.iter().any(|r| r.path == "/jobs/j1/exceptions?maxExceptions=5"));

        // Nothing changed: only the restart count is asked for, and its answer is dropped.
        let (rounds, poll) = run(&mut p, &cluster("RUNNING", 0));
        assert_eq!(rounds.len(), 3);
        assert_eq!(rounds[2], ["/jobs/j1/metrics?get=numRestarts"]);
        assert!(!poll.responses.iter().any(|r| r.path.starts_with("/jobs/j1")));
        assert!(!poll.responses.iter().any(|r| r.path == "/jobmanager/config"), "the same configuration");

        // A restart: details again; the exceptions answer is the same text, so it is dropped.
        let (rounds, poll) = run(&mut p, &cluster("RUNNING", 1));
        assert_eq!(rounds[3], ["/jobs/j1", "/jobs/j1/exceptions?maxExceptions=5"]);
        let paths: Vec<&str> = poll.responses.iter().map(|r| r.path.as_str()).collect();
        assert!(paths.contains(&"/jobs/j1/metrics?get=numRestarts"));
        assert!(!paths.contains(&"/jobs/j1/exceptions?maxExceptions=5"));

        // Failed: fetched once in that state, then no more requests for it.
        let (rounds, _) = run(&mut p, &cluster("FAILED", 1));
        assert_eq!(rounds[3], ["/jobs/j1", "/jobs/j1/exceptions?maxExceptions=5"]);
        let (rounds, _) = run(&mut p, &cluster("FAILED", 1));
        assert_eq!(rounds.len(), 2, "{rounds:?}");
    }

    #[test]
    fn details_that_lag_the_job_list_are_asked_for_again() {
        let mut p = Poller::new();
        run(&mut p, &cluster("RUNNING", 0));
        // The list says FAILED; the details, fetched a moment later, still say RUNNING.
        let mut lagging = cluster("FAILED", 0);
        lagging.insert("/jobs/j1", r#"{"jid":"j1","name":"a","state":"RUNNING"}"#.to_owned());
        let (rounds, _) = run(&mut p, &lagging);
        assert_eq!(rounds[3], ["/jobs/j1", "/jobs/j1/exceptions?maxExceptions=5"]);
        let (rounds, _) = run(&mut p, &cluster("FAILED", 0));
        assert_eq!(rounds[3], ["/jobs/j1", "/jobs/j1/exceptions?maxExceptions=5"], "asked again");
        let (rounds, _) = run(&mut p, &cluster("FAILED", 0));
        assert_eq!(rounds.len(), 2, "then settled: {rounds:?}");
    }

    #[test]
    fn a_running_job_is_looked_at_again_every_few_polls() {
        let mut p = Poller::new();
        let c = cluster("RUNNING", 0);
        let fetched: Vec<bool> = (0..=DETAILS_EVERY)
            .map(|_| run(&mut p, &c).0.get(3).is_some_and(|r| r.contains(&"/jobs/j1".to_owned())))
            .collect();
        assert!(fetched[0] && fetched[DETAILS_EVERY as usize]);
        assert!(fetched[1..DETAILS_EVERY as usize].iter().all(|f| !f));
    }

    #[test]
    fn jobs_gone_from_the_list_are_forgotten() {
        let mut p = Poller::new();
        run(&mut p, &cluster("RUNNING", 0));
        assert!(p.kept.keys().any(|k| k.starts_with("/jobs/j1")));
        let mut none = cluster("RUNNING", 0);
        none.insert("/jobs/overview", r#"{"jobs":[]}"#.to_owned());
        run(&mut p, &none);
        assert!(p.seen.is_empty());
        assert!(p.kept.keys().all(|k| !k.starts_with("/jobs/")), "{:?}", p.kept.keys());
        assert!(p.kept.contains_key("/jobmanager/config"));
    }

    #[test]
    fn failed_requests_are_kept_and_the_poll_goes_on() {
        let mut p = Poller::new();
        let (rounds, poll) = run(&mut p, &BTreeMap::new());
        assert_eq!(rounds.len(), 2, "no TaskManager list and no job list: two rounds");
        assert!(poll.responses.iter().all(|r| r.status == 404));
        assert_eq!(poll.responses[0].path, "/overview");
    }
}
