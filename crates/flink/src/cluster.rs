//! What the Live cluster view shows, computed from snapshots (no DOM): one card per
//! TaskManager with used vs configured for each memory pool, the series over time, the
//! TaskManagers that disappeared, and a re-derivation of each `memoryConfiguration` with
//! memlab's calculator.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::FlinkConfig;
use crate::metrics;
pub use crate::metrics::{JM_METRICS, TM_METRICS};
use crate::rest::MemoryConfiguration;
use crate::snapshot::{Snapshot, Spread, TaskManagerSnapshot};
use crate::taskmanager;

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
    /// The JVM's own figures, as Flink's TaskManager page lists them under "Advanced".
    pub jvm: JvmDetail,
    /// When these readings were taken (ms since the epoch; 0: never read). A large
    /// cluster's poll reads a few TaskManagers ([`crate::poll`]): the others show their last
    /// readings, older than the poll shown.
    pub read_t: u64,
    /// The figures are the TaskManager's peaks over a large Prometheus window, whose full
    /// series were not read ([`crate::promscale`]).
    pub peak: bool,
}

/// A JVM memory area as the JVM reports it: bytes committed, used, and the most it may
/// grow to (unknown where the poll does not ask for it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JvmArea {
    /// `Heap`, `Non-Heap` or `Metaspace`.
    pub name: &'static str,
    pub committed: Option<f64>,
    pub used: Option<f64>,
    pub max: Option<f64>,
}

/// One of the JVM's buffer pools outside the heap (`Direct` or `Mapped`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BufferPool {
    pub name: &'static str,
    pub count: Option<f64>,
    pub used: Option<f64>,
    pub capacity: Option<f64>,
}

/// One garbage collector (or `All` of them): collections so far, time spent per second of
/// the last interval, and in all.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Collector {
    pub name: String,
    pub count: Option<f64>,
    pub ms_per_s: Option<f64>,
    pub total_ms: Option<f64>,
}

/// Everything a TaskManager's JVM reports about itself in one poll. Rows with no figure at
/// all are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct JvmDetail {
    pub areas: Vec<JvmArea>,
    pub buffers: Vec<BufferPool>,
    /// `All` first, then each collector by name.
    pub collectors: Vec<Collector>,
    pub threads: Option<f64>,
    pub cpu_load: Option<f64>,
    pub classes_loaded: Option<f64>,
}

impl JvmDetail {
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
            && self.buffers.is_empty()
            && self.collectors.is_empty()
            && self.threads.is_none()
            && self.cpu_load.is_none()
            && self.classes_loaded.is_none()
    }
}

const GC: &str = "Status.JVM.GarbageCollector.";

/// The JVM's figures among one process's metrics (a TaskManager's or the JobManager's, by
/// metric id).
pub fn jvm_detail(metrics: &BTreeMap<String, f64>) -> JvmDetail {
    let m = |id: &str| metrics.get(id).copied();
    let area = |name, key: &str, max: bool| JvmArea {
        name,
        committed: m(&format!("Status.JVM.Memory.{key}.Committed")),
        used: m(&format!("Status.JVM.Memory.{key}.Used")),
        max: if max { m(&format!("Status.JVM.Memory.{key}.Max")) } else { None },
    };
    let areas =
        [area("Heap", "Heap", true), area("Non-Heap", "NonHeap", true), area("Metaspace", "Metaspace", true)]
            .into_iter()
            .filter(|a| a.committed.is_some() || a.used.is_some() || a.max.is_some())
            .collect();
    let pool = |name: &'static str| BufferPool {
        name,
        count: m(&format!("Status.JVM.Memory.{name}.Count")),
        used: m(&format!("Status.JVM.Memory.{name}.MemoryUsed")),
        capacity: m(&format!("Status.JVM.Memory.{name}.TotalCapacity")),
    };
    let buffers = [pool("Direct"), pool("Mapped")]
        .into_iter()
        .filter(|b| b.count.is_some() || b.used.is_some() || b.capacity.is_some())
        .collect();
    // Collectors are named by the JVM (G1_Young_Generation, PS_MarkSweep, ZGC_Cycles, …):
    // every name the metrics mention is listed.
    let mut names: Vec<&str> =
        metrics.keys().filter_map(|k| k.strip_prefix(GC)?.rsplit_once('.').map(|(name, _)| name)).collect();
    names.sort_by_key(|n| (*n != "All", *n));
    names.dedup();
    let collectors = names
        .into_iter()
        .map(|name| Collector {
            name: name.to_owned(),
            count: m(&format!("{GC}{name}.Count")),
            ms_per_s: m(&format!("{GC}{name}.TimeMsPerSecond")),
            total_ms: m(&format!("{GC}{name}.Time")),
        })
        .filter(|c| c.count.is_some() || c.ms_per_s.is_some() || c.total_ms.is_some())
        .collect();
    JvmDetail {
        areas,
        buffers,
        collectors,
        threads: m(metrics::THREADS),
        cpu_load: m(metrics::CPU_LOAD),
        classes_loaded: m(metrics::CLASSES_LOADED),
    }
}

