//! TaskManager memory, derived as Flink 2.x's `TaskExecutorProcessUtils` and
//! `TaskExecutorFlinkMemoryUtils` derive it: the same bytes, JVM arguments, dynamic
//! properties and error messages.

use memlab_size::MemorySize;
use serde::Serialize;

use crate::config::FlinkConfig;
use crate::error::FlinkError;
use crate::options::tm as o;
use crate::process::{self, add, sub, Case, Notes, Part, ProcessOptions, RangeFraction};
use crate::read::{self, java_double_string, Source};
use crate::version::{map_legacy_heap, FlinkVersion};

const PROCESS: ProcessOptions = ProcessOptions {
    required_fine_grained: &[o::TASK_HEAP, o::MANAGED_SIZE],
    total_flink: o::TOTAL_FLINK,
    total_process: o::TOTAL_PROCESS,
    metaspace: o::METASPACE,
    overhead_min: o::OVERHEAD_MIN,
    overhead_max: o::OVERHEAD_MAX,
    overhead_fraction: o::OVERHEAD_FRACTION,
};

/// A TaskManager's memory, as Flink's memory model draws it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskManagerMemory {
    pub framework_heap: Part,
    pub task_heap: Part,
    pub framework_off_heap: Part,
    pub task_off_heap: Part,
    pub network: Part,
    pub managed: Part,
    pub jvm_metaspace: Part,
    pub jvm_overhead: Part,
    pub case: Case,
    pub slots: u32,
    /// `taskmanager.cpu.cores` as Flink prints it (Java `double`).
    pub cpu_cores: String,
    /// INFO messages Flink logs while deriving (clamping and fraction mismatches).
    pub notes: Vec<String>,
}

impl TaskManagerMemory {
    pub fn total_flink(&self) -> u64 {
        [
            self.framework_heap,
            self.task_heap,
            self.framework_off_heap,
            self.task_off_heap,
            self.network,
            self.managed,
        ]
        .iter()
        .map(|p| p.bytes)
        .sum()
    }
    pub fn total_process(&self) -> u64 {
        self.total_flink() + self.jvm_metaspace.bytes + self.jvm_overhead.bytes
    }
    pub fn jvm_heap(&self) -> u64 {
        self.framework_heap.bytes + self.task_heap.bytes
    }
    pub fn jvm_direct(&self) -> u64 {
        self.framework_off_heap.bytes + self.task_off_heap.bytes + self.network.bytes
    }

    /// Flink's first result line: the JVM arguments.
    pub fn jvm_args(&self) -> String {
        format!(
            "-Xmx{h} -Xms{h} -XX:MaxDirectMemorySize={} -XX:MaxMetaspaceSize={}",
            self.jvm_direct(),
            self.jvm_metaspace.bytes,
            h = self.jvm_heap()
        )
    }

