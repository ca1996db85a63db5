//! The poll plan on a thousand TaskManagers: a bounded number of requests per poll, the
//! fullest TaskManager found within three polls, every one read within a sweep.
//!
//! A load harness, not the proof of the integration (that is the real cluster in
//! `tests/e2e/cluster.test.mjs`): every answer is a real Flink 2.3.0 body from
//! `fixtures/rest-2tm.memlab.json` (recorded by `memlab record` from
//! `scripts/flink-cluster.sh`, see its `source`), its two TaskManagers replicated under new
//! ids; the aggregating endpoint's answers are computed from those bodies as the
//! JobManager computes them.

use std::collections::BTreeMap;

use memlab_flink::metrics;
use memlab_flink::poll::{self, Poller, MAX_REQUESTS, SWEEP_MIN, TM_BUDGET};
use memlab_flink::recording::{Recording, Response, Snapshot};
use serde_json::Value;

fn fixture() -> Recording {
    Recording::parse(include_str!("fixtures/rest-2tm.memlab.json")).unwrap()
}

/// A cluster answering from a table, with Flink's aggregation over its TaskManagers.
struct Cluster {
    answers: BTreeMap<String, String>,
    /// TaskManager id → its metrics (id → value), as its metrics body says.
    tms: BTreeMap<String, Vec<(String, String)>>,
}

impl Cluster {
    /// The fixture's cluster with `n` TaskManagers (`n == 0`: as recorded), the one at
    /// `hot` (if any) with its heap at 97 %.
    fn new(n: usize, hot: Option<usize>) -> Cluster {
        let rec = fixture();
        let mut answers = BTreeMap::new();
        for p in &rec.polls {
            for r in p.responses.iter().filter(|r| r.status == 200) {
                answers.insert(r.path.clone(), r.body.clone());
            }
        }
        let list: Value = serde_json::from_str(&answers["/taskmanagers"]).unwrap();
        let real: Vec<Value> = list["taskmanagers"].as_array().unwrap().clone();
        let metrics_of = |id: &str| -> Vec<(String, String)> {
            let body = &answers[&poll::metrics_path(id)];
            let v: Vec<Value> = serde_json::from_str(body).unwrap();
            v.iter()
                .map(|m| (m["id"].as_str().unwrap().to_owned(), m["value"].as_str().unwrap().to_owned()))
                .collect()
        };
        let mut tms = BTreeMap::new();
        if n == 0 {
            for t in &real {
                let id = t["id"].as_str().unwrap();
                tms.insert(id.to_owned(), metrics_of(id));
            }
        } else {
            let mut entries = Vec::new();
            for i in 0..n {
                let src = &real[i % real.len()];
                let mut m = metrics_of(src["id"].as_str().unwrap());
                if Some(i) == hot {
                    let max: f64 = m.iter().find(|(k, _)| k == metrics::HEAP_MAX).unwrap().1.parse().unwrap();
                    for (k, v) in &mut m {
                        if k == metrics::HEAP_USED {
                            *v = format!("{}", (max * 0.97) as u64);
                        }
                    }
                }
                let id = tm_id(i);
                let mut e = src.clone();
                e["id"] = Value::String(id.clone());
                entries.push(e);
                tms.insert(id, m);
            }
            answers
                .insert("/taskmanagers".into(), serde_json::json!({ "taskmanagers": entries }).to_string());
        }
        Cluster { answers, tms }
    }

    fn get(&self, path: &str) -> Response {
        let ok = |body: String| Response { path: path.to_owned(), status: 200, body, t: 1 };
        if let Some(b) = self.answers.get(path) {
            if !path.starts_with("/taskmanagers/") {
                return ok(b.clone());
            }
        }
        if let Some(q) = path.strip_prefix("/taskmanagers/metrics?") {
            return ok(self.aggregate(q));
        }
        if let Some((id, q)) = path.strip_prefix("/taskmanagers/").and_then(|p| p.split_once("/metrics?get="))
        {
            if let Some(m) = self.tms.get(id) {
                let want: Vec<&str> = q.split(',').collect();
                let body: Vec<Value> = m
                    .iter()
                    .filter(|(k, _)| want.contains(&k.as_str()))
                    .map(|(k, v)| serde_json::json!({ "id": k, "value": v }))
                    .collect();
                return ok(Value::Array(body).to_string());
            }
        }
        Response { path: path.to_owned(), status: 404, body: "Not found".into(), t: 1 }
    }

