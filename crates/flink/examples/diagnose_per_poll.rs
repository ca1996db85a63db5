//! What one more poll costs the diagnosis on a long session: the Live cluster and Diagnosis
//! pages re-diagnose on every poll. Prints the mean time per poll over the last polls of a
//! recording, diagnosing from scratch (`diagnose` on every poll so far) and incrementally
//! (`Diagnoser::push`), and checks the two agree.
//!
//! ```sh
//! tools/replicate.py public/recordings/local-2tm.memlab.json /tmp/long.json --taskmanagers 8 --megabytes 120
//! cargo run --profile perf -p memlab-flink --example diagnose_per_poll -- /tmp/long.json [LAST]
//! ```

use std::time::Instant;

use memlab_flink::diagnose::{self, Options};
use memlab_flink::recording::Recording;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: diagnose_per_poll RECORDING [LAST]");
        std::process::exit(2);
    };
    let last: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let snaps = Recording::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}")).snapshots();
    let n = snaps.len();
    let tms = snaps.last().map_or(0, |s| s.taskmanagers.len());
    let from = n.saturating_sub(last);
    let opts = Options::default();

    let t = Instant::now();
    for i in from..n {
        std::hint::black_box(diagnose::diagnose(&snaps[..=i], &opts));
    }
    let batch = t.elapsed().as_secs_f64() / (n - from) as f64;
    let mut live = diagnose::Diagnoser::new();
    for s in &snaps[..from] {
        live.push(s);
    }
    let t = Instant::now();
    let mut last_report = None;
    for s in &snaps[from..] {
        live.push(s);
        last_report = Some(std::hint::black_box(live.report(&opts)));
    }
    let incremental = t.elapsed().as_secs_f64() / (n - from) as f64;
    assert_eq!(last_report, Some(diagnose::diagnose(&snaps, &opts)), "incremental and batch disagree");
    println!("{path}: {n} polls, {tms} TaskManagers; mean over polls {from}..{n}:");
    println!("  from scratch  {:>10.3} ms per poll", batch * 1e3);
    println!("  incremental   {:>10.3} ms per poll", incremental * 1e3);
}
