//! The detectors, one process at a time, then the recommendations (which need to know
//! every finding of that process: idle memory is where the bytes for a fix come from).

use memlab_size::human;

use super::recommend::{self, Base, Component};
use super::stats::{self, Point};
use super::thresholds as th;
use super::{Evidence, Finding, Kind, Options, Pending, Report, Severity};
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

/// "12 min", "5.5 h", "3 days".
pub fn duration(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 600.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.0} days", s / 86_400.0)
    }
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
}

impl Out<'_> {
    fn pending(&mut self, kind: Kind, s: &Series) {
        let have = span(s);
        let message = if s.is_empty() {
            "not enough data yet: no readings".to_owned()
        } else {
            format!("not enough data yet: {} of the {} needed", duration(have), duration(th::MIN_SPAN_S))
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
        explanation: &str,
        evidence: Evidence,
    ) {
        self.report.findings.push(Finding {
            kind,
            severity,
            subject: self.subject.clone(),
            headline,
            explanation: explanation.to_owned(),
            evidence,
            recommendation: None,
            jm_recommendation: None,
            no_recommendation: None,
        });
    }
}

/// A trend of a slowly moving series over enough data, if it rises steadily.
fn steady_rise(points: &[Point]) -> Option<stats::Trend> {
    stats::trend(points).filter(|t| t.tau >= th::STEADY_TAU && t.slope > 0.0)
}

