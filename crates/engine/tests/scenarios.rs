//! Every built-in scenario, with the expected layout worked out by hand from the rules in
//! the scenario language's documentation (not captured from the engine's own output).

use memlab_engine::{scenarios, script, Block, BlockState, Engine, Timeline};

const MB: u64 = 1 << 20;

fn run(id: &str) -> Timeline {
    let s = scenarios::get(id).unwrap_or_else(|| panic!("no scenario {id}"));
    let t = Timeline::run(&script::parse(s.text).unwrap()).unwrap();
    // Invariants hold at every step.
    for step in 0..=t.len() {
        if let Err(e) = t.state_at(step).check_invariants() {
            panic!("{id} step {step}: {e}");
        }
    }
    t
}

/// (offset MB, size MB, state, name) for each block.
fn layout(e: &Engine) -> Vec<(u64, u64, BlockState, String)> {
    e.blocks()
        .iter()
        .map(|b: &Block| (b.offset / MB, b.size / MB, b.state, b.name.as_deref().unwrap_or("").to_string()))
        .collect()
}

use BlockState::{Free, Live, Unreferenced};

fn s(x: &str) -> String {
    x.to_string()
}

#[test]
fn seed_sweep_leaves_two_non_adjacent_free_blocks_and_compaction_makes_40mb() {
    let t = run("seed-10-20-30");
    assert_eq!(t.len(), 9);
    // After `release c` (step 6): both unreferenced, nothing free yet.
    assert_eq!(
        layout(&t.state_at(6)),
        vec![(0, 10, Unreferenced, s("a")), (10, 20, Live, s("b")), (30, 30, Unreferenced, s("c"))]
    );
    // After the sweep (step 7): two free blocks, 10 MB and 30 MB, not merged.
    assert_eq!(
        layout(&t.state_at(7)),
        vec![(0, 10, Free, s("")), (10, 20, Live, s("b")), (30, 30, Free, s(""))]
    );
    assert_eq!(t.state_at(7).blocks()[1].refcount, 2);
    let m = t.state_at(7).metrics();
    assert_eq!((m.free, m.largest_free, m.free_blocks), (40 * MB, 30 * MB, 2));
    assert!((m.fragmentation - 0.25).abs() < 1e-12);
    // The 40 MB request fails for fragmentation.
    assert_eq!(t.failures().len(), 1);
    assert_eq!(
        (t.failures()[0].step, t.failures()[0].line, t.failures()[0].reason),
        (8, 15, "fragmentation")
    );
    // Compaction: b slides to 0, one free 40 MB block.
    assert_eq!(layout(t.final_state()), vec![(0, 20, Live, s("b")), (20, 40, Free, s(""))]);
}

#[test]
fn fragmentation_oom_has_half_the_pool_free_in_10mb_holes() {
    let t = run("fragmentation-oom");
    let f = t.failures();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].reason, "fragmentation");
    let m = t.final_state().metrics();
    assert_eq!((m.free, m.largest_free, m.free_blocks), (50 * MB, 10 * MB, 5));
    let expect: Vec<_> = (0..10)
        .map(|i| if i % 2 == 0 { (i * 10, 10, Free, s("")) } else { (i * 10, 10, Live, format!("a{i}")) })
        .collect();
    assert_eq!(layout(t.final_state()), expect);
}

#[test]
fn leak_scenario_names_the_two_caches() {
    let t = run("leak");
    assert!(t.failures().is_empty(), "{:?}", t.failures());
    let names: Vec<String> =
        t.final_state().metrics().leak_suspects.iter().map(|l| l.name.to_string()).collect();
    assert_eq!(names, ["cache-1", "cache-2"]);
    assert_eq!(t.len(), 802);
}

#[test]
fn quota_violations_fail_as_quota_while_memory_is_free() {
    let t = run("quota-slots");
    let reasons: Vec<(u32, &str)> = t.failures().iter().map(|f| (f.line, f.reason)).collect();
    assert_eq!(reasons, [(10, "quota"), (12, "quota")]);
    assert!(
        t.failures()[0].message().contains("te1.s1 would hold 35 MiB (36700160 bytes)"),
        "{}",
        t.failures()[0].message()
    );
    let m = t.final_state().metrics();
    assert!(m.overcommitted);
    let use_of =
        |o: &str| m.owners.iter().find(|u| &*u.owner == o).map(|u| (u.used / MB, u.quota.map(|q| q / MB)));
    assert_eq!(use_of("te1"), Some((55, Some(60))));
    assert_eq!(use_of("te1.s1"), Some((30, Some(30))));
    assert_eq!(use_of("te1.s2"), Some((25, Some(30))));
    assert_eq!(use_of("te2"), Some((40, Some(50))));
    assert_eq!(
        layout(t.final_state()),
        vec![
            (0, 20, Live, s("s1-sort")),
            (20, 25, Live, s("s2-join")),
            (45, 40, Live, s("te2-a")),
            (85, 10, Live, s("s1-hash")),
            (95, 5, Free, s(""))
        ]
    );
}

