//! The index of free blocks that allocation policies search, in O(log n).
//!
//! One of two views of the free blocks, chosen by the pool's policy:
//! - for the policies that search by address (first-fit, next-fit), a treap keyed by offset
//!   whose nodes also carry the largest free size in their subtree, so "the
//!   lowest-addressed free block of at least `s` bytes" (and the same from a given offset
//!   on) descends one path instead of scanning, and the root's maximum is the largest block;
//! - for best-fit (smallest that fits) and worst-fit (largest), a map keyed by
//!   `(size, offset)`, ties broken by the lower offset in both, cut into size classes
//!   ([`BySize`]) so that a query stays in small, cache-resident maps.
//!
//! Either maps a free block to its segment id. A pool keeps only the view its policy
//! searches: maintaining both would double the work of every split and merge.
//!
//! Invariant (treap): in address order; every node's `max` equals the largest `size` in its
//! subtree; priorities are heap-ordered. Maxima are updated along the path an operation
//! walks, reading the other child only when the size that may have been the maximum shrank.

use crate::size_classes::BySize;

const NIL: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Node {
    offset: u64,
    seg: u32,
    size: u64,
    max: u64,
    prio: u32,
    left: u32,
    right: u32,
}

/// Free blocks by offset and by size.
#[derive(Clone, Debug)]
pub struct FreeIndex {
    nodes: Vec<Node>,
    vacant: Vec<u32>,
    root: u32,
    /// Whether the treap (address order) is maintained.
    by_address: bool,
    by_size: BySize,
    /// Free blocks held (in whichever view this index keeps).
    count: usize,
    rng: u32,
}

/// A free block as the index knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub offset: u64,
    pub size: u64,
    pub seg: u32,
}

