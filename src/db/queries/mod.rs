//! The queries the program runs. Each takes a connection so callers choose the transaction.

use diesel::prelude::*;

use super::DbConn;
use super::models::{AuditEntry, NewAuditEntry, NewTranscript, Ticket, TicketStatus, Transcript};
use super::schema::{audit_log, bot_settings, tickets, transcripts};
use crate::error::Error;

type QueryResult<T> = Result<T, Error>;

mod message_rows;
mod secretary;
mod staff;
mod workflow;
mod workflow_timers;

pub use message_rows::*;
pub use secretary::*;
pub use staff::*;
pub use workflow::*;
pub use workflow_timers::*;

pub use super::reservation::{
    Reservation, active_ticket_of, reserve_ticket, reserve_ticket_within,
};

pub fn ticket(conn: &mut DbConn, id: i64) -> QueryResult<Ticket> {
    tickets::table
        .find(id)
        .select(Ticket::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::TicketNotFound(id))
}

pub fn ticket_by_channel(conn: &mut DbConn, channel_id: i64) -> QueryResult<Option<Ticket>> {
    Ok(tickets::table
        .filter(tickets::channel_id.eq(channel_id))
        .select(Ticket::as_select())
        .first(conn)
        .optional()?)
}

/// Tickets whose conversation is still running, for start-up.
pub fn active_tickets(conn: &mut DbConn) -> QueryResult<Vec<Ticket>> {
    Ok(tickets::table
        .filter(tickets::status.eq_any(TicketStatus::ACTIVE))
        .order(tickets::id)
        .select(Ticket::as_select())
        .load(conn)?)
}

/// `(channel id, ticket id)` of every ticket whose channel still exists.
pub fn channel_index(conn: &mut DbConn) -> QueryResult<Vec<(i64, i64)>> {
    let rows: Vec<(Option<i64>, i64)> = tickets::table
        .filter(tickets::channel_id.is_not_null())
        .filter(tickets::status.eq_any(["opening", "open", "claimed", "closed"]))
        .select((tickets::channel_id, tickets::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(channel, id)| channel.map(|channel| (channel, id)))
        .collect())
}

pub fn attach_channel(conn: &mut DbConn, id: i64, channel_id: i64) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::channel_id.eq(channel_id),
            tickets::status.eq(TicketStatus::Open.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_status(conn: &mut DbConn, id: i64, status: TicketStatus) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set(tickets::status.eq(status.as_str()))
        .execute(conn)?;
    Ok(())
}

pub fn set_welcome_message(conn: &mut DbConn, id: i64, message_id: i64) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set(tickets::welcome_message_id.eq(message_id))
        .execute(conn)?;
    Ok(())
}

pub fn set_degraded(conn: &mut DbConn, id: i64, degraded: bool) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set(tickets::degraded.eq(degraded))
        .execute(conn)?;
    Ok(())
}

/// Claimed tickets held by one supporter right now.
pub fn claims_held_by(conn: &mut DbConn, claimer: i64) -> QueryResult<i64> {
    Ok(tickets::table
        .filter(tickets::claimed_by.eq(claimer))
        .filter(tickets::status.eq(TicketStatus::Claimed.as_str()))
        .count()
        .get_result(conn)?)
}

/// Claims ticket `id` for `claimer` unless they already hold `limit` claimed tickets; false
/// when refused. Run it inside a write transaction. On PostgreSQL a transaction-scoped
/// advisory lock on the claimer serializes their claims across tickets: two transactions
/// would otherwise both count `limit − 1` and both claim. SQLite has one writer at a time.
pub fn claim_within_limit(
    conn: &mut DbConn,
    id: i64,
    claimer: i64,
    claimer_name: &str,
    limit: i64,
    now: i64,
) -> QueryResult<bool> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(claimer)
            .execute(pg)?;
    }
    if claims_held_by(conn, claimer)? >= limit {
        return Ok(false);
    }
    set_claimed(conn, id, claimer, claimer_name, now)?;
    Ok(true)
}

