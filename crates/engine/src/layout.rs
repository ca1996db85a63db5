//! The three ways a pool is laid out — contiguous blocks ([`Segments`]), Flink's fixed-size
//! pages ([`Pages`]), buddy blocks ([`Buddy`]) — behind one interface: the engine asks where
//! a request goes, frees, merges, compacts, lists the blocks and checks them, and never asks
//! which layout it has. Only this module looks inside.
//!
//! The layout writes the events of what it does to the blocks (splits, halvings, the blocks
//! an allocation takes, frees, merges) into [`Events`]; the engine writes the rest.

use crate::buddy::{self, Buddy};
use crate::event::Event;
use crate::free_index::Hit;
use crate::invariant::InvariantError;
use crate::model::{ConfigError, Policy, PoolConfig};
use crate::name::Name;
use crate::pages::{Pages, MAX_PAGES};
use crate::segments::Segments;

/// The events of the step being applied, when recording is on.
#[derive(Clone, Debug)]
pub(crate) struct Events {
    pub on: bool,
    pub list: Vec<Event>,
}

impl Events {
    pub fn emit(&mut self, e: impl FnOnce() -> Event) {
        if self.on {
            self.list.push(e());
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Layout {
    Contiguous(Segments),
    Paged(Paged),
    Buddy(Buddy),
}

/// The paged layout: the pages, and each allocation's runs of pages as (first page, count),
/// by allocation id.
#[derive(Clone, Debug)]
pub(crate) struct Paged {
    pages: Pages,
    runs: Vec<Vec<(u32, u32)>>,
}

/// Room found for a request: the id its allocation takes, and (contiguous layout) the free
/// block to split, which [`Layout::commit`] does last.
pub(crate) struct Placement {
    pub id: u32,
    pending: Option<Hit>,
}

/// No room for a request that needs `need` bytes of the pool.
pub(crate) struct NoRoom {
    pub need: u64,
}

impl Layout {
    /// The layout `cfg`'s policy asks for.
    pub fn new(cfg: &PoolConfig) -> Result<Layout, ConfigError> {
        Ok(match cfg.policy {
            Policy::Pages => {
                if cfg.page_size == 0 {
                    return Err(ConfigError::ZeroPage);
                }
                if !cfg.size.is_multiple_of(cfg.page_size) {
                    return Err(ConfigError::PoolNotPageMultiple { size: cfg.size, page: cfg.page_size });
                }
                let pages = cfg.size / cfg.page_size;
                if pages > MAX_PAGES {
                    return Err(ConfigError::TooManyPages { pages, max: MAX_PAGES });
                }
                Layout::Paged(Paged { pages: Pages::new(pages as u32, cfg.page_size), runs: Vec::new() })
            }
            Policy::Buddy => Layout::Buddy(Buddy::new(cfg.size)),
            _ => Layout::Contiguous(Segments::new(cfg.size, cfg.policy)),
        })
    }

    /// The bytes a request of `size` takes from the pool: the request, whole pages, or the
    /// next power of two (saturating: a request that large can never be placed).
    pub fn reserved(&self, size: u64) -> u64 {
        match self {
            Layout::Contiguous(_) => size,
            Layout::Paged(p) => size.div_ceil(p.pages.page).saturating_mul(p.pages.page),
            Layout::Buddy(_) => buddy::block_for(size).unwrap_or(u64::MAX),
        }
    }

    /// Whether allocation ids are slots of their own (recycled by the engine) rather than
    /// the ids of the blocks they hold.
    pub fn own_ids(&self) -> bool {
        !matches!(self, Layout::Contiguous(_))
    }

    /// Whether a failed request is explained by the buddy rules (blocks are powers of two
    /// and merge only with their buddy).
    pub fn has_buddy_rules(&self) -> bool {
        matches!(self, Layout::Buddy(_))
    }

    /// The largest request that fits now (`free_bytes` in all: any free page serves).
    pub fn largest_free(&self, free_bytes: u64) -> u64 {
        match self {
            Layout::Contiguous(s) => s.free.largest(),
            Layout::Paged(_) => free_bytes,
            Layout::Buddy(b) => b.largest(),
        }
    }

    /// How many free blocks the listing shows (for pages: runs of free pages).
    pub fn free_blocks(&self) -> u64 {
        match self {
            Layout::Contiguous(s) => s.free.len() as u64,
            Layout::Paged(p) => u64::from(p.pages.free_runs),
            Layout::Buddy(b) => b.free_len() as u64,
        }
    }

    /// A network buffer pool's pages: (free, total, page size); None for other layouts.
    pub fn pages(&self) -> Option<(u64, u64, u64)> {
        match self {
            Layout::Paged(p) => Some((u64::from(p.pages.free_count), u64::from(p.pages.count), p.pages.page)),
            _ => None,
        }
    }

    /// Finds room for `size` bytes (`reserved` of the pool) and writes what the allocation
    /// takes as events. `next_id` is the id an allocation of a layout with ids of its own
    /// takes. The contiguous layout splits its block only in [`Layout::commit`].
    #[allow(clippy::too_many_arguments)]
    pub fn place(
        &mut self,
        policy: Policy,
        name: &Name,
        size: u64,
        reserved: u64,
        owner: Option<&Name>,
        next_id: u32,
        ev: &mut Events,
    ) -> Result<Placement, NoRoom> {
        match self {
            Layout::Contiguous(segs) => {
                let Some(hit) = segs.find(policy, size) else { return Err(NoRoom { need: size }) };
                let offset = hit.offset;
                if hit.size > size {
                    let (rest_offset, rest_size) = (offset + size, hit.size - size);
                    ev.emit(|| Event::Split { offset, size, rest_offset, rest_size });
                }
                ev.emit(|| Event::Allocate { name: name.clone(), offset, size, owner: owner.cloned() });
                // The allocation takes its block's segment id: a lookup by name then finds
                // the record and the segment at once, with no load waiting for another.
                Ok(Placement { id: segs.id_for(&hit, size), pending: Some(hit) })
            }
            Layout::Paged(p) => {
                let page = p.pages.page;
                let need = reserved / page;
                if need > u64::from(p.pages.free_count) {
                    return Err(NoRoom { need: reserved });
                }
                let id = next_id;
                let runs = p.pages.take(need as u32, id);
                for &(s, c) in &runs {
                    ev.emit(|| Event::Allocate {
                        name: name.clone(),
                        offset: u64::from(s) * page,
                        size: u64::from(c) * page,
                        owner: owner.cloned(),
                    });
                }
                if p.runs.len() <= id as usize {
                    p.runs.resize_with(id as usize + 1, Vec::new);
                }
                p.runs[id as usize] = runs;
                Ok(Placement { id, pending: None })
            }
            Layout::Buddy(b) => {
                let Some((offset, _)) = b.find(size) else { return Err(NoRoom { need: reserved }) };
                let id = next_id;
                b.take(offset, reserved, id, |offset, size| ev.emit(|| Event::Halve { offset, size }));
                ev.emit(|| Event::Allocate {
                    name: name.clone(),
                    offset,
                    size: reserved,
                    owner: owner.cloned(),
                });
                Ok(Placement { id, pending: None })
            }
        }
    }

    /// Finishes a placement: the contiguous layout splits the chosen block now. Last,
    /// because taking the block writes to the chosen block and its predecessor, which in a
    /// large pool are rarely in cache: the processor holds every later write until those
    /// lines arrive, and building the event and the record would wait behind them.
    pub fn commit(&mut self, placed: Placement, size: u64) {
        if let (Some(hit), Layout::Contiguous(segs)) = (placed.pending, self) {
            let used = segs.take(hit, size);
            debug_assert_eq!(used, placed.id, "id_for foretold take");
        }
    }

    /// Frees allocation `id`'s blocks (with `merge`, merging with free neighbours at once).
    pub fn free(&mut self, id: u32, name: &Name, merge: bool, ev: &mut Events) {
        let freed = |ev: &mut Events, offset: u64, size: u64| {
            ev.emit(|| Event::Free { name: name.clone(), offset, size });
        };
        match self {
            Layout::Contiguous(segs) => {
                let (offset, size) = (segs.segs[id as usize].offset, segs.segs[id as usize].size);
                let merged = segs.release(id, merge);
                freed(ev, offset, size);
                if let Some(m) = merged {
                    ev.emit(|| Event::Merge { offset: m.offset, size: m.size, parts: m.parts });
                }
            }
            Layout::Paged(p) => {
                let runs = std::mem::take(&mut p.runs[id as usize]);
                p.pages.release(&runs);
                for (s, c) in runs {
                    freed(ev, u64::from(s) * p.pages.page, u64::from(c) * p.pages.page);
                }
            }
            Layout::Buddy(b) => {
                let (offset, size) = b.block_of(id);
                let merged = b.release(id, merge);
                freed(ev, offset, size);
                if let Some(m) = merged {
                    ev.emit(|| Event::Merge { offset: m.offset, size: m.size, parts: m.parts });
                }
            }
        }
    }

    /// The lowest offset allocation `id` occupies (its sort key in address order).
    pub fn offset_of(&self, id: u32) -> u64 {
        match self {
            Layout::Contiguous(s) => s.segs[id as usize].offset,
            Layout::Paged(p) => p.runs[id as usize].first().map_or(0, |&(s, _)| u64::from(s) * p.pages.page),
            Layout::Buddy(b) => b.block_of(id).0,
        }
    }

    /// A sweep's merging: every run of free blocks left by frees without merging becomes
    /// one block (pages never merge). Returns how many merges there were.
    pub fn merge_freed(&mut self, ev: &mut Events) -> u64 {
        let merges = match self {
            Layout::Contiguous(segs) => {
                let mut merges = Vec::new();
                for seg in segs.take_dirty() {
                    if segs.is_free(seg) {
                        if let Some(m) = segs.merge_around(seg) {
                            merges.push((m.offset, m.size, m.parts));
                        }
                    }
                }
                merges
            }
            Layout::Buddy(b) => b.merge_dirty().into_iter().map(|m| (m.offset, m.size, m.parts)).collect(),
            Layout::Paged(_) => Vec::new(),
        };
        let n = merges.len() as u64;
        for (offset, size, parts) in merges {
            ev.emit(|| Event::Merge { offset, size, parts });
        }
        n
    }

    /// Slides the blocks of the allocations `held` (every id with a record) toward offset 0,
    /// as far as the layout's rules allow; calls `moved(alloc, from, to, size)` for each
    /// block that moves.
    pub fn compact(&mut self, pool: u64, held: &[u32], mut moved: impl FnMut(u32, u64, u64, u64)) {
        match self {
            Layout::Contiguous(segs) => segs.compact(pool, moved),
            Layout::Paged(p) => {
                let mut order: Vec<(u32, Vec<(u32, u32)>)> =
                    held.iter().map(|&i| (i, p.runs[i as usize].clone())).collect();
                order.sort_by_key(|(_, r)| r.first().map_or(0, |x| x.0));
                let page = p.pages.page;
                let new_runs = p.pages.compact(&order, |alloc, from, to, n| {
                    moved(alloc, u64::from(from) * page, u64::from(to) * page, u64::from(n) * page)
                });
                for ((id, _), run) in order.iter().zip(new_runs) {
                    p.runs[*id as usize] = vec![run];
                }
            }
            Layout::Buddy(b) => {
                let packed = b.compact(moved);
                debug_assert!(packed, "largest-first packing places every block of a buddy pool");
            }
        }
    }

    /// Every block in address order, through `describe(allocation or None, offset, size)`.
    pub fn blocks<B>(&self, describe: impl Fn(Option<u32>, u64, u64) -> B) -> Vec<B> {
        match self {
            Layout::Contiguous(segs) => {
                segs.iter().map(|s| describe(s.alloc.map(|a| a.get()), s.offset, s.size)).collect()
            }
            Layout::Paged(p) => p
                .pages
                .runs()
                .into_iter()
                .map(|(s, c, o)| describe(o, u64::from(s) * p.pages.page, u64::from(c) * p.pages.page))
                .collect(),
            Layout::Buddy(b) => b.iter().map(|(offset, size, alloc)| describe(alloc, offset, size)).collect(),
        }
    }

    /// Checks the layout's own invariants.
    pub fn check(&self, pool: u64) -> Result<(), InvariantError> {
        match self {
            Layout::Contiguous(s) => s.check(pool),
            Layout::Paged(p) => p.pages.check(),
            Layout::Buddy(b) => b.check(),
        }
    }

    /// The bytes allocation `id` holds, or what is wrong with its blocks (a phrase that
    /// follows the allocation's quoted name).
    pub fn held(&self, id: u32) -> Result<u64, &'static str> {
        match self {
            Layout::Contiguous(s) => {
                let sg = &s.segs[id as usize];
                if sg.alloc.map(|a| a.get()) != Some(id) {
                    return Err(": its block belongs to someone else");
                }
                Ok(sg.size)
            }
            Layout::Paged(p) => {
                let runs = &p.runs[id as usize];
                for &(st, c) in runs {
                    if (st..st + c).any(|pg| p.pages.owner[pg as usize] != Some(id)) {
                        return Err(": a page of its runs belongs to someone else");
                    }
                }
                Ok(runs.iter().map(|r| u64::from(r.1)).sum::<u64>() * p.pages.page)
            }
            Layout::Buddy(b) => b.held(id).map(|(_, size)| size).ok_or(" holds no block"),
        }
    }

    /// Whether every block held by some allocation is held by one that `exists`.
    pub fn owners_exist(&self, exists: impl Fn(u32) -> bool) -> bool {
        match self {
            Layout::Paged(p) => p.pages.owner.iter().all(|o| o.is_none_or(&exists)),
            // Their blocks are checked from the allocations' side (`held`) and by `check`.
            Layout::Contiguous(_) | Layout::Buddy(_) => true,
        }
    }
}
