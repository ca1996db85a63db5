//! `memlab diagnose`: the Diagnosis page's findings for a recording, on the command line.

use memlab_flink::diagnose::{self, alerts, Options, Report, Severity};
use memlab_flink::recording::Recording;
use memlab_size::{human, MemorySize};

/// Reads and diagnoses a recording file. `Err` is a message for standard error.
pub fn load(path: &std::path::Path, container_limit: Option<&str>) -> Result<(Recording, Report), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let rec = Recording::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let container_limit = container_limit
        .map(|s| MemorySize::parse(s).map(|m| m.bytes()).map_err(|e| format!("--container-limit {s}: {e}")))
        .transpose()?;
    let report = diagnose::diagnose(&rec.snapshots(), &Options { container_limit, ..Options::default() });
    Ok((rec, report))
}

pub fn text(path: &str, r: &Report) -> String {
    let mut out = format!(
        "{path}: {} polls over {}, {} process(es)\n",
        r.polls,
        diagnose_duration(r.span_s),
        r.subjects.len()
    );
    if r.findings.is_empty() {
        out.push_str("\nNo findings.\n");
    }
    for f in &r.findings {
        out.push_str(&format!(
            "\n{:<8} {}  [{}]  {}\n  {}\n",
            f.severity.label().to_uppercase(),
            f.kind.slug(),
            f.subject,
            f.kind.title(),
            f.headline
        ));
        for fact in &f.evidence.facts {
            out.push_str(&format!("    · {fact}\n"));
        }
        if let Some(rec) = &f.recommendation {
            fix(&mut out, &rec.summary, &rec.diff(), rec.moved());
        } else if let Some(rec) = &f.jm_recommendation {
            fix(&mut out, &rec.summary, &rec.diff(), rec.moved());
        } else if let Some(why) = &f.no_recommendation {
            out.push_str(&format!("  no config change: {why}\n"));
        }
    }
    if !r.pending.is_empty() {
        out.push('\n');
        for p in &r.pending {
            out.push_str(&format!("pending  {}  [{}]  {}\n", p.kind.slug(), p.subject, p.message));
        }
    }
    out
}

/// A recommendation: its summary, its config.yaml diff and the parts it resizes.
fn fix(out: &mut String, summary: &str, diff: &str, moved: Vec<(&'static str, u64, u64)>) {
    out.push_str(&format!("  fix: {summary}\n"));
    for line in diff.lines() {
        out.push_str(&format!("    {line}\n"));
    }
    for (name, a, b) in moved {
        out.push_str(&format!("      {name:<22} {:>11} → {}\n", human(a), human(b)));
    }
}

fn diagnose_duration(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else {
        format!("{:.1} min", s / 60.0)
    }
}

pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// Prometheus alerting rules with the limits of the recording's first TaskManager.
pub fn rules(rec: &Recording) -> String {
    let mem = rec.snapshots().iter().rev().find_map(|s| s.taskmanagers.iter().find_map(|t| t.memory));
    alerts::rules(
        mem.map(|m| m.framework_off_heap + m.task_off_heap + m.network_memory),
        mem.map(|m| m.jvm_metaspace),
    )
}

/// The exit status `--fail-on` asks for.
pub fn failed(r: &Report, fail_on: Option<Severity>) -> bool {
    fail_on.is_some_and(|min| r.findings.iter().any(|f| f.severity >= min))
}

/// An allocator scenario (`.mem`, `builtin:ID` or `-`): fragmentation findings.
pub fn scenario(
    source: &str,
    json: bool,
) -> Result<(String, Vec<memlab_engine::diagnose::PoolFinding>), String> {
    let (label, text) = crate::simulate::load(source)?;
    let s = memlab_engine::script::parse(&text).map_err(|e| format!("{label}: {e}"))?;
    let t = memlab_engine::Timeline::run(&s).map_err(|e| format!("{label}: {e}"))?;
    let findings = memlab_engine::diagnose::diagnose(&t);
    if json {
        let out = serde_json::json!({ "findings": findings });
        return Ok((serde_json::to_string_pretty(&out).unwrap_or_default() + "\n", findings));
    }
    let mut out = format!("{label}: {} steps\n", t.len());
    if findings.is_empty() {
        out.push_str("\nNo findings.\n");
    }
    for f in &findings {
        out.push_str(&format!(
            "\n{:<8} {}  [step {}{}]\n  {}\n  {}\n",
            f.severity.to_uppercase(),
            f.kind,
            f.step,
            f.line.map(|l| format!(", line {l}")).unwrap_or_default(),
            f.headline,
            f.explanation
        ));
    }
    Ok((out, findings))
}
