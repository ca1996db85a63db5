//! The contiguous layout: blocks that tile the pool exactly, as a doubly linked list in
//! address order (O(1) neighbours for splits and merges) plus a [`FreeIndex`] that the
//! policies search.
//!
//! Invariants (checked by `check`): the list starts at offset 0 and each block starts where
//! the previous one ends, the sizes add up to the pool, `prev`/`next` agree, the free index
//! holds exactly the free blocks, and — unless eager frees are waiting for a sweep (`dirty`)
//! — no two free blocks are adjacent.

use crate::free_index::{FreeIndex, Hit, SLIVER_CAP};
use crate::id::Id;
use crate::model::Policy;

/// Whether a policy searches free blocks by address (and so needs the address tree).
fn by_address(policy: Policy) -> bool {
    matches!(policy, Policy::FirstFit | Policy::NextFit)
}

#[derive(Clone, Debug)]
pub(crate) struct Seg {
    pub offset: u64,
    pub size: u64,
    pub prev: Option<Id>,
    pub next: Option<Id>,
    /// The allocation that owns this block (it takes the segment's id); None: free.
    pub alloc: Option<Id>,
    /// Freed eagerly and not yet merged with its free neighbours.
    pub dirty: bool,
    /// Not in the list at all: the slot waits in `vacant` to be reused.
    pub vacant: bool,
}

// Two segments to a cache line: `Option<Id>` links and owner keep the sizes of the `u32`s
// with sentinels they replaced.
const _: () = assert!(std::mem::size_of::<Seg>() == 32);

impl Seg {
    /// A free block in the list.
    pub fn is_free(&self) -> bool {
        self.alloc.is_none() && !self.vacant
    }
}

/// A run of adjacent free blocks merged into one: the result and the parts it absorbed.
pub(crate) struct Merged {
    pub offset: u64,
    pub size: u64,
    pub parts: Vec<(u64, u64)>,
}

#[derive(Clone, Debug)]
pub(crate) struct Segments {
    pub segs: Vec<Seg>,
    vacant: Vec<u32>,
    head: Option<Id>,
    pub free: FreeIndex,
    /// next-fit: the end offset of the last successful allocation.
    pub cursor: u64,
    /// Eagerly freed blocks that a sweep must merge.
    dirty: Vec<u32>,
}

impl Segments {
    pub fn new(size: u64, policy: Policy) -> Segments {
        let mut free = FreeIndex::new(by_address(policy));
        free.insert(0, size, 0);
        Segments {
            segs: vec![Seg {
                offset: 0,
                size,
                prev: None,
                next: None,
                alloc: None,
                dirty: false,
                vacant: false,
            }],
            vacant: Vec::new(),
            head: Some(Id::new(0)),
            free,
            cursor: 0,
            dirty: Vec::new(),
        }
    }

    /// The free block the policy picks for `size` bytes, as the index knows it.
    /// A search below the size index's floor lowers the floor first.
    pub fn find(&mut self, policy: Policy, size: u64) -> Option<Hit> {
        if self.free.is_sliver(size) {
            let free = self.segs.iter().enumerate().filter(|(_, s)| s.is_free());
            self.free.lower_floor(size, free.map(|(i, s)| (s.offset, s.size, i as u32)));
        }
        let hit = match policy {
            // (Pages and buddy pools have layouts of their own.)
            Policy::FirstFit | Policy::Pages | Policy::Buddy => self.free.first_fit(size),
            Policy::BestFit => self.free.best_fit(size),
            Policy::WorstFit => self.free.worst_fit(size),
            Policy::NextFit => {
                // Start at the first free block whose end is beyond the cursor, then wrap.
                let start = match self.free.at_or_before(self.cursor) {
                    Some((o, s)) if o + s > self.cursor => o,
                    _ => self.cursor,
                };
                self.free.first_fit_from(start, size).or_else(|| self.free.first_fit(size))
            }
        }?;
        Some(hit)
    }

