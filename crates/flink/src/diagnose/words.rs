//! Every sentence the diagnosis says, in one place. The detectors and the advice build
//! [`Text`] — which sentence, with which numbers — and know no language; a report is shown
//! in a language only here, when a page or `memlab diagnose` renders it (as
//! `engine/narrate.rs` does for the allocator's events). One language-free report per poll
//! thus serves the Live cluster page's badges and the Diagnosis page in either language.

use memlab_size::human;
use memlab_text::{tr, Lang};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::postmortem::Cause;
use super::recommend::{Component, JmRecommendation, Recommendation};
use super::stats::{Fitted, Forecast, Observed};
use super::thresholds as th;
use super::{Evidence, Finding, Kind, NoAdvice, Pending, Report, Severity};
use crate::metrics;

/// A sentence of the diagnosis, as data: which one, and its numbers (bytes, seconds,
/// shares as fractions). Rendered by [`Text::in_lang`].
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    /// Nothing to say (a carrier recommendation's summary).
    Empty,

    // Not enough data yet.
    NoReadings,
    ShortSpan {
        have_s: f64,
        need_s: f64,
    },
    NoGcCount,
    NoGcYet,
    ShortPostGc {
        span_s: f64,
        windows: usize,
    },
    /// A Prometheus step too coarse for the windows a verdict needs.
    StepTooCoarse {
        step_s: f64,
        window_s: f64,
    },

    // Heap.
    HeapGrowth {
        per_min: Fitted,
    },
    Steadiness {
        tau: f64,
    },
    /// The lowest post-GC readings of the first and the last window.
    HeapAfterGc {
        from: Observed,
        to: Observed,
        max: f64,
        over_s: f64,
    },
    HeapFullIn {
        when: Forecast,
    },
    HeapLeakHeadline {
        per_min: Fitted,
        when: Forecast,
    },
    HeapLeakWhy,
    HeapOomHeadline {
        when: Forecast,
    },
    HeapOomWhy,

    // Metaspace.
    MetaspaceUsed {
        used: Observed,
        cap: f64,
    },
    MetaspaceNearHeadline {
        share: f64,
    },
    MetaspaceNearWhy,
    MetaspaceGrowth {
        per_min: Fitted,
        tau: f64,
    },
    Submissions {
        jobs: usize,
    },
    LimitReachedIn {
        when: Forecast,
    },
    MetaspaceGrowthHeadline {
        per_min: Fitted,
        jobs: usize,
    },
    MetaspaceGrowthWhy,
    MetaspaceOomHeadline {
        when: Forecast,
    },
    MetaspaceOomWhy,

    // Garbage collection.
    GcMedian {
        median_ms: Observed,
    },
    OldGcRate {
        per_min: Observed,
    },
    GcHeadline {
        median_ms: Observed,
    },
    /// Fired on full collections, not on the share of time.
    GcOldHeadline {
        per_min: Observed,
    },
    GcWhy,

    // Direct memory.
    DirectGrowth {
        used: Observed,
        max: f64,
        per_min: Fitted,
        tau: f64,
    },
    DirectOomHeadline {
        when: Forecast,
    },
    DirectOomWhy,
    DirectUsed {
        used: Observed,
        max: f64,
    },
    DirectNearHeadline {
        share: f64,
    },
    DirectNearWhy,

    // Network buffers.
    NetworkFullReadings {
        full: usize,
        readings: usize,
        total: f64,
    },
    NetworkExhaustedHeadline {
        share: f64,
    },
    NetworkExhaustedWhy,
    NetworkPeak {
        peak: Observed,
        total: f64,
        segment: f64,
    },
    NetworkIdleHeadline {
        share: f64,
    },
    NetworkIdleWhy,

    // Managed memory.
    ManagedUse {
        peak: Observed,
        cap: f64,
        median: Observed,
    },
    ManagedIdleHeadline {
        cap: f64,
        share_of_flink: f64,
    },
    ManagedIdleWhy,
    ManagedFullHeadline {
        share: f64,
    },
    ManagedFullWhy,

    // JVM overhead.
    NativeEstimate {
        peak: Observed,
        overhead: f64,
    },
    OverheadHeadline {
        overhead: f64,
        peak: Observed,
    },
    OverheadWhy,

    // The container.
    ProcessOverLimit {
        process: u64,
        limit: u64,
    },
    ContainerHeadline {
        process: u64,
        limit: u64,
    },
    ContainerWhy,

    // Post-mortem.
    /// The last poll whose TaskManager list had it.
    LastSeen {
        at_s: f64,
    },
    /// The first poll whose list no longer had it.
    LostAt {
        at_s: f64,
    },
    /// Its last readings as shares of their limits.
    AtLoss {
        heap: Option<Observed>,
        metaspace: Option<Observed>,
        direct: Option<Observed>,
    },
    OldGcBeforeLoss {
        count: Observed,
    },
    /// A line of Flink's exception history, verbatim.
    Quoted {
        line: String,
    },
    TmVanished {
        id: String,
    },
    TmLastListed {
        id: String,
    },
    JobState {
        name: String,
        state: String,
    },
    JobRestarted {
        name: String,
        count: f64,
    },
    JobAt {
        state: String,
        at_s: f64,
    },
    Restarts {
        from: f64,
        to: f64,
    },
    TmLostHeadline {
        cause: Cause,
        quoted: bool,
        at_s: f64,
    },
    CauseWhy {
        cause: Cause,
    },
    /// `via`: the lost TaskManager's own cause, when the job's is a lost TaskManager.
    JobFailedHeadline {
        name: String,
        cause: Cause,
        via: Option<Cause>,
    },
    JobRestartsHeadline {
        name: String,
        cause: Cause,
        via: Option<Cause>,
        restarts: f64,
    },
    KilledNoPressure,
    SeeTaskManagerLost,
    NotMemory,
    CauseUnknown,

    // Advice: what to change, with the idle parts the bytes come from.
    StopgapHeap {
        add: u64,
        from: Vec<Component>,
    },
    GiveTaskHeap {
        add: u64,
        from: Vec<Component>,
    },
    RaiseMetaspace {
        add: u64,
        from: Vec<Component>,
    },
    GiveTaskOffHeap {
        add: u64,
        from: Vec<Component>,
    },
    GiveNetwork {
        add: u64,
        from: Vec<Component>,
    },
    RaiseOverhead {
        add: u64,
        from: Vec<Component>,
    },
    ProcessToLimit {
        limit: u64,
        and_managed: bool,
    },
    LowerManaged {
        from: u64,
        to: u64,
    },
    LowerNetwork {
        from: u64,
        to: u64,
    },
    JmRaiseMetaspace {
        add: u64,
    },
    JmGiveHeap {
        add: u64,
    },

    // Advice: why none.
    NoMemoryConfig,
    NotReproduced,
    SeeHeapLeak,
    LeakNoDonor,
    LeakInCode,
    ManagedFullIsFine,
    NoChangeHelps,
    NothingToGain,
    NetworkAtFloor {
        keep: u64,
    },
    NoJmConfig,
}

