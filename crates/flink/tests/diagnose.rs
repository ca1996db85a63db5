//! The diagnosis on synthetic series (each detector, noisy and short data) and on the real
//! recordings in public/recordings (made by tools/record-diagnosis.sh).

use std::collections::BTreeMap;

use memlab_flink::diagnose::{self, recommend, Kind, Options, Report, Severity};
use memlab_flink::recording::{Recording, Snapshot, TaskManagerSnapshot};
use memlab_flink::rest::{JobSummary, MemoryConfiguration};
use memlab_flink::{taskmanager, FlinkConfig};
use memlab_text::Lang::En;

const MB: f64 = 1024.0 * 1024.0;

fn cluster_config() -> FlinkConfig {
    let mut c = FlinkConfig::new();
    c.set("taskmanager.memory.process.size", "1024m");
    c.set("taskmanager.numberOfTaskSlots", "2");
    c
}

fn memory() -> MemoryConfiguration {
    let d = taskmanager::derive(&cluster_config()).unwrap();
    MemoryConfiguration {
        framework_heap: d.framework_heap.bytes,
        task_heap: d.task_heap.bytes,
        framework_off_heap: d.framework_off_heap.bytes,
        task_off_heap: d.task_off_heap.bytes,
        network_memory: d.network.bytes,
        managed_memory: d.managed.bytes,
        jvm_metaspace: d.jvm_metaspace.bytes,
        jvm_overhead: d.jvm_overhead.bytes,
        total_flink_memory: d.total_flink(),
        total_process_memory: d.total_process(),
    }
}

