//! Readings out of all the snapshots at once: the batch diagnosis (`memlab diagnose`, and
//! the reference the incremental [`super::history`] is tested against).

use std::borrow::Cow;

use super::super::stats::Point;
use super::common::*;
use crate::recording::Snapshot;
use crate::rest::MemoryConfiguration;

/// One process's metrics over the snapshots.
pub(super) struct Scan<'a> {
    pub id: &'a str,
    pub jm: bool,
    pub snaps: &'a [Snapshot],
    pub t0: u64,
}

impl Scan<'_> {
    fn get(&self, s: &Snapshot, m: &str) -> Option<f64> {
        if self.jm {
            s.jobmanager_metrics.get(m).copied()
        } else {
            s.taskmanagers.iter().find(|t| t.id == self.id)?.metric(m)
        }
    }
}

impl Readings for Scan<'_> {
    fn id(&self) -> &str {
        self.id
    }

    fn jm(&self) -> bool {
        self.jm
    }

    fn series(&self, m: &str, running_only: bool) -> Cow<'_, Series> {
        Cow::Owned(
            self.snaps
                .iter()
                .enumerate()
                .filter(|(_, s)| !running_only || running(s))
                .filter_map(|(i, s)| {
                    let v = self.get(s, m)?;
                    v.is_finite().then(|| (i, (seconds(s, self.t0), v)))
                })
                .collect(),
        )
    }

    fn last(&self, m: &str) -> Option<f64> {
        self.snaps.iter().rev().find_map(|s| self.get(s, m))
    }

    fn memory(&self) -> Option<MemoryConfiguration> {
        if self.jm {
            return None;
        }
        self.snaps.iter().rev().find_map(|s| s.taskmanagers.iter().find(|t| t.id == self.id)?.memory)
    }

    fn after_gc(&self) -> Cow<'_, [Point]> {
        let heap = self.series(HEAP, false);
        let counts = self.series(GC_COUNT, false);
        Cow::Owned(
            counts
                .windows(2)
                .filter(|w| w[1].1 .1 > w[0].1 .1)
                .filter_map(|w| {
                    let (i, (t, v)) = *heap.iter().find(|h| h.0 == w[1].0)?;
                    // A Prometheus step's lowest heap reading is the level after its collection.
                    let low = self.get(&self.snaps[i], HEAP_LOW).filter(|v| v.is_finite());
                    Some((t, low.unwrap_or(v)))
                })
                .collect(),
        )
    }

    fn step_s(&self) -> f64 {
        self.snaps.last().map_or(0.0, |s| s.step_ms as f64 / 1000.0)
    }

    fn native_estimate(&self) -> Cow<'_, Series> {
        let non_heap = self.series(NON_HEAP, false);
        Cow::Owned(
            non_heap
                .iter()
                .filter_map(|&(i, (t, nh))| {
                    let s = &self.snaps[i];
                    Some((i, (t, native(nh, self.get(s, METASPACE)?, self.get(s, THREADS)))))
                })
                .collect(),
        )
    }
}

/// How many jobs the cluster was given after the first snapshot.
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
