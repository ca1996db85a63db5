//! What the Live cluster view shows, computed from snapshots (no DOM): one card per
//! TaskManager with used vs configured for each memory pool, the series over time, the
//! TaskManagers that disappeared, and a re-derivation of each `memoryConfiguration` with
//! memlab's calculator.

use serde::Serialize;

use crate::config::FlinkConfig;
use crate::recording::{Snapshot, TaskManagerSnapshot};
use crate::rest::MemoryConfiguration;
use crate::taskmanager;

/// The TaskManager metrics a poll asks for (`tools/record.py` asks for the same).
pub const TM_METRICS: &[&str] = &[
    "Status.JVM.Memory.Heap.Used",
    "Status.JVM.Memory.Heap.Committed",
    "Status.JVM.Memory.Heap.Max",
    "Status.JVM.Memory.NonHeap.Used",
    "Status.JVM.Memory.NonHeap.Committed",
    "Status.JVM.Memory.Metaspace.Used",
    "Status.JVM.Memory.Metaspace.Committed",
    "Status.JVM.Memory.Metaspace.Max",
    "Status.JVM.Memory.Direct.MemoryUsed",
    "Status.JVM.Memory.Direct.TotalCapacity",
    "Status.JVM.Memory.Direct.Count",
    "Status.JVM.Memory.Mapped.MemoryUsed",
    "Status.JVM.Memory.Mapped.TotalCapacity",
    "Status.Flink.Memory.Managed.Used",
    "Status.Flink.Memory.Managed.Total",
    "Status.Shuffle.Netty.UsedMemorySegments",
    "Status.Shuffle.Netty.TotalMemorySegments",
    "Status.Shuffle.Netty.AvailableMemorySegments",
    "Status.Shuffle.Netty.UsedMemory",
    "Status.Shuffle.Netty.TotalMemory",
    "Status.JVM.GarbageCollector.All.Count",
    "Status.JVM.GarbageCollector.All.Time",
    "Status.JVM.GarbageCollector.All.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Young_Generation.Count",
    "Status.JVM.GarbageCollector.G1_Young_Generation.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Old_Generation.Count",
    "Status.JVM.GarbageCollector.G1_Old_Generation.TimeMsPerSecond",
    "Status.JVM.CPU.Load",
    "Status.JVM.Threads.Count",
    "Status.JVM.ClassLoader.ClassesLoaded",
];

/// The JobManager metrics a poll asks for.
pub const JM_METRICS: &[&str] = &[
    "Status.JVM.Memory.Heap.Used",
    "Status.JVM.Memory.Heap.Max",
    "Status.JVM.Memory.NonHeap.Used",
    "Status.JVM.Memory.Metaspace.Used",
    "Status.JVM.Memory.Metaspace.Max",
    "Status.JVM.Memory.Direct.MemoryUsed",
    "Status.JVM.GarbageCollector.All.Count",
    "Status.JVM.GarbageCollector.All.TimeMsPerSecond",
    "Status.JVM.CPU.Load",
];

/// Used vs the size it may reach.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Gauge {
    pub used: f64,
    pub capacity: f64,
}

