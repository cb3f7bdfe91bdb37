use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ticketbot::config::{self, Config, ConfigError, Part};

#[derive(Parser)]
#[command(
    name = "ticketbot",
    version,
    about = "Discord support-ticket bot with an AI secretary and a staff web panel",
    after_help = "Settings come from the environment and from ./.env (looked for in the working \
                  directory, then its parents), or from the file given with --env-file instead; \
                  a variable set in the environment wins over the file. See .env.example for \
                  every key."
)]
struct Cli {
    /// Read the settings from this file instead of ./.env (the environment still wins).
    #[arg(long, global = true, value_name = "PATH")]
    env_file: Option<std::path::PathBuf>,
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
    /// Apply pending database migrations, name each one, and exit.
    Migrate,
    /// Restart the actor of a degraded ticket once its cause is fixed (the running bot picks
    /// it up within seconds).
    RestartTicket {
        /// The ticket number.
        id: i64,
    },
    /// Show ticket counts, degraded tickets and whether the bot is connected to Discord, from
    /// an existing database (never creates one).
    Status,
    /// Check the settings against Discord, OpenAI and the ban database, and print what to fix.
    Check,
    /// Erase what is stored of a member (texts, names, files, rating comments) on their
    /// request; their tickets keep numbers, status and an audit row.
    Forget {
        /// The member's Discord user id.
        user: u64,
    },
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
    match config::dotenv_values(cli.env_file.as_deref()) {
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
            Command::Migrate => ticketbot::cli::migrate().await,
            Command::RestartTicket { id } => ticketbot::cli::restart_ticket(id).await,
            Command::Status => ticketbot::cli::status().await,
            Command::ImportLegacy { path } => ticketbot::legacy::import_cli(&path).await,
            Command::Check => check().await,
            Command::Forget { user } => forget(user).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(ticketbot::Error::Config(err)) => config_failure(&err),
        // The command was given something it cannot use: the text says what to give instead.
        Err(ticketbot::Error::Usage(problem)) => {
            eprintln!("{problem}");
            ExitCode::from(EXIT_CONFIG)
        }
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

async fn forget(user: u64) -> ticketbot::Result<()> {
    let config = Config::from_lookup(|key| std::env::var(key).ok())?;
    ticketbot::cli::forget(&config, user).await
}

fn config_failure(err: &ConfigError) -> ExitCode {
    eprintln!("{err}");
    ExitCode::from(EXIT_CONFIG)
}
