//! Names → allocation ids, looked up on every operation.
//!
//! An open-addressing table of 8-byte entries (32 bits of the name's hash, the allocation
//! id) with linear probing, instead of a map keyed by the name itself: the table is a third
//! of the size (it stays in cache far longer as the live set grows), a hit is confirmed
//! against the allocation record the operation reads next anyway, not against a separate
//! copy of the key (docs/BENCHMARKS.md: against a plain hash map of names). At most half
//! the slots are taken, so
//! a probe almost always stays in the cache line it starts in. Removal shifts the entries
//! after the hole back (no tombstones), so lookups never slow down with churn.
//!
//! The hash (FxHash, 32 bits kept) is not randomly seeded: the engine is deterministic, and
//! this only decides where entries sit, never what a lookup returns.

use std::hash::Hasher;

/// A slot no entry takes (no allocation has id `u32::MAX`).
const EMPTY: u64 = u64::MAX;
/// The smallest table, once something is inserted.
const MIN_SLOTS: usize = 16;

#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    /// `(hash32 << 32) | id`, or [`EMPTY`]; the length is a power of two (or 0).
    slots: Vec<u64>,
    len: usize,
}

/// The name's 32-bit hash: what the table stores.
pub(crate) fn hash32(name: &[u8]) -> u32 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(name);
    let h = h.finish();
    (h ^ (h >> 32)) as u32
}

impl Names {
    pub fn len(&self) -> usize {
        self.len
    }

    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// The slot a probe for hash `h` starts at (the table must not be empty).
    fn home(&self, h: u32) -> usize {
        // Fibonacci hashing: the top log2(slots) bits of the product depend on every bit
        // of `h`.
        let shift = 64 - self.slots.len().trailing_zeros();
        (u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
    }

    /// The id of the allocation called `name`, if any. `is(id)` says whether allocation `id`
    /// is called `name`.
    pub fn get(&self, name: &[u8], is: impl Fn(u32) -> bool) -> Option<u32> {
        self.get_hashed(hash32(name), is)
    }

    fn get_hashed(&self, h: u32, is: impl Fn(u32) -> bool) -> Option<u32> {
        self.position(h, |e| is(e as u32)).map(|i| self.slots[i] as u32)
    }

    /// Where the first entry with hash `h` that `accept` takes sits, if any.
    fn position(&self, h: u32, accept: impl Fn(u64) -> bool) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let (tag, mask) = (u64::from(h) << 32, self.mask());
        let mut i = self.home(h);
        loop {
            let e = self.slots[i];
            if e == EMPTY {
                return None;
            }
            if e & !0xFFFF_FFFF == tag && accept(e) {
                return Some(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// Records that `name` is allocation `id` (the name must not be present).
    pub fn insert(&mut self, name: &[u8], id: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let h = hash32(name);
        self.put((u64::from(h) << 32) | u64::from(id));
        self.len += 1;
    }

    /// Stores entry `e` in the first empty slot from its home on.
    fn put(&mut self, e: u64) {
        let mask = self.mask();
        let mut i = self.home((e >> 32) as u32);
        while self.slots[i] != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = e;
    }

    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(MIN_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; n]);
        for e in old.into_iter().filter(|&e| e != EMPTY) {
            self.put(e);
        }
    }

    /// Forgets allocation `id`, called `name`.
    pub fn remove(&mut self, name: &[u8], id: u32) {
        let e = (u64::from(hash32(name)) << 32) | u64::from(id);
        let Some(mut hole) = self.position((e >> 32) as u32, |x| x == e) else {
            debug_assert!(false, "'{}' was not in the name table", String::from_utf8_lossy(name));
            return;
        };
        // Backward shift: move each following entry of the run into the hole when the hole
        // lies between that entry's home and where it sits, so every entry stays reachable
        // from its home without crossing an empty slot.
        let mask = self.mask();
        let mut j = (hole + 1) & mask;
        loop {
            let x = self.slots[j];
            if x == EMPTY {
                break;
            }
            let home = self.home((x >> 32) as u32);
            if j.wrapping_sub(home) & mask >= j.wrapping_sub(hole) & mask {
                self.slots[hole] = x;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.slots[hole] = EMPTY;
        self.len -= 1;
    }

    /// Whether the table holds exactly `name` → `id`. For the invariant checks.
    pub fn maps(&self, name: &[u8], id: u32) -> bool {
        self.get(name, |x| x == id) == Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_and_forgets_what_was_removed() {
        let names: Vec<String> = (0..5000).map(|i| format!("w1.{i}")).collect();
        let mut t = Names::default();
        for (i, n) in names.iter().enumerate() {
            t.insert(n.as_bytes(), i as u32);
        }
        assert_eq!(t.len(), 5000);
        let lookup = |t: &Names, n: &str| t.get(n.as_bytes(), |id| names[id as usize] == n);
        assert_eq!(lookup(&t, "w1.4321"), Some(4321));
        assert_eq!(lookup(&t, "w1.5000"), None);
        for i in (0..5000).step_by(2) {
            t.remove(names[i].as_bytes(), i as u32);
        }
        assert_eq!(t.len(), 2500);
        assert_eq!(lookup(&t, "w1.4320"), None);
        assert_eq!(lookup(&t, "w1.4321"), Some(4321));
        assert!(t.maps(b"w1.7", 7) && !t.maps(b"w1.7", 8));
    }

    #[test]
    fn churn_agrees_with_a_map_of_names() {
        // Inserts and removals in a random order over a small name space: probe runs wrap
        // around the table end and removals shift entries back through them.
        let mut model = std::collections::HashMap::new();
        let mut t = Names::default();
        let mut rng = crate::workload::SplitMix64::new(0x2545_F491_4F6C_DD1D);
        for step in 0..200_000u32 {
            let name = format!("b{}", rng.below(3000));
            match model.remove(&name) {
                Some(id) => t.remove(name.as_bytes(), id),
                None => {
                    t.insert(name.as_bytes(), step);
                    model.insert(name, step);
                }
            }
            if step % 20_000 == 0 {
                assert_eq!(t.len(), model.len());
                for k in 0..3000 {
                    let n = format!("b{k}");
                    let want = model.get(&n).copied();
                    assert_eq!(t.get(n.as_bytes(), |id| Some(id) == want), want, "{n} at step {step}");
                }
            }
        }
    }
}