fn hr(b: f64) -> String {
    human(b.max(0.0).round() as u64)
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// "12 min" / "12 分钟", "5.5 h" / "5.5 小时", "3 days" / "3 天".
pub fn duration_in(lang: Lang, s: f64) -> String {
    if !s.is_finite() {
        return tr!(lang, "never", "永远不会");
    }
    if s < 120.0 {
        tr!(lang, "{s:.0} s", "{s:.0} 秒")
    } else if s < 600.0 {
        tr!(lang, "{:.1} min", "{:.1} 分钟", s / 60.0)
    } else if s < 7200.0 {
        tr!(lang, "{:.0} min", "{:.0} 分钟", s / 60.0)
    } else if s < 172_800.0 {
        tr!(lang, "{:.1} h", "{:.1} 小时", s / 3600.0)
    } else {
        tr!(lang, "{:.0} days", "{:.0} 天", s / 86_400.0)
    }
}

/// " from idle managed memory and network memory" / "，取自闲置的…" (empty without donors).
fn from_idle(lang: Lang, donors: &[Component]) -> String {
    if donors.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = donors.iter().map(|d| d.label_in(lang)).collect();
    let names = names.join(tr!(lang, " and ", "和").as_str());
    tr!(lang, " from idle {names}", "，取自闲置的{names}")
}

impl Text {
    /// The observed values this sentence reports against a limit, with the limit (for the
    /// check that no reading above its limit is ever reported; a fitted value never is
    /// one).
    pub fn observed_against_limit(&self) -> Vec<(Observed, f64)> {
        match self {
            Text::HeapAfterGc { from, to, max, .. } => vec![(*from, *max), (*to, *max)],
            Text::MetaspaceUsed { used, cap } => vec![(*used, *cap)],
            Text::DirectGrowth { used, max, .. } | Text::DirectUsed { used, max } => vec![(*used, *max)],
            Text::NetworkPeak { peak, total, .. } => vec![(*peak, *total)],
            Text::ManagedUse { peak, cap, .. } => vec![(*peak, *cap)],
            _ => Vec::new(),
        }
    }

    /// The sentence in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        let dur = |s: f64| duration_in(lang, s);
        match self {
            Text::Empty => String::new(),

            Text::NoReadings => tr!(lang, "not enough data yet: no readings", "数据还不够：没有读数"),
            Text::ShortSpan { have_s, need_s } => {
                let (have, need) = (dur(*have_s), dur(*need_s));
                tr!(
                    lang,
                    "not enough data yet: {have} of the {need} needed",
                    "数据还不够：已有 {have}，需要 {need}"
                )
            }
            Text::NoGcCount => {
                const GC_COUNT: &str = metrics::GC_COUNT;
                tr!(
                    lang,
                    "cannot tell: the data has no {GC_COUNT} readings, so post-GC heap levels are unknown",
                    "无法判断：数据中没有 {GC_COUNT} 读数，因此不知道 GC 之后的堆水位"
                )
            }
            Text::NoGcYet => tr!(
                lang,
                "not enough data yet: no garbage collection ran, so the heap has only filled with garbage",
                "数据还不够：还没有发生垃圾回收，堆里只是积满了垃圾"
            ),
            Text::StepTooCoarse { step_s, window_s } => tr!(
                lang,
                "pending: the step ({}) is coarser than the {} windows this verdict needs — read a shorter range, or give a finer step",
                "待定：步长（{}）比这个判断所需的 {} 窗口更粗——请读取更短的时间范围，或指定更细的步长",
                dur(*step_s),
                dur(*window_s)
            ),
            Text::ShortPostGc { span_s, windows } => tr!(
                lang,
                "not enough data yet: post-GC readings span {} in {} windows (need {} and {})",
                "数据还不够：GC 后的读数跨越 {}，共 {} 个窗口（需要 {} 和 {} 个）",
                dur(*span_s),
                windows,
                dur(th::MIN_SPAN_S),
                th::MIN_WINDOWS
            ),

            Text::HeapGrowth { per_min } => tr!(
                lang,
                "heap after GC grows {}/min (Theil–Sen slope of the lowest post-GC reading per {} s)",
                "GC 后的堆每分钟增长 {}（每 {} 秒内 GC 后最低读数的 Theil–Sen 斜率）",
                hr(per_min.0),
                th::ENVELOPE_WINDOW_S
            ),
            Text::Steadiness { tau } => tr!(
                lang,
                "steadiness: Kendall τ = {:.2} (threshold {})",
                "稳定性：Kendall τ = {:.2}（阈值 {}）",
                tau,
                th::STEADY_TAU
            ),
            Text::HeapAfterGc { from, to, max, over_s } => tr!(
                lang,
                "lowest heap after GC {} in the first window, {} in the last, of {} max, over {}",
                "GC 后的最低堆读数在 {3} 内从第一个窗口的 {0} 升到最后一个窗口的 {1}（上限 {2}）",
                hr(from.0),
                hr(to.0),
                hr(*max),
                dur(*over_s)
            ),
            Text::HeapFullIn { when } => match when {
                Forecast::Reached { at_s } => tr!(
                    lang,
                    "the heap after GC was already at {} of its maximum {} into the data",
                    "数据开始 {1}后，GC 后的堆已达到上限的 {0}",
                    pct(th::NEAR_LIMIT),
                    dur(*at_s)
                ),
                _ => tr!(lang, "at this rate the heap is full in {}", "按此速度，堆将在 {}后占满", dur(when.seconds())),
            },
            Text::HeapLeakHeadline { per_min, when } => match when {
                Forecast::Reached { at_s } => tr!(
                    lang,
                    "The heap left after each garbage collection grows {}/min and was full {} into the data",
                    "每次垃圾回收后剩下的堆每分钟增长 {}，数据开始 {}后已经占满",
                    hr(per_min.0),
                    dur(*at_s)
                ),
                _ => tr!(
                    lang,
                    "The heap left after each garbage collection grows {}/min; full in about {}",
                    "每次垃圾回收后剩下的堆每分钟增长 {}；大约 {}后占满",
                    hr(per_min.0),
                    dur(when.seconds())
                ),
            },
            Text::HeapLeakWhy => tr!(
                lang,
                "What the garbage collector cannot free keeps growing: something holds on to objects — typically keyed state that is never cleared (heap state backend), a growing cache or collection in a user function, or timers that are never deleted. A single high reading means nothing (the heap is a saw-tooth); this is the lower envelope, the level after collections, rising steadily. More heap only delays the OutOfMemoryError: bound the state (StateTtlConfig, clear() in onTimer) or move it to RocksDB, and check with a heap dump.",
                "垃圾回收器回收不掉的部分在持续增长：有东西一直持有对象——通常是从不清理的键控状态（堆状态后端）、用户函数里不断变大的缓存或集合，或从不删除的定时器。单个高读数说明不了什么（堆的曲线是锯齿形）；这里看的是下包络线，即每次回收后的水位，它在稳定上升。加大堆只会推迟 `OutOfMemoryError`：请限制状态（`StateTtlConfig`、在 `onTimer` 中 `clear()`）或改用 RocksDB，并用堆转储核实。"
            ),
            Text::HeapOomHeadline { when } => match when {
                Forecast::Reached { at_s } => tr!(
                    lang,
                    "Java heap space: the heap after garbage collection reached {} of its maximum {} into the data",
                    "`Java heap space`：数据开始 {1}后，垃圾回收后的堆已达到上限的 {0}",
                    pct(th::NEAR_LIMIT),
                    dur(*at_s)
                ),
                _ => tr!(
                    lang,
                    "Java heap space: at the current trend the heap is exhausted in about {}",
                    "`Java heap space`：按当前趋势，堆大约 {}后耗尽",
                    dur(when.seconds())
                ),
            },
            Text::HeapOomWhy => tr!(
                lang,
                "Forecast from the trend of the heap after garbage collection: when it reaches the maximum heap (-Xmx = framework heap + task heap), the JVM throws java.lang.OutOfMemoryError: Java heap space and the TaskManager fails.",
                "根据垃圾回收后堆的趋势预测：当它达到最大堆（-Xmx = 框架堆 + 任务堆）时，JVM 抛出 `java.lang.OutOfMemoryError: Java heap space`，TaskManager 随之失败。"
            ),

            Text::MetaspaceUsed { used, cap } => tr!(
                lang,
                "metaspace used {} of {} ({})",
                "元空间已用 {} / {}（{}）",
                hr(used.0),
                hr(*cap),
                pct(used.0 / cap)
            ),
            Text::MetaspaceNearHeadline { share } => {
                tr!(lang, "Metaspace is at {} of its limit", "元空间已达上限的 {}", pct(*share))
            }
            Text::MetaspaceNearWhy => tr!(
                lang,
                "Metaspace holds class metadata. At -XX:MaxMetaspaceSize the JVM throws java.lang.OutOfMemoryError: Metaspace. In a session cluster every job submission loads its classes again; if an old job's class loader is still referenced (a thread, a static cache, a JDBC driver), its classes are never unloaded.",
                "元空间存放类的元数据。到达 -XX:MaxMetaspaceSize 时 JVM 抛出 `java.lang.OutOfMemoryError: Metaspace`。在 session 集群中，每次提交作业都会重新加载它的类；如果旧作业的类加载器仍被引用（一个线程、一个静态缓存、一个 JDBC 驱动），它的类就永远不会被卸载。"
            ),
            Text::MetaspaceGrowth { per_min, tau } => tr!(
                lang,
                "grows {}/min (Kendall τ = {:.2})",
                "每分钟增长 {}（Kendall τ = {:.2}）",
                hr(per_min.0),
                tau
            ),
            Text::Submissions { jobs } => {
                tr!(lang, "{jobs} job submission(s) during the data", "数据期间共提交作业 {jobs} 次")
            }
            Text::LimitReachedIn { when } => match when {
                Forecast::Reached { at_s } => tr!(
                    lang,
                    "already at {} of the limit {} into the data",
                    "数据开始 {1}后已达到上限的 {0}",
                    pct(th::NEAR_LIMIT),
                    dur(*at_s)
                ),
                _ => {
                    let d = dur(when.seconds());
                    tr!(lang, "at this rate the limit is reached in {d}", "按此速度，{d}后达到上限")
                }
            },
            Text::MetaspaceGrowthHeadline { per_min, jobs } => tr!(
                lang,
                "Metaspace grows {}/min across {jobs} job submission(s)",
                "在 {jobs} 次作业提交中，元空间每分钟增长 {}",
                hr(per_min.0)
            ),
            Text::MetaspaceGrowthWhy => tr!(
                lang,
                "Metaspace should level off once a job's classes are loaded. Growth that follows job submissions is the classic class-loader leak of session clusters: each submission loads the job's classes in a new class loader, and something keeps the old one alive. Look for threads the job starts and never stops, static caches and shaded libraries registering themselves globally; or run jobs in application mode. Raising the metaspace only delays the OutOfMemoryError: Metaspace.",
                "作业的类加载完后，元空间应当趋于平稳。随作业提交而增长，是 session 集群典型的类加载器泄漏：每次提交都在新的类加载器中加载作业的类，而有东西让旧的加载器一直存活。请检查作业启动后从不停止的线程、静态缓存，以及把自己注册到全局的 shade 库；或者改用 application 模式运行作业。加大元空间只会推迟 `OutOfMemoryError: Metaspace`。"
            ),
            Text::MetaspaceOomHeadline { when } => tr!(
                lang,
                "Metaspace: at the current trend the limit is reached in about {}",
                "元空间：按当前趋势，大约 {}后达到上限",
                dur(when.seconds())
            ),
            Text::MetaspaceOomWhy => tr!(
                lang,
                "Forecast from the metaspace trend: at -XX:MaxMetaspaceSize the JVM throws java.lang.OutOfMemoryError: Metaspace.",
                "根据元空间的趋势预测：到达 -XX:MaxMetaspaceSize 时 JVM 抛出 `java.lang.OutOfMemoryError: Metaspace`。"
            ),

            Text::GcMedian { median_ms } => {
                let median = median_ms.0;
                tr!(
                    lang,
                    "median {median:.0} ms of GC per second ({} of the time; threshold {})",
                    "每秒 GC 时间中位数 {median:.0} ms（占时间的 {}；阈值 {}）",
                    pct(median / 1000.0),
                    pct(th::GC_WARNING_MS_PER_S / 1000.0)
                )
            }
            Text::OldGcRate { per_min } => {
                let old_per_min = per_min.0;
                tr!(
                    lang,
                    "{old_per_min:.1} old-generation collections per minute (threshold {})",
                    "每分钟老年代回收 {old_per_min:.1} 次（阈值 {}）",
                    th::OLD_GC_PER_MIN
                )
            }
            Text::GcHeadline { median_ms } => tr!(
                lang,
                "The JVM spends {} of its time in garbage collection",
                "JVM 把 {} 的时间花在垃圾回收上",
                pct(median_ms.0 / 1000.0)
            ),
            Text::GcOldHeadline { per_min } => tr!(
                lang,
                "{:.1} full (old-generation) garbage collections per minute: young collections no longer free enough",
                "每分钟 {:.1} 次完整（老年代）垃圾回收：年轻代回收已释放不出足够的内存",
                per_min.0
            ),
            Text::GcWhy => tr!(
                lang,
                "Time in GC is time not spent processing: throughput drops, latency and checkpoint durations rise, and heartbeats can time out. The heap is too small for the live data and allocation rate (or it leaks — see the heap trend).",
                "花在 GC 上的时间就不能用来处理数据：吞吐下降，延迟和 checkpoint 时长上升，心跳可能超时。堆相对存活数据量和分配速率太小了（或者在泄漏——看看堆的趋势）。"
            ),

            Text::DirectGrowth { used, max, per_min, tau } => tr!(
                lang,
                "direct memory used {} of {}, growing {}/min (Kendall τ = {:.2})",
                "直接内存已用 {} / {}，每分钟增长 {}（Kendall τ = {:.2}）",
                hr(used.0),
                hr(*max),
                hr(per_min.0),
                tau
            ),
            Text::DirectOomHeadline { when } => tr!(
                lang,
                "Direct memory: at the current trend -XX:MaxDirectMemorySize is reached in about {}",
                "直接内存：按当前趋势，大约 {}后达到 -XX:MaxDirectMemorySize",
                dur(when.seconds())
            ),
            Text::DirectOomWhy => tr!(
                lang,
                "Forecast from the trend of direct (off-heap) buffer use. At the limit the JVM throws java.lang.OutOfMemoryError: Direct buffer memory. Direct buffers are freed only when their Java objects are collected: steady growth means buffers are kept (a connector's pool, a cache) or leaked.",
                "根据直接（堆外）缓冲区用量的趋势预测。到达上限时 JVM 抛出 `java.lang.OutOfMemoryError: Direct buffer memory`。直接缓冲区只有在其 Java 对象被回收时才释放：稳定增长意味着缓冲区被留着（连接器的池、缓存）或泄漏了。"
            ),
            Text::DirectUsed { used, max } => tr!(
                lang,
                "direct memory used {} of {} ({})",
                "直接内存已用 {} / {}（{}）",
                hr(used.0),
                hr(*max),
                pct(used.0 / max)
            ),
            Text::DirectNearHeadline { share } => tr!(
                lang,
                "Direct memory is at {} of -XX:MaxDirectMemorySize",
                "直接内存已达 -XX:MaxDirectMemorySize 的 {}",
                pct(*share)
            ),
            Text::DirectNearWhy => tr!(
                lang,
                "Direct (off-heap) buffers are limited to framework off-heap + task off-heap + network memory. Beyond it the JVM throws java.lang.OutOfMemoryError: Direct buffer memory — usually a connector or library allocating direct buffers (Netty, Kafka clients, compression) that task off-heap memory does not account for.",
                "直接（堆外）缓冲区的上限是 框架堆外 + 任务堆外 + 网络内存。超过它 JVM 抛出 `java.lang.OutOfMemoryError: Direct buffer memory`——通常是某个连接器或库分配了任务堆外内存没有算进去的直接缓冲区（Netty、Kafka 客户端、压缩）。"
            ),

            Text::NetworkFullReadings { full, readings, total } => tr!(
                lang,
                "{full} of {} readings at ≥ {} of the {total:.0} segments",
                "{} 次读数中有 {full} 次达到 {total:.0} 个段的 ≥ {}",
                readings,
                pct(th::NETWORK_FULL)
            ),
            Text::NetworkExhaustedHeadline { share } => tr!(
                lang,
                "Network buffers are exhausted in {} of the readings",
                "{} 的读数中网络缓冲区已耗尽",
                pct(*share)
            ),
            Text::NetworkExhaustedWhy => tr!(
                lang,
                "Every network buffer is in use: tasks wait for buffers (back-pressure), and a new or rescaled job fails with \"Insufficient number of network buffers\". Each channel takes exclusive buffers (2 per channel in Flink 2.x) plus floating buffers per gate (8).",
                "所有网络缓冲区都在使用中：任务在等待缓冲区（反压），新作业或扩缩容后的作业会以 \"Insufficient number of network buffers\" 失败。每个通道占用独占缓冲区（Flink 2.x 中每通道 2 个），每个输入门另加浮动缓冲区（8 个）。"
            ),
            Text::NetworkPeak { peak, total, segment } => {
                let peak = peak.0;
                tr!(
                    lang,
                    "peak {peak:.0} of {total:.0} segments ({}) = {} of {}",
                    "峰值 {peak:.0} / {total:.0} 个段（{}）= {} / {}",
                    pct(peak / total),
                    hr(peak * segment),
                    hr(total * segment)
                )
            }
            Text::NetworkIdleHeadline { share } => tr!(
                lang,
                "At most {} of network memory was used while a job ran",
                "作业运行期间网络内存最多只用了 {}",
                pct(*share)
            ),
            Text::NetworkIdleWhy => tr!(
                lang,
                "Network memory is reserved up front for shuffle buffers. Most of it stayed idle for this job graph: those bytes could serve the task heap. Keep headroom for rescaling (more channels need more buffers).",
                "网络内存是为 shuffle 缓冲区预先保留的。对这个作业图来说大部分都闲着：这些字节可以给任务堆用。请为扩缩容留出余量（更多通道需要更多缓冲区）。"
            ),

            Text::ManagedUse { peak, cap, median } => tr!(
                lang,
                "peak {} of {} ({}), median {}",
                "峰值 {} / {}（{}），中位数 {}",
                hr(peak.0),
                hr(*cap),
                pct(peak.0 / cap),
                pct(median.0 / cap)
            ),
            Text::ManagedIdleHeadline { cap, share_of_flink } => tr!(
                lang,
                "{} of managed memory ({} of Flink memory) is reserved and unused",
                "{} 的托管内存（占 Flink 内存的 {}）被保留却没有使用",
                hr(*cap),
                pct(*share_of_flink)
            ),
            Text::ManagedIdleWhy => tr!(
                lang,
                "Managed memory is used by RocksDB, batch operators (sorting, hash joins, spilling) and Python UDFs. A streaming job on the heap state backend (HashMapStateBackend) uses none of it: Flink's default fraction 0.4 then leaves 40 % of Flink memory idle while state lives on the heap.",
                "托管内存供 RocksDB、批处理算子（排序、哈希连接、溢写）和 Python UDF 使用。使用堆状态后端（`HashMapStateBackend`）的流作业完全用不到它：Flink 默认的占比 0.4 会让 40 % 的 Flink 内存闲置，而状态却放在堆上。"
            ),
            Text::ManagedFullHeadline { share } => {
                tr!(lang, "Managed memory is {} used", "托管内存已用 {}", pct(*share))
            }
            Text::ManagedFullWhy => tr!(
                lang,
                "RocksDB reserves its whole share of managed memory for its block cache and write buffers when the job starts, so full is expected and not a leak. For batch jobs, full managed memory means sorting and joins spill to disk: more managed memory makes them faster.",
                "RocksDB 在作业启动时就为块缓存和写缓冲区预留全部托管内存份额，所以用满是正常的，不是泄漏。对批作业而言，托管内存用满意味着排序和连接会溢写到磁盘：更多托管内存会让它们更快。"
            ),

            Text::NativeEstimate { peak, overhead } => tr!(
                lang,
                "native memory estimate peaks at {} of {} JVM overhead ({})",
                "本地内存估算峰值为 {}，JVM 开销为 {}（{}）",
                hr(peak.0),
                hr(*overhead),
                pct(peak.0 / overhead)
            ),
            Text::OverheadHeadline { overhead, peak } => tr!(
                lang,
                "JVM overhead ({}) barely covers the JVM's native memory ({})",
                "JVM 开销（{}）勉强够 JVM 的本地内存（{}）",
                hr(*overhead),
                hr(peak.0)
            ),
            Text::OverheadWhy => tr!(
                lang,
                "JVM overhead is the part of the process Flink leaves for what the JVM itself uses outside heap, metaspace and direct buffers: thread stacks, code cache, GC structures, native libraries. When native use outgrows it, the process exceeds its container and is killed by the OS (exit code 137) without a Java error.",
                "JVM 开销是 Flink 为 JVM 自身在堆、元空间和直接缓冲区之外使用的内存留出的部分：线程栈、代码缓存、GC 结构、本地库。本地内存用量超出它时，进程会超出容器限制，被操作系统杀掉（退出码 137），不会有 Java 报错。"
            ),

            Text::ProcessOverLimit { process, limit } => tr!(
                lang,
                "process size {} > container limit {}",
                "进程大小 {} > 容器限制 {}",
                human(*process),
                human(*limit)
            ),
            Text::ContainerHeadline { process, limit } => tr!(
                lang,
                "The TaskManager may grow to {}, its container allows {}",
                "TaskManager 可能增长到 {}，而容器只允许 {}",
                human(*process),
                human(*limit)
            ),
            Text::ContainerWhy => tr!(
                lang,
                "taskmanager.memory.process.size is everything the JVM may use. If the container's limit is smaller, the OS kills the TaskManager when it gets there (OOMKilled, exit code 137), typically under load. Set process.size to the container's limit.",
                "taskmanager.memory.process.size 是 JVM 可以使用的全部内存。如果容器的限制更小，TaskManager 一到那里就会被操作系统杀掉（OOMKilled，退出码 137），通常发生在负载高时。请把 process.size 设为容器的限制。"
            ),

            Text::StopgapHeap { add, from } => tr!(
                lang,
                "Stopgap, not a fix: give the task heap {}{} — the leak still fills it, later",
                "权宜之计，不是修复：给任务堆 {}{}——泄漏迟早还会把它填满",
                human(*add),
                from_idle(lang, from)
            ),
            Text::LastSeen { at_s } => {
                tr!(lang, "last listed {} into the data", "数据开始 {}后最后一次出现在列表中", dur(*at_s))
            }
            Text::LostAt { at_s } => tr!(
                lang,
                "gone from Flink's TaskManager list {} into the data",
                "数据开始 {}后从 Flink 的 TaskManager 列表中消失",
                dur(*at_s)
            ),
            Text::AtLoss { heap, metaspace, direct } => {
                let part = |name: &str, x: &Option<Observed>| x.map(|x| format!("{name} {}", pct(x.0)));
                let parts: Vec<String> = [
                    part(&tr!(lang, "heap", "堆"), heap),
                    part(&tr!(lang, "metaspace (committed)", "元空间（已提交）"), metaspace),
                    part(&tr!(lang, "direct memory", "直接内存"), direct),
                ]
                .into_iter()
                .flatten()
                .collect();
                let parts = parts.join(&tr!(lang, ", ", "，"));
                tr!(lang, "its last readings, of their limits: {parts}", "最后的读数占各自上限：{parts}")
            }
            Text::OldGcBeforeLoss { count } => tr!(
                lang,
                "{:.0} old-generation collection(s) in its last minute",
                "最后一分钟内老年代回收 {:.0} 次",
                count.0
            ),
            Text::Quoted { line } => tr!(lang, "Flink: “{line}”", "Flink：“{line}”"),
            Text::TmLastListed { id } => {
                tr!(lang, "TaskManager {id} listed for the last time", "TaskManager {id} 最后一次出现在列表中")
            }
            Text::TmVanished { id } => {
                tr!(lang, "TaskManager {id} gone from the list", "TaskManager {id} 从列表中消失")
            }
            Text::JobState { name, state } => tr!(lang, "job “{name}” {state}", "作业“{name}” {state}"),
            Text::JobRestarted { name, count } => {
                tr!(lang, "job “{name}” restarted ({count:.0} so far)", "作业“{name}”重启（累计 {count:.0} 次）")
            }
            Text::JobAt { state, at_s } => {
                tr!(lang, "{} {} into the data", "数据开始 {1}后 {0}", state, dur(*at_s))
            }
            Text::Restarts { from, to } => {
                tr!(lang, "numRestarts {from:.0} → {to:.0}", "numRestarts 从 {from:.0} 升到 {to:.0}")
            }
            Text::TmLostHeadline { cause, quoted, at_s } => {
                let how = if *quoted { tr!(lang, "quoted from Flink", "引自 Flink") } else { tr!(lang, "inferred from its metrics", "由指标推断") };
                tr!(
                    lang,
                    "The TaskManager vanished {} into the data; likely cause: {} ({})",
                    "TaskManager 在数据开始 {}后消失；可能的原因：{}（{}）",
                    dur(*at_s),
                    cause.label_in(lang),
                    how
                )
            }
            Text::JobFailedHeadline { name, cause, via } => tr!(
                lang,
                "Job “{name}” failed: {}",
                "作业“{name}”失败：{}",
                cause_via(lang, *cause, *via)
            ),
            Text::JobRestartsHeadline { name, cause, via, restarts } => tr!(
                lang,
                "Job “{name}” restarted {restarts:.0} time(s): {}",
                "作业“{name}”重启了 {restarts:.0} 次：{}",
                cause_via(lang, *cause, *via)
            ),
            Text::CauseWhy { cause } => cause.why_in(lang),
            Text::KilledNoPressure => tr!(
                lang,
                "The JVM showed no memory pressure before it vanished, so no memory setting is known to help. If a container's OOM killer ended it (exit code 137, OOMKilled), give the container's limit so memlab can check that the process fits; otherwise look at what else stopped it (the node, an operator, kill -9).",
                "JVM 在消失前没有内存压力，所以不知道哪项内存设置有用。如果是容器的 OOM killer 结束了它（退出码 137，OOMKilled），请给出容器的上限，memlab 会检查进程是否放得下；否则请查找是什么停止了它（节点、运维操作、kill -9）。"
            ),
            Text::SeeTaskManagerLost => tr!(
                lang,
                "See the lost TaskManager's finding: its cause is this job's.",
                "见丢失的 TaskManager 那一项：它的原因就是这个作业的原因。"
            ),
            Text::NotMemory => tr!(
                lang,
                "The failure is not about memory: no memory setting addresses it.",
                "这次失败与内存无关：没有哪项内存设置能解决它。"
            ),
            Text::CauseUnknown => tr!(
                lang,
                "Nothing in the data names the cause (no exception history, no readings before it): no change can be checked.",
                "数据里没有任何东西指出原因（没有异常历史，之前也没有读数）：无法验证任何修改。"
            ),
            Text::GiveTaskHeap { add, from } => {
                tr!(lang, "Give the task heap {} more{}", "给任务堆再加 {}{}", human(*add), from_idle(lang, from))
            }
            Text::RaiseMetaspace { add, from } => {
                tr!(lang, "Raise the metaspace by {}{}", "把元空间增加 {}{}", human(*add), from_idle(lang, from))
            }
            Text::GiveTaskOffHeap { add, from } => tr!(
                lang,
                "Give task off-heap {} more (it raises MaxDirectMemorySize){}",
                "给任务堆外内存再加 {}（会提高 MaxDirectMemorySize）{}",
                human(*add),
                from_idle(lang, from)
            ),
            Text::GiveNetwork { add, from } => {
                tr!(lang, "Give network memory {} more{}", "给网络内存再加 {}{}", human(*add), from_idle(lang, from))
            }
            Text::RaiseOverhead { add, from } => {
                tr!(lang, "Raise JVM overhead by {}{}", "把 JVM 开销增加 {}{}", human(*add), from_idle(lang, from))
            }
            Text::ProcessToLimit { limit, and_managed } => tr!(
                lang,
                "Set the process size to the container's limit, {}{}",
                "把进程大小设为容器的限制 {}{}",
                human(*limit),
                if *and_managed {
                    tr!(lang, ", and lower the idle managed memory", "，并调低闲置的托管内存")
                } else {
                    String::new()
                }
            ),
            Text::LowerManaged { from, to } => tr!(
                lang,
                "Lower managed memory from {} to {} and give the {} to the task heap",
                "把托管内存从 {} 降到 {}，把省下的 {} 给任务堆",
                human(*from),
                human(*to),
                human(from.saturating_sub(*to))
            ),
            Text::LowerNetwork { from, to } => tr!(
                lang,
                "Lower network memory from {} to {} and give the {} to the task heap",
                "把网络内存从 {} 降到 {}，把省下的 {} 给任务堆",
                human(*from),
                human(*to),
                human(from.saturating_sub(*to))
            ),
            Text::JmRaiseMetaspace { add } => tr!(
                lang,
                "Raise the JobManager's metaspace by {} (the process grows with it)",
                "把 JobManager 的元空间增加 {}（进程随之变大）",
                human(*add)
            ),
            Text::JmGiveHeap { add } => tr!(
                lang,
                "Give the JobManager's heap {} more (the process grows with it)",
                "给 JobManager 的堆再加 {}（进程随之变大）",
                human(*add)
            ),

            Text::NoMemoryConfig => tr!(
                lang,
                "memlab has no memory configuration for this TaskManager (GET /taskmanagers/:id), so it cannot propose a change.",
                "memlab 没有这个 TaskManager 的内存配置（GET /taskmanagers/:id），因此无法给出修改。"
            ),
            Text::NotReproduced => tr!(
                lang,
                "memlab's calculator does not reproduce this TaskManager's sizes, so it cannot propose a verified change.",
                "memlab 的计算器无法复现这个 TaskManager 的各项大小，因此无法给出经过验证的修改。"
            ),
            Text::SeeHeapLeak => tr!(
                lang,
                "See the heap-leak finding: the forecast follows from it.",
                "见堆泄漏那一项：这个预测由它而来。"
            ),
            Text::LeakNoDonor => tr!(
                lang,
                "A leak is fixed in code. No component here is over-provisioned, so any extra heap would have to come from a bigger process — and would only delay the failure.",
                "泄漏要在代码里修复。这里没有哪个组成部分配多了，所以额外的堆只能来自更大的进程——而且只会推迟失败。"
            ),
            Text::LeakInCode => tr!(
                lang,
                "A leak is fixed in code; more heap only delays the failure.",
                "泄漏要在代码里修复；加大堆只会推迟失败。"
            ),
            Text::ManagedFullIsFine => tr!(
                lang,
                "Full managed memory is how RocksDB works (it reserves its share at once) and how batch operators work (they spill to disk beyond it): no change is needed unless jobs slow down from spilling.",
                "托管内存用满正是 RocksDB 的工作方式（它一次性预留自己的份额），也是批处理算子的工作方式（超出部分溢写到磁盘）：除非作业因溢写而变慢，否则无需修改。"
            ),
            Text::NoChangeHelps => tr!(lang, "no configuration change helps here", "这里改配置没有帮助"),
            Text::NothingToGain => tr!(lang, "nothing to gain", "没有可省的"),
            Text::NetworkAtFloor { keep } => tr!(
                lang,
                "network memory is already at the floor memlab keeps ({})",
                "网络内存已经处于 memlab 保留的下限（{}）",
                human(*keep)
            ),
            Text::NoJmConfig => tr!(
                lang,
                "the recording has no JobManager configuration (GET /jobmanager/config)",
                "录制中没有 JobManager 的配置（GET /jobmanager/config）"
            ),
        }
    }
}

