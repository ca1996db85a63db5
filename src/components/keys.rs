//! Keyboard shortcuts: shared by the allocator, the cluster replay and the lessons.

use wasm_bindgen::JsCast;

/// Whether a key press belongs to someone typing (a text field, a select) or to a browser
/// shortcut (Ctrl, ⌘, Alt): then no page shortcut may act on it.
pub fn not_for_us(ev: &web_sys::KeyboardEvent) -> bool {
    let typing = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT"));
    typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key()
}
