//! A Prometheus window of a large cluster (more than [`FULL_MAX`] TaskManagers): full
//! series for a thousand TaskManagers would be tens of millions of points, so
//! the window's fetch reads
//! - a ranking, computed by Prometheus ([`rank_queries`]: `topk` of each pool's fullness,
//!   the heap's level and growth after collections, GC time, and `bottomk` of the samples held, which
//!   finds the TaskManagers that died or came late): the full series of the riskiest
//!   [`FULL_MAX`] only ([`chosen`]);
//! - every TaskManager's peak of each pool over the window ([`peak_paths`]), for the list;
//! - each pool's distribution over all TaskManagers per step ([`dist_paths`]: min, median,
//!   max), for the cluster-wide summary.

use std::collections::BTreeMap;

use crate::metrics::{self, prom_name, SPREAD_METRICS};
use crate::promql::{decoded_query, encode};
use crate::raw::Response;

/// A window's grid, in whole seconds since the epoch (`crate::promapi::Window::span`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: u64,
    pub end: u64,
    pub step: u64,
}

/// Up to this many TaskManagers, every one's full series are read.
pub const FULL_MAX: usize = 24;
/// Each ranking's length.
pub const RANK_K: usize = 6;

fn tm(id: &str) -> String {
    prom_name("taskmanager", id)
}

/// Each ranking: (its name, its PromQL over the whole window, highest first).
pub fn rank_queries(w: &Window) -> Vec<(&'static str, String)> {
    let r = w.end - w.start + w.step;
    let (hu, hm) = (tm(metrics::HEAP_USED), tm(metrics::HEAP_MAX));
    // The heap's level after collections: its lowest reading per window of a few steps.
    let low = (2 * w.step).max(60);
    vec![
        ("heap", format!("topk({RANK_K}, max_over_time({hu}[{r}s]) / max_over_time({hm}[{r}s]))")),
        (
            "heap-after-gc",
            format!(
                "topk({RANK_K}, max_over_time(min_over_time({hu}[{low}s])[{r}s:{low}s]) / max_over_time({hm}[{r}s]))"
            ),
        ),
        ("heap-growth", format!("topk({RANK_K}, deriv(min_over_time({hu}[{low}s])[{r}s:{low}s]))")),
        ("gc", format!("topk({RANK_K}, avg_over_time({}[{r}s]))", tm(metrics::GC_MS_PER_S))),
        ("metaspace", format!("topk({RANK_K}, max_over_time({}[{r}s]))", tm(metrics::METASPACE_USED))),
        ("direct", format!("topk({RANK_K}, max_over_time({}[{r}s]))", tm(metrics::DIRECT_USED))),
        (
            "network",
            format!(
                "topk({RANK_K}, max_over_time({}[{r}s]) / max_over_time({}[{r}s]))",
                tm(metrics::NETWORK_USED_SEGMENTS),
                tm(metrics::NETWORK_TOTAL_SEGMENTS)
            ),
        ),
        ("short-lived", format!("bottomk({RANK_K}, count_over_time({hu}[{r}s]))")),
    ]
}

fn instant(q: &str, w: &Window) -> String {
    format!("/api/v1/query?query={}&time={}", encode(q), w.end)
}

pub fn rank_paths(w: &Window) -> Vec<String> {
    rank_queries(w).iter().map(|(_, q)| instant(q, w)).collect()
}

/// The metrics whose peak over the window the list shows for every TaskManager (GC time:
/// its mean).
pub const PEAK_METRICS: [&str; 10] = [
    metrics::HEAP_USED,
    metrics::HEAP_MAX,
    metrics::MANAGED_USED,
    metrics::MANAGED_TOTAL,
    metrics::NETWORK_USED_SEGMENTS,
    metrics::NETWORK_TOTAL_SEGMENTS,
    metrics::METASPACE_USED,
    metrics::METASPACE_MAX,
    metrics::DIRECT_USED,
    metrics::GC_MS_PER_S,
];

fn over(id: &str) -> &'static str {
    if id == metrics::GC_MS_PER_S {
        "avg_over_time"
    } else {
        "max_over_time"
    }
}

fn peak_query(id: &str, w: &Window) -> String {
    format!("{}({}[{}s])", over(id), tm(id), w.end - w.start + w.step)
}

pub fn peak_paths(w: &Window) -> Vec<String> {
    PEAK_METRICS.iter().map(|id| instant(&peak_query(id, w), w)).collect()
}

/// One figure of a distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Min,
    Median,
    Max,
}

const STATS: [(Stat, &str); 3] = [(Stat::Min, "min("), (Stat::Median, "quantile(0.5, "), (Stat::Max, "max(")];

fn dist_query(id: &str, stat: &str, step: u64) -> String {
    format!("{stat}{}({}[{step}s]))", over(id), tm(id))
}

pub fn dist_paths(w: &Window) -> Vec<String> {
    let mut out = Vec::new();
    for id in SPREAD_METRICS {
        for (_, s) in STATS {
            out.push(format!(
                "/api/v1/query_range?query={}&start={}&end={}&step={}",
                encode(&dist_query(id, s, w.step)),
                w.start,
                w.end,
                w.step
            ));
        }
    }
    out
}