impl Severity {
    /// The severity in `lang` (`label` is the stable slug).
    pub fn label_in(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, s) => s.label(),
            (Lang::Zh, Severity::Info) => "提示",
            (Lang::Zh, Severity::Warning) => "警告",
            (Lang::Zh, Severity::Critical) => "严重",
        }
    }
}

impl Kind {
    /// The title in `lang`.
    pub fn title_in(self, lang: Lang) -> &'static str {
        if lang == Lang::En {
            return self.title();
        }
        match self {
            Kind::TaskManagerLost => "TaskManager 丢失",
            Kind::JobFailed => "作业失败",
            Kind::JobRestarts => "作业重启",
            Kind::HeapLeak => "堆泄漏",
            Kind::MetaspaceGrowth => "元空间增长",
            Kind::OomRisk => "内存不足风险",
            Kind::GcPressure => "GC 压力",
            Kind::NetworkExhausted => "网络缓冲区耗尽",
            Kind::NetworkIdle => "网络内存大多闲置",
            Kind::ManagedIdle => "托管内存未使用",
            Kind::ManagedFull => "托管内存已用满",
            Kind::OverheadSmall => "JVM 开销太小",
            Kind::ContainerHeadroom => "进程大于其容器",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::TaskManagerLost => "TaskManager lost",
            Kind::JobFailed => "Job failed",
            Kind::JobRestarts => "Job restarted",
            Kind::HeapLeak => "Heap leak",
            Kind::MetaspaceGrowth => "Metaspace growth",
            Kind::OomRisk => "Out-of-memory risk",
            Kind::GcPressure => "GC pressure",
            Kind::NetworkExhausted => "Network buffers exhausted",
            Kind::NetworkIdle => "Network memory mostly idle",
            Kind::ManagedIdle => "Managed memory unused",
            Kind::ManagedFull => "Managed memory fully used",
            Kind::OverheadSmall => "JVM overhead too small",
            Kind::ContainerHeadroom => "Process larger than its container",
        }
    }
}

