//! The index of free blocks that allocation policies search, in O(log n).
//!
//! Two views of the same set of free blocks, kept in step by every insert and remove:
//! - a treap keyed by offset whose nodes also carry the largest free size in their subtree,
//!   so "the lowest-addressed free block of at least `s` bytes" (first-fit), and the same
//!   from a given offset on (next-fit), descend one path instead of scanning;
//! - a map keyed by `(size, offset)` for best-fit (smallest that fits) and worst-fit
//!   (largest), ties broken by the lower offset in both, cut into size classes
//!   ([`BySize`]) so that a query stays in small, cache-resident maps.
//!
//! Both map a free block to its segment id. The treap is kept only for the policies that
//! search by address (first-fit, next-fit): best-fit and worst-fit do not pay for it.
//!
//! Invariant: both views hold exactly the same `(offset, size)` pairs; every node's `max`
//! equals the largest `size` in its subtree; treap priorities are heap-ordered.

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
            rng: 0x9E37_79B9,
        }
    }

    pub fn by_address(&self) -> bool {
        self.by_address
    }

    pub fn len(&self) -> usize {
        self.by_size.len()
    }

    /// The largest free block's size (0 when none).
    pub fn largest(&self) -> u64 {
        self.by_size.largest().unwrap_or(0)
    }

    pub fn insert(&mut self, offset: u64, size: u64, seg: u32) {
        let old = self.by_size.insert(size, offset, seg);
        debug_assert!(old.is_none(), "free block at {offset} indexed twice");
        if !self.by_address {
            return;
        }
        let prio = self.next_prio();
        let id = self.alloc_node(Node { offset, seg, size, max: size, prio, left: NIL, right: NIL });
        self.root = self.insert_at(self.root, id);
    }

    pub fn remove(&mut self, offset: u64, size: u64) {
        let removed = self.by_size.remove(size, offset);
        debug_assert!(removed.is_some(), "free block at {offset} was not indexed");
        if self.by_address {
            self.root = self.remove_at(self.root, offset);
        }
    }

    /// Changes one free block in place: `(offset, size)` becomes `(new_offset, new_size)`.
    /// The block must keep its place in address order (it may only grow or shrink at
    /// either end without crossing a neighbour), which is what splits and merges do.
    pub fn update(&mut self, offset: u64, size: u64, new_offset: u64, new_size: u64) {
        let seg = self.by_size.remove(size, offset);
        debug_assert!(seg.is_some(), "free block at {offset} was not indexed");
        if let Some(seg) = seg {
            self.by_size.insert(new_size, new_offset, seg);
        }
        if self.by_address {
            self.update_at(self.root, offset, new_offset, new_size);
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
        self.fix_max(n);
        n
    }

    fn remove_at(&mut self, n: u32, offset: u64) -> u32 {
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
            let l = self.remove_at(node.left, offset);
            self.nodes[n as usize].left = l;
        } else {
            let r = self.remove_at(node.right, offset);
            self.nodes[n as usize].right = r;
        }
        self.fix_max(n);
        n
    }

    fn update_at(&mut self, n: u32, offset: u64, new_offset: u64, new_size: u64) {
        if n == NIL {
            return;
        }
        let node = &self.nodes[n as usize];
        if node.offset == offset {
            self.nodes[n as usize].offset = new_offset;
            self.nodes[n as usize].size = new_size;
        } else if offset < node.offset {
            self.update_at(node.left, offset, new_offset, new_size);
        } else {
            self.update_at(node.right, offset, new_offset, new_size);
        }
        self.fix_max(n);
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
        self.by_size.at_least(size).map(|(size, offset, seg)| Hit { offset, size, seg })
    }

    /// Worst-fit: the largest free block if it fits, lowest offset among equals.
    pub fn worst_fit(&self, size: u64) -> Option<Hit> {
        let largest = self.by_size.largest()?;
        if largest < size {
            return None;
        }
        self.by_size.at_least(largest).map(|(size, offset, seg)| Hit { offset, size, seg })
    }

    /// Every free block in address order, as (offset, size).
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let mut v: Vec<(u64, u64)> = self.by_size.keys().map(|(s, o)| (o, s)).collect();
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

    /// Checks both views agree and the treap's aggregates are right. For tests.
    pub fn check(&self) -> Result<(), String> {
        if !self.by_address {
            return Ok(());
        }
        let mut in_order = Vec::new();
        self.collect(self.root, &mut in_order)?;
        let by_size: Vec<(u64, u64)> = self.iter().collect();
        if in_order != by_size {
            return Err(format!("free index views disagree: treap {in_order:?} vs sizes {by_size:?}"));
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
        let mut f = FreeIndex::new(true);
        for (i, (o, s)) in [(0, 30), (100, 10), (200, 50), (300, 10), (400, 50)].into_iter().enumerate() {
            f.insert(o, s, i as u32);
        }
        f.check().unwrap();
        let at = |h: Option<Hit>| h.map(|h| (h.offset, h.size));
        assert_eq!(at(f.first_fit(20)), Some((0, 30)));
        assert_eq!(at(f.first_fit(40)), Some((200, 50)));
        assert_eq!(f.first_fit(40).unwrap().seg, 2);
        assert_eq!(at(f.first_fit_from(150, 10)), Some((200, 50)));
        assert_eq!(at(f.first_fit_from(301, 10)), Some((400, 50)));
        assert_eq!(at(f.best_fit(10)), Some((100, 10)));
        assert_eq!(at(f.best_fit(11)), Some((0, 30)));
        assert_eq!(at(f.worst_fit(1)), Some((200, 50)));
        assert_eq!(f.worst_fit(51), None);
        assert_eq!(f.at_or_before(250), Some((200, 50)));
        f.remove(200, 50);
        f.check().unwrap();
        f.update(0, 30, 5, 25);
        f.check().unwrap();
        assert_eq!(at(f.first_fit(25)), Some((5, 25)));
        assert_eq!(f.first_fit(25).unwrap().seg, 0);
        assert_eq!(at(f.first_fit(40)), Some((400, 50)));
        assert_eq!(f.largest(), 50);
        assert_eq!(f.len(), 4);
    }
}
