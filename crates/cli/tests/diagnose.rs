//! `memlab diagnose` as a user (or a CI job) runs it, on the real recordings.

use assert_cmd::Command;
use serde_json::Value;

fn memlab() -> Command {
    Command::cargo_bin("memlab").unwrap()
}

fn recording(name: &str) -> String {
    format!(
        "{}/../../public/recordings/{name}.memlab.json",
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
    )
}

#[test]
fn prints_findings_with_diffs_and_stable_json_kinds() {
    let out = memlab().args(["diagnose", &recording("heap-leak")]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("heap-leak"), "{text}");
    assert!(text.contains("+ taskmanager.memory.managed.fraction: 0.1"), "{text}");

    let out = memlab().args(["diagnose", &recording("heap-leak"), "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> =
        v["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"heap-leak") && kinds.contains(&"managed-idle"), "{kinds:?}");
    let rec = v["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "managed-idle").unwrap();
    assert_eq!(rec["recommendation"]["processDelta"], 0);
    assert!(
        rec["recommendation"]["after"]["taskHeap"]["bytes"].as_u64()
            > rec["recommendation"]["before"]["taskHeap"]["bytes"].as_u64()
    );
}

#[test]
fn fail_on_sets_the_exit_status_for_ci() {
    memlab().args(["diagnose", &recording("heap-leak"), "--fail-on", "critical"]).assert().code(1);
    memlab().args(["diagnose", &recording("healthy"), "--fail-on", "info"]).assert().code(0);
    memlab()
        .args(["diagnose", &recording("healthy"), "--fail-on", "bad"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("expected info, warning or critical"));
}

#[test]
fn container_limit_and_alert_rules() {
    let out = memlab()
        .args(["diagnose", &recording("healthy"), "--container-limit", "900m", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["kind"] == "container-headroom"));
    memlab()
        .args(["diagnose", &recording("healthy"), "--container-limit", "1.5g"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--container-limit 1.5g"));
    let out = memlab().args(["diagnose", &recording("healthy"), "--alert-rules"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# Prometheus alerting rules") && text.contains("alert: FlinkGcPressure"));
}

#[test]
fn a_damaged_file_says_what_is_wrong() {
    let dir = std::env::temp_dir().join(format!("memlab-diag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("cut.memlab.json");
    std::fs::write(&f, "{\"format\": \"memlab-recording\", \"version\": 1, \"polls\": [{\"t\": 1, ").unwrap();
    memlab().arg("diagnose").arg(&f).assert().code(2).stderr(predicates::str::contains("not JSON"));
    memlab()
        .args(["diagnose", "/nonexistent.memlab.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read"));
    // In 简体中文 too.
    memlab()
        .args(["diagnose", "--lang", "zh"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("这不是 JSON（第 1 行"));
    memlab()
        .args(["diagnose", "/nonexistent.memlab.json", "--lang", "zh"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("无法读取 /nonexistent.memlab.json"));
}

#[test]
fn an_allocator_scenario_gets_its_fragmentation_findings() {
    let out = memlab().args(["diagnose", "builtin:fragmentation-oom", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> =
        v["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["fragmentation-oom", "fragmentation"]);
    memlab().args(["diagnose", "builtin:fragmentation-oom", "--fail-on", "critical"]).assert().code(1);
    memlab().args(["diagnose", "builtin:batch-sort-pages", "--fail-on", "warning"]).assert().code(0);
}

#[test]
fn lang_zh_writes_the_report_in_chinese_with_the_same_kinds_and_keys() {
    let out = memlab().args(["diagnose", &recording("heap-leak"), "--lang", "zh"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("堆泄漏") && text.contains("修改：") && text.contains("托管内存"), "{text}");
    // Kinds and option keys stay as they are (they are what scripts and configs use).
    assert!(
        text.contains("heap-leak") && text.contains("+ taskmanager.memory.managed.fraction: 0.1"),
        "{text}"
    );
    let zh: Value = serde_json::from_slice(
        &memlab()
            .args(["diagnose", &recording("heap-leak"), "--json", "--lang", "zh"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let en: Value = serde_json::from_slice(
        &memlab().args(["diagnose", &recording("heap-leak"), "--json"]).output().unwrap().stdout,
    )
    .unwrap();
    let kinds =
        |v: &Value| v["findings"].as_array().unwrap().iter().map(|f| f["kind"].clone()).collect::<Vec<_>>();
    assert_eq!(kinds(&zh), kinds(&en));
    let scenario = memlab().args(["diagnose", "builtin:fragmentation-oom", "--lang", "zh"]).output().unwrap();
    assert!(String::from_utf8(scenario.stdout).unwrap().contains("外部碎片"));
    memlab().args(["diagnose", &recording("heap-leak"), "--lang", "fr"]).assert().code(2);
}

#[test]
fn a_lost_taskmanager_fails_ci_and_its_json_says_the_cause_and_how_it_is_known() {
    memlab().args(["diagnose", &recording("tm-killed"), "--fail-on", "critical"]).assert().code(1);
    memlab().args(["diagnose", &recording("tm-idle-release"), "--fail-on", "warning"]).assert().code(0);
    let out = memlab().args(["diagnose", &recording("job-heap-oom"), "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["subjectType"] == "job").unwrap();
    assert_eq!(f["postmortem"]["cause"], "heap-space");
    assert_eq!(f["postmortem"]["basis"], "quoted");
    assert!(f["postmortem"]["quoted"].as_str().unwrap().contains("OutOfMemoryError: Java heap space"));
    assert_eq!(v["jobs"][0]["id"], f["subject"]);
}

#[test]
fn record_says_when_nothing_answers() {
    // A port nothing listens on (the dynamic range's last), and a non-URL.
    memlab()
        .args([
            "record",
            "--cluster",
            "http://127.0.0.1:65534",
            "-o",
            "/tmp/memlab-none.memlab.json",
            "--duration",
            "1s",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no answer from http://127.0.0.1:65534/overview"));
    memlab()
        .args(["record", "--cluster", "localhost:8081", "-o", "/tmp/memlab-none.memlab.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not an http:// or https:// address"));
    memlab()
        .args(["record", "--cluster", "http://h", "-o", "x.memlab.json", "--interval", "soon"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a duration"));
}

#[test]
fn tune_prints_a_pasteable_configuration_in_each_format_and_refuses_short_data() {
    let out = memlab().args(["tune", &recording("healthy")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    // Explanations are comments: the rest is config.yaml.
    let config: Vec<&str> = text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
    assert!(config.contains(&"taskmanager.memory.process.size: 1g"), "{text}");
    assert!(config.iter().all(|l| l.starts_with("taskmanager.")), "{config:?}");
    assert!(text.contains("the operator (Flink Kubernetes Operator 1.15.0"), "{text}");

    let k8s = memlab().args(["tune", &recording("healthy"), "--shrink", "--format", "k8s"]).output().unwrap();
    let k8s = String::from_utf8(k8s.stdout).unwrap();
    assert!(k8s.contains("spec:\n  taskManager:\n    resource:\n      memory: "), "{k8s}");

    let dynamic = memlab().args(["tune", &recording("healthy"), "--format", "dynamic"]).output().unwrap();
    assert!(String::from_utf8(dynamic.stdout).unwrap().contains("-Dtaskmanager.memory.managed.size=0b"));

    let out = memlab().args(["tune", &recording("healthy"), "--json", "--lang", "zh"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["groups"][0]["taskmanagers"].as_array().unwrap().len(), 2);
    assert!(v["groups"][0]["parts"][0]["reason"].as_str().unwrap().contains("存活集"));

    // Too little data: exit 3 and how much more to record.
    let out = memlab().args(["tune", &recording("job-cancel")]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8(out.stdout).unwrap().contains("record"));
    memlab().args(["tune"]).assert().code(2);
    memlab().args(["tune", &recording("healthy"), "--headroom", "-1"]).assert().code(2);
    memlab().args(["tune", &recording("healthy"), "--format", "xml"]).assert().code(2);
}
