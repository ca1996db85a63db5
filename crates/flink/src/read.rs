//! Reading typed option values exactly as Flink's `Configuration` does, including its
//! errors: fallback keys, defaults, `MemorySize` parsing, `Float.parseFloat`.

use memlab_size::MemorySize;

use crate::config::FlinkConfig;
use crate::error::{float_format_message, size_exception, FlinkError, ILLEGAL_ARGUMENT, NUMBER_FORMAT};
use crate::options::{Default, Opt};

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Set in the configuration.
    Configured,
    /// Flink's default.
    Default,
    /// Computed from other values.
    Derived,
    /// Computed from a fraction, then raised to the minimum.
    ClampedToMin,
    /// Computed from a fraction, then lowered to the maximum.
    ClampedToMax,
}

/// The value set for an option: under its key, or else its first deprecated key present.
pub fn raw<'a>(c: &'a FlinkConfig, o: &Opt) -> Option<(&'static str, &'a str)> {
    std::iter::once(o.key).chain(o.fallbacks.iter().copied()).find_map(|k| c.get(k).map(|v| (k, v)))
}

pub fn contains(c: &FlinkConfig, o: &Opt) -> bool {
    raw(c, o).is_some()
}

/// `ProcessMemoryUtils.getMemorySizeFromConfig`: the value or default, else Flink's error.
pub fn memory(c: &FlinkConfig, o: &Opt) -> Result<MemorySize, FlinkError> {
    match raw(c, o) {
        Some((key, v)) => MemorySize::parse(v).map_err(|e| {
            FlinkError::config(format!("Cannot read memory size from config option '{}'.", o.key))
                .at(key)
                .caused_by(ILLEGAL_ARGUMENT, format!("Could not parse value '{v}' for key '{}'.", o.key))
                .caused_by(size_exception(&e), e.to_string())
        }),
        None => o.default_size().ok_or_else(|| {
            FlinkError::config(format!("Cannot read memory size from config option '{}'.", o.key)).at(o.key)
        }),
    }
}

/// Java's `Float.parseFloat` (after `String.trim`), widened to `double`.
pub fn java_float(text: &str) -> Option<f64> {
    let t = text.trim_matches(|c: char| c <= ' ');
    let t = t.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(t);
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    if lower.contains("inf") && !matches!(t.trim_start_matches(['+', '-']), "Infinity") {
        return None;
    }
    if lower.contains("nan") && t != "NaN" {
        return None;
    }
    t.parse::<f32>().ok().map(f64::from)
}

/// `Configuration.getFloat` for a float option.
pub fn float(c: &FlinkConfig, o: &Opt) -> Result<f64, FlinkError> {
    match raw(c, o) {
        Some((key, v)) => java_float(v).ok_or_else(|| {
            FlinkError::argument(format!("Could not parse value '{v}' for key '{}'.", o.key))
                .at(key)
                .caused_by(NUMBER_FORMAT, float_format_message(v))
        }),
        None => match o.default {
            Default::Float(f, _) => Ok(f64::from(f)),
            _ => Ok(0.0),
        },
    }
}

pub fn source(c: &FlinkConfig, o: &Opt) -> Source {
    if contains(c, o) {
        Source::Configured
    } else {
        Source::Default
    }
}

/// Java's `Double.toString` for the values Flink prints (fractions, CPU cores): the
/// shortest decimal that round-trips, with Java's `1.0` / `1.0E-4` / `1.0E7` forms.
pub fn java_double_string(x: f64) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let a = x.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{x}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        // Scientific: d.dddE±n
        let s = format!("{x:e}"); // e.g. 1e-4, 1.5e7
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') { m.to_owned() } else { format!("{m}.0") };
        format!("{m}E{e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_float_parsing() {
        assert_eq!(java_float("0.1"), Some(f64::from(0.1f32)));
        assert_eq!(java_float(" 0.25 "), Some(0.25));
        assert_eq!(java_float("1e-1"), Some(f64::from(0.1f32)));
        assert_eq!(java_float("0.5f"), Some(0.5));
        assert_eq!(java_float("x"), None);
        assert_eq!(java_float("inf"), None);
        assert_eq!(java_float(""), None);
    }

    #[test]
    fn java_double_strings() {
        assert_eq!(java_double_string(1.0), "1.0");
        assert_eq!(java_double_string(2.5), "2.5");
        assert_eq!(java_double_string(f64::from(0.1f32)), "0.10000000149011612");
        assert_eq!(java_double_string(1e-4), "1.0E-4");
        assert_eq!(java_double_string(1.5e7), "1.5E7");
        assert_eq!(java_double_string(-0.1f32 as f64), "-0.10000000149011612");
    }
}
