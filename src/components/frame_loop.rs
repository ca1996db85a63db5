//! A requestAnimationFrame loop tied to the current component: `f(dt_ms)` runs once per
//! frame until the component is cleaned up.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Calls `f` with the milliseconds since the previous frame (at most 100, so a tab that was
/// in the background does not jump), every animation frame while the owner lives.
pub fn every_frame(mut f: impl FnMut(f64) + 'static) {
    // The pending request's id: cancelled on cleanup before the closure is dropped, so the
    // browser never calls a dropped closure.
    let pending = Rc::new(Cell::new(None::<i32>));
    let last = Cell::new(None::<f64>);
    let cb: FrameCallback = Rc::new(RefCell::new(None));
    let (cb2, pending2) = (cb.clone(), pending.clone());
    *cb.borrow_mut() = Some(Closure::new(move |ts: f64| {
        let dt = last.get().map_or(16.0, |l| (ts - l).clamp(0.0, 100.0));
        last.set(Some(ts));
        f(dt);
        if let Some(next) = cb2.borrow().as_ref() {
            pending2.set(window().request_animation_frame(next.as_ref().unchecked_ref()).ok());
        }
    }));
    if let Some(first) = cb.borrow().as_ref() {
        pending.set(window().request_animation_frame(first.as_ref().unchecked_ref()).ok());
    }
    let cleanup = send_wrapper::SendWrapper::new((pending, cb));
    on_cleanup(move || {
        let (pending, cb) = cleanup.take();
        if let Some(id) = pending.take() {
            let _ = window().cancel_animation_frame(id);
        }
        cb.borrow_mut().take();
    });
}
