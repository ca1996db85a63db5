//! Reusable views shared by the pages. Each is a thin view over plain Rust types.
pub mod block_table;
pub mod buddy_tree;
pub mod css;
pub mod download;
pub mod evidence_chart;
pub mod frame_loop;
pub mod keys;
pub mod memory_model;
pub mod page_grid;
pub mod placeholder;
pub mod pool_canvas;
pub mod rich;
pub mod script_editor;
pub mod sparkline;
