//! Model-based random testing: random operation sequences run on the engine and on a
//! deliberately simple shadow model (a plain vector of blocks, linear scans everywhere,
//! written from the documented rules and not from the engine's code). After every step the
//! two must list the same blocks and agree on success or the failure's cause, and the
//! engine's invariants must hold.
//!
//! Volume: `CASES` sequences × `OPS` operations = 1,000,000 operations per run, across every
//! policy and release mode (the engine and this test are optimised in test builds).

use memlab_engine::Name;

use memlab_engine::{BlockState, Engine, ExecutorDecl, Op, Policy, PoolConfig, ReleaseMode};
use proptest::prelude::*;

const CASES: u32 = 2_000;
const OPS: usize = 500;
const NAMES: usize = 14;

/// One listed block: (offset, size, state, refcount, name, owner).
type Row = (u64, u64, BlockState, u32, Option<String>, Option<String>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct SBlock {
    offset: u64,
    size: u64,
    state: BlockState,
    refcount: u32,
    name: Option<String>,
    owner: Option<String>,
    /// The bytes asked for (buddy blocks are larger: the next power of two).
    requested: u64,
}

/// The shadow pool. Contiguous and buddy policies keep `blocks`; pages mode keeps one owner
/// per page.
struct Shadow {
    pool: u64,
    policy: Policy,
    page: u64,
    release: ReleaseMode,
    autosweep: Option<u64>,
    step: u64,
    cursor: u64,
    blocks: Vec<SBlock>,
    /// Pages mode: the name holding each page.
    pages: Vec<Option<String>>,
    /// Pages mode: (name, refcount, unreferenced, owner, requested) per allocation.
    page_allocs: Vec<(String, u32, bool, Option<String>, u64)>,
    limits: Vec<(String, u64)>,
}

fn free_block(offset: u64, size: u64) -> SBlock {
    SBlock { offset, size, state: BlockState::Free, refcount: 0, name: None, owner: None, requested: 0 }
}

/// A buddy pool's top blocks: the largest power of two that fits, then again in the rest.
fn buddy_tops(pool: u64) -> Vec<(u64, u64)> {
    let mut tops = Vec::new();
    let mut at = 0;
    while at < pool {
        let mut s = 1u64;
        while s * 2 <= pool - at {
            s *= 2;
        }
        tops.push((at, s));
        at += s;
    }
    tops
}

/// Free blocks covering `from..to` inside one top block: each as large as its offset's
/// alignment and the room left allow.
fn buddy_free_run(from: u64, to: u64, top_size: u64) -> Vec<SBlock> {
    let mut out = Vec::new();
    let mut at = from;
    while at < to {
        let mut s = top_size;
        while !at.is_multiple_of(s) || at + s > to {
            s /= 2;
        }
        out.push(free_block(at, s));
        at += s;
    }
    out
}

impl Shadow {
    fn new(
        pool: u64,
        policy: Policy,
        page: u64,
        release: ReleaseMode,
        autosweep: Option<u64>,
        execs: &[ExecutorDecl],
    ) -> Shadow {
        // Quotas: floor(M × p) with p = num/10 (the test only uses one-decimal fractions).
        let mut limits = Vec::new();
        for e in execs {
            let tenths: u64 = e.fraction.trim_start_matches("0.").parse().unwrap();
            let q = pool * tenths / 10;
            limits.push((e.name.clone(), q));
            for k in 1..=e.slots {
                limits.push((format!("{}.s{k}", e.name), q / u64::from(e.slots)));
            }
        }
        Shadow {
            pool,
            policy,
            page,
            release,
            autosweep,
            step: 0,
            cursor: 0,
            blocks: if policy == Policy::Buddy {
                buddy_tops(pool).into_iter().map(|(o, s)| free_block(o, s)).collect()
            } else {
                vec![free_block(0, pool)]
            },
            pages: if policy == Policy::Pages { vec![None; (pool / page) as usize] } else { vec![] },
            page_allocs: vec![],
            limits,
        }
    }

    fn paged(&self) -> bool {
        self.policy == Policy::Pages
    }

    fn buddy(&self) -> bool {
        self.policy == Policy::Buddy
    }

    /// Bytes held (live or unreferenced) by an owner: itself, or for an executor also its slots.
    fn held_by(&self, owner: &str) -> u64 {
        let counts = |o: &Option<String>| {
            o.as_deref().is_some_and(|o| o == owner || o.starts_with(&format!("{owner}.s")))
        };
        if self.paged() {
            self.page_allocs
                .iter()
                .filter(|a| counts(&a.3))
                .map(|a| {
                    self.pages.iter().filter(|p| p.as_deref() == Some(a.0.as_str())).count() as u64
                        * self.page
                })
                .sum()
        } else {
            self.blocks
                .iter()
                .filter(|b| b.state != BlockState::Free && counts(&b.owner))
                .map(|b| b.size)
                .sum()
        }
    }

    fn exists(&self, name: &str) -> Option<(u32, bool)> {
        if self.paged() {
            self.page_allocs.iter().find(|a| a.0 == name).map(|a| (a.1, a.2))
        } else {
            self.blocks
                .iter()
                .find(|b| b.name.as_deref() == Some(name))
                .map(|b| (b.refcount, b.state == BlockState::Unreferenced))
        }
    }

    fn free_total(&self) -> u64 {
        if self.paged() {
            self.pages.iter().filter(|p| p.is_none()).count() as u64 * self.page
        } else {
            self.blocks.iter().filter(|b| b.state == BlockState::Free).map(|b| b.size).sum()
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), &'static str> {
        self.step += 1;
        let r = match op {
            Op::Alloc { name, size, owner } => self.alloc(name, *size, owner.as_deref()),
            Op::Retain { name } => match self.exists(name) {
                None => Err("unknown-name"),
                Some((_, true)) => Err("not-live"),
                Some(_) => {
                    self.set_refcount(name, 1);
                    Ok(())
                }
            },
            Op::Release { name } => match self.exists(name) {
                None => Err("unknown-name"),
                Some((_, true)) => Err("not-live"),
                Some((rc, false)) => {
                    self.set_refcount(name, -1);
                    if rc == 1 {
                        match self.release {
                            ReleaseMode::Deferred => self.mark_unreferenced(name),
                            ReleaseMode::Eager => self.free_named(name, false),
                            ReleaseMode::Coalesce => self.free_named(name, true),
                        }
                    }
                    Ok(())
                }
            },
            Op::Sweep => {
                self.sweep();
                Ok(())
            }
            Op::Compact => {
                self.compact();
                Ok(())
            }
            Op::Gate { .. } => unreachable!("not generated"),
        };
        if let Some(n) = self.autosweep {
            if self.step.is_multiple_of(n) && !matches!(op, Op::Sweep | Op::Compact) {
                self.sweep();
            }
        }
        r
    }

    fn alloc(&mut self, name: &str, size: u64, owner: Option<&str>) -> Result<(), &'static str> {
        if size == 0 {
            return Err("invalid-size");
        }
        if self.exists(name).is_some() {
            return Err("duplicate-name");
        }
        let charge = if self.paged() {
            size.div_ceil(self.page) * self.page
        } else if self.buddy() {
            size.checked_next_power_of_two().unwrap_or(u64::MAX)
        } else {
            size
        };
        if let Some(o) = owner {
            // The slot's own share, then its executor's quota.
            let exec = o.split(".s").next().unwrap();
            for who in [o, exec] {
                if let Some((_, limit)) = self.limits.iter().find(|(n, _)| n == who) {
                    if self.held_by(who) + charge > *limit {
                        return Err("quota");
                    }
                }
            }
        }
        if self.paged() {
            let need = (charge / self.page) as usize;
            let free: Vec<usize> = (0..self.pages.len()).filter(|&i| self.pages[i].is_none()).collect();
            if free.len() < need {
                return Err("exhausted");
            }
            for &i in &free[..need] {
                self.pages[i] = Some(name.to_string());
            }
            self.page_allocs.push((name.to_string(), 1, false, owner.map(String::from), size));
            return Ok(());
        }
        let fits: Vec<usize> = (0..self.blocks.len())
            .filter(|&i| self.blocks[i].state == BlockState::Free && self.blocks[i].size >= charge)
            .collect();
        let pick = match self.policy {
            Policy::FirstFit => fits.first().copied(),
            Policy::BestFit | Policy::Buddy => {
                fits.iter().copied().min_by_key(|&i| (self.blocks[i].size, self.blocks[i].offset))
            }
            Policy::WorstFit => {
                fits.iter().copied().min_by_key(|&i| (u64::MAX - self.blocks[i].size, self.blocks[i].offset))
            }
            Policy::NextFit => {
                // Address order starting at the first free block whose end is beyond the
                // cursor, wrapping once.
                let after: Vec<usize> = fits
                    .iter()
                    .copied()
                    .filter(|&i| self.blocks[i].offset + self.blocks[i].size > self.cursor)
                    .collect();
                after.first().copied().or(fits.first().copied())
            }
            Policy::Pages => unreachable!(),
        };
        let Some(i) = pick else {
            return Err(if self.free_total() >= charge { "fragmentation" } else { "exhausted" });
        };
        let b = self.blocks[i].clone();
        let mut new = vec![SBlock {
            offset: b.offset,
            size: charge,
            state: BlockState::Live,
            refcount: 1,
            name: Some(name.to_string()),
            owner: owner.map(String::from),
            requested: size,
        }];
        if self.buddy() {
            // The high halves left by halving, smallest first in address order.
            let mut half = charge;
            while half < b.size {
                new.push(free_block(b.offset + half, half));
                half *= 2;
            }
        } else if b.size > size {
            new.push(free_block(b.offset + size, b.size - size));
        }
        self.blocks.splice(i..=i, new);
        self.cursor = b.offset + size;
        Ok(())
    }

    fn set_refcount(&mut self, name: &str, delta: i32) {
        if self.paged() {
            let a = self.page_allocs.iter_mut().find(|a| a.0 == name).unwrap();
            a.1 = (a.1 as i32 + delta) as u32;
        } else {
            let b = self.blocks.iter_mut().find(|b| b.name.as_deref() == Some(name)).unwrap();
            b.refcount = (b.refcount as i32 + delta) as u32;
        }
    }

    fn mark_unreferenced(&mut self, name: &str) {
        if self.paged() {
            self.page_allocs.iter_mut().find(|a| a.0 == name).unwrap().2 = true;
        } else {
            self.blocks.iter_mut().find(|b| b.name.as_deref() == Some(name)).unwrap().state =
                BlockState::Unreferenced;
        }
    }

    fn free_named(&mut self, name: &str, merge: bool) {
        if self.paged() {
            self.page_allocs.retain(|a| a.0 != name);
            for p in self.pages.iter_mut() {
                if p.as_deref() == Some(name) {
                    *p = None;
                }
            }
            return;
        }
        let i = self.blocks.iter().position(|b| b.name.as_deref() == Some(name)).unwrap();
        let (o, s) = (self.blocks[i].offset, self.blocks[i].size);
        self.blocks[i] = free_block(o, s);
        if merge {
            self.merge_all();
        }
    }

    fn merge_all(&mut self) {
        if self.buddy() {
            // Two free blocks merge when one is the other's buddy: same size, at offset XOR
            // size. Repeat until no such pair is left.
            while let Some(i) = (0..self.blocks.len().saturating_sub(1)).find(|&i| {
                let (a, b) = (&self.blocks[i], &self.blocks[i + 1]);
                a.state == BlockState::Free
                    && b.state == BlockState::Free
                    && a.size == b.size
                    && a.offset ^ a.size == b.offset
            }) {
                let merged = free_block(self.blocks[i].offset, 2 * self.blocks[i].size);
                self.blocks.splice(i..=i + 1, [merged]);
            }
            return;
        }
        let mut out: Vec<SBlock> = Vec::new();
        for b in self.blocks.drain(..) {
            match out.last_mut() {
                Some(l) if l.state == BlockState::Free && b.state == BlockState::Free => l.size += b.size,
                _ => out.push(b),
            }
        }
        self.blocks = out;
    }

    fn sweep(&mut self) {
        if self.paged() {
            let dead: Vec<String> = self.page_allocs.iter().filter(|a| a.2).map(|a| a.0.clone()).collect();
            for d in dead {
                self.free_named(&d, false);
            }
            return;
        }
        for b in self.blocks.iter_mut() {
            if b.state == BlockState::Unreferenced {
                *b = free_block(b.offset, b.size);
            }
        }
        self.merge_all();
    }

    fn compact(&mut self) {
        self.sweep();
        if self.paged() {
            // Allocations in the order of their first page, each packed contiguously.
            let mut order: Vec<(usize, String)> = Vec::new();
            for (i, p) in self.pages.iter().enumerate() {
                if let Some(n) = p {
                    if !order.iter().any(|(_, m)| m == n) {
                        order.push((i, n.clone()));
                    }
                }
            }
            let mut fresh = vec![None; self.pages.len()];
            let mut at = 0;
            for (_, n) in order {
                let count = self.pages.iter().filter(|p| p.as_deref() == Some(n.as_str())).count();
                for p in fresh.iter_mut().skip(at).take(count) {
                    *p = Some(n.clone());
                }
                at += count;
            }
            self.pages = fresh;
            return;
        }
        if self.buddy() {
            // Largest first (then by address), each into the first top block with room.
            let mut used: Vec<SBlock> =
                self.blocks.drain(..).filter(|b| b.state != BlockState::Free).collect();
            used.sort_by_key(|b| (u64::MAX - b.size, b.offset));
            let tops = buddy_tops(self.pool);
            let mut fill: Vec<u64> = tops.iter().map(|t| t.0).collect();
            let mut out = Vec::new();
            for b in used {
                let t = (0..tops.len()).find(|&t| fill[t] + b.size <= tops[t].0 + tops[t].1).unwrap();
                out.push(SBlock { offset: fill[t], ..b });
                fill[t] += out.last().unwrap().size;
            }
            for (t, &(start, size)) in tops.iter().enumerate() {
                out.extend(buddy_free_run(fill[t], start + size, size));
            }
            out.sort_by_key(|b| b.offset);
            self.blocks = out;
            return;
        }
        let mut at = 0;
        let mut out = Vec::new();
        for b in self.blocks.drain(..).filter(|b| b.state != BlockState::Free) {
            out.push(SBlock { offset: at, ..b });
            at += out.last().unwrap().size;
        }
        if at < self.pool {
            out.push(free_block(at, self.pool - at));
        }
        self.blocks = out;
        self.cursor = 0;
    }

    /// Internal waste: whole pages or buddy blocks held beyond what was requested (0 for
    /// the other policies).
    fn waste(&self) -> u64 {
        let blocks: u64 =
            self.blocks.iter().filter(|b| b.state != BlockState::Free).map(|b| b.size - b.requested).sum();
        blocks
            + self
                .page_allocs
                .iter()
                .map(|a| {
                    self.pages.iter().filter(|p| p.as_deref() == Some(a.0.as_str())).count() as u64
                        * self.page
                        - a.4
                })
                .sum::<u64>()
    }

    /// The listing in the engine's terms: (offset, size, state, refcount, name, owner).
    fn listing(&self) -> Vec<Row> {
        if !self.paged() {
            return self
                .blocks
                .iter()
                .map(|b| (b.offset, b.size, b.state, b.refcount, b.name.clone(), b.owner.clone()))
                .collect();
        }
        let mut out: Vec<Row> = Vec::new();
        for (i, p) in self.pages.iter().enumerate() {
            let off = i as u64 * self.page;
            if let Some(last) = out.last_mut() {
                if last.4 == *p {
                    last.1 += self.page;
                    continue;
                }
            }
            match p {
                None => out.push((off, self.page, BlockState::Free, 0, None, None)),
                Some(n) => {
                    let a = self.page_allocs.iter().find(|a| &a.0 == n).unwrap();
                    let st = if a.2 { BlockState::Unreferenced } else { BlockState::Live };
                    out.push((off, self.page, st, a.1, Some(n.clone()), a.3.clone()));
                }
            }
        }
        out
    }
}

