//! What the Flink Kubernetes Operator's memory autotuning would set, implemented from its
//! source: `flink-autoscaler/src/main/java/org/apache/flink/autoscaler/tuning/`
//! (`MemoryTuning`, `MemoryBudget`, `MemoryScaling`) of apache/flink-kubernetes-operator
//! **release-1.15.0** (the tuning code is the same on its main branch, December 2026).
//! Its own `MemoryTuningTest` figures are reproduced in this module's tests.
//!
//! In outline, from averaged TaskManager metrics: the budget is the spec's process size
//! less framework off-heap, task off-heap and JVM overhead; network memory comes from the
//! job graph times the slots; then metaspace and heap take average used × (1 + overhead);
//! managed memory is 0 when unused, all that is left with `maximize-managed-memory`, else
//! what was configured (as far as the budget goes). The process shrinks to what was handed
//! out, never grows past the spec.

use memlab_size::MemorySize;

use crate::config::FlinkConfig;
use crate::error::FlinkError;
use crate::jobgraph::JobGraph;
use crate::options::tm as o;
use crate::read;
use crate::taskmanager;

/// `taskmanager.network.memory.buffers-per-channel` (Flink's default 2).
pub const BUFFERS_PER_CHANNEL: &str = "taskmanager.network.memory.buffers-per-channel";
/// `taskmanager.network.memory.floating-buffers-per-gate` (Flink's default 8).
pub const FLOATING_BUFFERS: &str = "taskmanager.network.memory.floating-buffers-per-gate";
/// `job.autoscaler.memory.tuning.overhead`'s default.
pub const DEFAULT_OVERHEAD: f64 = 0.2;

/// What the operator reads.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    /// The TaskManager's configuration as the user wrote it (no earlier tuning applied).
    pub config: &'a FlinkConfig,
    /// The spec's TaskManager memory (`spec.taskManager.resource.memory`), bytes.
    pub process_size: u64,
    /// Averages over the metric window, bytes: `HEAP_MEMORY_USED`, `MANAGED_MEMORY_USED`,
    /// `METASPACE_MEMORY_USED`.
    pub heap_used: f64,
    pub managed_used: f64,
    pub metaspace_used: f64,
    /// The job's graph at the parallelism it will run with.
    pub graph: &'a JobGraph,
    /// Network bytes to use instead of the graph's count (memlab's comparison when the
    /// data has no graph: the operator cannot run without one).
    pub network: Option<u64>,
    /// `job.autoscaler.memory.tuning.overhead` (default [`DEFAULT_OVERHEAD`]).
    pub overhead: f64,
    /// `job.autoscaler.memory.tuning.maximize-managed-memory`.
    pub maximize_managed: bool,
    /// `job.autoscaler.memory.scaling.enabled`, with the slots used before and after the
    /// rescale (`NUM_TASK_SLOTS_USED`, `estimateNumTaskSlotsAfterRescale`).
    pub scaling: Option<(u32, u32)>,
}

/// What it emits: options to set (in the order it sets them) and options to remove.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConfigChanges {
    pub overrides: Vec<(String, String)>,
    pub removals: Vec<String>,
}

impl ConfigChanges {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.overrides.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// `config` with the changes applied (removals first, as the operator applies them).
    pub fn apply(&self, config: &FlinkConfig) -> FlinkConfig {
        let mut c = config.clone();
        for k in &self.removals {
            c.remove(k);
        }
        for (k, v) in &self.overrides {
            c.set(k, v);
        }
        c
    }
}

/// Why the operator emits nothing (it logs a warning and leaves the configuration alone).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Skipped {
    #[error("the current memory configuration is not valid: {0}")]
    InvalidConfig(FlinkError),
    #[error("the spec's TaskManager memory size could not be determined")]
    NoProcessSize,
    #[error("the total memory would be {0} bytes")]
    InvalidTotal(i64),
}

/// `MemoryBudget`: hands out bytes until none are left.
struct Budget {
    remaining: u64,
}

impl Budget {
    fn budget(&mut self, amount: u64) -> u64 {
        let b = amount.min(self.remaining);
        self.remaining -= b;
        b
    }
}

