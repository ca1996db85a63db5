//! `memlab simulate`: run a scenario and print the final layout, metrics and failures.

use std::io::Read;

use memlab_engine::{scenarios, script, Block, Policy, Timeline};
use memlab_size::human;
use serde::Serialize;

/// Where a script comes from: a file, `-` (standard input) or `builtin:ID`.
pub fn load(source: &str) -> Result<(String, String), String> {
    if let Some(id) = source.strip_prefix("builtin:") {
        let s = scenarios::get(id).ok_or_else(|| {
            let ids: Vec<&str> = scenarios::ALL.iter().map(|s| s.id).collect();
            format!("no built-in scenario '{id}'; there are: {}", ids.join(", "))
        })?;
        return Ok((source.to_owned(), s.text.to_owned()));
    }
    if source == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(("<stdin>".to_owned(), text));
    }
    std::fs::read_to_string(source)
        .map(|t| (source.to_owned(), t))
        .map_err(|e| format!("cannot read {source}: {e}"))
}

#[derive(Serialize)]
struct Output<'a> {
    pool: u64,
    policy: Policy,
    steps: usize,
    blocks: Vec<Block>,
    metrics: memlab_engine::Metrics,
    failures: &'a [memlab_engine::Failure],
}

/// Runs the script; `Err` is a message for standard error (exit code 2).
pub fn run(source: &str, policy: Option<Policy>, json: bool) -> Result<String, String> {
    let (label, text) = load(source)?;
    let mut s = script::parse(&text).map_err(|e| format!("{label}: {e}"))?;
    if let Some(p) = policy {
        s.pool.policy = p;
    }
    let t = Timeline::run(&s).map_err(|e| format!("{label}: {e}"))?;
    let end = t.final_state();
    if json {
        let out = Output {
            pool: s.pool.size,
            policy: s.pool.policy,
            steps: t.len(),
            blocks: end.blocks(),
            metrics: end.metrics(),
            failures: t.failures(),
        };
        return serde_json::to_string_pretty(&out).map_err(|e| format!("cannot encode JSON: {e}"));
    }
    Ok(render_text(&s, &t))
}

fn render_text(s: &script::Script, t: &Timeline) -> String {
    use std::fmt::Write;
    let end = t.final_state();
    let m = end.metrics();
    let mut o = String::new();
    let _ = writeln!(o, "pool {} · {} · {} steps", human(s.pool.size), s.pool.policy, t.len());
    let _ =
        writeln!(o, "{:>12}  {:>10}  {:<12}  {:>3}  {:<16}  OWNER", "OFFSET", "SIZE", "STATE", "RC", "NAME");
    for b in end.blocks() {
        let _ = writeln!(
            o,
            "{:>12}  {:>10}  {:<12}  {:>3}  {:<16}  {}",
            human(b.offset),
            human(b.size),
            b.state.name(),
            b.refcount,
            b.name.as_deref().unwrap_or("-"),
            b.owner.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(
        o,
        "used {} · free {} · unreferenced {} · largest free {} · free blocks {} · fragmentation {:.3} · internal waste {}",
        human(m.used),
        human(m.free),
        human(m.unreferenced),
        human(m.largest_free),
        m.free_blocks,
        m.fragmentation,
        human(m.internal_waste)
    );
    for u in &m.owners {
        let q = u.quota.map_or("no quota".to_owned(), |q| format!("quota {}", human(q)));
        let _ = writeln!(o, "owner {}: {} ({q})", u.owner, human(u.used));
    }
    if m.overcommitted {
        let _ = writeln!(o, "warning: the executors' fractions add up to more than 1 (overcommitted)");
    }
    for l in &m.leak_suspects {
        let _ = writeln!(o, "leak suspect: {} ({}) idle for {} steps", l.name, human(l.size), l.idle_steps);
    }
    let _ = writeln!(o, "failures: {}", t.failures().len());
    for f in t.failures() {
        let _ = writeln!(o, "  line {} (step {}) `{}`: {}: {}", f.line, f.step, f.op, f.reason, f.message);
    }
    o
}
