//! Flink versions whose memory derivation memlab reproduces. Flink 1.20 and 2.x derive the
//! same bytes and errors; 1.20 also honours the options removed in 2.0 — the legacy heap
//! sizes (`taskmanager.heap.size`/`.mb`, `jobmanager.heap.size`/`.mb`) and the legacy number
//! of network buffers (`taskmanager.network.numberOfBuffers`).

use std::borrow::Cow;

use crate::config::FlinkConfig;
use crate::error::FlinkError;
use crate::options::Opt;
use crate::read;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum FlinkVersion {
    /// Flink 2.0 – 2.3 (checked against 2.3.0).
    #[default]
    V2,
    /// Flink 1.20 (checked against 1.20.5).
    V1_20,
}

impl FlinkVersion {
    pub fn parse(s: &str) -> Option<FlinkVersion> {
        match s.trim() {
            "2" | "2.0" | "2.1" | "2.2" | "2.3" | "2.x" => Some(FlinkVersion::V2),
            "1.20" | "1.20.x" => Some(FlinkVersion::V1_20),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FlinkVersion::V2 => "2.x",
            FlinkVersion::V1_20 => "1.20",
        }
    }
}

/// Flink 1.x's `MemoryBackwardsCompatibilityUtils`: when `target` is not set but a legacy
/// heap key is, the legacy size is used for `target`.
pub fn map_legacy_heap<'a>(
    c: &'a FlinkConfig,
    target: &Opt,
    heap_key: &'static str,
    heap_mb_key: &'static str,
) -> Result<Cow<'a, FlinkConfig>, FlinkError> {
    if read::contains(c, target) {
        return Ok(Cow::Borrowed(c));
    }
    let legacy = if let Some(v) = c.get(heap_key) {
        memlab_size::MemorySize::parse(v)
            .map_err(|e| {
                FlinkError::config(format!("Cannot read memory size from config option '{heap_key}'."))
                    .at(heap_key)
                    .caused_by(
                        crate::error::ILLEGAL_ARGUMENT,
                        format!("Could not parse value '{v}' for key '{heap_key}'."),
                    )
                    .caused_by(crate::error::size_exception(&e), e.to_string())
            })?
            .bytes()
    } else if let Some(v) = c.get(heap_mb_key) {
        let mb: i32 = v.parse().map_err(|_| {
            FlinkError::argument(format!("Could not parse value '{v}' for key '{heap_mb_key}'."))
                .at(heap_mb_key)
                .caused_by(crate::error::NUMBER_FORMAT, crate::error::int_format_message(v))
        })?;
        if mb < 0 {
            return Err(FlinkError::config(format!(
                "Configured total process memory size ({mb}MB) must not be less than 0."
            ))
            .at(heap_mb_key));
        }
        (mb as u64) << 20
    } else {
        return Ok(Cow::Borrowed(c));
    };
    let mut mapped = c.clone();
    mapped.set(target.key, &format!("{legacy}b"));
    Ok(Cow::Owned(mapped))
}