impl Gauge {
    pub fn ratio(&self) -> f64 {
        if self.capacity > 0.0 {
            (self.used / self.capacity).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// One TaskManager's pools at one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TmCard {
    pub id: String,
    pub slots: u32,
    pub free_slots: u32,
    pub heap: Option<Gauge>,
    pub managed: Option<Gauge>,
    /// In segments.
    pub network: Option<Gauge>,
    pub metaspace: Option<Gauge>,
    pub direct: Option<Gauge>,
    pub gc_ms_per_s: Option<f64>,
    pub memory: Option<MemoryConfiguration>,
    /// memlab's calculator does not reproduce the reported configuration (a message).
    pub config_mismatch: Option<String>,
}

impl TmCard {
    /// The fullest pool, for sorting (0 when nothing is known).
    pub fn utilisation(&self) -> f64 {
        [self.heap, self.managed, self.network].iter().flatten().map(Gauge::ratio).fold(0.0, f64::max)
    }
}

fn gauge(tm: &TaskManagerSnapshot, used: &str, cap: Option<f64>) -> Option<Gauge> {
    Some(Gauge { used: tm.metric(used)?, capacity: cap? })
}

pub fn card(tm: &TaskManagerSnapshot) -> TmCard {
    let mem = tm.memory;
    let heap_max = tm.metric("Status.JVM.Memory.Heap.Max");
    TmCard {
        id: tm.id.clone(),
        slots: tm.slots,
        free_slots: tm.free_slots,
        heap: gauge(tm, "Status.JVM.Memory.Heap.Used", heap_max),
        // Capacities are the configured sizes (memoryConfiguration) where Flink reports them.
        managed: gauge(
            tm,
            "Status.Flink.Memory.Managed.Used",
            mem.map(|m| m.managed_memory as f64).or(tm.metric("Status.Flink.Memory.Managed.Total")),
        ),
        network: gauge(
            tm,
            "Status.Shuffle.Netty.UsedMemorySegments",
            tm.metric("Status.Shuffle.Netty.TotalMemorySegments"),
        ),
        metaspace: gauge(tm, "Status.JVM.Memory.Metaspace.Used", mem.map(|m| m.jvm_metaspace as f64)),
        direct: gauge(
            tm,
            "Status.JVM.Memory.Direct.MemoryUsed",
            mem.map(|m| (m.framework_off_heap + m.task_off_heap + m.network_memory) as f64),
        ),
        gc_ms_per_s: tm.metric("Status.JVM.GarbageCollector.All.TimeMsPerSecond"),
        memory: mem,
        config_mismatch: mem.and_then(|m| rederive(&m).err()),
    }
}

/// Re-derives a reported `memoryConfiguration` with memlab's calculator (fine-grained
/// sizes plus totals, as a config.yaml would set them) and says where it differs.
pub fn rederive(m: &MemoryConfiguration) -> Result<(), String> {
    let b = |x: u64| format!("{x}b");
    let mut c = FlinkConfig::new();
    for (k, v) in [
        ("taskmanager.memory.framework.heap.size", m.framework_heap),
        ("taskmanager.memory.task.heap.size", m.task_heap),
        ("taskmanager.memory.framework.off-heap.size", m.framework_off_heap),
        ("taskmanager.memory.task.off-heap.size", m.task_off_heap),
        ("taskmanager.memory.managed.size", m.managed_memory),
        ("taskmanager.memory.network.min", m.network_memory),
        ("taskmanager.memory.network.max", m.network_memory),
        ("taskmanager.memory.jvm-metaspace.size", m.jvm_metaspace),
        ("taskmanager.memory.jvm-overhead.min", m.jvm_overhead),
        ("taskmanager.memory.jvm-overhead.max", m.jvm_overhead),
        ("taskmanager.memory.process.size", m.total_process_memory),
    ] {
        c.set(k, &b(v));
    }
    let d = taskmanager::derive(&c)
        .map_err(|e| format!("memlab's calculator rejects the reported sizes: {e}"))?;
    let ours = [d.total_flink(), d.total_process(), d.network.bytes, d.task_heap.bytes];
    let theirs = [m.total_flink_memory, m.total_process_memory, m.network_memory, m.task_heap];
    if ours != theirs {
        return Err(format!(
            "memlab derives total Flink {} / process {} bytes, the TaskManager reports {} / {}",
            ours[0], ours[1], theirs[0], theirs[1]
        ));
    }
    Ok(())
}

/// The cluster at snapshot `i`: present TaskManagers (fullest first) and the ones seen
/// earlier that are gone, with the time they were last seen.
pub fn at(snapshots: &[Snapshot], i: usize) -> (Vec<TmCard>, Vec<(String, u64)>) {
    let Some(now) = snapshots.get(i) else { return (Vec::new(), Vec::new()) };
    let mut cards: Vec<TmCard> = now.taskmanagers.iter().map(card).collect();
    cards.sort_by(|a, b| b.utilisation().total_cmp(&a.utilisation()).then_with(|| a.id.cmp(&b.id)));
    let mut gone: Vec<(String, u64)> = Vec::new();
    for s in snapshots[..i].iter().rev() {
        for tm in &s.taskmanagers {
            if !now.taskmanagers.iter().any(|t| t.id == tm.id) && !gone.iter().any(|(id, _)| *id == tm.id) {
                gone.push((tm.id.clone(), s.t));
            }
        }
    }
    (cards, gone)
}

/// One metric of one TaskManager over all snapshots (NaN where it is missing).
pub fn series(snapshots: &[Snapshot], tm: &str, metric: &str) -> Vec<f64> {
    snapshots
        .iter()
        .map(|s| {
            s.taskmanagers.iter().find(|t| t.id == tm).and_then(|t| t.metric(metric)).unwrap_or(f64::NAN)
        })
        .collect()
}

/// The message for a request that failed before any HTTP answer. A browser cannot tell a
/// refused connection from a CORS block, so both are named, with how to tell them apart.
pub fn network_failure_message(url: &str, page_is_https: bool) -> String {
    network_failure_message_in(memlab_text::Lang::En, url, page_is_https)
}

/// [`network_failure_message`] in `lang`.
pub fn network_failure_message_in(lang: memlab_text::Lang, url: &str, page_is_https: bool) -> String {
    use memlab_text::tr;
    if page_is_https && url.starts_with("http://") {
        return tr!(
            lang,
            "The browser blocked {url}: this page is served over https and the cluster over http (mixed content). Open memlab over http, serve the cluster's REST API over https, or put both behind the same proxy.",
            "浏览器拦截了 {url}：本页面通过 https 提供，而集群是 http（混合内容，`mixed content`）。请通过 http 打开 memlab，或让集群的 REST API 走 https，或把两者放到同一个代理后面。"
        );
    }
    tr!(
        lang,
        "No answer from {url}. Either nothing listens there (check the address and that the JobManager runs: open {url}/overview in a new tab), or the cluster answered but its REST API does not allow this page's origin (CORS): if {url}/overview opens in a tab, set web.access-control-allow-origin: \"*\" (or this page's origin) in the cluster's config.yaml, or reach the cluster through a proxy on this page's origin.",
        "{url} 没有应答。要么那里没有服务在监听（检查地址，并确认 JobManager 在运行：在新标签页打开 {url}/overview），要么集群应答了但它的 REST API 不允许本页面的来源（CORS）：如果 {url}/overview 能在标签页中打开，请在集群的 config.yaml 中设置 web.access-control-allow-origin: \"*\"（或本页面的来源），或者通过与本页面同源的代理访问集群。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_content_is_named() {
        assert!(network_failure_message("http://h:8081", true).contains("mixed content"));
        let m = network_failure_message("http://h:8081", false);
        assert!(m.contains("CORS") && m.contains("http://h:8081/overview"));
    }
}
