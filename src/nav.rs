//! Moving around the app: the route signal shared through context ([`Router`]), the
//! address bar it writes (at once, or after a pause for a long link), and [`Remount`] to open
//! the current page afresh. Pages and the shell use it; it uses neither.

use leptos::prelude::*;

use crate::route::Route;

/// Bumped to open the current page afresh when a lesson step changes its state (pages read
/// their state from the address bar when they open).
#[derive(Clone, Copy, Debug)]
pub struct Remount(pub RwSignal<u32>);

/// The current route, shared through context so any component can read or navigate.
#[derive(Clone, Copy, Debug)]
pub struct Router {
    pub route: RwSignal<Route>,
}

impl Router {
    /// Moves to `route`, adding a browser history entry. A deferred address-bar write for
    /// the entry being left is done first, so it lands on that entry and not on the new one.
    pub fn push(&self, route: Route) {
        flush_pending();
        write_history(&route.to_query(), true);
        self.route.set(route);
    }

    /// Updates the address bar without a new history entry (for state such as a step). A
    /// long link (a pasted script of many thousand lines) is written once the changes pause
    /// ([`LONG_LINK_DELAY`]): `history.replaceState` copies the whole link, which at 100 KB
    /// costs tens of milliseconds per step. The page itself follows the route at once.
    pub fn replace(&self, route: Route) {
        let url = route.to_query();
        cancel_pending();
        if url.len() < LONG_LINK {
            write_history(&url, false);
        } else {
            defer_replace(url);
        }
        self.route.set(route);
    }
}

/// A link of this many bytes or more is written to the address bar after a pause.
const LONG_LINK: usize = 16 * 1024;
/// How long the changes to a long link must pause before it is written.
const LONG_LINK_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

thread_local! {
    /// The deferred address-bar write: its timer and the link it will write.
    static PENDING: std::cell::RefCell<Option<(TimeoutHandle, String)>> =
        const { std::cell::RefCell::new(None) };
}

fn defer_replace(url: String) {
    let write = move || {
        if let Some((_, url)) = PENDING.with(|p| p.borrow_mut().take()) {
            write_history(&url, false);
        }
    };
    match set_timeout_with_handle(write, LONG_LINK_DELAY) {
        Ok(handle) => PENDING.with(|p| *p.borrow_mut() = Some((handle, url))),
        // No timer: write at once rather than never.
        Err(_) => write_history(&url, false),
    }
}

/// Drops the deferred write (the history entry it was for is no longer the current one,
/// or a newer link replaces it).
pub fn cancel_pending() {
    if let Some((handle, _)) = PENDING.with(|p| p.borrow_mut().take()) {
        handle.clear();
    }
}

/// Writes the deferred link now, to the current history entry.
pub fn flush_pending() {
    if let Some((handle, url)) = PENDING.with(|p| p.borrow_mut().take()) {
        handle.clear();
        write_history(&url, false);
    }
}

pub fn current_query() -> String {
    window().location().search().unwrap_or_default()
}

fn write_history(url: &str, push: bool) {
    let Ok(history) = window().history() else { return };
    let state = wasm_bindgen::JsValue::NULL;
    // A failure here only means the address bar lags behind; the page itself is right.
    let _ = if push {
        history.push_state_with_url(&state, "", Some(url))
    } else {
        history.replace_state_with_url(&state, "", Some(url))
    };
}
