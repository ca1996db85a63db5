//! Free blocks in address order, for first-fit and next-fit: a B+-tree whose inner nodes
//! keep, for each child, its lowest offset and its largest block.
//!
//! "The lowest-addressed free block of at least `s` bytes from offset `f` on" walks down
//! one path, skipping every child that starts too early or holds nothing large enough.
//! With up to 16 entries per node the tree is 4 levels deep at 50,000 free blocks, where a
//! binary tree is 20–40: far fewer cache lines per search, split and merge.
//!
//! Nodes are never merged when they shrink (an empty one is unlinked and recycled), so the
//! height only grows by root splits: it stays O(log n) of the most blocks ever held.
//!
//! Invariants (checked by `check`): every leaf at the same depth; offsets strictly
//! increasing in order; for each child, the parent's `keys` entry is its lowest offset and
//! its `vals` entry its largest size; no empty node except an empty root.

const B: usize = 16;

/// A leaf holds blocks (offset, size, segment id); an inner node holds children (lowest
/// offset, largest size, node id) in address order. Entries past `len` are never read.
#[derive(Clone, Debug)]
struct Node {
    leaf: bool,
    len: u8,
    keys: [u64; B],
    vals: [u64; B],
    ids: [u32; B],
}

impl Node {
    fn new(leaf: bool) -> Node {
        Node { leaf, len: 0, keys: [0; B], vals: [0; B], ids: [0; B] }
    }

    fn len(&self) -> usize {
        usize::from(self.len)
    }

    fn max(&self) -> u64 {
        self.vals[..self.len()].iter().copied().max().unwrap_or(0)
    }

    fn insert_at(&mut self, i: usize, key: u64, val: u64, id: u32) {
        let n = self.len();
        debug_assert!(n < B && i <= n);
        self.keys.copy_within(i..n, i + 1);
        self.vals.copy_within(i..n, i + 1);
        self.ids.copy_within(i..n, i + 1);
        (self.keys[i], self.vals[i], self.ids[i]) = (key, val, id);
        self.len += 1;
    }

    fn remove_at(&mut self, i: usize) {
        let n = self.len();
        self.keys.copy_within(i + 1..n, i);
        self.vals.copy_within(i + 1..n, i);
        self.ids.copy_within(i + 1..n, i);
        self.len -= 1;
    }

    /// The entry whose range holds `offset`: the last with `keys[i] <= offset` (or 0).
    fn child_for(&self, offset: u64) -> usize {
        self.keys[..self.len()].partition_point(|&k| k <= offset).saturating_sub(1)
    }
}

/// A found block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub offset: u64,
    pub size: u64,
    pub seg: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct AddrTree {
    nodes: Vec<Node>,
    vacant: Vec<u32>,
    root: u32,
}

impl Default for AddrTree {
    fn default() -> Self {
        AddrTree { nodes: vec![Node::new(true)], vacant: Vec::new(), root: 0 }
    }
}

impl AddrTree {
    /// The largest block's size (0 when empty).
    pub fn largest(&self) -> u64 {
        self.nodes[self.root as usize].max()
    }

    fn node(&self, n: u32) -> &Node {
        &self.nodes[n as usize]
    }

