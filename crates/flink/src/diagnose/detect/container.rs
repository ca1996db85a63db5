//! The process against the container's memory limit, when the user gives it.

use memlab_text::tr;

use super::super::{Kind, Options, Severity};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(_p: &Proc, mem: &MemoryConfiguration, opts: &Options, out: &mut Out) {
    let lang = opts.lang;
    if let Some(limit) = opts.container_limit {
        let process = mem.total_process_memory;
        if process > limit {
            let mut ev = evidence(HEAP, &Vec::new(), Vec::new(), None, None);
            ev.facts.push(tr!(
                lang,
                "process size {} > container limit {}",
                "进程大小 {} > 容器限制 {}",
                hr(process as f64),
                hr(limit as f64)
            ));
            out.found(
                Kind::ContainerHeadroom,
                Severity::Critical,
                tr!(
                    lang,
                    "The TaskManager may grow to {}, its container allows {}",
                    "TaskManager 可能增长到 {}，而容器只允许 {}",
                    hr(process as f64),
                    hr(limit as f64)
                ),
                tr!(
                    lang,
                    "taskmanager.memory.process.size is everything the JVM may use. If the container's limit is smaller, the OS kills the TaskManager when it gets there (OOMKilled, exit code 137), typically under load. Set process.size to the container's limit.",
                    "taskmanager.memory.process.size 是 JVM 可以使用的全部内存。如果容器的限制更小，TaskManager 一到那里就会被操作系统杀掉（OOMKilled，退出码 137），通常发生在负载高时。请把 process.size 设为容器的限制。"
                ),
                ev,
            );
        }
    }
}