#[derive(Clone, Debug)]
enum Gen {
    Alloc(usize, u64, Option<usize>),
    Retain(usize),
    Release(usize),
    Sweep,
    Compact,
}

fn gen_op() -> impl Strategy<Value = Gen> {
    prop_oneof![
        6 => (0..NAMES, prop_oneof![1u64..=4096, 1u64..=65536, Just(0u64)], prop::option::weighted(0.3, 0usize..4))
            .prop_map(|(n, s, o)| Gen::Alloc(n, s, o)),
        2 => (0..NAMES).prop_map(Gen::Retain),
        6 => (0..NAMES).prop_map(Gen::Release),
        1 => Just(Gen::Sweep),
        1 => Just(Gen::Compact),
    ]
}

const OWNERS: [&str; 4] = ["te1.s1", "te1.s2", "te2", "batch"];

fn to_op(g: &Gen) -> Op {
    let name = |n: &usize| -> Name { format!("b{n}").into() };
    match g {
        Gen::Alloc(n, s, o) => Op::Alloc { name: name(n), size: *s, owner: o.map(|i| OWNERS[i].into()) },
        Gen::Retain(n) => Op::Retain { name: name(n) },
        Gen::Release(n) => Op::Release { name: name(n) },
        Gen::Sweep => Op::Sweep,
        Gen::Compact => Op::Compact,
    }
}

