//! Robust trend statistics for noisy, sparse metric series (Flink refreshes metrics every
//! few seconds; the JVM heap is a saw-tooth): window minima for the lower envelope, the
//! Theil–Sen slope (the median of pairwise slopes, unmoved by a few outliers) and Kendall's
//! τ as the confidence that a series moves one way.

/// A point of a series: seconds since the start of the recording, value.
pub type Point = (f64, f64);

/// A value the cluster reported, or a statistic of reported values (a peak, a median, a
/// rate between two readings): what was seen.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, serde::Serialize)]
#[serde(transparent)]
pub struct Observed(pub f64);

/// A value on a fitted [`Trend`] (its level at some time, its slope): what the data
/// suggests, never a reading. Kept apart from [`Observed`] so a forecast cannot pass for a
/// measurement.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, serde::Serialize)]
#[serde(transparent)]
pub struct Fitted(pub f64);

/// The minimum of each `window_s`-second window (anchored at the first point), placed at
/// the time it was read. Windows without points are skipped.
pub fn window_minima(points: &[Point], window_s: f64) -> Vec<Point> {
    let Some(&(t0, _)) = points.first() else { return Vec::new() };
    let mut out: Vec<(i64, Point)> = Vec::new();
    for &(t, v) in points {
        let w = ((t - t0) / window_s).floor() as i64;
        match out.last_mut() {
            Some((lw, p)) if *lw == w => {
                if v < p.1 {
                    *p = (t, v);
                }
            }
            _ => out.push((w, (t, v))),
        }
    }
    out.into_iter().map(|(_, p)| p).collect()
}

/// A fitted line `value = intercept + slope · t`, with Kendall's τ of the points.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Trend {
    /// Units per second.
    pub slope: f64,
    pub intercept: f64,
    /// Kendall's τ in [−1, 1]: 1 when every later point is higher than every earlier one.
    pub tau: f64,
}

impl Trend {
    /// The line's value at `t`.
    pub fn at(&self, t: f64) -> Fitted {
        Fitted(self.intercept + self.slope * t)
    }

    /// The slope per minute.
    pub fn per_min(&self) -> Fitted {
        Fitted(self.slope * 60.0)
    }

    /// Seconds after `t` at which the line reaches `limit` (None if it never does).
    pub fn time_to(&self, t: f64, limit: f64) -> Option<f64> {
        if self.slope <= 0.0 {
            return None;
        }
        Some(((limit - self.at(t).0) / self.slope).max(0.0))
    }
}

/// When a rising level meets its limit, told from what was observed: the level it starts
/// from is the last reading, not the fitted line (which can run past the limit), and a
/// limit already reached says since when instead of "in 0 s".
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "forecast")]
pub enum Forecast {
    /// Seconds after the last reading, at the fitted slope (always > 0).
    In { s: f64 },
    /// A reading was already at the limit (within `near`): the first such, in seconds
    /// since the first poll.
    Reached { at_s: f64 },
    /// Not rising.
    Never,
}

impl Forecast {
    /// Seconds left (0 once reached, infinite when never): for a severity.
    pub fn seconds(self) -> f64 {
        match self {
            Forecast::In { s } => s,
            Forecast::Reached { .. } => 0.0,
            Forecast::Never => f64::INFINITY,
        }
    }
}

/// When `readings` (observed) rising at `trend`'s slope reach `limit`: reached once a
/// reading is at `near` × `limit` or above.
pub fn forecast(readings: &[Point], trend: &Trend, limit: f64, near: f64) -> Forecast {
    if let Some(&(t, _)) = readings.iter().find(|p| p.1 >= near * limit) {
        return Forecast::Reached { at_s: t };
    }
    match readings.last() {
        Some(&(_, last)) if trend.slope > 0.0 => Forecast::In { s: (limit - last) / trend.slope },
        _ => Forecast::Never,
    }
}

/// The median, by selection (linear; the values end up partly reordered).
fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let (lower, mid, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let mid = *mid;
    if n % 2 == 1 {
        mid
    } else {
        // The other middle value is the largest of the lower half.
        let below = lower.iter().copied().max_by(f64::total_cmp).unwrap_or(mid);
        (below + mid) / 2.0
    }
}

