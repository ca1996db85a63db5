//! memlab — Flink Memory Lab, the browser app.
//!
//! Thin Leptos views over the pure cores in `crates/`: the app holds signals and renders;
//! the engine and the Flink model do the work (and are tested natively).

pub mod app;
pub mod components;
pub mod lang;
pub mod lessons;
pub mod pages;
pub mod route;
pub mod session;
pub mod viz;

pub use app::App;

// `locales/en.json` and `locales/zh.json` become the `i18n` module: `t!(i18n, key)` fails to
// compile for a key English lacks, and a key Chinese lacks warns (a clippy error here) and
// fails `tests/locales.rs`. (The crate's public `load_locales!` is deprecated in favour
// of a build script that needs network access to fetch ICU data; this is the same macro.)
leptos_i18n::__private::macros_reexport::load_locales!();