    /// `get=…&agg=…[&taskmanagers=…]`, as Flink's AggregatingTaskManagersMetricsHandler.
    fn aggregate(&self, query: &str) -> String {
        let param = |k: &str| query.split('&').find_map(|kv| kv.strip_prefix(&format!("{k}=")));
        let get: Vec<&str> = param("get").unwrap().split(',').collect();
        let aggs: Vec<&str> = param("agg").unwrap().split(',').collect();
        let ids: Vec<&String> = match param("taskmanagers") {
            Some(list) => self.tms.keys().filter(|k| list.split(',').any(|x| x == k.as_str())).collect(),
            None => self.tms.keys().collect(),
        };
        let out: Vec<Value> = get
            .iter()
            .filter_map(|id| {
                let vals: Vec<f64> = ids
                    .iter()
                    .filter_map(|tm| self.tms[*tm].iter().find(|(k, _)| k == id)?.1.parse().ok())
                    .collect();
                if vals.is_empty() {
                    return None;
                }
                let mut o = serde_json::json!({ "id": id });
                for a in &aggs {
                    let v = match *a {
                        "min" => vals.iter().copied().fold(f64::INFINITY, f64::min),
                        "max" => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        "sum" => vals.iter().sum(),
                        "avg" => vals.iter().sum::<f64>() / vals.len() as f64,
                        _ => continue,
                    };
                    o[*a] = v.into();
                }
                Some(o)
            })
            .collect();
        Value::Array(out).to_string()
    }
}

fn tm_id(i: usize) -> String {
    format!("10.1.{}.{}:6122-{:06x}", i / 250, i % 250, i * 7919)
}

/// One poll: the paths asked (all rounds) and the poll's snapshot.
fn poll_once(p: &mut Poller, c: &Cluster, prev: Option<&Snapshot>) -> (Vec<String>, Snapshot) {
    let mut run = p.begin(1);
    let mut asked = Vec::new();
    loop {
        let paths = run.paths();
        if paths.is_empty() {
            break;
        }
        run.receive(paths.iter().map(|x| c.get(x)).collect::<Vec<_>>());
        asked.extend(paths);
    }
    let poll = run.finish();
    (asked, Snapshot::from_poll_after(&poll, prev))
}

fn read_tms(asked: &[String]) -> Vec<String> {
    asked
        .iter()
        .filter_map(|p| p.strip_prefix("/taskmanagers/")?.split_once("/metrics?").map(|x| x.0.to_owned()))
        .collect()
}

#[test]
fn a_small_cluster_has_every_taskmanager_read_every_poll_and_the_summary() {
    let c = Cluster::new(0, None);
    let mut p = Poller::new();
    let mut prev: Option<Snapshot> = None;
    for _ in 0..3 {
        let (asked, s) = poll_once(&mut p, &c, prev.as_ref());
        assert_eq!(read_tms(&asked).len(), 2);
        assert!(asked.contains(&poll::summary_path()));
        // Flink 2.3's list carries the memory configurations: no per-TaskManager details.
        assert!(
            !asked.iter().any(|a| a.starts_with("/taskmanagers/") && !a.contains("/metrics")),
            "{asked:?}"
        );
        let heap = s.summary[metrics::HEAP_USED];
        let each: Vec<f64> = s.taskmanagers.iter().map(|t| t.metric(metrics::HEAP_USED).unwrap()).collect();
        assert_eq!(heap.max, each.iter().copied().fold(0.0, f64::max));
        assert_eq!(heap.sum, Some(each.iter().sum()));
        assert!(s.taskmanagers.iter().all(|t| t.memory.is_some()));
        prev = Some(s);
    }
}

#[test]
fn a_thousand_taskmanagers_cost_a_bounded_poll_and_the_fullest_is_found_within_three() {
    const N: usize = 1000;
    const HOT: usize = 737;
    let c = Cluster::new(N, Some(HOT));
    let mut p = Poller::new();
    let focus = vec![tm_id(3), tm_id(998)];
    p.set_focus(focus.clone());
    let mut first_read: BTreeMap<String, usize> = BTreeMap::new();
    let mut prev: Option<Snapshot> = None;
    let polls = N.div_ceil(SWEEP_MIN);
    for k in 1..=polls {
        let (asked, s) = poll_once(&mut p, &c, prev.as_ref());
        assert!(asked.len() <= MAX_REQUESTS, "poll {k}: {} requests", asked.len());
        let read = read_tms(&asked);
        assert!(read.len() <= TM_BUDGET, "poll {k}: {} TaskManagers read", read.len());
        for f in &focus {
            assert!(read.contains(f), "poll {k}: the TaskManager in view {f} was not read");
        }
        if k >= 3 {
            assert!(read.contains(&tm_id(HOT)), "poll {k}: the fullest TaskManager was not read");
        }
        for id in read {
            first_read.entry(id).or_insert(k);
        }
        // Every TaskManager is listed; the summary sees the fullest from the first poll.
        assert_eq!(s.taskmanagers.len(), N);
        let max: f64 = s.summary[metrics::HEAP_USED].max;
        let hot = c.tms[&tm_id(HOT)]
            .iter()
            .find(|(m, _)| m == metrics::HEAP_USED)
            .unwrap()
            .1
            .parse::<f64>()
            .unwrap();
        assert_eq!(max, hot);
        prev = Some(s);
    }
    assert_eq!(first_read.len(), N, "every TaskManager read within {polls} polls");
    assert!(first_read[&tm_id(HOT)] <= 3, "found at poll {}", first_read[&tm_id(HOT)]);
}
