//! Best-fit keeps free blocks smaller than every request so far (slivers) out of its
//! ordered index until a request that small arrives (`free_index.rs`). These scripts make
//! slivers first and then ask for them, with the answers worked out by hand from the
//! policy's rule: the smallest free block that fits, lowest offset on ties.

use memlab_engine::{script, BlockState, Timeline};

/// (offset, size, name) of every live block after running `text`, checking invariants at
/// every step.
fn live(text: &str) -> Vec<(u64, u64, String)> {
    let t = Timeline::run(&script::parse(text).unwrap()).unwrap();
    for step in 0..=t.len() {
        t.state_at(step).check_invariants().unwrap_or_else(|e| panic!("step {step}: {e}"));
    }
    assert!(t.failures().is_empty(), "{:?}", t.failures());
    let blocks = t.final_state().blocks();
    blocks
        .iter()
        .filter(|b| b.state == BlockState::Live)
        .map(|b| (b.offset, b.size, b.name.as_deref().unwrap_or("").to_string()))
        .collect()
}

/// No request under 64 bytes (the first floor) until the tests' own: slivers of 10 bytes at
/// 100 and of 50 bytes at 238, a free top of 672 bytes at 352.
const SETUP: &str = "
pool 1kb policy best-fit coalesce
alloc a 110b
alloc sep1 64b
alloc b 114b
alloc sep2 64b
release a          # free: 110 bytes at 0
release b          # free: 114 bytes at 174
alloc c 100b       # the 110 at 0 fits best: a 10-byte sliver is left at 100
alloc d 64b        # the 114 at 174 fits best: a 50-byte sliver is left at 238
";

fn blocks(list: &[(u64, u64, &str)]) -> Vec<(u64, u64, String)> {
    list.iter().map(|&(o, s, n)| (o, s, n.to_string())).collect()
}

#[test]
fn small_requests_find_the_slivers_best_fit_left() {
    // 40 bytes: the 50 at 238 fits best (leaving 10 at 278); 10 bytes: the two 10s fit
    // exactly and tie, and the lower one, at 100, wins.
    let got = live(&format!("{SETUP}alloc e 40b\nalloc f 10b\n"));
    let want =
        [(0, 100, "c"), (100, 10, "f"), (110, 64, "sep1"), (174, 64, "d"), (238, 40, "e"), (288, 64, "sep2")];
    assert_eq!(got, blocks(&want));
}

#[test]
fn a_sliver_that_merges_past_the_floor_is_found_by_size() {
    // Releasing sep1 merges the 10-byte sliver at 100 with its 64 bytes: 74 bytes at 100,
    // the best fit for 70 (the top has 672).
    let got = live(&format!("{SETUP}release sep1\nalloc g 70b\n"));
    assert_eq!(got, blocks(&[(0, 100, "c"), (100, 70, "g"), (174, 64, "d"), (288, 64, "sep2")]));
}

#[test]
fn the_largest_free_block_and_worst_fit_count_slivers() {
    // With the top filled only the slivers are free: the largest free block is one.
    let text = format!("{SETUP}alloc top 672b\n");
    let t = Timeline::run(&script::parse(&text).unwrap()).unwrap();
    let m = t.final_state().metrics();
    assert_eq!((m.free, m.largest_free, m.free_blocks), (60, 50, 2));
    // Worst-fit: 70 bytes from the only free block (100 at 0) leave a 30-byte sliver,
    // which is then the largest free block: 5 bytes go there.
    let worst = "pool 1kb policy worst-fit coalesce\nalloc a 100b\nalloc b 924b\nrelease a\nalloc c 70b\nalloc s 5b\n";
    assert_eq!(live(worst), blocks(&[(0, 70, "c"), (70, 5, "s"), (100, 924, "b")]));
}
