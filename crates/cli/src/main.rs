//! `memlab` — the native command line: a thin front end over memlab's core crates.
use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use memlab_engine::Policy;

mod bench;
mod diagnose;
mod flink_memory;
mod prom;
mod record;
mod simulate;
mod text;

#[derive(Debug, Parser)]
#[command(name = "memlab", version, about = "Flink Memory Lab on the command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run an allocator scenario and print the final layout, metrics and failures.
    Simulate(SimulateArgs),
    /// Derive Flink's TaskManager or JobManager memory from a configuration, as Flink does.
    FlinkMemory(FlinkMemoryArgs),
    /// Measure how fast the Flink memory derivation is.
    FlinkBench(FlinkBenchArgs),
    /// Find memory problems in a recording (`.memlab.json`), a window of a Prometheus
    /// (`--prometheus URL`) or a live cluster (`--cluster URL`), and propose config.yaml
    /// changes; or find fragmentation in an allocator scenario (`.mem`, `builtin:ID`, `-`).
    Diagnose(DiagnoseArgs),
    /// Poll a Flink cluster's REST API, or read a window of a Prometheus, into a recording
    /// (`.memlab.json`) that replays offline.
    Record(RecordArgs),
    /// One right-sized TaskManager memory configuration from what the cluster used (a
    /// recording, `--cluster URL --window 10m`, or `--prometheus URL --range 1h --cluster URL`),
    /// each number with its reason, beside what the Flink Kubernetes Operator's memory
    /// tuning would set.
    Tune(TuneArgs),
    /// Write a recording's metrics as OpenMetrics text, in Flink's PrometheusReporter names,
    /// for `promtool tsdb create-blocks-from openmetrics`: a Prometheus's history of it.
    Export(ExportArgs),
    /// List the built-in scenarios.
    Scenarios,
    /// Benchmark the engine against rlsf's TLSF on one deterministic trace.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
struct SimulateArgs {
    /// A scenario file, `-` for standard input, or `builtin:ID` (see `memlab scenarios`).
    script: String,
    /// Override the script's policy: first-fit, next-fit, best-fit, worst-fit, pages or buddy.
    #[arg(long, value_parser = parse_policy)]
    policy: Option<Policy>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// First say what every step did, in plain language (the app's event log).
    #[arg(long)]
    explain: bool,
    /// The language of the text: en or zh (简体中文). JSON keys and causes never change.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    lang: memlab_text::Lang,
}

#[derive(Debug, Args)]
struct FlinkMemoryArgs {
    process: flink_memory::Process,
    /// A config.yaml (or legacy flink-conf.yaml) file, or a directory holding one.
    #[arg(long)]
    config: std::path::PathBuf,
    /// Override an option, like Flink's `-D key=value`.
    #[arg(short = 'D', value_name = "KEY=VALUE")]
    dynamic: Vec<String>,
    /// Print one JSON object (byte fields named as in Flink's REST API).
    #[arg(long)]
    json: bool,
    /// Derive as this Flink version does: 2.x (default) or 1.20 (honours the legacy options removed in 2.0).
    #[arg(long, default_value = "2.3", value_parser = parse_version)]
    flink_version: memlab_flink::FlinkVersion,
}

#[derive(Debug, Args)]
struct FlinkBenchArgs {
    #[arg(long, default_value_t = 250_000)]
    rounds: u64,
}

#[derive(Debug, Args)]
struct DiagnoseArgs {
    /// A recording made by the app (Export) or `memlab record`, or an allocator scenario.
    /// Give this, `--prometheus` or `--cluster`.
    recording: Option<std::path::PathBuf>,
    #[command(flatten)]
    live: LiveArgs,
    /// With `--cluster` alone: how long to poll before diagnosing (3m at least).
    #[arg(long, default_value = "3m", value_parser = parse_duration)]
    duration: std::time::Duration,
    /// Print the report as JSON: findings with a stable `kind` (heap-leak, oom-risk, …).
    #[arg(long)]
    json: bool,
    /// The container's memory limit (e.g. 2g), to check the process fits in it.
    #[arg(long, value_name = "SIZE")]
    container_limit: Option<String>,
    /// Print Prometheus alerting rules (YAML) with memlab's thresholds instead.
    #[arg(long)]
    alert_rules: bool,
    /// Exit with status 1 when a finding is at least this severe: info, warning or critical.
    #[arg(long, value_parser = parse_severity)]
    fail_on: Option<memlab_flink::diagnose::Severity>,
    /// The language of the report: en or zh (简体中文). JSON keys and kinds never change.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    lang: memlab_text::Lang,
}