impl TmCard {
    /// The fullest pool, for sorting (0 when nothing is known).
    pub fn utilisation(&self) -> f64 {
        [self.heap, self.managed, self.network].iter().flatten().map(Gauge::ratio).fold(0.0, f64::max)
    }

    /// How close the TaskManager is to trouble, 0 to 1: its fullest pool, its metaspace
    /// against its limit, or its GC time (100 ms/s, a tenth of its time, counts as full).
    pub fn pressure(&self) -> f64 {
        let gc = self.gc_ms_per_s.map_or(0.0, |g| (g / 100.0).clamp(0.0, 1.0));
        self.utilisation().max(self.metaspace.map_or(0.0, |g| g.ratio())).max(gc)
    }
}

fn gauge(tm: &TaskManagerSnapshot, used: &str, cap: Option<f64>) -> Option<Gauge> {
    Some(Gauge { used: tm.metric(used)?, capacity: cap? })
}

pub fn card(tm: &TaskManagerSnapshot) -> TmCard {
    let mem = tm.memory;
    let heap_max = tm.metric(metrics::HEAP_MAX);
    TmCard {
        id: tm.id.clone(),
        slots: tm.slots,
        free_slots: tm.free_slots,
        heap: gauge(tm, metrics::HEAP_USED, heap_max),
        // Capacities are the configured sizes (memoryConfiguration) where Flink reports them.
        managed: gauge(
            tm,
            metrics::MANAGED_USED,
            mem.map(|m| m.managed_memory as f64).or(tm.metric(metrics::MANAGED_TOTAL)),
        ),
        network: gauge(tm, metrics::NETWORK_USED_SEGMENTS, tm.metric(metrics::NETWORK_TOTAL_SEGMENTS)),
        // Without the configuration (a Prometheus window), the JVM's own limit.
        metaspace: gauge(
            tm,
            metrics::METASPACE_USED,
            mem.map(|m| m.jvm_metaspace as f64).or(tm.metric(metrics::METASPACE_MAX).filter(|m| *m > 0.0)),
        ),
        direct: gauge(
            tm,
            metrics::DIRECT_USED,
            mem.map(|m| (m.framework_off_heap + m.task_off_heap + m.network_memory) as f64),
        ),
        gc_ms_per_s: tm.metric(metrics::GC_MS_PER_S),
        memory: mem,
        config_mismatch: mem.and_then(|m| rederive(&m).err()).map(|e| e.to_string()),
        jvm: jvm_detail(&tm.metrics),
        read_t: 0,
        peak: false,
    }
}

/// How a TaskManager's reported `memoryConfiguration` disagrees with memlab's calculator.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("memlab's calculator rejects the reported sizes: {0}")]
    Rejected(crate::error::FlinkError),
    /// Total Flink and total process memory: (memlab's, the TaskManager's).
    #[error("memlab derives total Flink {} / process {} bytes, the TaskManager reports {} / {}", flink.0, process.0, flink.1, process.1)]
    Differs { flink: (u64, u64), process: (u64, u64) },
}

/// Re-derives a reported `memoryConfiguration` with memlab's calculator (fine-grained
/// sizes plus totals, as a config.yaml would set them) and says where it differs.
pub fn rederive(m: &MemoryConfiguration) -> Result<(), Mismatch> {
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
    let d = taskmanager::derive(&c).map_err(Mismatch::Rejected)?;
    let ours = [d.total_flink(), d.total_process(), d.network.bytes, d.task_heap.bytes];
    let theirs = [m.total_flink_memory, m.total_process_memory, m.network_memory, m.task_heap];
    if ours != theirs {
        return Err(Mismatch::Differs { flink: (ours[0], theirs[0]), process: (ours[1], theirs[1]) });
    }
    Ok(())
}

