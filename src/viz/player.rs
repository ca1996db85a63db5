//! Playback: which step is shown and how far its animation has run — the one replay cursor
//! of the app: the allocator's steps ([`Player::new`]) and the Live cluster's polls
//! ([`Player::replay`], where a "step" is a poll shown for [`POLL_MS`]).
//!
//! A step's animation runs from `progress` 0 to 1 in `step_ms / speed` milliseconds. When
//! playing, reaching 1 moves to the next step; at the last step playback pauses. Stepping
//! forward animates the new step from 0; stepping back and seeking show the target step's
//! end state (progress 1) at once.
//!
//! Time left over in a frame carries on into the next step, so the fast speeds (32× and
//! up: a step's animation shorter than a frame) pass over several steps per frame: the
//! 5,000 steps of streaming churn play in about 9 s at 512×, where 8× takes 9 minutes.

/// Milliseconds one step takes at 1× speed.
pub const STEP_MS: f64 = 900.0;

/// The speeds offered, slowest first.
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 32.0, 128.0, 512.0];

/// Milliseconds one poll of a recording is shown at 1×.
pub const POLL_MS: f64 = 400.0;

/// The replay speeds offered, slowest first: at 128× an 8-hour recording polled every 5 s
/// (5,760 polls) replays in about 18 s.
pub const REPLAY_SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 32.0, 128.0];

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Player {
    /// The step shown (0 = the empty pool).
    pub step: usize,
    /// How far the current step's animation has run, in [0, 1].
    pub progress: f64,
    pub playing: bool,
    pub speed: f64,
    /// The number of steps in the timeline.
    pub len: usize,
    /// When playing, pause on reaching this step (a lesson's "play to here").
    pub stop_at: Option<usize>,
    /// Milliseconds a step takes at 1×.
    pub step_ms: f64,
    /// The speeds offered, slowest first.
    pub speeds: &'static [f64],
}

impl Player {
    /// The allocator's player: `len` steps after the empty pool, [`STEP_MS`] each.
    pub fn new(len: usize) -> Player {
        Player {
            step: 0,
            progress: 1.0,
            playing: false,
            speed: 1.0,
            len,
            stop_at: None,
            step_ms: STEP_MS,
            speeds: &SPEEDS,
        }
    }

    /// A recording's replay: polls 0 to `last`, [`POLL_MS`] each.
    pub fn replay(last: usize) -> Player {
        Player { step_ms: POLL_MS, speeds: &REPLAY_SPEEDS, ..Player::new(last) }
    }

    /// Advances the animation by `dt_ms`: finishes the current step's animation, then,
    /// when playing, moves on, as many steps as the time covers (the last one of them
    /// animated from where the time runs out). Returns true if the step changed.
    pub fn tick(&mut self, dt_ms: f64) -> bool {
        let before = self.step;
        // The time, in steps' worth of animation.
        let mut left = dt_ms * self.speed / self.step_ms;
        loop {
            if self.progress < 1.0 {
                if left < 1.0 - self.progress {
                    self.progress += left;
                    break;
                }
                left -= 1.0 - self.progress;
                self.progress = 1.0;
            }
            if !self.playing {
                break;
            }
            let end = self.stop_at.map_or(self.len, |s| s.min(self.len));
            if self.step >= end {
                self.playing = false;
                self.stop_at = None;
                break;
            }
            if left <= 0.0 && self.step != before {
                break;
            }
            // Steps whose whole animation fits in the time left are passed over at once.
            let skip = (left.floor() as usize).min(end - self.step - 1);
            self.step += skip + 1;
            left -= skip as f64;
            self.progress = 0.0;
        }
        self.step != before
    }

    pub fn play(&mut self) {
        if self.step >= self.len {
            self.step = 0;
            self.progress = 1.0;
        }
        self.playing = true;
    }

    pub fn pause(&mut self) {
        self.playing = false;
        self.stop_at = None;
    }

    pub fn toggle(&mut self) {
        if self.playing {
            self.pause()
        } else {
            self.play()
        }
    }

    /// One step forward, animated.
    pub fn forward(&mut self) {
        self.playing = false;
        if self.step < self.len {
            self.step += 1;
            self.progress = 0.0;
        } else {
            self.progress = 1.0;
        }
    }

    /// One step back, shown at once.
    pub fn back(&mut self) {
        self.playing = false;
        self.step = self.step.saturating_sub(1);
        self.progress = 1.0;
    }

    /// Moves to `step`: forward by playing (every step animated) and pausing there, back at
    /// once.
    pub fn play_to(&mut self, step: usize) {
        let step = step.min(self.len);
        if step > self.step {
            self.stop_at = Some(step);
            self.playing = true;
        } else {
            self.playing = false;
            self.seek(step);
        }
    }

    pub fn seek(&mut self, step: usize) {
        self.step = step.min(self.len);
        self.progress = 1.0;
    }