/// "a TaskManager was lost (its likely cause: out of heap …)".
fn cause_via(lang: Lang, cause: Cause, via: Option<Cause>) -> String {
    match via {
        Some(v) => tr!(
            lang,
            "{} (its likely cause: {})",
            "{}（它的可能原因：{}）",
            cause.label_in(lang),
            v.label_in(lang)
        ),
        None => cause.label_in(lang),
    }
}

impl Cause {
    /// The cause in a few words.
    pub fn label_in(self, lang: Lang) -> String {
        match self {
            Cause::HeapSpace => tr!(
                lang,
                "out of heap (OutOfMemoryError: Java heap space)",
                "堆内存耗尽（OutOfMemoryError: Java heap space）"
            ),
            Cause::Metaspace => tr!(
                lang,
                "out of metaspace (OutOfMemoryError: Metaspace)",
                "元空间耗尽（OutOfMemoryError: Metaspace）"
            ),
            Cause::DirectBuffer => tr!(
                lang,
                "out of direct memory (OutOfMemoryError: Direct buffer memory)",
                "直接内存耗尽（OutOfMemoryError: Direct buffer memory）"
            ),
            Cause::NetworkBuffers => tr!(lang, "not enough network buffers", "网络缓冲区不足"),
            Cause::NetworkSegments => tr!(lang, "network memory could not be allocated", "无法分配网络内存"),
            Cause::TaskManagerLost => tr!(lang, "a TaskManager was lost", "丢失了一个 TaskManager"),
            Cause::KilledFromOutside => tr!(
                lang,
                "killed from outside the JVM, with no memory pressure inside it",
                "在 JVM 之外被杀死，JVM 内部没有内存压力"
            ),
            Cause::NotMemory => tr!(lang, "not memory-related", "与内存无关"),
            Cause::Unknown => tr!(lang, "unknown", "未知"),
        }
    }

