//! What each process used over the data, read through the same [`Readings`] as the
//! detectors: the evidence tuning sizes a configuration from ([`crate::tune`]).

use super::super::stats;
use super::super::thresholds as th;
use super::super::Usage;
use super::common::*;
use super::history::History;
use super::scan::Scan;
use crate::recording::Snapshot;

/// Every TaskManager's use and the JobManager's, in the order they first appear, read out
/// of all the snapshots at once.
pub(in super::super) fn of(snaps: &[Snapshot]) -> Vec<Usage> {
    let t0 = snaps.first().map_or(0, |s| s.t);
    let mut ids: Vec<&str> = Vec::new();
    for s in snaps {
        for tm in &s.taskmanagers {
            if !ids.contains(&tm.id.as_str()) {
                ids.push(&tm.id);
            }
        }
    }
    let mut out: Vec<Usage> = ids.into_iter().map(|id| usage(&Scan { id, jm: false, snaps, t0 })).collect();
    if snaps.iter().any(|s| !s.jobmanager_metrics.is_empty()) {
        out.push(usage(&Scan { id: "jobmanager", jm: true, snaps, t0 }));
    }
    out
}

/// The same from the series a [`super::Diagnoser`] keeps as polls arrive (no snapshot is
/// read again).
pub(super) fn of_history(h: &History) -> Vec<Usage> {
    h.taskmanagers.iter().map(|p| usage(p)).chain(h.jobmanager.iter().map(|p| usage(p))).collect()
}

fn mean(points: &[stats::Point]) -> Option<f64> {
    (!points.is_empty()).then(|| points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64)
}

fn peak(points: &[stats::Point]) -> Option<f64> {
    (!points.is_empty()).then(|| stats::max_value(points).0)
}

fn usage(p: &dyn Readings) -> Usage {
    let heap = pts(&p.series(HEAP, false));
    let after_gc = p.after_gc();
    let minima = stats::window_minima(&after_gc, th::ENVELOPE_WINDOW_S);
    let gc = pts(&p.series(GC_MS, false));
    let meta = pts(&p.series(METASPACE, false));
    let committed = pts(&p.series(METASPACE_COMMITTED, false));
    let managed = pts(&p.series(MANAGED, true));
    let net = pts(&p.series(NET_USED, true));
    let native = pts(&p.native_estimate());
    let all = p.series(HEAP, false);
    let running = p.series(HEAP, true);
    Usage {
        subject: p.id().to_owned(),
        memory: p.memory(),
        span_s: span(&all),
        running_span_s: span(&running),
        step_s: p.step_s(),
        heap_mean: mean(&heap),
        live_set: peak(&minima),
        post_gc_windows: minima.len(),
        heap_limit: p.last(HEAP_MAX),
        gc_median_ms: (!gc.is_empty()).then(|| stats::median_value(&gc).0),
        metaspace_mean: mean(&meta),
        metaspace_peak: match (peak(&meta), peak(&committed)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        },
        metaspace_limit: p.last(METASPACE_MAX),
        managed_mean: mean(&managed),
        managed_peak: peak(&managed),
        network_peak_segments: peak(&net),
        network_total_segments: p.last(NET_TOTAL),
        native_peak: peak(&native),
    }
}
