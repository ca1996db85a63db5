//! What the pool view draws at any moment of a step, in address space (no pixels, no DOM).
//!
//! A [`StepScene`] is built once per step from the layouts before and after it and the
//! step's events; [`StepScene::frame`] then answers, for an animation progress `t` in
//! [0, 1], which layout is the base and which shapes move, fade, fill or bounce on top of
//! it. [`Geometry`] maps addresses to pixels on wrapped rows, so a block that slides during
//! compaction flows along the rows like text.

use std::collections::HashSet;
use std::sync::Arc;

use memlab_engine::{Block, BlockState, Event, Op, OpError};

/// How a shape is painted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paint {
    Live,
    Unreferenced,
    Free,
    Fail,
    /// Marked by a sweep.
    Mark,
}

impl Paint {
    pub fn of(state: BlockState) -> Paint {
        match state {
            BlockState::Live => Paint::Live,
            BlockState::Unreferenced => Paint::Unreferenced,
            BlockState::Free => Paint::Free,
        }
    }
}

/// A shape drawn over the base layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Overlay {
    /// Start address (fractional while moving).
    pub offset: f64,
    pub size: f64,
    pub paint: Paint,
    /// Opacity in [0, 1].
    pub alpha: f64,
    /// Drawn with an emphasised outline.
    pub outline: bool,
    /// Shown on the shape when there is room (moving blocks keep their name).
    pub name: Option<memlab_engine::Name>,
}

/// Where a failed request rests once it has bounced off the pool (as [`Ghost::drop`]): in
/// the room above the rows, clear of the blocks.
pub const GHOST_REST: f64 = 0.7;

/// A failed request bouncing off the pool.
#[derive(Clone, Debug, PartialEq)]
pub struct Ghost {
    pub size: u64,
    /// 0 = above the pool, 1 = touching it.
    pub drop: f64,
    pub reason: &'static str,
    pub label: String,
}

/// Which layout a frame starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    Before,
    After,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub base: Base,
    /// Blocks of the base layout (by index) not to draw: they are drawn as overlays.
    pub hidden: Option<Arc<[bool]>>,
    pub overlays: Vec<Overlay>,
    /// A sweep's scanner position (an address).
    pub scanner: Option<f64>,
    pub ghost: Option<Ghost>,
}

/// The kind of animation a step gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    None,
    Allocate,
    Release,
    Touch,
    Sweep,
    Compact,
    Fail,
}

/// One step, ready to animate.
#[derive(Clone, Debug)]
pub struct StepScene {
    pub step: usize,
    pub before: Vec<Block>,
    pub after: Vec<Block>,
    pub events: Vec<Event>,
    pub op: Option<Op>,
    pub motion: Motion,
    named: HashSet<memlab_engine::Name>,
    moves: Vec<(f64, f64, f64, memlab_engine::Name)>,
    moved_mask: Option<Arc<[bool]>>,
    marked: Vec<(u64, u64)>,
    merged: Vec<(u64, u64)>,
    /// Buddy pools: the free halves an allocation's halvings left, outlined while it fills.
    halves: Vec<(u64, u64)>,
}

/// Smooth start and end.
pub fn ease(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    if t < 0.5 {
        2.0 * t * t
    } else {
        1.0 - (-2.0 * t + 2.0).powi(2) / 2.0
    }
}

impl StepScene {
    pub fn new(
        step: usize,
        before: Vec<Block>,
        after: Vec<Block>,
        events: Vec<Event>,
        op: Option<Op>,
    ) -> StepScene {
        let mut named = HashSet::new();
        let mut moves = Vec::new();
        let mut moved_names = HashSet::new();
        let mut marked = Vec::new();
        let mut merged = Vec::new();
        let mut halves = Vec::new();
        let mut motion = Motion::None;
        for e in &events {
            match e {
                Event::Allocate { name, .. } => {
                    named.insert(name.clone());
                    motion = Motion::Allocate;
                }
                Event::Release { name, refcount } => {
                    named.insert(name.clone());
                    motion = if *refcount == 0 { Motion::Release } else { Motion::Touch };
                }
                Event::Retain { name, .. } => {
                    named.insert(name.clone());
                    motion = Motion::Touch;
                }
                Event::SweepStart if motion != Motion::Compact => motion = Motion::Sweep,
                Event::Mark { offset, size, .. } => marked.push((*offset, *size)),
                Event::Merge { offset, size, .. } => merged.push((*offset, *size)),
                Event::Halve { offset, size } => halves.push((offset + size, *size)),
                Event::Move { name, from, to, size } => {
                    moves.push((*from as f64, *to as f64, *size as f64, name.clone()));
                    moved_names.insert(name.clone());
                    motion = Motion::Compact;
                }
                Event::Fail { .. } => motion = Motion::Fail,
                _ => {}
            }
        }
        if matches!(op, Some(Op::Compact)) {
            motion = Motion::Compact;
        }
        let moved_mask = (!moved_names.is_empty()).then(|| {
            after
                .iter()
                .map(|b| b.name.as_ref().is_some_and(|n| moved_names.contains(n)))
                .collect::<Vec<_>>()
                .into()
        });
        StepScene {
            step,
            before,
            after,
            events,
            op,
            motion,
            named,
            moves,
            moved_mask,
            marked,
            merged,
            halves,
        }
    }