    /// What the cause means and what addresses it.
    pub fn why_in(self, lang: Lang) -> String {
        match self {
            Cause::HeapSpace => tr!(lang, "The JVM heap (-Xmx = framework heap + task heap) was full: the live objects (keyed state on the heap backend, buffers, caches) did not fit. With taskmanager.jvm-exit-on-oom the TaskManager exits; otherwise the task fails and the job restarts or fails. More task heap helps if the state is bounded; a leak needs a fix in the job.", "JVM 堆（-Xmx = 框架堆 + 任务堆）满了：存活对象（堆状态后端上的 keyed 状态、缓冲、缓存）放不下。开启 taskmanager.jvm-exit-on-oom 时 TaskManager 会退出；否则任务失败，作业重启或失败。如果状态有上限，加大任务堆有用；泄漏则需要修改作业。"),
            Cause::Metaspace => tr!(lang, "Class metadata filled -XX:MaxMetaspaceSize (taskmanager.memory.jvm-metaspace.size). In a session cluster each job loads its classes again; a class loader kept alive keeps them all. More metaspace helps for big jobs; growth across submissions needs a fix.", "类元数据占满了 -XX:MaxMetaspaceSize（taskmanager.memory.jvm-metaspace.size）。在 session 集群中每个作业都会重新加载它的类；被留住的类加载器会留住它们全部。大作业加大元空间有用；随提交而增长则需要修复。"),
            Cause::DirectBuffer => tr!(lang, "Direct (off-heap) buffers reached -XX:MaxDirectMemorySize, which Flink sets to framework off-heap + task off-heap + network memory. User code and connectors allocate from taskmanager.memory.task.off-heap.size.", "直接（堆外）缓冲区达到了 -XX:MaxDirectMemorySize，Flink 把它设为框架堆外 + 任务堆外 + 网络内存。用户代码和连接器从 taskmanager.memory.task.off-heap.size 中分配。"),
            Cause::NetworkBuffers => tr!(lang, "A task could not get the network buffers its channels need (exclusive buffers per channel plus floating buffers per gate, for every shuffle). The network memory (taskmanager.memory.network.min/max/fraction) is too small for this parallelism and these shuffles.", "一个任务拿不到它的通道需要的网络缓冲区（每个通道的独占缓冲区加每个输入门的浮动缓冲区，每次 shuffle 都要）。对这个并行度和这些 shuffle 来说，网络内存（taskmanager.memory.network.min/max/fraction）太小了。"),
            Cause::NetworkSegments => tr!(lang, "The TaskManager could not allocate its network memory as direct buffers: -XX:MaxDirectMemorySize is smaller than what the network pool and everything else off-heap need.", "TaskManager 无法以直接缓冲区分配它的网络内存：-XX:MaxDirectMemorySize 小于网络缓冲池和其他堆外用量的需要。"),
            Cause::TaskManagerLost => tr!(lang, "The job lost a TaskManager that ran its tasks (heartbeat timeout, connection closed). Why the TaskManager went is that TaskManager's finding.", "作业丢失了运行其任务的 TaskManager（心跳超时、连接关闭）。TaskManager 为什么消失，见那个 TaskManager 的发现。"),
            Cause::KilledFromOutside => tr!(lang, "The process vanished while heap, metaspace and direct memory were well below their limits: something outside the JVM ended it — most often a container's memory limit (the kernel's OOM killer, exit 137), when the process's native memory (JVM overhead: thread stacks, code cache, RocksDB, glibc arenas) grows past what the container allows.", "进程消失时，堆、元空间和直接内存都远低于上限：是 JVM 之外的东西结束了它——最常见的是容器的内存上限（内核的 OOM killer，退出码 137）：进程的原生内存（JVM 开销：线程栈、代码缓存、RocksDB、glibc arena）超出了容器允许的大小。"),
            Cause::NotMemory => tr!(lang, "Flink's exception names a failure that memory settings do not address (user code, a connector, the data).", "Flink 的异常指出的失败与内存设置无关（用户代码、连接器、数据）。"),
            Cause::Unknown => tr!(lang, "Neither Flink's exception history nor the metrics before the failure name a cause.", "Flink 的异常历史和失败前的指标都没有指出原因。"),
        }
    }
}

