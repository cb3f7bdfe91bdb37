use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ticketbot::config::{self, Config, ConfigError, Part};

#[derive(Parser)]
#[command(
    name = "ticketbot",
    version,
    about = "Discord support-ticket bot with an AI secretary and a staff web panel"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the bot and the web panel (the default).
    Run,
    /// Start only the Discord bot.
    Bot,
    /// Start only the web panel.
    Panel,
    /// Apply database migrations and exit.
    Migrate,
    /// Restart the actor of a degraded ticket once its cause is fixed (the running bot picks
    /// it up within seconds).
    RestartTicket {
        /// The ticket number.
        id: i64,
    },
    /// Show ticket counts and degraded tickets.
    Status,
    /// Check the settings against Discord, OpenAI and the ban database, and print what to fix.
    Check,
    /// Import the original Python bot's tickets.sqlite.
    ImportLegacy {
        /// Path to the original bot's tickets.sqlite.
        path: std::path::PathBuf,
    },
}

/// Exit code for a bad setting, so service managers can tell it from a crash.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match config::dotenv_values() {
        Ok(values) => {
            for (key, value) in values {
                // SAFETY: no other thread exists yet (the runtime starts below), so nothing
                // reads the environment while it changes.
                unsafe { std::env::set_var(key, value) };
            }
        }
        Err(err) => return config_failure(&err),
    }
    ticketbot::telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Run) {
            Command::Run => start(Part::Both).await,
            Command::Bot => start(Part::Bot).await,
            Command::Panel => start(Part::Panel).await,
            Command::Migrate => ticketbot::app::migrate().await,
            Command::RestartTicket { id } => ticketbot::app::restart_ticket(id).await,
            Command::Status => ticketbot::app::status().await,
            Command::ImportLegacy { path } => ticketbot::legacy::import_cli(&path).await,
            Command::Check => check().await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(ticketbot::Error::Config(err)) => config_failure(&err),
        // Discord refuses a setting (the token, the portal's intents): a restart gets the
        // same answer, so it exits like a bad setting in `.env`.
        Err(err @ ticketbot::Error::GatewayRefused(_)) => {
            tracing::error!(code = err.code(), "{err}");
            eprintln!("ticketbot: {err}");
            ExitCode::from(EXIT_CONFIG)
        }
        Err(err) => {
            tracing::error!(code = err.code(), "{err}");
            eprintln!("ticketbot: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn start(part: Part) -> ticketbot::Result<()> {
    let config = Config::from_lookup(|key| std::env::var(key).ok())?;
    ticketbot::app::run(config, part, ticketbot::app::shutdown_signal()).await
}

async fn check() -> ticketbot::Result<()> {
    let config = Config::from_lookup(|key| std::env::var(key).ok())?;
    ticketbot::check::cli(&config).await
}

fn config_failure(err: &ConfigError) -> ExitCode {
    eprintln!("{err}");
    ExitCode::from(EXIT_CONFIG)
}
