//! `memlab flink-memory` as a user runs it.

use assert_cmd::Command;
use serde_json::Value;

fn dir_with(name: &str, text: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("memlab-fm-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("config.yaml"), text).unwrap();
    d
}

#[test]
fn taskmanager_json_uses_rest_names_and_flinks_lines() {
    let d = dir_with("tm", "taskmanager.memory.process.size: 1728m\n");
    let out = Command::cargo_bin("memlab")
        .unwrap()
        .args(["flink-memory", "taskmanager", "--config"])
        .arg(&d)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Flink 2.3.0's BashJavaUtils prints exactly these for this config.
    assert_eq!(
        v["jvmArgs"],
        "-Xmx536870902 -Xms536870902 -XX:MaxDirectMemorySize=268435458 -XX:MaxMetaspaceSize=268435456"
    );
    assert_eq!(v["networkMemory"], 134217730);
    assert_eq!(v["managedMemory"], 536870920);
    assert_eq!(v["totalProcessMemory"], 1811939328u64);
    for k in [
        "frameworkHeap",
        "taskHeap",
        "frameworkOffHeap",
        "taskOffHeap",
        "jvmMetaspace",
        "jvmOverhead",
        "totalFlinkMemory",
        "dynamicProperties",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert_eq!(v["sources"]["jvmOverhead"], "clamped-to-min");
}

#[test]
fn invalid_config_exits_1_with_flinks_message_and_dynamic_overrides_apply() {
    let d = dir_with("bad", "taskmanager.memory.process.size: 2g\n");
    let out = Command::cargo_bin("memlab")
        .unwrap()
        .args(["flink-memory", "taskmanager", "--config"])
        .arg(&d)
        .args(["-D", "taskmanager.memory.process.size=100m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap().trim(),
        "TaskManager memory configuration failed: Sum of configured JVM Metaspace (256.000mb (268435456 bytes)) and JVM Overhead (192.000mb (201326592 bytes)) exceed configured Total Process Memory (100.000mb (104857600 bytes)).\n\
         Caused by: org.apache.flink.configuration.IllegalConfigurationException: Sum of configured JVM Metaspace (256.000mb (268435456 bytes)) and JVM Overhead (192.000mb (201326592 bytes)) exceed configured Total Process Memory (100.000mb (104857600 bytes))."
    );
}

#[test]
fn every_cause_of_an_invalid_config_is_printed_as_flink_prints_it() {
    // Flink 2.3.0's BashJavaUtils ends this chain with the numbers: the derived network
    // memory and the range it misses.
    let d = dir_with(
        "causes",
        "taskmanager.memory.process.size: 26823680k\ntaskmanager.memory.task.heap.size: 4709mb\n\
         taskmanager.memory.network.min: 56m\ntaskmanager.memory.network.max: 3248m\n",
    );
    let out = Command::cargo_bin("memlab")
        .unwrap()
        .args(["flink-memory", "taskmanager", "--config"])
        .arg(&d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let inconsistent = "If Total Flink, Task Heap and (or) Managed Memory sizes are explicitly configured then the Network Memory size is the rest of the Total Flink memory after subtracting all other configured types of memory, but the derived Network Memory is inconsistent with its configuration.";
    let ice = "org.apache.flink.configuration.IllegalConfigurationException";
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "TaskManager memory configuration failed: {inconsistent}\n\
             Caused by: {ice}: {inconsistent}\n\
             Caused by: {ice}: Derived Network Memory size (9.750gb (10468982629 bytes)) is not in configured Network Memory range [56.000mb (58720256 bytes), 3.172gb (3405774848 bytes)].\n"
        )
    );
}

#[test]
fn jobmanager_and_bad_advice_warning() {
    let d = dir_with(
        "jm",
        "jobmanager:\n  memory:\n    process.size: 1600m\ntaskmanager.memory.off-heap.enabled: true\n",
    );
    let out = Command::cargo_bin("memlab")
        .unwrap()
        .args(["flink-memory", "jobmanager", "--json", "--config"])
        .arg(&d)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totalProcessMemory"], 1677721600u64);
    assert!(v.get("jvmHeap").is_some() && v.get("offHeap").is_some());
    assert!(String::from_utf8(out.stderr).unwrap().contains("does not exist in any Flink version"));
}

#[test]
fn flink_1_20_profile_reads_legacy_flink_conf_yaml() {
    let d = std::env::temp_dir().join(format!("memlab-fm-{}-legacy", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("flink-conf.yaml"), "taskmanager.heap.size: 1024m # legacy\n").unwrap();
    let run = |v: &str| {
        Command::cargo_bin("memlab")
            .unwrap()
            .args(["flink-memory", "taskmanager", "--json", "--flink-version", v, "--config"])
            .arg(&d)
            .output()
            .unwrap()
    };
    let v: Value = serde_json::from_slice(&run("1.20").stdout).unwrap();
    assert_eq!(v["totalFlinkMemory"], 1073741824u64);
    // Flink 2.x ignores the removed option: no size is configured at all.
    let out = run("2.3");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("Either required fine-grained memory"));
}