impl NoAdvice {
    /// Why there is no change, in `lang`. (A refusal is the calculator's own message.)
    pub fn in_lang(&self, lang: Lang) -> String {
        match self {
            NoAdvice::Because(t) => t.in_lang(lang),
            NoAdvice::Refused(e) => e.to_string(),
        }
    }
}

/// A part of a report with the language to write it in: what `--json` and the page's export
/// serialize (the JSON holds sentences, so it has a language).
#[derive(Debug)]
pub struct In<'a, T>(pub &'a T, pub Lang);

impl Report {
    /// This report in `lang`, for serializing.
    pub fn in_lang(&self, lang: Lang) -> In<'_, Report> {
        In(self, lang)
    }
}

impl Serialize for In<'_, Report> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (r, lang) = (self.0, self.1);
        let mut st = s.serialize_struct("Report", 5)?;
        let findings: Vec<In<Finding>> = r.findings.iter().map(|f| In(f, lang)).collect();
        st.serialize_field("findings", &findings)?;
        let pending: Vec<In<Pending>> = r.pending.iter().map(|p| In(p, lang)).collect();
        st.serialize_field("pending", &pending)?;
        st.serialize_field("subjects", &r.subjects)?;
        // (Only when there are some: reports without post-mortem findings are unchanged.)
        if !r.jobs.is_empty() {
            st.serialize_field("jobs", &r.jobs)?;
        }
        st.serialize_field("spanS", &r.span_s)?;
        st.serialize_field("polls", &r.polls)?;
        st.end()
    }
}

