//! What TaskManagers and JobManagers share: the JVM Metaspace and Overhead around the Total
//! Flink Memory, fractions with min/max ranges, and Flink's `MemorySize` arithmetic — as
//! Flink's `ProcessMemoryUtils` and `RangeFraction` compute them.

use memlab_size::MemorySize;

use crate::config::FlinkConfig;
use crate::error::FlinkError;
use crate::options::Opt;
use crate::read::{self, java_double_string, Source};

/// A value with where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    pub bytes: u64,
    pub source: Source,
}

impl Part {
    pub fn new(bytes: u64, source: Source) -> Part {
        Part { bytes, source }
    }
    pub fn size(&self) -> MemorySize {
        MemorySize::new(self.bytes)
    }
    pub fn hr(&self) -> String {
        self.size().to_human_readable_string()
    }
}

/// A message Flink logs at INFO while deriving (clamping, fraction mismatches).
pub type Notes = Vec<String>;

fn long_overflow() -> FlinkError {
    FlinkError {
        exception: "java.lang.ArithmeticException",
        message: "long overflow".into(),
        causes: Vec::new(),
        keys: vec![],
    }
}

/// `MemorySize.add` (`Math.addExact`).
pub fn add(a: u64, b: u64) -> Result<u64, FlinkError> {
    a.checked_add(b).filter(|s| *s <= i64::MAX as u64).ok_or_else(long_overflow)
}

/// `MemorySize.subtract`: `Math.subtractExact`, then the constructor's `bytes >= 0` check.
pub fn sub(a: u64, b: u64) -> Result<u64, FlinkError> {
    a.checked_sub(b).ok_or_else(|| FlinkError::argument("bytes must be >= 0"))
}

/// `MemorySize.multiply(double)`: the exact product of the bytes and the decimal
/// `Double.toString(multiplier)` (as `BigDecimal.valueOf` reads it), truncated.
pub fn multiply(bytes: u64, multiplier: f64) -> Result<u64, FlinkError> {
    let text = format!("{multiplier:e}"); // shortest round-trip digits, as d.ddde±x
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: u128 = format!("{int}{frac}").parse().unwrap_or(0);
    // value = digits × 10^(exp − len(frac))
    let scale = exp - frac.len() as i32;
    let product = u128::from(bytes) * digits;
    let result = if scale >= 0 {
        product
            .checked_mul(10u128.checked_pow(scale as u32).ok_or_else(long_overflow)?)
            .ok_or_else(long_overflow)?
    } else {
        let div = 10u128.checked_pow((-scale) as u32);
        div.map_or(0, |d| product / d)
    };
    if result > i64::MAX as u128 {
        return Err(long_overflow());
    }
    Ok(result as u64)
}

/// Flink's `RangeFraction`: a fraction with min and max sizes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeFraction {
    pub min: u64,
    pub max: u64,
    pub fraction: f64,
}

/// `ProcessMemoryUtils.getRangeFraction`.
pub fn range_fraction(
    c: &FlinkConfig,
    min: u64,
    max: u64,
    fraction: &Opt,
) -> Result<RangeFraction, FlinkError> {
    let f = read::float(c, fraction)?;
    // Flink's `RangeFraction` checks its arguments, in this order; the configuration error
    // wraps the first that fails.
    let broken = if min > max {
        Some("min value must be less or equal to max value")
    } else if !(0.0..1.0).contains(&f) {
        Some("fraction must be in range [0, 1)")
    } else {
        None
    };
    if let Some(why) = broken {
        return Err(FlinkError::config(format!(
            "Inconsistently configured {} ({}) and its min ({}), max ({}) value",
            fraction.java_to_string(),
            java_double_string(f),
            MemorySize::new(min).to_human_readable_string(),
            MemorySize::new(max).to_human_readable_string()
        ))
        .at(fraction.key)
        .caused_by(crate::error::ILLEGAL_ARGUMENT, why));
    }
    Ok(RangeFraction { min, max, fraction: f })
}

fn cap(description: &str, relative: u64, r: &RangeFraction, notes: &mut Notes) -> Part {
    let hr = |b: u64| MemorySize::new(b).to_human_readable_string();
    if relative > r.max {
        notes.push(format!(
            "The derived from fraction {description} ({}) is greater than its max value {}, max value will be used instead",
            hr(relative),
            hr(r.max)
        ));
        Part::new(r.max, Source::ClampedToMax)
    } else if relative < r.min {
        notes.push(format!(
            "The derived from fraction {description} ({}) is less than its min value {}, min value will be used instead",
            hr(relative),
            hr(r.min)
        ));
        Part::new(r.min, Source::ClampedToMin)
    } else {
        Part::new(relative, Source::Derived)
    }
}

