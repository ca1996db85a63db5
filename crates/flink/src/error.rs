//! Flink's errors, with Flink's exact message text.

use std::fmt;

/// An error as Flink reports it: the exception's class and message, the exceptions it was
/// caused by (Flink's `Caused by:` lines), and the option keys the message is about (so the
/// calculator can highlight those fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkError {
    /// Java's exception class, e.g. `org.apache.flink.configuration.IllegalConfigurationException`.
    pub exception: &'static str,
    pub message: String,
    /// The chain under this exception, outermost first: the innermost usually names the
    /// numbers ("Derived Network Memory size (…) is not in configured Network Memory range").
    pub causes: Vec<Cause>,
    pub keys: Vec<&'static str>,
}

/// One exception of a chain: its class and message, as Java prints `Caused by: CLASS: MESSAGE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    pub exception: &'static str,
    pub message: String,
}

pub const ILLEGAL_CONFIGURATION: &str = "org.apache.flink.configuration.IllegalConfigurationException";
pub const ILLEGAL_ARGUMENT: &str = "java.lang.IllegalArgumentException";
pub const NUMBER_FORMAT: &str = "java.lang.NumberFormatException";

/// The exception Flink's `MemorySize.parse` throws for `e` (its message is `e`'s).
pub fn size_exception(e: &memlab_size::SizeError) -> &'static str {
    match e {
        memlab_size::SizeError::NoNumber => NUMBER_FORMAT,
        _ => ILLEGAL_ARGUMENT,
    }
}

/// `Float.parseFloat`'s or `Double.parseDouble`'s `NumberFormatException` message for `text`.
pub fn float_format_message(text: &str) -> String {
    let t = text.trim_matches(|c: char| c <= ' ');
    if t.is_empty() {
        "empty String".to_owned()
    } else {
        format!("For input string: \"{t}\"")
    }
}

/// `Integer.parseInt`'s `NumberFormatException` message for `text` (not trimmed).
pub fn int_format_message(text: &str) -> String {
    format!("For input string: \"{text}\"")
}

impl FlinkError {
    pub fn config(message: impl Into<String>) -> FlinkError {
        FlinkError {
            exception: ILLEGAL_CONFIGURATION,
            message: message.into(),
            causes: Vec::new(),
            keys: Vec::new(),
        }
    }

    pub fn argument(message: impl Into<String>) -> FlinkError {
        FlinkError {
            exception: ILLEGAL_ARGUMENT,
            message: message.into(),
            causes: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// Notes an option key the error is about.
    pub fn at(mut self, key: &'static str) -> FlinkError {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
        self
    }

    /// Flink's `new IllegalConfigurationException(prefix + e.getMessage(), e)` wrapping
    /// (only configuration exceptions are wrapped, as in Flink): the error becomes the first
    /// cause of one whose message starts with `prefix`.
    pub fn prefixed(self, prefix: &str) -> FlinkError {
        if self.exception != ILLEGAL_CONFIGURATION {
            return self;
        }
        let message = format!("{prefix}{}", self.message);
        self.wrapped(ILLEGAL_CONFIGURATION, message)
    }

    /// Flink's `throw new EXCEPTION(message, e)`: a new error caused by this one (its option
    /// keys are kept).
    pub fn wrapped(self, exception: &'static str, message: impl Into<String>) -> FlinkError {
        let mut causes = vec![Cause { exception: self.exception, message: self.message }];
        causes.extend(self.causes);
        FlinkError { exception, message: message.into(), causes, keys: self.keys }
    }

    /// Adds the innermost cause: the exception this one was thrown for (Flink's
    /// `new EXCEPTION(message, e)` where `e` has no cause of its own is `e` here).
    pub fn caused_by(mut self, exception: &'static str, message: impl Into<String>) -> FlinkError {
        self.causes.push(Cause { exception, message: message.into() });
        self
    }

    /// The whole chain as Java prints it, without the stack frames: `CLASS: MESSAGE`, then a
    /// `Caused by: CLASS: MESSAGE` line for each cause.
    pub fn chain(&self) -> String {
        let mut out = format!("{}: {}", self.exception, self.message);
        for c in &self.causes {
            out.push_str(&format!("\nCaused by: {}: {}", c.exception, c.message));
        }
        out
    }
}

impl fmt::Display for FlinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FlinkError {}
