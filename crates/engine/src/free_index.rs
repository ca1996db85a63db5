//! The index of free blocks that allocation policies search, in O(log n).
//!
//! One of two views of the free blocks, chosen by the pool's policy:
//! - for the policies that search by address (first-fit, next-fit), a B+-tree in address
//!   order whose inner nodes keep each child's largest block ([`AddrTree`]), so "the
//!   lowest-addressed free block of at least `s` bytes" (and the same from a given offset
//!   on) walks down one path instead of scanning, and the root knows the largest block;
//! - for best-fit (smallest that fits) and worst-fit (largest), a map keyed by
//!   `(size, offset)`, ties broken by the lower offset in both, cut into size classes
//!   ([`BySize`]) so that a query stays in small, cache-resident maps.
//!
//! Either maps a free block to its segment id. A pool keeps only the view its policy
//! searches: maintaining both would double the work of every split and merge.
//!
//! **Slivers.** A search by size only ever looks at blocks of at least the requested size,
//! so a free block smaller than every request the pool has been asked for cannot be an
//! answer. Best-fit leaves many of them — the few bytes left over when a request almost
//! fills a block (at 100,000 live blocks in the benchmark, 18,000 of the 28,000 free blocks
//! are under 64 bytes) — and splits and merges create and remove one nearly every
//! operation. The size view therefore keeps blocks under its *floor* (at first 64 bytes,
//! the range where every size is a class of its own) only as counts by size, not in the
//! ordered maps: adding or removing one touches a small array that stays cached instead of
//! a map node that, in a large pool, is a cache miss (the figures: docs/BENCHMARKS.md,
//! slivers). A request under the floor lowers it
//! first ([`FreeIndex::lower_floor`], given the free blocks in that range by the layout),
//! so answers are exactly those of an index that holds every block. The floor only goes
//! down, so a pool re-files slivers at most 63 times in its life. (The address view keeps
//! every block: there a split's rest stays where it was in the tree, and the same floor
//! does not make first-fit faster.)

use crate::addr_tree::AddrTree;
use crate::size_classes::BySize;

/// The size view's first floor: blocks under it are counted, not ordered (see above).
pub const SLIVER_CAP: u64 = 64;

#[derive(Clone, Debug)]
pub struct FreeIndex {
    by_address: bool,
    tree: AddrTree,
    by_size: BySize,
    /// Free blocks held (in whichever view this index keeps), slivers included.
    count: usize,
    /// Size view: blocks under this many bytes are slivers, counted by size in `slivers`.
    floor: u64,
    /// (Boxed: every contiguous pool holds a free index, and the engine's layout enum
    /// would otherwise carry these 256 bytes in every variant.)
    slivers: Box<[u32; SLIVER_CAP as usize]>,
    /// Bit `s`: some sliver has `s` bytes.
    sliver_sizes: u64,
}

/// A free block as the index knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub offset: u64,
    pub size: u64,
    pub seg: u32,
}

impl FreeIndex {
    /// An empty index; `by_address` keeps the address tree for first-fit and next-fit,
    /// otherwise the size classes for best-fit and worst-fit.
    pub fn new(by_address: bool) -> Self {
        FreeIndex {
            by_address,
            tree: AddrTree::default(),
            by_size: BySize::default(),
            count: 0,
            floor: SLIVER_CAP,
            slivers: Box::new([0; SLIVER_CAP as usize]),
            sliver_sizes: 0,
        }
    }

    /// An empty index of the same kind and floor (for a compaction to fill again).
    pub fn emptied(&self) -> Self {
        FreeIndex { floor: self.floor, ..FreeIndex::new(self.by_address) }
    }

    /// Whether a free block of `size` bytes is a sliver: counted, not ordered. A search for
    /// `size` bytes, where this holds, must first [`lower_floor`](Self::lower_floor).
    pub fn is_sliver(&self, size: u64) -> bool {
        !self.by_address && size < self.floor
    }

    /// Lowers the floor to `size`, filing the slivers of at least `size` bytes, which
    /// `free` must list (every free block; others are skipped) as (offset, size, segment).
    pub fn lower_floor(&mut self, size: u64, free: impl Iterator<Item = (u64, u64, u32)>) {
        debug_assert!(self.is_sliver(size));
        if self.slivers[size as usize..].iter().any(|&n| n > 0) {
            for (offset, s, seg) in free {
                if (size..self.floor).contains(&s) {
                    self.count_sliver(s, false);
                    self.by_size.insert(s, offset, seg);
                }
            }
        }
        self.floor = size;
    }

