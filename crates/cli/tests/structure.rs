//! The shape of the code, checked: no module of a crate imports a module that imports it
//! back (directly or through others), and no public function of a core crate (size, text,
//! engine, flink) returns a bare `String` as its error. Read from the source text, so it
//! needs nothing installed; test modules (`#[cfg(test)] mod …` at a file's end) are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The crates whose modules are checked for cycles: (name, source folder, root file).
const CRATES: &[(&str, &str, &str)] = &[
    ("memlab-app", "src", "lib.rs"),
    ("memlab-size", "crates/size/src", "lib.rs"),
    ("memlab-text", "crates/text/src", "lib.rs"),
    ("memlab-engine", "crates/engine/src", "lib.rs"),
    ("memlab-flink", "crates/flink/src", "lib.rs"),
    ("memlab-cli", "crates/cli/src", "main.rs"),
];

/// The core crates, whose public functions return typed errors.
const CORES: &[&str] = &["crates/size/src", "crates/text/src", "crates/engine/src", "crates/flink/src"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The module a file is (`a::b` for `a/b.rs` or `a/b/mod.rs`; "" for the crate's root).
fn module_of(src: &Path, file: &Path, root_file: &str) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    if parts.is_empty() && (last == "lib.rs" || last == "main.rs") {
        return (last == root_file).then(String::new);
    }
    if last != "mod.rs" {
        parts.push(last.trim_end_matches(".rs").to_owned());
    }
    Some(parts.join("::"))
}

/// The code of a file without comments, string literals and its test module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i + 1 < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'\''
            && (b.get(i + 2) == Some(&b'\'')
                || (b.get(i + 1) == Some(&b'\\') && b.get(i + 3) == Some(&b'\'')))
        {
            // A char literal ('"', '\'').
            i += if b[i + 1] == b'\\' { 4 } else { 3 };
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i..].starts_with(b"r#\"") {
            let end = text[i + 3..].find("\"#").map_or(b.len(), |e| i + 3 + e + 2);
            i = end;
            out.push_str("\"\"");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Every path a piece of code names that starts with `start` (`crate`, `super`, `self` or a
/// child module's name), with `use` groups expanded: `crate::{a::b, c}` gives `a::b` and `c`.
fn paths_after(code: &str, start: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let pat = format!("{start}::");
    for (at, _) in code.match_indices(&pat) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        expand(&code[at + pat.len()..], Vec::new(), &mut out);
    }
    out
}

fn expand(rest: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        // Split the group at its top-level commas.
        let (mut depth, mut from) = (0, 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    expand(&group[from..i], prefix.clone(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&group[from..i], prefix.clone(), out);
                    from = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let ident: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    if ident.is_empty() {
        if !prefix.is_empty() {
            out.push(prefix);
        }
        return;
    }
    let mut path = prefix;
    path.push(ident.clone());
    let after = &rest[ident.len()..];
    match after.strip_prefix("::") {
        Some(more) => expand(more, path, out),
        None => out.push(path),
    }
}

/// The longest prefix of `path` (from module `base`) that is a module of the crate.
fn resolve(modules: &BTreeSet<String>, base: &[String], path: &[String]) -> Option<String> {
    let mut best = None;
    for n in 1..=path.len() {
        let mut full: Vec<String> = base.to_vec();
        full.extend(path[..n].iter().cloned());
        let name = full.join("::");
        if modules.contains(&name) {
            best = Some(name);
        }
    }
    best
}

/// Each module's imports of the crate's other modules.
fn graph(src: &Path, root_file: &str) -> BTreeMap<String, BTreeSet<String>> {
    let files: Vec<(String, PathBuf)> =
        rust_files(src).into_iter().filter_map(|f| module_of(src, &f, root_file).map(|m| (m, f))).collect();
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, f) in &files {
        let code = code(&std::fs::read_to_string(f).unwrap());
        let here: Vec<String> =
            if m.is_empty() { Vec::new() } else { m.split("::").map(str::to_owned).collect() };
        let parent: Vec<String> = here[..here.len().saturating_sub(1)].to_vec();
        let mut to = BTreeSet::new();
        // `use crate::pages;` makes `pages::lessons::…` a path into `pages::lessons`.
        let mut aliases: Vec<(String, Vec<String>)> = Vec::new();
        for p in paths_after(&code, "crate") {
            if modules.contains(&p.join("::")) {
                aliases.push((p.last().cloned().unwrap_or_default(), p.clone()));
            }
            to.extend(resolve(&modules, &[], &p));
        }
        for (alias, module) in &aliases {
            for p in paths_after(&code, alias) {
                to.extend(resolve(&modules, module, &p));
            }
        }
        for p in paths_after(&code, "super") {
            // `super::super::…` climbs once more for each further `super`.
            let ups = p.iter().take_while(|s| *s == "super").count();
            let base = &parent[..parent.len().saturating_sub(ups)];
            to.extend(resolve(&modules, base, &p[ups..]));
        }
        for p in paths_after(&code, "self") {
            to.extend(resolve(&modules, &here, &p));
        }
        // A child module named by its own name (`use detect::…`, `detect::run(…)`).
        for child in modules.iter().filter_map(|c| {
            let rest = if m.is_empty() { Some(c.as_str()) } else { c.strip_prefix(&format!("{m}::")) };
            rest.filter(|r| !r.is_empty() && !r.contains("::"))
        }) {
            for p in paths_after(&code, child) {
                let mut full = vec![child.to_owned()];
                full.extend(p);
                to.extend(resolve(&modules, &here, &full));
            }
        }
        to.remove(m);
        // The crate's root only declares and re-exports its modules.
        to.remove("");
        edges.insert(m.clone(), to);
    }
    edges
}

/// The groups of modules that reach each other (Tarjan's strongly connected components of
/// more than one module).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let l = t.low[w].min(t.low[v]);
                t.low.insert(v, l);
            } else if t.on.contains(w) {
                let l = t.index[w].min(t.low[v]);
                t.low.insert(v, l);
            }
        }
        if t.low[v] == t.index[v] {
            let mut group = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                group.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                t.out.push(group);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let mut problems = Vec::new();
    for (name, dir, root_file) in CRATES {
        let edges = graph(&root().join(dir), root_file);
        assert!(!edges.is_empty(), "{name}: no modules found in {dir}");
        for group in cycles(&edges) {
            let inside: Vec<String> = group
                .iter()
                .flat_map(|m| {
                    let edges = &edges;
                    let group = &group;
                    edges[m].iter().filter(move |t| group.contains(t)).map(move |t| format!("{m} → {t}"))
                })
                .collect();
            problems.push(format!("{name}: {} import each other ({})", group.join(", "), inside.join(", ")));
        }
    }
    assert!(problems.is_empty(), "import cycles:\n{}", problems.join("\n"));
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let dir = std::env::temp_dir().join(format!("memlab-structure-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(dir.join("a.rs"), "use crate::b::{x::Y, z};\n// crate::c is a comment\n").unwrap();
    std::fs::write(dir.join("b/mod.rs"), "mod x;\npub fn z() { x::f() }\n").unwrap();
    std::fs::write(dir.join("b/x.rs"), "pub fn f() { super::super::a::g(); }\n").unwrap();
    std::fs::write(
        dir.join("c.rs"),
        "fn h() { let _ = \"crate::a\"; }\n#[cfg(test)]\nmod tests { use crate::a; }\n",
    )
    .unwrap();
    let edges = graph(&dir, "lib.rs");
    assert_eq!(cycles(&edges), vec![vec!["a".to_owned(), "b".to_owned(), "b::x".to_owned()]], "{edges:?}");
    assert!(edges["c"].is_empty(), "strings and test modules are not imports: {edges:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The public functions of a file that return `Result<_, String>`, as `file:line: fn name`.
fn string_errors(file: &Path, shown: &str) -> Vec<String> {
    let code = code(&std::fs::read_to_string(file).unwrap());
    let mut out = Vec::new();
    for (at, _) in code.match_indices("pub fn ") {
        let sig_end = code[at..].find(['{', ';']).map_or(code.len(), |e| at + e);
        let sig: String = code[at..sig_end].split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(ret) = sig.split("->").nth(1) else { continue };
        let ret = ret.split(" where ").next().unwrap_or(ret).trim();
        if ret.starts_with("Result<") && ret.trim_end_matches('>').trim_end().ends_with(", String") {
            let line = code[..at].lines().count() + 1;
            let name: String =
                sig["pub fn ".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.push(format!("{shown}:{line}: fn {name} -> {ret}"));
        }
    }
    out
}

#[test]
fn core_apis_return_typed_errors_not_strings() {
    let mut problems = Vec::new();
    for dir in CORES {
        for f in rust_files(&root().join(dir)) {
            let shown = f.strip_prefix(root()).unwrap().display().to_string();
            problems.extend(string_errors(&f, &shown));
        }
    }
    assert!(
        problems.is_empty(),
        "public functions of the core crates with a bare String error (give them a typed error):\n{}",
        problems.join("\n")
    );
}