    pub fn reset(&mut self) {
        self.playing = false;
        self.seek(0);
    }

    pub fn faster(&mut self) {
        self.speed = self.speeds.iter().copied().find(|s| *s > self.speed).unwrap_or(self.speed);
    }

    pub fn slower(&mut self) {
        self.speed = self.speeds.iter().rev().copied().find(|s| *s < self.speed).unwrap_or(self.speed);
    }

    /// Whether the animation of the current step is still running.
    pub fn animating(&self) -> bool {
        self.progress < 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playing_walks_every_step_then_stops() {
        let mut p = Player::new(3);
        p.play();
        let mut seen = vec![];
        for _ in 0..100 {
            if p.tick(STEP_MS / 4.0) {
                seen.push(p.step);
            }
        }
        assert_eq!(seen, [1, 2, 3]);
        assert!(!p.playing);
        assert_eq!(p.progress, 1.0);
    }

    #[test]
    fn speed_scales_animation_time() {
        let mut p = Player::new(5);
        p.speed = 2.0;
        p.forward();
        p.tick(STEP_MS / 4.0);
        assert!((p.progress - 0.5).abs() < 1e-9);
    }

    #[test]
    fn back_and_seek_show_end_states() {
        let mut p = Player::new(9);
        p.seek(7);
        p.back();
        assert_eq!((p.step, p.progress), (6, 1.0));
        p.seek(99);
        assert_eq!(p.step, 9);
        p.back();
        p.forward();
        assert_eq!((p.step, p.progress), (9, 0.0));
    }

    #[test]
    fn speed_steps_through_the_offered_values() {
        let mut p = Player::new(1);
        for _ in 0..10 {
            p.faster();
        }
        assert_eq!(p.speed, 512.0);
        for _ in 0..10 {
            p.slower();
        }
        assert_eq!(p.speed, 0.25);
    }

    #[test]
    fn fast_speeds_pass_over_several_steps_per_frame() {
        let mut p = Player::new(5000);
        p.speed = 512.0;
        p.play();
        // One 16 ms frame at 512× is 16 × 512 / 900 = 9.1 steps' worth of animation: steps
        // 1 to 9 whole, and a tenth of step 10.
        assert!(p.tick(16.0));
        assert_eq!(p.step, 10);
        assert!((p.progress - (16.0 * 512.0 / STEP_MS - 9.0)).abs() < 1e-9);
        let mut frames = 1;
        while p.playing {
            p.tick(16.0);
            frames += 1;
        }
        // The last step is reached and shown whole, after 5000 / 9.1 frames (about 9 s).
        assert_eq!((p.step, p.progress), (5000, 1.0));
        assert_eq!(frames, (5000.0 * STEP_MS / (16.0 * 512.0)).ceil() as usize);
    }

    #[test]
    fn fast_play_to_stops_exactly_there() {
        let mut p = Player::new(100);
        p.speed = 512.0;
        p.play_to(42);
        while p.playing {
            p.tick(100.0);
        }
        assert_eq!((p.step, p.progress), (42, 1.0));
    }

    #[test]
    fn a_replay_shows_each_poll_for_its_time_and_fast_speeds_skip_polls() {
        let mut p = Player::replay(5_759);
        p.play();
        // 30 frames of 16 ms = 480 ms at 1×: on to the next poll at the first frame, then
        // again when that one has been shown 400 ms (at the frame ending at 400 ms).
        let moved: Vec<usize> = (0..30).filter(|_| p.tick(16.0)).collect();
        assert_eq!(moved, [0, 24]);
        // 8 hours polled every 5 s, at 128×: about 18 s of frames, ending on the last poll.
        let mut p = Player::replay(5_759);
        p.speed = 128.0;
        p.play();
        let mut frames = 0;
        while p.playing {
            p.tick(16.0);
            frames += 1;
        }
        assert_eq!(p.step, 5_759);
        assert_eq!(frames, (5_759.0 * POLL_MS / (16.0 * 128.0)).ceil() as usize);
        // Its speeds are the replay's.
        for _ in 0..10 {
            p.faster();
        }
        assert_eq!(p.speed, 128.0);
    }

    #[test]
    fn play_at_the_end_restarts() {
        let mut p = Player::new(2);
        p.seek(2);
        p.play();
        assert_eq!(p.step, 0);
        assert!(p.playing);
    }

    #[test]
    fn play_to_animates_forward_and_pauses_there() {
        let mut p = Player::new(10);
        p.seek(2);
        p.play_to(5);
        let mut seen = vec![];
        for _ in 0..200 {
            if p.tick(100.0) {
                seen.push(p.step);
            }
        }
        assert_eq!(seen, vec![3, 4, 5]);
        assert!(!p.playing && p.step == 5);
        p.play_to(1);
        assert_eq!((p.step, p.playing), (1, false));
    }
}
