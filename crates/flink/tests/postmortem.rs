//! The post-mortem on real failures of a local Flink 2.3.0 cluster, recorded once by
//! `tools/record-diagnosis.sh MODE` (public/recordings/, provenance in each recording's
//! `source`): each verdict holds as recorded, with every TaskManager and job id renamed,
//! and with every second poll dropped; and what is not a failure has no post-mortem
//! finding.

use memlab_flink::diagnose::{self, Advice, Basis, Cause, Kind, Options, Report};
use memlab_flink::poll;
use memlab_flink::recording::{Poll, Recording};
use memlab_flink::taskmanager;

fn load(name: &str) -> Recording {
    let path = format!("{}/../../public/recordings/{name}.memlab.json", env!("CARGO_MANIFEST_DIR"));
    Recording::parse(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

fn diagnose(r: &Recording) -> Report {
    diagnose::diagnose(&r.snapshots(), &Options::default())
}

/// Every TaskManager and job id replaced by another, in every path and body.
fn renamed(r: &Recording) -> Recording {
    let snaps = r.snapshots();
    let mut ids: Vec<String> = Vec::new();
    for s in &snaps {
        ids.extend(s.taskmanagers.iter().map(|t| t.id.clone()));
        ids.extend(s.jobs.iter().map(|j| j.jid.clone()));
    }
    ids.sort();
    ids.dedup();
    let mut out = r.clone();
    for p in &mut out.polls {
        for resp in &mut p.responses {
            for (k, id) in ids.iter().enumerate() {
                // Same shape (a job id stays 32 hex digits; a TaskManager keeps host:port-suffix).
                let new = if id.len() == 32 {
                    format!("{k:0>32x}")
                } else {
                    id.replace('-', "-r").replace("127.0.0.1", "10.1.2.3")
                };
                resp.path = resp.path.replace(id.as_str(), &new);
                resp.body = resp.body.replace(id.as_str(), &new);
            }
        }
    }
    out
}

/// Every second poll dropped. A poller that polls half as often still fetches a job's
/// details when they change, so what a dropped poll alone held of them (an answer kept
/// only because it changed) moves to the next poll kept.
fn thinned(r: &Recording) -> Recording {
    let mut out = r.clone();
    let mut polls: Vec<Poll> = Vec::new();
    let mut carry = Vec::new();
    for (i, p) in r.polls.iter().enumerate() {
        if i % 2 == 1 {
            carry.extend(p.responses.iter().filter(|x| poll::is_kept_when_changed(&x.path)).cloned());
            continue;
        }
        let mut p = p.clone();
        for c in carry.drain(..) {
            if !p.responses.iter().any(|x| x.path == c.path) {
                p.responses.push(c);
            }
        }
        polls.push(p);
    }
    out.polls = polls;
    out
}

/// The post-mortem findings as (kind, cause, quoted?).
fn verdicts(r: &Report) -> Vec<(Kind, Cause, bool)> {
    r.postmortems()
        .map(|f| {
            let pm = f.postmortem.as_ref().unwrap();
            (f.kind, pm.cause, matches!(pm.basis, Basis::Quoted { .. }))
        })
        .collect()
}

/// Every proposed TaskManager change re-derives, from its base plus its changes, to its `after`.
fn changes_rederive(rec: &Recording, r: &Report) -> Vec<String> {
    let snaps = rec.snapshots();
    let cluster = snaps.iter().rev().find_map(|s| s.jobmanager_config.clone());
    let mem = snaps.iter().find_map(|s| s.taskmanagers.iter().find_map(|t| t.memory)).unwrap();
    let base = diagnose::recommend::base(cluster.as_ref(), &mem).unwrap();
    let mut keys = Vec::new();
    for f in r.postmortems() {
        if let Advice::TaskManager(rec) = &f.advice {
            let mut c = base.config.clone();
            for ch in &rec.changes {
                c.set(&ch.key, &ch.to);
                keys.push(ch.key.clone());
            }
            let d = taskmanager::derive(&c).unwrap_or_else(|e| panic!("{:?}: invalid change: {e}", f.kind));
            assert_eq!(d, rec.after, "{:?}", f.kind);
        }
    }
    keys
}

/// Checks `name` as recorded, renamed and thinned with `check`.
fn holds(name: &str, check: impl Fn(&str, &Recording, &Report)) {
    let rec = load(name);
    for (how, r) in [("as recorded", rec.clone()), ("renamed", renamed(&rec)), ("thinned", thinned(&rec))] {
        let report = diagnose(&r);
        check(&format!("{name} ({how})"), &r, &report);
    }
}

fn has(v: &[(Kind, Cause, bool)], kind: Kind, cause: Cause) -> bool {
    v.iter().any(|x| x.0 == kind && x.1 == cause)
}

#[test]
fn a_taskmanager_that_ran_out_of_heap_is_lost_to_java_heap_space_and_its_job_failed() {
    holds("tm-heap-oom", |what, rec, r| {
        let v = verdicts(r);
        assert!(has(&v, Kind::TaskManagerLost, Cause::HeapSpace), "{what}: {v:?}");
        assert!(v.iter().any(|x| matches!(x.0, Kind::JobFailed | Kind::JobRestarts)), "{what}: {v:?}");
        assert!(changes_rederive(rec, r).iter().any(|k| k.starts_with("taskmanager.memory.")), "{what}");
    });
}

#[test]
fn a_job_whose_task_ran_out_of_heap_quotes_java_heap_space() {
    holds("job-heap-oom", |what, rec, r| {
        let v = verdicts(r);
        assert!(
            v.iter().any(|x| matches!(x.0, Kind::JobFailed | Kind::JobRestarts)
                && x.1 == Cause::HeapSpace
                && x.2),
            "{what}: {v:?}"
        );
        assert!(!v.iter().any(|x| x.0 == Kind::TaskManagerLost), "{what}: the TaskManager survived: {v:?}");
        changes_rederive(rec, r);
    });
}

#[test]
fn direct_buffer_memory_is_quoted_and_task_off_heap_grows() {
    holds("direct-oom", |what, rec, r| {
        let v = verdicts(r);
        assert!(v.iter().any(|x| x.1 == Cause::DirectBuffer && x.2), "{what}: {v:?}");
        assert!(
            changes_rederive(rec, r).contains(&"taskmanager.memory.task.off-heap.size".to_owned()),
            "{what}"
        );
    });
}

/// Metaspace filled by class loaders: the TaskManager exits before Flink can report the
/// error (only a heartbeat timeout reaches the exception history), so the cause is
/// inferred — from committed metaspace at its maximum, while `Used` was at two thirds.
#[test]
fn a_taskmanager_out_of_metaspace_is_lost_to_metaspace_and_jvm_metaspace_grows() {
    holds("metaspace-oom", |what, rec, r| {
        let v = verdicts(r);
        assert!(has(&v, Kind::TaskManagerLost, Cause::Metaspace), "{what}: {v:?}");
        assert!(
            changes_rederive(rec, r).contains(&"taskmanager.memory.jvm-metaspace.size".to_owned()),
            "{what}"
        );
    });
}

#[test]
fn insufficient_network_buffers_are_quoted_and_network_memory_grows() {
    holds("network-buffers", |what, rec, r| {
        let v = verdicts(r);
        assert!(has(&v, Kind::JobFailed, Cause::NetworkBuffers), "{what}: {v:?}");
        assert!(
            changes_rederive(rec, r).iter().any(|k| k.starts_with("taskmanager.memory.network.")),
            "{what}"
        );
    });
}

#[test]
fn a_killed_taskmanager_is_lost_from_outside_with_no_memory_pressure() {
    holds("tm-killed", |what, _, r| {
        let v = verdicts(r);
        assert!(
            v.iter().any(|x| x.0 == Kind::TaskManagerLost && x.1 == Cause::KilledFromOutside && !x.2),
            "{what}: {v:?}"
        );
    });
}

#[test]
fn what_is_not_a_failure_has_no_post_mortem() {
    for name in [
        "tm-idle-release",
        "job-cancel",
        "healthy",
        "heap-leak",
        "rocksdb",
        "managed-idle",
        "metaspace",
        "local-2tm",
    ] {
        holds(name, |what, _, r| assert_eq!(verdicts(r), vec![], "{what}"));
    }
}

#[test]
fn each_failure_recording_is_small_and_says_how_it_was_made() {
    for name in [
        "tm-heap-oom",
        "job-heap-oom",
        "direct-oom",
        "metaspace-oom",
        "network-buffers",
        "tm-killed",
        "tm-idle-release",
        "job-cancel",
    ] {
        let path = format!("{}/../../public/recordings/{name}.memlab.json", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{path}: {e}")).len();
        assert!(bytes <= 1 << 20, "{name}: {bytes} bytes");
        let r = load(name);
        for key in ["mode", "flink", "config", "job", "command"] {
            assert!(r.source.contains_key(key), "{name}: no {key} in its source");
        }
        assert_eq!(r.source["mode"], name);
    }
}

/// The whole cluster stopping (the TaskManagers leave, then the JobManager stops
/// answering) is not a failure; the same TaskManagers leaving while the JobManager goes on
/// answering is.
#[test]
fn a_cluster_stopping_is_not_a_lost_taskmanager() {
    let rec = load("job-cancel");
    let stop_at = 20;
    let emptied = |mut r: Recording, jm_down: bool| {
        for (i, p) in r.polls.iter_mut().enumerate().skip(stop_at) {
            for resp in &mut p.responses {
                if i > stop_at && jm_down {
                    *resp = memlab_flink::recording::Response {
                        status: 0,
                        body: "connection refused".into(),
                        ..resp.clone()
                    };
                } else if resp.path == "/taskmanagers" {
                    resp.body = r#"{"taskmanagers":[]}"#.into();
                }
            }
            p.responses.retain(|x| !x.path.starts_with("/taskmanagers/"));
        }
        r
    };
    let stopped = diagnose(&emptied(rec.clone(), true));
    assert_eq!(verdicts(&stopped), vec![], "the cluster stopped");
    let lost = diagnose(&emptied(rec, false));
    assert!(verdicts(&lost).iter().any(|v| v.0 == Kind::TaskManagerLost), "the JobManager still answers");
}
