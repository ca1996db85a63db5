//! The detectors, one process at a time, then the recommendations (which need to know
//! every finding of that process: idle memory is where the bytes for a fix come from).

use memlab_size::human;
use memlab_text::{tr, Lang};

use super::recommend::{self, Base, Component};
use super::stats::{self, Point};
use super::thresholds as th;
use super::{Advice, Evidence, Finding, Kind, NoAdvice, Options, Pending, Report, Severity};
use crate::config::FlinkConfig;
use crate::options::tm as o;
use crate::recording::Snapshot;
use crate::rest::MemoryConfiguration;

const HEAP: &str = "Status.JVM.Memory.Heap.Used";
const HEAP_MAX: &str = "Status.JVM.Memory.Heap.Max";
const METASPACE: &str = "Status.JVM.Memory.Metaspace.Used";
const METASPACE_MAX: &str = "Status.JVM.Memory.Metaspace.Max";
const DIRECT: &str = "Status.JVM.Memory.Direct.MemoryUsed";
const NON_HEAP: &str = "Status.JVM.Memory.NonHeap.Used";
const THREADS: &str = "Status.JVM.Threads.Count";
const GC_MS: &str = "Status.JVM.GarbageCollector.All.TimeMsPerSecond";
const GC_COUNT: &str = "Status.JVM.GarbageCollector.All.Count";
const OLD_GC: &str = "Status.JVM.GarbageCollector.G1_Old_Generation.Count";
const MANAGED: &str = "Status.Flink.Memory.Managed.Used";
const MANAGED_TOTAL: &str = "Status.Flink.Memory.Managed.Total";
const NET_USED: &str = "Status.Shuffle.Netty.UsedMemorySegments";
const NET_TOTAL: &str = "Status.Shuffle.Netty.TotalMemorySegments";
/// The computed series behind `overhead-small`.
pub const NATIVE_ESTIMATE: &str = "native memory estimate";

fn hr(b: f64) -> String {
    human(b.max(0.0).round() as u64)
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

/// Critical when the forecast limit is near, else a warning.
fn forecast_severity(ttl: f64) -> Severity {
    if ttl < th::OOM_CRITICAL_S {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

/// The forecast as a fact.
fn limit_reached_in(lang: Lang, ttl: f64) -> String {
    let d = duration_in(lang, ttl);
    tr!(lang, "at this rate the limit is reached in {d}", "按此速度，{d}后达到上限")
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// One process's metrics over the snapshots.
struct Proc<'a> {
    id: &'a str,
    jm: bool,
    snaps: &'a [Snapshot],
    t0: u64,
}

type Series = Vec<(usize, Point)>;

impl Proc<'_> {
    fn get(&self, s: &Snapshot, m: &str) -> Option<f64> {
        if self.jm {
            s.jobmanager_metrics.get(m).copied()
        } else {
            s.taskmanagers.iter().find(|t| t.id == self.id)?.metric(m)
        }
    }

    /// Readings of `m`; with `running`, only those taken while a job ran.
    fn series(&self, m: &str, running: bool) -> Series {
        self.snaps
            .iter()
            .enumerate()
            .filter(|(_, s)| !running || s.jobs.iter().any(|j| j.state == "RUNNING"))
            .filter_map(|(i, s)| {
                let v = self.get(s, m)?;
                v.is_finite().then(|| (i, ((s.t.saturating_sub(self.t0)) as f64 / 1000.0, v)))
            })
            .collect()
    }

    fn last(&self, m: &str) -> Option<f64> {
        self.snaps.iter().rev().find_map(|s| self.get(s, m))
    }

    fn memory(&self) -> Option<MemoryConfiguration> {
        self.snaps.iter().rev().find_map(|s| s.taskmanagers.iter().find(|t| t.id == self.id)?.memory)
    }
}

fn pts(s: &Series) -> Vec<Point> {
    s.iter().map(|x| x.1).collect()
}

fn span(s: &Series) -> f64 {
    match (s.first(), s.last()) {
        (Some(a), Some(b)) => b.1 .0 - a.1 .0,
        _ => 0.0,
    }
}

fn evidence(
    metric: &str,
    s: &Series,
    used: Vec<Point>,
    trend: Option<stats::Trend>,
    limit: Option<f64>,
) -> Evidence {
    Evidence {
        metric: metric.to_owned(),
        from: s.first().map_or(0, |x| x.0),
        to: s.last().map_or(0, |x| x.0),
        series: pts(s),
        used,
        trend,
        limit,
        facts: Vec::new(),
    }
}

struct Out<'r> {
    report: &'r mut Report,
    subject: String,
    lang: Lang,
}

impl Out<'_> {
    fn pending(&mut self, kind: Kind, s: &Series) {
        let lang = self.lang;
        let (have, need) = (duration_in(lang, span(s)), duration_in(lang, th::MIN_SPAN_S));
        let message = if s.is_empty() {
            tr!(lang, "not enough data yet: no readings", "数据还不够：没有读数")
        } else {
            tr!(
                lang,
                "not enough data yet: {have} of the {need} needed",
                "数据还不够：已有 {have}，需要 {need}"
            )
        };
        self.pending_because(kind, message);
    }

    fn pending_because(&mut self, kind: Kind, message: String) {
        if !self.report.pending.iter().any(|p| p.subject == self.subject && p.kind == kind) {
            self.report.pending.push(Pending { subject: self.subject.clone(), kind, message });
        }
    }

    fn found(
        &mut self,
        kind: Kind,
        severity: Severity,
        headline: String,
        explanation: String,
        evidence: Evidence,
    ) {
        self.report.findings.push(Finding {
            kind,
            severity,
            subject: self.subject.clone(),
            headline,
            explanation,
            evidence,
            // Every finding's advice is decided after all of its process's findings are in.
            advice: Advice::None(NoAdvice::Because(String::new())),
        });
    }
}