/// `MemoryTuning.tuneTaskManagerMemory`.
pub fn tune(input: &Input) -> Result<ConfigChanges, Skipped> {
    let c = input.config;
    let spec = taskmanager::derive(c).map_err(Skipped::InvalidConfig)?;
    if input.process_size == 0 {
        return Err(Skipped::NoProcessSize);
    }
    let mut budget = Budget { remaining: input.process_size };
    budget.budget(spec.framework_off_heap.bytes);
    budget.budget(spec.task_off_heap.bytes);
    budget.budget(spec.jvm_overhead.bytes);

    let wanted = match input.network {
        Some(b) => b,
        None => network_bytes(c, input.graph).map_err(Skipped::InvalidConfig)?,
    };
    let network = budget.budget(wanted);
    let factor = 1.0 + input.overhead;
    // `getUsage` reads the average as whole bytes first.
    let metaspace = budget.budget((input.metaspace_used.trunc() * factor) as u64);
    let mut heap = budget.budget((input.heap_used.trunc() * factor) as u64);
    let managed = if input.managed_used <= 0.0 {
        0
    } else if input.maximize_managed {
        budget.budget(u64::MAX)
    } else {
        budget.budget(spec.managed.bytes)
    };
    if let Some((before, after)) = input.scaling {
        heap += budget.budget(((scaling_factor(c, before, after) * heap as f64) as u64).saturating_sub(heap));
    }

    let diff = heap as i64 - spec.jvm_heap() as i64 + managed as i64 - spec.managed.bytes as i64
        + network as i64
        - spec.network.bytes as i64;
    let total = input.process_size as i64 - budget.remaining as i64;
    if total <= 0 {
        return Err(Skipped::InvalidTotal(total));
    }
    let flink = spec.total_flink() as i64 + diff;
    let size = |b: u64| MemorySize::new(b).to_string();
    let mut out = ConfigChanges::default();
    out.overrides.push((o::TOTAL_PROCESS.key.into(), size(total as u64)));
    out.removals.push(o::TOTAL_FLINK.key.into());
    out.removals.push(o::TASK_HEAP.key.into());
    out.overrides.push((o::FRAMEWORK_HEAP.key.into(), size(0)));
    out.overrides.push((o::MANAGED_FRACTION.key.into(), fraction(managed as f64 / flink as f64)));
    out.removals.push(o::MANAGED_SIZE.key.into());
    out.removals.extend(o::MANAGED_SIZE.fallbacks.iter().map(|k| (*k).to_owned()));
    out.overrides.push((o::NETWORK_MIN.key.into(), size(network)));
    out.overrides.push((o::NETWORK_MAX.key.into(), size(network)));
    out.overrides
        .push((o::OVERHEAD_FRACTION.key.into(), fraction(spec.jvm_overhead.bytes as f64 / total as f64)));
    out.overrides.push((o::METASPACE.key.into(), size(metaspace)));
    Ok(out)
}

/// `adjustNetworkMemory` before the budget: the graph's segments per slot, times the
/// segment size and the slots.
pub fn network_bytes(c: &FlinkConfig, graph: &JobGraph) -> Result<u64, FlinkError> {
    let segment = read::memory(c, &o::SEGMENT_SIZE)?.bytes();
    let per_slot = graph.segments_per_slot(int(c, BUFFERS_PER_CHANNEL, 2), int(c, FLOATING_BUFFERS, 8));
    Ok(per_slot * segment * u64::from(slots(c)))
}

/// `taskmanager.numberOfTaskSlots` (1 when unset or unreadable).
pub fn slots(c: &FlinkConfig) -> u32 {
    int(c, o::SLOTS.key, 1).max(1)
}

