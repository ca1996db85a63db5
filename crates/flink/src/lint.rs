//! Warnings for memory options Flink will silently ignore: misspelled keys, keys removed in
//! Flink 2.0, and popular advice that names options which never existed.

use serde::Serialize;

use crate::config::FlinkConfig;
use crate::options::{jm, tm};

/// A key Flink will not use, and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub key: String,
    /// `myth` (an option that never existed), `removed` (gone in Flink 2.0) or `unknown`.
    pub kind: &'static str,
    pub message: String,
    /// The real option closest to what was meant.
    pub suggestion: Option<&'static str>,
}

impl Warning {
    /// The warning in `lang` (`message` is the English one).
    pub fn message_in(&self, lang: memlab_text::Lang) -> String {
        use memlab_text::Lang;
        let key = &self.key;
        match (lang, self.kind, self.suggestion) {
            (Lang::En, ..) => self.message.clone(),
            (Lang::Zh, "myth", _) => format!(
                "'{key}' 在任何 Flink 版本中都不存在（Flink 1.9 及更早版本有布尔选项 'taskmanager.memory.off-heap'；自 1.10 起托管内存始终在堆外）。堆外内存请用 'taskmanager.memory.task.off-heap.size'（你的代码使用的直接内存）或 'taskmanager.memory.managed.size'（状态后端、批处理算子）来设置。"
            ),
            (Lang::Zh, "removed", Some(new)) => format!("'{key}' 已在 Flink 2.0 中移除，会被忽略；请改用 '{new}'。"),
            (Lang::Zh, _, Some(s)) => format!("'{key}' 不是 Flink 的选项，会被忽略。你是想写 '{s}' 吗？"),
            (Lang::Zh, ..) => format!("'{key}' 不是 Flink 的选项，会被忽略。"),
        }
    }
}

/// Memory-related keys Flink 2.x knows besides the ones the derivation reads.
const OTHER_KNOWN: &[&str] = &[
    "taskmanager.memory.min-segment-size",
    "taskmanager.memory.starting-segment-size",
    "taskmanager.memory.managed.consumer-weights",
    "taskmanager.memory.framework.off-heap.batch-shuffle.size",
    "taskmanager.network.memory.buffer-debloat.enabled",
    "taskmanager.network.memory.buffer-debloat.period",
    "taskmanager.network.memory.buffer-debloat.samples",
    "taskmanager.network.memory.buffer-debloat.target",
    "taskmanager.network.memory.buffer-debloat.threshold-percentages",
    "taskmanager.network.memory.read-buffer.required-per-gate.max",
    "taskmanager.network.memory.buffers-per-channel",
    "taskmanager.network.memory.floating-buffers-per-gate",
    "taskmanager.network.memory.max-buffers-per-channel",
    "taskmanager.network.memory.max-overdraft-buffers-per-gate",
    "taskmanager.debug.memory.log",
    "taskmanager.debug.memory.log-interval",
];

/// Keys removed in Flink 2.0, with their replacement.
const REMOVED: &[(&str, &str)] = &[
    ("taskmanager.heap.size", "taskmanager.memory.flink.size"),
    ("taskmanager.heap.mb", "taskmanager.memory.flink.size"),
    ("jobmanager.heap.size", "jobmanager.memory.heap.size"),
    ("jobmanager.heap.mb", "jobmanager.memory.heap.size"),
    ("taskmanager.network.numberOfBuffers", "taskmanager.memory.network.min"),
    ("taskmanager.memory.fraction", "taskmanager.memory.managed.fraction"),
    ("taskmanager.memory.preallocate", "taskmanager.memory.managed.size"),
];

fn known() -> impl Iterator<Item = &'static str> {
    tm::ALL
        .iter()
        .chain(jm::ALL)
        .flat_map(|o| std::iter::once(o.key).chain(o.fallbacks.iter().copied()))
        .chain(OTHER_KNOWN.iter().copied())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn nearest(key: &str) -> Option<&'static str> {
    known()
        .filter(|k| !k.contains(".network.memory.") || key.contains("network"))
        .min_by_key(|k| levenshtein(key, k))
}

/// Warnings for the memory-looking keys of `c` that Flink 2.x ignores.
pub fn check(c: &FlinkConfig) -> Vec<Warning> {
    let mut out = Vec::new();
    for (key, _) in c.entries() {
        let memoryish = (key.starts_with("taskmanager.") || key.starts_with("jobmanager."))
            && (key.contains("memory") || key.contains("heap"));
        if !memoryish || known().any(|k| k == key) {
            continue;
        }
        let w = if key.starts_with("taskmanager.memory.off-heap") {
            Warning {
                key: key.to_owned(),
                kind: "myth",
                message: format!(
                    "'{key}' does not exist in any Flink version (Flink 1.9 and earlier had the boolean 'taskmanager.memory.off-heap'; since 1.10 managed memory is always off-heap). Size off-heap memory with 'taskmanager.memory.task.off-heap.size' (your code's direct memory) or 'taskmanager.memory.managed.size' (state backends, batch operators)."
                ),
                suggestion: Some(tm::TASK_OFF_HEAP.key),
            }
        } else if let Some((_, new)) = REMOVED.iter().find(|(old, _)| *old == key) {
            Warning {
                key: key.to_owned(),
                kind: "removed",
                message: format!("'{key}' was removed in Flink 2.0 and is ignored; use '{new}'."),
                suggestion: Some(new),
            }
        } else {
            let s = nearest(key);
            Warning {
                key: key.to_owned(),
                kind: "unknown",
                message: match s {
                    Some(s) => format!("'{key}' is not a Flink option and is ignored. Did you mean '{s}'?"),
                    None => format!("'{key}' is not a Flink option and is ignored."),
                },
                suggestion: s,
            }
        };
        out.push(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warn(yaml: &str) -> Vec<Warning> {
        check(&FlinkConfig::from_yaml(yaml).unwrap())
    }

    #[test]
    fn off_heap_enabled_is_bad_advice() {
        let w = warn("taskmanager.memory.off-heap.enabled: true");
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("does not exist in any Flink version"));
    }

    #[test]
    fn typos_get_the_nearest_option() {
        let w = warn("taskmanager.memory.proces.size: 2g\ntaskmanager.memory.managed.fracton: 0.1");
        assert_eq!(w[0].suggestion, Some("taskmanager.memory.process.size"));
        assert_eq!(w[1].suggestion, Some("taskmanager.memory.managed.fraction"));
    }

    #[test]
    fn removed_and_valid_keys() {
        assert_eq!(warn("taskmanager.heap.size: 1g")[0].suggestion, Some("taskmanager.memory.flink.size"));
        assert!(warn(
            "taskmanager.memory.process.size: 2g\ntaskmanager.network.memory.fraction: 0.1\nrest.port: 8081"
        )
        .is_empty());
    }
}
