//! `memlab record`: polls a Flink cluster's REST API into a recording (`.memlab.json`), with
//! the poll plan the app uses ([`memlab_flink::poll`]). The file is rewritten after every
//! poll, so a run cut short still leaves a valid recording.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use memlab_flink::poll::Poller;
use memlab_flink::recording::{Recording, Response};

/// A request that has not answered after this long is abandoned (the app's limit too).
const TIMEOUT: Duration = Duration::from_secs(10);

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// One request (with `headers`), as a [`Response`] whatever happens (status 0: no HTTP answer).
pub fn fetch(agent: &ureq::Agent, base: &str, path: &str, headers: &[(String, String)]) -> Response {
    let mut req = agent.get(&format!("{base}{path}"));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let answer = req.call();
    let t = now_ms();
    match answer {
        Ok(r) => {
            let status = r.status();
            Response { path: path.to_owned(), status, body: r.into_string().unwrap_or_default(), t }
        }
        Err(ureq::Error::Status(status, r)) => {
            Response { path: path.to_owned(), status, body: r.into_string().unwrap_or_default(), t }
        }
        Err(e) => Response { path: path.to_owned(), status: 0, body: e.to_string(), t },
    }
}

/// One poll: each round's requests on their own threads, the rounds in order.
/// Requests of one round in flight at once (a poll has at most
/// [`memlab_flink::poll::MAX_REQUESTS`]).
const PARALLEL: usize = 16;

/// GETs every path with `get`, `parallel` at a time (a thread each), in order; `progress`
/// hears how many have answered after each batch. A thread that fails gives a status-0
/// answer saying so.
pub fn fetch_all(
    paths: &[String],
    parallel: usize,
    get: impl Fn(&str) -> Response + Sync,
    mut progress: impl FnMut(usize),
) -> Vec<Response> {
    let mut out = Vec::with_capacity(paths.len());
    for chunk in paths.chunks(parallel.max(1)) {
        let got: Vec<Response> = std::thread::scope(|s| {
            let get = &get;
            let handles: Vec<_> = chunk.iter().map(|p| s.spawn(move || get(p))).collect();
            handles
                .into_iter()
                .zip(chunk)
                .map(|(h, p)| {
                    h.join().unwrap_or_else(|_| Response {
                        path: p.clone(),
                        status: 0,
                        body: "the request's thread failed".into(),
                        t: now_ms(),
                    })
                })
                .collect()
        });
        out.extend(got);
        progress(out.len());
    }
    out
}

pub fn poll(agent: &ureq::Agent, base: &str, poller: &mut Poller) -> memlab_flink::recording::Poll {
    let mut run = poller.begin(now_ms());
    loop {
        let paths = run.paths();
        if paths.is_empty() {
            return run.finish();
        }
        let got = fetch_all(&paths, PARALLEL, |p| fetch(agent, base, p, &[]), |_| {});
        run.receive(got);
    }
}

/// What `memlab record` was asked to do.
#[derive(Debug)]
pub struct Plan {
    pub base: String,
    pub out: std::path::PathBuf,
    pub interval: Duration,
    pub duration: Duration,
    /// Provenance written into the recording's `source` (`KEY=VALUE`).
    pub source: Vec<(String, String)>,
}

/// Records until `duration` has passed; returns a one-line summary.
pub fn run(plan: &Plan) -> Result<String, String> {
    let rec = collect(&plan.base, plan.interval, plan.duration, |rec| {
        let mut r = rec.clone();
        r.source.extend(plan.source.iter().cloned().collect::<BTreeMap<_, _>>());
        write(&plan.out, &r)
    })?;
    Ok(format!("{}: {} polls over {:.0} s\n", plan.out.display(), rec.polls.len(), rec.duration_s()))
}

/// Polls `base` every `interval` until `duration` has passed, handing the recording so
/// far to `after_poll` after each poll.
pub fn collect(
    base: &str,
    interval: Duration,
    duration: Duration,
    mut after_poll: impl FnMut(&Recording) -> Result<(), String>,
) -> Result<Recording, String> {
    let base = base.trim().trim_end_matches('/').to_owned();
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(format!(
            "'{base}' is not an http:// or https:// address of a Flink REST API (e.g. http://127.0.0.1:8081)"
        ));
    }
    let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).build();
    let mut rec = Recording::new(&base, now_ms());
    rec.source.insert("recorder".into(), "memlab record".into());
    rec.source.insert("memlab".into(), env!("CARGO_PKG_VERSION").into());
    let mut poller = Poller::new();
    let end = Instant::now() + duration;
    loop {
        let started = Instant::now();
        let p = poll(&agent, &base, &mut poller);
        if rec.polls.is_empty() && p.responses.first().is_some_and(|r| r.status == 0) {
            let why = p.responses.first().map(|r| r.body.clone()).unwrap_or_default();
            return Err(format!(
                "no answer from {base}/overview ({why}): is the JobManager's REST API there?"
            ));
        }
        rec.polls.push(p);
        after_poll(&rec)?;
        if Instant::now() >= end {
            break;
        }
        std::thread::sleep(interval.saturating_sub(started.elapsed()));
    }
    Ok(rec)
}

pub fn write(path: &std::path::Path, rec: &Recording) -> Result<(), String> {
    let text = rec.to_json().map_err(|e| format!("cannot write the recording as JSON: {e}"))?;
    // Written beside and renamed: a reader never sees half a file.
    let tmp = path.with_extension("json.part");
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
