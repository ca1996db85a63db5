//! A tuning written out: as text whose explanations are YAML comments (so the whole output
//! pastes into `config.yaml` or a FlinkDeployment), and as JSON (`memlab tune --json`, the
//! page's download).

use memlab_size::human;
use memlab_text::{tr, Lang};
use serde_json::{json, Value};

use super::{Group, Part, Tuning};
use crate::taskmanager::TaskManagerMemory;

/// How the configuration is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `config.yaml` lines.
    Yaml,
    /// `-D key=value` flags.
    Dynamic,
    /// A FlinkDeployment patch.
    K8s,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "yaml" | "config" => Some(Format::Yaml),
            "dynamic" => Some(Format::Dynamic),
            "k8s" => Some(Format::K8s),
            _ => None,
        }
    }
}

/// The size of a part in a derived memory model.
pub fn part_bytes(m: &TaskManagerMemory, p: Part) -> u64 {
    match p {
        Part::Heap => m.jvm_heap(),
        Part::Managed => m.managed.bytes,
        Part::Network => m.network.bytes,
        Part::Metaspace => m.jvm_metaspace.bytes,
        Part::Overhead => m.jvm_overhead.bytes,
    }
}

/// A saving in words: "saves 512 MiB" or "grows by 64 MiB".
pub fn saving(bytes: i64, lang: Lang) -> String {
    let x = human(bytes.unsigned_abs());
    if bytes == 0 {
        tr!(lang, "the same size", "大小不变")
    } else if bytes > 0 {
        tr!(lang, "saves {x}", "节省 {x}")
    } else {
        tr!(lang, "grows by {x}", "增加 {x}")
    }
}

/// The operator's name, with the release its tuning was read from.
pub const OPERATOR: &str = "Flink Kubernetes Operator 1.15.0";

/// The tuning as text: explanations as `# ` comments, the configuration in `format`.
pub fn text(source: &str, t: &Tuning, format: Format, lang: Lang) -> String {
    let mut out = tr!(lang, "# memlab tune: {source}\n", "# memlab tune：{source}\n");
    if let Some(why) = &t.refused {
        out.push_str(&tr!(lang, "# no configuration: {}\n", "# 没有配置：{}\n", why.in_lang(lang)));
        return out;
    }
    for g in &t.groups {
        group_text(&mut out, g, format, lang);
    }
    if t.groups.len() > 1 {
        let s = saving(t.saved_total(), lang);
        out.push_str(&tr!(lang, "\n# the cluster: {s}\n", "\n# 整个集群：{s}\n"));
    }
    for r in &t.jobmanager {
        out.push_str(&tr!(lang, "\n# JobManager: {}\n", "\n# JobManager：{}\n", r.summary.in_lang(lang)));
        for line in r.diff().lines() {
            out.push_str(&format!("#   {line}\n"));
        }
    }
    out
}

/// A group's headline: its TaskManagers, their size before and after, what it saves.
pub fn headline(g: &Group, lang: Lang) -> String {
    let (n, before, after) =
        (g.members.len(), human(g.base.memory.total_process()), human(g.after.total_process()));
    if g.saved() == 0 {
        return tr!(
            lang,
            "{} ({n}): {before} per TaskManager, the same size",
            "{}（{n} 个）：每个 TaskManager {before}，大小不变",
            g.name
        );
    }
    let (each, all) = (saving(g.saved(), lang), saving(g.saved_total(), lang));
    tr!(
        lang,
        "{} ({n}): {before} → {after} per TaskManager — {each} each, {all} in all",
        "{}（{n} 个）：每个 TaskManager {before} → {after}——每个{each}，共{all}",
        g.name
    )
}

fn group_text(out: &mut String, g: &Group, format: Format, lang: Lang) {
    out.push_str(&format!("\n# {}\n", headline(g, lang)));
    let op = g.operator.as_ref().ok();
    out.push_str(&tr!(
        lang,
        "#   {:<16} {:>10} {:>10} {:>10}  why\n",
        "#   {:<16} {:>10} {:>10} {:>10}  原因\n",
        "",
        "before",
        "memlab",
        "operator"
    ));
    for p in &g.parts {
        let theirs = op.map_or("—".to_owned(), |(_, m)| human(part_bytes(m, p.part)));
        out.push_str(&format!(
            "#   {:<16} {:>10} {:>10} {:>10}  {}\n",
            p.part.label(lang),
            human(p.before),
            human(p.after),
            theirs,
            p.reason.in_lang(lang)
        ));
    }
    let theirs = op.map_or("—".to_owned(), |(_, m)| human(m.total_process()));
    out.push_str(&format!(
        "#   {:<16} {:>10} {:>10} {:>10}\n",
        tr!(lang, "process", "进程"),
        human(g.base.memory.total_process()),
        human(g.after.total_process()),
        theirs
    ));
    for note in &g.notes {
        out.push_str(&format!("#   · {}\n", note.in_lang(lang)));
    }
    match &g.operator {
        Ok((changes, m)) => {
            out.push_str(&tr!(
                lang,
                "#   the operator ({OPERATOR}, job.autoscaler.memory.tuning.*) would set:\n",
                "#   Operator（{OPERATOR}，job.autoscaler.memory.tuning.*）会设置：\n"
            ));
            for (k, v) in &changes.overrides {
                out.push_str(&format!("#     {k}: {v}\n"));
            }
            if !g.operator_graph {
                out.push_str(&format!("#   {}\n", operator_stand_in(lang)));
            }
            for d in differences(g, m, lang) {
                out.push_str(&format!("#   ≠ {d}\n"));
            }
        }
        Err(why) => out.push_str(&format!("#   {}\n", why.in_lang(lang))),
    }
    match format {
        Format::Yaml => out.push_str(&g.config_yaml()),
        Format::Dynamic => {
            out.push_str(&g.dynamic());
            out.push('\n');
            for k in &g.removals {
                out.push_str(&format!("# remove: {k}\n"));
            }
        }
        Format::K8s => out.push_str(&g.k8s()),
    }
}