pub(super) fn run(snaps: &[Snapshot], opts: &Options) -> Report {
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
        let mut out = Out { report: &mut report, subject: id.to_owned() };
        let first = out.report.findings.len();
        process(&p, &mut out);
        taskmanager(&p, opts, &mut out);
        recommend(&p, cluster, opts, &mut report.findings[first..]);
    }
    if snaps.iter().any(|s| !s.jobmanager_metrics.is_empty()) {
        let p = Proc { id: "jobmanager", jm: true, snaps, t0 };
        report.subjects.push("jobmanager".into());
        let mut out = Out { report: &mut report, subject: "jobmanager".into() };
        process(&p, &mut out);
        for f in report.findings.iter_mut().filter(|f| f.subject == "jobmanager") {
            let peak = stats::max_value(&f.evidence.series);
            let plan = match (f.kind, cluster) {
                (_, None) => {
                    Err("the recording has no JobManager configuration (GET /jobmanager/config)".to_owned())
                }
                (Kind::MetaspaceGrowth | Kind::OomRisk, Some(c)) if f.evidence.metric == METASPACE => {
                    let cap = f.evidence.limit.unwrap_or(peak) as u64;
                    let add = recommend::round_up(
                        ((peak * th::METASPACE_HEADROOM) as u64).saturating_sub(cap).max(cap / 4),
                    );
                    recommend::jm_plan(
                        c,
                        format!(
                            "Raise the JobManager's metaspace by {} (the process grows with it)",
                            human(add)
                        ),
                        recommend::JmPart::Metaspace,
                        add,
                    )
                }
                (Kind::GcPressure, Some(c)) => {
                    let heap = p.last(HEAP_MAX).unwrap_or(0.0);
                    let add = recommend::round_up((heap * th::GC_HEAP_GROWTH) as u64);
                    recommend::jm_plan(
                        c,
                        format!("Give the JobManager's heap {} more (the process grows with it)", human(add)),
                        recommend::JmPart::Heap,
                        add,
                    )
                }
                (Kind::HeapLeak | Kind::OomRisk, _) => {
                    Err("A leak is fixed in code; more heap only delays the failure.".to_owned())
                }
                _ => Err("no configuration change helps here".to_owned()),
            };
            match plan {
                Ok(r) => f.jm_recommendation = Some(r),
                Err(e) => f.no_recommendation = Some(e),
            }
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
            format!("cannot tell: the data has no {GC_COUNT} readings, so post-GC heap levels are unknown"),
        );
    } else if span(&heap) < th::MIN_SPAN_S {
        out.pending(Kind::HeapLeak, &heap);
    } else if after_gc.is_empty() {
        out.pending_because(
            Kind::HeapLeak,
            "not enough data yet: no garbage collection ran, so the heap has only filled with garbage".into(),
        );
    } else if after_span < th::MIN_SPAN_S || minima.len() < th::MIN_WINDOWS {
        out.pending_because(
            Kind::HeapLeak,
            format!(
                "not enough data yet: post-GC readings span {} in {} windows (need {} and {})",
                duration(after_span),
                minima.len(),
                duration(th::MIN_SPAN_S),
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
                format!(
                    "heap after GC grows {}/min (Theil–Sen slope of the lowest post-GC reading per {} s)",
                    hr(t.slope * 60.0),
                    th::ENVELOPE_WINDOW_S
                ),
                format!("steadiness: Kendall τ = {:.2} (threshold {})", t.tau, th::STEADY_TAU),
                format!(
                    "heap after GC {} → {} of {} max over {}",
                    hr(t.at(minima[0].0)),
                    hr(t.at(t_end)),
                    hr(max),
                    duration(s)
                ),
                format!("at this rate the heap is full in {}", duration(ttl)),
            ];
            let sev = if ttl < th::OOM_CRITICAL_S { Severity::Critical } else { Severity::Warning };
            out.found(
                Kind::HeapLeak,
                sev,
                format!("The heap left after each garbage collection grows {}/min; full in about {}", hr(t.slope * 60.0), duration(ttl)),
                "What the garbage collector cannot free keeps growing: something holds on to objects — typically keyed state that is never cleared (heap state backend), a growing cache or collection in a user function, or timers that are never deleted. A single high reading means nothing (the heap is a saw-tooth); this is the lower envelope, the level after collections, rising steadily. More heap only delays the OutOfMemoryError: bound the state (StateTtlConfig, clear() in onTimer) or move it to RocksDB, and check with a heap dump.",
                ev.clone(),
            );
            if ttl < th::OOM_WARNING_S {
                let sev = if ttl < th::OOM_CRITICAL_S { Severity::Critical } else { Severity::Warning };
                out.found(
                    Kind::OomRisk,
                    sev,
                    format!("Java heap space: at the current trend the heap is exhausted in about {}", duration(ttl)),
                    "Forecast from the trend of the heap after garbage collection: when it reaches the maximum heap (-Xmx = framework heap + task heap), the JVM throws java.lang.OutOfMemoryError: Java heap space and the TaskManager fails.",
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
        ev.facts.push(format!("metaspace used {} of {} ({})", hr(last), hr(cap), pct(last / cap)));
        if last >= th::NEAR_LIMIT * cap {
            out.found(
                Kind::OomRisk,
                Severity::Critical,
                format!("Metaspace is at {} of its limit", pct(last / cap)),
                "Metaspace holds class metadata. At -XX:MaxMetaspaceSize the JVM throws java.lang.OutOfMemoryError: Metaspace. In a session cluster every job submission loads its classes again; if an old job's class loader is still referenced (a thread, a static cache, a JDBC driver), its classes are never unloaded.",
                ev.clone(),
            );
        }
        if let Some(t) = trend.filter(|t| t.slope * span(&meta) >= th::METASPACE_MIN_GROWTH * cap) {
            let jobs = submissions(p.snaps);
            let t_end = meta.last().map_or(0.0, |x| x.1 .0);
            let ttl = t.time_to(t_end, cap).unwrap_or(f64::INFINITY);
            ev.facts.push(format!("grows {}/min (Kendall τ = {:.2})", hr(t.slope * 60.0), t.tau));
            ev.facts.push(format!("{jobs} job submission(s) during the data"));
            ev.facts.push(format!("at this rate the limit is reached in {}", duration(ttl)));
            out.found(
                Kind::MetaspaceGrowth,
                if ttl < th::OOM_CRITICAL_S { Severity::Critical } else { Severity::Warning },
                format!("Metaspace grows {}/min across {jobs} job submission(s)", hr(t.slope * 60.0)),
                "Metaspace should level off once a job's classes are loaded. Growth that follows job submissions is the classic class-loader leak of session clusters: each submission loads the job's classes in a new class loader, and something keeps the old one alive. Look for threads the job starts and never stops, static caches and shaded libraries registering themselves globally; or run jobs in application mode. Raising the metaspace only delays the OutOfMemoryError: Metaspace.",
                ev.clone(),
            );
            if ttl < th::OOM_WARNING_S && last < th::NEAR_LIMIT * cap {
                out.found(
                    Kind::OomRisk,
                    if ttl < th::OOM_CRITICAL_S { Severity::Critical } else { Severity::Warning },
                    format!("Metaspace: at the current trend the limit is reached in about {}", duration(ttl)),
                    "Forecast from the metaspace trend: at -XX:MaxMetaspaceSize the JVM throws java.lang.OutOfMemoryError: Metaspace.",
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
                format!(
                    "median {median:.0} ms of GC per second ({} of the time; threshold {})",
                    pct(median / 1000.0),
                    pct(th::GC_WARNING_MS_PER_S / 1000.0)
                ),
                format!(
                    "{old_per_min:.1} old-generation collections per minute (threshold {})",
                    th::OLD_GC_PER_MIN
                ),
            ];
            out.found(
                Kind::GcPressure,
                if median >= th::GC_CRITICAL_MS_PER_S { Severity::Critical } else { Severity::Warning },
                format!("The JVM spends {} of its time in garbage collection", pct(median / 1000.0)),
                "Time in GC is time not spent processing: throughput drops, latency and checkpoint durations rise, and heartbeats can time out. The heap is too small for the live data and allocation rate (or it leaks — see the heap trend).",
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
            ev.facts.push(format!(
                "direct memory used {} of {}, growing {}/min (Kendall τ = {:.2})",
                hr(last),
                hr(direct_max),
                hr(t.slope * 60.0),
                t.tau
            ));
            ev.facts.push(format!("at this rate the limit is reached in {}", duration(ttl)));
            out.found(
                Kind::OomRisk,
                if ttl < th::OOM_CRITICAL_S { Severity::Critical } else { Severity::Warning },
                format!("Direct memory: at the current trend -XX:MaxDirectMemorySize is reached in about {}", duration(ttl)),
                "Forecast from the trend of direct (off-heap) buffer use. At the limit the JVM throws java.lang.OutOfMemoryError: Direct buffer memory. Direct buffers are freed only when their Java objects are collected: steady growth means buffers are kept (a connector's pool, a cache) or leaked.",
                ev,
            );
        }
        if last >= th::NEAR_LIMIT * direct_max {
            let mut ev = evidence(DIRECT, &direct, Vec::new(), None, Some(direct_max));
            ev.facts.push(format!(
                "direct memory used {} of {} ({})",
                hr(last),
                hr(direct_max),
                pct(last / direct_max)
            ));
            out.found(
                Kind::OomRisk,
                Severity::Critical,
                format!("Direct memory is at {} of -XX:MaxDirectMemorySize", pct(last / direct_max)),
                "Direct (off-heap) buffers are limited to framework off-heap + task off-heap + network memory. Beyond it the JVM throws java.lang.OutOfMemoryError: Direct buffer memory — usually a connector or library allocating direct buffers (Netty, Kafka clients, compression) that task off-heap memory does not account for.",
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
            ev.facts.push(format!(
                "{full} of {} readings at ≥ {} of the {total:.0} segments",
                used.len(),
                pct(th::NETWORK_FULL)
            ));
            out.found(
                Kind::NetworkExhausted,
                Severity::Warning,
                format!("Network buffers are exhausted in {} of the readings", pct(full as f64 / used.len() as f64)),
                "Every network buffer is in use: tasks wait for buffers (back-pressure), and a new or rescaled job fails with \"Insufficient number of network buffers\". Each channel takes exclusive buffers (2 per channel in Flink 2.x) plus floating buffers per gate (8).",
                ev,
            );
        } else if span(&used) < th::MIN_SPAN_S {
            out.pending(Kind::NetworkIdle, &used);
        } else if peak < th::NETWORK_IDLE * total && (mem.network_memory as f64) > th::NETWORK_FLOOR as f64 {
            let mut ev = evidence(NET_USED, &used, Vec::new(), None, Some(total));
            ev.facts.push(format!(
                "peak {peak:.0} of {total:.0} segments ({}) = {} of {}",
                pct(peak / total),
                hr(peak * seg),
                hr(total * seg)
            ));
            out.found(
                Kind::NetworkIdle,
                Severity::Info,
                format!("At most {} of network memory was used while a job ran", pct(peak / total)),
                "Network memory is reserved up front for shuffle buffers. Most of it stayed idle for this job graph: those bytes could serve the task heap. Keep headroom for rescaling (more channels need more buffers).",
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
            ev.facts.push(format!(
                "peak {} of {} ({}), median {}",
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
                    format!("{} of managed memory ({} of Flink memory) is reserved and unused", hr(cap), pct(cap / total_flink)),
                    "Managed memory is used by RocksDB, batch operators (sorting, hash joins, spilling) and Python UDFs. A streaming job on the heap state backend (HashMapStateBackend) uses none of it: Flink's default fraction 0.4 then leaves 40 % of Flink memory idle while state lives on the heap.",
                    ev,
                );
            } else if median >= th::MANAGED_FULL * cap {
                out.found(
                    Kind::ManagedFull,
                    Severity::Info,
                    format!("Managed memory is {} used", pct(median / cap)),
                    "RocksDB reserves its whole share of managed memory for its block cache and write buffers when the job starts, so full is expected and not a leak. For batch jobs, full managed memory means sorting and joins spill to disk: more managed memory makes them faster.",
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
        ev.facts.push(format!(
            "native memory estimate peaks at {} of {} JVM overhead ({})",
            hr(peak),
            hr(overhead),
            pct(peak / overhead)
        ));
        out.found(
            Kind::OverheadSmall,
            Severity::Warning,
            format!("JVM overhead ({}) barely covers the JVM's native memory ({})", hr(overhead), hr(peak)),
            "JVM overhead is the part of the process Flink leaves for what the JVM itself uses outside heap, metaspace and direct buffers: thread stacks, code cache, GC structures, native libraries. When native use outgrows it, the process exceeds its container and is killed by the OS (exit code 137) without a Java error.",
            ev,
        );
    }
    if let Some(limit) = opts.container_limit {
        let process = mem.total_process_memory;
        if process > limit {
            let mut ev = evidence(HEAP, &Vec::new(), Vec::new(), None, None);
            ev.facts.push(format!(
                "process size {} > container limit {}",
                hr(process as f64),
                hr(limit as f64)
            ));
            out.found(
                Kind::ContainerHeadroom,
                Severity::Critical,
                format!("The TaskManager may grow to {}, its container allows {}", hr(process as f64), hr(limit as f64)),
                "taskmanager.memory.process.size is everything the JVM may use. If the container's limit is smaller, the OS kills the TaskManager when it gets there (OOMKilled, exit code 137), typically under load. Set process.size to the container's limit.",
                ev,
            );
        }
    }
}

/// Attaches recommendations to one TaskManager's findings.
fn recommend(p: &Proc, cluster: Option<&FlinkConfig>, opts: &Options, findings: &mut [Finding]) {
    let Some(mem) = p.memory() else { return };
    let Some(base) = recommend::base(cluster, &mem) else {
        for f in findings.iter_mut() {
            f.no_recommendation = Some("memlab's calculator does not reproduce this TaskManager's sizes, so it cannot propose a verified change.".into());
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
        managed_down(&base, peak)
    });
    let network_idle = kinds.contains(&Kind::NetworkIdle).then(|| {
        let f = findings.iter().find(|f| f.kind == Kind::NetworkIdle);
        let peak_segments = f.map_or(0.0, |f| stats::max_value(&f.evidence.series));
        let total = f.and_then(|f| f.evidence.limit).unwrap_or(1.0);
        network_down(&base, peak_segments * m.network.bytes as f64 / total)
    });
    let spare = |r: &Option<Result<recommend::Recommendation, String>>, c: Component| {
        r.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, |r| c.bytes(m).saturating_sub(c.bytes(&r.after)))
    };
    let donors = [
        (Component::Managed, spare(&managed_idle, Component::Managed)),
        (Component::Network, spare(&network_idle, Component::Network)),
    ];
    let donated: u64 = donors.iter().map(|d| d.1).sum();
    let from = |donors: &[(Component, u64)]| {
        let names: Vec<&str> = donors.iter().filter(|d| d.1 > 0).map(|d| d.0.label()).collect();
        if names.is_empty() {
            String::new()
        } else {
            format!(" from idle {}", names.join(" and "))
        }
    };
    for f in findings.iter_mut() {
        let peak = stats::max_value(&f.evidence.series);
        let r = match f.kind {
            Kind::ManagedIdle => managed_idle.clone(),
            Kind::NetworkIdle => network_idle.clone(),
            Kind::OomRisk if f.evidence.metric == HEAP => {
                f.no_recommendation = Some("See the heap-leak finding: the forecast follows from it.".into());
                None
            }
            Kind::HeapLeak => {
                let freed: Vec<&recommend::Recommendation> = [&managed_idle, &network_idle]
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_ref().ok())
                    .collect();
                if freed.is_empty() {
                    f.no_recommendation = Some("A leak is fixed in code. No component here is over-provisioned, so any extra heap would have to come from a bigger process — and would only delay the failure.".into());
                    None
                } else {
                    Some(recommend::combine(
                        &base,
                        format!(
                            "Stopgap, not a fix: give the task heap {}{} — the leak still fills it, later",
                            human(donated),
                            from(&donors)
                        ),
                        &freed,
                    ))
                }
            }
            Kind::GcPressure => {
                let add = recommend::round_up((m.jvm_heap() as f64 * th::GC_HEAP_GROWTH) as u64);
                Some(recommend::plan(
                    &base,
                    format!("Give the task heap {} more{}", human(add), from(&donors)),
                    Component::TaskHeap,
                    add,
                    &donors,
                ))
            }
            Kind::MetaspaceGrowth | Kind::OomRisk if f.evidence.metric == METASPACE => {
                let target = recommend::round_up((peak * th::METASPACE_HEADROOM) as u64)
                    .max(m.jvm_metaspace.bytes + (m.jvm_metaspace.bytes / 4));
                let add = recommend::round_up(target - m.jvm_metaspace.bytes);
                Some(recommend::plan(
                    &base,
                    format!("Raise the metaspace by {}{}", human(add), from(&donors)),
                    Component::Metaspace,
                    add,
                    &donors,
                ))
            }
            Kind::OomRisk if f.evidence.metric == DIRECT => {
                let add =
                    recommend::round_up(((peak * 1.25) as u64).saturating_sub(m.jvm_direct()).max(64 << 20));
                Some(recommend::plan(
                    &base,
                    format!(
                        "Give task off-heap {} more (it raises MaxDirectMemorySize){}",
                        human(add),
                        from(&donors)
                    ),
                    Component::TaskOffHeap,
                    add,
                    &donors,
                ))
            }
            Kind::NetworkExhausted => {
                let add = recommend::round_up(m.network.bytes / 2);
                let d = [donors[0]];
                Some(recommend::plan(
                    &base,
                    format!("Give network memory {} more{}", human(add), from(&d)),
                    Component::Network,
                    add,
                    &d,
                ))
            }
            Kind::OverheadSmall => {
                let add = recommend::round_up(
                    ((peak / th::OVERHEAD_FILL) as u64).saturating_sub(m.jvm_overhead.bytes),
                );
                Some(recommend::plan(
                    &base,
                    format!("Raise JVM overhead by {}{}", human(add), from(&donors)),
                    Component::Overhead,
                    add,
                    &donors,
                ))
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
                    format!(
                        "Set the process size to the container's limit, {}{}",
                        human(limit),
                        if idle.is_some() { ", and lower the idle managed memory" } else { "" }
                    ),
                    &[&wanted],
                )
            }),
            _ => None,
        };
        match r {
            Some(Ok(r)) => f.recommendation = Some(r),
            Some(Err(e)) => f.no_recommendation = Some(e),
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
fn managed_down(base: &Base, peak: f64) -> Result<recommend::Recommendation, String> {
    let m = &base.memory;
    let keep = (m.total_flink() as f64 * th::MANAGED_KEEP_FRACTION) as u64;
    let summary = |after: u64| {
        format!(
            "Lower managed memory from {} to {} and give the {} to the task heap",
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
        return Err("nothing to gain".into());
    }
    let give = m.managed.bytes - keep;
    let r = recommend::plan(base, String::new(), Component::TaskHeap, give, &[(Component::Managed, give)])?;
    Ok(recommend::Recommendation { summary: summary(r.after.managed.bytes), ..r })
}

/// Lowers idle network memory to [`th::NETWORK_KEEP_PEAK`] times its peak (at least
/// [`th::NETWORK_FLOOR`]).
fn network_down(base: &Base, peak_bytes: f64) -> Result<recommend::Recommendation, String> {
    let m = &base.memory;
    let keep = recommend::round_up(((peak_bytes * th::NETWORK_KEEP_PEAK) as u64).max(th::NETWORK_FLOOR));
    if keep >= m.network.bytes {
        return Err(format!("network memory is already at the floor memlab keeps ({})", human(keep)));
    }
    let give = m.network.bytes - keep;
    recommend::plan(
        base,
        format!(
            "Lower network memory from {} to {} and give the {} to the task heap",
            human(m.network.bytes),
            human(keep),
            human(give)
        ),
        Component::TaskHeap,
        give,
        &[(Component::Network, give)],
    )
}