/// What a large window's answer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Rank,
    Peak(&'static str),
    Dist(&'static str, Stat),
}

/// The kind of a decoded query `q` of `path` (None: one of the per-metric range queries).
pub fn classify(path: &str, q: &str) -> Option<Kind> {
    if q.starts_with("topk(") || q.starts_with("bottomk(") {
        return Some(Kind::Rank);
    }
    if path.starts_with("/api/v1/query?") {
        return PEAK_METRICS
            .into_iter()
            .find(|id| q.starts_with(&format!("{}({}[", over(id), tm(id))))
            .map(Kind::Peak);
    }
    for id in SPREAD_METRICS {
        for (stat, s) in STATS {
            if q.starts_with(&format!("{s}{}({}[", over(id), tm(id))) {
                return Some(Kind::Dist(id, stat));
            }
        }
    }
    None
}

#[derive(serde::Deserialize)]
struct Vector {
    result: Vec<Sample>,
}

#[derive(serde::Deserialize)]
struct Sample {
    metric: BTreeMap<String, String>,
    value: (f64, String),
}

/// An instant answer's values by the TaskManager label.
pub fn values(r: &Response, tm_label: &str) -> Vec<(String, f64)> {
    #[derive(serde::Deserialize)]
    struct A {
        data: Option<Vector>,
    }
    let Ok(a) = serde_json::from_str::<A>(&r.body) else { return Vec::new() };
    a.data
        .map(|v| v.result)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| Some((s.metric.get(tm_label)?.clone(), s.value.1.parse::<f64>().ok()?)))
        .filter(|(_, v)| v.is_finite())
        .collect()
}

/// The TaskManagers whose full series are read: the first of each ranking, then the
/// second, …, [`FULL_MAX`] in all.
pub fn chosen(rankings: &[&Response], tm_label: &str) -> Vec<String> {
    let lists: Vec<Vec<String>> = rankings
        .iter()
        .map(|r| {
            let mut v = values(r, tm_label);
            let lowest_first = decoded_query(&r.path).is_some_and(|q| q.starts_with("bottomk("));
            v.sort_by(|a, b| if lowest_first { a.1.total_cmp(&b.1) } else { b.1.total_cmp(&a.1) });
            v.into_iter().map(|x| x.0).collect()
        })
        .collect();
    let mut out: Vec<String> = Vec::new();
    for k in 0..RANK_K {
        for l in &lists {
            if let Some(id) = l.get(k) {
                if out.len() < FULL_MAX && !out.contains(id) {
                    out.push(id.clone());
                }
            }
        }
    }
    out
}

/// A label matcher for exactly `ids`: `{tm_id=~"a|b"}` (regex metacharacters escaped).
pub fn matcher(tm_label: &str, ids: &[String]) -> String {
    let esc = |s: &str| {
        let mut o = String::new();
        for c in s.chars() {
            if "\\.+*?()|[]{}^$".contains(c) {
                // Escaped for the regex, and the backslash for the PromQL string.
                o.push_str("\\\\");
            } else if c == '"' {
                o.push('\\');
            }
            o.push(c);
        }
        o
    };
    format!("{{{tm_label}=~\"{}\"}}", ids.iter().map(|i| esc(i)).collect::<Vec<_>>().join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(path: &str, rows: &[(&str, f64)]) -> Response {
        let result: Vec<String> = rows
            .iter()
            .map(|(id, v)| format!(r#"{{"metric":{{"tm_id":"{id}"}},"value":[1,"{v}"]}}"#))
            .collect();
        Response {
            path: path.to_owned(),
            status: 200,
            body: format!(
                r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
                result.join(",")
            ),
            t: 1,
        }
    }

    #[test]
    fn the_riskiest_of_each_ranking_come_first() {
        let w = Window { start: 1_764_766_400, end: 1_764_770_000, step: 5 };
        let p = rank_paths(&w);
        let heap = answer(&p[0], &[("a", 0.5), ("b", 0.9), ("c", 0.7)]);
        let short = answer(&p[7], &[("z", 700.0), ("y", 3.0)]);
        assert_eq!(chosen(&[&heap, &short], "tm_id"), ["b", "y", "c", "z", "a"]);
        let many: Vec<(String, f64)> = (0..40).map(|i| (format!("t{i}"), i as f64)).collect();
        let rows: Vec<(&str, f64)> = many.iter().map(|(a, b)| (a.as_str(), *b)).collect();
        let lists: Vec<Response> = p.iter().map(|x| answer(x, &rows)).collect();
        assert_eq!(chosen(&lists.iter().collect::<Vec<_>>(), "tm_id").len(), FULL_MAX.min(RANK_K * 2));
    }

    #[test]
    fn every_large_window_answer_says_what_it_is() {
        let w = Window { start: 1_764_766_400, end: 1_764_770_000, step: 5 };
        let q = |p: &str| decoded_query(p).unwrap();
        for p in rank_paths(&w) {
            assert_eq!(classify(&p, &q(&p)), Some(Kind::Rank), "{p}");
        }
        for (p, id) in peak_paths(&w).iter().zip(PEAK_METRICS) {
            assert_eq!(classify(p, &q(p)), Some(Kind::Peak(id)));
        }
        let d = dist_paths(&w);
        assert_eq!(classify(&d[1], &q(&d[1])), Some(Kind::Dist(metrics::HEAP_USED, Stat::Median)));
        assert_eq!(d.len(), 18);
    }

    #[test]
    fn the_matcher_escapes_ids() {
        assert_eq!(
            matcher("tm_id", &["10.0.0.1:6122_ab".into(), "x".into()]),
            r#"{tm_id=~"10\\.0\\.0\\.1:6122_ab|x"}"#
        );
    }
}
