//! memlab — Flink Memory Lab, the browser app.
//!
//! Thin Leptos views over the pure cores in `crates/`: the app holds signals and renders;
//! the engine and the Flink model do the work (and are tested natively).

pub mod app;
pub mod components;
pub mod lang;
pub mod lessons;
pub mod nav;
pub mod pages;
pub mod route;
pub mod session;
pub mod state;
pub mod viz;

pub use app::App;

// `locales/en.json` and `locales/zh.json` become the `i18n` module: `t!(i18n, key)` fails to
// compile for a key English lacks; a key Chinese lacks is a warning ("Missing key … in locale
// zh", an error under clippy -D warnings) and fails `tests/locales.rs`.
// (The crate's public `load_locales!` is deprecated in favour of a build script,
// `leptos_i18n_build`, which pulls ICU's data-generation crates — `icu_provider_source`
// with its `networking` feature — into an offline build; this is the same macro.)
leptos_i18n::__private::macros_reexport::load_locales!();