/// `deriveWithFraction`: base × fraction, clamped to [min, max].
pub fn with_fraction(
    description: &str,
    base: u64,
    r: &RangeFraction,
    notes: &mut Notes,
) -> Result<Part, FlinkError> {
    Ok(cap(description, multiply(base, r.fraction)?, r, notes))
}

/// `deriveWithInverseFraction`: base × f / (1 − f), clamped to [min, max].
pub fn with_inverse_fraction(
    description: &str,
    base: u64,
    r: &RangeFraction,
    notes: &mut Notes,
) -> Result<Part, FlinkError> {
    Ok(cap(description, multiply(base, r.fraction / (1.0 - r.fraction))?, r, notes))
}

/// The JVM options around Total Flink Memory, and the keys of the three ways to size it.
#[derive(Debug)]
pub struct ProcessOptions {
    pub required_fine_grained: &'static [Opt],
    pub total_flink: Opt,
    pub total_process: Opt,
    pub metaspace: Opt,
    pub overhead_min: Opt,
    pub overhead_max: Opt,
    pub overhead_fraction: Opt,
}

/// Which of Flink's three cases sized the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Case {
    FineGrained,
    TotalFlink,
    TotalProcess,
}

#[derive(Debug)]
pub struct MetaAndOverhead {
    pub metaspace: Part,
    pub overhead: Part,
}

impl ProcessOptions {
    pub fn overhead_range(&self, c: &FlinkConfig) -> Result<RangeFraction, FlinkError> {
        let min = read::memory(c, &self.overhead_min)?.bytes();
        let max = read::memory(c, &self.overhead_max)?.bytes();
        range_fraction(c, min, max, &self.overhead_fraction)
    }

    pub fn case(&self, c: &FlinkConfig) -> Result<Case, FlinkError> {
        if self.required_fine_grained.iter().all(|o| read::contains(c, o)) {
            Ok(Case::FineGrained)
        } else if read::contains(c, &self.total_flink) {
            Ok(Case::TotalFlink)
        } else if read::contains(c, &self.total_process) {
            Ok(Case::TotalProcess)
        } else {
            let keys: Vec<&str> = self.required_fine_grained.iter().map(|o| o.key).collect();
            let mut e = FlinkError::config(format!(
                "Either required fine-grained memory ({}), or Total Flink Memory size ({}), or Total Process Memory size ({}) need to be configured explicitly.",
                keys.join(" and "),
                self.total_flink.java_to_string(),
                self.total_process.java_to_string()
            ));
            for o in self.required_fine_grained {
                e = e.at(o.key);
            }
            Err(e.at(self.total_flink.key).at(self.total_process.key))
        }
    }

    fn metaspace(&self, c: &FlinkConfig) -> Result<Part, FlinkError> {
        Ok(Part::new(read::memory(c, &self.metaspace)?.bytes(), read::source(c, &self.metaspace)))
    }

    /// `deriveJvmMetaspaceAndOverheadWithTotalProcessMemory`.
    pub fn from_total_process(
        &self,
        c: &FlinkConfig,
        total_process: u64,
        notes: &mut Notes,
    ) -> Result<MetaAndOverhead, FlinkError> {
        let metaspace = self.metaspace(c)?;
        let overhead = with_fraction("jvm overhead memory", total_process, &self.overhead_range(c)?, notes)?;
        if add(metaspace.bytes, overhead.bytes)? > total_process {
            return Err(FlinkError::config(format!(
                "Sum of configured JVM Metaspace ({}) and JVM Overhead ({}) exceed configured Total Process Memory ({}).",
                metaspace.hr(),
                overhead.hr(),
                MemorySize::new(total_process).to_human_readable_string()
            ))
            .at(self.metaspace.key)
            .at(self.total_process.key));
        }
        Ok(MetaAndOverhead { metaspace, overhead })
    }