/// Where live or historical data comes from: a Prometheus window, a cluster's REST API, or both.
#[derive(Debug, Args)]
struct LiveArgs {
    /// A Prometheus (or Thanos, Mimir, VictoriaMetrics) holding Flink's PrometheusReporter
    /// metrics, e.g. http://127.0.0.1:9090.
    #[arg(long, value_name = "URL")]
    prometheus: Option<String>,
    /// The JobManager's REST address, e.g. http://127.0.0.1:8081. With --prometheus: where
    /// the configured sizes Prometheus lacks are read.
    #[arg(long, value_name = "URL")]
    cluster: Option<String>,
    /// With --prometheus: the window read, up to --end: 30m, 6h, 7d, …
    #[arg(long, default_value = "1h")]
    range: String,
    /// With --prometheus: the window's end, unix seconds or RFC 3339 (default: now).
    #[arg(long, value_name = "TIME")]
    end: Option<String>,
    /// With --prometheus: the time between points, e.g. 15s (default: about 720 points over the range).
    #[arg(long)]
    step: Option<String>,
    /// With --prometheus: a header sent with every request (repeatable), e.g.
    /// 'Authorization: Bearer …' or 'X-Scope-OrgID: team-a'.
    #[arg(long, value_name = "NAME: VALUE", value_parser = prom::parse_header)]
    header: Vec<(String, String)>,
    /// With --prometheus: the label that names a TaskManager (Flink's reporter: tm_id).
    #[arg(long, default_value = memlab_flink::promapi::TM_LABEL)]
    tm_label: String,
}

impl LiveArgs {
    /// The Prometheus window asked for (None: no --prometheus).
    fn prometheus(&self) -> Result<Option<prom::Source>, CliError> {
        let Some(url) = &self.prometheus else { return Ok(None) };
        let window = memlab_flink::promapi::Window::parse(
            Some(&self.range),
            self.end.as_deref(),
            self.step.as_deref(),
            prom::now_s(),
        )
        .map_err(|e| CliError::Input(e.to_string()))?;
        Ok(Some(prom::Source {
            url: url.clone(),
            window,
            headers: self.header.clone(),
            tm_label: self.tm_label.clone(),
            cluster: self.cluster.clone(),
        }))
    }

    /// Reads the Prometheus window, saying on stderr how far it got.
    fn read_prometheus(src: &prom::Source) -> Result<memlab_flink::recording::Recording, CliError> {
        // Each round of requests says its quarters (a new round starts from none done).
        let (mut said, mut last) = (0, (0, 0));
        prom::fetch(src, |done, total| {
            if total != last.1 || done <= last.0 {
                said = 0;
            }
            last = (done, total);
            if total > 1 && done * 4 / total > said {
                said = done * 4 / total;
                let _ = writeln!(std::io::stderr(), "reading {}: {done} of {total} queries", src.url);
            }
        })
        .map_err(CliError::Input)
    }
}

#[derive(Debug, Args)]
struct RecordArgs {
    #[command(flatten)]
    live: LiveArgs,
    /// The recording to write (from --cluster: rewritten after every poll).
    #[arg(short = 'o', long = "out", value_name = "FILE.memlab.json")]
    out: std::path::PathBuf,
    /// From --cluster: time between polls: 5s, 1m, … (a bare number is seconds).
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    interval: std::time::Duration,
    /// From --cluster: how long to record: 300s, 10m, 1h, …
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    duration: std::time::Duration,
    /// Provenance to keep in the recording's `source` (repeatable), e.g. `--source mode=heap`.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
    source: Vec<(String, String)>,
}