    /// Allocates the low `size` bytes of the free block `hit`. Returns the segment that now
    /// holds the allocation (its `alloc` is its own id: the allocation takes that id), which
    /// [`Segments::id_for`] tells beforehand. If the block is split, the free rest keeps the
    /// old segment id and shrinks in place, so its index entry is changed rather than
    /// removed and inserted again. The block's offset and size come from the index, so
    /// nothing here waits for the block's own entry except the link to its predecessor.
    pub fn take(&mut self, hit: Hit, size: u64) -> u32 {
        let (id, offset, total) = (hit.seg, hit.offset, hit.size);
        debug_assert_eq!((offset, total), (self.segs[id as usize].offset, self.segs[id as usize].size));
        self.cursor = offset + size;
        if total == size {
            self.free.remove(offset, total);
            self.segs[id as usize].alloc = Some(Id::new(id));
            self.segs[id as usize].dirty = false;
            return id;
        }
        self.free.update(offset, total, offset + size, total - size, id);
        let prev = self.segs[id as usize].prev;
        self.segs[id as usize].offset = offset + size;
        self.segs[id as usize].size = total - size;
        let used = self.new_seg(Seg {
            offset,
            size,
            prev,
            next: Some(Id::new(id)),
            alloc: None,
            dirty: false,
            vacant: false,
        });
        self.segs[used as usize].alloc = Some(Id::new(used));
        self.segs[id as usize].prev = Some(Id::new(used));
        match prev {
            None => self.head = Some(Id::new(used)),
            Some(p) => self.segs[p.index()].next = Some(Id::new(used)),
        }
        used
    }

    /// Frees segment `id`. With `merge`, it is merged with free neighbours at once;
    /// otherwise it is left for a sweep.
    pub fn release(&mut self, id: u32, merge: bool) -> Option<Merged> {
        self.segs[id as usize].alloc = None;
        if !merge {
            self.index_insert(id);
            self.segs[id as usize].dirty = true;
            self.dirty.push(id);
            return None;
        }
        let (l, r) = (self.prev_free(id), self.next_free(id));
        let dirty = |x: Option<u32>| x.is_some_and(|x| self.segs[x as usize].dirty);
        if (l.is_none() && r.is_none()) || dirty(l) || dirty(r) {
            // Nothing to merge, or longer runs left by eager frees: the general path.
            self.index_insert(id);
            return self.merge_around(id);
        }
        // The common case, with at most one free neighbour on each side: grow or re-key
        // the neighbour's index entry in place instead of removing and inserting.
        let parts: Vec<(u64, u64)> = [l, Some(id), r]
            .into_iter()
            .flatten()
            .map(|x| (self.segs[x as usize].offset, self.segs[x as usize].size))
            .collect();
        let (offset, total) = (parts[0].0, parts.iter().map(|p| p.1).sum());
        let survivor = match (l, r) {
            (Some(l), r) => {
                if let Some(r) = r {
                    self.index_remove(r);
                    self.unlink(r);
                }
                self.free.update(parts[0].0, parts[0].1, offset, total, l);
                l
            }
            (None, Some(r)) => {
                self.free.update(parts[1].0, parts[1].1, offset, total, r);
                r
            }
            (None, None) => unreachable!("handled above"),
        };
        self.unlink(id);
        self.segs[survivor as usize].offset = offset;
        self.segs[survivor as usize].size = total;
        Some(Merged { offset, size: total, parts })
    }

    fn next_free(&self, id: u32) -> Option<u32> {
        let n = self.segs[id as usize].next?;
        self.segs[n.index()].is_free().then_some(n.get())
    }

    /// Takes segment `x` out of the list and recycles its slot.
    fn unlink(&mut self, x: u32) {
        let (p, n) = (self.segs[x as usize].prev, self.segs[x as usize].next);
        match p {
            None => self.head = n,
            Some(p) => self.segs[p.index()].next = n,
        }
        if let Some(n) = n {
            self.segs[n.index()].prev = p;
        }
        self.make_vacant(x);
    }