fn policy() -> impl Strategy<Value = Policy> {
    prop::sample::select(Policy::ALL.to_vec())
}

fn release_mode() -> impl Strategy<Value = ReleaseMode> {
    prop::sample::select(vec![ReleaseMode::Deferred, ReleaseMode::Eager, ReleaseMode::Coalesce])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, max_shrink_iters: 4096, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_shadow_model(
        policy in policy(),
        release in release_mode(),
        autosweep in prop::option::weighted(0.2, 1u64..20),
        ops in prop::collection::vec(gen_op(), OPS),
        // A power of two, and two that buddy pools cut into several top blocks.
        pool in prop::sample::select(vec![256 * 1024, 81 * 4096, 49 * 4096]),
    ) {
        let page = 4096;
        let execs = vec![
            ExecutorDecl { name: "te1".into(), fraction: "0.6".into(), slots: 2 },
            ExecutorDecl { name: "te2".into(), fraction: "0.3".into(), slots: 1 },
        ];
        let mut cfg = PoolConfig::new(pool, policy);
        cfg.page_size = page;
        cfg.release = release;
        cfg.autosweep = autosweep;
        let mut engine = Engine::new(cfg, &execs).unwrap();
        engine.set_recording(false);
        let mut shadow = Shadow::new(pool, policy, page, release, autosweep, &execs);
        for (i, g) in ops.iter().enumerate() {
            let op = to_op(g);
            let got = engine.apply(&op).map_err(|e| e.reason());
            let want = shadow.apply(&op);
            prop_assert_eq!(got, want, "step {} `{}`", i + 1, op);
            if let Err(e) = engine.check_invariants() {
                prop_assert!(false, "step {} `{}`: invariant broken: {}", i + 1, op, e);
            }
            let listing: Vec<_> = engine
                .blocks()
                .into_iter()
                .map(|b| (b.offset, b.size, b.state, b.refcount, b.name.map(|n| n.to_string()), b.owner.map(|n| n.to_string())))
                .collect();
            prop_assert_eq!(listing, shadow.listing(), "step {} `{}`", i + 1, op);
            let m = engine.sample();
            prop_assert_eq!(m.free, shadow.free_total());
            prop_assert_eq!(m.internal_waste, shadow.waste());
        }
    }
}

