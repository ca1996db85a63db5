//! Free blocks by size, for best-fit and worst-fit: segregated size classes, each an ordered
//! map, with a bitmap of the classes that hold anything.
//!
//! One ordered map of every free block answers "the smallest block of at least `s` bytes,
//! lowest offset on ties" in O(log n), but with tens of thousands of free blocks each query
//! descends four or five levels of nodes that no longer fit in the fastest caches. Here the
//! sizes are first cut into classes the way TLSF cuts them — 64 classes per power of two
//! (each spans 1/64 of its octave), exact classes below 64 bytes — so a query looks in the
//! request's own class (a small map) and, if nothing there fits, takes the smallest block
//! of the next non-empty class found in the bitmap: every block of a higher class is larger
//! than every block of a lower one. The answers are exactly those of one ordered map.
//!
//! Why 64: with tens of thousands of free blocks (the benchmark at 100,000 live) 16 classes
//! per octave leave ≈ 180 blocks in a class, three levels of map nodes; 64 leave ≈ 45, two
//! levels; 128 or 256 add class headers for little more (the figures: docs/BENCHMARKS.md).
//!
//! Classes are created up to the highest one used, so a pool of small blocks stays small
//! (timelines clone the engine for checkpoints): an empty class costs one 24-byte map
//! header, ≈ 30 KB for a pool of 60 MiB.

use std::collections::BTreeMap;

/// Classes per power of two, as a power of two.
const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;

/// The class of a block of `size` bytes (`size > 0`): monotonic in `size`.
fn class_of(size: u64) -> usize {
    if size < SUB {
        return size as usize;
    }
    let fl = 63 - size.leading_zeros(); // >= SUB_BITS
    let sl = (size >> (fl - SUB_BITS)) & (SUB - 1);
    (SUB + u64::from(fl - SUB_BITS) * SUB + sl) as usize
}

/// A map key that orders as `(size, offset)` does, compared in one 128-bit comparison.
fn key(size: u64, offset: u64) -> u128 {
    (u128::from(size) << 64) | u128::from(offset)
}

fn unkey(k: u128) -> (u64, u64) {
    ((k >> 64) as u64, k as u64)
}

/// `(size, offset) → segment id`, ordered by size then offset, in size classes.
#[derive(Clone, Debug, Default)]
pub(crate) struct BySize {
    classes: Vec<BTreeMap<u128, u32>>,
    /// Bit `c % 64` of word `c / 64`: class `c` is non-empty.
    occupied: Vec<u64>,
    len: usize,
}

impl BySize {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn insert(&mut self, size: u64, offset: u64, seg: u32) -> Option<u32> {
        let c = class_of(size);
        if c >= self.classes.len() {
            self.classes.resize_with(c + 1, BTreeMap::new);
            self.occupied.resize(self.classes.len().div_ceil(64), 0);
        }
        let old = self.classes[c].insert(key(size, offset), seg);
        if old.is_none() {
            self.len += 1;
            self.occupied[c / 64] |= 1 << (c % 64);
        }
        old
    }

    pub fn remove(&mut self, size: u64, offset: u64) -> Option<u32> {
        let c = class_of(size);
        let map = self.classes.get_mut(c)?;
        let old = map.remove(&key(size, offset));
        if old.is_some() {
            self.len -= 1;
            if map.is_empty() {
                self.occupied[c / 64] &= !(1 << (c % 64));
            }
        }
        old
    }

    /// The first non-empty class at or after `c`.
    fn next_class(&self, c: usize) -> Option<usize> {
        let mut w = c / 64;
        let mut bits = *self.occupied.get(w)? & (u64::MAX << (c % 64));
        loop {
            if bits != 0 {
                return Some(w * 64 + bits.trailing_zeros() as usize);
            }
            w += 1;
            bits = *self.occupied.get(w)?;
        }
    }

    /// The last non-empty class.
    fn last_class(&self) -> Option<usize> {
        let w = self.occupied.iter().rposition(|&b| b != 0)?;
        Some(w * 64 + 63 - self.occupied[w].leading_zeros() as usize)
    }

    /// The smallest entry with size `>= size`, lowest offset on ties: (size, offset, seg).
    pub fn at_least(&self, size: u64) -> Option<(u64, u64, u32)> {
        let c = class_of(size.max(1));
        if let Some(map) = self.classes.get(c) {
            if let Some((&k, &seg)) = map.range(key(size, 0)..).next() {
                let (s, o) = unkey(k);
                return Some((s, o, seg));
            }
        }
        let next = self.next_class(c + 1)?;
        self.classes[next].first_key_value().map(|(&k, &seg)| (unkey(k).0, unkey(k).1, seg))
    }

    /// The largest size held.
    pub fn largest(&self) -> Option<u64> {
        let c = self.last_class()?;
        self.classes[c].last_key_value().map(|(&k, _)| unkey(k).0)
    }

    /// Every entry as (size, offset), in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.classes.iter().flat_map(|m| m.keys().map(|&k| unkey(k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_grow_with_size_and_split_each_octave_in_sixty_four() {
        let mut last = 0;
        for size in (1..5000u64).chain([1 << 20, (1 << 20) + 1, u64::MAX / 2, u64::MAX]) {
            let c = class_of(size);
            assert!(c >= last, "class of {size} went down");
            last = c;
        }
        assert_eq!(class_of(63), 63);
        assert_eq!(class_of(64), 64);
        // From 1 KiB to 2 KiB a class spans 1024 / 64 = 16 sizes.
        assert_eq!(class_of(1024), class_of(1024 + 15));
        assert_ne!(class_of(1024), class_of(1024 + 16));
    }

    #[test]
    fn answers_as_one_ordered_map_would() {
        // The same entries in a plain ordered map, queried the same way.
        let mut rng = crate::workload::SplitMix64::new(3);
        let mut ours = BySize::default();
        let mut plain: BTreeMap<(u64, u64), u32> = BTreeMap::new();
        for i in 0..20_000u32 {
            let size = rng.size(1, 1 << 40);
            let offset = rng.below(1 << 20);
            if rng.below(3) == 0 {
                if let Some((&k, _)) = plain.range((size, 0)..).next() {
                    plain.remove(&k);
                    assert!(ours.remove(k.0, k.1).is_some());
                }
            } else if let std::collections::btree_map::Entry::Vacant(e) = plain.entry((size, offset)) {
                e.insert(i);
                assert_eq!(ours.insert(size, offset, i), None);
            }
            let want = plain.range((size, 0)..).next().map(|(&(s, o), &g)| (s, o, g));
            assert_eq!(ours.at_least(size), want);
            assert_eq!(ours.largest(), plain.last_key_value().map(|(&(s, _), _)| s));
            assert_eq!(ours.len(), plain.len());
        }
    }
}