#[test]
fn pages_serve_the_request_that_fragmentation_refused() {
    let t = run("batch-sort-pages");
    assert!(t.failures().is_empty());
    let b = t.final_state().blocks();
    let sort: Vec<(u64, u64)> = b
        .iter()
        .filter(|x| x.name.as_deref() == Some("sort-buffer"))
        .map(|x| (x.offset / MB, x.size / MB))
        .collect();
    assert_eq!(sort, [(0, 10), (20, 10)], "the lowest free pages: the holes of a0 and a2");
    let idx: Vec<(u64, u64)> =
        b.iter().filter(|x| x.name.as_deref() == Some("spill-index")).map(|x| (x.offset, x.size)).collect();
    assert_eq!(idx, [(40 * MB, 128 << 10)]);
    let m = t.final_state().metrics();
    assert_eq!(m.internal_waste, 28 << 10);
    assert_eq!(m.fragmentation, 0.0);
    assert_eq!(m.largest_free, m.free);
}

#[test]
fn network_gate_fails_with_flinks_message_until_buffers_return() {
    let t = run("network-buffers");
    let f = t.failures();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].reason, "insufficient-network-buffers");
    assert!(
        f[0].message().starts_with("Insufficient number of network buffers: required 408, but only 224 available. The total number of network buffers is currently set to 2048 of 32768 bytes each."),
        "{}",
        f[0].message()
    );
    let m = t.final_state().metrics();
    // 808 + 808 + 408 segments in use.
    assert_eq!(m.used, (808 + 808 + 408) * 32768);
}

#[test]
fn best_fit_succeeds_where_first_fit_fragments() {
    let text = scenarios::get("first-vs-best-fit").unwrap().text;
    let mut sc = script::parse(text).unwrap();
    let ff = Timeline::run(&sc).unwrap();
    assert_eq!(ff.failures().iter().map(|f| f.reason).collect::<Vec<_>>(), ["fragmentation"]);
    sc.pool.policy = memlab_engine::Policy::BestFit;
    let bf = Timeline::run(&sc).unwrap();
    assert!(bf.failures().is_empty());
    assert_eq!(
        layout(bf.final_state()),
        vec![
            (0, 30, Live, s("y")),
            (30, 5, Live, s("gap1")),
            (35, 20, Live, s("x")),
            (55, 5, Live, s("gap2")),
            (60, 40, Live, s("c"))
        ]
    );
}

#[test]
fn buddy_rounds_up_halves_and_merges_only_buddies() {
    let t = run("buddy");
    assert_eq!(t.len(), 10);
    // alloc a 10mb: 64 → 32 + 32 → 16 + 16; a takes the low 16 MB.
    assert_eq!(
        layout(&t.state_at(1)),
        vec![(0, 16, Live, s("a")), (16, 16, Free, s("")), (32, 32, Free, s(""))]
    );
    assert_eq!(t.state_at(1).metrics().internal_waste, 6 * MB);
    // b (5 MB → 8) halves a's buddy; c (8 MB) takes b's buddy without halving.
    assert_eq!(
        layout(&t.state_at(3)),
        vec![(0, 16, Live, s("a")), (16, 8, Live, s("b")), (24, 8, Live, s("c")), (32, 32, Free, s(""))]
    );
    // The first sweep frees a and c; a's buddy (16–32) is not whole and c's buddy is b,
    // live, so nothing merges: c and the top half stay apart though side by side.
    assert_eq!(
        layout(&t.state_at(6)),
        vec![(0, 16, Free, s("")), (16, 8, Live, s("b")), (24, 8, Free, s("")), (32, 32, Free, s(""))]
    );
    let m = t.state_at(6).metrics();
    assert_eq!((m.free, m.largest_free, m.free_blocks), (56 * MB, 32 * MB, 3));
    // 40 MB needs a 64 MB block: more than the 56 MB free, so the pool is exhausted.
    assert_eq!(t.failures().len(), 1);
    let f = &t.failures()[0];
    assert_eq!((f.step, f.line, f.reason), (7, 16, "exhausted"));
    assert!(f.error.to_string().contains("takes a 64 MiB buddy block"), "{}", f.error);
    // Freeing b merges b + c, then + a, then + the top half: one 64 MB block.
    assert_eq!(layout(&t.state_at(9)), vec![(0, 64, Free, s(""))]);
    assert_eq!(layout(t.final_state()), vec![(0, 64, Live, s("d"))]);
    assert_eq!(t.final_state().metrics().internal_waste, 24 * MB);
}

