//! Flink's errors, with Flink's exact message text.

use std::fmt;

/// An error as Flink reports it: the exception's class and message, plus the option keys
/// the message is about (so the calculator can highlight those fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkError {
    /// Java's exception class, e.g. `org.apache.flink.configuration.IllegalConfigurationException`.
    pub exception: &'static str,
    pub message: String,
    pub keys: Vec<&'static str>,
}

pub const ILLEGAL_CONFIGURATION: &str = "org.apache.flink.configuration.IllegalConfigurationException";
pub const ILLEGAL_ARGUMENT: &str = "java.lang.IllegalArgumentException";

impl FlinkError {
    pub fn config(message: impl Into<String>) -> FlinkError {
        FlinkError { exception: ILLEGAL_CONFIGURATION, message: message.into(), keys: Vec::new() }
    }

    pub fn argument(message: impl Into<String>) -> FlinkError {
        FlinkError { exception: ILLEGAL_ARGUMENT, message: message.into(), keys: Vec::new() }
    }

    /// Notes an option key the error is about.
    pub fn at(mut self, key: &'static str) -> FlinkError {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
        self
    }

    /// Flink's `new IllegalConfigurationException(prefix + e.getMessage(), e)` wrapping
    /// (only configuration exceptions are wrapped, as in Flink).
    pub fn prefixed(mut self, prefix: &str) -> FlinkError {
        if self.exception == ILLEGAL_CONFIGURATION {
            self.message = format!("{prefix}{}", self.message);
        }
        self
    }
}

impl fmt::Display for FlinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FlinkError {}
