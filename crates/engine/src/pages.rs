//! The paged layout: Flink's MemoryManager / NetworkBufferPool model. The pool is a row of
//! fixed-size pages (segments); a request takes ceil(size / page) pages, the lowest free
//! ones first, contiguous or not. There is no external fragmentation — any free page serves
//! any request — only internal waste in each request's last page.
//!
//! Free pages are a bitmap (1 = free) with a summary bitmap of non-empty words, so the next
//! free page is found without scanning every page. Invariants (`check`): the bitmap, the
//! owner table, the free count and the free-run count agree.

/// The largest number of pages memlab simulates (16 Mi pages: 512 GiB of 32 KiB pages).
pub const MAX_PAGES: u64 = 1 << 24;

#[derive(Clone, Debug)]
pub(crate) struct Pages {
    pub page: u64,
    pub count: u32,
    /// The allocation holding each page (None: the page is free).
    pub owner: Vec<Option<u32>>,
    free_bits: Vec<u64>,
    summary: Vec<u64>,
    pub free_count: u32,
    /// Maximal runs of free pages (the listing's free blocks).
    pub free_runs: u32,
}

impl Pages {
    pub fn new(count: u32, page: u64) -> Pages {
        let words = (count as usize).div_ceil(64);
        let mut free_bits = vec![u64::MAX; words];
        if !count.is_multiple_of(64) {
            free_bits[words - 1] = (1u64 << (count % 64)) - 1;
        }
        let swords = words.div_ceil(64);
        let mut summary = vec![0u64; swords];
        for (w, bits) in free_bits.iter().enumerate() {
            if *bits != 0 {
                summary[w / 64] |= 1 << (w % 64);
            }
        }
        Pages {
            page,
            count,
            owner: vec![None; count as usize],
            free_bits,
            summary,
            free_count: count,
            free_runs: u32::from(count > 0),
        }
    }

    fn is_free(&self, p: u32) -> bool {
        self.free_bits[p as usize / 64] & (1 << (p % 64)) != 0
    }

    /// The lowest free page at or after `from`.
    fn next_free(&self, from: u32) -> Option<u32> {
        if from >= self.count {
            return None;
        }
        let w = from as usize / 64;
        let bits = self.free_bits[w] & (u64::MAX << (from % 64));
        if bits != 0 {
            return Some((w * 64) as u32 + bits.trailing_zeros());
        }
        // Find the next non-empty word through the summary.
        let mut sw = (w + 1) / 64;
        let mut mask = if (w + 1).is_multiple_of(64) { u64::MAX } else { u64::MAX << ((w + 1) % 64) };
        while sw < self.summary.len() {
            let s = self.summary[sw] & mask;
            if s != 0 {
                let word = sw * 64 + s.trailing_zeros() as usize;
                return Some((word * 64) as u32 + self.free_bits[word].trailing_zeros());
            }
            sw += 1;
            mask = u64::MAX;
        }
        None
    }

    fn set(&mut self, p: u32, owner: Option<u32>) {
        let free = owner.is_none();
        let left = p > 0 && self.is_free(p - 1);
        let right = p + 1 < self.count && self.is_free(p + 1);
        let w = p as usize / 64;
        if free {
            self.free_bits[w] |= 1 << (p % 64);
            self.summary[w / 64] |= 1 << (w % 64);
            self.free_count += 1;
            // A freed page joins, bridges or starts runs.
            match (left, right) {
                (true, true) => self.free_runs -= 1,
                (false, false) => self.free_runs += 1,
                _ => {}
            }
        } else {
            self.free_bits[w] &= !(1 << (p % 64));
            if self.free_bits[w] == 0 {
                self.summary[w / 64] &= !(1 << (w % 64));
            }
            self.free_count -= 1;
            match (left, right) {
                (true, true) => self.free_runs += 1,
                (false, false) => self.free_runs -= 1,
                _ => {}
            }
        }
        self.owner[p as usize] = owner;
    }