/// A trend of a slowly moving series over enough data, if it rises steadily.
fn steady_rise(points: &[Point]) -> Option<stats::Trend> {
    stats::trend(points).filter(|t| t.tau >= th::STEADY_TAU && t.slope > 0.0)
}

pub(super) fn run(snaps: &[Snapshot], opts: &Options) -> Report {
    let lang = opts.lang;
    let t0 = snaps.first().map_or(0, |s| s.t);
    let mut report = Report {
        polls: snaps.len(),
        span_s: snaps.last().map_or(0.0, |s| (s.t - t0) as f64 / 1000.0),
        ..Report::default()
    };
    let mut ids: Vec<&str> = Vec::new();
    for s in snaps {
        for tm in &s.taskmanagers {
            if !ids.contains(&tm.id.as_str()) {
                ids.push(&tm.id);
            }
        }
    }
    let cluster = snaps.iter().rev().find_map(|s| s.jobmanager_config.as_ref());
    for id in ids {
        let p = Proc { id, jm: false, snaps, t0 };
        report.subjects.push(id.to_owned());
        let mut out = Out { report: &mut report, subject: id.to_owned(), lang: opts.lang };
        let first = out.report.findings.len();
        process(&p, &mut out);
        taskmanager(&p, opts, &mut out);
        recommend(&p, cluster, opts, &mut report.findings[first..]);
    }
    if snaps.iter().any(|s| !s.jobmanager_metrics.is_empty()) {
        let p = Proc { id: "jobmanager", jm: true, snaps, t0 };
        report.subjects.push("jobmanager".into());
        let mut out = Out { report: &mut report, subject: "jobmanager".into(), lang: opts.lang };
        process(&p, &mut out);
        for f in report.findings.iter_mut().filter(|f| f.subject == "jobmanager") {
            let peak = stats::max_value(&f.evidence.series);
            let plan = match (f.kind, cluster) {
                (_, None) => Err(NoAdvice::Because(tr!(
                    lang,
                    "the recording has no JobManager configuration (GET /jobmanager/config)",
                    "录制中没有 JobManager 的配置（GET /jobmanager/config）"
                ))),
                (Kind::MetaspaceGrowth | Kind::OomRisk, Some(c)) if f.evidence.metric == METASPACE => {
                    let cap = f.evidence.limit.unwrap_or(peak) as u64;
                    let add = recommend::round_up(
                        ((peak * th::METASPACE_HEADROOM) as u64).saturating_sub(cap).max(cap / 4),
                    );
                    recommend::jm_plan(
                        c,
                        tr!(
                            lang,
                            "Raise the JobManager's metaspace by {} (the process grows with it)",
                            "把 JobManager 的元空间增加 {}（进程随之变大）",
                            human(add)
                        ),
                        recommend::JmPart::Metaspace,
                        add,
                    )
                    .map_err(NoAdvice::from)
                }
                (Kind::GcPressure, Some(c)) => {
                    let heap = p.last(HEAP_MAX).unwrap_or(0.0);
                    let add = recommend::round_up((heap * th::GC_HEAP_GROWTH) as u64);
                    recommend::jm_plan(
                        c,
                        tr!(
                            lang,
                            "Give the JobManager's heap {} more (the process grows with it)",
                            "给 JobManager 的堆再加 {}（进程随之变大）",
                            human(add)
                        ),
                        recommend::JmPart::Heap,
                        add,
                    )
                    .map_err(NoAdvice::from)
                }
                (Kind::HeapLeak | Kind::OomRisk, _) => Err(NoAdvice::Because(tr!(
                    lang,
                    "A leak is fixed in code; more heap only delays the failure.",
                    "泄漏要在代码里修复；加大堆只会推迟失败。"
                ))),
                _ => Err(no_change_helps(lang)),
            };
            f.advice = match plan {
                Ok(r) => Advice::JobManager(r),
                Err(e) => Advice::None(e),
            };
        }
    }
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.kind.urgency().cmp(&b.kind.urgency()))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    report
}