/// A small deterministic noise source in [-1, 1].
fn noise(i: usize) -> f64 {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

/// One TaskManager with a running job, polled every 5 s; `f` overrides a healthy baseline.
fn run(polls: usize, f: impl Fn(usize, &mut BTreeMap<String, f64>)) -> Vec<Snapshot> {
    (0..polls)
        .map(|i| {
            let mut m: BTreeMap<String, f64> = [
                ("Status.JVM.Memory.Heap.Used", 40.0 * MB + (i % 4) as f64 * 25.0 * MB + noise(i) * 3.0 * MB),
                ("Status.JVM.Memory.Heap.Max", 154.0 * MB),
                ("Status.JVM.GarbageCollector.All.Count", i as f64),
                ("Status.JVM.GarbageCollector.All.TimeMsPerSecond", 2.0),
                ("Status.JVM.GarbageCollector.G1_Old_Generation.Count", 0.0),
                ("Status.JVM.Memory.Metaspace.Used", 50.0 * MB),
                ("Status.JVM.Memory.NonHeap.Used", 75.0 * MB),
                ("Status.JVM.Threads.Count", 50.0),
                ("Status.JVM.Memory.Direct.MemoryUsed", 73.0 * MB),
                ("Status.Flink.Memory.Managed.Used", 0.0),
                ("Status.Shuffle.Netty.UsedMemorySegments", 4.0),
                ("Status.Shuffle.Netty.TotalMemorySegments", 2048.0),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            f(i, &mut m);
            let job = |jid: &str| JobSummary {
                jid: jid.into(),
                name: "job".into(),
                state: "RUNNING".into(),
                start_time: 0,
            };
            Snapshot {
                t: 1_000_000 + i as u64 * 5_000,
                taskmanagers: vec![TaskManagerSnapshot {
                    id: "tm-1".into(),
                    slots: 2,
                    free_slots: 0,
                    memory: Some(memory()),
                    metrics: m,
                }],
                jobs: vec![job("j1")],
                jobmanager_config: Some(cluster_config()),
                ..Snapshot::default()
            }
        })
        .collect()
}

fn diagnose(s: &[Snapshot]) -> Report {
    diagnose::diagnose(s, &Options::default())
}

fn kinds(r: &Report) -> Vec<Kind> {
    r.findings.iter().map(|f| f.kind).collect()
}

fn set(m: &mut BTreeMap<String, f64>, k: &str, v: f64) {
    m.insert(k.to_owned(), v);
}

/// Every recommendation re-derives, from the base config plus its changes, to its `after`.
fn check_recommendations(s: &[Snapshot], r: &Report) {
    let base = recommend::base(s[0].jobmanager_config.as_ref(), &memory()).unwrap();
    assert!(base.from_cluster);
    for f in &r.findings {
        if let Some(rec) = f.recommendation() {
            let mut c = base.config.clone();
            for ch in &rec.changes {
                c.set(&ch.key, &ch.to);
            }
            let d = taskmanager::derive(&c)
                .unwrap_or_else(|e| panic!("{:?} gives an invalid config: {e}", f.kind));
            assert_eq!(d, rec.after, "{:?}", f.kind);
            assert!(!rec.changes.is_empty());
        }
    }
}

#[test]
fn a_rising_post_gc_floor_is_a_leak_with_a_forecast() {
    // +0.5 MiB per 5 s after each GC: 6 MiB/min, under a saw-tooth and noise.
    let s = run(60, |i, m| {
        set(
            m,
            "Status.JVM.Memory.Heap.Used",
            40.0 * MB + i as f64 * 0.5 * MB + (i % 4) as f64 * 20.0 * MB + noise(i) * 2.0 * MB,
        )
    });
    let r = diagnose(&s);
    let leak = r.findings.iter().find(|f| f.kind == Kind::HeapLeak).expect("a heap leak");
    let t = leak.evidence.trend.unwrap();
    assert!((t.slope * 60.0 / MB - 6.0).abs() < 1.0, "slope {} MiB/min", t.slope * 60.0 / MB);
    assert!(t.tau >= 0.6);
    assert!(kinds(&r).contains(&Kind::OomRisk));
    // Stopgap from the idle managed and network memory, process unchanged.
    let rec = leak.recommendation().unwrap();
    assert_eq!(rec.process_delta, 0);
    assert!(rec.after.task_heap.bytes > rec.before.task_heap.bytes);
    check_recommendations(&s, &r);
}

#[test]
fn a_noisy_flat_saw_tooth_is_not_a_leak() {
    let s = run(72, |i, m| {
        set(m, "Status.JVM.Memory.Heap.Used", 40.0 * MB + (i % 5) as f64 * 20.0 * MB + noise(i) * 10.0 * MB)
    });
    let r = diagnose(&s);
    assert!(!kinds(&r).contains(&Kind::HeapLeak), "{:?}", kinds(&r));
    assert!(!r.pending.iter().any(|p| p.kind == Kind::HeapLeak));
}

#[test]
fn too_little_data_says_not_enough_data_yet() {
    let s = run(20, |i, m| set(m, "Status.JVM.Memory.Heap.Used", 40.0 * MB + i as f64 * 5.0 * MB));
    let r = diagnose(&s);
    assert!(!kinds(&r).contains(&Kind::HeapLeak));
    let p = r.pending.iter().find(|p| p.kind == Kind::HeapLeak).unwrap();
    assert!(p.message.in_lang(En).starts_with("not enough data yet"), "{}", p.message.in_lang(En));
    assert!(r.pending.iter().any(|p| p.kind == Kind::GcPressure));
}

#[test]
fn without_collections_a_filling_heap_is_not_a_leak() {
    let s = run(60, |i, m| {
        set(m, "Status.JVM.Memory.Heap.Used", 40.0 * MB + i as f64 * MB);
        set(m, "Status.JVM.GarbageCollector.All.Count", 6.0);
    });
    let r = diagnose(&s);
    assert!(!kinds(&r).contains(&Kind::HeapLeak));
    let p = r.pending.iter().find(|p| p.kind == Kind::HeapLeak).unwrap();
    assert!(p.message.in_lang(En).contains("no garbage collection"), "{}", p.message.in_lang(En));
}

#[test]
fn gc_pressure_by_time_and_by_full_collections() {
    let warn = diagnose(&run(60, |_, m| set(m, "Status.JVM.GarbageCollector.All.TimeMsPerSecond", 150.0)));
    let f = warn.findings.iter().find(|f| f.kind == Kind::GcPressure).unwrap();
    assert_eq!(f.severity, Severity::Warning);
    let heap_gain = {
        let rec = f.recommendation().unwrap();
        rec.after.task_heap.bytes - rec.before.task_heap.bytes
    };
    assert!(heap_gain >= 38 << 20, "at least a quarter of the heap more: {heap_gain}");
    let crit = diagnose(&run(60, |_, m| set(m, "Status.JVM.GarbageCollector.All.TimeMsPerSecond", 400.0)));
    assert_eq!(
        crit.findings.iter().find(|f| f.kind == Kind::GcPressure).unwrap().severity,
        Severity::Critical
    );
    let full = diagnose(&run(60, |i, m| {
        set(m, "Status.JVM.GarbageCollector.G1_Old_Generation.Count", (i / 6) as f64)
    }));
    assert!(kinds(&full).contains(&Kind::GcPressure));
    let calm = diagnose(&run(60, |_, _| {}));
    assert!(!kinds(&calm).contains(&Kind::GcPressure));
}

#[test]
fn gc_pressure_without_a_donor_grows_the_process() {
    let s = run(60, |_, m| {
        set(m, "Status.JVM.GarbageCollector.All.TimeMsPerSecond", 150.0);
        set(m, "Status.Flink.Memory.Managed.Used", memory().managed_memory as f64);
        set(m, "Status.Shuffle.Netty.UsedMemorySegments", 900.0);
    });
    let r = diagnose(&s);
    let rec =
        r.findings.iter().find(|f| f.kind == Kind::GcPressure).unwrap().recommendation().cloned().unwrap();
    assert!(rec.process_delta > 0);
    assert!(rec.changes.iter().any(|c| c.key == "taskmanager.memory.process.size"));
    assert!(rec.after.task_heap.bytes >= rec.before.task_heap.bytes + (38 << 20));
    check_recommendations(&s, &r);
}

#[test]
fn network_exhausted_and_idle() {
    let s = run(60, |_, m| set(m, "Status.Shuffle.Netty.UsedMemorySegments", 2040.0));
    let r = diagnose(&s);
    let f = r.findings.iter().find(|f| f.kind == Kind::NetworkExhausted).unwrap();
    let rec = f.recommendation().unwrap();
    assert!(rec.after.network.bytes > rec.before.network.bytes);
    assert_eq!(rec.process_delta, 0, "the bytes come from idle managed memory");
    assert!(!kinds(&r).contains(&Kind::NetworkIdle));
    check_recommendations(&s, &r);

    let idle = diagnose(&run(60, |_, _| {}));
    let f = idle.findings.iter().find(|f| f.kind == Kind::NetworkIdle).unwrap();
    assert_eq!(f.severity, Severity::Info);
    let rec = f.recommendation().unwrap();
    assert_eq!(rec.process_delta, 0);
    assert_eq!(rec.after.network.bytes, 32 << 20, "not below the floor");
    assert_eq!(rec.after.task_heap.bytes - rec.before.task_heap.bytes, 32 << 20);
}

#[test]
fn managed_idle_and_full() {
    let r = diagnose(&run(60, |_, _| {}));
    let f = r.findings.iter().find(|f| f.kind == Kind::ManagedIdle).unwrap();
    let rec = f.recommendation().unwrap();
    assert_eq!(rec.changes[0].key, "taskmanager.memory.managed.fraction");
    assert_eq!(rec.changes[0].to, "0.1");
    assert_eq!(rec.process_delta, 0);
    assert_eq!(
        rec.after.task_heap.bytes - rec.before.task_heap.bytes,
        rec.before.managed.bytes - rec.after.managed.bytes,
        "the task heap gets exactly what managed memory gives"
    );
    let full =
        diagnose(&run(60, |_, m| set(m, "Status.Flink.Memory.Managed.Used", memory().managed_memory as f64)));
    assert!(kinds(&full).contains(&Kind::ManagedFull));
    assert!(!kinds(&full).contains(&Kind::ManagedIdle));
    // Full managed memory needs no change, and the finding says why.
    let f = full.findings.iter().find(|f| f.kind == Kind::ManagedFull).unwrap();
    match &f.advice {
        memlab_flink::diagnose::Advice::None(why) => assert!(why.in_lang(En).contains("RocksDB"), "{why}"),
        other => panic!("managed-full proposes {other:?}"),
    }
    // Before a job has run for long enough, nothing is said.
    let short = diagnose(&run(20, |_, _| {}));
    assert!(!kinds(&short).contains(&Kind::ManagedIdle));
    assert!(short.pending.iter().any(|p| p.kind == Kind::ManagedIdle));
}

#[test]
fn metaspace_near_its_limit_and_growing_across_submissions() {
    let s = run(60, |_, m| set(m, "Status.JVM.Memory.Metaspace.Used", 245.0 * MB));
    let r = diagnose(&s);
    let f = r
        .findings
        .iter()
        .find(|f| f.kind == Kind::OomRisk && f.evidence.metric.contains("Metaspace"))
        .unwrap();
    assert_eq!(f.severity, Severity::Critical);
    let rec = f.recommendation().unwrap();
    assert!(rec.after.jvm_metaspace.bytes as f64 >= 245.0 * MB * 1.5);
    assert_eq!(rec.process_delta, 0, "taken from idle managed memory");
    check_recommendations(&s, &r);

    let mut s =
        run(60, |i, m| set(m, "Status.JVM.Memory.Metaspace.Used", 50.0 * MB + (i / 10) as f64 * 4.0 * MB));
    for (i, snap) in s.iter_mut().enumerate() {
        snap.jobs[0].jid = format!("job-{}", i / 10);
    }
    let r = diagnose(&s);
    let f = r.findings.iter().find(|f| f.kind == Kind::MetaspaceGrowth).unwrap();
    assert!(f.headline.in_lang(En).contains("5 job submission"), "{}", f.headline.in_lang(En));
    let flat =
        diagnose(&run(60, |i, m| set(m, "Status.JVM.Memory.Metaspace.Used", 50.0 * MB + noise(i) * MB)));
    assert!(!kinds(&flat).contains(&Kind::MetaspaceGrowth));
}

#[test]
fn direct_memory_near_max_direct_memory_size() {
    let max = {
        let m = memory();
        (m.framework_off_heap + m.task_off_heap + m.network_memory) as f64
    };
    let s = run(30, |_, m| set(m, "Status.JVM.Memory.Direct.MemoryUsed", max * 0.97));
    let r = diagnose(&s);
    let f =
        r.findings.iter().find(|f| f.kind == Kind::OomRisk && f.evidence.metric.contains("Direct")).unwrap();
    assert!(f.explanation.in_lang(En).contains("Direct buffer memory"));
    let rec = f.recommendation().unwrap();
    assert!(rec.after.task_off_heap.bytes >= 64 << 20);
    check_recommendations(&s, &r);
    // Still far from the limit but rising steadily: a forecast.
    let s = run(60, |i, m| set(m, "Status.JVM.Memory.Direct.MemoryUsed", 73.0 * MB + i as f64 * 0.5 * MB));
    let r = diagnose(&s);
    let f =
        r.findings.iter().find(|f| f.kind == Kind::OomRisk && f.evidence.metric.contains("Direct")).unwrap();
    assert!(f.headline.in_lang(En).contains("reached in about"), "{}", f.headline.in_lang(En));
    assert!(f.recommendation().is_some());
    let flat =
        diagnose(&run(60, |i, m| set(m, "Status.JVM.Memory.Direct.MemoryUsed", 73.0 * MB + noise(i) * MB)));
    assert!(!flat.findings.iter().any(|f| f.kind == Kind::OomRisk));
}

#[test]
fn overhead_too_small_for_native_memory() {
    let s = run(30, |_, m| {
        set(m, "Status.JVM.Memory.NonHeap.Used", 200.0 * MB);
        set(m, "Status.JVM.Threads.Count", 60.0);
    });
    let r = diagnose(&s);
    let f = r.findings.iter().find(|f| f.kind == Kind::OverheadSmall).unwrap();
    let rec = f.recommendation().unwrap();
    // 150 MiB non-heap outside metaspace + 60 thread stacks = 210 MiB; overhead must reach 210 / 0.8.
    assert!(rec.after.jvm_overhead.bytes as f64 >= 210.0 * MB / 0.8);
    check_recommendations(&s, &r);
    assert!(!kinds(&diagnose(&run(30, |_, _| {}))).contains(&Kind::OverheadSmall));
}

#[test]
fn a_process_larger_than_its_container() {
    let s = run(60, |_, _| {});
    let r = diagnose::diagnose(&s, &Options { container_limit: Some(900 << 20) });
    let f = r.findings.iter().find(|f| f.kind == Kind::ContainerHeadroom).unwrap();
    assert_eq!(f.severity, Severity::Critical);
    let rec = f.recommendation().unwrap();
    assert_eq!(rec.after.total_process(), 900 << 20);
    assert!(
        rec.changes.iter().any(|c| c.key == "taskmanager.memory.managed.fraction"),
        "idle managed memory goes first"
    );
    check_recommendations(&s, &r);
    assert!(!kinds(&diagnose::diagnose(&s, &Options { container_limit: Some(2 << 30) }))
        .contains(&Kind::ContainerHeadroom));
    // Too little data to call managed memory idle: 900m cannot hold Flink's defaults, and
    // the finding says why instead of proposing an invalid config.
    let short = diagnose::diagnose(&run(30, |_, _| {}), &Options { container_limit: Some(900 << 20) });
    let f = short.findings.iter().find(|f| f.kind == Kind::ContainerHeadroom).unwrap();
    assert!(f.recommendation().is_none());
    assert!(
        f.no_recommendation().unwrap().to_string().contains("Flink would reject"),
        "{:?}",
        f.no_recommendation()
    );
}

#[test]
fn applying_several_recommendations_gives_one_valid_config() {
    let s = run(60, |_, m| set(m, "Status.JVM.GarbageCollector.All.TimeMsPerSecond", 150.0));
    let r = diagnose(&s);
    let base = recommend::base(s[0].jobmanager_config.as_ref(), &memory()).unwrap();
    let recs: Vec<&recommend::Recommendation> =
        r.findings.iter().filter_map(|f| f.recommendation()).collect();
    assert!(recs.len() >= 3);
    let all = recommend::combine(&base, diagnose::Text::Empty, &recs).unwrap();
    assert_eq!(all.after.total_process(), all.before.total_process());
    let yaml = recommend::config_yaml(&base, &recs);
    let c = FlinkConfig::from_yaml(&yaml).unwrap();
    assert_eq!(taskmanager::derive(&c).unwrap(), all.after, "{yaml}");
}

#[test]
fn kinds_have_stable_names() {
    for k in Kind::ALL {
        assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.slug()));
    }
}

