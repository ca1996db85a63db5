//! The `memlab simulate` command as a user runs it.

use assert_cmd::Command;
use serde_json::Value;

fn memlab() -> Command {
    Command::cargo_bin("memlab").unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = memlab().args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_builtin_scenario_runs_and_prints_the_documented_json() {
    let list = memlab().arg("scenarios").output().unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    let ids: Vec<&str> = list.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert!(ids.len() >= 8, "{list}");
    for id in ids {
        let v = json(&["simulate", id, "--json"]);
        let pool = v["pool"].as_u64().unwrap();
        let blocks = v["blocks"].as_array().unwrap();
        // Blocks tile the pool in address order.
        let mut at = 0;
        for b in blocks {
            assert_eq!(b["offset"].as_u64().unwrap(), at, "{id}");
            at += b["size"].as_u64().unwrap();
            assert!(["live", "unreferenced", "free"].contains(&b["state"].as_str().unwrap()));
            assert!(b.get("refcount").is_some() && b.get("name").is_some() && b.get("owner").is_some());
        }
        assert_eq!(at, pool, "{id}");
        for k in
            ["used", "free", "unreferenced", "largestFree", "freeBlocks", "fragmentation", "internalWaste"]
        {
            assert!(v["metrics"].get(k).is_some(), "{id}: metrics.{k}");
        }
        for f in v["failures"].as_array().unwrap() {
            for k in ["line", "op", "reason", "message"] {
                assert!(f.get(k).is_some(), "{id}: failures[].{k}");
            }
        }
    }
}

#[test]
fn seed_example_json_shows_compaction_result() {
    let v = json(&["simulate", "builtin:seed-10-20-30", "--json"]);
    let blocks = v["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[1]["state"], "free");
    assert_eq!(blocks[1]["size"], 40u64 << 20);
    assert_eq!(v["failures"][0]["reason"], "fragmentation");
    assert_eq!(v["failures"][0]["line"], 15);
}

#[test]
fn policy_flag_overrides_the_script() {
    let v = json(&["simulate", "builtin:first-vs-best-fit", "--policy", "best-fit", "--json"]);
    assert_eq!(v["policy"], "best-fit");
    assert_eq!(v["failures"].as_array().unwrap().len(), 0);
}

#[test]
fn syntax_error_exits_2_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("memlab-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.mem");
    std::fs::write(&f, "pool 60mb\nalloc a 1.5mb\n").unwrap();
    let out = memlab().args(["simulate", f.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 2, column 9: expected a size, found `1.5mb`"), "{err}");
}

#[test]
fn operation_failures_are_results_not_errors() {
    let out = memlab()
        .args(["simulate", "-"])
        .write_stdin("pool 1mb\nalloc a 2mb\nrelease nope\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("failures: 2"), "{text}");
    assert!(text.contains("exhausted") && text.contains("unknown-name"), "{text}");
}

#[test]
fn unknown_builtin_lists_the_real_ones() {
    let out = memlab().args(["simulate", "builtin:nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("seed-10-20-30"));
}

#[test]
fn explain_tells_every_step_in_either_language() {
    let en = memlab().args(["simulate", "builtin:seed-10-20-30", "--explain"]).output().unwrap();
    let en = String::from_utf8(en.stdout).unwrap();
    assert!(en.contains("step 7 · line 14 · sweep"), "{en}");
    assert!(en.contains("merge") || en.contains("sweep done: 2 block(s) freed"), "{en}");
    let zh =
        memlab().args(["simulate", "builtin:seed-10-20-30", "--explain", "--lang", "zh"]).output().unwrap();
    let zh = String::from_utf8(zh.stdout).unwrap();
    assert!(zh.contains("第 8 步 · 第 15 行 · alloc d 40 mb") && zh.contains("失败（外部碎片）"), "{zh}");
    assert!(zh.contains("压缩把 b（20 MiB）从 10 MiB 移到 0 B"), "{zh}");
}

#[test]
fn thousands_of_failures_show_the_first_and_latest_and_a_count() {
    // Nothing sweeps: from step 7 every request fails (2,988 failures in 3,000 steps).
    let script = "pool 1mb\nworkload churn seed=3 ops=3000 min=64kb max=256kb\n";
    let out = memlab().args(["simulate", "-"]).write_stdin(script).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("failures: 2988"), "{text}");
    let listed: Vec<&str> = text.lines().filter(|l| l.starts_with("  line ")).collect();
    assert_eq!(listed.len(), 20, "{text}");
    assert!(listed[0].contains("(step 7)") && listed[19].contains("(step 3000)"), "{listed:?}");
    assert!(
        text.contains("  … 2968 more failures, from step 12 to step 2985 (--json lists every one)"),
        "{text}"
    );
    let json = memlab().args(["simulate", "-", "--json"]).write_stdin(script).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["failures"].as_array().unwrap().len(), 2988);
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    // `memlab simulate … --explain | head -1`: the reader goes away after one line of a
    // megabyte of output.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("memlab"))
        .args(["simulate", "builtin:streaming-churn", "--explain"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("step 1 · line 6"), "{first}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn a_script_too_long_to_run_is_refused_before_it_runs() {
    let script = format!("pool 1gb\n{}", "workload churn ops=5000000 live=1000\n".repeat(40));
    memlab().args(["simulate", "-"]).write_stdin(script.clone()).assert().code(2).stderr(
        "error: <stdin>: the script expands to 200000000 steps, more than the 10000000 a run may have; use fewer or shorter workloads\n",
    );
    memlab()
        .args(["simulate", "-", "--lang", "zh"])
        .write_stdin(script)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("脚本展开后有 200000000 步，超过一次运行允许的 10000000 步"));
}