/// Detectors every JVM gets: heap leak, metaspace, GC.
fn process(p: &Proc, out: &mut Out) {
    let lang = out.lang;
    let dur = |s: f64| duration_in(lang, s);
    let mem = p.memory();
    // Heap: the lower envelope — readings right after the GC count rose, lowest per
    // window — must rise steadily and substantially. Without collections the heap only
    // fills up with garbage, which says nothing.
    let heap = p.series(HEAP, false);
    let heap_max = p.last(HEAP_MAX).or(mem.map(|m| (m.framework_heap + m.task_heap) as f64));
    let counts = p.series(GC_COUNT, false);
    let after_gc: Vec<Point> = counts
        .windows(2)
        .filter(|w| w[1].1 .1 > w[0].1 .1)
        .filter_map(|w| heap.iter().find(|h| h.0 == w[1].0).map(|h| h.1))
        .collect();
    let minima = stats::window_minima(&after_gc, th::ENVELOPE_WINDOW_S);
    let after_span = match (after_gc.first(), after_gc.last()) {
        (Some(a), Some(b)) => b.0 - a.0,
        _ => 0.0,
    };
    if counts.is_empty() {
        out.pending_because(
            Kind::HeapLeak,
            tr!(
                lang,
                "cannot tell: the data has no {GC_COUNT} readings, so post-GC heap levels are unknown",
                "无法判断：数据中没有 {GC_COUNT} 读数，因此不知道 GC 之后的堆水位"
            ),
        );
    } else if span(&heap) < th::MIN_SPAN_S {
        out.pending(Kind::HeapLeak, &heap);
    } else if after_gc.is_empty() {
        out.pending_because(
            Kind::HeapLeak,
            tr!(
                lang,
                "not enough data yet: no garbage collection ran, so the heap has only filled with garbage",
                "数据还不够：还没有发生垃圾回收，堆里只是积满了垃圾"
            ),
        );
    } else if after_span < th::MIN_SPAN_S || minima.len() < th::MIN_WINDOWS {
        out.pending_because(
            Kind::HeapLeak,
            tr!(
                lang,
                "not enough data yet: post-GC readings span {} in {} windows (need {} and {})",
                "数据还不够：GC 后的读数跨越 {}，共 {} 个窗口（需要 {} 和 {} 个）",
                dur(after_span),
                minima.len(),
                dur(th::MIN_SPAN_S),
                th::MIN_WINDOWS
            ),
        );
    } else if let (Some(t), Some(max)) = (stats::trend(&minima), heap_max) {
        let s = after_span;
        let t_end = heap.last().map_or(0.0, |x| x.1 .0);
        if t.tau >= th::STEADY_TAU && t.slope * s >= th::LEAK_MIN_GROWTH * max {
            let ttl = t.time_to(t_end, max).unwrap_or(f64::INFINITY);
            let mut ev = evidence(HEAP, &heap, minima.clone(), Some(t), Some(max));
            ev.facts = vec![
                tr!(
                    lang,
                    "heap after GC grows {}/min (Theil–Sen slope of the lowest post-GC reading per {} s)",
                    "GC 后的堆每分钟增长 {}（每 {} 秒内 GC 后最低读数的 Theil–Sen 斜率）",
                    hr(t.slope * 60.0),
                    th::ENVELOPE_WINDOW_S
                ),
                tr!(
                    lang,
                    "steadiness: Kendall τ = {:.2} (threshold {})",
                    "稳定性：Kendall τ = {:.2}（阈值 {}）",
                    t.tau,
                    th::STEADY_TAU
                ),
                tr!(
                    lang,
                    "heap after GC {} → {} of {} max over {}",
                    "GC 后的堆在 {3} 内从 {0} 涨到 {1}（上限 {2}）",
                    hr(t.at(minima[0].0)),
                    hr(t.at(t_end)),
                    hr(max),
                    dur(s)
                ),
                tr!(lang, "at this rate the heap is full in {}", "按此速度，堆将在 {}后占满", dur(ttl)),
            ];
            let sev = forecast_severity(ttl);
            out.found(
                Kind::HeapLeak,
                sev,
                tr!(
                    lang,
                    "The heap left after each garbage collection grows {}/min; full in about {}",
                    "每次垃圾回收后剩下的堆每分钟增长 {}；大约 {}后占满",
                    hr(t.slope * 60.0),
                    dur(ttl)
                ),
                tr!(
                    lang,
                    "What the garbage collector cannot free keeps growing: something holds on to objects — typically keyed state that is never cleared (heap state backend), a growing cache or collection in a user function, or timers that are never deleted. A single high reading means nothing (the heap is a saw-tooth); this is the lower envelope, the level after collections, rising steadily. More heap only delays the OutOfMemoryError: bound the state (StateTtlConfig, clear() in onTimer) or move it to RocksDB, and check with a heap dump.",
                    "垃圾回收器回收不掉的部分在持续增长：有东西一直持有对象——通常是从不清理的键控状态（堆状态后端）、用户函数里不断变大的缓存或集合，或从不删除的定时器。单个高读数说明不了什么（堆的曲线是锯齿形）；这里看的是下包络线，即每次回收后的水位，它在稳定上升。加大堆只会推迟 `OutOfMemoryError`：请限制状态（`StateTtlConfig`、在 `onTimer` 中 `clear()`）或改用 RocksDB，并用堆转储核实。"
                ),
                ev.clone(),
            );
            if ttl < th::OOM_WARNING_S {
                let sev = forecast_severity(ttl);
                out.found(
                    Kind::OomRisk,
                    sev,
                    tr!(
                        lang,
                        "Java heap space: at the current trend the heap is exhausted in about {}",
                        "`Java heap space`：按当前趋势，堆大约 {}后耗尽",
                        dur(ttl)
                    ),
                    tr!(
                        lang,
                        "Forecast from the trend of the heap after garbage collection: when it reaches the maximum heap (-Xmx = framework heap + task heap), the JVM throws java.lang.OutOfMemoryError: Java heap space and the TaskManager fails.",
                        "根据垃圾回收后堆的趋势预测：当它达到最大堆（-Xmx = 框架堆 + 任务堆）时，JVM 抛出 `java.lang.OutOfMemoryError: Java heap space`，TaskManager 随之失败。"
                    ),
                    ev,
                );
            }
        }
    }
    // Metaspace: near its limit, or growing (class loaders kept alive across jobs).
    let meta = p.series(METASPACE, false);
    let meta_max = if p.jm { p.last(METASPACE_MAX) } else { mem.map(|m| m.jvm_metaspace as f64) };
    if let (Some(&(_, (_, last))), Some(cap)) = (meta.last(), meta_max.filter(|c| *c > 0.0)) {
        let trend = if span(&meta) >= th::MIN_SPAN_S { steady_rise(&pts(&meta)) } else { None };
        if span(&meta) < th::MIN_SPAN_S {
            out.pending(Kind::MetaspaceGrowth, &meta);
        }
        let mut ev = evidence(METASPACE, &meta, Vec::new(), trend, Some(cap));
        ev.facts.push(tr!(
            lang,
            "metaspace used {} of {} ({})",
            "元空间已用 {} / {}（{}）",
            hr(last),
            hr(cap),
            pct(last / cap)
        ));
        if last >= th::NEAR_LIMIT * cap {
            out.found(
                Kind::OomRisk,
                Severity::Critical,
                tr!(lang, "Metaspace is at {} of its limit", "元空间已达上限的 {}", pct(last / cap)),
                tr!(
                    lang,
                    "Metaspace holds class metadata. At -XX:MaxMetaspaceSize the JVM throws java.lang.OutOfMemoryError: Metaspace. In a session cluster every job submission loads its classes again; if an old job's class loader is still referenced (a thread, a static cache, a JDBC driver), its classes are never unloaded.",
                    "元空间存放类的元数据。到达 -XX:MaxMetaspaceSize 时 JVM 抛出 `java.lang.OutOfMemoryError: Metaspace`。在 session 集群中，每次提交作业都会重新加载它的类；如果旧作业的类加载器仍被引用（一个线程、一个静态缓存、一个 JDBC 驱动），它的类就永远不会被卸载。"
                ),
                ev.clone(),
            );
        }
        if let Some(t) = trend.filter(|t| t.slope * span(&meta) >= th::METASPACE_MIN_GROWTH * cap) {
            let jobs = submissions(p.snaps);
            let t_end = meta.last().map_or(0.0, |x| x.1 .0);
            let ttl = t.time_to(t_end, cap).unwrap_or(f64::INFINITY);
            ev.facts.push(tr!(
                lang,
                "grows {}/min (Kendall τ = {:.2})",
                "每分钟增长 {}（Kendall τ = {:.2}）",
                hr(t.slope * 60.0),
                t.tau
            ));
            ev.facts.push(tr!(
                lang,
                "{jobs} job submission(s) during the data",
                "数据期间共提交作业 {jobs} 次"
            ));
            ev.facts.push(limit_reached_in(lang, ttl));
            out.found(
                Kind::MetaspaceGrowth,
                forecast_severity(ttl),
                tr!(
                    lang,
                    "Metaspace grows {}/min across {jobs} job submission(s)",
                    "在 {jobs} 次作业提交中，元空间每分钟增长 {}",
                    hr(t.slope * 60.0)
                ),
                tr!(
                    lang,
                    "Metaspace should level off once a job's classes are loaded. Growth that follows job submissions is the classic class-loader leak of session clusters: each submission loads the job's classes in a new class loader, and something keeps the old one alive. Look for threads the job starts and never stops, static caches and shaded libraries registering themselves globally; or run jobs in application mode. Raising the metaspace only delays the OutOfMemoryError: Metaspace.",
                    "作业的类加载完后，元空间应当趋于平稳。随作业提交而增长，是 session 集群典型的类加载器泄漏：每次提交都在新的类加载器中加载作业的类，而有东西让旧的加载器一直存活。请检查作业启动后从不停止的线程、静态缓存，以及把自己注册到全局的 shade 库；或者改用 application 模式运行作业。加大元空间只会推迟 `OutOfMemoryError: Metaspace`。"
                ),
                ev.clone(),
            );
            if ttl < th::OOM_WARNING_S && last < th::NEAR_LIMIT * cap {
                out.found(
                    Kind::OomRisk,
                    forecast_severity(ttl),
                    tr!(
                        lang,
                        "Metaspace: at the current trend the limit is reached in about {}",
                        "元空间：按当前趋势，大约 {}后达到上限",
                        dur(ttl)
                    ),
                    tr!(
                        lang,
                        "Forecast from the metaspace trend: at -XX:MaxMetaspaceSize the JVM throws java.lang.OutOfMemoryError: Metaspace.",
                        "根据元空间的趋势预测：到达 -XX:MaxMetaspaceSize 时 JVM 抛出 `java.lang.OutOfMemoryError: Metaspace`。"
                    ),
                    ev,
                );
            }
        }
    }
    // GC: share of time in collections, and full collections.
    let gc = p.series(GC_MS, false);
    if span(&gc) < th::MIN_SPAN_S {
        out.pending(Kind::GcPressure, &gc);
    } else {
        let median = stats::median_value(&pts(&gc));
        let old = p.series(OLD_GC, false);
        let old_per_min = match (old.first(), old.last()) {
            (Some(a), Some(b)) if span(&old) > 0.0 => (b.1 .1 - a.1 .1) / span(&old) * 60.0,
            _ => 0.0,
        };
        if median >= th::GC_WARNING_MS_PER_S || old_per_min >= th::OLD_GC_PER_MIN {
            let mut ev = evidence(GC_MS, &gc, Vec::new(), None, Some(th::GC_WARNING_MS_PER_S));
            ev.facts = vec![
                tr!(
                    lang,
                    "median {median:.0} ms of GC per second ({} of the time; threshold {})",
                    "每秒 GC 时间中位数 {median:.0} ms（占时间的 {}；阈值 {}）",
                    pct(median / 1000.0),
                    pct(th::GC_WARNING_MS_PER_S / 1000.0)
                ),
                tr!(
                    lang,
                    "{old_per_min:.1} old-generation collections per minute (threshold {})",
                    "每分钟老年代回收 {old_per_min:.1} 次（阈值 {}）",
                    th::OLD_GC_PER_MIN
                ),
            ];
            out.found(
                Kind::GcPressure,
                if median >= th::GC_CRITICAL_MS_PER_S { Severity::Critical } else { Severity::Warning },
                tr!(lang, "The JVM spends {} of its time in garbage collection", "JVM 把 {} 的时间花在垃圾回收上", pct(median / 1000.0)),
                tr!(
                    lang,
                    "Time in GC is time not spent processing: throughput drops, latency and checkpoint durations rise, and heartbeats can time out. The heap is too small for the live data and allocation rate (or it leaks — see the heap trend).",
                    "花在 GC 上的时间就不能用来处理数据：吞吐下降，延迟和 checkpoint 时长上升，心跳可能超时。堆相对存活数据量和分配速率太小了（或者在泄漏——看看堆的趋势）。"
                ),
                ev,
            );
        }
    }
}

