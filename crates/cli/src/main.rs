//! `memlab` — the native command line: a thin front end over memlab's core crates.
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "memlab", version, about = "Flink Memory Lab on the command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the version of every memlab part.
    Version,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => {
            println!("memlab {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}