#[derive(Debug, Args)]
struct TuneArgs {
    /// A recording (`.memlab.json`). Give this, `--cluster` or `--prometheus`.
    recording: Option<std::path::PathBuf>,
    #[command(flatten)]
    live: LiveArgs,
    /// With `--cluster` alone: how long to poll before tuning (3m at least; 10m is better).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    window: std::time::Duration,
    /// Room above the live set and the metaspace peak: 0.2 is 20 %.
    #[arg(long, default_value_t = 0.2)]
    headroom: f64,
    /// The smallest process that fits, instead of keeping today's size.
    #[arg(long)]
    shrink: bool,
    /// Keep the process within a container of this size (e.g. 2g).
    #[arg(long, value_name = "SIZE")]
    container_limit: Option<String>,
    /// How to write the configuration: yaml (config.yaml lines), dynamic (-D flags) or
    /// k8s (a FlinkDeployment patch). Explanations are `#` comments.
    #[arg(long, default_value = "yaml", value_parser = parse_format)]
    format: memlab_flink::tune::render::Format,
    /// Print one JSON object instead.
    #[arg(long)]
    json: bool,
    /// The language of the explanations: en or zh (简体中文).
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    lang: memlab_text::Lang,
}

fn parse_format(s: &str) -> Result<memlab_flink::tune::render::Format, String> {
    memlab_flink::tune::render::Format::parse(s)
        .ok_or_else(|| format!("unknown format '{s}': expected yaml, dynamic or k8s"))
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// A recording (`.memlab.json`).
    recording: std::path::PathBuf,
    /// Shift the samples so the last is at this time: unix seconds, RFC 3339 or `now`
    /// (Prometheus drops blocks older than its retention, 15 days by default).
    #[arg(long, value_name = "TIME")]
    end_at: Option<String>,
    /// The label naming each TaskManager in the output (Flink's reporter: tm_id), e.g. pod,
    /// as a cluster with custom metrics.scope.* settings or relabelling would have it
    #[arg(long, default_value = "tm_id")]
    tm_label: String,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Operations per trace.
    #[arg(long, default_value_t = 1_000_000)]
    ops: u64,
    /// Target live-block counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000u64, 10_000, 100_000])]
    live: Vec<u64>,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, value_parser = parse_policy, default_value = "best-fit")]
    policy: Policy,
    /// Runs per figure; the fastest is kept (noise only ever adds time).
    #[arg(long, default_value_t = 5)]
    repeat: u32,
}

/// Why a command could not do its work. Each kind has one exit code, decided in `main` alone.
#[derive(Debug)]
enum CliError {
    /// Bad input (a file, an option, a script, a recording): `error: …` on stderr, exit 2.
    Input(String),
    /// Flink would refuse the configuration: its own text as it prints it, exit 1.
    Flink(String),
    /// Standard output was closed early (`memlab … | head`): a normal end, exit 0.
    ClosedPipe,
    /// Standard output could not be written for another reason, exit 2.
    Output(std::io::Error),
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::ClosedPipe
        } else {
            CliError::Output(e)
        }
    }
}

/// Writes `text` to standard output (a closed pipe is [`CliError::ClosedPipe`], not a panic).
fn emit(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// A warning on standard error (one that cannot be written is dropped: stdout still has
/// the result).
fn warn(text: &str) {
    let _ = writeln!(std::io::stderr(), "warning: {text}");
}

fn parse_version(s: &str) -> Result<memlab_flink::FlinkVersion, String> {
    memlab_flink::FlinkVersion::parse(s)
        .ok_or_else(|| format!("unsupported Flink version '{s}': expected 2.x (2.0 to 2.3) or 1.20"))
}

fn parse_lang(s: &str) -> Result<memlab_text::Lang, String> {
    memlab_text::Lang::from_tag(s).ok_or_else(|| format!("unknown language '{s}': expected en or zh"))
}

fn parse_severity(s: &str) -> Result<memlab_flink::diagnose::Severity, String> {
    use memlab_flink::diagnose::Severity;
    [Severity::Info, Severity::Warning, Severity::Critical]
        .into_iter()
        .find(|v| v.label() == s)
        .ok_or_else(|| format!("unknown severity '{s}': expected info, warning or critical"))
}

/// `90`, `90s`, `5m`, `2h`: a duration of at least a second.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (n, unit) = s.find(|c: char| !c.is_ascii_digit()).map_or((s, ""), |i| s.split_at(i));
    let scale = match unit {
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        _ => return Err(format!("'{s}' is not a duration: expected e.g. 30s, 5m or 1h")),
    };
    match n.parse::<u64>() {
        Ok(n) if n > 0 => Ok(std::time::Duration::from_secs(n * scale)),
        _ => Err(format!("'{s}' is not a duration: expected e.g. 30s, 5m or 1h")),
    }
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.trim().is_empty())
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| format!("'{s}' is not KEY=VALUE"))
}

