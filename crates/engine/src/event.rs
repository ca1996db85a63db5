//! Fine-grained events: what one operation did, in order, with enough data to draw it
//! without re-deriving state. Recording an event costs a push and, for names, a copy of an
//! inline [`Name`] (a reference count increment for names longer than 22 bytes).

use serde::Serialize;

use crate::name::Name;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Event {
    /// A free block was cut: the low `size` bytes are being allocated, the rest stays free.
    Split {
        offset: u64,
        size: u64,
        rest_offset: u64,
        rest_size: u64,
    },
    /// Buddy pools: the free block of `2 × size` bytes at `offset` was cut into two buddies
    /// of `size`; the low one goes on to serve the request, the high one stays free.
    Halve {
        offset: u64,
        size: u64,
    },
    /// A block (or, in pages mode, one run of pages) now belongs to `name`, refcount 1.
    Allocate {
        name: Name,
        offset: u64,
        size: u64,
        owner: Option<Name>,
    },
    Retain {
        name: Name,
        refcount: u32,
    },
    /// The reference count went down; at 0 the block is unreferenced (or freed, in eager
    /// and coalesce modes).
    Release {
        name: Name,
        refcount: u32,
    },
    /// A sweep is about to visit the pool (for the scanner animation).
    SweepStart,
    /// A sweep found an unreferenced block.
    Mark {
        name: Name,
        offset: u64,
        size: u64,
    },
    /// A block (or run of pages) became free.
    Free {
        name: Name,
        offset: u64,
        size: u64,
    },
    /// Adjacent free blocks became one: `parts` (offset, size) → one block at `offset`.
    Merge {
        offset: u64,
        size: u64,
        parts: Vec<(u64, u64)>,
    },
    SweepEnd {
        freed: u64,
        merged: u64,
    },
    /// Compaction slid a live block (or run of pages) from one offset to another.
    Move {
        name: Name,
        from: u64,
        to: u64,
        size: u64,
    },
    /// An operation failed; `reason` is the cause slug and `error` the cause itself (in JSON:
    /// `message`, its English sentence; `describe` says it in another language).
    Fail {
        op: String,
        reason: &'static str,
        #[serde(rename = "message", serialize_with = "crate::model::as_message")]
        error: crate::model::OpError,
    },
}
