//! Every threshold the detectors use, with its reason. The README's Diagnosis section lists
//! the same values; `memlab diagnose --json` and the exported Prometheus rules carry them.

/// Trend detectors (leak, growth, forecasts) need at least this much data: a few minutes
/// hold several young-GC cycles, so the lower envelope is not one lucky reading.
pub const MIN_SPAN_S: f64 = 180.0;
/// The heap's lower envelope is the minimum of each window this long. Flink refreshes
/// metrics every 10 s by default (`metrics.fetcher.update-interval`), young GCs run every
/// few seconds under load: 30 s windows hold at least one post-GC reading.
pub const ENVELOPE_WINDOW_S: f64 = 30.0;
/// …and at least this many windows are needed to fit a trend.
pub const MIN_WINDOWS: usize = 6;
/// Kendall's τ of the window minima at or above which growth counts as steady (0.6: most
/// later minima are higher than earlier ones; random noise gives τ near 0).
pub const STEADY_TAU: f64 = 0.6;
/// A heap leak must also be large: the fitted growth over the data is at least this share
/// of the maximum heap (smaller slopes are warm-up or cache fill, not worth an alarm).
pub const LEAK_MIN_GROWTH: f64 = 0.03;
/// Metaspace growth: fitted growth of at least this share of `jvm-metaspace.size`.
pub const METASPACE_MIN_GROWTH: f64 = 0.02;
/// A forecast exhaustion within this many seconds is critical…
pub const OOM_CRITICAL_S: f64 = 3600.0;
/// …and within this many a warning (one day: a streaming job is meant to run for weeks).
pub const OOM_WARNING_S: f64 = 86_400.0;
/// Direct memory or metaspace at or above this share of its JVM limit is near exhaustion
/// (`MaxDirectMemorySize` / `MaxMetaspaceSize`: beyond them the JVM throws an OOM).
pub const NEAR_LIMIT: f64 = 0.9;
/// GC pressure: the median `TimeMsPerSecond` over the data at or above this (10 % of the
/// time in GC) is a warning…
pub const GC_WARNING_MS_PER_S: f64 = 100.0;
/// …and at or above this (30 %) critical.
pub const GC_CRITICAL_MS_PER_S: f64 = 300.0;
/// Old-generation (full) collections per minute at or above this are GC pressure too.
pub const OLD_GC_PER_MIN: f64 = 1.0;
/// Network buffers are exhausted when used segments are at or above this share of all
/// segments…
pub const NETWORK_FULL: f64 = 0.95;
/// …in at least this share of the readings (one full reading is a burst, not a problem).
pub const NETWORK_FULL_SHARE: f64 = 0.2;
/// Network memory is idle when the peak use stays below this share while a job runs (and
/// it is more than [`NETWORK_FLOOR`]).
pub const NETWORK_IDLE: f64 = 0.1;
/// Managed memory is idle when its peak use stays below this share while a job runs (and
/// it is more than [`MANAGED_KEEP_FRACTION`] of Flink memory: less is a reserve, not waste).
pub const MANAGED_IDLE: f64 = 0.05;
/// Managed memory is full at or above this share (RocksDB reserves its whole share).
pub const MANAGED_FULL: f64 = 0.95;
/// Idle managed memory gets lowered to this fraction of total Flink memory, not to zero:
/// batch operators, Python UDFs and a later RocksDB job need some.
pub const MANAGED_KEEP_FRACTION: f64 = 0.1;
/// Idle network memory gets lowered to this multiple of the peak use…
pub const NETWORK_KEEP_PEAK: f64 = 4.0;
/// …but not below this (bytes): Flink needs buffers for every channel when a job starts.
pub const NETWORK_FLOOR: u64 = 32 << 20;
/// JVM overhead is too small when the native memory it must cover (non-heap outside
/// metaspace: code cache, compressed class space; plus a stack per thread) reaches this
/// share of it.
pub const OVERHEAD_FILL: f64 = 0.8;
/// The stack size each JVM thread reserves (the HotSpot default on 64-bit Linux).
pub const THREAD_STACK: f64 = 1024.0 * 1024.0;
/// GC pressure asks for this much more heap.
pub const GC_HEAP_GROWTH: f64 = 0.25;
/// A raised metaspace gets this much room above the peak use.
pub const METASPACE_HEADROOM: f64 = 1.5;
/// Sizes a recommendation proposes are rounded up to this (bytes).
pub const ROUND: u64 = 16 << 20;

/// After `OutOfMemoryError: Java heap space` with no leak to fix, the task heap grows by
/// this share of the JVM heap: the heap was full, so a quarter (the GC advice) may not do.
pub const OOM_HEAP_GROWTH: f64 = 0.5;
/// A lost TaskManager with no JVM memory pressure: JVM overhead is a suspect when the
/// native-memory estimate used this share of it.
pub const OVERHEAD_SUSPECT: f64 = 0.5;
