//! The load tool: runs the real bot (and panel) against the loopback Discord emulator of
//! `tests/support` and prints every figure next to a baseline measured in the same run, since
//! the machines are shared and noisy. `docs/benchmarks.md` explains the method and keeps the
//! figures.
//!
//! ```text
//! cargo bench --bench load                 # quick version of every scenario
//! cargo bench --bench load -- latency      # one scenario, full size
//! cargo bench --bench load -- all          # every scenario, full size
//! cargo bench --bench load -- quick memory # one scenario, quick size
//! cargo test --all-targets                 # smoke run (no `--bench` flag): tiny sizes
//! ```
//!
//! Scenarios: `latency`, `throughput`, `memory`, `restart`, `panel`, `startup`, `idle`, `attachments`.

#[path = "../../tests/support/mod.rs"]
mod support;

mod attachments;
mod child;
mod clicked;
mod fixture;
mod idle;
mod latency;
mod memory;
mod panel;
mod replay;
mod restart;
mod startup;
mod stats;
mod throughput;

use std::process::ExitCode;

/// How big a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// `cargo test`: proves every scenario runs, in seconds, with a debug build.
    Smoke,
    /// `cargo bench` without a scenario: every scenario, smaller samples.
    Quick,
    /// `cargo bench -- <scenario>`: the sizes the issue asks for.
    Full,
}

impl Size {
    /// `smoke`, `quick`, `full` by size.
    pub fn pick<T>(self, smoke: T, quick: T, full: T) -> T {
        match self {
            Size::Smoke => smoke,
            Size::Quick => quick,
            Size::Full => full,
        }
    }
}

const SCENARIOS: [&str; 8] = [
    "latency",
    "throughput",
    "memory",
    "restart",
    "panel",
    "startup",
    "idle",
    "attachments",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(child::ARG) {
        return child::main(&args[1..]);
    }
    // `cargo bench` appends `--bench`; `cargo test` does not (it may pass libtest's flags and
    // test-name filters, which mean nothing here).
    let benching = args.iter().any(|a| a == "--bench");
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let named: Vec<&str> = SCENARIOS
        .iter()
        .copied()
        .filter(|s| words.contains(s))
        .collect();
    let (size, chosen) = if !benching {
        if !words.is_empty() && named.is_empty() {
            // A test filter for other targets: nothing of ours matches it.
            return ExitCode::SUCCESS;
        }
        let chosen = if named.is_empty() {
            SCENARIOS.to_vec()
        } else {
            named
        };
        (Size::Smoke, chosen)
    } else if words.contains(&"all") {
        (Size::Full, SCENARIOS.to_vec())
    } else if named.is_empty() {
        (Size::Quick, SCENARIOS.to_vec())
    } else if words.contains(&"quick") {
        (Size::Quick, named)
    } else {
        (Size::Full, named)
    };
    let unknown: Vec<&&str> = words
        .iter()
        .filter(|w| benching && !SCENARIOS.contains(w) && !["all", "quick"].contains(w))
        .collect();
    if !unknown.is_empty() {
        eprintln!(
            "unknown scenario {unknown:?}; choose from {SCENARIOS:?}, `all` or `quick <scenario>`"
        );
        return ExitCode::from(2);
    }

    fixture::quiet_fault_panics();
    // The bot's own log stays off unless RUST_LOG asks for it (the first subscriber wins;
    // the test support's later `try_init` keeps this one).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", fixture::machine_line());
    println!("size: {size:?}");
    for scenario in chosen {
        let started = std::time::Instant::now();
        runtime.block_on(async {
            match scenario {
                "latency" => latency::run(size).await,
                "throughput" => throughput::run(size).await,
                "memory" => memory::run(size).await,
                "restart" => restart::run(size).await,
                "panel" => panel::run(size).await,
                "startup" => startup::run(size).await,
                "idle" => idle::run(size).await,
                "attachments" => attachments::run(size).await,
                _ => unreachable!("scenario names are checked above"),
            }
        });
        println!(
            "({scenario} took {})\n",
            stats::fmt_duration(started.elapsed())
        );
    }
    // Bots of earlier scenarios may still be winding down; do not wait for them.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    ExitCode::SUCCESS
}
