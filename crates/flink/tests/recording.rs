//! The bundled recording, made from a real Flink 2.3.0 cluster by `tools/record.py` (the recorder before `memlab record`)
//! (`scripts/flink-cluster.sh start 2 && scripts/flink-cluster.sh submit`).

use memlab_flink::recording::Recording;
use memlab_flink::{taskmanager, FlinkConfig};

fn bundled() -> Recording {
    let path = format!(
        "{}/../../public/recordings/local-2tm.memlab.json",
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
    );
    Recording::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_bundled_recording_is_real_and_long_enough() {
    let r = bundled();
    assert!(r.duration_s() >= 300.0, "{} s", r.duration_s());
    let snaps = r.snapshots();
    assert!(snaps.iter().all(|s| s.errors.is_empty()), "{:?}", snaps.iter().flat_map(|s| &s.errors).next());
    let last = snaps.last().unwrap();
    assert_eq!(last.overview.as_ref().unwrap().flink_version, "2.3.0");
    assert_eq!(last.taskmanagers.len(), 2);
    assert!(last.jobs.iter().any(|j| j.state == "RUNNING"));
    for tm in &last.taskmanagers {
        assert!(tm.metric("Status.JVM.Memory.Heap.Used").unwrap() > 0.0);
        let mem = tm.memory.unwrap();
        // The REST API's configured sizes agree with the live metrics' totals.
        assert_eq!(tm.metric("Status.Flink.Memory.Managed.Total").unwrap() as u64, mem.managed_memory);
        assert_eq!(
            tm.metric("Status.Shuffle.Netty.TotalMemorySegments").unwrap() as u64,
            mem.network_memory / 32768
        );
    }
}

#[test]
fn our_calculator_derives_exactly_what_the_real_cluster_reports() {
    // The cluster's config (scripts/flink-cluster.sh): process.size 1024m, 2 slots.
    let c =
        FlinkConfig::from_yaml("taskmanager.memory.process.size: 1024m\ntaskmanager.numberOfTaskSlots: 2")
            .unwrap();
    let m = taskmanager::derive(&c).unwrap();
    let rest = bundled().snapshots()[0].taskmanagers[0].memory.unwrap();
    assert_eq!(
        [
            rest.framework_heap,
            rest.task_heap,
            rest.framework_off_heap,
            rest.task_off_heap,
            rest.network_memory,
            rest.managed_memory,
            rest.jvm_metaspace,
            rest.jvm_overhead,
            rest.total_flink_memory,
            rest.total_process_memory
        ],
        [
            m.framework_heap.bytes,
            m.task_heap.bytes,
            m.framework_off_heap.bytes,
            m.task_off_heap.bytes,
            m.network.bytes,
            m.managed.bytes,
            m.jvm_metaspace.bytes,
            m.jvm_overhead.bytes,
            m.total_flink(),
            m.total_process()
        ]
    );
}

#[test]
fn cluster_cards_rederive_and_find_gone_taskmanagers() {
    let snaps = bundled().snapshots();
    let (cards, gone) = memlab_flink::cluster::at(&snaps, snaps.len() - 1);
    assert_eq!(cards.len(), 2);
    assert!(gone.is_empty());
    for c in &cards {
        assert_eq!(c.config_mismatch, None, "{}", c.id);
        assert!(c.heap.unwrap().ratio() > 0.0);
        assert!(c.network.unwrap().capacity > 0.0);
    }
    // Drop a TaskManager from the last snapshot: it is reported gone, last seen before.
    let mut cut = snaps.clone();
    let last = cut.len() - 1;
    let removed = cut[last].taskmanagers.remove(0).id;
    let (cards, gone) = memlab_flink::cluster::at(&cut, last);
    assert_eq!(cards.len(), 1);
    assert_eq!(gone, vec![(removed, snaps[last - 1].t)]);
    let heap = memlab_flink::cluster::series(&snaps, &cards[0].id, "Status.JVM.Memory.Heap.Used");
    assert_eq!(heap.len(), snaps.len());
}

#[test]
fn a_real_prometheus_scrape_gives_the_same_metrics() {
    // Scraped from Flink 2.3.0's PrometheusReporter (scripts/flink-cluster.sh prometheus).
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/prometheus-taskmanager.txt",
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
    ))
    .unwrap();
    assert!(memlab_flink::prometheus::looks_like_scrape(&text));
    let r = Recording::from_prometheus("scrape.txt", &text, 1);
    let snaps = r.snapshots();
    let tm = &snaps[0].taskmanagers[0];
    assert!(tm.id.contains(':'), "{}", tm.id);
    for id in [
        "Status.JVM.Memory.Heap.Used",
        "Status.JVM.Memory.Heap.Max",
        "Status.Flink.Memory.Managed.Total",
        "Status.Shuffle.Netty.TotalMemorySegments",
        "Status.JVM.GarbageCollector.G1_Young_Generation.Count",
    ] {
        assert!(tm.metric(id).is_some(), "{id} missing");
    }
    // Same configuration as the REST recording: the reporter's totals equal memoryConfiguration.
    let rest = bundled().snapshots()[0].taskmanagers[0].memory.unwrap();
    assert_eq!(tm.metric("Status.Flink.Memory.Managed.Total").unwrap() as u64, rest.managed_memory);
    let card = memlab_flink::cluster::card(tm);
    assert!(card.heap.is_some() && card.network.is_some());
}

#[test]
fn the_jobmanager_runs_with_the_heap_memlab_derives_from_its_config() {
    // scripts/flink-cluster.sh starts the JobManager with the JVM arguments Flink derives,
    // so its reported maximum heap equals memlab's derivation from GET /jobmanager/config.
    let last = bundled().snapshots().pop().unwrap();
    let config = last.jobmanager_config.expect("the recording holds /jobmanager/config");
    assert_eq!(config.get("jobmanager.memory.process.size"), Some("1024m"));
    let m = memlab_flink::jobmanager::derive(&config).unwrap();
    assert_eq!(last.jobmanager_metrics["Status.JVM.Memory.Heap.Max"] as u64, m.jvm_heap.bytes);
}
