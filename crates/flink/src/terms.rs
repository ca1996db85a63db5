//! Flink's names for memory components and options in each language memlab speaks, as
//! Flink's Chinese documentation says them. Option keys are never translated.

use memlab_text::Lang;

/// Flink's names for memory components and options, in `lang`. Flink's Chinese
/// documentation's terms, with the English name a user sees in Flink's own UI and logs kept
/// beside where they differ a lot. (Option keys are never translated.)
pub fn flink_term(lang: Lang, en: &str) -> String {
    if lang == Lang::En {
        return en.to_owned();
    }
    let zh = match en {
        "Total Process Memory" => "进程总内存",
        "Total Flink Memory" => "Flink 总内存",
        "Framework Heap" => "框架堆内存",
        "Task Heap" => "任务堆内存",
        "Managed Memory" => "托管内存",
        "Managed Memory fraction" => "托管内存占比",
        "Framework Off-Heap" => "框架堆外内存",
        "Task Off-Heap" => "任务堆外内存",
        "Network" | "Network Memory" => "网络内存",
        "Network Memory fraction" => "网络内存占比",
        "Network Memory min" => "网络内存下限",
        "Network Memory max" => "网络内存上限",
        "JVM Heap" => "JVM 堆内存",
        "Off-Heap" | "Off-Heap Memory" => "堆外内存",
        "Direct Memory" => "直接内存",
        "JVM Metaspace" => "JVM 元空间 (Metaspace)",
        "JVM Overhead" => "JVM 开销",
        "JVM Overhead fraction" => "JVM 开销占比",
        "JVM Overhead min" => "JVM 开销下限",
        "JVM Overhead max" => "JVM 开销上限",
        "Task slots" => "任务槽数",
        "CPU cores" => "CPU 核数",
        "Memory segment size" => "内存段大小",
        "Limit JVM direct memory" => "限制 JVM 直接内存",
        "Legacy JobManager heap (→ JVM Heap)" => "旧版 JobManager 堆（→ JVM 堆内存）",
        "Legacy JobManager heap in MB" => "旧版 JobManager 堆（MB）",
        "Legacy TaskManager heap (→ Total Flink Memory)" => "旧版 TaskManager 堆（→ Flink 总内存）",
        "Legacy TaskManager heap in MB" => "旧版 TaskManager 堆（MB）",
        "Legacy number of network buffers" => "旧版网络缓冲区数量",
        // The parts a recommendation moves (crates/flink recommend::parts).
        "Framework heap" => "框架堆内存",
        "Task heap" => "任务堆内存",
        "Framework off-heap" => "框架堆外内存",
        "Task off-heap" => "任务堆外内存",
        "Managed" => "托管内存",
        "JVM metaspace" => "JVM 元空间",
        "JVM overhead" => "JVM 开销",
        "Total Flink memory" => "Flink 总内存",
        "Total process memory" => "进程总内存",
        "JVM heap" => "JVM 堆内存",
        "Off-heap" => "堆外内存",
        other => other,
    };
    zh.to_owned()
}

#[cfg(test)]
mod term_tests {
    use super::flink_term;
    use crate::options::{jm, legacy, tm};
    use memlab_text::Lang;

    #[test]
    fn every_option_and_part_has_a_chinese_name() {
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let labels = tm::ALL.iter().chain(jm::ALL).chain(legacy::TM).chain(legacy::JM).map(|o| o.label);
        let c = crate::FlinkConfig::from_yaml("taskmanager.memory.process.size: 1728m").unwrap();
        let m = crate::taskmanager::derive(&c).unwrap();
        let parts = crate::diagnose::recommend::parts(&m).map(|p| p.0);
        for en in labels.chain(parts) {
            assert!(cjk(&flink_term(Lang::Zh, en)), "no 简体中文 name for Flink's '{en}'");
            assert_eq!(flink_term(Lang::En, en), en);
        }
    }
}
