//! The live cluster's replay clock: one poll per [`POLL_MS`] at 1×. Time left over in a
//! frame carries into the next, so the fast speeds move on several polls a frame: a
//! 5,760-poll recording (8 hours, polled every 5 s) replays in about 18 s at 128×, where 8×,
//! at most one poll a frame before, took 5 minutes.

/// Milliseconds one poll is shown at 1×.
pub const POLL_MS: f64 = 400.0;

/// The replay speeds offered, slowest first.
pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 32.0, 128.0];

/// Moves the clock on by `dt_ms` at `speed`: returns how many polls to move on, and keeps
/// the time short of the next poll in `carry`.
pub fn advance(carry: &mut f64, dt_ms: f64, speed: f64) -> usize {
    *carry += dt_ms * speed;
    let polls = (*carry / POLL_MS).floor();
    *carry -= polls * POLL_MS;
    polls as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_poll_per_period_at_1x_and_the_rest_carries() {
        let mut carry = 0.0;
        let moved: Vec<usize> = (0..30).map(|_| advance(&mut carry, 16.0, 1.0)).collect();
        // 30 frames of 16 ms = 480 ms: one poll, at the 25th frame (400 / 16).
        assert_eq!(moved.iter().sum::<usize>(), 1);
        assert_eq!(moved.iter().position(|&m| m == 1), Some(24));
        assert!((carry - 80.0).abs() < 1e-9);
    }

    #[test]
    fn fast_speeds_move_several_polls_a_frame() {
        let mut carry = 0.0;
        // 16 ms at 128× is 2048 ms of replay: 5 polls, 48 ms carried.
        assert_eq!(advance(&mut carry, 16.0, 128.0), 5);
        assert!((carry - 48.0).abs() < 1e-9);
        // 8 hours polled every 5 s: frames until the end at 128×.
        let (mut carry, mut at, mut frames) = (0.0, 0usize, 0);
        while at < 5_760 {
            at += advance(&mut carry, 16.0, 128.0);
            frames += 1;
        }
        assert_eq!(frames, (5_760.0 * POLL_MS / (16.0 * 128.0)).ceil() as usize);
    }
}
