//! `memlab` — the native command line: a thin front end over memlab's core crates.
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use memlab_engine::Policy;

mod bench;
mod diagnose;
mod flink_memory;
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
    Simulate {
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
    },
    /// Derive Flink's TaskManager or JobManager memory from a configuration, as Flink does.
    FlinkMemory {
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
    },
    /// Measure how fast the Flink memory derivation is.
    FlinkBench {
        #[arg(long, default_value_t = 250_000)]
        rounds: u64,
    },
    /// Find memory problems in a recording (`.memlab.json`) and propose config.yaml changes;
    /// or find fragmentation in an allocator scenario (`.mem`, `builtin:ID`, `-`).
    Diagnose {
        /// A recording made by the app (Export) or tools/record.py, or an allocator scenario.
        recording: std::path::PathBuf,
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
    },
    /// List the built-in scenarios.
    Scenarios,
    /// Benchmark the engine against rlsf's TLSF on one deterministic trace.
    Bench {
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
    },
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

fn parse_policy(s: &str) -> Result<Policy, String> {
    Policy::parse(s).ok_or_else(|| {
        format!("unknown policy '{s}': expected first-fit, next-fit, best-fit, worst-fit, pages or buddy")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Simulate { script, policy, json, explain, lang } => {
            match simulate::run(&script, policy, json, explain, lang) {
                Ok(out) => {
                    print!("{out}");
                    if !out.ends_with('\n') {
                        println!();
                    }
                    ExitCode::SUCCESS
                }
                Err(msg) => {
                    eprintln!("error: {msg}");
                    ExitCode::from(2)
                }
            }
        }
        Command::FlinkMemory { process, config, dynamic, json, flink_version } => {
            let c = match flink_memory::load(&config, &dynamic) {
                Ok(c) => c,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    return ExitCode::from(2);
                }
            };
            for w in memlab_flink::lint::check(&c) {
                eprintln!("warning: {}", w.message);
            }
            match flink_memory::run(process, &c, json, flink_version) {
                Ok((out, _)) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(msg) => {
                    eprintln!("{msg}");
                    ExitCode::from(1)
                }
            }
        }
        Command::FlinkBench { rounds } => {
            print!("{}", flink_memory::bench(rounds));
            ExitCode::SUCCESS
        }
        Command::Diagnose { recording, json, container_limit, alert_rules, fail_on, lang } => {
            let name = recording.display().to_string();
            if name.ends_with(".mem") || name.starts_with("builtin:") || name == "-" {
                return match diagnose::scenario(&name, json, lang) {
                    Ok((out, findings)) => {
                        print!("{out}");
                        let worst = if findings.iter().any(|f| f.severity == "critical") {
                            Some(memlab_flink::diagnose::Severity::Critical)
                        } else if findings.is_empty() {
                            None
                        } else {
                            Some(memlab_flink::diagnose::Severity::Warning)
                        };
                        if fail_on.is_some_and(|min| worst.is_some_and(|w| w >= min)) {
                            ExitCode::from(1)
                        } else {
                            ExitCode::SUCCESS
                        }
                    }
                    Err(msg) => {
                        eprintln!("error: {msg}");
                        ExitCode::from(2)
                    }
                };
            }
            let (rec, report) = match diagnose::load(&recording, container_limit.as_deref(), lang) {
                Ok(x) => x,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    return ExitCode::from(2);
                }
            };
            if alert_rules {
                print!("{}", diagnose::rules(&rec));
            } else if json {
                print!("{}", diagnose::json(&report));
            } else {
                print!("{}", diagnose::text(&recording.display().to_string(), &report, lang));
            }
            if diagnose::failed(&report, fail_on) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Scenarios => {
            for s in memlab_engine::scenarios::ALL {
                println!("builtin:{:<20} {}", s.id, s.title());
            }
            ExitCode::SUCCESS
        }
        Command::Bench { ops, live, seed, policy, repeat } => {
            let rows = bench::bench(ops, &live, seed, policy, repeat);
            print!("{}", bench::report(&rows, policy, repeat));
            print!("{}", bench::latency_line());
            ExitCode::SUCCESS
        }
    }
}
