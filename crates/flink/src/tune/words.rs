//! Why tuning chose each number, as data ([`Reason`]) and in words ([`Reason::in_lang`]).

use memlab_size::human;
use memlab_text::{tr, Lang};

use super::Part;
use crate::diagnose::Cause;

fn b(x: f64) -> String {
    human(x.max(0.0) as u64)
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// One reason, with its numbers (bytes, seconds, shares as fractions).
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    NoTaskManagers,
    NeedMoreData { have_s: f64, need_s: f64 },
    NeedPostGc { windows: usize, need: usize },
    NoSizes { taskmanager: String },
    NoSizesFromPrometheus,
    NotReproduced { taskmanager: String },
    OverContainer { need: u64, limit: u64 },
    Rejected { error: String },

    HeapFromLiveSet { live: f64, headroom: f64 },
    HeapFromLiveSetGc { live: f64, headroom: f64, gc_ms: f64, target_ms: f64 },
    HeapGcPressure { gc_ms: f64, grow: f64 },
    HeldLeak { taskmanager: String },
    HeldForecast { taskmanager: String, part: Part },
    HeldGrowth { taskmanager: String },
    HeldFailure { taskmanager: String, cause: Cause },
    MetaspaceFromPeak { peak: f64, headroom: f64 },
    ManagedNone,
    ManagedKept { peak: f64 },
    ManagedReleased { over_s: f64 },
    NetworkFromGraph { bytes: u64, jobs: usize, slots: u32, peak: u64 },
    NetworkPeakOverGraph { graph: u64, peak: u64 },
    NetworkFromPeak { peak: u64, margin: f64, floor: u64 },
    OverheadFromNative { native: f64, fill: f64 },
    KeptNoReadings,

    NoGraph,
    SpareToManaged { bytes: u64 },
    SpareToHeap { bytes: u64 },
    SpareReturned { bytes: u64 },
    Grows { bytes: u64 },
    OperatorSkipped { why: String },
    OperatorInvalid { error: String },
}

impl Part {
    pub fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, Part::Heap) => "JVM heap",
            (Lang::En, Part::Managed) => "managed memory",
            (Lang::En, Part::Network) => "network memory",
            (Lang::En, Part::Metaspace) => "JVM metaspace",
            (Lang::En, Part::Overhead) => "JVM overhead",
            (Lang::Zh, Part::Heap) => "JVM 堆",
            (Lang::Zh, Part::Managed) => "托管内存",
            (Lang::Zh, Part::Network) => "网络内存",
            (Lang::Zh, Part::Metaspace) => "JVM 元空间",
            (Lang::Zh, Part::Overhead) => "JVM 开销",
        }
    }
}