#[test]
fn alert_rules_carry_the_thresholds() {
    let y = diagnose::alerts::rules(Some(192 << 20), Some(256 << 20));
    let docs = yaml_rust2::YamlLoader::load_from_str(&y).unwrap();
    let rules = &docs[0]["groups"][0]["rules"];
    assert!(rules.as_vec().unwrap().len() >= 7);
    assert!(y.contains("TimeMsPerSecond >= 100"));
    // The post-mortem's, in the names Flink 2.3's PrometheusReporter exports.
    assert!(y.contains("delta(flink_jobmanager_numRegisteredTaskManagers[5m]) < 0"));
    assert!(y.contains("increase(flink_jobmanager_job_numRestarts[5m]) > 0"));
    assert!(y.contains(&format!("{}", (0.9 * (256u64 << 20) as f64) as u64)));
}

// ----- real recordings -----

fn recording(name: &str) -> Vec<Snapshot> {
    let path = format!(
        "{}/../../public/recordings/{name}.memlab.json",
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
    );
    Recording::parse(&std::fs::read_to_string(path).unwrap()).unwrap().snapshots()
}

fn subjects_with(r: &Report, k: Kind) -> Vec<&str> {
    r.findings.iter().filter(|f| f.kind == k).map(|f| f.subject.as_str()).collect()
}