    /// Segments freed eagerly since the last sweep (still free), in address order.
    pub fn take_dirty(&mut self) -> Vec<u32> {
        let mut d: Vec<u32> = std::mem::take(&mut self.dirty)
            .into_iter()
            .filter(|&i| self.segs[i as usize].is_free() && self.segs[i as usize].dirty)
            .collect();
        d.sort_unstable_by_key(|&i| self.segs[i as usize].offset);
        d.dedup();
        d
    }

    pub fn is_free(&self, id: u32) -> bool {
        self.segs[id as usize].is_free()
    }

    /// Takes segment `x`'s slot out of use, for reuse.
    fn make_vacant(&mut self, x: u32) {
        let s = &mut self.segs[x as usize];
        (s.alloc, s.vacant) = (None, true);
        self.vacant.push(x);
    }

    /// Merges the run of adjacent free blocks around `id` into one.
    pub fn merge_around(&mut self, id: u32) -> Option<Merged> {
        let mut first = id;
        while let Some(p) = self.prev_free(first) {
            first = p;
        }
        let mut parts = vec![];
        let mut cur = Some(Id::new(first));
        let mut last = first;
        while let Some(c) = cur.filter(|c| self.segs[c.index()].is_free()) {
            parts.push(c.get());
            last = c.get();
            cur = self.segs[c.index()].next;
        }
        for &p in &parts {
            self.segs[p as usize].dirty = false;
        }
        if parts.len() < 2 {
            return None;
        }
        let spans: Vec<(u64, u64)> =
            parts.iter().map(|&p| (self.segs[p as usize].offset, self.segs[p as usize].size)).collect();
        for &p in &parts {
            self.index_remove(p);
        }
        let total: u64 = spans.iter().map(|s| s.1).sum();
        let after = self.segs[last as usize].next;
        self.segs[first as usize].size = total;
        self.segs[first as usize].next = after;
        if let Some(a) = after {
            self.segs[a.index()].prev = Some(Id::new(first));
        }
        for &p in &parts[1..] {
            self.make_vacant(p);
        }
        self.index_insert(first);
        Some(Merged { offset: spans[0].0, size: total, parts: spans })
    }

    fn prev_free(&self, id: u32) -> Option<u32> {
        let p = self.segs[id as usize].prev?;
        self.segs[p.index()].is_free().then_some(p.get())
    }

    /// Slides every used block toward offset 0 in address order; all free space becomes
    /// one block at the top. Calls `moved(alloc, from, to, size)` for each block that moves.
    pub fn compact(&mut self, pool: u64, mut moved: impl FnMut(u32, u64, u64, u64)) {
        let mut used = Vec::new();
        let mut cur = self.head;
        while let Some(c) = cur {
            let next = self.segs[c.index()].next;
            if self.segs[c.index()].is_free() {
                self.make_vacant(c.get());
            } else {
                used.push(c.get());
            }
            cur = next;
        }
        self.free = self.free.emptied();
        self.dirty.clear();
        let mut at = 0u64;
        let mut prev: Option<Id> = None;
        for &u in &used {
            let s = &mut self.segs[u as usize];
            if s.offset != at {
                moved(u, s.offset, at, s.size);
                s.offset = at;
            }
            s.prev = prev;
            at += s.size;
            if let Some(p) = prev {
                self.segs[p.index()].next = Some(Id::new(u));
            }
            prev = Some(Id::new(u));
        }
        let tail = (at < pool).then(|| {
            let t = self.new_seg(Seg {
                offset: at,
                size: pool - at,
                prev,
                next: None,
                alloc: None,
                dirty: false,
                vacant: false,
            });
            self.index_insert(t);
            Id::new(t)
        });
        if let Some(p) = prev {
            self.segs[p.index()].next = tail;
        }
        self.head = if used.is_empty() { tail } else { Some(Id::new(used[0])) };
        self.cursor = 0;
    }