impl Reason {
    pub fn in_lang(&self, lang: Lang) -> String {
        match self {
            Reason::NoTaskManagers => tr!(lang, "no TaskManager in the data", "数据里没有 TaskManager"),
            Reason::NeedMoreData { have_s, need_s } => {
                let (have, need, more) = (lang.duration(*have_s), lang.duration(*need_s), lang.duration(need_s - have_s));
                tr!(
                    lang,
                    "not enough data to tune: {have} of readings while a job ran, {need} needed — record {more} more",
                    "数据不足，无法调优：作业运行期间有 {have} 的读数，需要 {need}——请再录制 {more}"
                )
            }
            Reason::NeedPostGc { windows, need } => tr!(
                lang,
                "not enough data to tune: the heap after collections is known in {windows} windows of 30 s, {need} needed — record longer under load",
                "数据不足，无法调优：只有 {windows} 个 30 秒窗口有 GC 之后的堆读数，需要 {need} 个——请在负载下录制更久"
            ),
            Reason::NoSizes { taskmanager } => tr!(
                lang,
                "{taskmanager} reports no memory configuration, so there is nothing to resize",
                "{taskmanager} 没有报告内存配置，无从调整"
            ),
            Reason::NoSizesFromPrometheus => tr!(
                lang,
                "Prometheus does not hold the TaskManagers' configured sizes (Flink exports no memoryConfiguration): give the cluster's REST address too (--cluster URL, or cluster= beside prometheus=)",
                "Prometheus 中没有 TaskManager 的配置大小（Flink 不导出 memoryConfiguration）：请同时给出集群的 REST 地址（--cluster URL，或在 prometheus= 旁加 cluster=）"
            ),
            Reason::NotReproduced { taskmanager } => tr!(
                lang,
                "the calculator cannot reproduce {taskmanager}'s memory sizes",
                "计算器无法复现 {taskmanager} 的内存大小"
            ),
            Reason::OverContainer { need, limit } => {
                let (need, limit) = (human(*need), human(*limit));
                tr!(
                    lang,
                    "the TaskManagers need {need}, more than the container's {limit}",
                    "TaskManager 需要 {need}，超过容器的 {limit}"
                )
            }
            Reason::Rejected { error } => {
                tr!(lang, "Flink would reject the tuned configuration: {error}", "Flink 会拒绝调优后的配置：{error}")
            }
            Reason::HeapFromLiveSet { live, headroom } => {
                let (live, h) = (b(*live), pct(*headroom));
                tr!(
                    lang,
                    "the live set (heap after collections, highest 30 s low) is {live}; {h} headroom",
                    "存活集（GC 之后的堆，各 30 秒窗口最低值中的最高者）为 {live}；留 {h} 余量"
                )
            }
            Reason::HeapFromLiveSetGc { live, headroom, gc_ms, target_ms } => {
                let (live, h) = (b(*live), pct(*headroom));
                tr!(
                    lang,
                    "the live set is {live}; {h} headroom, not less: collections took {gc_ms:.0} ms/s with today's free heap, and less free heap would push them past {target_ms:.0} ms/s",
                    "存活集为 {live}；留 {h} 余量，不能更少：以现在的空闲堆，GC 占用 {gc_ms:.0} ms/s，空闲堆更少会超过 {target_ms:.0} ms/s"
                )
            }
            Reason::HeapGcPressure { gc_ms, grow } => {
                let g = pct(*grow);
                tr!(
                    lang,
                    "collections take {gc_ms:.0} ms/s (gc-pressure): the heap grows by {g}",
                    "GC 占用 {gc_ms:.0} ms/s（GC 压力）：堆增加 {g}"
                )
            }
            Reason::HeldLeak { taskmanager } => tr!(
                lang,
                "not shrunk: {taskmanager}'s heap leaks, and a leak is fixed in code, not in config",
                "不缩小：{taskmanager} 的堆在泄漏，泄漏要在代码中修复，而不是靠配置"
            ),
            Reason::HeldForecast { taskmanager, part } => {
                let p = part.label(lang);
                tr!(
                    lang,
                    "not shrunk: {taskmanager}'s {p} is forecast to run out",
                    "不缩小：预计 {taskmanager} 的{p}会耗尽"
                )
            }
            Reason::HeldGrowth { taskmanager } => tr!(
                lang,
                "not shrunk: {taskmanager}'s metaspace grows with each job (class loaders kept alive)",
                "不缩小：{taskmanager} 的元空间随每个作业增长（类加载器未释放）"
            ),
            Reason::HeldFailure { taskmanager, cause } => {
                let c = format!("{cause:?}");
                tr!(
                    lang,
                    "not shrunk: {taskmanager} failed ({c}) — see its post-mortem",
                    "不缩小：{taskmanager} 发生了故障（{c}）——见其事后分析"
                )
            }
            Reason::MetaspaceFromPeak { peak, headroom } => {
                let (p, h) = (b(*peak), pct(*headroom));
                tr!(
                    lang,
                    "metaspace peaked at {p} (used or committed); {h} headroom",
                    "元空间峰值为 {p}（已用或已提交）；留 {h} 余量"
                )
            }
            Reason::ManagedNone => tr!(lang, "no managed memory configured", "未配置托管内存"),
            Reason::ManagedKept { peak } => {
                let p = b(*peak);
                tr!(
                    lang,
                    "kept: jobs used it (peak {p}); RocksDB and batch operators reserve what they are given, so its use says nothing about its need",
                    "保留：作业使用了它（峰值 {p}）；RocksDB 和批处理算子会预留分到的全部内存，所以用量说明不了需求"
                )
            }
            Reason::ManagedReleased { over_s } => {
                let d = lang.duration(*over_s);
                tr!(
                    lang,
                    "released: no job used it in {d} of running (jobs on the heap state backend)",
                    "释放：作业运行的 {d} 内没有用过它（作业使用堆状态后端）"
                )
            }
            Reason::NetworkFromGraph { bytes, jobs, slots, peak } => {
                let (n, p) = (human(*bytes), human(*peak));
                tr!(
                    lang,
                    "{n} for the buffers {jobs} running job(s) can request, counted from the job graph as the operator counts it ({slots} slot(s)); the observed peak was {p}",
                    "{n}：按作业图（与 Operator 相同的算法，{slots} 个 slot）计算 {jobs} 个运行中作业可能申请的缓冲区；观测峰值为 {p}"
                )
            }
            Reason::NetworkPeakOverGraph { graph, peak } => {
                let (g, p) = (human(*graph), human(*peak));
                tr!(
                    lang,
                    "the observed peak {p}: more than the job graph's {g}",
                    "观测峰值 {p}：比作业图算出的 {g} 更多"
                )
            }
            Reason::NetworkFromPeak { peak, margin, floor } => {
                let (p, m, f) = (human(*peak), pct(*margin), human(*floor));
                tr!(
                    lang,
                    "the observed peak {p} with a {m} margin, and at least {f}: the data has no job graph, and a job requests more buffers when it deploys than it keeps in use",
                    "观测峰值 {p} 加 {m} 余量，且不少于 {f}：数据中没有作业图，而作业部署时申请的缓冲区比运行中占用的多"
                )
            }
            Reason::OverheadFromNative { native, fill } => {
                let (n, f) = (b(*native), pct(*fill));
                tr!(
                    lang,
                    "native memory (code cache, thread stacks, …) peaked at {n}: it stays below {f} of the overhead, where overhead-small warns (never below Flink's 192 MiB minimum)",
                    "原生内存（代码缓存、线程栈……）峰值为 {n}：保持在开销的 {f} 以下，即“JVM 开销太小”检查告警之处（不低于 Flink 默认最小值 192 MiB）"
                )
            }
            Reason::KeptNoReadings => tr!(lang, "kept: no readings of it", "保持不变：没有相关读数"),
            Reason::NoGraph => tr!(
                lang,
                "the data has no job graph (GET /jobs/<id> with its plan): network memory comes from the observed peak — record again with a current memlab to size it from the graph",
                "数据中没有作业图（作业详情中的执行计划）：网络内存来自观测峰值——用当前版本的 memlab 重新录制即可按作业图计算"
            ),
            Reason::SpareToManaged { bytes } => {
                let x = human(*bytes);
                tr!(
                    lang,
                    "the process keeps its size: the {x} freed go to managed memory (RocksDB's cache)",
                    "进程保持原大小：释放出的 {x} 给托管内存（RocksDB 的缓存）"
                )
            }
            Reason::SpareToHeap { bytes } => {
                let x = human(*bytes);
                tr!(
                    lang,
                    "the process keeps its size: the {x} freed go to the heap (fewer collections); --shrink gives them back",
                    "进程保持原大小：释放出的 {x} 给堆（更少的 GC）；--shrink 则把它们还回去"
                )
            }
            Reason::SpareReturned { bytes } => {
                let x = human(*bytes);
                tr!(
                    lang,
                    "the {x} freed are given back (the process shrinks): more heap would only delay what the finding above will do",
                    "释放出的 {x} 被归还（进程缩小）：更多的堆只会推迟上面的问题发生"
                )
            }
            Reason::Grows { bytes } => {
                let x = human(*bytes);
                tr!(lang, "the process grows by {x}: the evidence needs more than it has", "进程增大 {x}：证据表明现有内存不够")
            }
            Reason::OperatorSkipped { why } => {
                tr!(lang, "the operator would leave the configuration alone: {why}", "Operator 不会修改配置：{why}")
            }
            Reason::OperatorInvalid { error } => {
                tr!(lang, "the operator's choice does not derive: {error}", "Operator 的结果无法推导：{error}")
            }
        }
    }
}
