//! `ticketbot restart-ticket <id>`: clears the degraded mark in the database; the running
//! bot's supervisor sees it within seconds and starts the ticket's actor again.

use super::DatabaseSetting;
use crate::db::models::NewAuditEntry;
use crate::db::{Db, now_ms, queries};
use crate::error::Result;

pub async fn restart_ticket(id: i64) -> Result<()> {
    let db = Db::connect(&DatabaseSetting::from_env().url).await?;
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