    /// Gives the `n` lowest free pages to `alloc`; returns them as runs (first page, count).
    /// The caller has checked that `n <= free_count`.
    pub fn take(&mut self, n: u32, alloc: u32) -> Vec<(u32, u32)> {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        let mut at = 0;
        for _ in 0..n {
            let Some(p) = self.next_free(at) else { break };
            self.set(p, Some(alloc));
            match runs.last_mut() {
                Some((s, c)) if *s + *c == p => *c += 1,
                _ => runs.push((p, 1)),
            }
            at = p + 1;
        }
        runs
    }

    pub fn release(&mut self, runs: &[(u32, u32)]) {
        for &(s, c) in runs {
            for p in s..s + c {
                self.set(p, None);
            }
        }
    }

    /// Re-lays allocations so each one's pages are contiguous, packed from page 0 in the
    /// order of their first page. `allocs` lists (alloc id, runs) in that order; returns
    /// the new single run of each, and calls `moved(alloc, from_page, to_page, pages)` for
    /// each run that moves.
    pub fn compact(
        &mut self,
        allocs: &[(u32, Vec<(u32, u32)>)],
        mut moved: impl FnMut(u32, u32, u32, u32),
    ) -> Vec<(u32, u32)> {
        let mut fresh = Pages::new(self.count, self.page);
        let mut out = Vec::with_capacity(allocs.len());
        let mut at = 0u32;
        for (id, runs) in allocs {
            let start = at;
            for &(s, c) in runs {
                if s != at {
                    moved(*id, s, at, c);
                }
                at += c;
            }
            for p in start..at {
                fresh.set(p, Some(*id));
            }
            out.push((start, at - start));
        }
        *self = fresh;
        out
    }

    /// Maximal runs of pages with the same owner, in address order: (first, count, owner).
    pub fn runs(&self) -> Vec<(u32, u32, Option<u32>)> {
        let mut out: Vec<(u32, u32, Option<u32>)> = Vec::new();
        for (p, &o) in self.owner.iter().enumerate() {
            match out.last_mut() {
                Some((_, c, lo)) if *lo == o => *c += 1,
                _ => out.push((p as u32, 1, o)),
            }
        }
        out
    }

    pub fn check(&self) -> Result<(), crate::invariant::InvariantError> {
        let mut free = 0;
        for p in 0..self.count {
            let f = self.is_free(p);
            if f != self.owner[p as usize].is_none() {
                return crate::invariant::fail(format!("page {p}: bitmap and owner table disagree"));
            }
            free += u32::from(f);
        }
        if free != self.free_count {
            return crate::invariant::fail(format!(
                "free page count {} but {free} pages are free",
                self.free_count
            ));
        }
        let runs = self.runs().iter().filter(|r| r.2.is_none()).count() as u32;
        if runs != self.free_runs {
            return crate::invariant::fail(format!(
                "free run count {} but {runs} runs are free",
                self.free_runs
            ));
        }
        for (w, bits) in self.free_bits.iter().enumerate() {
            if (*bits != 0) != (self.summary[w / 64] & (1 << (w % 64)) != 0) {
                return crate::invariant::fail(format!("summary bit of word {w} is wrong"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_lowest_free_pages_across_holes() {
        let mut p = Pages::new(200, 4096);
        let a = p.take(3, 1);
        let b = p.take(2, 2);
        assert_eq!(a, vec![(0, 3)]);
        assert_eq!(b, vec![(3, 2)]);
        p.release(&a);
        assert_eq!(p.free_runs, 2);
        let c = p.take(5, 3);
        assert_eq!(c, vec![(0, 3), (5, 2)]);
        p.check().unwrap();
        // Far pages are found through the summary.
        let big = p.take(190, 4);
        assert_eq!(big, vec![(7, 190)]);
        assert_eq!(p.free_count, 3);
        p.check().unwrap();
    }
}
