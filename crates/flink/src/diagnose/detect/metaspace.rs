//! Metaspace: near `MaxMetaspaceSize`, or growing across job submissions (class loaders kept alive).

use memlab_text::tr;

use super::super::thresholds as th;
use super::super::{Kind, Severity};
use super::common::*;

pub(super) fn detect(p: &Proc, out: &mut Out) {
    let lang = out.lang;
    let dur = |s: f64| duration_in(lang, s);
    let mem = p.memory();
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
}
