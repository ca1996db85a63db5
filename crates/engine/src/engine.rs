//! The engine: one pool, its allocations, and the operations on them.
//!
//! Every operation is one step. [`Engine::apply`] changes the state, records fine-grained
//! [`Event`]s (when recording is on) and returns a typed [`OpError`] when the operation
//! fails — a failure is a result, never a panic, and leaves the state unchanged except for
//! the step counter and the failure tally.
//!
//! Byte counters (`live`, `unreferenced`, `requested`) are kept incrementally so metrics
//! cost O(1) per step; `check_invariants` recomputes everything from scratch.

use std::collections::BTreeMap;

use crate::event::Event;
use crate::layout::{Events, Layout};
use crate::model::{Block, BlockState, ConfigError, ExecutorDecl, Op, OpError, PoolConfig, ReleaseMode};
use crate::name::Name;
use crate::names::Names;
use crate::quota::{OwnerId, OwnerUse, Quotas};

/// One allocation, in one cache line: a release reads its name (to confirm the name
/// lookup), refcount, size and owner together, so they sit side by side and the record is
/// aligned to a line (`Option<Alloc>` uses the name's niche: still 64 bytes). What follows
/// from other state is not stored: the bytes it holds in the pool ([`Layout::reserved`]),
/// whether it is unreferenced (refcount 0: a block that reaches 0 is either unreferenced or
/// already freed), and, in the contiguous layout, its segment (the allocation's id is its
/// segment's id).
#[derive(Clone, Debug)]
#[repr(align(64))]
struct Alloc {
    name: Name,
    requested: u64,
    born: u64,
    touched: u64,
    refcount: u32,
    owner: Option<OwnerId>,
}

impl Alloc {
    fn unreferenced(&self) -> bool {
        self.refcount == 0
    }

    fn owner(&self) -> Option<OwnerId> {
        self.owner
    }

    /// Whether this allocation is called `name`.
    fn is(&self, name: &[u8]) -> bool {
        self.name.as_bytes() == name
    }
}

/// The simulated pool. Cloning it is how timelines take checkpoints.
#[derive(Clone, Debug)]
pub struct Engine {
    cfg: PoolConfig,
    layout: Layout,
    allocs: Vec<Option<Alloc>>,
    /// Layouts with ids of their own (pages, buddy): allocation ids free for reuse.
    vacant: Vec<u32>,
    names: Names,
    unreferenced: Vec<u32>,
    quotas: Quotas,
    step: u64,
    live_bytes: u64,
    unref_bytes: u64,
    requested_bytes: u64,
    failures: BTreeMap<&'static str, u64>,
    events: Events,
}

/// A live block nobody has retained or released for longer than the script's `leak-after`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakSuspect {
    pub name: Name,
    pub size: u64,
    pub idle_steps: u64,
}

/// Cheap per-step figures, kept for every step of a timeline (charts).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    pub used: u64,
    pub free: u64,
    pub unreferenced: u64,
    pub largest_free: u64,
    pub free_blocks: u64,
    pub internal_waste: u64,
    pub failures: u64,
}

impl Sample {
    /// 1 − largest free / total free, in [0, 1]; 0 when nothing is free.
    pub fn fragmentation(&self) -> f64 {
        if self.free == 0 {
            0.0
        } else {
            1.0 - self.largest_free as f64 / self.free as f64
        }
    }
}

/// Everything the metrics panel shows at one step.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    pub step: u64,
    pub pool: u64,
    pub used: u64,
    pub free: u64,
    pub unreferenced: u64,
    pub largest_free: u64,
    pub free_blocks: u64,
    pub fragmentation: f64,
    pub internal_waste: u64,
    pub live_blocks: u64,
    pub owners: Vec<OwnerUse>,
    pub failures: BTreeMap<&'static str, u64>,
    pub leak_suspects: Vec<LeakSuspect>,
    pub overcommitted: bool,
}

impl Engine {
    pub fn new(cfg: PoolConfig, executors: &[ExecutorDecl]) -> Result<Engine, ConfigError> {
        if cfg.size == 0 {
            return Err(ConfigError::EmptyPool);
        }
        if cfg.autosweep == Some(0) {
            return Err(ConfigError::ZeroAutosweep);
        }
        let layout = Layout::new(&cfg)?;
        Ok(Engine {
            quotas: Quotas::new(cfg.size, executors)?,
            cfg,
            layout,
            allocs: Vec::new(),
            vacant: Vec::new(),
            names: Names::default(),
            unreferenced: Vec::new(),
            step: 0,
            live_bytes: 0,
            unref_bytes: 0,
            requested_bytes: 0,
            failures: BTreeMap::new(),
            events: Events { on: true, list: Vec::new() },
        })
    }

