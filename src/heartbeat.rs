//! The bot's report for a panel in another process (`ticketbot bot` beside `ticketbot panel`):
//! every few seconds the bot writes its actors and counters into `bot_settings`, and a panel
//! without a bot of its own shows that report in `/status` and `/metrics`, with its age, so a
//! stopped bot shows as an old report instead of as zero actors.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::db::{Db, now_ms, queries};
use crate::error::Result;
use crate::health::GatewayLink;
use crate::metrics::{self, ActorView, Counters};

const KEY: &str = "bot_report";
pub const EVERY: Duration = Duration::from_secs(5);
/// Actors listed one by one in a report; the others are only counted (100,000 open tickets
/// would make every report megabytes).
const LISTED_MAX: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Unix milliseconds.
    pub written_at: i64,
    pub actors: u64,
    pub actors_alive: u64,
    /// Actors listed one by one, by ticket number: those that restarted, are down or degraded
    /// (the healthy ones are only counted).
    pub listed: Vec<(i64, ActorView)>,
    pub counters: Counters,
    /// Whether the bot's gateway connection was up when it wrote this; `None` in a report of
    /// an older version, or of a process without a bot.
    #[serde(default)]
    pub gateway_connected: Option<bool>,
}

impl Report {
    /// What this process's supervisor and counters say now.
    pub fn of_this_process() -> Self {
        let actors = metrics::actors();
        Self {
            written_at: now_ms(),
            actors: actors.len() as u64,
            actors_alive: actors.iter().filter(|(_, a)| a.alive).count() as u64,
            listed: actors
                .into_iter()
                .filter(|(_, a)| !a.alive || a.degraded || a.restarts > 0)
                .take(LISTED_MAX)
                .collect(),
            counters: metrics::counters(),
            gateway_connected: None,
        }
    }

    pub fn age(&self) -> Duration {
        Duration::from_millis(now_ms().saturating_sub(self.written_at).max(0) as u64)
    }
}

/// Writes a report every [`EVERY`] until `stop`, with the state of the bot's `gateway`.
pub async fn run(db: Db, gateway: GatewayLink, mut stop: watch::Receiver<bool>) {
    loop {
        let report = Report {
            gateway_connected: Some(gateway.is_up()),
            ..Report::of_this_process()
        };
        let report = serde_json::to_string(&report).unwrap_or_default();
        if let Err(err) = db
            .write(move |conn| queries::set_setting(conn, KEY, &report))
            .await
        {
            tracing::warn!(error = %err, "could not write the bot's report for the panel");
        }
        tokio::select! {
            () = crate::process::stopped(&mut stop) => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}

/// The last report a bot wrote into this database, if any.
pub async fn read(db: &Db) -> Result<Option<Report>> {
    let text = db.run(|conn| queries::setting(conn, KEY)).await?;
    Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
}