/// The cluster at snapshot `i`: present TaskManagers (fullest first) and the ones seen
/// earlier that are gone, with the time they were last seen. A TaskManager listed but not
/// read at `i` shows its last readings before (with their time in [`TmCard::read_t`]).
pub fn at(snapshots: &[Snapshot], i: usize) -> (Vec<TmCard>, Vec<(String, u64)>) {
    use std::collections::BTreeSet;
    let Some(now) = snapshots.get(i) else { return (Vec::new(), Vec::new()) };
    let mut cards: Vec<TmCard> = Vec::with_capacity(now.taskmanagers.len());
    // Unread at `i`: their index among the cards.
    let mut unread: BTreeMap<&str, usize> = BTreeMap::new();
    for tm in &now.taskmanagers {
        let mut c = card(tm);
        if tm.metrics.is_empty() {
            unread.insert(&tm.id, cards.len());
        } else {
            c.read_t = now.t;
        }
        cards.push(c);
    }
    let present: BTreeSet<&str> = now.taskmanagers.iter().map(|t| t.id.as_str()).collect();
    let mut gone: Vec<(String, u64)> = Vec::new();
    let mut gone_ids: BTreeSet<&str> = BTreeSet::new();
    for s in snapshots[..i].iter().rev() {
        for tm in &s.taskmanagers {
            if !present.contains(tm.id.as_str()) {
                if gone_ids.insert(&tm.id) {
                    gone.push((tm.id.clone(), s.t));
                }
            } else if !tm.metrics.is_empty() {
                if let Some(k) = unread.remove(tm.id.as_str()) {
                    let listed = &now.taskmanagers[k];
                    let mut c = card(&TaskManagerSnapshot { metrics: tm.metrics.clone(), ..listed.clone() });
                    c.read_t = s.t;
                    cards[k] = c;
                }
            }
        }
    }
    cards.extend(
        now.peers
            .iter()
            .filter(|p| !present.contains(p.id.as_str()))
            .map(|p| TmCard { peak: true, ..card(p) }),
    );
    cards.sort_by(|a, b| b.utilisation().total_cmp(&a.utilisation()).then_with(|| a.id.cmp(&b.id)));
    (cards, gone)
}

pub use crate::metrics::SPREAD_METRICS;

/// Each of [`SPREAD_METRICS`] over every TaskManager at snapshot `s`: the source's own
/// summary where it has one (Flink's aggregating endpoint covers every TaskManager, also
/// the ones this poll did not read; Prometheus's distributions), else computed from the
/// TaskManagers read (with their median).
pub fn spread(s: &Snapshot) -> Vec<(&'static str, Spread)> {
    SPREAD_METRICS
        .into_iter()
        .filter_map(|m| {
            if let Some(x) = s.summary.get(m) {
                return Some((m, *x));
            }
            let mut v: Vec<f64> =
                s.taskmanagers.iter().filter_map(|t| t.metric(m)).filter(|x| x.is_finite()).collect();
            if v.is_empty() {
                return None;
            }
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
            let sum: f64 = v.iter().sum();
            Some((
                m,
                Spread {
                    min: v[0],
                    max: v[n - 1],
                    avg: Some(sum / n as f64),
                    median: Some(median),
                    sum: Some(sum),
                },
            ))
        })
        .collect()
}

/// How the TaskManager list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TmOrder {
    /// Worst finding first, then the fullest.
    Risk,
    Heap,
    Managed,
    Network,
    Metaspace,
    Direct,
    Gc,
    Id,
}

