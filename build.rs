//! Rebuilds the app when a locale file changes: `load_locales!` (src/lib.rs) reads
//! `locales/*.json` at compile time, but cargo does not know it does.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
