//! Wires the parts: database, Discord bot, web panel; and stops them together.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::{Config, Part};
use crate::db::{Db, redact};
use crate::error::{Error, Result};

pub use crate::process::{install_crypto_provider, shutdown_signal, stopped};

/// Runs `part` until `shutdown` completes or a part fails.
pub async fn run(config: Config, part: Part, shutdown: impl Future<Output = ()>) -> Result<()> {
    install_crypto_provider();
    let config = Arc::new(config);
    let db = Db::connect(&config.database_url).await?;
    tracing::info!(database = %redact(&config.database_url), "database ready");

    // Taken before the gateway connection and held until the bot has stopped.
    let lease = match part {
        Part::Bot | Part::Both => Some(crate::db::lease::acquire(&config.database_url, &db).await?),
        Part::Panel => None,
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut parts = tokio::task::JoinSet::new();
    let mut checks = crate::health::Checks::default();
    if let Some(lease) = &lease {
        parts.spawn(lease.clone().keep(stop_rx.clone()));
    }
    if matches!(part, Part::Bot | Part::Both) {
        let bot = crate::bot::Bot::start(config.clone(), db.clone()).await?;
        checks.gateway = Some(bot.gateway_link());
        parts.spawn(bot.run(stop_rx.clone()));
    }
    if matches!(part, Part::Panel | Part::Both) {
        parts.spawn(crate::web::serve_with(
            config.clone(),
            db.clone(),
            checks,
            stop_rx.clone(),
        ));
    }

    let outcome = tokio::select! {
        () = shutdown => {
            tracing::info!("shutting down");
            Ok(())
        }
        Some(ended) = parts.join_next() => match ended {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(err),
            Err(join) => Err(Error::Internal(format!("a part of the program crashed: {join}"))),
        },
    };
    let _ = stop_tx.send(true);
    // In-flight writes finish inside the parts' own shutdown; give them a bounded time.
    let drained = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(ended) = parts.join_next().await {
            match ended {
                Ok(Ok(())) => {}
                Ok(Err(err)) => tracing::error!(error = %err, "a part failed while stopping"),
                Err(join) => tracing::error!(error = %join, "a part crashed while stopping"),
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!("parts did not stop within 15 s; exiting anyway");
    }
    drop(lease);
    outcome
}

/// `DATABASE_URL` alone, for the commands that need nothing else.
fn database_url() -> String {
    crate::config::database::url_or_default(std::env::var("DATABASE_URL").ok())
}

/// `ticketbot migrate`: applies migrations and reports what it did.
pub async fn migrate() -> Result<()> {
    let url = database_url();
    // Connecting applies every pending migration.
    Db::connect(&url).await?;
    tracing::info!(database = %redact(&url), "migrations up to date");
    Ok(())
}

/// `ticketbot restart-ticket <id>`: clears the degraded mark in the database; the running
/// bot's supervisor sees it within seconds and starts the ticket's actor again.
pub async fn restart_ticket(id: i64) -> Result<()> {
    use crate::db::{models::NewAuditEntry, now_ms, queries};
    let db = Db::connect(&database_url()).await?;
    let ticket = db.run(move |conn| queries::ticket(conn, id)).await?;
    if !ticket.degraded {
        println!("Ticket #{id} is not degraded; nothing to restart.");
        return Ok(());
    }
    db.write(move |conn| {
        queries::set_degraded(conn, id, false)?;
        queries::audit(
            conn,
            &NewAuditEntry {
                ticket_id: Some(id),
                action: "restart_requested".into(),
                actor_id: None,
                actor_name: Some("ticketbot restart-ticket".into()),
                detail: String::new(),
                created_at: now_ms(),
            },
        )
    })
    .await?;
    println!(
        "Ticket #{id}: restart requested; the running bot restarts its actor within a few seconds."
    );
    Ok(())
}

/// `ticketbot status`: ticket counts and degraded tickets, from the database.
pub async fn status() -> Result<()> {
    let db = Db::connect(&database_url()).await?;
    let counts = db.run(crate::db::queries::status_counts).await?;
    for (status, count) in &counts.by_status {
        println!("{status:>8}: {count}");
    }
    println!("degraded: {}", counts.degraded);
    match crate::heartbeat::read(&db).await? {
        Some(report) => println!(
            "     bot: report {:.0} s old, {} ticket actors ({} alive), {} restarts",
            report.age().as_secs_f64(),
            report.actors,
            report.actors_alive,
            report.counters.actor_restarts
        ),
        None => println!("     bot: no report yet"),
    }
    Ok(())
}