/// At most this many points go into a fit (pairs grow with the square: hours of 5-s polls
/// would otherwise cost millions of slopes); longer series are thinned evenly.
pub const MAX_FIT_POINTS: usize = 256;

/// Theil–Sen line and Kendall's τ; None for fewer than 3 points.
pub fn trend(points: &[Point]) -> Option<Trend> {
    if points.len() < 3 {
        return None;
    }
    let thinned: Vec<Point>;
    let points = if points.len() > MAX_FIT_POINTS {
        let step = points.len().div_ceil(MAX_FIT_POINTS);
        thinned = points.iter().step_by(step).copied().collect();
        &thinned[..]
    } else {
        points
    };
    let mut slopes = Vec::with_capacity(points.len() * (points.len() - 1) / 2);
    let (mut concordant, mut discordant) = (0i64, 0i64);
    for (i, &(ti, vi)) in points.iter().enumerate() {
        for &(tj, vj) in &points[i + 1..] {
            if tj != ti {
                slopes.push((vj - vi) / (tj - ti));
            }
            // `f64::signum(0.0)` is 1: ties must count as neither.
            let sign = |x: f64| {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            };
            let s = sign(tj - ti) * sign(vj - vi);
            if s > 0.0 {
                concordant += 1;
            } else if s < 0.0 {
                discordant += 1;
            }
        }
    }
    if slopes.is_empty() {
        return None;
    }
    let slope = median(&mut slopes);
    let mut intercepts: Vec<f64> = points.iter().map(|&(t, v)| v - slope * t).collect();
    let intercept = median(&mut intercepts);
    let pairs = (points.len() * (points.len() - 1) / 2) as f64;
    Some(Trend { slope, intercept, tau: (concordant - discordant) as f64 / pairs })
}

/// The median of the values.
pub fn median_value(points: &[Point]) -> Observed {
    Observed(median(&mut points.iter().map(|p| p.1).collect::<Vec<_>>()))
}

/// The largest value (NaN for none).
pub fn max_value(points: &[Point]) -> Observed {
    Observed(points.iter().map(|p| p.1).fold(f64::NAN, f64::max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_is_found_exactly() {
        let pts: Vec<Point> = (0..10).map(|i| (i as f64 * 10.0, 5.0 + 2.0 * i as f64 * 10.0)).collect();
        let t = trend(&pts).unwrap();
        assert_eq!((t.slope, t.intercept, t.tau), (2.0, 5.0, 1.0));
        assert_eq!(t.time_to(90.0, 205.0), Some(10.0));
    }

    #[test]
    fn a_forecast_starts_from_the_last_reading_and_a_reached_limit_says_when() {
        let t = Trend { slope: 1.0, intercept: 0.0, tau: 1.0 };
        assert_eq!(forecast(&[(0.0, 10.0), (10.0, 40.0)], &t, 100.0, 0.9), Forecast::In { s: 60.0 });
        assert_eq!(
            forecast(&[(0.0, 10.0), (10.0, 95.0), (20.0, 99.0)], &t, 100.0, 0.9),
            Forecast::Reached { at_s: 10.0 }
        );
        let flat = Trend { slope: 0.0, ..t };
        assert_eq!(forecast(&[(0.0, 10.0)], &flat, 100.0, 0.9), Forecast::Never);
    }

    #[test]
    fn one_outlier_does_not_move_the_slope() {
        let mut pts: Vec<Point> = (0..11).map(|i| (i as f64, 100.0)).collect();
        pts[5].1 = 1e9;
        let t = trend(&pts).unwrap();
        assert_eq!(t.slope, 0.0);
        assert!(t.tau.abs() < 0.2);
    }

    #[test]
    fn long_series_are_thinned_but_keep_their_slope() {
        let pts: Vec<Point> = (0..100_000).map(|i| (i as f64, 3.0 * i as f64)).collect();
        let t = trend(&pts).unwrap();
        assert_eq!((t.slope, t.tau), (3.0, 1.0));
    }

    #[test]
    fn window_minima_take_the_lowest_reading_of_each_window() {
        let pts = [(0.0, 5.0), (4.0, 3.0), (10.0, 9.0), (12.0, 7.0), (35.0, 1.0)];
        assert_eq!(window_minima(&pts, 10.0), vec![(4.0, 3.0), (12.0, 7.0), (35.0, 1.0)]);
        assert!(trend(&pts[..2]).is_none());
    }
}
