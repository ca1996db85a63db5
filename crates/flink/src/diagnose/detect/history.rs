//! Readings kept as polls arrive: each poll appends to every process's series once, so a
//! live session's next diagnosis does not read all of its past polls again (the batch
//! [`super::scan`] looks up every process in every snapshot for every metric).

use std::borrow::Cow;
use std::collections::HashMap;

use super::super::stats::Point;
use super::common::*;
use crate::config::FlinkConfig;
use crate::recording::Snapshot;
use crate::rest::MemoryConfiguration;
use crate::snapshot::TaskManagerSnapshot;

/// One process's readings so far.
#[derive(Clone, Debug, Default)]
pub(super) struct ProcHistory {
    id: String,
    jm: bool,
    /// One per [`SERIES`] entry.
    series: [Series; SERIES.len()],
    /// One per [`LAST`] entry.
    last: [Option<f64>; LAST.len()],
    memory: Option<MemoryConfiguration>,
    after_gc: Vec<Point>,
    native: Series,
    step_s: f64,
}

impl ProcHistory {
    fn new(id: &str, jm: bool) -> ProcHistory {
        ProcHistory { id: id.to_owned(), jm, ..ProcHistory::default() }
    }

    /// Appends poll `i`, read through `get`.
    fn push(&mut self, i: usize, s: &Snapshot, t: f64, get: impl Fn(&str) -> Option<f64>) {
        self.step_s = s.step_ms as f64 / 1000.0;
        let heap_at = self.series[0].len();
        let last_count = self.series[1].last().map(|x| x.1 .1);
        for (k, &(m, running_only)) in SERIES.iter().enumerate() {
            if running_only && !running(s) {
                continue;
            }
            if let Some(v) = get(m).filter(|v| v.is_finite()) {
                self.series[k].push((i, (t, v)));
            }
        }
        for (k, m) in LAST.iter().enumerate() {
            if let Some(v) = get(m) {
                self.last[k] = Some(v);
            }
        }
        // A heap reading at a poll whose GC count rose since the previous count.
        let count = self.series[1].last().filter(|x| x.0 == i).map(|x| x.1 .1);
        if let (Some(c), Some(before), Some(h)) = (count, last_count, self.series[0].get(heap_at)) {
            if c > before {
                // A Prometheus step's lowest heap reading is the level after its collection.
                let low = get(HEAP_LOW).filter(|v| v.is_finite());
                self.after_gc.push((h.1 .0, low.unwrap_or(h.1 .1)));
            }
        }
        if let Some(nh) = get(NON_HEAP).filter(|v| v.is_finite()) {
            if let Some(meta) = get(METASPACE) {
                self.native.push((i, (t, native(nh, meta, get(THREADS)))));
            }
        }
    }
}

impl Readings for ProcHistory {
    fn id(&self) -> &str {
        &self.id
    }

    fn jm(&self) -> bool {
        self.jm
    }

    fn series(&self, m: &str, running_only: bool) -> Cow<'_, Series> {
        match SERIES.iter().position(|&x| x == (m, running_only)) {
            Some(k) => Cow::Borrowed(&self.series[k]),
            None => unreachable!("the detectors read {m} (running only: {running_only}), which is not kept"),
        }
    }

    fn last(&self, m: &str) -> Option<f64> {
        match LAST.iter().position(|&x| x == m) {
            Some(k) => self.last[k],
            None => unreachable!("the detectors read the last {m}, which is not kept"),
        }
    }

    fn memory(&self) -> Option<MemoryConfiguration> {
        self.memory
    }

    fn after_gc(&self) -> Cow<'_, [Point]> {
        Cow::Borrowed(&self.after_gc)
    }

    fn native_estimate(&self) -> Cow<'_, Series> {
        Cow::Borrowed(&self.native)
    }

    fn step_s(&self) -> f64 {
        self.step_s
    }
}

/// Every process's readings so far, and what the report needs besides.
#[derive(Clone, Debug, Default)]
pub(super) struct History {
    pub polls: usize,
    t0: u64,
    last_t: u64,
    /// In the order they first appeared.
    pub taskmanagers: Vec<ProcHistory>,
    index: HashMap<String, usize>,
    pub jobmanager: Option<ProcHistory>,
    /// The newest JobManager configuration.
    pub cluster: Option<FlinkConfig>,
    jobs_seen: Vec<String>,
    /// How many jobs the cluster was given after the first poll.
    pub submissions: usize,
    /// The cluster's story, for the post-mortem.
    pub timeline: super::incidents::Timeline,
}

impl History {
    pub fn span_s(&self) -> f64 {
        self.last_t.saturating_sub(self.t0) as f64 / 1000.0
    }

    /// Appends one poll.
    pub fn push(&mut self, s: &Snapshot) {
        let i = self.polls;
        if i == 0 {
            self.t0 = s.t;
            self.jobs_seen = s.jobs.iter().map(|j| j.jid.clone()).collect();
        }
        self.polls += 1;
        self.last_t = s.t;
        self.timeline.push(s);
        let t = seconds(s, self.t0);
        for j in &s.jobs {
            if !self.jobs_seen.contains(&j.jid) {
                self.jobs_seen.push(j.jid.clone());
                self.submissions += 1;
            }
        }
        if let Some(c) = &s.jobmanager_config {
            self.cluster = Some(c.clone());
        }
        for tm in &s.taskmanagers {
            let k = match self.index.get(&tm.id) {
                Some(&k) => k,
                None => {
                    self.index.insert(tm.id.clone(), self.taskmanagers.len());
                    self.taskmanagers.push(ProcHistory::new(&tm.id, false));
                    self.taskmanagers.len() - 1
                }
            };
            let p = &mut self.taskmanagers[k];
            p.push(i, s, t, |m| TaskManagerSnapshot::metric(tm, m));
            if tm.memory.is_some() {
                p.memory = tm.memory;
            }
        }
        if self.jobmanager.is_some() || !s.jobmanager_metrics.is_empty() {
            let jm = self.jobmanager.get_or_insert_with(|| ProcHistory::new("jobmanager", true));
            jm.push(i, s, t, |m| s.jobmanager_metrics.get(m).copied());
        }
    }
}