#[test]
fn the_real_leak_is_found_and_the_healthy_job_is_not_flagged() {
    let leak = diagnose(&recording("heap-leak"));
    // The job runs one leaking task on each of the two TaskManagers; the JobManager is fine.
    assert_eq!(subjects_with(&leak, Kind::HeapLeak).len(), 2, "{:#?}", leak.findings);
    assert!(!subjects_with(&leak, Kind::HeapLeak).contains(&"jobmanager"));
    let healthy = diagnose(&recording("healthy"));
    assert!(subjects_with(&healthy, Kind::HeapLeak).is_empty(), "{:#?}", healthy.findings);
    // …and not for want of data: on both TaskManagers the leak detector had enough to decide.
    let undecided: Vec<_> =
        healthy.pending.iter().filter(|p| p.kind == Kind::HeapLeak && p.subject != "jobmanager").collect();
    assert!(undecided.is_empty(), "{undecided:#?}");
    let older = diagnose(&recording("local-2tm"));
    assert!(subjects_with(&older, Kind::HeapLeak).is_empty());
}

#[test]
fn idle_managed_memory_is_found_on_the_heap_backend_not_on_rocksdb() {
    let heap = diagnose(&recording("managed-idle"));
    assert!(!subjects_with(&heap, Kind::ManagedIdle).is_empty());
    let rocks = diagnose(&recording("rocksdb"));
    assert!(subjects_with(&rocks, Kind::ManagedIdle).is_empty(), "{:#?}", rocks.findings);
}

