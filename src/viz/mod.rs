//! The visualizer's logic as plain Rust (no DOM): playback state, the scene drawn at any
//! moment of a step, share links. Components in `crate::components` only draw these.
pub mod buddy_tree;
pub mod player;
pub mod scene;
pub mod share;
