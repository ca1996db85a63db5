//! The advice for one process's findings, decided once all of them are in: idle memory is
//! where the bytes for a fix come from.

use super::super::postmortem::{Basis, Cause};
use super::super::recommend::{self, Base, Component};
use super::super::stats;
use super::super::thresholds as th;
use super::super::{Advice, Finding, Kind, NoAdvice, Options, Text};
use super::common::*;
use crate::config::FlinkConfig;
use crate::options::tm as o;
/// "No configuration change helps here."
pub(super) fn no_change_helps() -> NoAdvice {
    NoAdvice::Because(Text::NoChangeHelps)
}

/// Whether a finding's advice is still undecided (the placeholder `found` gives it).
fn undecided(f: &Finding) -> bool {
    matches!(&f.advice, Advice::None(NoAdvice::Because(Text::Empty)))
}

/// Attaches recommendations to one TaskManager's findings.
pub(super) fn recommend(
    p: &dyn Readings,
    cluster: Option<&FlinkConfig>,
    opts: &Options,
    findings: &mut [Finding],
) {
    let Some(mem) = p.memory() else {
        for f in findings.iter_mut() {
            f.advice = Advice::None(NoAdvice::Because(Text::NoMemoryConfig));
        }
        return;
    };
    let Some(base) = recommend::base(cluster, &mem) else {
        for f in findings.iter_mut() {
            f.advice = Advice::None(NoAdvice::Because(Text::NotReproduced));
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
            .map_or(0.0, |f| stats::max_value(&f.evidence.series).0);
        managed_down(&base, peak)
    });
    let network_idle = kinds.contains(&Kind::NetworkIdle).then(|| {
        let f = findings.iter().find(|f| f.kind == Kind::NetworkIdle);
        let peak_segments = f.map_or(0.0, |f| stats::max_value(&f.evidence.series).0);
        let total = f.and_then(|f| f.evidence.limit).unwrap_or(1.0);
        network_down(&base, peak_segments * m.network.bytes as f64 / total)
    });
    let spare = |r: &Option<Result<recommend::Recommendation, NoAdvice>>, c: Component| {
        r.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, |r| c.bytes(m).saturating_sub(c.bytes(&r.after)))
    };
    let donors = [
        (Component::Managed, spare(&managed_idle, Component::Managed)),
        (Component::Network, spare(&network_idle, Component::Network)),
    ];
    let donated: u64 = donors.iter().map(|d| d.1).sum();
    // The idle parts the bytes come from.
    let from = |donors: &[(Component, u64)]| -> Vec<Component> {
        donors.iter().filter(|d| d.1 > 0).map(|d| d.0).collect()
    };
    for f in findings.iter_mut() {
        let peak = stats::max_value(&f.evidence.series).0;
        let r = match f.kind {
            Kind::ManagedIdle => managed_idle.clone(),
            Kind::NetworkIdle => network_idle.clone(),
            Kind::OomRisk if f.evidence.metric == HEAP => {
                f.advice = Advice::None(NoAdvice::Because(Text::SeeHeapLeak));
                None
            }
            Kind::HeapLeak => {
                let freed: Vec<&recommend::Recommendation> = [&managed_idle, &network_idle]
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_ref().ok())
                    .collect();
                if freed.is_empty() {
                    f.advice = Advice::None(NoAdvice::Because(Text::LeakNoDonor));
                    None
                } else {
                    Some(
                        recommend::combine(
                            &base,
                            Text::StopgapHeap { add: donated, from: from(&donors) },
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
                        Text::GiveTaskHeap { add, from: from(&donors) },
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
                        Text::RaiseMetaspace { add, from: from(&donors) },
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
                        Text::GiveTaskOffHeap { add, from: from(&donors) },
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
                        Text::GiveNetwork { add, from: from(&d) },
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
                        Text::RaiseOverhead { add, from: from(&donors) },
                        Component::Overhead,
                        add,
                        &donors,
                    )
                    .map_err(NoAdvice::from),
                )
            }
            Kind::TaskManagerLost => {
                let cause = f.postmortem.as_ref().map_or(Cause::Unknown, |pm| pm.cause);
                let line = f.postmortem.as_ref().and_then(|pm| match &pm.basis {
                    Basis::Quoted { line } => Some(line.clone()),
                    Basis::Inferred { .. } => None,
                });
                Some(for_cause(cause, p, &base, &donors, opts, line.as_deref()))
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
                    Text::ProcessToLimit { limit, and_managed: idle.is_some() },
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
                f.advice = Advice::None(NoAdvice::Because(Text::ManagedFullIsFine))
            }
            None if undecided(f) => f.advice = Advice::None(no_change_helps()),
            None => {}
        }
    }
}

