#![no_main]
//! Any text: parse it; if it parses and its workloads are small, run it and check the
//! pool's invariants at the end.
use libfuzzer_sys::fuzz_target;
use memlab_engine::script::{parse, StmtKind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(script) = parse(text) else { return };
    let ops: u64 = script
        .body
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Workload(w) => w.ops,
            StmtKind::Op(_) => 1,
        })
        .sum();
    if ops > 100_000 {
        return;
    }
    if let Ok(t) = memlab_engine::Timeline::run(&script) {
        t.final_state().check_invariants().expect("invariants hold");
    }
});
