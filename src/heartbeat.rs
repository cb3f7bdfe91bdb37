//! The bot's report for a panel in another process (`ticketbot bot` beside `ticketbot panel`):
//! every few seconds the bot writes its actors and counters into `bot_settings`, and a panel
//! without a bot of its own shows that report in `/status` and `/metrics`, with its age, so a
//! stopped bot shows as an old report instead of as zero actors.

use std::time::Duration;

use tokio::sync::watch;

use crate::db::{Db, queries};
use crate::health::GatewayLink;
pub use crate::metrics::{REPORT_KEY, Report, read};

pub const EVERY: Duration = Duration::from_secs(5);

/// Writes a report every [`EVERY`] until `stop`, with the state of the bot's `gateway`.
pub async fn run(db: Db, gateway: GatewayLink, mut stop: watch::Receiver<bool>) {
    loop {
        let report = Report {
            gateway_connected: Some(gateway.is_up()),
            ..Report::of_this_process()
        };
        let report = serde_json::to_string(&report).unwrap_or_default();
        if let Err(err) = db
            .write(move |conn| queries::set_setting(conn, REPORT_KEY, &report))
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
