//! Runs a script to the end and can return to any step, both ways.
//!
//! Step 0 is the empty pool; step i is the state after the i-th operation (a `workload`
//! line contributes one step per generated operation, all attributed to its line). The run
//! keeps the concrete operations, a cheap [`Sample`] per step, every failure, and
//! checkpoints (engine clones) every `interval` steps; `state_at` clones the nearest
//! checkpoint and replays at most `interval − 1` operations. At most `MAX_CHECKPOINTS`
//! are kept, holding at most `CHECKPOINT_BUDGET` allocations in all: past either, every
//! other one is dropped and the interval doubles.

use serde::Serialize;

use crate::engine::{Engine, Sample};
use crate::event::Event;
use crate::model::{ConfigError, Op};
use crate::name::Name;
use crate::script::{Script, StmtKind};
use crate::workload::Generator;

const FIRST_INTERVAL: usize = 32;
const MAX_CHECKPOINTS: usize = 256;
/// Checkpoints may hold at most this many allocations in all (each costs ~200 bytes), so a
/// long run over a large pool stays within a browser tab's memory: past it, every other
/// checkpoint is dropped and the interval doubles.
const CHECKPOINT_BUDGET: usize = 400_000;
/// The most steps one run may have, so a script cannot exhaust a browser tab.
pub const MAX_STEPS: usize = 10_000_000;

/// An operation that failed, where, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub step: u64,
    pub line: u32,
    pub op: String,
    pub reason: &'static str,
    /// The cause; in JSON `message`, its English sentence.
    #[serde(rename = "message", serialize_with = "crate::model::as_message")]
    pub error: crate::model::OpError,
}

impl Failure {
    /// The cause in English.
    pub fn message(&self) -> String {
        self.error.to_string()
    }
}

/// Why a script could not run at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// Found from the parsed script, before any step runs.
    #[error("the script expands to {steps} steps, more than the {limit} a run may have; use fewer or shorter workloads")]
    TooManySteps { steps: u64, limit: usize },
}

impl RunError {
    /// The message in `lang`.
    pub fn describe(&self, lang: memlab_text::Lang) -> String {
        match self {
            RunError::Config(e) => e.describe(lang),
            RunError::TooManySteps { steps, limit } => memlab_text::tr!(
                lang,
                "the script expands to {steps} steps, more than the {limit} a run may have; use fewer or shorter workloads",
                "脚本展开后有 {steps} 步，超过一次运行允许的 {limit} 步；请减少或缩短负载"
            ),
        }
    }
}

/// Which items of a long list to show: the first `head` and the last `tail`, with the
/// number left out between them (all of them when they fit, and then nothing is left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Excerpt {
    pub head: std::ops::Range<usize>,
    pub hidden: usize,
    pub tail: std::ops::Range<usize>,
}

impl Excerpt {
    pub fn of(len: usize, head: usize, tail: usize) -> Excerpt {
        if len <= head + tail + 1 {
            return Excerpt { head: 0..len, hidden: 0, tail: len..len };
        }
        Excerpt { head: 0..head, hidden: len - head - tail, tail: len - tail..len }
    }
}

/// The failures up to a step as a list shows them, in the app and the CLI alike: every one
/// when there are few, else the first [`Self::FIRST`] and the latest [`Self::LATEST`], with
/// the ones between counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureExcerpt<'a> {
    pub first: &'a [Failure],
    /// How many are left out between `first` and `latest`, and the steps of the first and
    /// the last of them.
    pub hidden: Option<(usize, u64, u64)>,
    pub latest: &'a [Failure],
}

impl FailureExcerpt<'_> {
    pub const FIRST: usize = 5;
    pub const LATEST: usize = 15;
}

#[derive(Clone, Debug)]
pub struct Timeline {
    ops: Vec<(u32, Op)>,
    samples: Vec<Sample>,
    failures: Vec<Failure>,
    checkpoints: Vec<Engine>,
    interval: usize,
    last: Engine,
}

impl Timeline {
    /// Runs `script` to the end.
    pub fn run(script: &Script) -> Result<Timeline, RunError> {
        Self::run_with_limit(script, MAX_STEPS)
    }

