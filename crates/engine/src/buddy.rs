//! The buddy layout: the classic teaching contrast to Flink's pages and to the free-list
//! policies. Every block is a power of two in size and starts at a multiple of its size.
//!
//! - The pool is first cut into its **top blocks**: the largest power of two that fits,
//!   then the largest that fits in the rest, and so on (60 MiB = 32 + 16 + 8 + 4 MiB). Each
//!   starts at a multiple of its own size, and top blocks never merge with each other.
//! - A request takes the next power of two at or above its size (the rest of the block is
//!   internal waste), from the smallest free block that fits, ties to the lowest address.
//!   A larger block is **halved** until it has the right size: the low half goes on being
//!   cut, the high half (its *buddy*) stays free.
//! - A block's buddy is the block of the same size at `offset XOR size`. Freeing a block
//!   merges it with its buddy if the buddy is free and whole, then the result with its own
//!   buddy, and so on. Two free blocks side by side that are not buddies never merge.
//! - Compaction cannot slide blocks to any offset (a block must start at a multiple of its
//!   size), so it packs them largest first, in address order within each size, into the
//!   top blocks from the lowest: every block lands aligned, and the free space is left in
//!   as few blocks as the buddy rules allow.
//!
//! Invariants (`check`): the blocks tile the pool, each is a power of two aligned to its
//! size and inside one top block, the free lists hold exactly the free blocks, and — unless
//! eager frees are waiting for a sweep — no free block has a free buddy of its size.

use std::collections::{BTreeMap, BTreeSet};

/// A merge of free buddies: the result and the blocks it absorbed, in address order.
pub(crate) struct Merged {
    pub offset: u64,
    pub size: u64,
    pub parts: Vec<(u64, u64)>,
}

#[derive(Clone, Debug)]
pub(crate) struct Buddy {
    pool: u64,
    /// Every block by offset: (size, the allocation holding it; None: free).
    blocks: BTreeMap<u64, (u64, Option<u32>)>,
    /// Free blocks by order: `free[k]` holds the offsets of free blocks of 2^k bytes.
    free: Vec<BTreeSet<u64>>,
    /// Each allocation's offset, by id.
    offsets: Vec<u64>,
    /// Blocks freed without merging (eager release, or a sweep's first pass).
    dirty: Vec<u64>,
}

fn order(size: u64) -> usize {
    size.trailing_zeros() as usize
}

/// The pool's top blocks, largest first: (offset, size).
fn tops(pool: u64) -> Vec<(u64, u64)> {
    let mut at = 0;
    (0..64)
        .rev()
        .filter(|k| pool & (1u64 << k) != 0)
        .map(|k| {
            let t = (at, 1u64 << k);
            at += 1u64 << k;
            t
        })
        .collect()
}

/// The bytes a request of `size` takes: the next power of two, if there is one.
pub(crate) fn block_for(size: u64) -> Option<u64> {
    size.checked_next_power_of_two()
}

impl Buddy {
    pub fn new(pool: u64) -> Buddy {
        let mut b = Buddy {
            pool,
            blocks: BTreeMap::new(),
            free: vec![BTreeSet::new(); 64],
            offsets: Vec::new(),
            dirty: Vec::new(),
        };
        for (offset, size) in tops(pool) {
            b.add_free(offset, size);
        }
        b
    }

    fn add_free(&mut self, offset: u64, size: u64) {
        self.blocks.insert(offset, (size, None));
        self.free[order(size)].insert(offset);
    }

    fn remove_free(&mut self, offset: u64, size: u64) {
        self.blocks.remove(&offset);
        self.free[order(size)].remove(&offset);
    }

    /// The free block a request of `size` bytes takes: the smallest that holds the next
    /// power of two, the lowest-addressed of those. Returns (offset, size).
    pub fn find(&self, size: u64) -> Option<(u64, u64)> {
        let want = order(block_for(size)?);
        (want..64).find_map(|k| self.free[k].first().map(|&o| (o, 1u64 << k)))
    }