    fn blocks_named<'a>(&'a self, list: &'a [Block]) -> impl Iterator<Item = &'a Block> + 'a {
        list.iter().filter(|b| b.name.as_ref().is_some_and(|n| self.named.contains(n)))
    }

    /// The frame at animation progress `t` in [0, 1].
    pub fn frame(&self, t: f64) -> Frame {
        let t = t.clamp(0.0, 1.0);
        let done = Frame { base: Base::After, hidden: None, overlays: vec![], scanner: None, ghost: None };
        if t >= 1.0 {
            // A failed request stays in the picture while its step is shown, resting above
            // the pool (a reader who scrubs to it never saw it fall).
            return Frame { ghost: self.failed(), ..done };
        }
        match self.motion {
            Motion::None => done,
            Motion::Allocate => {
                // The new block fills from its low end; the rest of the split stays free. In a
                // buddy pool the halves that halving left free are outlined meanwhile.
                let halves = self.halves.iter().map(outlined_free);
                let filling = self.blocks_named(&self.after).map(|b| Overlay {
                    offset: b.offset as f64 + b.size as f64 * ease(t),
                    size: b.size as f64 * (1.0 - ease(t)),
                    paint: Paint::Free,
                    alpha: 1.0,
                    outline: false,
                    name: None,
                });
                Frame { overlays: halves.chain(filling).collect(), ..done }
            }
            Motion::Release => {
                // Live fades into its new state (unreferenced, or free in eager modes).
                let overlays = self
                    .blocks_named(&self.before)
                    .map(|b| Overlay {
                        offset: b.offset as f64,
                        size: b.size as f64,
                        paint: Paint::Live,
                        alpha: 1.0 - ease(t),
                        outline: false,
                        name: None,
                    })
                    .collect();
                Frame { overlays, ..done }
            }
            Motion::Touch => {
                let pulse = (t * std::f64::consts::PI).sin();
                let overlays = self
                    .blocks_named(&self.after)
                    .map(|b| Overlay {
                        offset: b.offset as f64,
                        size: b.size as f64,
                        paint: Paint::Live,
                        alpha: pulse,
                        outline: true,
                        name: None,
                    })
                    .collect();
                Frame { overlays, ..done }
            }
            Motion::Sweep => self.sweep_frame(t, 0.85),
            Motion::Compact => {
                // First the sweep (0–0.35), then blocks slide down (0.35–1).
                if t < 0.35 && !self.marked.is_empty() {
                    return self.sweep_frame(t / 0.35, 1.01);
                }
                let u = ease(if self.marked.is_empty() { t } else { (t - 0.35) / 0.65 });
                let overlays = self
                    .moves
                    .iter()
                    .map(|(from, to, size, name)| Overlay {
                        offset: from + (to - from) * u,
                        size: *size,
                        paint: Paint::Live,
                        alpha: 1.0,
                        outline: true,
                        name: Some(name.clone()),
                    })
                    .collect();
                Frame { hidden: self.moved_mask.clone(), overlays, ..done }
            }
            Motion::Fail => {
                // Drops onto the pool by t = 0.45, then bounces back up to rest above it.
                let drop = if t < 0.45 {
                    ease(t / 0.45)
                } else {
                    1.0 - ease((t - 0.45) / 0.55) * (1.0 - GHOST_REST)
                };
                Frame { ghost: Some(self.ghost(drop)), ..done }
            }
        }
    }

    /// The request that failed at this step, at rest above the pool; `None` if none did.
    pub fn failed(&self) -> Option<Ghost> {
        (self.motion == Motion::Fail).then(|| self.ghost(GHOST_REST))
    }

    /// The failed request of this step, `drop` of the way down to the pool.
    fn ghost(&self, drop: f64) -> Ghost {
        let fail = self.events.iter().find_map(|e| match e {
            Event::Fail { reason, error, .. } => Some((*reason, error)),
            _ => None,
        });
        let error = fail.map(|(_, e)| e);
        let (size, label) = match &self.op {
            // A buddy pool needs a whole power-of-two block: show that block.
            Some(op @ Op::Alloc { size, .. }) => match error {
                Some(OpError::BuddyExhausted { need, .. } | OpError::BuddyFragmentation { need, .. }) => {
                    (*need, format!("{op} → {}", memlab_size::human(*need)))
                }
                _ => (*size, op.to_string()),
            },
            // A gate asks for whole network segments.
            Some(op @ Op::Gate { .. }) => match error {
                Some(OpError::InsufficientNetworkBuffers { required, segment, .. }) => {
                    (required.saturating_mul(*segment), op.to_string())
                }
                _ => (0, op.to_string()),
            },
            Some(op) => (0, op.to_string()),
            None => (0, String::new()),
        };
        let reason = fail.map_or("failed", |(r, _)| r);
        Ghost { size, drop, reason, label }
    }

    /// A scanner passes over the pool; marked blocks behind it turn free; at `merge_at` the
    /// merged result appears with its merged blocks outlined.
    fn sweep_frame(&self, t: f64, merge_at: f64) -> Frame {
        let pool: u64 = self.before.iter().map(|b| b.size).sum();
        let scanner = t / merge_at * pool as f64;
        if t >= merge_at {
            let overlays = self.merged.iter().map(outlined_free).collect();
            return Frame { base: Base::After, hidden: None, overlays, scanner: None, ghost: None };
        }
        let overlays = self
            .marked
            .iter()
            .map(|&(o, s)| {
                let passed = (o + s) as f64 <= scanner;
                Overlay {
                    offset: o as f64,
                    size: s as f64,
                    paint: if passed { Paint::Free } else { Paint::Mark },
                    alpha: 1.0,
                    outline: !passed,
                    name: None,
                }
            })
            .collect();
        Frame { base: Base::Before, hidden: None, overlays, scanner: Some(scanner), ghost: None }
    }
}