    /// Runs `script`, refusing one of more than `limit` steps before it runs (the browser uses
    /// a lower limit than the CLI, so a tab never hangs on a huge workload).
    pub fn run_with_limit(script: &Script, limit: usize) -> Result<Timeline, RunError> {
        let mut engine = Engine::new(script.pool.clone(), &script.executors)?;
        let steps = script.steps();
        if steps > limit as u64 {
            return Err(RunError::TooManySteps { steps, limit });
        }
        engine.set_recording(false);
        let mut t = Timeline {
            ops: Vec::new(),
            samples: vec![engine.sample()],
            failures: Vec::new(),
            checkpoints: vec![engine.clone()],
            interval: FIRST_INTERVAL,
            last: engine,
        };
        for stmt in &script.body {
            match &stmt.kind {
                StmtKind::Op(op) => {
                    t.push(stmt.line, op.clone());
                }
                StmtKind::Workload(spec) => {
                    let mut g = Generator::new(spec.clone(), stmt.line);
                    while let Some(op) = g.next_op() {
                        let ok = t.push(stmt.line, op.clone());
                        g.report(&op, ok);
                    }
                }
            }
        }
        Ok(t)
    }

    /// Runs one operation; whether it succeeded.
    fn push(&mut self, line: u32, op: Op) -> bool {
        let r = self.last.apply(&op);
        let step = self.ops.len() as u64 + 1;
        if let Err(e) = &r {
            self.failures.push(Failure {
                step,
                line,
                op: op.to_string(),
                reason: e.reason(),
                error: e.clone(),
            });
        }
        self.ops.push((line, op));
        self.samples.push(self.last.sample());
        if self.ops.len().is_multiple_of(self.interval) {
            self.checkpoints.push(self.last.clone());
            let weight: usize = self.checkpoints.iter().map(Engine::allocation_count).sum();
            if self.checkpoints.len() > MAX_CHECKPOINTS
                || (weight > CHECKPOINT_BUDGET && self.checkpoints.len() > 4)
            {
                let kept: Vec<Engine> = self.checkpoints.drain(..).step_by(2).collect();
                self.checkpoints = kept;
                self.interval *= 2;
            }
        }
        r.is_ok()
    }

    /// The number of steps (operations).
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The pool's configuration.
    pub fn config(&self) -> &crate::model::PoolConfig {
        self.last.config()
    }

    /// The state after the last step.
    pub fn final_state(&self) -> &Engine {
        &self.last
    }

    /// The state after `step` (0 = the empty pool), clamped to the last step.
    pub fn state_at(&self, step: usize) -> Engine {
        let step = step.min(self.len());
        if step == self.len() {
            return self.last.clone();
        }
        let k = (step / self.interval).min(self.checkpoints.len() - 1);
        let mut e = self.checkpoints[k].clone();
        // Failures were recorded during the run; replay's hints speed up a large pool.
        e.replay(self.ops[k * self.interval..step].iter().map(|(_, op)| op), |_, _, _| {});
        e
    }

    /// The state after `step` and the events that step produced (none for step 0).
    pub fn events_at(&self, step: usize) -> (Engine, Vec<Event>) {
        let step = step.min(self.len());
        if step == 0 {
            return (self.state_at(0), Vec::new());
        }
        let mut e = self.state_at(step - 1);
        e.set_recording(true);
        let _ = e.apply(&self.ops[step - 1].1);
        let events = e.take_events();
        e.set_recording(false);
        (e, events)
    }

    /// The states before and after `step` and the events it produced, with one replay.
    pub fn transition(&self, step: usize) -> (Engine, Engine, Vec<Event>) {
        let step = step.min(self.len());
        let before = self.state_at(step.saturating_sub(1));
        if step == 0 {
            return (before.clone(), before, Vec::new());
        }
        let mut after = before.clone();
        after.set_recording(true);
        let _ = after.apply(&self.ops[step - 1].1);
        let events = after.take_events();
        after.set_recording(false);
        (before, after, events)
    }

    /// The script line and operation of `step` (1-based).
    pub fn op_at(&self, step: usize) -> Option<(u32, &Op)> {
        step.checked_sub(1).and_then(|i| self.ops.get(i)).map(|(l, op)| (*l, op))
    }

    /// Per-step figures; index 0 is the empty pool.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Every failure, in step order.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// The failures at or before `step` (O(log n): a long run can fail thousands of times).
    pub fn failures_until(&self, step: usize) -> &[Failure] {
        let n = self.failures.partition_point(|f| f.step as usize <= step);
        &self.failures[..n]
    }