impl Serialize for In<'_, Pending> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, lang) = (self.0, self.1);
        let mut st = s.serialize_struct("Pending", 3)?;
        st.serialize_field("subject", &p.subject)?;
        st.serialize_field("kind", &p.kind)?;
        st.serialize_field("message", &p.message.in_lang(lang))?;
        st.end()
    }
}

// The JSON contract keeps one field per kind of advice, the two that do not apply as null.
impl Serialize for In<'_, Finding> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (f, lang) = (self.0, self.1);
        let mut st = s.serialize_struct("Finding", 9)?;
        st.serialize_field("kind", &f.kind)?;
        st.serialize_field("severity", &f.severity)?;
        st.serialize_field("subject", &f.subject)?;
        st.serialize_field("headline", &f.headline.in_lang(lang))?;
        st.serialize_field("explanation", &f.explanation.in_lang(lang))?;
        st.serialize_field("evidence", &In(&f.evidence, lang))?;
        st.serialize_field("recommendation", &f.recommendation().map(|r| In(r, lang)))?;
        st.serialize_field("jmRecommendation", &f.jm_recommendation().map(|r| In(r, lang)))?;
        st.serialize_field("noRecommendation", &f.no_recommendation().map(|w| w.in_lang(lang)))?;
        if let Some(pm) = &f.postmortem {
            st.serialize_field("subjectType", if pm.job.is_some() { "job" } else { "taskmanager" })?;
            st.serialize_field("postmortem", &In(pm.as_ref(), lang))?;
        }
        st.end()
    }
}