fn parse_policy(s: &str) -> Result<Policy, String> {
    Policy::parse(s).ok_or_else(|| {
        format!("unknown policy '{s}': expected first-fit, next-fit, best-fit, worst-fit, pages or buddy")
    })
}

fn main() -> ExitCode {
    match try_main(Cli::parse()) {
        Ok(code) => code,
        Err(CliError::ClosedPipe) => ExitCode::SUCCESS,
        Err(CliError::Input(msg)) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Flink(msg)) => {
            let _ = writeln!(std::io::stderr(), "{msg}");
            ExitCode::from(1)
        }
        Err(CliError::Output(e)) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs one command. `Ok` is the exit code of a command that did its work (1 where
/// `--fail-on` found a finding that severe).
fn try_main(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Simulate(a) => {
            let mut out =
                simulate::run(&a.script, a.policy, a.json, a.explain, a.lang).map_err(CliError::Input)?;
            if !out.ends_with('\n') {
                out.push('\n');
            }
            emit(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::FlinkMemory(a) => {
            let c = flink_memory::load(&a.config, &a.dynamic).map_err(CliError::Input)?;
            for w in memlab_flink::lint::check(&c) {
                warn(&w.message);
            }
            let (out, _) = flink_memory::run(a.process, &c, a.json, a.flink_version).map_err(|e| {
                // Flink's message, then its chain as Java prints it (`Caused by: CLASS:
                // MESSAGE`): the innermost usually names the numbers.
                let mut text = e.message.clone();
                for cause in &e.causes {
                    text.push_str(&format!("\nCaused by: {}: {}", cause.exception, cause.message));
                }
                CliError::Flink(text)
            })?;
            emit(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::FlinkBench(a) => {
            emit(&flink_memory::bench(a.rounds))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Diagnose(a) => diagnose(a),
        Command::Tune(a) => tune(a),
        Command::Record(a) => {
            if let Some(src) = a.live.prometheus()? {
                let mut rec = LiveArgs::read_prometheus(&src)?;
                rec.source.extend(a.source);
                record::write(&a.out, &rec).map_err(CliError::Input)?;
                let steps = rec.snapshots().len();
                let _ = writeln!(
                    std::io::stderr(),
                    "{}: {steps} steps of {} s",
                    a.out.display(),
                    src.window.step
                );
                return Ok(ExitCode::SUCCESS);
            }
            let Some(base) = a.live.cluster else {
                return Err(CliError::Input(
                    "say what to record: --cluster URL (Flink's REST API) or --prometheus URL --range 1h"
                        .into(),
                ));
            };
            let plan = record::Plan {
                base,
                out: a.out,
                interval: a.interval,
                duration: a.duration,
                source: a.source,
            };
            let summary = record::run(&plan).map_err(CliError::Input)?;
            let _ = write!(std::io::stderr(), "{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(a) => {
            let rec = diagnose::read(&a.recording, memlab_text::Lang::En).map_err(CliError::Input)?;
            let snaps = rec.snapshots();
            let last = snaps.last().map_or(0, |s| s.t as i64);
            let shift = match a.end_at.as_deref() {
                None => 0,
                Some("now") => prom::now_s() as i64 * 1000 - last,
                Some(t) => {
                    let end =
                        memlab_flink::promapi::parse_time(t).map_err(|e| CliError::Input(e.to_string()))?;
                    end as i64 * 1000 - last
                }
            };
            emit(&memlab_flink::promapi::to_openmetrics(&snaps, shift, &a.tm_label))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Scenarios => {
            let list: String = memlab_engine::scenarios::ALL
                .iter()
                .map(|s| format!("builtin:{:<20} {}\n", s.id, s.title()))
                .collect();
            emit(&list)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(a) => {
            let rows = bench::bench(a.ops, &a.live, a.seed, a.policy, a.repeat);
            emit(&bench::report(&rows, a.policy, a.repeat))?;
            emit(&bench::latency_line())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn diagnose(a: DiagnoseArgs) -> Result<ExitCode, CliError> {
    use memlab_flink::diagnose::Severity;
    let fails = |failed: bool| if failed { ExitCode::from(1) } else { ExitCode::SUCCESS };
    if let Some(path) = &a.recording {
        let name = path.display().to_string();
        if name.ends_with(".mem") || name.starts_with("builtin:") || name == "-" {
            let (out, findings) = diagnose::scenario(&name, a.json, a.lang).map_err(CliError::Input)?;
            emit(&out)?;
            let worst = if findings.iter().any(|f| f.severity == "critical") {
                Some(Severity::Critical)
            } else if findings.is_empty() {
                None
            } else {
                Some(Severity::Warning)
            };
            return Ok(fails(a.fail_on.is_some_and(|min| worst.is_some_and(|w| w >= min))));
        }
    }
    let (rec, name) = source(a.recording.as_deref(), &a.live, a.duration, a.lang, "diagnose")?;
    let container_limit = container_limit(a.container_limit.as_deref())?;
    let snaps = rec.snapshots();
    let report =
        memlab_flink::diagnose::diagnose(&snaps, &memlab_flink::diagnose::Options { container_limit });
    if a.alert_rules {
        emit(&diagnose::rules(&rec))?;
    } else if a.json {
        emit(&diagnose::json(&report, a.lang))?;
    } else {
        if rec.is_prometheus() {
            emit(&prom::describe(&rec, &snaps, a.lang))?;
        }
        emit(&diagnose::text(&name, &report, rec.is_prometheus(), a.lang))?;
    }
    Ok(fails(diagnose::failed(&report, a.fail_on)))
}

/// `--container-limit SIZE` in bytes.
fn container_limit(s: Option<&str>) -> Result<Option<u64>, CliError> {
    s.map(|s| {
        memlab_size::MemorySize::parse(s)
            .map(|m| m.bytes())
            .map_err(|e| CliError::Input(format!("--container-limit {s}: {e}")))
    })
    .transpose()
}

/// The one source a command reads: a recording file, a Prometheus window (with the
/// cluster's REST API for sizes when given), or a live cluster polled for `poll_for`.
fn source(
    recording: Option<&std::path::Path>,
    live: &LiveArgs,
    poll_for: std::time::Duration,
    lang: memlab_text::Lang,
    what: &str,
) -> Result<(memlab_flink::recording::Recording, String), CliError> {
    match (recording, live.prometheus()?, &live.cluster) {
        (Some(path), None, None) => {
            Ok((diagnose::read(path, lang).map_err(CliError::Input)?, path.display().to_string()))
        }
        (None, Some(src), _) => Ok((LiveArgs::read_prometheus(&src)?, src.url.clone())),
        (None, None, Some(cluster)) => {
            let r = record::collect(cluster, std::time::Duration::from_secs(5), poll_for, |_| Ok(()))
                .map_err(CliError::Input)?;
            Ok((r, cluster.clone()))
        }
        (None, None, None) => Err(CliError::Input(format!(
            "say what to {what}: a recording file, --prometheus URL [--range 1h] or --cluster URL"
        ))),
        (Some(_), _, _) => Err(CliError::Input(
            "give one source: a recording file, or --prometheus / --cluster, not both".into(),
        )),
    }
}

fn tune(a: TuneArgs) -> Result<ExitCode, CliError> {
    use memlab_flink::tune;
    if !(0.0..=4.0).contains(&a.headroom) {
        return Err(CliError::Input(format!(
            "--headroom {}: expected a share between 0 and 4 (0.2 is 20 %)",
            a.headroom
        )));
    }
    let container_limit = container_limit(a.container_limit.as_deref())?;
    let (rec, name) = source(a.recording.as_deref(), &a.live, a.window, a.lang, "tune")?;
    let snaps = rec.snapshots();
    let report =
        memlab_flink::diagnose::diagnose(&snaps, &memlab_flink::diagnose::Options { container_limit });
    let opts = tune::Options { headroom: a.headroom, shrink: a.shrink, container_limit };
    let t = tune::tune(&snaps, &report, &opts);
    if a.json {
        emit(
            &(serde_json::to_string_pretty(&tune::render::json(&name, &t, a.lang)).unwrap_or_default()
                + "\n"),
        )?;
    } else {
        emit(&tune::render::text(&name, &t, a.format, a.lang))?;
    }
    // No configuration is not a failure of the command, but a script must be able to tell.
    Ok(if t.refused.is_some() { ExitCode::from(3) } else { ExitCode::SUCCESS })
}
