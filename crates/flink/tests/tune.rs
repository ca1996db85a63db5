//! `memlab tune` on the real recordings in public/recordings: one configuration per group
//! that Flink accepts, each number with its reason; held pools; refusals that say what to do.

use std::sync::Arc;

use memlab_flink::diagnose::{self, Options as DiagOptions};
use memlab_flink::jobgraph::{JobGraph, Ship, Vertex};
use memlab_flink::recording::{Recording, Snapshot};
use memlab_flink::taskmanager;
use memlab_flink::tune::{self, render, Options, Part, Reason};
use memlab_text::Lang;

fn snapshots(name: &str) -> Vec<Snapshot> {
    let path = format!("{}/../../public/recordings/{name}.memlab.json", env!("CARGO_MANIFEST_DIR"));
    Recording::parse(&std::fs::read_to_string(path).unwrap()).unwrap().snapshots()
}

fn tuned(snaps: &[Snapshot], opts: &Options) -> tune::Tuning {
    let report = diagnose::diagnose(snaps, &DiagOptions::default());
    tune::tune(snaps, &report, opts)
}

fn part(g: &tune::Group, p: Part) -> &tune::Sized {
    g.parts.iter().find(|s| s.part == p).unwrap()
}

#[test]
fn a_healthy_cluster_gets_one_valid_configuration_of_the_same_size_with_idle_memory_moved() {
    let t = tuned(&snapshots("healthy"), &Options::default());
    assert_eq!(t.refused, None);
    assert_eq!(t.groups.len(), 1, "both TaskManagers have the same sizes");
    let g = &t.groups[0];
    assert_eq!(g.members.len(), 2);
    // The config.yaml lines alone derive to the planned model (the calculator checks it).
    let mut c = memlab_flink::FlinkConfig::new();
    for (k, v) in g.config.entries() {
        c.set(k, v);
    }
    assert_eq!(taskmanager::derive(&c).unwrap(), g.after);
    // Same process; managed memory (never used by the heap-backend job) released to the heap.
    assert_eq!(g.after.total_process(), g.base.memory.total_process());
    assert_eq!(part(g, Part::Managed).after, 0);
    assert!(matches!(part(g, Part::Managed).reason, Reason::ManagedReleased { .. }));
    assert!(g.notes.iter().any(|n| matches!(n, Reason::SpareToHeap { .. })));
    // Heap from the live set: above it by the headroom, and holding the freed bytes.
    let Reason::HeapFromLiveSet { live, headroom } = part(g, Part::Heap).reason else {
        panic!("heap reason {:?}", part(g, Part::Heap).reason)
    };
    assert_eq!(headroom, 0.2);
    assert!(part(g, Part::Heap).after as f64 > live * 1.2);
    // Metaspace from its peak with the headroom, rounded up to 16 MiB.
    let Reason::MetaspaceFromPeak { peak, .. } = part(g, Part::Metaspace).reason else { panic!() };
    let meta = part(g, Part::Metaspace).after;
    assert!(meta as f64 >= peak * 1.2 && meta.is_multiple_of(16 << 20));
    // No plan in this recording: network from the peak with a margin, at least 32 MiB, and said.
    assert!(g.notes.contains(&Reason::NoGraph));
    assert!(part(g, Part::Network).after >= 32 << 20);
    // The operator's choice on the same data derives, and shrinks the process.
    let (_, op) = g.operator.as_ref().unwrap();
    assert!(op.total_process() < g.base.memory.total_process());
    // Every sentence in both languages, and the three formats.
    for lang in [Lang::En, Lang::Zh] {
        let text = render::text("healthy", &t, render::Format::Yaml, lang);
        assert!(text.contains("taskmanager.memory.process.size: 1g"), "{text}");
        assert!(text.lines().all(|l| l.starts_with('#') || l.contains(": ") || l.is_empty()), "{text}");
    }
    assert!(render::text("x", &t, render::Format::Dynamic, Lang::En)
        .contains("-Dtaskmanager.memory.managed.size=0b"));
    let k8s = g.k8s();
    assert!(k8s.contains("    resource:\n      memory: \"1g\""), "{k8s}");
    assert!(!k8s.contains("taskmanager.memory.process.size"), "the process size is the resource's: {k8s}");
    let json = render::json("healthy", &t, Lang::En);
    assert_eq!(json["groups"][0]["config"]["taskmanager.memory.managed.size"], "0b");
}

#[test]
fn shrink_gives_the_smallest_process_and_a_container_limit_is_kept() {
    let snaps = snapshots("healthy");
    let kept = tuned(&snaps, &Options::default());
    let small = tuned(&snaps, &Options { shrink: true, ..Options::default() });
    let (k, s) = (&kept.groups[0], &small.groups[0]);
    assert!(s.after.total_process() < k.after.total_process());
    assert!(s.saved() > 0 && s.saved_total() == 2 * s.saved());
    // The parts sum to the process exactly: nothing spare.
    let need: u64 = s.parts.iter().map(|p| p.after).sum::<u64>()
        + s.after.framework_off_heap.bytes
        + s.after.task_off_heap.bytes;
    assert_eq!(need, s.after.total_process());
    // A container smaller than the need is refused with both sizes.
    let tiny = tuned(&snaps, &Options { container_limit: Some(256 << 20), ..Options::default() });
    assert!(matches!(tiny.refused, Some(Reason::OverContainer { limit, .. }) if limit == 256 << 20));
    // One that holds it caps the process.
    let cap = s.after.total_process() + (64 << 20);
    let capped = tuned(&snaps, &Options { container_limit: Some(cap), ..Options::default() });
    assert_eq!(capped.groups[0].after.total_process(), cap);
}