impl FreeIndex {
    /// An empty index; `by_address` keeps the treap for first-fit and next-fit.
    pub fn new(by_address: bool) -> Self {
        FreeIndex {
            nodes: Vec::new(),
            vacant: Vec::new(),
            root: NIL,
            by_address,
            by_size: BySize::default(),
            count: 0,
            rng: 0x9E37_79B9,
        }
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
            self.max_of(self.root)
        } else {
            self.by_size.largest().unwrap_or(0)
        }
    }

    pub fn insert(&mut self, offset: u64, size: u64, seg: u32) {
        self.count += 1;
        if !self.by_address {
            let old = self.by_size.insert(size, offset, seg);
            debug_assert!(old.is_none(), "free block at {offset} indexed twice");
            return;
        }
        let prio = self.next_prio();
        let id = self.alloc_node(Node { offset, seg, size, max: size, prio, left: NIL, right: NIL });
        self.root = self.insert_at(self.root, id);
    }

    pub fn remove(&mut self, offset: u64, size: u64) {
        self.count -= 1;
        if self.by_address {
            self.root = self.remove_at(self.root, offset, size);
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
            self.update_at(self.root, offset, size, new_offset, new_size);
            return;
        }
        let seg = self.by_size.remove(size, offset);
        debug_assert!(seg.is_some(), "free block at {offset} was not indexed");
        if let Some(seg) = seg {
            self.by_size.insert(new_size, new_offset, seg);
        }
    }

    fn insert_at(&mut self, n: u32, id: u32) -> u32 {
        if n == NIL {
            return id;
        }
        if self.nodes[id as usize].prio > self.nodes[n as usize].prio {
            let (l, r) = self.split(n, self.nodes[id as usize].offset);
            self.nodes[id as usize].left = l;
            self.nodes[id as usize].right = r;
            self.fix_max(id);
            return id;
        }
        if self.nodes[id as usize].offset < self.nodes[n as usize].offset {
            let l = self.insert_at(self.nodes[n as usize].left, id);
            self.nodes[n as usize].left = l;
        } else {
            let r = self.insert_at(self.nodes[n as usize].right, id);
            self.nodes[n as usize].right = r;
        }
        // The subtree gained one block: its maximum can only rise to that block's size
        // (no need to load the other child).
        let size = self.nodes[id as usize].size;
        let node = &mut self.nodes[n as usize];
        node.max = node.max.max(size);
        n
    }

    /// Removes the block at `offset`, of `size` bytes, from the subtree at `n`.
    fn remove_at(&mut self, n: u32, offset: u64, size: u64) -> u32 {
        if n == NIL {
            return NIL;
        }
        let node = &self.nodes[n as usize];
        if node.offset == offset {
            let (l, r) = (node.left, node.right);
            self.vacant.push(n);
            return self.merge(l, r);
        }
        if offset < node.offset {
            let l = self.remove_at(node.left, offset, size);
            self.nodes[n as usize].left = l;
        } else {
            let r = self.remove_at(node.right, offset, size);
            self.nodes[n as usize].right = r;
        }
        // Only a subtree whose maximum was the removed size can have a smaller one now.
        if self.nodes[n as usize].max == size {
            self.fix_max(n);
        }
        n
    }

    /// Changes the block at `offset` (of `size` bytes) in the subtree at `n`; maxima on the
    /// path are recomputed from the children only where the old size may have been the
    /// maximum and the new one is smaller.
    fn update_at(&mut self, n: u32, offset: u64, size: u64, new_offset: u64, new_size: u64) {
        if n == NIL {
            return;
        }
        let node = &self.nodes[n as usize];
        if node.offset == offset {
            self.nodes[n as usize].offset = new_offset;
            self.nodes[n as usize].size = new_size;
        } else if offset < node.offset {
            self.update_at(node.left, offset, size, new_offset, new_size);
        } else {
            self.update_at(node.right, offset, size, new_offset, new_size);
        }
        let max = self.nodes[n as usize].max;
        if new_size >= max {
            self.nodes[n as usize].max = new_size;
        } else if max == size {
            self.fix_max(n);
        }
    }

    /// First-fit: the lowest-addressed free block of at least `size` bytes.
    pub fn first_fit(&self, size: u64) -> Option<Hit> {
        debug_assert!(self.by_address);
        self.leftmost_fit(self.root, 0, size)
    }

    /// The lowest-addressed free block at or after `from` with at least `size` bytes.
    pub fn first_fit_from(&self, from: u64, size: u64) -> Option<Hit> {
        debug_assert!(self.by_address);
        self.leftmost_fit(self.root, from, size)
    }

    /// The free block with the highest offset `<= at`, if any, as (offset, size).
    pub fn at_or_before(&self, at: u64) -> Option<(u64, u64)> {
        let mut n = self.root;
        let mut best = None;
        while n != NIL {
            let node = &self.nodes[n as usize];
            if node.offset <= at {
                best = Some((node.offset, node.size));
                n = node.right;
            } else {
                n = node.left;
            }
        }
        best
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
        let mut v: Vec<(u64, u64)> = if self.by_address {
            let mut v = Vec::with_capacity(self.count);
            let mut stack = Vec::new();
            let mut n = self.root;
            while n != NIL || !stack.is_empty() {
                while n != NIL {
                    stack.push(n);
                    n = self.nodes[n as usize].left;
                }
                let top = stack.pop().expect("the loop condition");
                v.push((self.nodes[top as usize].offset, self.nodes[top as usize].size));
                n = self.nodes[top as usize].right;
            }
            v
        } else {
            self.by_size.keys().map(|(s, o)| (o, s)).collect()
        };
        v.sort_unstable();
        v.into_iter()
    }

    fn leftmost_fit(&self, n: u32, from: u64, size: u64) -> Option<Hit> {
        if n == NIL || self.nodes[n as usize].max < size {
            return None;
        }
        let node = &self.nodes[n as usize];
        if node.offset < from {
            return self.leftmost_fit(node.right, from, size);
        }
        if let Some(hit) = self.leftmost_fit(node.left, from, size) {
            return Some(hit);
        }
        if node.size >= size {
            return Some(Hit { offset: node.offset, size: node.size, seg: node.seg });
        }
        self.leftmost_fit(node.right, from, size)
    }

    fn next_prio(&mut self) -> u32 {
        // xorshift32: deterministic, so the tree's shape is the same in every build.
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x
    }

    fn alloc_node(&mut self, node: Node) -> u32 {
        if let Some(id) = self.vacant.pop() {
            self.nodes[id as usize] = node;
            id
        } else {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    fn max_of(&self, n: u32) -> u64 {
        if n == NIL {
            0
        } else {
            self.nodes[n as usize].max
        }
    }

    fn fix_max(&mut self, n: u32) {
        let (l, r) = (self.nodes[n as usize].left, self.nodes[n as usize].right);
        let m = self.nodes[n as usize].size.max(self.max_of(l)).max(self.max_of(r));
        self.nodes[n as usize].max = m;
    }

    /// Splits `n` into (offsets < key, offsets >= key).
    fn split(&mut self, n: u32, key: u64) -> (u32, u32) {
        if n == NIL {
            return (NIL, NIL);
        }
        if self.nodes[n as usize].offset < key {
            let (l, r) = self.split(self.nodes[n as usize].right, key);
            self.nodes[n as usize].right = l;
            self.fix_max(n);
            (n, r)
        } else {
            let (l, r) = self.split(self.nodes[n as usize].left, key);
            self.nodes[n as usize].left = r;
            self.fix_max(n);
            (l, n)
        }
    }

    /// Joins two treaps where every offset in `a` is below every offset in `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].prio > self.nodes[b as usize].prio {
            let r = self.merge(self.nodes[a as usize].right, b);
            self.nodes[a as usize].right = r;
            self.fix_max(a);
            a
        } else {
            let l = self.merge(a, self.nodes[b as usize].left);
            self.nodes[b as usize].left = l;
            self.fix_max(b);
            b
        }
    }

    /// Checks the count and, for the treap, its order, maxima and heap order. For tests.
    pub fn check(&self) -> Result<(), String> {
        if !self.by_address {
            return if self.by_size.len() == self.count {
                Ok(())
            } else {
                Err(format!("free index counts {} blocks but holds {}", self.count, self.by_size.len()))
            };
        }
        let mut in_order = Vec::new();
        self.collect(self.root, &mut in_order)?;
        if !in_order.windows(2).all(|w| w[0].0 < w[1].0) {
            return Err(format!("treap out of address order: {in_order:?}"));
        }
        if in_order.len() != self.count {
            return Err(format!("free index counts {} blocks but holds {}", self.count, in_order.len()));
        }
        Ok(())
    }

    fn collect(&self, n: u32, out: &mut Vec<(u64, u64)>) -> Result<u64, String> {
        if n == NIL {
            return Ok(0);
        }
        let node = &self.nodes[n as usize];
        let lm = self.collect(node.left, out)?;
        out.push((node.offset, node.size));
        let rm = self.collect(node.right, out)?;
        let m = node.size.max(lm).max(rm);
        if m != node.max {
            return Err(format!("treap node at {} has max {} but subtree max is {m}", node.offset, node.max));
        }
        for c in [node.left, node.right] {
            if c != NIL && self.nodes[c as usize].prio > node.prio {
                return Err("treap heap order broken".into());
            }
        }
        Ok(m)
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
    fn treap_maxima_survive_churn() {
        // Random inserts, removals and in-place resizes; after each, the answers of a
        // plain scan of the blocks.
        let mut rng = crate::workload::SplitMix64::new(11);
        let mut f = FreeIndex::new(true);
        // slot → (offset, size): a block stays within its slot's first 100 bytes.
        let mut plain: std::collections::BTreeMap<u64, (u64, u64)> = std::collections::BTreeMap::new();
        for i in 0..4000u32 {
            let slot = rng.below(500) * 100;
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
        }
    }
}
