//! A window of a cluster's past read from Prometheus, natively: the fetch plan of
//! [`memlab_flink::promapi`] run through ureq (https with rustls), with the headers an
//! authenticating proxy or Mimir wants (`Authorization`, `X-Scope-OrgID`).

use std::time::Duration;

use memlab_flink::promapi::{self, Fetch, Window};
use memlab_flink::recording::Recording;

/// A range query may take a while on a big window; Prometheus's own limit is 2 minutes.
const TIMEOUT: Duration = Duration::from_secs(120);
/// Requests in flight at once: enough to overlap the round trips, few enough not to
/// crowd a shared Prometheus.
const PARALLEL: usize = 4;

/// Where and what to read.
#[derive(Debug, Clone)]
pub struct Source {
    pub url: String,
    pub window: Window,
    /// `Name: value` pairs sent with every Prometheus request.
    pub headers: Vec<(String, String)>,
    pub tm_label: String,
    /// The cluster's REST address, for the configured sizes Prometheus lacks.
    pub cluster: Option<String>,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

pub fn now_s() -> u64 {
    now_ms() / 1000
}

/// `Name: value` as a header.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(' ') => {
            Ok((k.trim().to_owned(), v.trim().to_owned()))
        }
        _ => Err(format!("'{s}' is not a header: expected 'Name: value', e.g. 'Authorization: Bearer …'")),
    }
}

/// A Prometheus or REST address, checked and without its trailing `/`.
pub fn base(url: &str) -> Result<String, String> {
    let u = url.trim().trim_end_matches('/');
    if u.starts_with("http://") || u.starts_with("https://") {
        Ok(u.to_owned())
    } else {
        Err(promapi::PromError::BadUrl(url.to_owned()).to_string())
    }
}

/// Reads the window into a recording (one poll of raw answers). `progress` hears how many
/// of the requests have answered.
pub fn fetch(src: &Source, mut progress: impl FnMut(usize, usize)) -> Result<Recording, String> {
    let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).build();
    let url = base(&src.url)?;
    let cluster = src.cluster.as_deref().map(base).transpose()?;
    let mut fetch = Fetch::new(src.window, cluster.is_some()).with_tm_label(&src.tm_label);
    let started = now_ms();
    let mut first = true;
    loop {
        let paths = fetch.paths();
        if paths.is_empty() {
            break;
        }
        let total = paths.len();
        let (url, cluster) = (&url, &cluster);
        let got = crate::record::fetch_all(
            &paths,
            PARALLEL,
            |p| {
                if promapi::is_prometheus_path(p) {
                    crate::record::fetch(&agent, url, p, &src.headers)
                } else {
                    crate::record::fetch(&agent, cluster.as_deref().unwrap_or(url), p, &[])
                }
            },
            |n| progress(n, total),
        );
        if first {
            first = false;
            promapi::discovered(url, &got[0], &src.window, &src.tm_label).map_err(|e| e.to_string())?;
        }
        fetch.receive(got);
    }
    let window = fetch.window;
    let poll = fetch.finish(now_ms());
    if let Some(e) = promapi::failed(&url, &poll) {
        return Err(e.to_string());
    }
    if let Some(bad) =
        poll.responses.iter().find(|r| !promapi::is_prometheus_path(&r.path) && r.status != 200)
    {
        let c = cluster.as_deref().unwrap_or_default();
        return Err(format!(
            "{c}{} answered {} ({}): is the JobManager's REST API there? Without --cluster memlab reads Prometheus alone",
            bad.path,
            if bad.status == 0 { "nothing".to_owned() } else { format!("HTTP {}", bad.status) },
            bad.body.chars().take(200).collect::<String>()
        ));
    }
    let mut rec = Recording::new_prometheus(&url, &window, &src.tm_label, cluster.as_deref(), started);
    rec.source.insert("recorder".into(), "memlab record --prometheus".into());
    rec.source.insert("memlab".into(), env!("CARGO_PKG_VERSION").into());
    rec.polls.push(poll);
    Ok(rec)
}

/// What a Prometheus window holds, for the head of a report: where, when, and which
/// configured sizes had to come from elsewhere.
pub fn describe(
    rec: &Recording,
    snaps: &[memlab_flink::recording::Snapshot],
    lang: memlab_text::Lang,
) -> String {
    use memlab_text::tr;
    let get = |k: &str| rec.source.get(k).cloned().unwrap_or_default();
    let tms: std::collections::BTreeSet<&str> =
        snaps.iter().flat_map(|s| s.taskmanagers.iter().map(|t| t.id.as_str())).collect();
    let (url, from, to, step, n) = (get("prometheus"), get("start"), get("end"), get("step"), tms.len());
    let mut out = tr!(
        lang,
        "Prometheus {url}: {from} to {to}, every {step} (each step's lowest and highest readings); {n} TaskManager(s)\n",
        "Prometheus {url}：{from} 到 {to}，步长 {step}（每步的最低和最高读数）；{n} 个 TaskManager\n"
    );
    let peers = snaps.last().map_or(0, |s| s.peers.len());
    if peers > 0 {
        let all = n + peers;
        out.push_str(&tr!(
            lang,
            "{all} TaskManagers: the {n} riskiest (ranked by Prometheus: heap, its level and growth after collections, GC time, metaspace, direct and network memory, and the shortest-lived) are read in full and diagnosed; the other {peers} only as their peaks over the window.\n",
            "{all} 个 TaskManager：其中风险最高的 {n} 个（由 Prometheus 排名：堆、回收后堆的水平和增长、GC 时间、元空间、直接内存和网络内存，以及存活最短的）读取了完整序列并参与诊断；其余 {peers} 个只读取了窗口内的峰值。\n"
        ));
    }
    if promapi::lacks_configuration(snaps) {
        out.push_str(&tr!(
            lang,
            "Configured sizes: Prometheus has the heap maximum, managed memory's total, the network segments and the metaspace maximum, not Flink's whole memory configuration; give --cluster URL to read the rest from the REST API.\n",
            "配置的大小：Prometheus 里有堆的上限、托管内存总量、网络内存段和元空间上限，但没有 Flink 完整的内存配置；加上 --cluster URL 可从 REST API 读取其余部分。\n"
        ));
    }
    out
}