impl TmOrder {
    pub const ALL: [TmOrder; 8] = [
        TmOrder::Risk,
        TmOrder::Heap,
        TmOrder::Managed,
        TmOrder::Network,
        TmOrder::Metaspace,
        TmOrder::Direct,
        TmOrder::Gc,
        TmOrder::Id,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            TmOrder::Risk => "risk",
            TmOrder::Heap => "heap",
            TmOrder::Managed => "managed",
            TmOrder::Network => "network",
            TmOrder::Metaspace => "metaspace",
            TmOrder::Direct => "direct",
            TmOrder::Gc => "gc",
            TmOrder::Id => "id",
        }
    }

    pub fn from_slug(s: &str) -> Option<TmOrder> {
        TmOrder::ALL.into_iter().find(|o| o.slug() == s)
    }

    /// The figure the order sorts by, highest first (none for risk and id).
    pub fn figure(self, c: &TmCard) -> Option<f64> {
        let r = |g: Option<Gauge>| g.map(|g| g.ratio());
        match self {
            TmOrder::Heap => r(c.heap),
            TmOrder::Managed => r(c.managed),
            TmOrder::Network => r(c.network),
            TmOrder::Metaspace => r(c.metaspace),
            TmOrder::Direct => r(c.direct),
            TmOrder::Gc => c.gc_ms_per_s,
            TmOrder::Risk | TmOrder::Id => None,
        }
    }
}

