//! memlab — Flink Memory Lab, the browser app.
//!
//! Thin Leptos views over the pure cores in `crates/`: the app holds signals and renders;
//! the engine and the Flink model do the work (and are tested natively).

pub mod app;
pub mod components;
pub mod lessons;
pub mod pages;
pub mod route;
pub mod session;
pub mod viz;

pub use app::App;