/// Lines made of the language's own words, numbers and junk: the parser must answer every
/// one with a script or a located error, never a panic, and a parsed script must run.
fn line() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "pool",
        "alloc",
        "retain",
        "release",
        "sweep",
        "compact",
        "gate",
        "workload",
        "executor",
        "by",
        "slots",
        "policy",
        "pages",
        "network",
        "segment",
        "autosweep",
        "eager",
        "coalesce",
        "leak-after",
        "churn",
        "first-fit",
        "best-fit",
        "next-fit",
        "worst-fit",
        "buddy",
        "channels",
        "floating",
        "exclusive",
        "a",
        "b",
        "te1",
        "te1.s1",
        "0.5",
        "1.5",
        "10mb",
        "1kb",
        "0",
        "3",
        "64",
        "1.5mb",
        "ops=50",
        "seed=2",
        "min=1kb",
        "max=2kb",
        "live=3",
        "#",
        "=",
        "块",
        "99999999999999999999",
    ]);
    prop::collection::vec(word, 0..7).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    #[test]
    fn parser_answers_every_input_without_panicking(
        first in prop_oneof![line(), line().prop_map(|l| format!("pool 1mb {l}")), Just("pool 64kb".to_string())],
        rest in prop::collection::vec(line(), 0..12)) {
        let text = format!("{first}\n{}", rest.join("\n"));
        match memlab_engine::script::parse(&text) {
            Ok(s) => {
                if let Ok(t) = memlab_engine::Timeline::run(&s) {
                    prop_assert!(t.final_state().check_invariants().is_ok());
                }
            }
            Err(e) => {
                prop_assert!(e.line >= 1 && e.column >= 1 && !e.message.is_empty());
            }
        }
    }
}