/// How many jobs were submitted after the first snapshot.
fn submissions(snaps: &[Snapshot]) -> usize {
    let Some(first) = snaps.first() else { return 0 };
    let mut seen: Vec<&str> = first.jobs.iter().map(|j| j.jid.as_str()).collect();
    let mut n = 0;
    for s in snaps {
        for j in &s.jobs {
            if !seen.contains(&j.jid.as_str()) {
                seen.push(&j.jid);
                n += 1;
            }
        }
    }
    n
}

/// Detectors for the memory only TaskManagers have.
fn taskmanager(p: &Proc, opts: &Options, out: &mut Out) {
    let Some(mem) = p.memory() else { return };
    let lang = opts.lang;
    let dur = |s: f64| duration_in(lang, s);
    // Direct memory against -XX:MaxDirectMemorySize.
    let direct = p.series(DIRECT, false);
    let direct_max = (mem.framework_off_heap + mem.task_off_heap + mem.network_memory) as f64;
    if let Some(&(_, (t_end, last))) = direct.last() {
        // A steady rise towards the limit is a risk before it gets near.
        let rising = (span(&direct) >= th::MIN_SPAN_S)
            .then(|| steady_rise(&pts(&direct)))
            .flatten()
            .filter(|t| t.slope * span(&direct) >= th::METASPACE_MIN_GROWTH * direct_max)
            .map(|t| (t, t.time_to(t_end, direct_max).unwrap_or(f64::INFINITY)))
            .filter(|(_, ttl)| *ttl < th::OOM_WARNING_S);
        if let (Some((t, ttl)), true) = (rising, last < th::NEAR_LIMIT * direct_max) {
            let mut ev = evidence(DIRECT, &direct, Vec::new(), Some(t), Some(direct_max));
            ev.facts.push(tr!(
                lang,
                "direct memory used {} of {}, growing {}/min (Kendall τ = {:.2})",
                "直接内存已用 {} / {}，每分钟增长 {}（Kendall τ = {:.2}）",
                hr(last),
                hr(direct_max),
                hr(t.slope * 60.0),
                t.tau
            ));
            ev.facts.push(limit_reached_in(lang, ttl));
            out.found(
                Kind::OomRisk,
                forecast_severity(ttl),
                tr!(
                    lang,
                    "Direct memory: at the current trend -XX:MaxDirectMemorySize is reached in about {}",
                    "直接内存：按当前趋势，大约 {}后达到 -XX:MaxDirectMemorySize",
                    dur(ttl)
                ),
                tr!(
                    lang,
                    "Forecast from the trend of direct (off-heap) buffer use. At the limit the JVM throws java.lang.OutOfMemoryError: Direct buffer memory. Direct buffers are freed only when their Java objects are collected: steady growth means buffers are kept (a connector's pool, a cache) or leaked.",
                    "根据直接（堆外）缓冲区用量的趋势预测。到达上限时 JVM 抛出 `java.lang.OutOfMemoryError: Direct buffer memory`。直接缓冲区只有在其 Java 对象被回收时才释放：稳定增长意味着缓冲区被留着（连接器的池、缓存）或泄漏了。"
                ),
                ev,
            );
        }
        if last >= th::NEAR_LIMIT * direct_max {
            let mut ev = evidence(DIRECT, &direct, Vec::new(), None, Some(direct_max));
            ev.facts.push(tr!(
                lang,
                "direct memory used {} of {} ({})",
                "直接内存已用 {} / {}（{}）",
                hr(last),
                hr(direct_max),
                pct(last / direct_max)
            ));
            out.found(
                Kind::OomRisk,
                Severity::Critical,
                tr!(lang, "Direct memory is at {} of -XX:MaxDirectMemorySize", "直接内存已达 -XX:MaxDirectMemorySize 的 {}", pct(last / direct_max)),
                tr!(
                    lang,
                    "Direct (off-heap) buffers are limited to framework off-heap + task off-heap + network memory. Beyond it the JVM throws java.lang.OutOfMemoryError: Direct buffer memory — usually a connector or library allocating direct buffers (Netty, Kafka clients, compression) that task off-heap memory does not account for.",
                    "直接（堆外）缓冲区的上限是 框架堆外 + 任务堆外 + 网络内存。超过它 JVM 抛出 `java.lang.OutOfMemoryError: Direct buffer memory`——通常是某个连接器或库分配了任务堆外内存没有算进去的直接缓冲区（Netty、Kafka 客户端、压缩）。"
                ),
                ev,
            );
        }
    }
    // Network buffers (segments), while a job runs.
    let used = p.series(NET_USED, true);
    let total = p.last(NET_TOTAL).unwrap_or(0.0);
    if total > 0.0 && !used.is_empty() {
        let full = used.iter().filter(|x| x.1 .1 >= th::NETWORK_FULL * total).count();
        let peak = stats::max_value(&pts(&used));
        let seg = mem.network_memory as f64 / total;
        if full as f64 >= th::NETWORK_FULL_SHARE * used.len() as f64 {
            let mut ev = evidence(NET_USED, &used, Vec::new(), None, Some(total));
            ev.facts.push(tr!(
                lang,
                "{full} of {} readings at ≥ {} of the {total:.0} segments",
                "{} 次读数中有 {full} 次达到 {total:.0} 个段的 ≥ {}",
                used.len(),
                pct(th::NETWORK_FULL)
            ));
            out.found(
                Kind::NetworkExhausted,
                Severity::Warning,
                tr!(
                    lang,
                    "Network buffers are exhausted in {} of the readings",
                    "{} 的读数中网络缓冲区已耗尽",
                    pct(full as f64 / used.len() as f64)
                ),
                tr!(
                    lang,
                    "Every network buffer is in use: tasks wait for buffers (back-pressure), and a new or rescaled job fails with \"Insufficient number of network buffers\". Each channel takes exclusive buffers (2 per channel in Flink 2.x) plus floating buffers per gate (8).",
                    "所有网络缓冲区都在使用中：任务在等待缓冲区（反压），新作业或扩缩容后的作业会以 \"Insufficient number of network buffers\" 失败。每个通道占用独占缓冲区（Flink 2.x 中每通道 2 个），每个输入门另加浮动缓冲区（8 个）。"
                ),
                ev,
            );
        } else if span(&used) < th::MIN_SPAN_S {
            out.pending(Kind::NetworkIdle, &used);
        } else if peak < th::NETWORK_IDLE * total && (mem.network_memory as f64) > th::NETWORK_FLOOR as f64 {
            let mut ev = evidence(NET_USED, &used, Vec::new(), None, Some(total));
            ev.facts.push(tr!(
                lang,
                "peak {peak:.0} of {total:.0} segments ({}) = {} of {}",
                "峰值 {peak:.0} / {total:.0} 个段（{}）= {} / {}",
                pct(peak / total),
                hr(peak * seg),
                hr(total * seg)
            ));
            out.found(
                Kind::NetworkIdle,
                Severity::Info,
                tr!(lang, "At most {} of network memory was used while a job ran", "作业运行期间网络内存最多只用了 {}", pct(peak / total)),
                tr!(
                    lang,
                    "Network memory is reserved up front for shuffle buffers. Most of it stayed idle for this job graph: those bytes could serve the task heap. Keep headroom for rescaling (more channels need more buffers).",
                    "网络内存是为 shuffle 缓冲区预先保留的。对这个作业图来说大部分都闲着：这些字节可以给任务堆用。请为扩缩容留出余量（更多通道需要更多缓冲区）。"
                ),
                ev,
            );
        }
    }
    // Managed memory, while a job runs.
    let managed = p.series(MANAGED, true);
    let cap = if mem.managed_memory > 0 { Some(mem.managed_memory as f64) } else { p.last(MANAGED_TOTAL) };
    if let Some(cap) = cap.filter(|c| *c > 0.0) {
        if span(&managed) < th::MIN_SPAN_S {
            out.pending(Kind::ManagedIdle, &managed);
        } else {
            let peak = stats::max_value(&pts(&managed));
            let median = stats::median_value(&pts(&managed));
            let mut ev = evidence(MANAGED, &managed, Vec::new(), None, Some(cap));
            ev.facts.push(tr!(
                lang,
                "peak {} of {} ({}), median {}",
                "峰值 {} / {}（{}），中位数 {}",
                hr(peak),
                hr(cap),
                pct(peak / cap),
                pct(median / cap)
            ));
            let total_flink = mem.total_flink_memory as f64;
            // At or below the share memlab would keep, idle managed memory is a reserve.
            if peak < th::MANAGED_IDLE * cap
                && cap > th::MANAGED_KEEP_FRACTION * total_flink + th::ROUND as f64
            {
                out.found(
                    Kind::ManagedIdle,
                    if cap >= 0.25 * total_flink { Severity::Warning } else { Severity::Info },
                    tr!(
                        lang,
                        "{} of managed memory ({} of Flink memory) is reserved and unused",
                        "{} 的托管内存（占 Flink 内存的 {}）被保留却没有使用",
                        hr(cap),
                        pct(cap / total_flink)
                    ),
                    tr!(
                        lang,
                        "Managed memory is used by RocksDB, batch operators (sorting, hash joins, spilling) and Python UDFs. A streaming job on the heap state backend (HashMapStateBackend) uses none of it: Flink's default fraction 0.4 then leaves 40 % of Flink memory idle while state lives on the heap.",
                        "托管内存供 RocksDB、批处理算子（排序、哈希连接、溢写）和 Python UDF 使用。使用堆状态后端（`HashMapStateBackend`）的流作业完全用不到它：Flink 默认的占比 0.4 会让 40 % 的 Flink 内存闲置，而状态却放在堆上。"
                    ),
                    ev,
                );
            } else if median >= th::MANAGED_FULL * cap {
                out.found(
                    Kind::ManagedFull,
                    Severity::Info,
                    tr!(lang, "Managed memory is {} used", "托管内存已用 {}", pct(median / cap)),
                    tr!(
                        lang,
                        "RocksDB reserves its whole share of managed memory for its block cache and write buffers when the job starts, so full is expected and not a leak. For batch jobs, full managed memory means sorting and joins spill to disk: more managed memory makes them faster.",
                        "RocksDB 在作业启动时就为块缓存和写缓冲区预留全部托管内存份额，所以用满是正常的，不是泄漏。对批作业而言，托管内存用满意味着排序和连接会溢写到磁盘：更多托管内存会让它们更快。"
                    ),
                    ev,
                );
            }
        }
    }
    // JVM overhead against the native memory it must cover.
    let non_heap = p.series(NON_HEAP, false);
    let estimate: Series = non_heap
        .iter()
        .filter_map(|&(i, (t, nh))| {
            let s = &p.snaps[i];
            let meta = p.get(s, METASPACE)?;
            let threads = p.get(s, THREADS).unwrap_or(0.0);
            Some((i, (t, (nh - meta).max(0.0) + threads * th::THREAD_STACK)))
        })
        .collect();
    let overhead = mem.jvm_overhead as f64;
    let peak = stats::max_value(&pts(&estimate));
    if overhead > 0.0 && peak >= th::OVERHEAD_FILL * overhead {
        let mut ev = evidence(NATIVE_ESTIMATE, &estimate, Vec::new(), None, Some(overhead));
        ev.facts.push(tr!(
            lang,
            "native memory estimate peaks at {} of {} JVM overhead ({})",
            "本地内存估算峰值为 {}，JVM 开销为 {}（{}）",
            hr(peak),
            hr(overhead),
            pct(peak / overhead)
        ));
        out.found(
            Kind::OverheadSmall,
            Severity::Warning,
            tr!(
                lang,
                "JVM overhead ({}) barely covers the JVM's native memory ({})",
                "JVM 开销（{}）勉强够 JVM 的本地内存（{}）",
                hr(overhead),
                hr(peak)
            ),
            tr!(
                lang,
                "JVM overhead is the part of the process Flink leaves for what the JVM itself uses outside heap, metaspace and direct buffers: thread stacks, code cache, GC structures, native libraries. When native use outgrows it, the process exceeds its container and is killed by the OS (exit code 137) without a Java error.",
                "JVM 开销是 Flink 为 JVM 自身在堆、元空间和直接缓冲区之外使用的内存留出的部分：线程栈、代码缓存、GC 结构、本地库。本地内存用量超出它时，进程会超出容器限制，被操作系统杀掉（退出码 137），不会有 Java 报错。"
            ),
            ev,
        );
    }
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

/// Attaches recommendations to one TaskManager's findings.
/// "No configuration change helps here."
fn no_change_helps(lang: Lang) -> NoAdvice {
    NoAdvice::Because(tr!(lang, "no configuration change helps here", "这里改配置没有帮助"))
}

/// Whether a finding's advice is still undecided (the placeholder `found` gives it).
fn undecided(f: &Finding) -> bool {
    matches!(&f.advice, Advice::None(NoAdvice::Because(w)) if w.is_empty())
}

fn recommend(p: &Proc, cluster: Option<&FlinkConfig>, opts: &Options, findings: &mut [Finding]) {
    let lang = opts.lang;
    let Some(mem) = p.memory() else {
        for f in findings.iter_mut() {
            f.advice = Advice::None(NoAdvice::Because(tr!(
                lang,
                "memlab has no memory configuration for this TaskManager (GET /taskmanagers/:id), so it cannot propose a change.",
                "memlab 没有这个 TaskManager 的内存配置（GET /taskmanagers/:id），因此无法给出修改。"
            )));
        }
        return;
    };
    let Some(base) = recommend::base(cluster, &mem) else {
        for f in findings.iter_mut() {
            f.advice = Advice::None(NoAdvice::Because(tr!(
                lang,
                "memlab's calculator does not reproduce this TaskManager's sizes, so it cannot propose a verified change.",
                "memlab 的计算器无法复现这个 TaskManager 的各项大小，因此无法给出经过验证的修改。"
            )));
        }
        return;
    };
    let m = &base.memory;
    let kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
    // Over-provisioned components, and the recommendation that frees each.
    let managed_idle = kinds.contains(&Kind::ManagedIdle).then(|| {
        let peak = findings
            .iter()
            .find(|f| f.kind == Kind::ManagedIdle)
            .map_or(0.0, |f| stats::max_value(&f.evidence.series));
        managed_down(&base, peak, lang)
    });
    let network_idle = kinds.contains(&Kind::NetworkIdle).then(|| {
        let f = findings.iter().find(|f| f.kind == Kind::NetworkIdle);
        let peak_segments = f.map_or(0.0, |f| stats::max_value(&f.evidence.series));
        let total = f.and_then(|f| f.evidence.limit).unwrap_or(1.0);
        network_down(&base, peak_segments * m.network.bytes as f64 / total, lang)
    });
    let spare = |r: &Option<Result<recommend::Recommendation, NoAdvice>>, c: Component| {
        r.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, |r| c.bytes(m).saturating_sub(c.bytes(&r.after)))
    };
    let donors = [
        (Component::Managed, spare(&managed_idle, Component::Managed)),
        (Component::Network, spare(&network_idle, Component::Network)),
    ];
    let donated: u64 = donors.iter().map(|d| d.1).sum();
    let from = |donors: &[(Component, u64)]| {
        let names: Vec<&str> = donors.iter().filter(|d| d.1 > 0).map(|d| d.0.label_in(lang)).collect();
        if names.is_empty() {
            String::new()
        } else {
            let names = names.join(tr!(lang, " and ", "和").as_str());
            tr!(lang, " from idle {names}", "，取自闲置的{names}")
        }
    };
    for f in findings.iter_mut() {
        let peak = stats::max_value(&f.evidence.series);
        let r = match f.kind {
            Kind::ManagedIdle => managed_idle.clone(),
            Kind::NetworkIdle => network_idle.clone(),
            Kind::OomRisk if f.evidence.metric == HEAP => {
                f.advice = Advice::None(NoAdvice::Because(tr!(
                    lang,
                    "See the heap-leak finding: the forecast follows from it.",
                    "见堆泄漏那一项：这个预测由它而来。"
                )));
                None
            }
            Kind::HeapLeak => {
                let freed: Vec<&recommend::Recommendation> = [&managed_idle, &network_idle]
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_ref().ok())
                    .collect();
                if freed.is_empty() {
                    f.advice = Advice::None(NoAdvice::Because(tr!(
                        lang,
                        "A leak is fixed in code. No component here is over-provisioned, so any extra heap would have to come from a bigger process — and would only delay the failure.",
                        "泄漏要在代码里修复。这里没有哪个组成部分配多了，所以额外的堆只能来自更大的进程——而且只会推迟失败。"
                    )));
                    None
                } else {
                    Some(
                        recommend::combine(
                            &base,
                            tr!(
                            lang,
                            "Stopgap, not a fix: give the task heap {}{} — the leak still fills it, later",
                            "权宜之计，不是修复：给任务堆 {}{}——泄漏迟早还会把它填满",
                            human(donated),
                            from(&donors)
                        ),
                            &freed,
                        )
                        .map_err(NoAdvice::from),
                    )
                }
            }
            Kind::GcPressure => {
                let add = recommend::round_up((m.jvm_heap() as f64 * th::GC_HEAP_GROWTH) as u64);
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Give the task heap {} more{}",
                            "给任务堆再加 {}{}",
                            human(add),
                            from(&donors)
                        ),
                        Component::TaskHeap,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::MetaspaceGrowth | Kind::OomRisk if f.evidence.metric == METASPACE => {
                let target = recommend::round_up((peak * th::METASPACE_HEADROOM) as u64)
                    .max(m.jvm_metaspace.bytes + (m.jvm_metaspace.bytes / 4));
                let add = recommend::round_up(target - m.jvm_metaspace.bytes);
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Raise the metaspace by {}{}",
                            "把元空间增加 {}{}",
                            human(add),
                            from(&donors)
                        ),
                        Component::Metaspace,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::OomRisk if f.evidence.metric == DIRECT => {
                let add =
                    recommend::round_up(((peak * 1.25) as u64).saturating_sub(m.jvm_direct()).max(64 << 20));
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Give task off-heap {} more (it raises MaxDirectMemorySize){}",
                            "给任务堆外内存再加 {}（会提高 MaxDirectMemorySize）{}",
                            human(add),
                            from(&donors)
                        ),
                        Component::TaskOffHeap,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::NetworkExhausted => {
                let add = recommend::round_up(m.network.bytes / 2);
                let d = [donors[0]];
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Give network memory {} more{}",
                            "给网络内存再加 {}{}",
                            human(add),
                            from(&d)
                        ),
                        Component::Network,
                        add,
                        &d,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::OverheadSmall => {
                let add = recommend::round_up(
                    ((peak / th::OVERHEAD_FILL) as u64).saturating_sub(m.jvm_overhead.bytes),
                );
                Some(
                    recommend::plan(
                        &base,
                        tr!(
                            lang,
                            "Raise JVM overhead by {}{}",
                            "把 JVM 开销增加 {}{}",
                            human(add),
                            from(&donors)
                        ),
                        Component::Overhead,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::ContainerHeadroom => opts.container_limit.map(|limit| {
                // Shrinking the process shrinks every fraction-sized part; idle managed
                // memory goes first, if there is some.
                let mut changes = vec![recommend::Change {
                    key: o::TOTAL_PROCESS.key.to_owned(),
                    from: None,
                    to: recommend::size_value(limit),
                }];
                let idle = managed_idle.as_ref().and_then(|r| r.as_ref().ok());
                changes.extend(idle.iter().flat_map(|r| r.changes.clone()));
                let wanted = recommend::Recommendation { changes, ..empty(&base) };
                recommend::combine(
                    &base,
                    tr!(
                        lang,
                        "Set the process size to the container's limit, {}{}",
                        "把进程大小设为容器的限制 {}{}",
                        human(limit),
                        if idle.is_some() {
                            tr!(lang, ", and lower the idle managed memory", "，并调低闲置的托管内存")
                        } else {
                            String::new()
                        }
                    ),
                    &[&wanted],
                )
                .map_err(NoAdvice::from)
            }),
            _ => None,
        };
        match r {
            Some(Ok(r)) => f.advice = Advice::TaskManager(r),
            Some(Err(e)) => f.advice = Advice::None(e),
            None if undecided(f) && f.kind == Kind::ManagedFull => {
                f.advice = Advice::None(NoAdvice::Because(tr!(
                    lang,
                    "Full managed memory is how RocksDB works (it reserves its share at once) and how batch operators work (they spill to disk beyond it): no change is needed unless jobs slow down from spilling.",
                    "托管内存用满正是 RocksDB 的工作方式（它一次性预留自己的份额），也是批处理算子的工作方式（超出部分溢写到磁盘）：除非作业因溢写而变慢，否则无需修改。"
                )))
            }
            None if undecided(f) => f.advice = Advice::None(no_change_helps(lang)),
            None => {}
        }
    }
}

/// A recommendation that changes nothing (a carrier for changes to combine).
fn empty(base: &Base) -> recommend::Recommendation {
    recommend::Recommendation {
        summary: String::new(),
        changes: Vec::new(),
        before: base.memory.clone(),
        after: base.memory.clone(),
        process_delta: 0,
    }
}

/// Lowers idle managed memory to [`th::MANAGED_KEEP_FRACTION`] (or twice its peak use).
fn managed_down(base: &Base, peak: f64, lang: Lang) -> Result<recommend::Recommendation, NoAdvice> {
    let m = &base.memory;
    let keep = (m.total_flink() as f64 * th::MANAGED_KEEP_FRACTION) as u64;
    let summary = |after: u64| {
        tr!(
            lang,
            "Lower managed memory from {} to {} and give the {} to the task heap",
            "把托管内存从 {} 降到 {}，把省下的 {} 给任务堆",
            human(m.managed.bytes),
            human(after),
            human(m.managed.bytes.saturating_sub(after))
        )
    };
    let uses_fraction = !crate::read::contains(&base.config, &o::MANAGED_SIZE) && base.from_cluster;
    if (peak * 2.0) as u64 <= keep && uses_fraction {
        let r = recommend::with_changes(
            base,
            String::new(),
            &[(&o::MANAGED_FRACTION, th::MANAGED_KEEP_FRACTION.to_string())],
        )?;
        return Ok(recommend::Recommendation { summary: summary(r.after.managed.bytes), ..r });
    }
    let keep = recommend::round_up(keep.max((peak * 2.0) as u64));
    if keep >= m.managed.bytes {
        return Err(NoAdvice::Because(tr!(lang, "nothing to gain", "没有可省的")));
    }
    let give = m.managed.bytes - keep;
    let r = recommend::plan(base, String::new(), Component::TaskHeap, give, &[(Component::Managed, give)])?;
    Ok(recommend::Recommendation { summary: summary(r.after.managed.bytes), ..r })
}

/// Lowers idle network memory to [`th::NETWORK_KEEP_PEAK`] times its peak (at least
/// [`th::NETWORK_FLOOR`]).
fn network_down(base: &Base, peak_bytes: f64, lang: Lang) -> Result<recommend::Recommendation, NoAdvice> {
    let m = &base.memory;
    let keep = recommend::round_up(((peak_bytes * th::NETWORK_KEEP_PEAK) as u64).max(th::NETWORK_FLOOR));
    if keep >= m.network.bytes {
        return Err(NoAdvice::Because(tr!(
            lang,
            "network memory is already at the floor memlab keeps ({})",
            "网络内存已经处于 memlab 保留的下限（{}）",
            human(keep)
        )));
    }
    let give = m.network.bytes - keep;
    recommend::plan(
        base,
        tr!(
            lang,
            "Lower network memory from {} to {} and give the {} to the task heap",
            "把网络内存从 {} 降到 {}，把省下的 {} 给任务堆",
            human(m.network.bytes),
            human(keep),
            human(give)
        ),
        Component::TaskHeap,
        give,
        &[(Component::Network, give)],
    )
    .map_err(NoAdvice::from)
}