#[test]
fn resubmitting_the_same_jar_grows_the_jobmanagers_metaspace() {
    let r = diagnose(&recording("metaspace"));
    let f = r.findings.iter().find(|f| f.kind == Kind::MetaspaceGrowth).expect("metaspace growth");
    assert_eq!(f.subject, "jobmanager");
    assert!(f.headline.in_lang(En).contains("job submission"), "{}", f.headline.in_lang(En));
    // The JobManager's change, derived by the JobManager calculator: more metaspace, and
    // the process grows by the same bytes (the JobManager has no idle pool).
    let rec = f.jm_recommendation().expect("a JobManager recommendation");
    let added = rec.after.jvm_metaspace.bytes - rec.before.jvm_metaspace.bytes;
    assert!(added >= 64 << 20, "{added}");
    assert_eq!(rec.process_delta, added as i64);
    assert_eq!(rec.after.jvm_heap, rec.before.jvm_heap);
    // The other recordings run one job: no metaspace growth there.
    for name in ["heap-leak", "healthy", "managed-idle", "rocksdb"] {
        assert!(subjects_with(&diagnose(&recording(name)), Kind::MetaspaceGrowth).is_empty(), "{name}");
    }
}

#[test]
fn every_recommendation_on_real_data_is_a_valid_config() {
    for name in ["heap-leak", "healthy", "managed-idle", "rocksdb", "metaspace", "local-2tm"] {
        let s = recording(name);
        let r = diagnose(&s);
        for f in r.findings.iter().filter_map(|f| f.recommendation()) {
            assert!(taskmanager::derive(&{
                let mut c = s.iter().rev().find_map(|x| x.jobmanager_config.clone()).unwrap();
                for ch in &f.changes {
                    c.set(&ch.key, &ch.to);
                }
                c
            })
            .is_ok());
        }
    }
}