/// Addresses to pixels: the pool is drawn as `rows` rows, each holding `pool / rows` bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    pub width: f64,
    pub height: f64,
    pub rows: usize,
    pub pool: u64,
    /// Vertical room above the rows for a bouncing failed request.
    pub top: f64,
    pub gap: f64,
}

/// A block is never drawn narrower than this many pixels.
pub const MIN_WIDTH: f64 = 1.5;

impl Geometry {
    /// Rows grow with the number of blocks, so each stays visible.
    pub fn new(width: f64, height: f64, pool: u64, blocks: usize) -> Geometry {
        let rows = match blocks {
            0..=24 => 1,
            25..=200 => 2,
            201..=1000 => 4,
            1001..=4000 => 8,
            _ => 16,
        };
        Geometry { width, height, rows, pool: pool.max(1), top: (height * 0.18).min(48.0), gap: 6.0 }
    }

    pub fn row_height(&self) -> f64 {
        ((self.height - self.top) - self.gap * (self.rows as f64 - 1.0)) / self.rows as f64
    }

    fn row_bytes(&self) -> f64 {
        self.pool as f64 / self.rows as f64
    }

    /// Calls `f(x, y, w, h)` for each row segment of the address range.
    pub fn for_each_span(&self, offset: f64, size: f64, mut f: impl FnMut(f64, f64, f64, f64)) {
        let rb = self.row_bytes();
        let rh = self.row_height();
        let mut start = offset.max(0.0);
        let end = (offset + size).min(self.pool as f64);
        // The row is counted, not recomputed from `start`: when a row holds a fractional
        // number of bytes, `row_end / rb` can round to just below the next row and the
        // rest of the block would be lost.
        let mut row = ((start / rb).floor() as usize).min(self.rows - 1);
        while start < end {
            let last = row + 1 >= self.rows;
            let seg_end = if last { end } else { end.min((row as f64 + 1.0) * rb) };
            // (Empty only where `start` sits on a row end that rounded below it.)
            if seg_end > start {
                let x = ((start - row as f64 * rb) / rb * self.width).max(0.0);
                let w = ((seg_end - start) / rb * self.width).max(MIN_WIDTH);
                f(x, self.top + row as f64 * (rh + self.gap), w, rh);
            }
            if last {
                break;
            }
            start = seg_end;
            row += 1;
        }
    }