    /// Gives allocation `id` a block of `size` (a power of two) cut from the free block at
    /// `offset`, halving it as often as needed; calls `halved(offset, half)` for each halving.
    pub fn take(&mut self, offset: u64, size: u64, id: u32, mut halved: impl FnMut(u64, u64)) {
        let (mut have, alloc) = self.blocks[&offset];
        debug_assert_eq!(alloc, None);
        self.remove_free(offset, have);
        while have > size {
            have /= 2;
            halved(offset, have);
            self.add_free(offset + have, have);
        }
        self.blocks.insert(offset, (size, Some(id)));
        if self.offsets.len() <= id as usize {
            self.offsets.resize(id as usize + 1, 0);
        }
        self.offsets[id as usize] = offset;
    }

    /// Allocation `id`'s block: (offset, size).
    pub fn block_of(&self, id: u32) -> (u64, u64) {
        self.held(id).expect("a known allocation has a block")
    }

    /// Allocation `id`'s block, if it holds one (for invariant checks).
    pub fn held(&self, id: u32) -> Option<(u64, u64)> {
        let offset = *self.offsets.get(id as usize)?;
        self.blocks.get(&offset).filter(|b| b.1 == Some(id)).map(|b| (offset, b.0))
    }

    /// Frees allocation `id`'s block. With `merge`, merges it with its free buddies at once;
    /// otherwise leaves that to a sweep.
    pub fn release(&mut self, id: u32, merge: bool) -> Option<Merged> {
        let (offset, size) = self.block_of(id);
        self.blocks.remove(&offset);
        self.add_free(offset, size);
        if merge {
            self.merge_from(offset)
        } else {
            self.dirty.push(offset);
            None
        }
    }

    /// Merges the free block at `offset` with its buddy while the buddy is free and whole.
    fn merge_from(&mut self, mut offset: u64) -> Option<Merged> {
        let Some(&(mut size, None)) = self.blocks.get(&offset) else { return None };
        let mut parts = vec![(offset, size)];
        loop {
            let buddy = offset ^ size;
            if self.blocks.get(&buddy) != Some(&(size, None)) {
                break;
            }
            self.remove_free(buddy, size);
            self.remove_free(offset, size);
            parts.push((buddy, size));
            offset = offset.min(buddy);
            size *= 2;
            self.add_free(offset, size);
        }
        if parts.len() < 2 {
            return None;
        }
        parts.sort_unstable();
        Some(Merged { offset, size, parts })
    }

    /// Merges every block freed without merging since the last call, in address order.
    pub fn merge_dirty(&mut self) -> Vec<Merged> {
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        dirty.into_iter().filter_map(|o| self.merge_from(o)).collect()
    }

    /// Packs every used block largest first (address order within a size) into the top
    /// blocks from the lowest, and re-cuts the free space into aligned blocks. Calls
    /// `moved(alloc, from, to, size)` for each block that moves. Leaves the layout as it is
    /// (returns false) if the blocks could not all be placed, which the buddy rules rule out.
    pub fn compact(&mut self, mut moved: impl FnMut(u32, u64, u64, u64)) -> bool {
        let mut used: Vec<(u64, u64, u32)> =
            self.blocks.iter().filter_map(|(&o, &(s, a))| Some((o, s, a?))).collect();
        used.sort_by_key(|&(o, s, _)| (std::cmp::Reverse(s), o));
        let tops = tops(self.pool);
        let mut ends: Vec<u64> = tops.iter().map(|t| t.0).collect();
        let mut placed = Vec::with_capacity(used.len());
        for &(from, size, alloc) in &used {
            let Some(t) = (0..tops.len()).find(|&t| ends[t] + size <= tops[t].0 + tops[t].1) else {
                return false;
            };
            placed.push((alloc, from, ends[t], size));
            ends[t] += size;
        }
        self.blocks.clear();
        self.free.iter_mut().for_each(BTreeSet::clear);
        self.dirty.clear();
        for &(alloc, from, to, size) in &placed {
            self.blocks.insert(to, (size, Some(alloc)));
            self.offsets[alloc as usize] = to;
            if from != to {
                moved(alloc, from, to, size);
            }
        }
        for (t, &(start, size)) in tops.iter().enumerate() {
            let (mut at, end) = (ends[t], start + size);
            while at < end {
                // The largest block that starts at `at` (aligned) and fits before `end`.
                let mut s = if at == start { size } else { 1u64 << at.trailing_zeros() };
                while at + s > end {
                    s /= 2;
                }
                self.add_free(at, s);
                at += s;
            }
        }
        true
    }