/// Said beside the operator's choice when the data has no job graph.
pub fn operator_stand_in(lang: Lang) -> String {
    tr!(
        lang,
        "(the data has no job graph, which the operator sizes network memory from: memlab's network figure stands in)",
        "（数据中没有作业图，而 Operator 按作业图计算网络内存：此处用 memlab 的网络内存数值代替）"
    )
}

/// Where memlab and the operator differ by more than a rounding, and why.
pub fn differences(g: &Group, operator: &TaskManagerMemory, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for p in &g.parts {
        let (ours, theirs) = (p.after, part_bytes(operator, p.part));
        if ours.abs_diff(theirs) < 16 << 20 {
            continue;
        }
        let (o, t) = (human(ours), human(theirs));
        out.push(match p.part {
            Part::Heap => tr!(
                lang,
                "heap: memlab {o}, the operator {t} — the operator sizes from heap used, garbage included; memlab from the live set after collections",
                "堆：memlab {o}，Operator {t}——Operator 按已用堆（含垃圾）计算；memlab 按 GC 之后的存活集"
            ),
            Part::Managed => tr!(
                lang,
                "managed: memlab {o}, the operator {t} — both keep what RocksDB or batch use; memlab also gives it the bytes the process keeps",
                "托管内存：memlab {o}，Operator {t}——两者都保留 RocksDB 或批处理所用；memlab 还把进程保留的字节分给它"
            ),
            Part::Network => tr!(
                lang,
                "network: memlab {o}, the operator {t} — memlab never goes below the observed peak",
                "网络内存：memlab {o}，Operator {t}——memlab 不低于观测峰值"
            ),
            Part::Metaspace => tr!(
                lang,
                "metaspace: memlab {o}, the operator {t} — the operator sizes from the mean, memlab from the peak",
                "元空间：memlab {o}，Operator {t}——Operator 按平均值，memlab 按峰值"
            ),
            Part::Overhead => tr!(
                lang,
                "overhead: memlab {o}, the operator {t} — the operator keeps it; memlab sizes it from the native-memory estimate",
                "开销：memlab {o}，Operator {t}——Operator 保持不变；memlab 按原生内存估计"
            ),
        });
    }
    let (a, b) = (g.after.total_process(), operator.total_process());
    if a.abs_diff(b) >= 16 << 20 {
        let (a, b) = (human(a), human(b));
        out.push(tr!(
            lang,
            "process: memlab {a}, the operator {b} — the operator always shrinks to what it handed out; memlab keeps today's size unless asked to shrink",
            "进程：memlab {a}，Operator {b}——Operator 总是缩到所分配的总和；memlab 默认保持原大小，除非要求缩小"
        ));
    }
    out
}

/// The tuning as JSON: stable keys, sentences in `lang`.
pub fn json(source: &str, t: &Tuning, lang: Lang) -> Value {
    let groups: Vec<Value> = t
        .groups
        .iter()
        .map(|g| {
            let parts: Vec<Value> = g
                .parts
                .iter()
                .map(|p| json!({ "part": p.part, "before": p.before, "after": p.after, "reason": p.reason.in_lang(lang) }))
                .collect();
            let config: serde_json::Map<String, Value> =
                g.config.entries().map(|(k, v)| (k.to_owned(), Value::String(v.to_owned()))).collect();
            let operator = match &g.operator {
                Ok((c, m)) => json!({
                    "overrides": c.overrides.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
                    "removals": c.removals,
                    "after": m,
                    "differences": differences(g, m, lang),
                }),
                Err(why) => json!({ "skipped": why.in_lang(lang) }),
            };
            json!({
                "name": g.name,
                "taskmanagers": g.members,
                "config": config,
                "removals": g.removals,
                "changes": g.changes,
                "parts": parts,
                "notes": g.notes.iter().map(|n| n.in_lang(lang)).collect::<Vec<_>>(),
                "before": g.base.memory,
                "after": g.after,
                "savedPerTaskManager": g.saved(),
                "saved": g.saved_total(),
                "configYaml": g.config_yaml(),
                "dynamic": g.dynamic(),
                "k8s": g.k8s(),
                "operator": operator,
                "evidence": g.evidence,
            })
        })
        .collect();
    json!({
        "source": source,
        "refused": t.refused.as_ref().map(|r| r.in_lang(lang)),
        "groups": groups,
        "saved": t.saved_total(),
        "jobmanager": t.jobmanager.iter().map(|r| json!({ "summary": r.summary.in_lang(lang), "diff": r.diff() })).collect::<Vec<_>>(),
        "operatorVersion": OPERATOR,
    })
}