    /// The failures at or before `step` as a list shows them (see [`FailureExcerpt`]).
    pub fn failure_excerpt(&self, step: usize) -> FailureExcerpt<'_> {
        let fs = self.failures_until(step);
        let cut = Excerpt::of(fs.len(), FailureExcerpt::FIRST, FailureExcerpt::LATEST);
        FailureExcerpt {
            first: &fs[cut.head.clone()],
            hidden: (cut.hidden > 0)
                .then(|| (cut.hidden, fs[cut.head.end].step, fs[cut.tail.start - 1].step)),
            latest: &fs[cut.tail],
        }
    }

    /// The failure of `step`, if its operation failed.
    pub fn failure_at(&self, step: usize) -> Option<&Failure> {
        let i = self.failures.partition_point(|f| (f.step as usize) < step);
        self.failures.get(i).filter(|f| f.step as usize == step)
    }

    /// The first step whose operation came from `line`, if any.
    pub fn first_step_of_line(&self, line: u32) -> Option<usize> {
        self.ops.iter().position(|(l, _)| *l == line).map(|i| i + 1)
    }

    /// Names of the blocks that one step's events touch (for highlighting).
    pub fn names_in(events: &[Event]) -> Vec<Name> {
        let mut v: Vec<Name> = events
            .iter()
            .filter_map(|e| match e {
                Event::Allocate { name, .. }
                | Event::Retain { name, .. }
                | Event::Release { name, .. }
                | Event::Mark { name, .. }
                | Event::Free { name, .. }
                | Event::Move { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Timeline {
        Timeline::run(&crate::script::parse(text).unwrap()).unwrap()
    }

    #[test]
    fn a_script_too_long_to_run_is_refused_with_its_length_before_it_runs() {
        // 40 workloads of five million operations: two hundred million steps.
        let text = format!("pool 1gb\n{}", "workload churn ops=5000000 live=1000\n".repeat(40));
        let script = crate::script::parse(&text).unwrap();
        assert_eq!(script.steps(), 200_000_000);
        let e = Timeline::run(&script).unwrap_err();
        assert_eq!(e, RunError::TooManySteps { steps: 200_000_000, limit: MAX_STEPS });
        assert_eq!(
            e.to_string(),
            "the script expands to 200000000 steps, more than the 10000000 a run may have; use fewer or shorter workloads"
        );
        // Exactly at the limit runs: the count is exact.
        let script = crate::script::parse("pool 1mb\nalloc a 1kb\nworkload churn ops=99 live=3\n").unwrap();
        assert_eq!(Timeline::run_with_limit(&script, 100).unwrap().len(), 100);
        assert!(matches!(
            Timeline::run_with_limit(&script, 99),
            Err(RunError::TooManySteps { steps: 100, limit: 99 })
        ));
    }

    #[test]
    fn failures_until_and_at_a_step() {
        // Steps 1, 3 and 4 fail (too large), step 2 fits.
        let t = run("pool 1mb\nalloc a 2mb\nalloc b 512kb\nalloc c 2mb\nalloc d 2mb\n");
        let names = |fs: &[Failure]| fs.iter().map(|f| f.op.clone()).collect::<Vec<_>>();
        assert!(t.failures_until(0).is_empty());
        assert_eq!(names(t.failures_until(1)), ["alloc a 2 mb"]);
        assert_eq!(names(t.failures_until(2)), ["alloc a 2 mb"]);
        assert_eq!(names(t.failures_until(3)), ["alloc a 2 mb", "alloc c 2 mb"]);
        assert_eq!(t.failures_until(99).len(), 3);
        assert_eq!(t.failure_at(3).map(|f| f.line), Some(4));
        assert!(t.failure_at(2).is_none());
        assert!(t.failure_at(0).is_none());
        assert!(t.failure_at(5).is_none());
    }

    #[test]
    fn a_failure_excerpt_lists_the_first_and_latest_and_counts_the_rest() {
        // Deferred releases and no sweep: from step 7 every request fails (2,988 in all).
        let t = run("pool 1mb\nworkload churn seed=3 ops=3000 min=64kb max=256kb\n");
        let steps = |fs: &[Failure]| fs.iter().map(|f| f.step).collect::<Vec<_>>();
        let e = t.failure_excerpt(3000);
        assert_eq!(steps(e.first), [7, 8, 9, 10, 11]);
        assert_eq!(steps(e.latest), (2986..=3000).collect::<Vec<_>>());
        assert_eq!(e.hidden, Some((2968, 12, 2985)));
        let e = t.failure_excerpt(12);
        assert_eq!((steps(e.first), e.hidden, e.latest.len()), (vec![7, 8, 9, 10, 11, 12], None, 0));
    }

    #[test]
    fn an_excerpt_shows_all_that_fit_and_else_both_ends() {
        assert_eq!(Excerpt::of(5, 2, 2), Excerpt { head: 0..5, hidden: 0, tail: 5..5 });
        // Leaving out a single item would save nothing: show it.
        assert_eq!(Excerpt::of(6, 2, 3), Excerpt { head: 0..6, hidden: 0, tail: 6..6 });
        assert_eq!(Excerpt::of(100, 3, 5), Excerpt { head: 0..3, hidden: 92, tail: 95..100 });
        assert_eq!(Excerpt::of(0, 3, 5), Excerpt { head: 0..0, hidden: 0, tail: 0..0 });
    }
}
