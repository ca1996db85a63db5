//! `memlab diagnose`: the Diagnosis page's findings for a recording, on the command line.

use memlab_flink::diagnose::{self, alerts, Advice, Report, Severity};
use memlab_flink::recording::Recording;
use memlab_size::human;
use memlab_text::{tr, Lang};

/// Reads a recording file. `Err` is a message for standard error.
pub fn read(path: &std::path::Path, lang: Lang) -> Result<Recording, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| tr!(lang, "cannot read {shown}: {e}", "无法读取 {shown}：{e}"))?;
    Recording::parse(&text).map_err(|e| format!("{shown}: {}", e.describe(lang)))
}

/// The report as text; `steps`: the snapshots are a Prometheus window's steps, not polls.
pub fn text(path: &str, r: &Report, steps: bool, lang: Lang) -> String {
    let (polls, span, n) = (r.polls, lang.duration(r.span_s), r.subjects.len());
    let mut out = if steps {
        tr!(
            lang,
            "{path}: {polls} steps over {span}, {n} process(es)\n",
            "{path}：{span} 内 {polls} 个步长，{n} 个进程\n"
        )
    } else {
        tr!(
            lang,
            "{path}: {polls} polls over {span}, {n} process(es)\n",
            "{path}：{span} 内轮询 {polls} 次，{n} 个进程\n"
        )
    };
    if r.findings.is_empty() {
        out.push_str(&tr!(lang, "\nNo findings.\n", "\n没有发现。\n"));
    }
    for f in &r.findings {
        out.push_str(&format!(
            "\n{:<8} {}  [{}]  {}\n  {}\n",
            f.severity.label().to_uppercase(),
            f.kind.slug(),
            f.subject,
            f.kind.title_in(lang),
            f.headline.in_lang(lang)
        ));
        if let Some(j) = r.job(&f.subject) {
            out.push_str(&tr!(lang, "  job: {} ({})\n", "  作业：{}（{}）\n", j.name, j.id));
        }
        for fact in &f.evidence.facts {
            out.push_str(&format!("    · {}\n", fact.in_lang(lang)));
        }
        if let Some(pm) = &f.postmortem {
            let how = match pm.basis {
                diagnose::Basis::Quoted { .. } => tr!(lang, "quoted from Flink", "引自 Flink"),
                diagnose::Basis::Inferred { .. } => tr!(lang, "inferred from the metrics", "由指标推断"),
            };
            out.push_str(&tr!(
                lang,
                "  cause: {} ({how})\n  timeline:\n",
                "  原因：{}（{how}）\n  时间线：\n",
                pm.cause.slug()
            ));
            for m in &pm.timeline {
                out.push_str(&format!(
                    "    {:>9}  {}\n",
                    format!("+{}", lang.duration(m.at_s.max(0.0))),
                    m.what.in_lang(lang)
                ));
            }
        }
        match &f.advice {
            Advice::TaskManager(rec) => {
                fix(&mut out, &rec.summary.in_lang(lang), &rec.diff(), rec.moved(), lang)
            }
            Advice::JobManager(rec) => {
                fix(&mut out, &rec.summary.in_lang(lang), &rec.diff(), rec.moved(), lang)
            }
            Advice::None(why) => {
                let why = why.in_lang(lang);
                out.push_str(&tr!(lang, "  no config change: {why}\n", "  不改配置：{why}\n"))
            }
        }
    }
    if !r.pending.is_empty() {
        out.push('\n');
        for p in &r.pending {
            out.push_str(&format!(
                "pending  {}  [{}]  {}\n",
                p.kind.slug(),
                p.subject,
                p.message.in_lang(lang)
            ));
        }
    }
    out
}

/// A recommendation: its summary, its config.yaml diff and the parts it resizes.
fn fix(out: &mut String, summary: &str, diff: &str, moved: Vec<(&'static str, u64, u64)>, lang: Lang) {
    out.push_str(&tr!(lang, "  fix: {summary}\n", "  修改：{summary}\n"));
    for line in diff.lines() {
        out.push_str(&format!("    {line}\n"));
    }
    for (name, a, b) in moved {
        let name = memlab_flink::terms::flink_term(lang, name);
        out.push_str(&format!("      {} {:>11} → {}\n", crate::text::pad(&name, 22), human(a), human(b)));
    }
}

pub fn json(r: &Report, lang: Lang) -> String {
    serde_json::to_string_pretty(&r.in_lang(lang)).unwrap_or_default() + "\n"
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
    lang: Lang,
) -> Result<(String, Vec<memlab_engine::diagnose::PoolFinding>), String> {
    let (label, text) = crate::simulate::load(source)?;
    let s =
        memlab_engine::script::parse_in(&text, lang).map_err(|e| format!("{label}: {}", e.describe(lang)))?;
    let t = memlab_engine::Timeline::run(&s).map_err(|e| format!("{label}: {}", e.describe(lang)))?;
    let findings = memlab_engine::diagnose::diagnose_in(&t, lang);
    if json {
        let out = serde_json::json!({ "findings": findings });
        return Ok((serde_json::to_string_pretty(&out).unwrap_or_default() + "\n", findings));
    }
    let steps = t.len();
    let mut out = tr!(lang, "{label}: {steps} steps\n", "{label}：{steps} 步\n");
    if findings.is_empty() {
        out.push_str(&tr!(lang, "\nNo findings.\n", "\n没有发现。\n"));
    }
    for f in &findings {
        let step = f.step;
        out.push_str(&format!(
            "\n{:<8} {}  [{}{}]\n  {}\n  {}\n",
            f.severity.to_uppercase(),
            f.kind,
            tr!(lang, "step {step}", "第 {step} 步"),
            f.line.map(|l| tr!(lang, ", line {l}", "，第 {l} 行")).unwrap_or_default(),
            f.headline,
            f.explanation
        ));
    }
    Ok((out, findings))
}