    /// Flink's second result line: `-D key=value` dynamic properties in Flink's order.
    pub fn dynamic_properties(&self) -> String {
        let b = |p: &Part| format!("{}b", p.bytes);
        let entries = vec![
            (o::CPU_CORES.key.to_owned(), self.cpu_cores.clone()),
            (o::FRAMEWORK_HEAP.key.to_owned(), b(&self.framework_heap)),
            (o::FRAMEWORK_OFF_HEAP.key.to_owned(), b(&self.framework_off_heap)),
            (o::TASK_HEAP.key.to_owned(), b(&self.task_heap)),
            (o::TASK_OFF_HEAP.key.to_owned(), b(&self.task_off_heap)),
            (o::NETWORK_MIN.key.to_owned(), b(&self.network)),
            (o::NETWORK_MAX.key.to_owned(), b(&self.network)),
            (o::MANAGED_SIZE.key.to_owned(), b(&self.managed)),
            (o::METASPACE.key.to_owned(), b(&self.jvm_metaspace)),
            (o::OVERHEAD_MIN.key.to_owned(), b(&self.jvm_overhead)),
            (o::OVERHEAD_MAX.key.to_owned(), b(&self.jvm_overhead)),
            (o::SLOTS.key.to_owned(), self.slots.to_string()),
            ("external-resources".to_owned(), "none".to_owned()),
        ];
        process::java_hashmap_order(entries)
            .into_iter()
            .map(|(k, v)| format!("-D {k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Managed memory per slot, as the MemoryManager of each slot gets it.
    pub fn managed_per_slot(&self) -> u64 {
        self.managed.bytes / u64::from(self.slots.max(1))
    }
}

fn part(c: &FlinkConfig, opt: &crate::options::Opt) -> Result<Part, FlinkError> {
    Ok(Part::new(read::memory(c, opt)?.bytes(), read::source(c, opt)))
}

fn hr(b: u64) -> String {
    MemorySize::new(b).to_human_readable_string()
}

fn network_range(c: &FlinkConfig) -> Result<RangeFraction, FlinkError> {
    let min = read::memory(c, &o::NETWORK_MIN)?.bytes();
    let max = read::memory(c, &o::NETWORK_MAX)?.bytes();
    process::range_fraction(c, min, max, &o::NETWORK_FRACTION)
}

/// Flink 1.x: `taskmanager.network.numberOfBuffers` × page size, used only when no network
/// memory option is set.
fn legacy_network(c: &FlinkConfig, v: FlinkVersion) -> Result<Option<u64>, FlinkError> {
    const KEY: &str = "taskmanager.network.numberOfBuffers";
    let any_new = [o::NETWORK_MIN, o::NETWORK_MAX, o::NETWORK_FRACTION].iter().any(|x| read::contains(c, x));
    let Some(n) = c.get(KEY).filter(|_| v == FlinkVersion::V1_20 && !any_new) else { return Ok(None) };
    let n: i32 = n.parse().map_err(|_| {
        FlinkError::argument(format!("Could not parse value '{n}' for key '{KEY}'."))
            .at(KEY)
            .caused_by(crate::error::NUMBER_FORMAT, crate::error::int_format_message(n))
    })?;
    let page = page_size(c)?;
    let bytes = i64::from(n) * page;
    if bytes < 0 {
        return Err(FlinkError::argument("bytes must be >= 0").at(KEY));
    }
    Ok(Some(bytes as u64))
}

/// `ConfigurationParserUtils.getPageSize`.
fn page_size(c: &FlinkConfig) -> Result<i64, FlinkError> {
    let key = o::SEGMENT_SIZE.key;
    let bytes = match c.get(key) {
        None => 32 << 10,
        Some(v) => MemorySize::parse(v)
            .map_err(|e| {
                FlinkError::argument(format!("Could not parse value '{v}' for key '{key}'."))
                    .at(key)
                    .caused_by(crate::error::size_exception(&e), e.to_string())
            })?
            .bytes(),
    };
    let page = i32::try_from(bytes).map_err(|_| {
        FlinkError::argument(format!("Cannot downcast long value {bytes} to integer.")).at(key)
    })?;
    if page < 4096 {
        return Err(FlinkError::config(format!(
            "Invalid configuration value for {key} : {page} - Minimum memory segment size is 4096"
        ))
        .at(key));
    }
    if !(page as u32).is_power_of_two() {
        return Err(FlinkError::config(format!(
            "Invalid configuration value for {key} : {page} - Memory segment size must be a power of 2."
        ))
        .at(key));
    }
    Ok(i64::from(page))
}

fn managed_absolute_or_fraction(c: &FlinkConfig, base: u64, notes: &mut Notes) -> Result<Part, FlinkError> {
    if read::contains(c, &o::MANAGED_SIZE) {
        part(c, &o::MANAGED_SIZE)
    } else {
        let r = process::range_fraction(c, 0, i64::MAX as u64, &o::MANAGED_FRACTION)?;
        process::with_fraction("managed memory", base, &r, notes)
    }
}

/// Network memory is the rest of a configured Total Flink Memory: check it against its range.
fn check_network_rest(
    c: &FlinkConfig,
    v: FlinkVersion,
    network: u64,
    total_flink: u64,
    notes: &mut Notes,
) -> Result<(), FlinkError> {
    // Flink's `new IllegalConfigurationException("If Total Flink, …", e)`.
    let inconsistent = |e: FlinkError| {
        e.wrapped(
            crate::error::ILLEGAL_CONFIGURATION,
            "If Total Flink, Task Heap and (or) Managed Memory sizes are explicitly configured then the Network Memory size is the rest of the Total Flink memory after subtracting all other configured types of memory, but the derived Network Memory is inconsistent with its configuration.",
        )
        .at(o::NETWORK_MIN.key)
        .at(o::NETWORK_MAX.key)
        .at(o::TOTAL_FLINK.key)
    };
    // Flink wraps only configuration exceptions from this check.
    let legacy = legacy_network(c, v).map_err(|e| {
        if e.exception == crate::error::ILLEGAL_CONFIGURATION {
            inconsistent(e)
        } else {
            e
        }
    })?;
    if let Some(legacy) = legacy {
        return if legacy == network {
            Ok(())
        } else {
            Err(inconsistent(FlinkError::config(format!(
                "Derived Network Memory size ({}) does not match configured Network Memory size ({}).",
                hr(network),
                hr(legacy)
            )))
            .at("taskmanager.network.numberOfBuffers"))
        };
    }
    let r = network_range(c)?;
    if network > r.max || network < r.min {
        return Err(inconsistent(FlinkError::config(format!(
            "Derived Network Memory size ({}) is not in configured Network Memory range [{}, {}].",
            hr(network),
            hr(r.min),
            hr(r.max)
        ))));
    }
    if read::contains(c, &o::NETWORK_FRACTION) && network != process::multiply(total_flink, r.fraction)? {
        notes.push(format!(
            "The derived Network Memory size ({}) does not match the configured Network Memory fraction ({}) from the configured Total Flink Memory size ({}). The derived Network Memory size will be used.",
            hr(network),
            java_double_string(r.fraction),
            hr(total_flink)
        ));
    }
    Ok(())
}

struct Flink {
    framework_heap: Part,
    task_heap: Part,
    framework_off_heap: Part,
    task_off_heap: Part,
    network: Part,
    managed: Part,
}

impl Flink {
    fn total(&self) -> Result<u64, FlinkError> {
        let mut t = 0;
        for p in [
            self.framework_heap,
            self.framework_off_heap,
            self.task_heap,
            self.task_off_heap,
            self.network,
            self.managed,
        ] {
            t = add(t, p.bytes)?;
        }
        Ok(t)
    }
}

fn exceed_with_task_heap(fh: Part, fo: Part, th: Part, to: Part, mg: Part, total: u64) -> FlinkError {
    FlinkError::config(format!(
        "Sum of configured Framework Heap Memory ({}), Framework Off-Heap Memory ({}), Task Heap Memory ({}), Task Off-Heap Memory ({}) and Managed Memory ({}) exceed configured Total Flink Memory ({}).",
        fh.hr(), fo.hr(), th.hr(), to.hr(), mg.hr(), hr(total)
    ))
    .at(o::TASK_HEAP.key)
    .at(o::MANAGED_SIZE.key)
    .at(o::TOTAL_FLINK.key)
}

/// Network memory as the rest of a configured Total Flink Memory after the other five
/// components `[framework heap, framework off-heap, task heap, task off-heap, managed]`.
fn network_as_rest(
    c: &FlinkConfig,
    v: FlinkVersion,
    others: [Part; 5],
    total: u64,
    notes: &mut Notes,
) -> Result<Part, FlinkError> {
    let mut rest = 0;
    for p in others {
        rest = add(rest, p.bytes)?;
    }
    let [fh, fo, th, to, mg] = others;
    if rest > total {
        return Err(exceed_with_task_heap(fh, fo, th, to, mg, total));
    }
    let network = sub(total, rest)?;
    check_network_rest(c, v, network, total, notes)?;
    Ok(Part::new(network, Source::Derived))
}

fn from_fine_grained(c: &FlinkConfig, v: FlinkVersion, notes: &mut Notes) -> Result<Flink, FlinkError> {
    let task_heap = part(c, &o::TASK_HEAP)?;
    let managed = part(c, &o::MANAGED_SIZE)?;
    let framework_heap = part(c, &o::FRAMEWORK_HEAP)?;
    let framework_off_heap = part(c, &o::FRAMEWORK_OFF_HEAP)?;
    let task_off_heap = part(c, &o::TASK_OFF_HEAP)?;
    let mut rest = 0;
    for p in [framework_heap, framework_off_heap, task_heap, task_off_heap, managed] {
        rest = add(rest, p.bytes)?;
    }
    let network = if read::contains(c, &o::TOTAL_FLINK) {
        let total = read::memory(c, &o::TOTAL_FLINK)?.bytes();
        network_as_rest(
            c,
            v,
            [framework_heap, framework_off_heap, task_heap, task_off_heap, managed],
            total,
            notes,
        )?
    } else if let Some(legacy) = legacy_network(c, v)? {
        Part::new(legacy, Source::Configured)
    } else {
        process::with_inverse_fraction("network memory", rest, &network_range(c)?, notes)?
    };
    let f = Flink { framework_heap, task_heap, framework_off_heap, task_off_heap, network, managed };
    check_total_flink(c, &f)?;
    Ok(f)
}

fn from_total_flink(
    c: &FlinkConfig,
    v: FlinkVersion,
    total: u64,
    notes: &mut Notes,
) -> Result<Flink, FlinkError> {
    let framework_heap = part(c, &o::FRAMEWORK_HEAP)?;
    let framework_off_heap = part(c, &o::FRAMEWORK_OFF_HEAP)?;
    let task_off_heap = part(c, &o::TASK_OFF_HEAP)?;
    let f = if read::contains(c, &o::TASK_HEAP) {
        let task_heap = part(c, &o::TASK_HEAP)?;
        let managed = managed_absolute_or_fraction(c, total, notes)?;
        let network = network_as_rest(
            c,
            v,
            [framework_heap, framework_off_heap, task_heap, task_off_heap, managed],
            total,
            notes,
        )?;
        Flink { framework_heap, task_heap, framework_off_heap, task_off_heap, network, managed }
    } else {
        let managed = managed_absolute_or_fraction(c, total, notes)?;
        let network = match legacy_network(c, v)? {
            Some(legacy) => Part::new(legacy, Source::Configured),
            None => process::with_fraction("network memory", total, &network_range(c)?, notes)?,
        };
        let mut rest = 0;
        for p in [framework_heap, framework_off_heap, task_off_heap, managed, network] {
            rest = add(rest, p.bytes)?;
        }
        if rest > total {
            return Err(FlinkError::config(format!(
                "Sum of configured Framework Heap Memory ({}), Framework Off-Heap Memory ({}), Task Off-Heap Memory ({}), Managed Memory ({}) and Network Memory ({}) exceed configured Total Flink Memory ({}).",
                framework_heap.hr(), framework_off_heap.hr(), task_off_heap.hr(), managed.hr(), network.hr(), hr(total)
            ))
            .at(o::FRAMEWORK_HEAP.key)
            .at(o::FRAMEWORK_OFF_HEAP.key)
            .at(o::MANAGED_SIZE.key)
            .at(o::MANAGED_FRACTION.key)
            .at(o::NETWORK_FRACTION.key)
            .at(o::TOTAL_FLINK.key)
            .at(o::TOTAL_PROCESS.key));
        }
        Flink {
            framework_heap,
            task_heap: Part::new(sub(total, rest)?, Source::Derived),
            framework_off_heap,
            task_off_heap,
            network,
            managed,
        }
    };
    check_total_flink(c, &f)?;
    Ok(f)
}

fn check_total_flink(c: &FlinkConfig, f: &Flink) -> Result<(), FlinkError> {
    if !read::contains(c, &o::TOTAL_FLINK) {
        return Ok(());
    }
    let configured = read::memory(c, &o::TOTAL_FLINK)?.bytes();
    let derived = f.total()?;
    if configured != derived {
        return Err(FlinkError::config(format!(
            "Configured and Derived Flink internal memory sizes (total {}) do not add up to the configured Total Flink Memory size ({}). Configured and Derived Flink internal memory sizes are: Framework Heap Memory ({}), Framework Off-Heap Memory ({}), Task Heap Memory ({}), Task Off-Heap Memory ({}), Network Memory ({}), Managed Memory ({}).",
            hr(derived), hr(configured), f.framework_heap.hr(), f.framework_off_heap.hr(), f.task_heap.hr(), f.task_off_heap.hr(), f.network.hr(), f.managed.hr()
        ))
        .at(o::TOTAL_FLINK.key));
    }
    Ok(())
}

/// `taskmanager.numberOfTaskSlots` as Java's `Integer.parseInt` reads it (no trimming).
fn slots(c: &FlinkConfig) -> Result<i32, FlinkError> {
    match read::raw(c, &o::SLOTS) {
        None => Ok(1),
        Some((_, v)) => v.parse::<i32>().map_err(|_| {
            FlinkError::argument(format!("Could not parse value '{v}' for key '{}'.", o::SLOTS.key))
                .at(o::SLOTS.key)
                .caused_by(crate::error::NUMBER_FORMAT, crate::error::int_format_message(v))
        }),
    }
}

/// CPU cores: `taskmanager.cpu.cores`, or else the number of slots; must be positive.
fn cpu_cores(c: &FlinkConfig, slots: i32) -> Result<String, FlinkError> {
    let cores = match read::raw(c, &o::CPU_CORES) {
        None => f64::from(slots),
        Some((_, v)) => v.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
            FlinkError::argument(format!("Could not parse value '{v}' for key '{}'.", o::CPU_CORES.key))
                .at(o::CPU_CORES.key)
                .caused_by(crate::error::NUMBER_FORMAT, crate::error::float_format_message(v))
        })?,
    };
    if cores <= 0.0 {
        return Err(FlinkError::config(
            "TaskExecutors need to be started with a positive number of CPU cores. Please configure taskmanager.cpu.cores accordingly.",
        )
        .at(o::CPU_CORES.key)
        .at(o::SLOTS.key));
    }
    Ok(java_double_string(cores))
}

/// Derives a TaskManager's memory from its configuration, as Flink 2.x does.
pub fn derive(c: &FlinkConfig) -> Result<TaskManagerMemory, FlinkError> {
    derive_for(c, FlinkVersion::V2)
}

/// Derives a TaskManager's memory as the given Flink version does (`BashJavaUtils
/// GET_TM_RESOURCE_PARAMS`).
pub fn derive_for(c: &FlinkConfig, v: FlinkVersion) -> Result<TaskManagerMemory, FlinkError> {
    let c = match v {
        FlinkVersion::V2 => std::borrow::Cow::Borrowed(c),
        FlinkVersion::V1_20 => {
            map_legacy_heap(c, &o::TOTAL_FLINK, "taskmanager.heap.size", "taskmanager.heap.mb").map_err(
                |e| e.prefixed("TaskManager failed to map legacy JVM heap option to the new one: "),
            )?
        }
    };
    derive_inner(&c, v).map_err(|e| e.prefixed("TaskManager memory configuration failed: "))
}

fn derive_inner(c: &FlinkConfig, v: FlinkVersion) -> Result<TaskManagerMemory, FlinkError> {
    let mut notes = Vec::new();
    let case = PROCESS.case(c)?;
    let (flink, meta) = match case {
        Case::FineGrained => {
            let f = from_fine_grained(c, v, &mut notes)?;
            let m = PROCESS.from_total_flink(c, f.total()?, &mut notes)?;
            (f, m)
        }
        Case::TotalFlink => {
            let total = read::memory(c, &o::TOTAL_FLINK)?.bytes();
            let f = from_total_flink(c, v, total, &mut notes)?;
            let m = PROCESS.from_total_flink(c, total, &mut notes)?;
            (f, m)
        }
        Case::TotalProcess => {
            let total_process = read::memory(c, &o::TOTAL_PROCESS)?.bytes();
            let m = PROCESS.from_total_process(c, total_process, &mut notes)?;
            let total_flink = sub(total_process, add(m.metaspace.bytes, m.overhead.bytes)?)?;
            let f = from_total_flink(c, v, total_flink, &mut notes)?;
            (f, m)
        }
    };
    let slots = slots(c)?;
    let cpu_cores = cpu_cores(c, slots)?;
    let slots = slots.max(1) as u32;
    Ok(TaskManagerMemory {
        framework_heap: flink.framework_heap,
        task_heap: flink.task_heap,
        framework_off_heap: flink.framework_off_heap,
        task_off_heap: flink.task_off_heap,
        network: flink.network,
        managed: flink.managed,
        jvm_metaspace: meta.metaspace,
        jvm_overhead: meta.overhead,
        case,
        slots,
        cpu_cores,
        notes,
    })
}
