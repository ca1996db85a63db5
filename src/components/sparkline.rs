//! A small SVG line chart of one figure over the whole timeline, with the current step
//! marked. Long timelines are reduced to at most `POINTS` buckets (each keeps its maximum,
//! so peaks stay visible).

use leptos::prelude::*;

const POINTS: usize = 240;
const W: f64 = 240.0;
const H: f64 = 44.0;

/// Reduces `values` to at most [`POINTS`] maxima.
pub fn bucket_max(values: &[f64]) -> Vec<f64> {
    if values.len() <= POINTS {
        return values.to_vec();
    }
    let per = values.len().div_ceil(POINTS);
    values.chunks(per).map(|c| c.iter().copied().fold(f64::MIN, f64::max)).collect()
}

/// The SVG polyline points for `values` scaled to [0, max].
pub fn points(values: &[f64], max: f64) -> String {
    let v = bucket_max(values);
    let n = v.len().max(2) - 1;
    let max = if max > 0.0 { max } else { 1.0 };
    // Missing values (NaN: no data at that moment) leave a gap instead of a bogus point.
    v.iter()
        .enumerate()
        .filter(|(_, y)| y.is_finite() && **y > f64::MIN)
        .map(|(i, y)| {
            format!("{:.1},{:.1}", i as f64 / n as f64 * W, H - (y / max).clamp(0.0, 1.0) * (H - 2.0) - 1.0)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn Sparkline(
    #[prop(into)] values: Signal<Vec<f64>>,
    #[prop(into)] max: Signal<f64>,
    /// The current step (an index into `values`).
    #[prop(into)]
    cursor: Signal<usize>,
    #[prop(into)] label: String,
    #[prop(into)] value_text: Signal<String>,
    class: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let pts = Memo::new(move |_| values.with(|v| points(v, max.get())));
    // (`values` may be derived by copying a long series: read it once per change, not once
    // per step.)
    let len = Memo::new(move |_| values.with(Vec::len));
    let cursor_x = move || {
        let n = len.get().max(2) - 1;
        cursor.get().min(n) as f64 / n as f64 * W
    };
    view! {
        <figure class=format!("spark {class}") data-testid=testid>
            <figcaption>
                <span>{label}</span>
                <b>{value_text}</b>
            </figcaption>
            <svg viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" aria-hidden="true">
                <polyline points=pts fill="none" stroke-width="1.6" vector-effect="non-scaling-stroke"></polyline>
                <line x1=cursor_x x2=cursor_x y1="0" y2=H class="spark-cursor" vector-effect="non-scaling-stroke"></line>
            </svg>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_series_keep_their_peaks() {
        let mut v = vec![0.0; 10_000];
        v[5_001] = 7.0;
        let b = bucket_max(&v);
        assert!(b.len() <= POINTS);
        assert_eq!(b.iter().copied().fold(0.0, f64::max), 7.0);
    }

    #[test]
    fn missing_values_are_skipped() {
        assert_eq!(points(&[0.0, f64::NAN, 1.0], 1.0), "0.0,43.0 240.0,1.0");
        assert_eq!(points(&[f64::NAN, f64::NAN], 1.0), "");
    }

    #[test]
    fn points_scale_to_the_box() {
        let p = points(&[0.0, 1.0], 1.0);
        assert_eq!(p, "0.0,43.0 240.0,1.0");
    }
}