    fn count_sliver(&mut self, size: u64, add: bool) {
        let n = &mut self.slivers[size as usize];
        if add {
            *n += 1;
            self.sliver_sizes |= 1 << size;
        } else {
            debug_assert!(*n > 0, "no free sliver of {size} bytes to remove");
            *n -= 1;
            if *n == 0 {
                self.sliver_sizes &= !(1 << size);
            }
        }
    }

    /// How many free slivers of `size` bytes there are.
    pub fn sliver_count(&self, size: u64) -> u32 {
        if self.is_sliver(size) {
            self.slivers[size as usize]
        } else {
            0
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// The largest free block's size (0 when none).
    pub fn largest(&self) -> u64 {
        if self.by_address {
            self.tree.largest()
        } else {
            // The largest sliver: the highest bit set (none: 0).
            let sliver = 64 - u64::from(self.sliver_sizes.leading_zeros());
            let sliver = sliver.saturating_sub(1);
            self.by_size.largest().unwrap_or(0).max(sliver)
        }
    }

    pub fn insert(&mut self, offset: u64, size: u64, seg: u32) {
        self.count += 1;
        if self.by_address {
            self.tree.insert(offset, size, seg);
        } else if self.is_sliver(size) {
            self.count_sliver(size, true);
        } else {
            let old = self.by_size.insert(size, offset, seg);
            debug_assert!(old.is_none(), "free block at {offset} indexed twice");
        }
    }

    pub fn remove(&mut self, offset: u64, size: u64) {
        self.count -= 1;
        if self.by_address {
            self.tree.remove(offset);
        } else if self.is_sliver(size) {
            self.count_sliver(size, false);
        } else {
            let removed = self.by_size.remove(size, offset);
            debug_assert!(removed.is_some(), "free block at {offset} was not indexed");
        }
    }

    /// Changes one free block in place: `(offset, size)` becomes `(new_offset, new_size)`.
    /// The block must keep its place in address order (it may only grow or shrink at
    /// either end without crossing a neighbour), which is what splits and merges do. `seg`
    /// is the block's segment.
    pub fn update(&mut self, offset: u64, size: u64, new_offset: u64, new_size: u64, seg: u32) {
        if self.by_address {
            self.tree.update(offset, new_offset, new_size);
            return;
        }
        self.count -= 1;
        if self.is_sliver(size) {
            self.count_sliver(size, false);
        } else {
            let removed = self.by_size.remove(size, offset);
            debug_assert_eq!(removed, Some(seg), "free block at {offset} was not indexed as {seg}");
        }
        self.insert(new_offset, new_size, seg);
    }

    /// First-fit: the lowest-addressed free block of at least `size` bytes.
    pub fn first_fit(&self, size: u64) -> Option<Hit> {
        self.first_fit_from(0, size)
    }

    /// The lowest-addressed free block at or after `from` with at least `size` bytes.
    pub fn first_fit_from(&self, from: u64, size: u64) -> Option<Hit> {
        debug_assert!(self.by_address);
        self.tree.first_fit_from(from, size).map(|e| Hit { offset: e.offset, size: e.size, seg: e.seg })
    }

    /// The free block with the highest offset `<= at`, if any, as (offset, size).
    pub fn at_or_before(&self, at: u64) -> Option<(u64, u64)> {
        debug_assert!(self.by_address);
        self.tree.at_or_before(at)
    }

    /// Best-fit: the smallest free block of at least `size` bytes, lowest offset on ties.
    /// `size` must not be [a sliver's size](Self::is_sliver).
    pub fn best_fit(&self, size: u64) -> Option<Hit> {
        debug_assert!(!self.by_address);
        self.by_size.at_least(size).map(|(size, offset, seg)| Hit { offset, size, seg })
    }

    /// Worst-fit: the largest free block if it fits, lowest offset among equals. `size`
    /// must not be [a sliver's size](Self::is_sliver).
    pub fn worst_fit(&self, size: u64) -> Option<Hit> {
        debug_assert!(!self.by_address);
        let largest = self.by_size.largest()?;
        if largest < size {
            return None;
        }
        self.by_size.at_least(largest).map(|(size, offset, seg)| Hit { offset, size, seg })
    }

    /// Every free block but the slivers, in address order, as (offset, size).
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let v: Vec<(u64, u64)> = if self.by_address {
            self.tree.iter()
        } else {
            let mut v: Vec<(u64, u64)> = self.by_size.keys().map(|(s, o)| (o, s)).collect();
            v.sort_unstable();
            v
        };
        v.into_iter()
    }

    /// Checks the count and the view's own invariants. For tests.
    pub fn check(&self) -> Result<(), crate::invariant::InvariantError> {
        let slivers: u32 = self.slivers.iter().sum();
        let held = if self.by_address { self.tree.check()? } else { self.by_size.len() + slivers as usize };
        for (size, &n) in self.slivers.iter().enumerate() {
            if (n > 0) != (self.sliver_sizes >> size & 1 == 1) || (n > 0 && !self.is_sliver(size as u64)) {
                return crate::invariant::fail(format!(
                    "sliver count of {size} bytes ({n}) disagrees with its bit or the floor"
                ));
            }
        }
        if held != self.count {
            return crate::invariant::fail(format!(
                "free index counts {} blocks but holds {held}",
                self.count
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_pick_the_documented_block() {
        let blocks = [(0, 30), (100, 10), (200, 50), (300, 10), (400, 50)];
        let index = |by_address| {
            let mut f = FreeIndex::new(by_address);
            if !by_address {
                // These blocks are all under the first floor: search them all by size.
                f.lower_floor(1, std::iter::empty());
            }
            for (i, (o, s)) in blocks.into_iter().enumerate() {
                f.insert(o, s, i as u32);
            }
            f.check().unwrap();
            f
        };
        let at = |h: Option<Hit>| h.map(|h| (h.offset, h.size));
        let sizes = index(false);
        assert_eq!(at(sizes.best_fit(10)), Some((100, 10)));
        assert_eq!(at(sizes.best_fit(11)), Some((0, 30)));
        assert_eq!(at(sizes.worst_fit(1)), Some((200, 50)));
        assert_eq!(sizes.worst_fit(51), None);
        assert_eq!((sizes.largest(), sizes.len()), (50, 5));

        let mut f = index(true);
        assert_eq!(at(f.first_fit(20)), Some((0, 30)));
        assert_eq!(at(f.first_fit(40)), Some((200, 50)));
        assert_eq!(f.first_fit(40).unwrap().seg, 2);
        assert_eq!(at(f.first_fit_from(150, 10)), Some((200, 50)));
        assert_eq!(at(f.first_fit_from(301, 10)), Some((400, 50)));
        assert_eq!(f.at_or_before(250), Some((200, 50)));
        assert_eq!((f.largest(), f.len()), (50, 5));
        f.remove(200, 50);
        f.check().unwrap();
        f.update(0, 30, 5, 25, 0);
        f.check().unwrap();
        assert_eq!(at(f.first_fit(25)), Some((5, 25)));
        assert_eq!(f.first_fit(25).unwrap().seg, 0);
        assert_eq!(at(f.first_fit(40)), Some((400, 50)));
        assert_eq!(f.largest(), 50);
        assert_eq!(f.len(), 4);
        assert_eq!(f.iter().collect::<Vec<_>>(), [(5, 25), (100, 10), (300, 10), (400, 50)]);
        // Shrinking the only largest block lowers the maximum; growing one raises it.
        f.update(400, 50, 400, 20, 4);
        f.check().unwrap();
        assert_eq!((f.largest(), f.first_fit(26)), (25, None));
        f.update(100, 10, 90, 60, 1);
        f.check().unwrap();
        assert_eq!((f.largest(), at(f.first_fit(26))), (60, Some((90, 60))));
    }

    #[test]
    fn slivers_are_counted_until_a_request_is_that_small() {
        let mut f = FreeIndex::new(false);
        // Two 10-byte slivers, a 40-byte one, a 100-byte block.
        let blocks = [(0, 10, 0), (50, 10, 1), (100, 40, 2), (200, 100, 3)];
        for (o, s, g) in blocks {
            f.insert(o, s, g);
        }
        f.check().unwrap();
        assert_eq!((f.len(), f.largest()), (4, 100));
        assert_eq!((f.sliver_count(10), f.sliver_count(40), f.sliver_count(100)), (2, 1, 0));
        assert_eq!(f.iter().collect::<Vec<_>>(), [(200, 100)]);
        assert_eq!(f.best_fit(64).map(|h| h.offset), Some(200));
        // Without the 100-byte block the largest free block is a sliver.
        f.remove(200, 100);
        assert_eq!(f.largest(), 40);
        // A sliver that grows past the floor is filed; one that shrinks under it is counted.
        f.update(100, 40, 100, 90, 2);
        f.check().unwrap();
        assert_eq!((f.sliver_count(40), f.best_fit(64).map(|h| h.seg)), (0, Some(2)));
        f.update(100, 90, 100, 30, 2);
        assert_eq!((f.sliver_count(30), f.best_fit(64)), (1, None));
        // A 12-byte request lowers the floor: the 30-byte sliver is filed, the 10s stay counted.
        assert!(f.is_sliver(12) && !f.is_sliver(64));
        f.lower_floor(12, [(0, 10, 0), (50, 10, 1), (100, 30, 2)].into_iter());
        f.check().unwrap();
        assert!(!f.is_sliver(12) && f.is_sliver(11));
        assert_eq!((f.sliver_count(10), f.sliver_count(30)), (2, 0));
        assert_eq!(f.best_fit(12).map(|h| (h.offset, h.size, h.seg)), Some((100, 30, 2)));
        assert_eq!(f.worst_fit(12).map(|h| h.offset), Some(100));
        // Down to 1 byte: the two 10s are filed, lowest offset first.
        f.lower_floor(1, [(0, 10, 0), (50, 10, 1), (100, 30, 2)].into_iter());
        f.check().unwrap();
        assert_eq!(f.best_fit(1).map(|h| h.offset), Some(0));
        // A compaction's fresh index keeps the floor.
        assert!(!f.emptied().is_sliver(1));
    }

    #[test]
    fn address_tree_answers_as_a_scan_does() {
        // Random inserts, removals and in-place resizes; after each, the answers of a
        // plain scan of the blocks.
        let mut rng = crate::workload::SplitMix64::new(11);
        let mut f = FreeIndex::new(true);
        // slot → (offset, size): a block stays within its slot's first 100 bytes.
        let mut plain: std::collections::BTreeMap<u64, (u64, u64)> = std::collections::BTreeMap::new();
        for i in 0..20_000u32 {
            let slot = rng.below(2000) * 100;
            match plain.get(&slot).copied() {
                None => {
                    let size = 1 + rng.below(90);
                    f.insert(slot, size, i);
                    plain.insert(slot, (slot, size));
                }
                Some((offset, size)) if rng.below(2) == 0 => {
                    f.remove(offset, size);
                    plain.remove(&slot);
                }
                Some((offset, size)) => {
                    let new_size = 1 + rng.below(90);
                    let new_offset = slot + rng.below(10);
                    f.update(offset, size, new_offset, new_size, i);
                    plain.insert(slot, (new_offset, new_size));
                }
            }
            f.check().unwrap();
            let want = |min: u64| plain.values().find(|&&(_, s)| s >= min).copied();
            let need = 1 + rng.below(95);
            assert_eq!(f.first_fit(need).map(|h| (h.offset, h.size)), want(need));
            assert_eq!(f.largest(), plain.values().map(|&(_, s)| s).max().unwrap_or(0));
            let from = rng.below(200_000);
            let want_from = plain.values().find(|&&(o, s)| o >= from && s >= need).copied();
            assert_eq!(f.first_fit_from(from, need).map(|h| (h.offset, h.size)), want_from);
            assert_eq!(f.at_or_before(from), plain.values().rfind(|&&(o, _)| o <= from).copied());
            assert_eq!(f.len(), plain.len());
        }
        // Emptied, the tree shrinks back to one leaf and works again.
        for (offset, size) in std::mem::take(&mut plain).into_values() {
            f.remove(offset, size);
            f.check().unwrap();
        }
        assert_eq!((f.len(), f.largest(), f.first_fit(1)), (0, 0, None));
        f.insert(700, 5, 1);
        f.check().unwrap();
        assert_eq!(f.first_fit_from(0, 5).map(|h| (h.offset, h.seg)), Some((700, 1)));
    }
}
