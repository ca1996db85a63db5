//! One byte-size type, [`MemorySize`], with Apache Flink's `MemorySize` grammar and its two
//! printers. Both cores (the allocator engine and the Flink memory model) use it, so there
//! is exactly one size parser in memlab.
//!
//! Grammar (Flink's `MemorySize.parseBytes`): optional surrounding whitespace, one or more
//! ASCII digits, optional whitespace, then an optional unit, case-insensitive:
//! `b|bytes`, `k|kb|kibibytes`, `m|mb|mebibytes`, `g|gb|gibibytes`, `t|tb|tebibytes`.
//! Units are binary multiples (1 kb = 1024 bytes). Only whole numbers: `1.5mb` is an error.
//!
//! ```
//! use memlab_size::MemorySize;
//! assert_eq!(MemorySize::parse("64 MB").unwrap().bytes(), 64 << 20);
//! assert_eq!(MemorySize::new(268_435_456).to_human_readable_string(), "256.000mb (268435456 bytes)");
//! assert_eq!(MemorySize::from_gib(1).to_human_readable_string(), "1024.000mb (1073741824 bytes)");
//! assert_eq!(MemorySize::new(268_435_456).to_string(), "256 mb");
//! assert!(MemorySize::parse("1.5g").is_err());
//! ```
#![forbid(unsafe_code)]

use std::fmt;
use std::str::FromStr;

/// A non-negative number of bytes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct MemorySize(u64);

/// Flink's memory units in ascending order: (multiplier, names; `names[1]` is the printed one).
const UNITS: [(u64, &[&str]); 5] = [
    (1, &["b", "bytes"]),
    (1 << 10, &["k", "kb", "kibibytes"]),
    (1 << 20, &["m", "mb", "mebibytes"]),
    (1 << 30, &["g", "gb", "gibibytes"]),
    (1 << 40, &["t", "tb", "tebibytes"]),
];

/// Why a size string was rejected. `Display` is Flink's own message text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("argument is an empty- or whitespace-only string")]
    Empty,
    #[error("text does not start with a number")]
    NoNumber,
    #[error("The value '{0}' cannot be re represented as 64bit number (numeric overflow).")]
    NumberOverflow(String),
    #[error("Memory size unit '{0}' does not match any of the recognized units: (b | bytes) / (k | kb | kibibytes) / (m | mb | mebibytes) / (g | gb | gibibytes) / (t | tb | tebibytes)")]
    UnknownUnit(String),
    #[error("The value '{0}' cannot be re represented as 64bit number of bytes (numeric overflow).")]
    BytesOverflow(String),
}

/// Java's `Long.MAX_VALUE`: Flink sizes are signed 64-bit numbers.
const JAVA_LONG_MAX: u64 = i64::MAX as u64;

impl MemorySize {
    pub const ZERO: MemorySize = MemorySize(0);
    /// Flink's `MemorySize.MAX_VALUE` (`Long.MAX_VALUE` bytes).
    pub const MAX: MemorySize = MemorySize(JAVA_LONG_MAX);

    pub const fn new(bytes: u64) -> Self {
        MemorySize(bytes)
    }
    pub const fn from_kib(k: u64) -> Self {
        MemorySize(k << 10)
    }
    pub const fn from_mib(m: u64) -> Self {
        MemorySize(m << 20)
    }
    pub const fn from_gib(g: u64) -> Self {
        MemorySize(g << 30)
    }
    pub const fn bytes(self) -> u64 {
        self.0
    }

    /// Parses Flink's size grammar (see the module docs).
    pub fn parse(text: &str) -> Result<MemorySize, SizeError> {
        Self::parse_with_default_unit(text, 1)
    }

