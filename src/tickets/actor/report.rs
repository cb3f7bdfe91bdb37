//! Reporting a Discord refusal of a ticket action to the operator and the log channel.

use crate::error::Error;
use crate::tickets::context::Ctx;
use crate::tickets::port::{LogEntry, RED};

/// A Discord refusal that retrying cannot fix: tell the operator what to fix.
pub async fn report_discord_failure(ctx: &Ctx, ticket: i64, what: &str, err: &Error) {
    let hint = match err.discord_status() {
        Some(403) => "Dem Bot fehlen Rechte (Kanäle verwalten, Berechtigungen verwalten).",
        Some(404) => "Kanal oder Kategorie existiert nicht (mehr); *_CATEGORY_ID prüfen.",
        _ => "Discord war nicht erreichbar.",
    };
    tracing::error!(ticket, action = what, error = %err, hint, "Discord refused a ticket action");
    ctx.discord.log(LogEntry {
        title: "Discord-Fehler",
        ticket: Some(ticket),
        actor: None,
        detail: format!("{what} fehlgeschlagen: {err}. {hint}"),
        color: RED,
    });
}
