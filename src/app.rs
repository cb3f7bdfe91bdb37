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
