//! The README and docs/ say what is true: every `memlab …` command they quote (as
//! `memlab SUB`, or `cargo run … -p memlab-cli -- SUB`) exists with the flags shown, and
//! every relative link points at a file that exists.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// README.md and every Markdown file under docs/.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// The text of a document outside its code fences, and the text inside them.
fn split_fences(text: &str) -> (String, String) {
    let (mut prose, mut code, mut fenced) = (String::new(), String::new(), false);
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let to = if fenced { &mut code } else { &mut prose };
        to.push_str(line);
        to.push('\n');
    }
    (prose, code)
}

/// The `memlab` command lines a document quotes: the words after `memlab ` or
/// `memlab-cli -- ` up to the end of the code span or line, a comment or a redirect.
fn commands(text: &str) -> Vec<String> {
    let (prose, code) = split_fences(text);
    let mut spans: Vec<String> = code.lines().map(str::to_owned).collect();
    // Inline code spans of the prose.
    for (i, part) in prose.split('`').enumerate() {
        if i % 2 == 1 {
            spans.push(part.to_owned());
        }
    }
    let mut out = Vec::new();
    for span in spans {
        let rest = if let Some(at) = span.find("memlab-cli -- ") {
            &span[at + "memlab-cli -- ".len()..]
        } else if let Some(r) = span.trim_start().strip_prefix("memlab ") {
            r
        } else {
            continue;
        };
        let end = rest.find(['#', '>', '|', ';']).unwrap_or(rest.len());
        out.push(rest[..end].trim().to_owned());
    }
    out
}

fn help(args: &[&str]) -> String {
    let out = Command::cargo_bin("memlab").unwrap().args(args).arg("--help").output().unwrap();
    assert!(
        out.status.success(),
        "memlab {} --help: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_quoted_memlab_command_exists_with_its_flags() {
    let top = help(&[]);
    let mut checked = 0;
    let mut problems = Vec::new();
    for doc in documents() {
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        for line in commands(&std::fs::read_to_string(&doc).unwrap()) {
            let mut words = line.split_whitespace();
            let Some(sub) = words.next() else { continue };
            // Prose such as `memlab …` names no command.
            if !sub.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                continue;
            }
            if !top.lines().any(|l| l.split_whitespace().next() == Some(sub)) {
                problems.push(format!("{name}: `memlab {line}`: there is no command `{sub}`"));
                continue;
            }
            let sub_help = help(&[sub]);
            for word in words {
                let flag = word.trim_matches(|c| c == '[' || c == ']');
                let flag = flag.split('=').next().unwrap_or(flag);
                let is_flag = flag.starts_with("--") || flag == "-D";
                let shown = |f: &str| {
                    sub_help.match_indices(f).any(|(i, _)| {
                        !sub_help[i + f.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
                    })
                };
                if is_flag && !shown(flag) {
                    problems.push(format!("{name}: `memlab {line}`: `{sub}` has no flag `{flag}`"));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} commands found in the docs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_relative_link_resolves() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for doc in documents() {
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        let (prose, _) = split_fences(&std::fs::read_to_string(&doc).unwrap());
        for (at, _) in prose.match_indices("](") {
            let rest = &prose[at + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let file = target.split('#').next().unwrap_or(target);
            let path = doc.parent().unwrap().join(file);
            if !path.exists() {
                problems.push(format!("{name}: ({target}) does not exist"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} links found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_readme_is_a_front_door() {
    let lines = std::fs::read_to_string(root().join("README.md")).unwrap().lines().count();
    assert!(
        lines <= 250,
        "README.md has {lines} lines: what a newcomer reads in two minutes; the rest goes in docs/"
    );
}
