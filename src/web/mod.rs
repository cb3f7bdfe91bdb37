//! The staff web panel (Rocket): Discord login with a role check, the ticket list, ticket
//! pages with the conversation and transcript snapshots, `/healthz`, `/metrics`. It only reads,
//! apart from its sessions: rows in `panel_sessions` ([`session`]) that logout and role loss
//! delete.
//!
//! Each part is one `AdHoc` stage that manages its state and mounts its `routes()`:
//! [`templates::stage`], [`assets::stage`], [`auth::stage`], [`pages::stage`] (which keeps
//! rendered list pages in a [`list_cache::ListCache`]), [`monitoring::stage`] (`/metrics`,
//! `/status`).

mod admin;
mod assets;
mod auth;
mod discord_api;
mod erase;
mod error;
mod files;
mod guild_names;
mod health;
mod list_cache;
mod list_page;
pub mod markdown;
mod message_view;
mod monitoring;
mod names;
mod pages;
mod portrait;
mod search;
mod session;
mod session_store;
mod store;
mod templates;
mod text;
mod ticket_view;
mod transcript_files;
mod triage;
mod view;

use std::sync::Arc;

use rocket::figment::Figment;
use rocket::figment::providers::{Env, Format, Toml};
use sha2::{Digest, Sha512};
use tokio::sync::watch;

use crate::config::Config;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::health::Checks;

pub use auth::LOGIN_COOKIE;
pub use session::{ROLE_RECHECK_MS, SESSION_COOKIE, SESSION_LIFETIME_MS};
pub use store::PAGE_SIZE;

/// The panel, configured and ready to launch (tests use it with Rocket's local client).
pub fn rocket(config: Arc<Config>, db: Db) -> rocket::Rocket<rocket::Build> {
    rocket_with(config, db, Checks::default())
}

/// The panel with what `/healthz` checks beyond the database (the bot of this process).
pub fn rocket_with(config: Arc<Config>, db: Db, checks: Checks) -> rocket::Rocket<rocket::Build> {
    crate::process::install_crypto_provider();
    rocket::custom(figment(&config))
        .manage(db)
        .attach(templates::stage())
        .attach(assets::stage())
        .attach(auth::stage(config.clone()))
        .attach(guild_names::stage(config.clone()))
        .attach(pages::stage())
        .attach(files::stage(config.attachments.clone()))
        .attach(erase::stage(config.clone()))
        .attach(monitoring::stage(config))
        .attach(health::stage(checks))
        .register("/", error::catchers())
}

/// Rocket's settings: our address, port and cookie key (config refuses a short one);
/// `Rocket.toml` (or `ROCKET_CONFIG`) and `ROCKET_*` variables may tune the rest (workers,
/// limits, log level).
fn figment(config: &Config) -> Figment {
    // Rocket wants a 512-bit key; the original bot's key is any string of 32 bytes or more.
    let secret_key = Sha512::digest(config.panel.secret_key.as_bytes()).to_vec();
    let profile =
        rocket::figment::Profile::from_env_or("ROCKET_PROFILE", rocket::Config::DEFAULT_PROFILE);
    Figment::from(rocket::Config::default())
        .merge(("ident", "ticketbot"))
        .merge(("log_level", rocket::config::LogLevel::Critical))
        .merge(("cli_colors", false))
        // The program handles signals and tells the panel through `stop`.
        .merge(("shutdown.ctrlc", false))
        .merge(("shutdown.signals", Vec::<String>::new()))
        .merge(("shutdown.grace", 2))
        .merge(("shutdown.mercy", 3))
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .merge(("address", config.panel.address))
        .merge(("port", config.panel.port))
        .merge(("secret_key", secret_key))
        .select(profile)
}

/// Serves the panel on `PANEL_ADDRESS:PANEL_PORT` until `stop` turns true.
pub async fn serve(config: Arc<Config>, db: Db, stop: watch::Receiver<bool>) -> Result<()> {
    serve_with(config, db, Checks::default(), stop).await
}

/// Like [`serve`], with what `/healthz` checks beyond the database.
pub async fn serve_with(
    config: Arc<Config>,
    db: Db,
    checks: Checks,
    mut stop: watch::Receiver<bool>,
) -> Result<()> {
    let address = std::net::SocketAddr::new(config.panel.address, config.panel.port);
    let ignited = rocket_with(config, db, checks)
        .attach(rocket::fairing::AdHoc::on_liftoff("Announce", |rocket| {
            Box::pin(async move {
                let config = rocket.config();
                tracing::info!(address = %config.address, port = config.port, "web panel listening");
            })
        }))
        .ignite()
        .await
        .map_err(|err| Error::Internal(format!("the web panel cannot start: {err}")))?;
    let shutdown = ignited.shutdown();
    let watcher = tokio::spawn(async move {
        // A dropped sender means the program is going away too.
        let _ = stop.wait_for(|stopped| *stopped).await;
        shutdown.notify();
    });
    let outcome = ignited.launch().await;
    watcher.abort();
    match outcome {
        Ok(_) => {
            tracing::info!("web panel stopped");
            Ok(())
        }
        Err(err) => Err(launch_failure(&err, address)),
    }
}

/// Why the panel could not serve, for the operator: a port in use or not ours to take is a
/// setting to change (it names `PANEL_PORT` and the address, and exits like one).
fn launch_failure(err: &rocket::Error, address: std::net::SocketAddr) -> Error {
    match err.kind() {
        rocket::error::ErrorKind::Bind(cause) => {
            let why = match cause.kind() {
                std::io::ErrorKind::AddrInUse => "is already in use (another panel or program \
                                                  listens there)"
                    .to_owned(),
                std::io::ErrorKind::PermissionDenied => {
                    "may not be used by this user (ports below 1024 need privileges)".to_owned()
                }
                std::io::ErrorKind::AddrNotAvailable => {
                    "is not an address of this machine (see PANEL_ADDRESS)".to_owned()
                }
                _ => format!("cannot be listened on: {cause}"),
            };
            Error::Config(crate::config::ConfigError {
                key: "PANEL_PORT".to_owned(),
                problem: format!("{address} {why}; choose a free port with PANEL_PORT"),
            })
        }
        _ => Error::Internal(format!("the web panel failed: {err}")),
    }
}