/// The change that addresses a post-mortem cause on TaskManager `p` (bytes from `donors`
/// first); `line` is the exception that names it, if one does.
pub(super) fn for_cause(
    cause: Cause,
    p: &dyn Readings,
    base: &Base,
    donors: &[(Component, u64)],
    opts: &Options,
    line: Option<&str>,
) -> Result<recommend::Recommendation, NoAdvice> {
    let m = &base.memory;
    let from = |donors: &[(Component, u64)]| -> Vec<Component> {
        donors.iter().filter(|d| d.1 > 0).map(|d| d.0).collect()
    };
    let peak = |metric: &str| stats::max_value(&pts(&p.series(metric, false))).0;
    let plan = |summary: Text, to: Component, add: u64| {
        recommend::plan(base, summary, to, add, donors).map_err(NoAdvice::from)
    };
    match cause {
        Cause::HeapSpace => {
            let add = recommend::round_up((m.jvm_heap() as f64 * th::OOM_HEAP_GROWTH) as u64);
            plan(Text::GiveTaskHeap { add, from: from(donors) }, Component::TaskHeap, add)
        }
        Cause::Metaspace => {
            let peak = peak(METASPACE);
            let target =
                recommend::round_up((peak.max(m.jvm_metaspace.bytes as f64) * th::METASPACE_HEADROOM) as u64);
            let add = recommend::round_up(
                target.saturating_sub(m.jvm_metaspace.bytes).max(m.jvm_metaspace.bytes / 2),
            );
            plan(Text::RaiseMetaspace { add, from: from(donors) }, Component::Metaspace, add)
        }
        Cause::DirectBuffer | Cause::NetworkSegments => {
            let used = peak(DIRECT);
            let add = recommend::round_up(((used * 0.25) as u64).max(64 << 20));
            plan(Text::GiveTaskOffHeap { add, from: from(donors) }, Component::TaskOffHeap, add)
        }
        Cause::NetworkBuffers => {
            // What the task asked for beyond what the pool had, twice over (other tasks
            // start too), or half the network memory again, whichever is more.
            let short = line.and_then(super::super::postmortem::network_buffer_numbers);
            let missing = short.map_or(0, |s| s.required.saturating_sub(s.available) * s.segment * 2);
            let add = recommend::round_up(missing.max(m.network.bytes / 2));
            let d: Vec<(Component, u64)> =
                donors.iter().filter(|d| d.0 != Component::Network).copied().collect();
            recommend::plan(base, Text::GiveNetwork { add, from: from(&d) }, Component::Network, add, &d)
                .map_err(NoAdvice::from)
        }
        Cause::KilledFromOutside => {
            if let Some(limit) = opts.container_limit.filter(|l| m.total_process() > *l) {
                let wanted = recommend::Recommendation {
                    changes: vec![recommend::Change {
                        key: o::TOTAL_PROCESS.key.to_owned(),
                        from: None,
                        to: recommend::size_value(limit),
                    }],
                    ..empty(base)
                };
                return recommend::combine(
                    base,
                    Text::ProcessToLimit { limit, and_managed: false },
                    &[&wanted],
                )
                .map_err(NoAdvice::from);
            }
            let native = stats::max_value(&pts(&p.native_estimate())).0;
            if native.is_finite() && native >= th::OVERHEAD_SUSPECT * m.jvm_overhead.bytes as f64 {
                let add = recommend::round_up(
                    ((native / th::OVERHEAD_FILL) as u64)
                        .saturating_sub(m.jvm_overhead.bytes)
                        .max(m.jvm_overhead.bytes / 2),
                );
                return plan(Text::RaiseOverhead { add, from: from(donors) }, Component::Overhead, add);
            }
            Err(NoAdvice::Because(Text::KilledNoPressure))
        }
        Cause::TaskManagerLost => Err(NoAdvice::Because(Text::SeeTaskManagerLost)),
        Cause::NotMemory => Err(NoAdvice::Because(Text::NotMemory)),
        Cause::Unknown => Err(NoAdvice::Because(Text::CauseUnknown)),
    }
}

/// A recommendation that changes nothing (a carrier for changes to combine).
fn empty(base: &Base) -> recommend::Recommendation {
    recommend::Recommendation {
        summary: Text::Empty,
        changes: Vec::new(),
        before: base.memory.clone(),
        after: base.memory.clone(),
        process_delta: 0,
    }
}

/// Lowers idle managed memory to [`th::MANAGED_KEEP_FRACTION`] (or twice its peak use).
fn managed_down(base: &Base, peak: f64) -> Result<recommend::Recommendation, NoAdvice> {
    let m = &base.memory;
    let keep = (m.total_flink() as f64 * th::MANAGED_KEEP_FRACTION) as u64;
    let summary = |after: u64| Text::LowerManaged { from: m.managed.bytes, to: after };
    let uses_fraction = !crate::read::contains(&base.config, &o::MANAGED_SIZE) && base.from_cluster;
    if (peak * 2.0) as u64 <= keep && uses_fraction {
        let r = recommend::with_changes(
            base,
            Text::Empty,
            &[(&o::MANAGED_FRACTION, th::MANAGED_KEEP_FRACTION.to_string())],
        )?;
        return Ok(recommend::Recommendation { summary: summary(r.after.managed.bytes), ..r });
    }
    let keep = recommend::round_up(keep.max((peak * 2.0) as u64));
    if keep >= m.managed.bytes {
        return Err(NoAdvice::Because(Text::NothingToGain));
    }
    let give = m.managed.bytes - keep;
    let r = recommend::plan(base, Text::Empty, Component::TaskHeap, give, &[(Component::Managed, give)])?;
    Ok(recommend::Recommendation { summary: summary(r.after.managed.bytes), ..r })
}

/// Lowers idle network memory to [`th::NETWORK_KEEP_PEAK`] times its peak (at least
/// [`th::NETWORK_FLOOR`]).
fn network_down(base: &Base, peak_bytes: f64) -> Result<recommend::Recommendation, NoAdvice> {
    let m = &base.memory;
    let keep = recommend::round_up(((peak_bytes * th::NETWORK_KEEP_PEAK) as u64).max(th::NETWORK_FLOOR));
    if keep >= m.network.bytes {
        return Err(NoAdvice::Because(Text::NetworkAtFloor { keep }));
    }
    let give = m.network.bytes - keep;
    recommend::plan(
        base,
        Text::LowerNetwork { from: m.network.bytes, to: keep },
        Component::TaskHeap,
        give,
        &[(Component::Network, give)],
    )
    .map_err(NoAdvice::from)
}