    /// Like [`MemorySize::parse`], but a number without a unit is multiplied by
    /// `default_multiplier` (Flink's `parse(text, defaultUnit)`).
    pub fn parse_with_default_unit(text: &str, default_multiplier: u64) -> Result<MemorySize, SizeError> {
        let trimmed = java_trim(text);
        if trimmed.is_empty() {
            return Err(SizeError::Empty);
        }
        let digits_end = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
        let (number, rest) = trimmed.split_at(digits_end);
        if number.is_empty() {
            return Err(SizeError::NoNumber);
        }
        let unit = java_trim(rest).to_lowercase();
        let value: u64 = number
            .parse::<u64>()
            .ok()
            .filter(|v| *v <= JAVA_LONG_MAX)
            .ok_or_else(|| SizeError::NumberOverflow(number.to_owned()))?;
        let multiplier = if unit.is_empty() {
            default_multiplier
        } else {
            UNITS
                .iter()
                .find(|(_, names)| names.contains(&unit.as_str()))
                .map(|(m, _)| *m)
                .ok_or(SizeError::UnknownUnit(unit.clone()))?
        };
        value
            .checked_mul(multiplier)
            .filter(|b| *b <= JAVA_LONG_MAX)
            .map(MemorySize)
            .ok_or_else(|| SizeError::BytesOverflow(text.to_owned()))
    }

    /// Flink's `toHumanReadableString`: the largest unit *strictly below* the size, so
    /// `"256.000mb (268435456 bytes)"`, `"1024.000mb (1073741824 bytes)"` for 1 GiB, and
    /// `"1024 bytes"` for 1 KiB. The number is rounded half-up on its shortest decimal
    /// form, as Java's `String.format("%.3f")` does.
    pub fn to_human_readable_string(self) -> String {
        let (mult, names) = UNITS.iter().rev().find(|(m, _)| self.0 > *m).copied().unwrap_or(UNITS[0]);
        if mult == 1 {
            return format!("{} {}", self.0, names[1]);
        }
        let approx = self.0 as f64 / mult as f64;
        format!("{}{} ({} bytes)", java_format_3f(approx), names[1], self.0)
    }

    pub fn checked_add(self, other: MemorySize) -> Option<MemorySize> {
        self.0.checked_add(other.0).map(MemorySize)
    }
    pub fn checked_sub(self, other: MemorySize) -> Option<MemorySize> {
        self.0.checked_sub(other.0).map(MemorySize)
    }
}

/// A short human reading for people (not Flink's grammar): `"512 B"`, `"10 MiB"`,
/// `"1.5 GiB"`, `"27.9 KiB"` — one decimal unless the value is whole.
pub fn human(bytes: u64) -> String {
    const NAMES: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = UNITS.iter().rposition(|(m, _)| *m <= bytes).unwrap_or(0);
    let m = UNITS[i].0;
    if bytes.is_multiple_of(m) {
        format!("{} {}", bytes / m, NAMES[i])
    } else {
        format!("{:.1} {}", bytes as f64 / m as f64, NAMES[i])
    }
}

/// Java's `String.trim()`: strips every char ≤ U+0020 from both ends.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Java's `String.format(Locale.ROOT, "%.3f", x)` for a finite, non-negative `x`: Java takes
/// the shortest decimal that round-trips (as `Double.toString`) and rounds it half-up.
pub fn java_format_3f(x: f64) -> String {
    let shortest = format!("{x}"); // Rust prints the shortest round-trip decimal too.
    let (int_part, frac_part) = shortest.split_once('.').unwrap_or((&shortest, ""));
    let mut digits: Vec<u8> = int_part.bytes().map(|b| b - b'0').collect();
    let int_len = digits.len();
    let frac: Vec<u8> = frac_part.bytes().map(|b| b - b'0').collect();
    digits.extend((0..3).map(|i| frac.get(i).copied().unwrap_or(0)));
    if frac.get(3).is_some_and(|d| *d >= 5) {
        // Round half-up: carry through the kept digits.
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - 3;
    debug_assert!(split >= int_len);
    let to_str = |ds: &[u8]| ds.iter().map(|d| char::from(b'0' + d)).collect::<String>();
    format!("{}.{}", to_str(&digits[..split]), to_str(&digits[split..]))
}

/// Flink's `MemorySize.toString()`: the unit below the first one that does not divide the
/// size, e.g. `"256 mb"`, `"1025 kb"`, `"100 bytes"` — and, as in Flink, `"0 bytes"` and
/// bytes for exact multiples of 1 TiB.
impl fmt::Display for MemorySize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match UNITS.iter().position(|(m, _)| !self.0.is_multiple_of(*m)) {
            Some(0) | None => UNITS[0],
            Some(i) => UNITS[i - 1],
        };
        write!(f, "{} {}", self.0 / unit.0, unit.1[1])
    }
}

impl FromStr for MemorySize {
    type Err = SizeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MemorySize::parse(s)
    }
}