#[test]
fn buddy_neighbours_that_are_not_buddies_fail_a_request_as_fragmentation() {
    let text = "pool 32b policy buddy\nalloc a 8b\nalloc b 8b\nalloc c 8b\nalloc d 8b\nrelease b\nrelease c\nsweep\nalloc e 9b\ncompact\nalloc e 9b";
    let t = Timeline::run(&script::parse(text).unwrap()).unwrap();
    // b (8–16) and c (16–24) are free and side by side, but their buddies are a and d.
    let f = &t.failures()[0];
    assert_eq!((f.step, f.reason), (8, "fragmentation"));
    let msg = f.error.describe(memlab_text::Lang::En);
    assert!(msg.contains("merges only with its buddy"), "{msg}");
    assert!(memlab_text::has_han(&f.error.describe(memlab_text::Lang::Zh)));
    // Compaction packs a and d into 0–16 (d moves down), freeing the 16-byte block at 16.
    let blocks: Vec<_> =
        t.final_state().blocks().iter().map(|b| (b.offset, b.size, b.name.clone())).collect();
    assert_eq!(blocks, [(0, 8, Some("a".into())), (8, 8, Some("d".into())), (16, 16, Some("e".into()))]);
    assert_eq!(t.failures().len(), 1);
}

#[test]
fn streaming_churn_runs_every_generated_step() {
    let t = run("streaming-churn");
    assert_eq!(t.len(), 5000);
    assert!(t.final_state().metrics().live_blocks > 100);
}

#[test]
fn every_scenario_has_a_title_and_a_teaching_note() {
    assert_eq!(scenarios::ALL[0].id, "seed-10-20-30");
    assert!(scenarios::ALL.len() >= 8);
    for sc in scenarios::ALL {
        assert!(!sc.title().is_empty() && sc.about().len() > 80, "{}", sc.id);
        // And in 简体中文: a title and a note with Chinese in them, not an English copy.
        let (t, a) = (sc.title_in(memlab_text::Lang::Zh), sc.about_in(memlab_text::Lang::Zh));
        let cjk = memlab_text::has_han;
        assert!(cjk(&t) && cjk(&a) && a.chars().count() > 40, "{}: no 简体中文 title/about", sc.id);
        script::parse(sc.text).unwrap_or_else(|e| panic!("{}: {e}", sc.id));
    }
}

/// The layout after the streaming-churn scenario, as a fingerprint. The app's wasm test
/// (tests/web.rs) asserts the same number: the engine is deterministic across platforms.
pub const CHURN_FINGERPRINT: u64 = 0x7117_0290_2efe_22bf;

#[test]
fn churn_is_deterministic_and_matches_the_wasm_build() {
    let a = run("streaming-churn").final_state().fingerprint();
    let b = run("streaming-churn").final_state().fingerprint();
    assert_eq!(a, b);
    assert_eq!(a, CHURN_FINGERPRINT, "{a:#x}");
}

#[test]
fn scrubbing_rebuilds_every_step_exactly() {
    // A run long enough to thin its checkpoints: every rebuilt step equals a fresh replay.
    let text =
        "pool 256mb policy next-fit autosweep 7\nworkload churn seed=9 ops=3000 min=4kb max=1mb live=80";
    let t = Timeline::run(&script::parse(text).unwrap()).unwrap();
    let mut e = Engine::new(script::parse(text).unwrap().pool, &[]).unwrap();
    for step in 1..=t.len() {
        let _ = e.apply(t.op_at(step).unwrap().1);
        if step % 97 == 0 || step == t.len() {
            assert_eq!(t.state_at(step).fingerprint(), e.fingerprint(), "step {step}");
            let (before, after, _) = t.transition(step);
            assert_eq!(after.fingerprint(), e.fingerprint());
            assert_eq!(before.fingerprint(), t.state_at(step - 1).fingerprint());
        }
    }
    // Backwards too.
    assert_eq!(t.state_at(5).fingerprint(), t.state_at(5).fingerprint());
    assert_eq!(t.samples().len(), t.len() + 1);
}
