//! The tuning verification tools/verify-tuning.sh ran on a real Flink 2.3.0 cluster,
//! replayed: its committed "before" recordings still tune to the configuration it ran, and
//! its "after" recordings (the same job on that configuration) still diagnose clean.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn case(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/tuning").join(name)
}

fn memlab(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("memlab").unwrap().args(args).output().unwrap()
}

#[test]
fn each_verified_case_tunes_to_what_ran_and_ran_clean() {
    for name in ["heap", "rocksdb"] {
        let dir = case(name);
        let file = |f: &str| dir.join(f).display().to_string();
        // The tool's own verdict, with its figures.
        let verify: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("verify.json")).unwrap()).unwrap();
        assert_eq!(verify["passed"], true, "{name}: {:#}", verify["checks"]);
        // Tuning the recording before gives the configuration the cluster ran after.
        let out = memlab(&["tune", &file("before.memlab.json"), "--shrink", "--headroom", "0.2"]);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let config: String = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(config, std::fs::read_to_string(dir.join("tuned.yaml")).unwrap(), "{name}");
        // The same job on it: no finding, no check pending on a TaskManager (the JobManager,
        // which was not tuned, collects its heap too rarely for six windows in six minutes).
        let out = memlab(&["diagnose", &file("after.memlab.json"), "--json"]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["findings"], Value::Array(vec![]), "{name}");
        let pending: Vec<&Value> =
            report["pending"].as_array().unwrap().iter().filter(|p| p["subject"] != "jobmanager").collect();
        assert!(pending.is_empty(), "{name}: {pending:?}");
    }
    // RocksDB keeps its managed memory; the heap backend's is released.
    let managed = |name: &str| {
        let text = std::fs::read_to_string(case(name).join("tuned.yaml")).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("taskmanager.memory.managed.size: ").map(str::to_owned))
            .unwrap()
    };
    assert_eq!(managed("heap"), "0b");
    assert_ne!(managed("rocksdb"), "0b");
}