/// The cards whose id contains `query` (any case), in `order`; `risk` ranks them for
/// [`TmOrder::Risk`] (smallest first: see [`crate::diagnose::Report::risk`]), the fullest
/// first among equals. Unknown figures sort last.
pub fn arrange<'a, K: Ord>(
    cards: &'a [TmCard],
    query: &str,
    order: TmOrder,
    risk: impl Fn(&str) -> K,
) -> Vec<&'a TmCard> {
    let q = query.trim().to_lowercase();
    let mut out: Vec<&TmCard> =
        cards.iter().filter(|c| q.is_empty() || c.id.to_lowercase().contains(&q)).collect();
    let desc = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    match order {
        TmOrder::Id => out.sort_by(|a, b| a.id.cmp(&b.id)),
        TmOrder::Risk => {
            let mut keyed: Vec<(K, &TmCard)> = out.into_iter().map(|c| (risk(&c.id), c)).collect();
            keyed.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| b.1.pressure().total_cmp(&a.1.pressure()))
                    .then_with(|| a.1.id.cmp(&b.1.id))
            });
            out = keyed.into_iter().map(|x| x.1).collect();
        }
        o => out.sort_by(|a, b| desc(o.figure(a), o.figure(b)).then_with(|| a.id.cmp(&b.id))),
    }
    out
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

    fn tm(metrics: &[(&str, f64)]) -> BTreeMap<String, f64> {
        metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn snap(t: u64, tms: &[(&str, Option<f64>)]) -> Snapshot {
        let taskmanagers = tms
            .iter()
            .map(|(id, heap)| TaskManagerSnapshot {
                id: (*id).into(),
                slots: 1,
                free_slots: 0,
                memory: None,
                metrics: heap.map_or_else(BTreeMap::new, |h| {
                    tm(&[(metrics::HEAP_USED, h), (metrics::HEAP_MAX, 100.0), (metrics::GC_MS_PER_S, 1.0)])
                }),
            })
            .collect();
        Snapshot { t, taskmanagers, listed_taskmanagers: true, ..Snapshot::default() }
    }

    #[test]
    fn the_spread_is_the_sources_own_summary_or_computed_from_the_readings() {
        let mut s = snap(1, &[("a", Some(10.0)), ("b", Some(30.0)), ("c", Some(20.0)), ("d", None)]);
        let heap = spread(&s).into_iter().find(|x| x.0 == metrics::HEAP_USED).unwrap().1;
        assert_eq!((heap.min, heap.median, heap.max, heap.sum), (10.0, Some(20.0), 30.0, Some(60.0)));
        let flink = Spread { min: 1.0, max: 99.0, avg: Some(50.0), median: None, sum: None };
        s.summary.insert(metrics::HEAP_USED.into(), flink);
        let heap = spread(&s).into_iter().find(|x| x.0 == metrics::HEAP_USED).unwrap().1;
        assert_eq!((heap, heap.mid()), (flink, Some(50.0)));
        assert!(spread(&Snapshot::default()).is_empty());
    }

    #[test]
    fn an_unread_taskmanager_shows_its_last_readings_and_when() {
        let snaps = [
            snap(1000, &[("a", Some(10.0)), ("b", Some(20.0)), ("gone", Some(5.0))]),
            snap(2000, &[("a", Some(90.0)), ("b", None)]),
            snap(3000, &[("a", None), ("b", None)]),
        ];
        let (cards, gone) = at(&snaps, 2);
        let c = |id: &str| cards.iter().find(|c| c.id == id).unwrap();
        assert_eq!((c("a").heap.unwrap().used, c("a").read_t), (90.0, 2000));
        assert_eq!((c("b").heap.unwrap().used, c("b").read_t), (20.0, 1000));
        assert_eq!(gone, [("gone".to_owned(), 1000)]);
        let (cards, _) = at(&snaps, 1);
        assert_eq!(cards.iter().find(|c| c.id == "a").unwrap().read_t, 2000);
    }

    #[test]
    fn the_list_filters_by_id_and_sorts_by_pool_risk_or_id() {
        let s = snap(1, &[("tm-b", Some(30.0)), ("tm-a", Some(80.0)), ("other", Some(50.0)), ("new", None)]);
        let (cards, _) = at(&[s], 0);
        let ids = |v: Vec<&TmCard>| v.into_iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(arrange(&cards, "TM-", TmOrder::Heap, |_| 0)), ["tm-a", "tm-b"]);
        assert_eq!(ids(arrange(&cards, "", TmOrder::Heap, |_| 0)), ["tm-a", "other", "tm-b", "new"]);
        assert_eq!(ids(arrange(&cards, "", TmOrder::Id, |_| 0)), ["new", "other", "tm-a", "tm-b"]);
        // A finding outranks fullness.
        let risk = |id: &str| u8::from(id != "tm-b");
        assert_eq!(ids(arrange(&cards, "", TmOrder::Risk, risk)), ["tm-b", "tm-a", "other", "new"]);
        assert!(ids(arrange(&cards, "zzz", TmOrder::Risk, risk)).is_empty());
    }

    /// The JVM detail of a TaskManager's metrics.
    #[test]
    fn jvm_detail_lists_what_the_jvm_reports() {
        let d = jvm_detail(&tm(&[
            ("Status.JVM.Memory.Heap.Committed", 512.0),
            ("Status.JVM.Memory.Heap.Used", 205.0),
            ("Status.JVM.Memory.Heap.Max", 512.0),
            ("Status.JVM.Memory.NonHeap.Used", 67.0),
            ("Status.JVM.Memory.Direct.Count", 4117.0),
            ("Status.JVM.Memory.Direct.MemoryUsed", 134.0),
            ("Status.JVM.Memory.Direct.TotalCapacity", 134.0),
            ("Status.JVM.GarbageCollector.G1_Young_Generation.Count", 509.0),
            ("Status.JVM.GarbageCollector.All.Count", 509.0),
            ("Status.JVM.GarbageCollector.All.Time", 9131.0),
            ("Status.JVM.GarbageCollector.G1_Old_Generation.TimeMsPerSecond", 0.0),
            ("Status.JVM.Threads.Count", 47.0),
        ]));
        assert_eq!(
            d.areas,
            vec![
                JvmArea { name: "Heap", committed: Some(512.0), used: Some(205.0), max: Some(512.0) },
                JvmArea { name: "Non-Heap", committed: None, used: Some(67.0), max: None },
            ]
        );
        assert_eq!(
            d.buffers,
            vec![BufferPool {
                name: "Direct",
                count: Some(4117.0),
                used: Some(134.0),
                capacity: Some(134.0)
            }]
        );
        let names: Vec<_> = d.collectors.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["All", "G1_Old_Generation", "G1_Young_Generation"]);
        assert_eq!((d.collectors[0].count, d.collectors[0].total_ms), (Some(509.0), Some(9131.0)));
        assert_eq!(d.collectors[1].ms_per_s, Some(0.0));
        assert_eq!((d.threads, d.cpu_load), (Some(47.0), None));
        assert!(jvm_detail(&tm(&[("Status.Flink.Memory.Managed.Used", 1.0)])).is_empty());
    }

    #[test]
    fn mixed_content_is_named() {
        assert!(network_failure_message("http://h:8081", true).contains("mixed content"));
        let m = network_failure_message("http://h:8081", false);
        assert!(m.contains("CORS") && m.contains("http://h:8081/overview"));
    }
}