fn int(c: &FlinkConfig, key: &str, default: u32) -> u32 {
    c.get(key).and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// `MemoryScaling.getMemoryScalingFactor`: the TaskManagers before over after, never below 1.
fn scaling_factor(c: &FlinkConfig, slots_before: u32, slots_after: u32) -> f64 {
    let per_tm = f64::from(slots(c));
    let before = (f64::from(slots_before) / per_tm).ceil();
    let after = (f64::from(slots_after) / per_tm).ceil();
    if after <= 0.0 {
        return 1.0;
    }
    (before / after).max(1.0)
}

/// `getFraction`: rounded up to three decimals (`BigDecimal.valueOf(x).setScale(3,
/// CEILING).floatValue()`), written as Java's `Float.toString`.
pub fn fraction(x: f64) -> String {
    let f = ceil3(x) as f32;
    let s = format!("{f}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// `x` rounded up at the third decimal of its shortest decimal form (as `BigDecimal.valueOf`
/// reads a double), so 0.654 stays 0.654 and 0.0002 becomes 0.001.
fn ceil3(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 0.0;
    }
    let s = format!("{x}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let kept: String = frac.chars().chain(std::iter::repeat('0')).take(3).collect();
    let mut thousandths: u64 = format!("{int}{kept}").parse().unwrap_or(0);
    if frac.len() > 3 && frac[3..].chars().any(|c| c != '0') {
        thousandths += 1;
    }
    thousandths as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobgraph::{Ship, Vertex};

    const MIB: f64 = (1u64 << 20) as f64;

    /// `MemoryTuningTest.testMemoryTuning`'s setting: 30 GB process, 5 slots, a source of
    /// parallelism 25 (after the scaling decision) rebalanced into a vertex of 10.
    fn setting() -> (FlinkConfig, JobGraph) {
        let mut c = FlinkConfig::new();
        c.set(o::TOTAL_PROCESS.key, "30 gb");
        c.set(o::SLOTS.key, "5");
        let g = JobGraph {
            vertices: vec![
                Vertex { id: "1".into(), name: String::new(), parallelism: 25, inputs: vec![] },
                Vertex {
                    id: "2".into(),
                    name: String::new(),
                    parallelism: 10,
                    inputs: vec![("1".into(), Ship::Rebalance)],
                },
            ],
        };
        (c, g)
    }

    fn input<'a>(c: &'a FlinkConfig, g: &'a JobGraph) -> Input<'a> {
        Input {
            config: c,
            process_size: 30 << 30,
            heap_used: 5096.0 * MIB,
            managed_used: 10000.0 * MIB,
            metaspace_used: 100.0 * MIB,
            graph: g,
            network: None,
            overhead: DEFAULT_OVERHEAD,
            maximize_managed: false,
            scaling: None,
        }
    }

    fn overrides(c: &ConfigChanges) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = c.overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        v.sort();
        v
    }

    fn expect(pairs: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v = pairs.to_vec();
        v.sort();
        v
    }

    fn expected(
        managed: &'static str,
        overhead: &'static str,
        meta: &'static str,
        total: &'static str,
    ) -> Vec<(&'static str, &'static str)> {
        expect(&[
            ("taskmanager.memory.managed.fraction", managed),
            ("taskmanager.memory.network.min", "13760 kb"),
            ("taskmanager.memory.network.max", "13760 kb"),
            ("taskmanager.memory.jvm-metaspace.size", meta),
            ("taskmanager.memory.jvm-overhead.fraction", overhead),
            ("taskmanager.memory.framework.heap.size", "0 bytes"),
            ("taskmanager.memory.process.size", total),
        ])
    }

    #[test]
    fn reproduces_the_operators_own_test() {
        let (c, g) = setting();
        // Reducing overall memory.
        let out = tune(&input(&c, &g)).unwrap();
        assert_eq!(overrides(&out), expected("0.654", "0.054", "120 mb", "20108162027 bytes"));
        let mut removals = out.removals.clone();
        removals.sort();
        assert_eq!(
            removals,
            [
                "taskmanager.memory.flink.size",
                "taskmanager.memory.managed.size",
                "taskmanager.memory.size",
                "taskmanager.memory.task.heap.size"
            ]
        );
        // Maximize managed memory.
        let out = tune(&Input { maximize_managed: true, ..input(&c, &g) }).unwrap();
        assert_eq!(overrides(&out), expected("0.789", "0.034", "120 mb", "30 gb"));
        // Managed memory unused.
        let unused = Input { managed_used: 0.0, ..input(&c, &g) };
        let out = tune(&unused).unwrap();
        assert_eq!(overrides(&out), expected("0.0", "0.139", "120 mb", "7760130867 bytes"));
        // With memory scaling: 50 slots used, 25 after the rescale (slot sharing).
        let out = tune(&Input { scaling: Some((50, 25)), ..unused }).unwrap();
        assert_eq!(overrides(&out), expected("0.0", "0.076", "120 mb", "14172382822 bytes"));
        // Usage so high it could take all the memory: metaspace is served first.
        let out = tune(&Input {
            heap_used: 30812254720.0,
            metaspace_used: 268435456.0,
            scaling: Some((50, 25)),
            ..input(&c, &g)
        })
        .unwrap();
        assert_eq!(overrides(&out), expected("0.0", "0.034", "322122547 bytes", "30 gb"));
    }

    #[test]
    fn its_output_derives_and_an_invalid_spec_is_left_alone() {
        let (c, g) = setting();
        let out = tune(&input(&c, &g)).unwrap();
        let tuned = taskmanager::derive(&out.apply(&c)).unwrap();
        assert_eq!(tuned.total_process(), 20108162027);
        assert_eq!(tuned.network.bytes, 13760 << 10);
        let mut bad = c.clone();
        bad.set(o::TASK_HEAP.key, "40 gb");
        assert!(matches!(tune(&input(&bad, &g)), Err(Skipped::InvalidConfig(_))));
        assert_eq!(tune(&Input { process_size: 0, ..input(&c, &g) }), Err(Skipped::NoProcessSize));
    }

    #[test]
    fn fractions_round_up_on_their_decimal_form() {
        assert_eq!(fraction(0.654), "0.654");
        assert_eq!(fraction(0.0002), "0.001");
        assert_eq!(fraction(0.0), "0.0");
        assert_eq!(fraction(1.0 / 30.0), "0.034");
    }
}