#[test]
fn rocksdb_keeps_its_managed_memory_and_gets_the_freed_bytes() {
    let t = tuned(&snapshots("rocksdb"), &Options::default());
    let g = &t.groups[0];
    let m = part(g, Part::Managed);
    assert!(matches!(m.reason, Reason::ManagedKept { .. }));
    assert!(m.after >= m.before);
    assert!(g.notes.iter().any(|n| matches!(n, Reason::SpareToManaged { .. })));
}

#[test]
fn a_leaking_heap_is_never_shrunk_and_gets_no_spare_bytes() {
    let snaps = snapshots("heap-leak");
    let t = tuned(&snaps, &Options::default());
    let g = &t.groups[0];
    let heap = part(g, Part::Heap);
    assert!(heap.after >= heap.before);
    let held = |r: &Reason| matches!(r, Reason::HeldLeak { .. });
    assert!(
        held(&heap.reason) || g.notes.iter().any(held),
        "the leak is named: {:?} {:?}",
        heap.reason,
        g.notes
    );
    assert!(g.notes.iter().any(|n| matches!(n, Reason::SpareReturned { .. })));
    let text = render::text("heap-leak", &t, render::Format::Yaml, Lang::En);
    assert!(text.contains("a leak is fixed in code"), "{text}");
}

#[test]
fn too_little_data_says_how_much_more_is_needed() {
    let t = tuned(&snapshots("job-cancel"), &Options::default());
    let Some(Reason::NeedMoreData { have_s, need_s }) = t.refused else { panic!("{:?}", t.refused) };
    assert!(have_s < need_s && need_s == 180.0);
    assert!(t.groups.is_empty());
    let text = render::text("job-cancel", &t, render::Format::Yaml, Lang::En);
    assert!(text.contains("record") && text.contains("more"), "{text}");
    // A window cut to its first minute of a healthy run: the same refusal.
    let snaps = snapshots("healthy");
    let t0 = snaps[0].t;
    let short: Vec<Snapshot> = snaps.into_iter().filter(|s| s.t - t0 < 60_000).collect();
    assert!(matches!(tuned(&short, &Options::default()).refused, Some(Reason::NeedMoreData { .. })));
}

/// The healthy recording's running job given the graph Flink 2.3 shows for the load job at
/// parallelism 8 with four keyed stages (from public/recordings/network-buffers.memlab.json).
fn with_graph(mut snaps: Vec<Snapshot>) -> Vec<Snapshot> {
    let ids = ["src", "k1", "k2", "k3", "k4"];
    let vertices = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Vertex {
            id: (*id).into(),
            name: (*id).into(),
            parallelism: 8,
            inputs: if i == 0 { vec![] } else { vec![(ids[i - 1].into(), Ship::Hash)] },
        })
        .collect();
    let graph = Arc::new(JobGraph { vertices });
    for s in &mut snaps {
        let running: Vec<String> =
            s.jobs.iter().filter(|j| j.state == "RUNNING").map(|j| j.jid.clone()).collect();
        for jid in running {
            let d = s.job_details.entry(jid.clone()).or_default();
            let d = Arc::make_mut(d);
            d.jid = jid;
            d.state = "RUNNING".into();
            d.graph = Some(graph.clone());
        }
    }
    snaps
}

#[test]
fn network_memory_comes_from_the_job_graph_as_the_operator_counts_it() {
    let t = tuned(&with_graph(snapshots("healthy")), &Options::default());
    let g = &t.groups[0];
    assert_eq!(t.graphs, 1);
    assert!(!g.notes.contains(&Reason::NoGraph));
    // Four HASH edges at parallelism 8: (8·2 + 8) segments at each end, 192 a slot, two
    // slots, 32 KiB each: 12 MiB — above the 10 segments in use, and above what a job of
    // this shape failed with (network-buffers: 32 segments).
    let n = part(g, Part::Network);
    assert!(matches!(n.reason, Reason::NetworkFromGraph { bytes, slots: 2, .. } if bytes == 384 * 32 * 1024));
    assert_eq!(n.after, 12 << 20);
    // The operator counts the same.
    let (changes, _) = g.operator.as_ref().unwrap();
    assert_eq!(changes.get("taskmanager.memory.network.max"), Some("12 mb"));
}

#[test]
fn a_prometheus_window_without_the_cluster_says_to_give_its_rest_address() {
    let mut snaps = snapshots("healthy");
    for s in &mut snaps {
        s.step_ms = 15_000;
        for tm in &mut s.taskmanagers {
            tm.memory = None;
        }
    }
    let t = tuned(&snaps, &Options::default());
    assert_eq!(t.refused, Some(Reason::NoSizesFromPrometheus));
    assert!(Reason::NoSizesFromPrometheus.in_lang(Lang::En).contains("--cluster"));
}

#[test]
fn a_live_session_reads_the_same_use_poll_by_poll_as_the_whole_recording() {
    for name in ["healthy", "heap-leak", "tm-killed"] {
        let snaps = snapshots(name);
        let mut d = diagnose::Diagnoser::new();
        for s in &snaps {
            d.push(s);
        }
        assert_eq!(d.usage(), diagnose::usage(&snaps), "{name}");
        let report = diagnose::diagnose(&snaps, &DiagOptions::default());
        let opts = Options::default();
        assert_eq!(
            tune::tune_with(&snaps, &d.usage(), &report, &opts),
            tune::tune(&snaps, &report, &opts),
            "{name}"
        );
    }
}
