//! Deletes closed ticket channels older than `TICKET_CLEANUP_DAYS`. It works from the
//! database, so it survives restarts; each deletion goes through the ticket's actor.

use std::sync::Arc;
use std::time::Duration;

use ractor::ActorRef;
use tokio::sync::watch;

use super::actor::TicketMsg;
use super::supervisor::SupervisorMsg;
use crate::db::{now_ms, queries};
use crate::tickets::context::Ctx;

/// Runs a sweep now and then every `every`, until `stop` turns true.
pub async fn run(
    ctx: Arc<Ctx>,
    supervisor: ActorRef<SupervisorMsg>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = ticker.tick() => sweep(&ctx, &supervisor).await,
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