    fn new_node(&mut self, node: Node) -> u32 {
        if let Some(n) = self.vacant.pop() {
            self.nodes[n as usize] = node;
            n
        } else {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    /// Refreshes inner node `n`'s summary of its child at `i`.
    fn refresh(&mut self, n: u32, i: usize) {
        let child = self.node(self.node(n).ids[i]);
        let (min, max) = (child.keys[0], child.max());
        let node = &mut self.nodes[n as usize];
        (node.keys[i], node.vals[i]) = (min, max);
    }

    pub fn insert(&mut self, offset: u64, size: u64, seg: u32) {
        if let Some(sibling) = self.insert_in(self.root, offset, size, seg) {
            // The root split: a new root holds both halves.
            let old = self.root;
            let mut root = Node::new(false);
            root.len = 2;
            root.ids[0] = old;
            root.ids[1] = sibling;
            self.root = self.new_node(root);
            self.refresh(self.root, 0);
            self.refresh(self.root, 1);
        }
    }

    /// Inserts into the subtree at `n`; returns the new right sibling if `n` split.
    fn insert_in(&mut self, n: u32, offset: u64, size: u64, seg: u32) -> Option<u32> {
        if self.node(n).leaf {
            let i = self.node(n).keys[..self.node(n).len()].partition_point(|&k| k < offset);
            return self.put(n, i, offset, size, seg);
        }
        let i = self.node(n).child_for(offset);
        let child = self.node(n).ids[i];
        let split = self.insert_in(child, offset, size, seg);
        self.refresh(n, i);
        let sibling = split?;
        let (min, max) = (self.node(sibling).keys[0], self.node(sibling).max());
        self.put(n, i + 1, min, max, sibling)
    }

    /// Puts an entry at position `i` of node `n`, splitting a full node in two halves
    /// first. Returns the new right half if it split.
    fn put(&mut self, n: u32, i: usize, key: u64, val: u64, id: u32) -> Option<u32> {
        if self.node(n).len() < B {
            self.nodes[n as usize].insert_at(i, key, val, id);
            return None;
        }
        let half = B / 2;
        let node = &mut self.nodes[n as usize];
        let mut right = Node::new(node.leaf);
        right.keys[..B - half].copy_from_slice(&node.keys[half..]);
        right.vals[..B - half].copy_from_slice(&node.vals[half..]);
        right.ids[..B - half].copy_from_slice(&node.ids[half..]);
        right.len = (B - half) as u8;
        node.len = half as u8;
        if i <= half {
            node.insert_at(i, key, val, id);
        } else {
            right.insert_at(i - half, key, val, id);
        }
        Some(self.new_node(right))
    }

    /// Removes the block at `offset`.
    pub fn remove(&mut self, offset: u64) {
        self.remove_in(self.root, offset);
        // A root with a single child hands the root over to it.
        while !self.node(self.root).leaf && self.node(self.root).len() == 1 {
            let old = self.root;
            self.root = self.node(old).ids[0];
            self.vacant.push(old);
        }
        if !self.node(self.root).leaf && self.node(self.root).len() == 0 {
            self.nodes[self.root as usize] = Node::new(true);
        }
    }

    /// Removes from the subtree at `n`; true if `n` is now empty (and was recycled).
    fn remove_in(&mut self, n: u32, offset: u64) -> bool {
        let i = self.node(n).child_for(offset);
        if self.node(n).leaf {
            debug_assert_eq!(self.node(n).keys[i], offset, "no free block at {offset}");
            if self.node(n).keys[i] == offset && self.node(n).len() > 0 {
                self.nodes[n as usize].remove_at(i);
            }
        } else {
            let child = self.node(n).ids[i];
            if self.remove_in(child, offset) {
                self.nodes[n as usize].remove_at(i);
            } else {
                self.refresh(n, i);
            }
        }
        let empty = self.node(n).len() == 0 && n != self.root;
        if empty {
            self.vacant.push(n);
        }
        empty
    }

    /// Changes the block at `offset` to `(new_offset, new_size)`; it must keep its place in
    /// address order.
    pub fn update(&mut self, offset: u64, new_offset: u64, new_size: u64) {
        self.update_in(self.root, offset, new_offset, new_size);
    }

    fn update_in(&mut self, n: u32, offset: u64, new_offset: u64, new_size: u64) {
        let i = self.node(n).child_for(offset);
        if self.node(n).leaf {
            debug_assert_eq!(self.node(n).keys[i], offset, "no free block at {offset}");
            let node = &mut self.nodes[n as usize];
            (node.keys[i], node.vals[i]) = (new_offset, new_size);
        } else {
            self.update_in(self.node(n).ids[i], offset, new_offset, new_size);
            self.refresh(n, i);
        }
    }

    /// The lowest-addressed block at or after `from` with at least `size` bytes.
    pub fn first_fit_from(&self, from: u64, size: u64) -> Option<Entry> {
        self.fit_in(self.root, from, size)
    }

    fn fit_in(&self, n: u32, from: u64, size: u64) -> Option<Entry> {
        let node = self.node(n);
        let len = node.len();
        // Children (or blocks) that start before `from` but are followed by another that
        // also does cannot hold an answer.
        let start = node.keys[..len].partition_point(|&k| k <= from).saturating_sub(1);
        for i in start..len {
            if node.vals[i] < size {
                continue;
            }
            if node.leaf {
                if node.keys[i] >= from {
                    return Some(Entry { offset: node.keys[i], size: node.vals[i], seg: node.ids[i] });
                }
            } else if let Some(hit) = self.fit_in(node.ids[i], from, size) {
                return Some(hit);
            }
        }
        None
    }

    /// The block with the highest offset `<= at`, as (offset, size).
    pub fn at_or_before(&self, at: u64) -> Option<(u64, u64)> {
        let mut n = self.root;
        loop {
            let node = self.node(n);
            if node.len() == 0 || node.keys[0] > at {
                return None;
            }
            let i = node.child_for(at);
            if node.leaf {
                return Some((node.keys[i], node.vals[i]));
            }
            n = node.ids[i];
        }
    }

    /// Every block in address order, as (offset, size).
    pub fn iter(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        self.collect(self.root, &mut out);
        out
    }

    fn collect(&self, n: u32, out: &mut Vec<(u64, u64)>) {
        let node = self.node(n);
        for i in 0..node.len() {
            if node.leaf {
                out.push((node.keys[i], node.vals[i]));
            } else {
                self.collect(node.ids[i], out);
            }
        }
    }

    /// Checks the invariants; returns the number of blocks.
    pub fn check(&self) -> Result<usize, crate::invariant::InvariantError> {
        let mut depth = None;
        let count = self.check_in(self.root, 0, &mut depth)?;
        let all = self.iter();
        if !all.windows(2).all(|w| w[0].0 < w[1].0) {
            return crate::invariant::fail(format!("address tree out of order: {all:?}"));
        }
        Ok(count)
    }

    fn check_in(&self, n: u32, level: usize, depth: &mut Option<usize>) -> Result<usize, String> {
        let node = self.node(n);
        if node.len() == 0 && n != self.root {
            return Err(format!("empty node {n}"));
        }
        if node.leaf {
            if *depth.get_or_insert(level) != level {
                return Err("leaves at different depths".into());
            }
            return Ok(node.len());
        }
        let mut count = 0;
        for i in 0..node.len() {
            let child = self.node(node.ids[i]);
            if child.len() == 0 || node.keys[i] != child.keys[0] || node.vals[i] != child.max() {
                return Err(format!("node {n}: summary of child {i} is stale"));
            }
            count += self.check_in(node.ids[i], level + 1, depth)?;
        }
        Ok(count)
    }
}
