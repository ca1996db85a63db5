//! The engine in the browser, for `tools/bench-wasm.mjs`: the page builds the `memlab
//! bench` trace and an engine outside the timed part ([`prepare`], [`setup`]), then times
//! [`run`] with `performance.now()`. Built with the workspace's release profile — the one
//! the app ships (`opt-level = "z"`) — so the figure is the product's.
#![forbid(unsafe_code)]

use std::cell::RefCell;

use memlab_engine::{bench, Engine, Op, Policy};
use wasm_bindgen::prelude::*;

thread_local! {
    static TRACE: RefCell<(Vec<Op>, u64)> = const { RefCell::new((Vec::new(), 0)) };
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Builds the trace for `live` blocks; returns its length.
#[wasm_bindgen]
pub fn prepare(ops: u32, live: u32, seed: u32) -> u32 {
    let ops = bench::trace(u64::from(ops), u64::from(live), u64::from(seed));
    let n = ops.len() as u32;
    TRACE.with(|t| *t.borrow_mut() = (ops, bench::pool_for(u64::from(live))));
    n
}

/// A fresh engine for the prepared trace (`policy` as `memlab bench --policy` names it).
#[wasm_bindgen]
pub fn setup(policy: &str, events: bool) -> Result<(), JsError> {
    let policy = Policy::parse(policy).ok_or_else(|| JsError::new(&format!("no policy '{policy}'")))?;
    let pool = TRACE.with(|t| t.borrow().1);
    ENGINE.with(|e| *e.borrow_mut() = Some(bench::engine(pool, policy, events)));
    Ok(())
}

/// Replays the prepared trace through the engine set up last: the timed part. Returns the
/// failed operations (0 for this trace).
#[wasm_bindgen]
pub fn run() -> Result<u32, JsError> {
    let mut engine =
        ENGINE.with(|e| e.borrow_mut().take()).ok_or_else(|| JsError::new("call setup first"))?;
    let (_, failures) = TRACE.with(|t| bench::replay(&mut engine, &t.borrow().0));
    Ok(failures as u32)
}
