//! Deletes closed ticket channels older than `TICKET_CLEANUP_DAYS`. It works from the
//! database, so it survives restarts; each deletion goes through the ticket's actor. With
//! `TRANSCRIPT_RETENTION_DAYS` each sweep (the first at start-up) also removes the tickets
//! past that age (`crate::erasure::retention_sweep`).

use std::sync::Arc;
use std::time::Duration;

use ractor::ActorRef;
use tokio::sync::watch;

use super::actor::TicketMsg;
use super::supervisor::SupervisorMsg;
use crate::attachments::FileStore;
use crate::db::{now_ms, queries};
use crate::tickets::context::Ctx;
use crate::tickets::port::{BLUE, LogEntry};

/// Runs a sweep now and then every `every`, until `stop` turns true.
pub async fn run(
    ctx: Arc<Ctx>,
    supervisor: ActorRef<SupervisorMsg>,
    every: Duration,
    files: FileStore,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                sweep(&ctx, &supervisor).await;
                expire(&ctx, &files).await;
            }
            () = crate::process::stopped(&mut stop) => return,
        }
    }
}

async fn sweep(ctx: &Ctx, supervisor: &ActorRef<SupervisorMsg>) {
    let cutoff = now_ms() - ctx.config.cleanup_after.as_millis() as i64;
    match ctx
        .db
        .run(move |conn| queries::closed_before(conn, cutoff))
        .await
    {
        Ok(due) => {
            for ticket in due {
                let _ = supervisor.cast(SupervisorMsg::Deliver(ticket.id, TicketMsg::Cleanup));
            }
        }
        Err(err) => tracing::error!(error = %err, "cleanup sweep could not read closed tickets"),
    }
}

/// One log line per sweep that removed something; a failure is logged and retried next time.
async fn expire(ctx: &Ctx, files: &FileStore) {
    let Some(keep) = ctx.config.retention else {
        return;
    };
    match crate::erasure::retention_sweep(&ctx.db, files, keep).await {
        Ok(report) if !report.tickets.is_empty() => {
            tracing::info!(tickets = ?report.tickets, "retention sweep removed tickets");
            ctx.discord.log(LogEntry {
                title: crate::texts::RETENTION_LOG_TITLE,
                ticket: None,
                actor: None,
                detail: crate::texts::retention_logged(
                    &report.tickets,
                    keep.as_secs() / 86_400,
                    report.files.deleted,
                ),
                color: BLUE,
            });
        }
        Ok(_) => {}
        Err(err) => tracing::error!(error = %err, "retention sweep failed"),
    }
}