impl Serialize for In<'_, super::PostMortem> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use super::Basis;
        let (p, lang) = (self.0, self.1);
        let mut st = s.serialize_struct("PostMortem", 9)?;
        st.serialize_field("cause", &p.cause)?;
        match &p.basis {
            Basis::Quoted { line } => {
                st.serialize_field("basis", "quoted")?;
                st.serialize_field("quoted", line)?;
            }
            Basis::Inferred { from } => {
                st.serialize_field("basis", "inferred")?;
                st.serialize_field(
                    "inferredFrom",
                    &from.iter().map(|t| t.in_lang(lang)).collect::<Vec<_>>(),
                )?;
            }
        }
        st.serialize_field("atS", &p.at_s)?;
        st.serialize_field("atPoll", &p.at_poll)?;
        st.serialize_field("taskmanager", &p.taskmanager)?;
        st.serialize_field("job", &p.job)?;
        st.serialize_field("restarts", &p.restarts)?;
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct M {
            at_s: f64,
            text: String,
        }
        let timeline: Vec<M> =
            p.timeline.iter().map(|m| M { at_s: m.at_s, text: m.what.in_lang(lang) }).collect();
        st.serialize_field("timeline", &timeline)?;
        st.end()
    }
}

impl Serialize for In<'_, Evidence> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, lang) = (self.0, self.1);
        let mut st = s.serialize_struct("Evidence", 8)?;
        st.serialize_field("metric", &e.metric)?;
        st.serialize_field("from", &e.from)?;
        st.serialize_field("to", &e.to)?;
        st.serialize_field("series", &e.series)?;
        st.serialize_field("used", &e.used)?;
        st.serialize_field("trend", &e.trend)?;
        st.serialize_field("limit", &e.limit)?;
        let facts: Vec<String> = e.facts.iter().map(|t| t.in_lang(lang)).collect();
        st.serialize_field("facts", &facts)?;
        st.end()
    }
}

/// A change, TaskManager or JobManager, with its summary in `lang`.
fn change<S: Serializer, M: Serialize>(
    s: S,
    summary: &Text,
    lang: Lang,
    changes: &[super::recommend::Change],
    (before, after): (&M, &M),
    process_delta: i64,
) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("Recommendation", 5)?;
    st.serialize_field("summary", &summary.in_lang(lang))?;
    st.serialize_field("changes", changes)?;
    st.serialize_field("before", before)?;
    st.serialize_field("after", after)?;
    st.serialize_field("processDelta", &process_delta)?;
    st.end()
}

impl Serialize for In<'_, Recommendation> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        change(s, &r.summary, self.1, &r.changes, (&r.before, &r.after), r.process_delta)
    }
}

impl Serialize for In<'_, JmRecommendation> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        change(s, &r.summary, self.1, &r.changes, (&r.before, &r.after), r.process_delta)
    }
}