    /// Every block in address order.
    pub fn iter(&self) -> impl Iterator<Item = &Seg> + '_ {
        let mut cur = self.head;
        std::iter::from_fn(move || {
            let s = &self.segs[cur?.index()];
            cur = s.next;
            Some(s)
        })
    }

    /// The id `take(hit, size)` will give the allocation, before it runs.
    pub fn id_for(&self, hit: &Hit, size: u64) -> u32 {
        if hit.size == size {
            hit.seg
        } else {
            self.vacant_at(0).unwrap_or(self.segs.len() as u32)
        }
    }

    /// The `k`-th segment slot from the top of the vacant stack (0: the next one taken).
    pub fn vacant_at(&self, k: usize) -> Option<u32> {
        self.vacant.len().checked_sub(k + 1).map(|i| self.vacant[i])
    }

    fn new_seg(&mut self, seg: Seg) -> u32 {
        if let Some(i) = self.vacant.pop() {
            self.segs[i as usize] = seg;
            i
        } else {
            self.segs.push(seg);
            (self.segs.len() - 1) as u32
        }
    }

    fn index_insert(&mut self, id: u32) {
        let s = &self.segs[id as usize];
        self.free.insert(s.offset, s.size, id);
    }

    fn index_remove(&mut self, id: u32) {
        let s = &self.segs[id as usize];
        self.free.remove(s.offset, s.size);
    }

    /// Checks the layout's invariants; `pool` is the pool size.
    pub fn check(&self, pool: u64) -> Result<(), crate::invariant::InvariantError> {
        let mut at = 0u64;
        let mut prev: Option<Id> = None;
        let mut cur = self.head;
        let mut free_seen = Vec::new();
        let mut last_free = false;
        let pending_merges = self.segs.iter().any(|s| s.is_free() && s.dirty);
        while let Some(c) = cur {
            let s = &self.segs[c.index()];
            if s.vacant {
                return crate::invariant::fail(format!("vacant segment {c:?} is linked"));
            }
            if s.offset != at {
                return crate::invariant::fail(format!(
                    "gap or overlap: block at {} but previous ended at {at}",
                    s.offset
                ));
            }
            if s.size == 0 {
                return crate::invariant::fail(format!("empty block at {at}"));
            }
            if s.prev != prev {
                return crate::invariant::fail(format!("block at {at}: prev link is wrong"));
            }
            let is_free = s.is_free();
            if is_free {
                free_seen.push((s.offset, s.size));
                if last_free && !pending_merges {
                    return crate::invariant::fail(format!(
                        "two adjacent free blocks end at {at} with no eager free pending"
                    ));
                }
            }
            last_free = is_free;
            at += s.size;
            prev = cur;
            cur = s.next;
        }
        if at != pool {
            return crate::invariant::fail(format!("blocks add up to {at} bytes, the pool has {pool}"));
        }
        let indexed: Vec<(u64, u64)> = self.free.iter().collect();
        let (slivers, ordered): (Vec<_>, Vec<_>) =
            free_seen.into_iter().partition(|f| self.free.is_sliver(f.1));
        if indexed != ordered {
            return crate::invariant::fail(format!("free index {indexed:?} != free blocks {ordered:?}"));
        }
        let mut counted = [0u32; SLIVER_CAP as usize];
        for &(_, size) in &slivers {
            counted[size as usize] += 1;
        }
        for (size, &n) in counted.iter().enumerate() {
            if self.free.sliver_count(size as u64) != n {
                return crate::invariant::fail(format!(
                    "{n} free slivers of {size} bytes, the index counts {}",
                    self.free.sliver_count(size as u64)
                ));
            }
        }
        self.free.check()
    }
}
