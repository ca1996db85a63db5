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
        // The JVM's own areas and buffer pools (the Live cluster page's JVM details).
        "Heap" => "堆",
        "Non-Heap" => "非堆",
        "Metaspace" => "元空间",
        "Direct" => "直接缓冲区",
        "Mapped" => "映射缓冲区",
        "All" => "全部",
        other => other,
    };
    zh.to_owned()
}

/// What a Flink configuration error means and what to do, in `lang` — shown beside Flink's
/// own message, which stays verbatim (it is what users search for in their logs).
pub fn explain_error(lang: Lang, message: &str) -> String {
    let m = message.trim_start_matches("TaskManager memory configuration failed: ");
    let m = m.trim_start_matches("JobManager memory configuration failed: ");
    let (en, zh) = if m.starts_with("Sum of configured") || m.starts_with("Sum of the configured") {
        (
            "The parts you fixed add up to more than the total they must fit in: raise the total, or lower one of the parts the message lists.",
            "你固定的各部分加起来超过了它们所在的总量：请增大总量，或减小报错中列出的某一部分。",
        )
    } else if m.starts_with("The configured Total Process Memory size")
        || m.starts_with("The configured Total Flink Memory")
        || m.starts_with("The configured JVM Heap Memory")
    {
        (
            "A total is smaller than what it must contain: raise the total, or lower the parts inside it.",
            "某个总量小于它必须容纳的部分：请增大这个总量，或减小其中的部分。",
        )
    } else if m.starts_with("Either required fine-grained memory") {
        (
            "Flink needs one of three ways to size the process: the fine-grained sizes (a TaskManager's task heap + managed memory, a JobManager's JVM heap), total Flink memory, or total process memory. None is set.",
            "Flink 需要三种方式之一来确定进程大小：细分大小（TaskManager 为任务堆 + 托管内存，JobManager 为 JVM 堆）、Flink 总内存，或进程总内存。现在一个都没有设置。",
        )
    } else if m.starts_with("Derived JVM Overhead size") || m.starts_with("Inconsistently configured") {
        (
            "A size derived from a fraction falls outside its configured min/max, or min > max: widen the range or change the fraction.",
            "由占比推导出的大小落在配置的上下限之外，或下限大于上限：请放宽范围或修改占比。",
        )
    } else if m.starts_with("Could not parse value") || m.starts_with("Cannot read memory size") {
        (
            "A value is not written the way Flink reads it: sizes are whole numbers with an optional unit (1728m, 4 gb), fractions are decimals (0.4).",
            "某个值的写法 Flink 读不了：大小是整数加可选单位（1728m、4 gb），占比是小数（0.4）。",
        )
    } else if m.starts_with("Invalid configuration value for") {
        (
            "The memory segment size must be a power of two and at least 4 KiB.",
            "内存段大小必须是 2 的幂，并且至少 4 KiB。",
        )
    } else if m
        .starts_with("If Total Flink, Task Heap and (or) Managed Memory sizes are explicitly configured")
        || m.starts_with("Configured and Derived Flink internal memory sizes")
    {
        (
            "The sizes you set inside Total Flink Memory do not add up to it: set fewer of them and let Flink derive the rest.",
            "你在 Flink 总内存内部设置的各项大小加起来不等于它：少设几项，让 Flink 推导其余部分。",
        )
    } else if m.starts_with("TaskExecutors need to be started with a positive number of CPU cores") {
        ("taskmanager.cpu.cores must be greater than 0.", "taskmanager.cpu.cores 必须大于 0。")
    } else {
        (
            "Flink refuses to start the process with this configuration; the fields the message names are highlighted.",
            "Flink 不会用这份配置启动进程；报错中提到的字段已高亮。",
        )
    };
    match lang {
        Lang::En => en.to_owned(),
        Lang::Zh => zh.to_owned(),
    }
}

#[cfg(test)]
mod term_tests {
    #[test]
    fn every_refused_configuration_gets_an_explanation_in_chinese() {
        let cjk = memlab_text::has_han;
        for yaml in [
            "taskmanager.memory.process.size: 100m",
            "taskmanager.memory.process.size: 1728m\ntaskmanager.memory.task.heap.size: 2g",
            "taskmanager.memory.process.size: 12x",
            "taskmanager.memory.jvm-overhead.min: 1g\ntaskmanager.memory.jvm-overhead.max: 512m\ntaskmanager.memory.process.size: 1728m",
            "",
        ] {
            let c = crate::FlinkConfig::from_yaml(yaml).unwrap();
            let e = crate::taskmanager::derive(&c).unwrap_err();
            let zh = super::explain_error(Lang::Zh, &e.message);
            assert!(cjk(&zh), "{yaml}: {zh}");
            assert_ne!(zh, super::explain_error(Lang::Zh, "something else"), "{yaml}: the generic explanation for {}", e.message);
        }
    }

    use super::flink_term;
    use crate::options::{jm, legacy, tm};
    use memlab_text::Lang;

    #[test]
    fn every_option_and_part_has_a_chinese_name() {
        let cjk = memlab_text::has_han;
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
