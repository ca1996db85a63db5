//! Behaviour frozen byte for byte: `memlab diagnose` (English, 简体中文 and `--json`) for
//! every bundled recording, and `memlab simulate --json` and `--explain` (both languages)
//! for every built-in scenario. A change to any of these outputs is a change users see:
//! it is made on purpose, with the golden files regenerated in the same commit
//! (`MEMLAB_BLESS=1 cargo test -p memlab-cli --test golden`) and named in its message.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository's root: the commands run there, so the file names they print are the
/// same relative paths on every machine.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Runs `memlab ARGS` in the repository's root and returns its standard output. Exit code 1
/// is a report with findings (`--fail-on` is not used here, so only a real error is 2).
fn run(args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("memlab").unwrap().current_dir(root()).args(args).output().unwrap();
    assert!(out.status.success(), "memlab {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Compares `got` with the golden file `name`, or writes it when blessing. Returns the
/// mismatch, if any, so that one run reports every changed output.
fn check(name: &str, got: &[u8]) -> Option<String> {
    let file = golden_dir().join(name);
    if std::env::var_os("MEMLAB_BLESS").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, got).unwrap();
        return None;
    }
    match std::fs::read(&file) {
        Ok(want) if want == got => None,
        Ok(want) => {
            let (w, g) = (String::from_utf8_lossy(&want), String::from_utf8_lossy(got));
            let line = w
                .lines()
                .zip(g.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(w.lines().count().min(g.lines().count()));
            Some(format!(
                "{name}: differs from line {}:\n  golden: {:?}\n  now:    {:?}",
                line + 1,
                w.lines().nth(line).unwrap_or("<end>"),
                g.lines().nth(line).unwrap_or("<end>")
            ))
        }
        Err(e) => Some(format!("{name}: no golden file ({e}); bless it if the output is new on purpose")),
    }
}

fn assert_none(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} output(s) changed (MEMLAB_BLESS=1 regenerates them, on purpose only):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn diagnose_prints_the_same_report_for_every_bundled_recording() {
    let dir = root().join("public/recordings");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".memlab.json"))
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    let mut problems = Vec::new();
    for name in &names {
        let path = format!("public/recordings/{name}");
        let stem = name.trim_end_matches(".memlab.json");
        problems.extend(check(&format!("diagnose/{stem}.en.txt"), &run(&["diagnose", &path])));
        problems
            .extend(check(&format!("diagnose/{stem}.zh.txt"), &run(&["diagnose", &path, "--lang", "zh"])));
        problems.extend(check(&format!("diagnose/{stem}.json"), &run(&["diagnose", &path, "--json"])));
    }
    assert_none(problems);
}

#[test]
fn simulate_prints_the_same_run_for_every_builtin_scenario() {
    let list = String::from_utf8(run(&["scenarios"])).unwrap();
    let ids: Vec<&str> = list.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(ids.len() >= 9, "{list}");
    let mut problems = Vec::new();
    for id in ids {
        let stem = id.trim_start_matches("builtin:");
        problems.extend(check(&format!("simulate/{stem}.json"), &run(&["simulate", id, "--json"])));
        problems
            .extend(check(&format!("simulate/{stem}.explain.en.txt"), &run(&["simulate", id, "--explain"])));
        problems.extend(check(
            &format!("simulate/{stem}.explain.zh.txt"),
            &run(&["simulate", id, "--explain", "--lang", "zh"]),
        ));
    }
    assert_none(problems);
}