#[test]
fn every_sentence_of_a_report_reads_in_chinese() {
    use memlab_text::Lang;
    let cjk = memlab_text::has_han;
    for name in ["heap-leak", "managed-idle", "metaspace", "healthy", "rocksdb"] {
        let s = recording(name);
        // One report, in no language: the verdicts cannot depend on one.
        let zh = diagnose::diagnose(&s, &Options::default());
        for f in &zh.findings {
            let texts: Vec<String> = [&f.headline, &f.explanation]
                .into_iter()
                .chain(&f.evidence.facts)
                .chain(f.recommendation().map(|r| &r.summary))
                .chain(f.jm_recommendation().map(|r| &r.summary))
                .map(|t| t.in_lang(Lang::Zh))
                .chain(f.no_recommendation().map(|w| w.in_lang(Lang::Zh)))
                .collect();
            for t in &texts {
                assert!(cjk(t), "{name}: {:?} has English text: {t}", f.kind);
            }
            assert!(cjk(f.kind.title_in(Lang::Zh)) && cjk(f.severity.label_in(Lang::Zh)));
        }
        for p in &zh.pending {
            let m = p.message.in_lang(Lang::Zh);
            assert!(cjk(&m), "{name}: {m}");
        }
    }
}

#[test]
fn the_incremental_diagnosis_equals_the_batch_one_at_every_poll_of_every_recording() {
    let dir = format!("{}/../../public/recordings", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            e.ok()?.file_name().into_string().ok()?.strip_suffix(".memlab.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    // A limit small enough to raise container-headroom on every TaskManager.
    let opts = [Options::default(), Options { container_limit: Some(512 << 20) }];
    let mut findings = 0;
    for name in &names {
        let s = recording(name);
        let mut live = diagnose::Diagnoser::new();
        for i in 0..s.len() {
            live.push(&s[i]);
            for o in &opts {
                let batch = diagnose::diagnose(&s[..=i], o);
                findings += batch.findings.len();
                assert_eq!(live.report(o), batch, "{name}, poll {i}, {o:?}");
            }
        }
    }
    // The comparison covers findings with advice, not only empty reports.
    assert!(findings > 1000, "{findings}");
}

/// Evidence is honest whatever the series: over generated heap, metaspace and direct
/// series (rising, flat, saturating at the limit, with noise), no observed value above
/// its limit is reported, and no forecast says "in 0 s" — a limit already reached says
/// since when.
#[test]
fn no_generated_series_reports_an_observed_value_above_its_limit_or_a_forecast_of_zero() {
    let heap_max = 154.0 * MB;
    let meta_cap = memory().jvm_metaspace as f64;
    let direct_max = (memory().framework_off_heap + memory().task_off_heap + memory().network_memory) as f64;
    let mut findings = 0;
    for case in 0..120usize {
        let r = |k: usize| noise(case * 7919 + k);
        // Growth per poll, from flat to filling the limit well within the data.
        let heap_rate = (r(1) + 1.0) * 2.0 * MB;
        let meta_rate = (r(2) + 1.0) * 0.4 * MB;
        let direct_rate = (r(3) + 1.0) * 1.0 * MB;
        let polls = 40 + (r(4).abs() * 100.0) as usize;
        let s = run(polls, |i, m| {
            let i_f = i as f64;
            // The JVM never reports more than its limits: readings saturate there.
            let floor = (30.0 * MB + heap_rate * i_f).min(heap_max);
            let heap =
                (floor + (i % 3) as f64 * 10.0 * MB + noise(case * 31 + i) * 2.0 * MB).clamp(0.0, heap_max);
            set(m, "Status.JVM.Memory.Heap.Used", heap);
            set(m, "Status.JVM.GarbageCollector.G1_Old_Generation.Count", (i / 10) as f64);
            set(m, "Status.JVM.Memory.Metaspace.Used", (40.0 * MB + meta_rate * i_f).min(meta_cap));
            set(m, "Status.JVM.Memory.Direct.MemoryUsed", (20.0 * MB + direct_rate * i_f).min(direct_max));
        });
        let report = diagnose(&s);
        for f in &report.findings {
            findings += 1;
            for t in f.evidence.facts.iter().chain([&f.headline]) {
                for (v, limit) in t.observed_against_limit() {
                    assert!(
                        v.0 <= limit,
                        "case {case}: {:?} reports {} above its limit {}",
                        f.kind,
                        v.0,
                        limit
                    );
                }
                for lang in [En, memlab_text::Lang::Zh] {
                    let text = t.in_lang(lang);
                    for zero in ["in 0 s", "about 0 s", " 0 秒后", "大约 0 秒"] {
                        assert!(!text.contains(zero), "case {case}: {:?} says {text:?}", f.kind);
                    }
                }
            }
        }
    }
    assert!(findings > 100, "the generated series must exercise the detectors ({findings} findings)");
}
