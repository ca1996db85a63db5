//! Names → allocation ids, looked up on every operation.
//!
//! A hash table of 8-byte entries (32 bits of the name's hash, the allocation id) instead of
//! a map keyed by the name itself: the table is a third of the size (it stays in cache far
//! longer as the live set grows), and a hit is confirmed against the allocation record the
//! operation reads next anyway, not against a separate copy of the key. The caller says
//! whether allocation `id` is called `name` (`is`).
//!
//! The hash (FxHash, 32 bits kept) is not randomly seeded: the engine is deterministic, and
//! this only decides where entries sit, never what a lookup returns.

use std::hash::Hasher;

use hashbrown::HashTable;

#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    /// `(hash32 << 32) | id`.
    table: HashTable<u64>,
}

fn hash32(name: &[u8]) -> u32 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(name);
    let h = h.finish();
    (h ^ (h >> 32)) as u32
}

/// The table's 64-bit hash of a stored 32-bit one: spread over every bit, because the table
/// takes bucket indices from the low bits and its tag from the top ones.
fn spread(h32: u32) -> u64 {
    u64::from(h32).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn rehash(entry: &u64) -> u64 {
    spread((entry >> 32) as u32)
}

impl Names {
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// The id of the allocation called `name`, if any.
    pub fn get(&self, name: &[u8], is: impl Fn(u32) -> bool) -> Option<u32> {
        let h = hash32(name);
        let tag = u64::from(h) << 32;
        self.table.find(spread(h), |&e| e & !0xFFFF_FFFF == tag && is(e as u32)).map(|&e| e as u32)
    }

    /// The id filed under `name`'s hash, unconfirmed: good enough for a prefetch hint, which
    /// a hash collision can only make useless, never wrong.
    pub fn candidate(&self, name: &[u8]) -> Option<u32> {
        self.get(name, |_| true)
    }

    /// Records that `name` is allocation `id` (the name must not be present).
    pub fn insert(&mut self, name: &[u8], id: u32) {
        let h = hash32(name);
        self.table.insert_unique(spread(h), (u64::from(h) << 32) | u64::from(id), rehash);
    }

    /// Forgets allocation `id`, called `name`.
    pub fn remove(&mut self, name: &[u8], id: u32) {
        let h = hash32(name);
        let e = (u64::from(h) << 32) | u64::from(id);
        if let Ok(entry) = self.table.find_entry(spread(h), |&x| x == e) {
            entry.remove();
        } else {
            debug_assert!(false, "'{}' was not in the name table", String::from_utf8_lossy(name));
        }
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
}
