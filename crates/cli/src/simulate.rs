//! `memlab simulate`: run a scenario and print the final layout, metrics and failures.

use std::io::Read;

use memlab_engine::{narrate, scenarios, script, Block, Engine, OpError, Policy, Timeline};
use memlab_size::human;
use memlab_text::{tr, Lang};
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
pub fn run(
    source: &str,
    policy: Option<Policy>,
    json: bool,
    explain: bool,
    lang: Lang,
) -> Result<String, String> {
    let (label, text) = load(source)?;
    let mut s = script::parse_in(&text, lang).map_err(|e| format!("{label}: {}", e.describe(lang)))?;
    if let Some(p) = policy {
        s.pool.policy = p;
    }
    let t = Timeline::run(&s).map_err(|e| format!("{label}: {}", e.describe(lang)))?;
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
    let mut out = if explain { explain_steps(&s, &t, lang) } else { String::new() };
    out.push_str(&render_text(&s, &t, lang));
    Ok(out)
}

/// Every step and what it did, in the app's event-log sentences.
fn explain_steps(s: &script::Script, t: &Timeline, lang: Lang) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let Ok(mut e) = Engine::new(s.pool.clone(), &s.executors) else { return o };
    for k in 1..=t.len() {
        let Some((line, op)) = t.op_at(k) else { break };
        let _ = e.apply(op);
        let _ =
            writeln!(o, "{}", tr!(lang, "step {k} · line {line} · {op}", "第 {k} 步 · 第 {line} 行 · {op}"));
        let events: Vec<_> = e.drain_events().collect();
        for sentence in narrate::step_sentences(&events, lang, s.pool.policy) {
            let _ = writeln!(o, "    {sentence}");
        }
    }
    o.push('\n');
    o
}

fn render_text(s: &script::Script, t: &Timeline, lang: Lang) -> String {
    use std::fmt::Write;
    let end = t.final_state();
    let m = end.metrics();
    let mut o = String::new();
    let (size, policy, steps) = (human(s.pool.size), s.pool.policy, t.len());
    let _ = writeln!(
        o,
        "{}",
        tr!(lang, "pool {size} · {policy} · {steps} steps", "内存池 {size} · {policy} · {steps} 步")
    );
    let h = |en: &'static str, zh: &'static str| if lang == Lang::Zh { zh } else { en };
    let _ = writeln!(
        o,
        "{}  {}  {}  {}  {}  {}",
        crate::text::pad_left(h("OFFSET", "偏移"), 12),
        crate::text::pad_left(h("SIZE", "大小"), 10),
        crate::text::pad(h("STATE", "状态"), 12),
        crate::text::pad_left(h("RC", "引用"), 4),
        crate::text::pad(h("NAME", "名称"), 16),
        h("OWNER", "所有者")
    );
    for b in end.blocks() {
        let state = match (lang, b.state) {
            (Lang::En, s) => s.name(),
            (Lang::Zh, memlab_engine::BlockState::Live) => "存活",
            (Lang::Zh, memlab_engine::BlockState::Unreferenced) => "无引用",
            (Lang::Zh, memlab_engine::BlockState::Free) => "空闲",
        };
        let _ = writeln!(
            o,
            "{:>12}  {:>10}  {}  {:>4}  {:<16}  {}",
            human(b.offset),
            human(b.size),
            crate::text::pad(state, 12),
            b.refcount,
            b.name.as_deref().unwrap_or("-"),
            b.owner.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(
        o,
        "{}",
        tr!(
            lang,
            "used {} · free {} · unreferenced {} · largest free {} · free blocks {} · fragmentation {:.3} · internal waste {}",
            "已用 {} · 空闲 {} · 无引用 {} · 最大空闲块 {} · 空闲块数 {} · 碎片率 {:.3} · 内部浪费 {}",
            human(m.used),
        human(m.free),
        human(m.unreferenced),
        human(m.largest_free),
        m.free_blocks,
            m.fragmentation,
            human(m.internal_waste)
        )
    );
    for u in &m.owners {
        let q = u
            .quota
            .map_or(tr!(lang, "no quota", "无配额"), |q| tr!(lang, "quota {}", "配额 {}", human(q)));
        let (owner, used) = (&u.owner, human(u.used));
        let _ = writeln!(o, "{}", tr!(lang, "owner {owner}: {used} ({q})", "所有者 {owner}：{used}（{q}）"));
    }
    if m.overcommitted {
        let _ = writeln!(
            o,
            "{}",
            tr!(
                lang,
                "warning: the executors' fractions add up to more than 1 (overcommitted)",
                "警告：各执行器的份额之和超过 1（超额分配）"
            )
        );
    }
    for l in &m.leak_suspects {
        let (name, size, idle) = (&l.name, human(l.size), l.idle_steps);
        let _ = writeln!(
            o,
            "{}",
            tr!(
                lang,
                "leak suspect: {name} ({size}) idle for {idle} steps",
                "疑似泄漏：{name}（{size}）已 {idle} 步未被触及"
            )
        );
    }
    let n = t.failures().len();
    let _ = writeln!(o, "{}", tr!(lang, "failures: {n}", "失败：{n}"));
    // As the app lists them (`--json` lists all).
    let e = t.failure_excerpt(usize::MAX);
    let said = |f: &memlab_engine::Failure| {
        let (line, step, op, why, m) =
            (f.line, f.step, &f.op, OpError::reason_label(f.reason, lang), f.error.describe(lang));
        tr!(
            lang,
            "  line {line} (step {step}) `{op}`: {why}: {m}",
            "  第 {line} 行（第 {step} 步）`{op}`：{why}：{m}"
        )
    };
    for f in e.first {
        let _ = writeln!(o, "{}", said(f));
    }
    if let Some((count, from, to)) = e.hidden {
        let _ = writeln!(
            o,
            "{}",
            tr!(
                lang,
                "  … {count} more failures, from step {from} to step {to} (--json lists every one)",
                "  …… 另有 {count} 次失败，第 {from} 步至第 {to} 步（--json 列出全部）"
            )
        );
    }
    for f in e.latest {
        let _ = writeln!(o, "{}", said(f));
    }
    o
}
