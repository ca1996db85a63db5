//! memlab allocator engine (being built).
#![forbid(unsafe_code)]
