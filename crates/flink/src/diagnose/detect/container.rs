//! The process against the container's memory limit, when the user gives it.

use super::super::{Kind, Options, Severity, Text};
use super::common::*;
use crate::rest::MemoryConfiguration;

pub(super) fn detect(mem: &MemoryConfiguration, opts: &Options, out: &mut Out) {
    if let Some(limit) = opts.container_limit {
        let process = mem.total_process_memory;
        if process > limit {
            let mut ev = evidence(HEAP, &Vec::new(), Vec::new(), None, None);
            ev.facts.push(Text::ProcessOverLimit { process, limit });
            out.found(
                Kind::ContainerHeadroom,
                Severity::Critical,
                Text::ContainerHeadline { process, limit },
                Text::ContainerWhy,
                ev,
            );
        }
    }
}