    /// Every block in address order: (offset, size, the allocation holding it; None: free).
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64, Option<u32>)> + '_ {
        self.blocks.iter().map(|(&o, &(s, a))| (o, s, a))
    }

    pub fn free_len(&self) -> usize {
        self.free.iter().map(BTreeSet::len).sum()
    }

    pub fn largest(&self) -> u64 {
        (0..64).rev().find(|&k| !self.free[k].is_empty()).map_or(0, |k| 1u64 << k)
    }

    /// Checks the layout's invariants.
    pub fn check(&self) -> Result<(), crate::invariant::InvariantError> {
        let tops = tops(self.pool);
        let mut at = 0u64;
        let mut free_seen = 0;
        for (&offset, &(size, alloc)) in &self.blocks {
            if offset != at {
                return crate::invariant::fail(format!(
                    "gap or overlap: block at {offset} but previous ended at {at}"
                ));
            }
            if !size.is_power_of_two() || !offset.is_multiple_of(size) {
                return crate::invariant::fail(format!(
                    "block at {offset} of {size} bytes is not an aligned power of two"
                ));
            }
            let top = tops.iter().find(|t| t.0 <= offset && offset < t.0 + t.1).expect("inside the pool");
            if offset + size > top.0 + top.1 {
                return crate::invariant::fail(format!(
                    "block at {offset} of {size} bytes crosses a top block's end"
                ));
            }
            match alloc {
                None => {
                    free_seen += 1;
                    if !self.free[order(size)].contains(&offset) {
                        return crate::invariant::fail(format!(
                            "free block at {offset} is missing from its free list"
                        ));
                    }
                    if self.dirty.is_empty() && self.blocks.get(&(offset ^ size)) == Some(&(size, None)) {
                        return crate::invariant::fail(format!(
                            "free block at {offset} and its free buddy were not merged"
                        ));
                    }
                }
                Some(alloc) if self.offsets.get(alloc as usize) != Some(&offset) => {
                    return crate::invariant::fail(format!("allocation {alloc} is not at {offset}"));
                }
                Some(_) => {}
            }
            at += size;
        }
        if at != self.pool {
            return crate::invariant::fail(format!(
                "blocks add up to {at} bytes, the pool has {}",
                self.pool
            ));
        }
        if self.free_len() != free_seen {
            return crate::invariant::fail(format!(
                "{free_seen} free blocks, the free lists hold {}",
                self.free_len()
            ));
        }
        Ok(())
    }
}

/// What a block's buddy is, as a listing of a buddy pool shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuddyOf {
    /// A top block: its buddy would lie beyond the pool, so it never merges.
    None,
    /// The block at this index of the listing, of the same size.
    Whole(usize),
    /// The buddy's range, at this offset, is cut into smaller blocks.
    Split(u64),
}

/// The buddy of `blocks[i]` in the listing of a buddy pool of `pool` bytes (blocks in
/// address order, as [`crate::Engine::blocks`] gives them).
pub fn buddy_of(blocks: &[crate::Block], pool: u64, i: usize) -> BuddyOf {
    let Some(b) = blocks.get(i) else { return BuddyOf::None };
    let at = b.offset ^ b.size;
    if at.checked_add(b.size).is_none_or(|end| end > pool) {
        return BuddyOf::None;
    }
    match blocks.binary_search_by_key(&at, |x| x.offset) {
        Ok(j) if blocks[j].size == b.size => BuddyOf::Whole(j),
        _ => BuddyOf::Split(at),
    }
}