    /// `deriveJvmMetaspaceAndOverheadFromTotalFlinkMemory`.
    pub fn from_total_flink(
        &self,
        c: &FlinkConfig,
        total_flink: u64,
        notes: &mut Notes,
    ) -> Result<MetaAndOverhead, FlinkError> {
        let metaspace = self.metaspace(c)?;
        let flink_and_meta = add(total_flink, metaspace.bytes)?;
        let hr = |b: u64| MemorySize::new(b).to_human_readable_string();
        if read::contains(c, &self.total_process) {
            let total_process = read::memory(c, &self.total_process)?.bytes();
            if total_process < flink_and_meta {
                return Err(FlinkError::config(format!(
                    "The configured Total Process Memory size ({}) is less than the sum of the derived Total Flink Memory size ({}) and the configured or default JVM Metaspace size  ({}).",
                    hr(total_process),
                    hr(total_flink),
                    metaspace.hr()
                ))
                .at(self.total_process.key)
                .at(self.total_flink.key));
            }
            let overhead = sub(total_process, flink_and_meta)?;
            let range = self.overhead_range(c)?;
            if overhead > range.max || overhead < range.min {
                return Err(FlinkError::config(format!(
                    "Derived JVM Overhead size ({}) is not in configured JVM Overhead range [{}, {}].",
                    hr(overhead),
                    hr(range.min),
                    hr(range.max)
                ))
                .at(self.overhead_min.key)
                .at(self.overhead_max.key)
                .at(self.total_process.key));
            }
            if read::contains(c, &self.overhead_fraction)
                && overhead != multiply(total_process, range.fraction)?
            {
                notes.push(format!(
                    "The derived JVM Overhead size ({}) does not match the configured or default JVM Overhead fraction ({}) from the configured Total Process Memory size ({}). The derived JVM OVerhead size will be used.",
                    hr(overhead),
                    java_double_string(range.fraction),
                    hr(total_process)
                ));
            }
            Ok(MetaAndOverhead { metaspace, overhead: Part::new(overhead, Source::Derived) })
        } else {
            let overhead = with_inverse_fraction(
                "jvm overhead memory",
                flink_and_meta,
                &self.overhead_range(c)?,
                notes,
            )?;
            Ok(MetaAndOverhead { metaspace, overhead })
        }
    }
}

/// Java `HashMap<String, String>` iteration order for keys inserted in `keys` order (default
/// capacity 16, load factor 0.75, no tree bins): Flink prints dynamic properties from one.
pub fn java_hashmap_order<T>(entries: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut cap = 16usize;
    while entries.len() > cap * 3 / 4 {
        cap *= 2;
    }
    let hash = |s: &str| {
        let h = s.encode_utf16().fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(i32::from(u)));
        let h = h as u32;
        (h ^ (h >> 16)) as usize & (cap - 1)
    };
    let mut indexed: Vec<(usize, usize, (String, T))> =
        entries.into_iter().enumerate().map(|(i, e)| (hash(&e.0), i, e)).collect();
    indexed.sort_by_key(|(b, i, _)| (*b, *i));
    indexed.into_iter().map(|(_, _, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiply_uses_the_decimal_of_the_double() {
        // 0.1f widened is 0.10000000149011612: 1342177280 × that, truncated.
        assert_eq!(multiply(1_342_177_280, f64::from(0.1f32)).unwrap(), 134_217_730);
        assert_eq!(multiply(100, 0.5).unwrap(), 50);
        assert_eq!(multiply(3, 1.0 / 3.0).unwrap(), 0);
        assert!(multiply(i64::MAX as u64, 2.0).is_err());
    }

    #[test]
    fn hashmap_order_matches_java() {
        // Flink 2.3.0 printed these 13 keys in this order for a default TaskManager.
        let printed = [
            "taskmanager.memory.network.min",
            "taskmanager.cpu.cores",
            "taskmanager.memory.task.off-heap.size",
            "taskmanager.memory.jvm-metaspace.size",
            "external-resources",
            "taskmanager.memory.jvm-overhead.min",
            "taskmanager.memory.framework.off-heap.size",
            "taskmanager.memory.network.max",
            "taskmanager.memory.framework.heap.size",
            "taskmanager.memory.managed.size",
            "taskmanager.memory.task.heap.size",
            "taskmanager.numberOfTaskSlots",
            "taskmanager.memory.jvm-overhead.max",
        ];
        let inserted = [
            "taskmanager.cpu.cores",
            "taskmanager.memory.framework.heap.size",
            "taskmanager.memory.framework.off-heap.size",
            "taskmanager.memory.task.heap.size",
            "taskmanager.memory.task.off-heap.size",
            "taskmanager.memory.network.min",
            "taskmanager.memory.network.max",
            "taskmanager.memory.managed.size",
            "taskmanager.memory.jvm-metaspace.size",
            "taskmanager.memory.jvm-overhead.min",
            "taskmanager.memory.jvm-overhead.max",
            "taskmanager.numberOfTaskSlots",
            "external-resources",
        ];
        let order: Vec<String> = java_hashmap_order(inserted.iter().map(|k| (k.to_string(), ())).collect())
            .into_iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(order, printed);
    }
}
