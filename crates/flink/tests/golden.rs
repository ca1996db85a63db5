//! The golden corpus: configurations run through Flink's own `BashJavaUtils`
//! (`crates/flink/golden/generate.py`), compared byte for byte with our derivation: both
//! result lines for valid configs; for invalid ones the exception's class and message and
//! every exception of its chain (Flink's `Caused by:` lines, outermost first).

use memlab_flink::{jobmanager, taskmanager, FlinkConfig, FlinkError, FlinkVersion};
use serde_json::Value;

fn cases(file: &str) -> Vec<Value> {
    let path = format!(
        "{}/golden/{file}",
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn config(case: &Value) -> FlinkConfig {
    let text = case["config"].as_str().unwrap();
    let mut c = if case["file"] == "flink-conf.yaml" {
        FlinkConfig::from_legacy(text)
    } else {
        FlinkConfig::from_yaml(text).unwrap()
    };
    let dynamic: Vec<&str> =
        case["dynamic"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    c.apply_dynamic(dynamic).unwrap();
    c
}

fn check(file: &str, derive: impl Fn(&FlinkConfig) -> Result<(String, String), FlinkError>) {
    let all = cases(file);
    let mut failures = Vec::new();
    for case in &all {
        let id = case["id"].as_str().unwrap();
        let got = derive(&config(case));
        let ok = match (&got, case["ok"].as_bool().unwrap()) {
            (Ok((jvm, dynamic)), true) => jvm == &case["jvmArgs"] && dynamic == &case["dynamicProperties"],
            (Err(e), false) => {
                let class = case["exception"].as_str().unwrap();
                let causes: Vec<(&str, &str)> = case["causes"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{id}: no causes (regenerate with generate.py)"))
                    .iter()
                    .map(|c| (c["exception"].as_str().unwrap(), c["message"].as_str().unwrap()))
                    .collect();
                e.message == case["error"].as_str().unwrap()
                    && class == e.exception
                    && causes
                        == e.causes.iter().map(|c| (c.exception, c.message.as_str())).collect::<Vec<_>>()
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{id}\n  config: {:?} {:?}\n  flink:  {}\n  memlab: {:?}",
                case["config"].as_str().unwrap(),
                case["dynamic"],
                if case["ok"].as_bool().unwrap() {
                    format!("{} | {}", case["jvmArgs"], case["dynamicProperties"])
                } else {
                    let mut chain = format!("{}: {}", case["exception"], case["error"]);
                    for c in case["causes"].as_array().into_iter().flatten() {
                        chain.push_str(&format!(
                            "\n          Caused by: {}: {}",
                            c["exception"], c["message"]
                        ));
                    }
                    chain
                },
                got.map_err(|e| e.chain())
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Flink:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    assert!(all.len() >= 40, "{file}: corpus too small");
}

#[test]
fn taskmanager_matches_flink_2_3_0() {
    check("tm-2.3.0.jsonl", |c| taskmanager::derive(c).map(|m| (m.jvm_args(), m.dynamic_properties())));
}

#[test]
fn jobmanager_matches_flink_2_3_0() {
    check("jm-2.3.0.jsonl", |c| jobmanager::derive(c).map(|m| (m.jvm_args(), m.dynamic_properties())));
}

#[test]
fn taskmanager_matches_flink_1_20_5_with_legacy_options() {
    check("tm-1.20.5.jsonl", |c| {
        taskmanager::derive_for(c, FlinkVersion::V1_20).map(|m| (m.jvm_args(), m.dynamic_properties()))
    });
}

#[test]
fn jobmanager_matches_flink_1_20_5_with_legacy_options() {
    check("jm-1.20.5.jsonl", |c| {
        jobmanager::derive_for(c, FlinkVersion::V1_20).map(|m| (m.jvm_args(), m.dynamic_properties()))
    });
}

#[test]
fn the_corpus_covers_every_case_and_many_errors() {
    let mut errors = std::collections::BTreeSet::new();
    let mut n = 0;
    for f in ["tm-2.3.0.jsonl", "jm-2.3.0.jsonl", "tm-1.20.5.jsonl", "jm-1.20.5.jsonl"] {
        for c in cases(f) {
            n += 1;
            if let Some(e) = c["error"].as_str() {
                errors.insert(e.split(['(', '\'']).next().unwrap().to_owned());
            }
        }
    }
    assert!(n >= 700, "{n} cases");
    assert!(errors.len() >= 25, "{} distinct error messages: {errors:#?}", errors.len());
}