pub fn set_claimed(
    conn: &mut DbConn,
    id: i64,
    claimer: i64,
    claimer_name: &str,
    now: i64,
) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::status.eq(TicketStatus::Claimed.as_str()),
            tickets::claimed_by.eq(claimer),
            tickets::claimed_by_name.eq(claimer_name),
            tickets::claimed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_closed(conn: &mut DbConn, id: i64, now: i64) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::status.eq(TicketStatus::Closed.as_str()),
            tickets::closed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_deleted(conn: &mut DbConn, id: i64, now: i64) -> QueryResult<()> {
    let ticket = ticket(conn, id)?;
    diesel::update(tickets::table.find(id))
        .set((
            tickets::status.eq(TicketStatus::Deleted.as_str()),
            tickets::deleted_at.eq(now),
            tickets::closed_at.eq(ticket.closed_at.unwrap_or(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Closed tickets whose channel is older than the cleanup age.
pub fn closed_before(conn: &mut DbConn, cutoff: i64) -> QueryResult<Vec<Ticket>> {
    Ok(tickets::table
        .filter(tickets::status.eq(TicketStatus::Closed.as_str()))
        .filter(tickets::closed_at.le(cutoff))
        .filter(tickets::channel_id.is_not_null())
        .select(Ticket::as_select())
        .load(conn)?)
}

pub fn insert_transcript(conn: &mut DbConn, transcript: NewTranscript) -> QueryResult<Transcript> {
    let id: i64 = diesel::insert_into(transcripts::table)
        .values(transcript)
        .returning(transcripts::id)
        .get_result(conn)?;
    Ok(transcripts::table
        .find(id)
        .select(Transcript::as_select())
        .first(conn)?)
}

pub fn transcripts_of(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<Transcript>> {
    Ok(transcripts::table
        .filter(transcripts::ticket_id.eq(ticket_id))
        .order(transcripts::id.desc())
        .select(Transcript::as_select())
        .load(conn)?)
}

pub fn audit(conn: &mut DbConn, entry: &NewAuditEntry) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)?;
    Ok(())
}

pub fn audit_of(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::ticket_id.eq(ticket_id))
        .order(audit_log::id)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

pub fn setting(conn: &mut DbConn, key: &str) -> QueryResult<Option<String>> {
    Ok(bot_settings::table
        .find(key)
        .select(bot_settings::value)
        .first(conn)
        .optional()?)
}

pub fn set_setting(conn: &mut DbConn, key: &str, value: &str) -> QueryResult<()> {
    let updated = diesel::update(bot_settings::table.find(key))
        .set(bot_settings::value.eq(value))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(bot_settings::table)
            .values((bot_settings::key.eq(key), bot_settings::value.eq(value)))
            .execute(conn)?;
    }
    Ok(())
}

/// Ticket counts for status pages and metrics.
#[derive(Debug, Default)]
pub struct StatusCounts {
    pub by_status: Vec<(String, i64)>,
    pub degraded: i64,
}

pub fn status_counts(conn: &mut DbConn) -> QueryResult<StatusCounts> {
    let by_status = tickets::table
        .group_by(tickets::status)
        .select((tickets::status, diesel::dsl::count_star()))
        .order(tickets::status)
        .load(conn)?;
    let degraded = tickets::table
        .filter(tickets::degraded.eq(true))
        .filter(tickets::status.eq_any(TicketStatus::ACTIVE))
        .count()
        .get_result(conn)?;
    Ok(StatusCounts {
        by_status,
        degraded,
    })
}

/// Of `ids`, the tickets an operator cleared of `degraded` (`ticketbot restart-ticket`).
pub fn revived_among(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<i64>> {
    Ok(tickets::table
        .filter(tickets::id.eq_any(ids))
        .filter(tickets::degraded.eq(false))
        .select(tickets::id)
        .load(conn)?)
}

/// Tickets whose opening a crash interrupted: with a channel they are open, without one their
/// reservation is released so the user can open a ticket again. Run at start-up only.
pub fn settle_interrupted_openings(conn: &mut DbConn) -> QueryResult<usize> {
    let opening = tickets::status.eq(TicketStatus::Opening.as_str());
    let opened = diesel::update(
        tickets::table
            .filter(opening)
            .filter(tickets::channel_id.is_not_null()),
    )
    .set(tickets::status.eq(TicketStatus::Open.as_str()))
    .execute(conn)?;
    let failed = diesel::update(
        tickets::table
            .filter(opening)
            .filter(tickets::channel_id.is_null()),
    )
    .set(tickets::status.eq(TicketStatus::Failed.as_str()))
    .execute(conn)?;
    Ok(opened + failed)
}
