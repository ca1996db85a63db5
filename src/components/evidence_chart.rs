//! The chart behind a diagnosis finding: the metric over the recording, the points the
//! detector used (e.g. the lowest post-GC reading per window), the fitted trend carried on
//! to the limit, and the limit itself, with labelled axes.

use leptos::prelude::*;
use memlab_flink::diagnose::Evidence;
use memlab_size::human;
use memlab_text::tr;

const W: f64 = 600.0;
const H: f64 = 180.0;
const PAD_L: f64 = 64.0;
const PAD_B: f64 = 22.0;
const PAD_T: f64 = 8.0;

/// The chart's geometry, computed without a DOM (tested natively).
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    pub series: String,
    pub used: Vec<(f64, f64)>,
    pub trend: Option<(f64, f64, f64, f64)>,
    pub limit_y: Option<f64>,
    pub y_max: f64,
    pub t_max: f64,
}

pub fn geometry(e: &Evidence) -> Geometry {
    let t_max = e.series.iter().chain(&e.used).map(|p| p.0).fold(1.0, f64::max);
    let v_max = e.series.iter().chain(&e.used).map(|p| p.1).fold(0.0, f64::max);
    let y_max = e.limit.map_or(v_max, |l| l.max(v_max)).max(1.0) * 1.05;
    let x = |t: f64| PAD_L + t / t_max * (W - PAD_L - 4.0);
    let y = |v: f64| PAD_T + (1.0 - (v / y_max).clamp(0.0, 1.0)) * (H - PAD_T - PAD_B);
    let series =
        e.series.iter().map(|&(t, v)| format!("{:.1},{:.1}", x(t), y(v))).collect::<Vec<_>>().join(" ");
    let used = e.used.iter().map(|&(t, v)| (x(t), y(v))).collect();
    let trend = e.trend.map(|tr| {
        let t0 = e.used.first().or(e.series.first()).map_or(0.0, |p| p.0);
        (x(t0), y(tr.at(t0).0), x(t_max), y(tr.at(t_max).0))
    });
    Geometry { series, used, trend, limit_y: e.limit.map(y), y_max, t_max }
}

/// Axis text for a value of this metric.
pub fn value_text(metric: &str, v: f64) -> String {
    if metric.contains("Memory") || metric.contains("memory") {
        human(v.max(0.0) as u64)
    } else {
        format!("{v:.0}")
    }
}

#[component]
pub fn EvidenceChart(evidence: Evidence) -> impl IntoView {
    let lang = crate::lang::current();
    let g = geometry(&evidence);
    let metric = evidence.metric.clone();
    let (top, limit_label) =
        (value_text(&metric, g.y_max / 1.05), evidence.limit.map(|l| value_text(&metric, l)));
    view! {
        <figure class="evidence" data-testid="evidence-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=tr!(lang, "{} over {:.0} s", "{} 在 {:.0} 秒内的变化", metric, g.t_max)>
                <line class="axis" x1=PAD_L y1=PAD_T x2=PAD_L y2=H - PAD_B></line>
                <line class="axis" x1=PAD_L y1=H - PAD_B x2=W y2=H - PAD_B></line>
                <text class="tick" x=PAD_L - 6.0 y=PAD_T + 10.0 text-anchor="end">{top}</text>
                <text class="tick" x=PAD_L - 6.0 y=H - PAD_B text-anchor="end">"0"</text>
                <text class="tick" x=W - 4.0 y=H - 6.0 text-anchor="end">{format!("{:.0} s", g.t_max)}</text>
                {g.limit_y.map(|y| view! {
                    <line class="limit" x1=PAD_L y1=y x2=W y2=y data-testid="evidence-limit"></line>
                    <text class="tick limit-label" x=W - 4.0 y=y - 4.0 text-anchor="end">{tr!(lang, "limit {}", "上限 {}", limit_label.clone().unwrap_or_default())}</text>
                })}
                <polyline class="series" points=g.series.clone() fill="none"></polyline>
                {g.trend.map(|(x1, y1, x2, y2)| view! { <line class="trend" x1=x1 y1=y1 x2=x2 y2=y2 data-testid="evidence-trend"></line> })}
                {g.used.iter().map(|&(cx, cy)| view! { <circle class="used" cx=cx cy=cy r="3.5"></circle> }).collect_view()}
            </svg>
            <figcaption class="muted small">
                <span class="key series-key" translate="no">{metric}</span>
                {(!evidence.used.is_empty()).then(|| view! { <span class="key used-key">{tr!(lang, "points the detector used", "检测器使用的点")}</span> })}
                {evidence.trend.is_some().then(|| view! { <span class="key trend-key">{tr!(lang, "fitted trend", "拟合趋势")}</span> })}
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memlab_flink::diagnose::stats::Trend;

    #[test]
    fn the_trend_line_and_limit_sit_in_the_box() {
        let e = Evidence {
            metric: "Status.JVM.Memory.Heap.Used".into(),
            from: 0,
            to: 2,
            series: vec![(0.0, 10.0), (60.0, 40.0), (120.0, 20.0)],
            used: vec![(0.0, 10.0), (120.0, 20.0)],
            trend: Some(Trend { slope: 1.0 / 12.0, intercept: 10.0, tau: 1.0 }),
            limit: Some(100.0),
            facts: vec![],
        };
        let g = geometry(&e);
        assert_eq!(g.series.split(' ').count(), 3);
        let (x1, y1, x2, y2) = g.trend.unwrap();
        assert!(x1 < x2 && y2 < y1, "rising trend drawn rising");
        let ly = g.limit_y.unwrap();
        assert!(ly > PAD_T && ly < y2, "limit above the data");
        assert_eq!(value_text(&e.metric, 2048.0), "2 KiB");
    }
}