impl From<u64> for MemorySize {
    fn from(b: u64) -> Self {
        MemorySize(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<u64, SizeError> {
        MemorySize::parse(s).map(MemorySize::bytes)
    }

    #[test]
    fn every_unit_spelling_is_binary_and_case_insensitive() {
        for (s, b) in [
            ("7", 7),
            ("7b", 7),
            ("7 bytes", 7),
            ("7k", 7 << 10),
            ("7KB", 7 << 10),
            ("7 kibibytes", 7 << 10),
            ("7m", 7 << 20),
            ("7 Mb", 7 << 20),
            ("7mebibytes", 7 << 20),
            ("7g", 7 << 30),
            ("7GB", 7 << 30),
            ("7 gibibytes", 7 << 30),
            ("7t", 7 << 40),
            ("7tb", 7 << 40),
            ("7 TEBIBYTES", 7 << 40),
            ("  12   mb  ", 12 << 20),
            ("0", 0),
        ] {
            assert_eq!(p(s), Ok(b), "{s}");
        }
    }

    #[test]
    fn rejects_fractions_and_junk_with_flinks_messages() {
        assert_eq!(p("1.5mb"), Err(SizeError::UnknownUnit(".5mb".into())));
        assert_eq!(p(""), Err(SizeError::Empty));
        assert_eq!(p("   "), Err(SizeError::Empty));
        assert_eq!(p("mb"), Err(SizeError::NoNumber));
        assert_eq!(p("-1mb"), Err(SizeError::NoNumber));
        assert_eq!(p("10 mib"), Err(SizeError::UnknownUnit("mib".into())));
        assert_eq!(
            SizeError::UnknownUnit("mib".into()).to_string(),
            "Memory size unit 'mib' does not match any of the recognized units: (b | bytes) / (k | kb | kibibytes) / (m | mb | mebibytes) / (g | gb | gibibytes) / (t | tb | tebibytes)"
        );
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        assert_eq!(p("9223372036854775807"), Ok(i64::MAX as u64));
        assert!(matches!(p("9223372036854775808"), Err(SizeError::NumberOverflow(_))));
        assert!(matches!(p("8388608 tb"), Err(SizeError::BytesOverflow(_))));
        assert_eq!(p("8388607 tb"), Ok(8_388_607 << 40));
    }

    #[test]
    fn human_readable_matches_flink() {
        let h = |b: u64| MemorySize::new(b).to_human_readable_string();
        assert_eq!(h(0), "0 bytes");
        assert_eq!(h(1023), "1023 bytes");
        assert_eq!(h(1024), "1024 bytes");
        assert_eq!(h(1025), "1.001kb (1025 bytes)");
        assert_eq!(h(268_435_456), "256.000mb (268435456 bytes)");
        assert_eq!(h(134_217_730), "128.000mb (134217730 bytes)");
        assert_eq!(h(1_073_741_824), "1024.000mb (1073741824 bytes)");
        assert_eq!(h(1_610_612_736), "1.500gb (1610612736 bytes)");
        // 1.0625 (exactly representable) rounds half-up to 1.063, where Rust would give 1.062.
        assert_eq!(h(1088), "1.063kb (1088 bytes)");
        assert_eq!(h(1_073_741_825), "1.000gb (1073741825 bytes)");
    }

    #[test]
    fn display_uses_the_largest_exact_unit() {
        assert_eq!(MemorySize::new(100).to_string(), "100 bytes");
        assert_eq!(MemorySize::new(1025 << 10).to_string(), "1025 kb");
        assert_eq!(MemorySize::from_gib(2).to_string(), "2 gb");
        assert_eq!(MemorySize::new(0).to_string(), "0 bytes");
        assert_eq!(MemorySize::new(1 << 40).to_string(), "1099511627776 bytes");
    }

    #[test]
    fn human_readings() {
        assert_eq!(human(0), "0 B");
        assert_eq!(human(512), "512 B");
        assert_eq!(human(10 << 20), "10 MiB");
        assert_eq!(human(3 << 29), "1.5 GiB");
        assert_eq!(human(28_600), "27.9 KiB");
    }

    #[test]
    fn three_decimal_rounding_carries() {
        assert_eq!(java_format_3f(9.9996), "10.000");
        assert_eq!(java_format_3f(0.0005), "0.001");
        assert_eq!(java_format_3f(2.0), "2.000");
    }
}