    /// The address under a pixel, if it is on a row.
    pub fn address_at(&self, x: f64, y: f64) -> Option<u64> {
        let rh = self.row_height();
        if y < self.top || x < 0.0 || x > self.width {
            return None;
        }
        let row = ((y - self.top) / (rh + self.gap)).floor() as usize;
        let within = (y - self.top) - row as f64 * (rh + self.gap);
        if row >= self.rows || within > rh {
            return None;
        }
        let a = (row as f64 + x / self.width) * self.row_bytes();
        Some((a as u64).min(self.pool - 1))
    }
}

/// A free block (offset, size) drawn outlined: a merge's result, or a buddy half.
fn outlined_free(&(offset, size): &(u64, u64)) -> Overlay {
    Overlay {
        offset: offset as f64,
        size: size as f64,
        paint: Paint::Free,
        alpha: 1.0,
        outline: true,
        name: None,
    }
}

/// The block containing `address` (blocks in address order).
pub fn block_at(blocks: &[Block], address: u64) -> Option<&Block> {
    let i = blocks.partition_point(|b| b.offset + b.size <= address);
    blocks.get(i).filter(|b| b.offset <= address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use memlab_engine::{script, Timeline};

    const MB: f64 = (1u64 << 20) as f64;

    fn scene(text: &str, step: usize) -> StepScene {
        let t = Timeline::run(&script::parse(text).unwrap()).unwrap();
        let before = t.state_at(step - 1).blocks();
        let (after, events) = t.events_at(step);
        StepScene::new(step, before, after.blocks(), events, t.op_at(step).map(|(_, o)| o.clone()))
    }

    #[test]
    fn compaction_slides_blocks_between_old_and_new_offsets() {
        let s = scene("pool 60mb\nalloc a 10mb\nalloc b 20mb\nrelease a\ncompact", 4);
        assert_eq!(s.motion, Motion::Compact);
        let mid = s.frame(0.7);
        let b = &mid.overlays[0];
        assert!(b.offset > 0.0 && b.offset < 10.0 * MB, "{}", b.offset);
        assert_eq!(mid.hidden.as_deref().map(|m| m.iter().filter(|x| **x).count()), Some(1));
        let end = s.frame(1.0);
        assert!(end.overlays.is_empty() && end.base == Base::After);
        // Early on, the sweep part of compaction runs (a is marked).
        assert!(s.frame(0.1).scanner.is_some());
    }

    #[test]
    fn sweep_scanner_frees_marked_blocks_it_has_passed() {
        let s = scene("pool 60mb\nalloc a 10mb\nalloc b 20mb\nalloc c 30mb\nrelease a\nrelease c\nsweep", 6);
        assert_eq!(s.motion, Motion::Sweep);
        let early = s.frame(0.3); // scanner at ~21 MB: past a, not past c
        assert_eq!(early.base, Base::Before);
        assert_eq!(early.overlays.iter().map(|o| o.paint).collect::<Vec<_>>(), [Paint::Free, Paint::Mark]);
        assert!(s.frame(0.6).scanner.unwrap() > s.frame(0.3).scanner.unwrap());
    }

    #[test]
    fn allocation_fills_and_failure_bounces() {
        let s = scene("pool 10mb\nalloc a 4mb", 1);
        assert_eq!(s.motion, Motion::Allocate);
        let o = &s.frame(0.25).overlays[0];
        assert!(o.paint == Paint::Free && o.size > 0.0 && o.size < 4.0 * MB);
        let f = scene("pool 10mb\nalloc a 4mb\nalloc b 8mb", 2);
        let g = f.frame(0.45).ghost.unwrap();
        assert_eq!((g.reason, g.size), ("exhausted", 8 << 20));
        // In a buddy pool the request falls as the power-of-two block it needs.
        let b = scene("pool 64mb policy buddy\nalloc a 10mb\nalloc d 40mb", 2);
        let g = b.failed().unwrap();
        assert_eq!((g.reason, g.size, g.label.as_str()), ("exhausted", 64 << 20, "alloc d 40 mb → 64 MiB"));
        // While a buddy allocation fills, the free halves its halvings left are outlined.
        let h = scene("pool 64mb policy buddy\nalloc a 10mb", 1).frame(0.5);
        let outlined: Vec<(f64, f64)> =
            h.overlays.iter().filter(|o| o.outline).map(|o| (o.offset, o.size)).collect();
        assert_eq!(outlined, [(32.0 * MB, 32.0 * MB), (16.0 * MB, 16.0 * MB)]);
        // A contiguous allocation outlines nothing.
        assert!(s.frame(0.25).overlays.iter().all(|o| !o.outline));
        assert!(f.frame(0.45).ghost.unwrap().drop > f.frame(0.9).ghost.unwrap().drop);
        // Once the bounce ends the request stays, at rest, for as long as the step shows.
        let rest = f.frame(1.0).ghost.expect("a failed request stays in the picture");
        assert_eq!((rest.drop, rest.label.as_str()), (GHOST_REST, "alloc b 8 mb"));
        assert!((f.frame(0.999).ghost.unwrap().drop - GHOST_REST).abs() < 0.01, "no jump at the end");
        // A step that did not fail shows no request.
        assert_eq!(s.frame(1.0).ghost, None);
    }

    #[test]
    fn geometry_wraps_rows_and_hit_tests() {
        let g = Geometry::new(1000.0, 200.0, 1000, 300);
        assert_eq!(g.rows, 4);
        let mut spans = vec![];
        g.for_each_span(200.0, 100.0, |x, y, w, _| spans.push((x.round(), y.round(), w.round())));
        // 250 bytes per row: 200..250 on row 0, 250..300 on row 1.
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].0, spans[0].2), (800.0, 200.0));
        assert_eq!((spans[1].0, spans[1].2), (0.0, 200.0));
        let (x, y) = (spans[1].0 + 100.0, spans[1].1 + 5.0);
        assert_eq!(g.address_at(x, y), Some(275));
        assert_eq!(g.address_at(5.0, 1.0), None); // above the rows
    }

    #[test]
    fn a_block_over_many_rows_is_drawn_on_every_row() {
        // The network-buffer scenario's pool: 64 MiB of 32 KiB pages on 11 rows, so a row
        // holds 6,100,805.8 bytes and row ends are not whole numbers.
        let mut g = Geometry::new(964.0, 320.0, 64 << 20, 4);
        g.rows = 11;
        for (offset, size) in [(6_815_744u64, 26_476_544u64), (33_292_288, 26_476_544), (0, 64 << 20)] {
            let mut rows = vec![];
            let mut width = 0.0;
            g.for_each_span(offset as f64, size as f64, |_, y, w, h| {
                rows.push(((y - g.top) / (h + g.gap)).round() as usize);
                width += w;
            });
            let (first, last) = (offset as f64 / g.row_bytes(), (offset + size) as f64 / g.row_bytes());
            let want: Vec<usize> = (first.floor() as usize..=(last.ceil() as usize - 1).min(10)).collect();
            assert_eq!(rows, want, "block at {offset} of {size} bytes");
            assert!((width - size as f64 / g.row_bytes() * g.width).abs() < 2.0 * MIN_WIDTH, "{width}");
        }
    }

    #[test]
    fn tiny_blocks_stay_visible() {
        let g = Geometry::new(800.0, 100.0, 1 << 30, 3);
        let mut w = 0.0;
        g.for_each_span(0.0, 1.0, |_, _, ww, _| w = ww);
        assert_eq!(w, MIN_WIDTH);
    }
}

/// Everything the page shows for one step of one timeline, built once per step change.
#[derive(Clone, Debug)]
pub struct StepView {
    pub scene: StepScene,
    /// The pool after the step (for metrics and block ages).
    pub engine: memlab_engine::Engine,
    pub metrics: memlab_engine::Metrics,
    /// The script line of this step's operation.
    pub line: Option<u32>,
}

impl StepView {
    pub fn build(t: &memlab_engine::Timeline, step: usize) -> StepView {
        let step = step.min(t.len());
        let (before, engine, events) = t.transition(step);
        let after = engine.blocks();
        let before = if step == 0 { after.clone() } else { before.blocks() };
        let op = t.op_at(step).map(|(_, o)| o.clone());
        StepView {
            scene: StepScene::new(step, before, after, events, op),
            metrics: engine.metrics(),
            engine,
            line: t.op_at(step).map(|(l, _)| l),
        }
    }
}