/// One node of a buddy pool's tree, as [`buddy_tree`] lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeNode {
    pub offset: u64,
    pub size: u64,
    /// Halvings from the node's top block (a top block is at depth 0).
    pub depth: u32,
    /// The listed block this node is, or `None` for a block that is split in two.
    pub block: Option<usize>,
}

/// The tree of a buddy pool of `pool` bytes whose blocks are `blocks` (in address order, as
/// [`crate::Engine::blocks`] gives them): every listed block, and above it every block it
/// was halved from, up to its top block. Sorted by depth, then offset, so each row of the
/// picture is one depth. Two children of one split node are buddies; a listing that is not
/// a buddy pool's (a block that is not an aligned power of two inside a top block) gives
/// only the blocks that are.
pub fn buddy_tree(blocks: &[crate::Block], pool: u64) -> Vec<TreeNode> {
    let tops = tops(pool);
    let mut nodes = std::collections::BTreeMap::new();
    for (i, b) in blocks.iter().enumerate() {
        let Some(&(top_at, top)) = tops.iter().find(|&&(o, s)| (o..o + s).contains(&b.offset)) else {
            continue;
        };
        if !b.size.is_power_of_two() || b.size > top || b.offset % b.size != 0 {
            continue;
        }
        let depth = (top / b.size).trailing_zeros();
        nodes.insert((depth, b.offset), TreeNode { offset: b.offset, size: b.size, depth, block: Some(i) });
        for up in 1..=depth {
            let size = b.size << up;
            let offset = top_at + ((b.offset - top_at) & !(size - 1));
            let key = (depth - up, offset);
            if nodes.contains_key(&key) {
                break; // Its ancestors are in already.
            }
            nodes.insert(key, TreeNode { offset, size, depth: depth - up, block: None });
        }
    }
    nodes.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_block_knows_its_buddy() {
        use crate::{script, Timeline};
        let text = "pool 60b policy buddy\nalloc x 32b\nalloc a 4b\nalloc b 2b";
        let t = Timeline::run(&script::parse(text).unwrap()).unwrap();
        let blocks = t.final_state().blocks();
        let at: Vec<(u64, u64)> = blocks.iter().map(|b| (b.offset, b.size)).collect();
        // x takes the top 32; a the top 4 at 56; b halves the top 8 at 48 twice.
        assert_eq!(at, [(0, 32), (32, 16), (48, 2), (50, 2), (52, 4), (56, 4)]);
        assert_eq!(buddy_of(&blocks, 60, 2), BuddyOf::Whole(3));
        assert_eq!(buddy_of(&blocks, 60, 3), BuddyOf::Whole(2));
        assert_eq!(buddy_of(&blocks, 60, 4), BuddyOf::Split(48));
        for top in [0, 1, 5] {
            assert_eq!(buddy_of(&blocks, 60, top), BuddyOf::None, "{top}");
        }
    }

    #[test]
    fn the_tree_holds_every_block_and_the_blocks_it_was_halved_from() {
        use crate::{script, Timeline};
        // The built-in scenario after its first sweep (step 6): a and c freed, b live.
        let text = crate::scenarios::get("buddy").unwrap().text;
        let t = Timeline::run(&script::parse(text).unwrap()).unwrap();
        let blocks = t.state_at(6).blocks();
        let tree: Vec<(u32, u64, u64, Option<&str>)> = buddy_tree(&blocks, 64 << 20)
            .iter()
            .map(|n| (n.depth, n.offset >> 20, n.size >> 20, n.block.map(|i| blocks[i].state.name())))
            .collect();
        assert_eq!(
            tree,
            [
                (0, 0, 64, None),
                (1, 0, 32, None),
                (1, 32, 32, Some("free")),
                (2, 0, 16, Some("free")),
                (2, 16, 16, None),
                (3, 16, 8, Some("live")),
                (3, 24, 8, Some("free")),
            ]
        );
        // A pool that is not a power of two has several roots, one per top block.
        let text = "pool 60b policy buddy\nalloc x 32b\nalloc a 4b\nalloc b 2b";
        let t = Timeline::run(&script::parse(text).unwrap()).unwrap();
        let blocks = t.final_state().blocks();
        let tree: Vec<(u32, u64, u64, bool)> =
            buddy_tree(&blocks, 60).iter().map(|n| (n.depth, n.offset, n.size, n.block.is_none())).collect();
        assert_eq!(
            tree,
            [
                (0, 0, 32, false),
                (0, 32, 16, false),
                (0, 48, 8, true),
                (0, 56, 4, false),
                (1, 48, 4, true),
                (1, 52, 4, false),
                (2, 48, 2, false),
                (2, 50, 2, false),
            ]
        );
    }

    fn layout(b: &Buddy) -> Vec<(u64, u64, bool)> {
        b.iter().map(|(o, s, a)| (o, s, a.is_none())).collect()
    }

    #[test]
    fn a_pool_that_is_not_a_power_of_two_is_cut_into_top_blocks_largest_first() {
        assert_eq!(tops(60), [(0, 32), (32, 16), (48, 8), (56, 4)]);
        let b = Buddy::new(60);
        assert_eq!(b.largest(), 32);
        assert_eq!(b.free_len(), 4);
        b.check().unwrap();
    }

    #[test]
    fn a_request_halves_the_smallest_block_that_holds_it_and_merges_back_on_release() {
        let mut b = Buddy::new(64);
        let (o, s) = b.find(5).unwrap();
        assert_eq!((o, s), (0, 64));
        let mut halvings = vec![];
        b.take(o, 8, 0, |at, half| halvings.push((at, half)));
        assert_eq!(halvings, [(0, 32), (0, 16), (0, 8)]);
        assert_eq!(layout(&b), [(0, 8, false), (8, 8, true), (16, 16, true), (32, 32, true)]);
        b.check().unwrap();
        // The next 8-byte request takes the buddy, not a piece of a larger block.
        assert_eq!(b.find(8), Some((8, 8)));
        let m = b.release(0, true).unwrap();
        assert_eq!((m.offset, m.size), (0, 64));
        assert_eq!(m.parts, [(0, 8), (8, 8), (16, 16), (32, 32)]);
        assert_eq!(layout(&b), [(0, 64, true)]);
    }

    #[test]
    fn free_neighbours_that_are_not_buddies_stay_apart() {
        let mut b = Buddy::new(32);
        for (id, size) in [(0, 8), (1, 8), (2, 8), (3, 8)] {
            let (o, _) = b.find(size).unwrap();
            b.take(o, size, id, |_, _| {});
        }
        // 8..16 and 16..24 are side by side but belong to different 16-byte halves.
        assert!(b.release(1, true).is_none());
        assert!(b.release(2, true).is_none());
        assert_eq!(layout(&b), [(0, 8, false), (8, 8, true), (16, 8, true), (24, 8, false)]);
        assert_eq!(b.largest(), 8);
        b.check().unwrap();
    }

    #[test]
    fn compaction_packs_largest_first_and_keeps_every_block_aligned() {
        let mut b = Buddy::new(64);
        for (id, size) in [(0, 8), (1, 16), (2, 8), (3, 16)] {
            let (o, _) = b.find(size).unwrap();
            b.take(o, size, id, |_, _| {});
        }
        // 0:8 a0, 8:8 a2, 16:16 a1, 32:16 a3, 48:16 free → free a2 and a1.
        b.release(2, true);
        b.release(1, true);
        assert_eq!(
            layout(&b),
            [(0, 8, false), (8, 8, true), (16, 16, true), (32, 16, false), (48, 16, true)]
        );
        let mut moves = vec![];
        assert!(b.compact(|a, from, to, size| moves.push((a, from, to, size))));
        assert_eq!(moves, [(3, 32, 0, 16), (0, 0, 16, 8)]);
        assert_eq!(layout(&b), [(0, 16, false), (16, 8, false), (24, 8, true), (32, 32, true)]);
        b.check().unwrap();
    }
}
