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

use crate::addr_tree::AddrTree;
use crate::size_classes::BySize;

#[derive(Clone, Debug)]
pub struct FreeIndex {
    by_address: bool,
    tree: AddrTree,
    by_size: BySize,
    /// Free blocks held (in whichever view this index keeps).
    count: usize,
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
        FreeIndex { by_address, tree: AddrTree::default(), by_size: BySize::default(), count: 0 }
    }

    pub fn by_address(&self) -> bool {
        self.by_address
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// The largest free block's size (0 when none).
    pub fn largest(&self) -> u64 {
        if self.by_address {
            self.tree.largest()
        } else {
            self.by_size.largest().unwrap_or(0)
        }
    }

    pub fn insert(&mut self, offset: u64, size: u64, seg: u32) {
        self.count += 1;
        if self.by_address {
            self.tree.insert(offset, size, seg);
        } else {
            let old = self.by_size.insert(size, offset, seg);
            debug_assert!(old.is_none(), "free block at {offset} indexed twice");
        }
    }

    pub fn remove(&mut self, offset: u64, size: u64) {
        self.count -= 1;
        if self.by_address {
            self.tree.remove(offset);
        } else {
            let removed = self.by_size.remove(size, offset);
            debug_assert!(removed.is_some(), "free block at {offset} was not indexed");
        }
    }

    /// Changes one free block in place: `(offset, size)` becomes `(new_offset, new_size)`.
    /// The block must keep its place in address order (it may only grow or shrink at
    /// either end without crossing a neighbour), which is what splits and merges do.
    pub fn update(&mut self, offset: u64, size: u64, new_offset: u64, new_size: u64) {
        if self.by_address {
            self.tree.update(offset, new_offset, new_size);
            return;
        }
        let seg = self.by_size.remove(size, offset);
        debug_assert!(seg.is_some(), "free block at {offset} was not indexed");
        if let Some(seg) = seg {
            self.by_size.insert(new_size, new_offset, seg);
        }
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
    pub fn best_fit(&self, size: u64) -> Option<Hit> {
        debug_assert!(!self.by_address);
        self.by_size.at_least(size).map(|(size, offset, seg)| Hit { offset, size, seg })
    }

    /// Worst-fit: the largest free block if it fits, lowest offset among equals.
    pub fn worst_fit(&self, size: u64) -> Option<Hit> {
        debug_assert!(!self.by_address);
        let largest = self.by_size.largest()?;
        if largest < size {
            return None;
        }
        self.by_size.at_least(largest).map(|(size, offset, seg)| Hit { offset, size, seg })
    }

    /// Every free block in address order, as (offset, size).
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
    pub fn check(&self) -> Result<(), String> {
        let held = if self.by_address { self.tree.check()? } else { self.by_size.len() };
        if held != self.count {
            return Err(format!("free index counts {} blocks but holds {held}", self.count));
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
        f.update(0, 30, 5, 25);
        f.check().unwrap();
        assert_eq!(at(f.first_fit(25)), Some((5, 25)));
        assert_eq!(f.first_fit(25).unwrap().seg, 0);
        assert_eq!(at(f.first_fit(40)), Some((400, 50)));
        assert_eq!(f.largest(), 50);
        assert_eq!(f.len(), 4);
        assert_eq!(f.iter().collect::<Vec<_>>(), [(5, 25), (100, 10), (300, 10), (400, 50)]);
        // Shrinking the only largest block lowers the maximum; growing one raises it.
        f.update(400, 50, 400, 20);
        f.check().unwrap();
        assert_eq!((f.largest(), f.first_fit(26)), (25, None));
        f.update(100, 10, 90, 60);
        f.check().unwrap();
        assert_eq!((f.largest(), at(f.first_fit(26))), (60, Some((90, 60))));
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
                    f.update(offset, size, new_offset, new_size);
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