    pub fn config(&self) -> &PoolConfig {
        &self.cfg
    }

    /// Turns event recording on or off (off: for benchmarks of the bare engine).
    pub fn set_recording(&mut self, on: bool) {
        self.events.on = on;
    }

    /// The events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events.list)
    }

    /// Removes and yields the events recorded since the last call, keeping the buffer.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, Event> {
        self.events.list.drain(..)
    }

    /// A 64-bit FNV-1a hash of the layout (offsets, sizes, states, refcounts, names): equal
    /// states hash equal on every platform, which tests use to compare native and wasm runs.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for b in self.blocks() {
            eat(&b.offset.to_le_bytes());
            eat(&b.size.to_le_bytes());
            eat(b.state.name().as_bytes());
            eat(&b.refcount.to_le_bytes());
            eat(b.name.as_deref().unwrap_or("").as_bytes());
            eat(&[0]);
        }
        h
    }

    /// Allocations held (live or unreferenced): a measure of the state's size.
    pub fn allocation_count(&self) -> usize {
        self.names.len()
    }

    /// Steps applied so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    fn emit(&mut self, e: impl FnOnce() -> Event) {
        self.events.emit(e);
    }

    /// Applies one operation as one step (plus an automatic sweep when one is due).
    pub fn apply(&mut self, op: &Op) -> Result<(), OpError> {
        self.step += 1;
        let r = match op {
            Op::Alloc { name, size, owner } => self.alloc(name, *size, owner.as_ref()),
            Op::Retain { name } => self.retain(name),
            Op::Release { name } => self.release(name),
            Op::Sweep => {
                self.sweep();
                Ok(())
            }
            Op::Compact => {
                self.compact();
                Ok(())
            }
            Op::Gate { name, channels, exclusive, floating } => {
                self.gate(name, *channels, *exclusive, *floating)
            }
        };
        if let Err(e) = &r {
            *self.failures.entry(e.reason()).or_default() += 1;
            self.emit(|| Event::Fail { op: op.to_string(), reason: e.reason(), error: e.clone() });
        }
        if let Some(n) = self.cfg.autosweep {
            if self.step.is_multiple_of(n) && !matches!(op, Op::Sweep | Op::Compact) {
                self.sweep();
            }
        }
        r
    }

    /// Applies `ops` in order, one step each exactly as [`Engine::apply`] does, and calls
    /// `each` after every step with the operation and its result.
    pub fn replay<'a, I>(&mut self, ops: I, mut each: impl FnMut(&mut Engine, &'a Op, Result<(), OpError>))
    where
        I: IntoIterator<Item = &'a Op>,
    {
        for op in ops {
            let r = self.apply(op);
            each(self, op, r);
        }
    }

    fn free_bytes(&self) -> u64 {
        self.cfg.size - self.live_bytes - self.unref_bytes
    }

    fn largest_free(&self) -> u64 {
        self.layout.largest_free(self.free_bytes())
    }

    fn alloc(&mut self, name: &Name, size: u64, owner: Option<&Name>) -> Result<(), OpError> {
        if size == 0 {
            return Err(OpError::ZeroSize);
        }
        if self.find(name.as_bytes()).is_some() {
            return Err(OpError::DuplicateName(name.to_string()));
        }
        let owner_id = owner.map(|o| self.quotas.owner(o)).transpose()?;
        let reserved = self.layout.reserved(size);
        if let Some(o) = owner_id {
            self.quotas.check(o, reserved)?;
        }
        let next_id = self.vacant.last().copied().unwrap_or(self.allocs.len() as u32);
        let placed = match self.layout.place(
            self.cfg.policy,
            name,
            size,
            reserved,
            owner,
            next_id,
            &mut self.events,
        ) {
            Ok(p) => p,
            Err(no) => return Err(self.out_of_memory(size, no.need)),
        };
        let id = placed.id;
        if let Some(o) = owner_id {
            self.quotas.charge(o, reserved);
        }
        self.live_bytes += reserved;
        self.requested_bytes += size;
        let alloc = Alloc {
            name: name.clone(),
            requested: size,
            born: self.step,
            touched: self.step,
            refcount: 1,
            owner: owner_id,
        };
        self.store_alloc(id, alloc);
        // The contiguous layout splits its block last (`Layout::commit` says why).
        self.layout.commit(placed, size);
        Ok(())
    }

    /// Why a request for `asked` bytes, taking `need` from the pool, found no block.
    fn out_of_memory(&self, asked: u64, need: u64) -> OpError {
        let free = self.free_bytes();
        let buddy = self.layout.has_buddy_rules();
        if free >= need {
            let largest = self.largest_free();
            if buddy {
                OpError::BuddyFragmentation { asked, need, free, largest }
            } else {
                OpError::Fragmentation { need, free, largest }
            }
        } else {
            let unref_hint = if self.unref_bytes > 0 && free + self.unref_bytes >= need {
                format!(
                    "; {} more are unreferenced — a sweep would free them",
                    memlab_size::human(self.unref_bytes)
                )
            } else {
                String::new()
            };
            if buddy {
                OpError::BuddyExhausted { asked, need, free, unref_hint }
            } else {
                OpError::Exhausted { need, free, unref_hint }
            }
        }
    }

    fn gate(&mut self, name: &Name, channels: u32, exclusive: u32, floating: u32) -> Result<(), OpError> {
        let Some((available, total, segment)) = self.layout.pages() else {
            return Err(OpError::GateNeedsNetworkPool);
        };
        if !self.cfg.network {
            return Err(OpError::GateNeedsNetworkPool);
        }
        let required = u64::from(channels) * u64::from(exclusive) + u64::from(floating);
        if required > available {
            return Err(OpError::InsufficientNetworkBuffers { required, available, total, segment });
        }
        let bytes = required * segment;
        self.alloc(name, bytes, None)
    }

    /// Stores a new allocation as `id`: in the contiguous layout its segment's id, in the
    /// paged layout the slot that `vacant` offered (or a new one).
    fn store_alloc(&mut self, id: u32, alloc: Alloc) {
        self.names.insert(alloc.name.as_bytes(), id);
        if self.layout.own_ids() && self.vacant.last() == Some(&id) {
            self.vacant.pop();
        }
        if id as usize >= self.allocs.len() {
            self.allocs.resize_with(id as usize + 1, || None);
        }
        debug_assert!(self.allocs[id as usize].is_none(), "slot {id} is taken");
        self.allocs[id as usize] = Some(alloc);
    }

    /// The id of the allocation called `name` (live or unreferenced).
    fn find(&self, name: &[u8]) -> Option<u32> {
        self.names.get(name, |id| self.allocs[id as usize].as_ref().is_some_and(|a| a.is(name)))
    }

    fn lookup(&self, name: &Name) -> Result<u32, OpError> {
        let id = self.find(name.as_bytes()).ok_or_else(|| OpError::UnknownName(name.to_string()))?;
        let a = self.allocs[id as usize].as_ref().expect("names map only live allocations");
        if a.unreferenced() {
            return Err(OpError::NotLive { name: name.to_string(), state: "unreferenced" });
        }
        Ok(id)
    }

    fn retain(&mut self, name: &Name) -> Result<(), OpError> {
        let id = self.lookup(name)?;
        let step = self.step;
        let a = self.allocs[id as usize].as_mut().expect("looked up");
        a.refcount += 1;
        a.touched = step;
        let refcount = a.refcount;
        self.emit(|| Event::Retain { name: name.clone(), refcount });
        Ok(())
    }

    fn release(&mut self, name: &Name) -> Result<(), OpError> {
        let id = self.lookup(name)?;
        let step = self.step;
        let a = self.allocs[id as usize].as_mut().expect("looked up");
        a.refcount -= 1;
        a.touched = step;
        let (refcount, reserved) = (a.refcount, self.layout.reserved(a.requested));
        self.emit(|| Event::Release { name: name.clone(), refcount });
        if refcount > 0 {
            return Ok(());
        }
        match self.cfg.release {
            ReleaseMode::Deferred => {
                self.live_bytes -= reserved;
                self.unref_bytes += reserved;
                self.unreferenced.push(id);
            }
            ReleaseMode::Eager => self.free_alloc(id, false, true),
            ReleaseMode::Coalesce => self.free_alloc(id, true, true),
        }
        Ok(())
    }

    /// Returns an allocation's memory to the pool.
    fn free_alloc(&mut self, id: u32, merge: bool, was_live: bool) {
        let a = self.allocs[id as usize].take().expect("freeing a known allocation");
        if self.layout.own_ids() {
            self.vacant.push(id);
        }
        self.names.remove(a.name.as_bytes(), id);
        let reserved = self.layout.reserved(a.requested);
        if was_live {
            self.live_bytes -= reserved;
        } else {
            self.unref_bytes -= reserved;
        }
        self.requested_bytes -= a.requested;
        if let Some(o) = a.owner() {
            self.quotas.refund(o, reserved);
        }
        self.layout.free(id, &a.name, merge, &mut self.events);
    }

    /// The lowest offset an allocation occupies (its sort key in address order).
    fn offset_of(&self, id: u32) -> u64 {
        self.layout.offset_of(id)
    }

    /// Mark-sweep: marks every unreferenced block, frees it, and merges every run of
    /// adjacent free blocks (including blocks freed eagerly since the last sweep) into one.
    pub fn sweep(&mut self) {
        self.emit(|| Event::SweepStart);
        let mut marked = std::mem::take(&mut self.unreferenced);
        marked.sort_by_key(|&id| self.offset_of(id));
        if self.events.on {
            for &id in &marked {
                let a = self.allocs[id as usize].as_ref().expect("unreferenced allocation");
                let (name, size) = (a.name.clone(), self.layout.reserved(a.requested));
                let offset = self.offset_of(id);
                self.events.list.push(Event::Mark { name, offset, size });
            }
        }
        // Free without merging first (each freed block joins the eager-free list), then
        // merge every affected run once, in address order.
        for &id in &marked {
            self.free_alloc(id, false, false);
        }
        let merged = self.layout.merge_freed(&mut self.events);
        let freed = marked.len() as u64;
        self.emit(|| Event::SweepEnd { freed, merged });
    }

    /// Sweeps, then slides every live block toward offset 0 in address order so that all
    /// free space becomes one block at the top. Each move is an event.
    pub fn compact(&mut self) {
        self.sweep();
        let pool = self.cfg.size;
        let mut moves = Vec::new();
        let held: Vec<u32> =
            self.allocs.iter().enumerate().filter(|(_, a)| a.is_some()).map(|(i, _)| i as u32).collect();
        self.layout.compact(pool, &held, |alloc, from, to, size| moves.push((alloc, from, to, size)));
        if self.events.on {
            for (alloc, from, to, size) in moves {
                let name = self.allocs[alloc as usize].as_ref().expect("moved allocation").name.clone();
                self.events.list.push(Event::Move { name, from, to, size });
            }
        }
    }

    /// The pool's layout in address order.
    pub fn blocks(&self) -> Vec<Block> {
        let describe = |alloc: Option<u32>, offset: u64, size: u64| -> Block {
            match alloc.and_then(|a| self.allocs.get(a as usize)?.as_ref()) {
                Some(a) => Block {
                    offset,
                    size,
                    state: if a.unreferenced() { BlockState::Unreferenced } else { BlockState::Live },
                    refcount: a.refcount,
                    name: Some(a.name.clone()),
                    owner: a.owner().map(|o| self.quotas.owners[o.0 as usize].name.clone()),
                },
                None => Block { offset, size, state: BlockState::Free, refcount: 0, name: None, owner: None },
            }
        };
        self.layout.blocks(describe)
    }

    /// The per-step figures (O(1)).
    pub fn sample(&self) -> Sample {
        Sample {
            used: self.live_bytes,
            free: self.free_bytes(),
            unreferenced: self.unref_bytes,
            largest_free: self.largest_free(),
            free_blocks: self.layout.free_blocks(),
            internal_waste: (self.live_bytes + self.unref_bytes) - self.requested_bytes,
            failures: self.failures.values().sum(),
        }
    }

    /// Everything the metrics panel shows (O(blocks) for leak suspects).
    pub fn metrics(&self) -> Metrics {
        let s = self.sample();
        let leak_suspects = match self.cfg.leak_after {
            None => Vec::new(),
            Some(k) => {
                let mut v: Vec<LeakSuspect> = self
                    .allocs
                    .iter()
                    .flatten()
                    .filter(|a| !a.unreferenced() && self.step - a.touched > k)
                    .map(|a| LeakSuspect {
                        name: a.name.clone(),
                        size: self.layout.reserved(a.requested),
                        idle_steps: self.step - a.touched,
                    })
                    .collect();
                v.sort_by(|a, b| b.idle_steps.cmp(&a.idle_steps).then_with(|| a.name.cmp(&b.name)));
                v
            }
        };
        Metrics {
            step: self.step,
            pool: self.cfg.size,
            used: s.used,
            free: s.free,
            unreferenced: s.unreferenced,
            largest_free: s.largest_free,
            free_blocks: s.free_blocks,
            fragmentation: s.fragmentation(),
            internal_waste: s.internal_waste,
            live_blocks: self.allocs.iter().flatten().filter(|a| !a.unreferenced()).count() as u64,
            owners: self.quotas.uses(),
            failures: self.failures.clone(),
            leak_suspects,
            overcommitted: self.quotas.overcommitted,
        }
    }

    /// The step at which a named block was allocated, and its age in steps.
    pub fn age_of(&self, name: &str) -> Option<(u64, u64)> {
        let a = self.allocs[self.find(name.as_bytes())? as usize].as_ref()?;
        Some((a.born, self.step - a.born))
    }

    /// Recomputes every derived figure and checks the pool's invariants: blocks tile the
    /// pool, sizes add up, no adjacent free blocks unless eager frees await a sweep,
    /// refcounts agree with states, counters and quotas agree with the blocks.
    pub fn check_invariants(&self) -> Result<(), crate::invariant::InvariantError> {
        self.layout.check(self.cfg.size)?;
        let (mut live, mut unref, mut req) = (0u64, 0u64, 0u64);
        let mut by_owner = vec![0u64; self.quotas.owners.len()];
        for (i, a) in self.allocs.iter().enumerate() {
            let Some(a) = a else { continue };
            if !self.names.maps(a.name.as_bytes(), i as u32) {
                return crate::invariant::fail(format!("'{}' is missing from the name map", a.name));
            }
            let held = match self.layout.held(i as u32) {
                Ok(bytes) => bytes,
                Err(wrong) => return crate::invariant::fail(format!("'{}'{wrong}", a.name)),
            };
            let reserved = self.layout.reserved(a.requested);
            if held != reserved {
                return crate::invariant::fail(format!(
                    "'{}' holds {held} bytes but reserved {reserved}",
                    a.name
                ));
            }
            if a.unreferenced() {
                unref += reserved;
            } else {
                live += reserved;
            }
            req += a.requested;
            if let Some(o) = a.owner() {
                by_owner[o.0 as usize] += reserved;
            }
        }
        if !self.layout.owners_exist(|o| self.allocs.get(o as usize).is_some_and(Option::is_some)) {
            return crate::invariant::fail("a page belongs to no allocation");
        }
        if self.names.len() != self.allocs.iter().flatten().count() {
            return crate::invariant::fail("name map has stale entries");
        }
        if (live, unref, req) != (self.live_bytes, self.unref_bytes, self.requested_bytes) {
            return crate::invariant::fail(format!(
                "counters (live {}, unreferenced {}, requested {}) but blocks say ({live}, {unref}, {req})",
                self.live_bytes, self.unref_bytes, self.requested_bytes
            ));
        }
        for (i, o) in self.quotas.owners.iter().enumerate() {
            if o.used != by_owner[i] {
                return crate::invariant::fail(format!(
                    "owner {} is charged {} but holds {}",
                    o.name, o.used, by_owner[i]
                ));
            }
            if let Some(limit) = self.quotas.limit(OwnerId(i as u32)) {
                if o.used > limit {
                    return crate::invariant::fail(format!(
                        "owner {} holds {} over its quota {limit}",
                        o.name, o.used
                    ));
                }
            }
        }
        for (e, used) in self.quotas.executors.iter().zip(&self.quotas.executor_used) {
            if *used > e.quota {
                return crate::invariant::fail(format!(
                    "executor {} holds {used} over its quota {}",
                    e.name, e.quota
                ));
            }
        }
        let n_unref = self.allocs.iter().flatten().filter(|a| a.unreferenced()).count();
        if n_unref != self.unreferenced.len() {
            return crate::invariant::fail("unreferenced list out of step");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_allocation_record_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Option<Alloc>>(), 64);
        assert_eq!(std::mem::align_of::<Alloc>(), 64);
    }
}