/// `Engine::replay` gives exactly the steps, results and events of applying the same
/// operations one by one.
#[test]
fn replay_matches_apply_one_by_one() {
    use memlab_engine::workload::{Generator, WorkloadSpec};
    use memlab_engine::{Engine, Op, Policy, PoolConfig, ReleaseMode};
    // A large state: many live blocks and free blocks to search.
    let spec = WorkloadSpec { seed: 7, ops: 100_000, min: 64, max: 64 << 10, live: 36_000, owner: None };
    let mut g = Generator::new(spec, 1);
    let mut ops: Vec<Op> = Vec::new();
    while let Some(op) = g.next_op() {
        g.report(&op, true);
        ops.push(op);
    }
    ops.push(Op::Release { name: "nobody".into() });
    for release in [ReleaseMode::Coalesce, ReleaseMode::Eager, ReleaseMode::Deferred] {
        let mut cfg = PoolConfig::new(2 << 30, Policy::BestFit);
        cfg.release = release;
        let mut one = Engine::new(cfg.clone(), &[]).unwrap();
        let mut expected = Vec::new();
        for op in &ops {
            let r = one.apply(op);
            expected.push((r, one.take_events()));
        }
        let mut all = Engine::new(cfg, &[]).unwrap();
        let mut got = Vec::new();
        all.replay(&ops, |e, _, r| got.push((r, e.take_events())));
        assert_eq!(got, expected, "{release:?}");
        assert_eq!(all.fingerprint(), one.fingerprint());
        assert!(expected.iter().any(|(r, _)| r.is_err()), "the trace exercises failures");
        assert!(one.allocation_count() > 32_768, "the state outgrew the hint threshold");
    }
}
