//! The queries the program runs. Each takes a connection so callers choose the transaction.

use diesel::prelude::*;

use super::DbConn;
use super::models::{
    AuditEntry, Message, NewAuditEntry, NewTranscript, Ticket, TicketStatus, Transcript,
};
use super::schema::{audit_log, bot_settings, message_revisions, messages, tickets, transcripts};
use crate::error::Error;

type QueryResult<T> = Result<T, Error>;

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

/// Stores a message unless a row with its Discord id exists; true when it was new.
pub fn insert_message(conn: &mut DbConn, message: &Message) -> QueryResult<bool> {
    let inserted = match conn {
        DbConn::Sqlite(conn) => diesel::insert_or_ignore_into(messages::table)
            .values(message)
            .execute(conn)?,
        DbConn::Postgres(conn) => diesel::insert_into(messages::table)
            .values(message)
            .on_conflict_do_nothing()
            .execute(conn)?,
    };
    Ok(inserted > 0)
}

/// Stores `rows` unless their Discord ids are known; for each, true when it was new. On
/// PostgreSQL one multi-row statement (a round trip per row was the limit there); SQLite runs
/// in-process, where a cached single-row statement is as fast.
pub fn insert_messages(conn: &mut DbConn, rows: &[Message]) -> QueryResult<Vec<bool>> {
    match conn {
        DbConn::Sqlite(_) => rows.iter().map(|row| insert_message(conn, row)).collect(),
        DbConn::Postgres(pg) => {
            if rows.is_empty() {
                return Ok(Vec::new());
            }
            let inserted: std::collections::HashSet<i64> = diesel::insert_into(messages::table)
                .values(rows)
                .on_conflict_do_nothing()
                .returning(messages::id)
                .get_results(pg)?
                .into_iter()
                .collect();
            // A Discord id twice in one batch is new only the first time.
            let mut seen = std::collections::HashSet::new();
            Ok(rows
                .iter()
                .map(|row| inserted.contains(&row.id) && seen.insert(row.id))
                .collect())
        }
    }
}

/// Records an edit, keeping the previous text as a revision.
pub fn record_edit(
    conn: &mut DbConn,
    message_id: i64,
    new_content: &str,
    edited_at: i64,
) -> QueryResult<bool> {
    let old: Option<String> = messages::table
        .find(message_id)
        .select(messages::content)
        .first(conn)
        .optional()?;
    let Some(old) = old else {
        return Ok(false);
    };
    if old == new_content {
        return Ok(true);
    }
    diesel::insert_into(message_revisions::table)
        .values((
            message_revisions::message_id.eq(message_id),
            message_revisions::content.eq(old),
            message_revisions::replaced_at.eq(edited_at),
        ))
        .execute(conn)?;
    diesel::update(messages::table.find(message_id))
        .set((
            messages::content.eq(new_content),
            messages::edited_at.eq(edited_at),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn record_delete(conn: &mut DbConn, message_id: i64, deleted_at: i64) -> QueryResult<()> {
    diesel::update(messages::table.find(message_id))
        .filter(messages::deleted_at.is_null())
        .set(messages::deleted_at.eq(deleted_at))
        .execute(conn)?;
    Ok(())
}

pub fn messages_of(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<Message>> {
    Ok(messages::table
        .filter(messages::ticket_id.eq(ticket_id))
        .order(messages::id)
        .select(Message::as_select())
        .load(conn)?)
}

/// The opener's messages after `after` (a Discord message id) that are not deleted, oldest
/// first: what the secretary has not answered yet. Reads only those rows, not the whole
/// channel, since it runs on every opener message and at every actor start.
pub fn unanswered_messages(
    conn: &mut DbConn,
    ticket_id: i64,
    opener_id: i64,
    after: i64,
) -> QueryResult<Vec<Message>> {
    Ok(messages::table
        .filter(messages::ticket_id.eq(ticket_id))
        .filter(messages::id.gt(after))
        .filter(messages::author_id.eq(opener_id))
        .filter(messages::author_is_bot.eq(false))
        .filter(messages::deleted_at.is_null())
        .order(messages::id)
        .select(Message::as_select())
        .load(conn)?)
}

/// The newest stored Discord message of a ticket. Imported legacy messages have negative ids
/// and are no position in Discord's history, so they are left out.
pub fn newest_message_id(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Option<i64>> {
    Ok(messages::table
        .filter(messages::ticket_id.eq(ticket_id))
        .filter(messages::id.gt(0))
        .select(diesel::dsl::max(messages::id))
        .first(conn)?)
}

/// Moves a ticket's channel-history position forward to `synced` (never back).
pub fn record_history_synced(conn: &mut DbConn, ticket_id: i64, synced: i64) -> QueryResult<()> {
    diesel::update(tickets::table.find(ticket_id))
        .filter(
            tickets::history_synced_id
                .is_null()
                .or(tickets::history_synced_id.lt(synced)),
        )
        .set(tickets::history_synced_id.eq(synced))
        .execute(conn)?;
    Ok(())
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

// ----------------------------------------------------------------- AI secretary

/// The secretary's persisted conversation of ticket `ticket_id`, oldest first.
pub fn ai_turns_of(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<super::models::AiTurn>> {
    use super::schema::ai_turns;
    Ok(ai_turns::table
        .filter(ai_turns::ticket_id.eq(ticket_id))
        .order(ai_turns::id)
        .select(super::models::AiTurn::as_select())
        .load(conn)?)
}

pub fn insert_ai_turns(conn: &mut DbConn, turns: &[super::models::NewAiTurn]) -> QueryResult<()> {
    use super::schema::ai_turns;
    for turn in turns {
        diesel::insert_into(ai_turns::table)
            .values(turn)
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_ai_state(conn: &mut DbConn, id: i64, state: &str) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set(tickets::ai_state.eq(state))
        .execute(conn)?;
    Ok(())
}

/// One answered batch of opener messages: counts the turn and its tokens.
pub fn record_ai_turn(
    conn: &mut DbConn,
    id: i64,
    tokens: i64,
    answered_up_to: i64,
) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::ai_turns.eq(tickets::ai_turns + 1),
            tickets::ai_tokens.eq(tickets::ai_tokens + tokens),
            tickets::ai_answered_up_to.eq(answered_up_to),
        ))
        .execute(conn)?;
    Ok(())
}

/// What the ban lookup (or the user) told about the ban, before the verdict.
pub fn set_ban_facts(
    conn: &mut DbConn,
    id: i64,
    ban_id: &str,
    player_name: Option<&str>,
    ban_reason: Option<&str>,
) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::verdict_ban_id.eq(ban_id),
            tickets::verdict_player_name.eq(player_name),
            tickets::verdict_ban_reason.eq(ban_reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// The secretary's verdict and where she stands afterwards (`handed_over` or `declined`).
#[allow(clippy::too_many_arguments)]
pub fn set_verdict(
    conn: &mut DbConn,
    id: i64,
    source: &str,
    ban_id: Option<&str>,
    ban_reason: Option<&str>,
    cooperative: Option<bool>,
    summary: &str,
    ai_state: &str,
    now: i64,
) -> QueryResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::verdict_source.eq(source),
            tickets::verdict_ban_id.eq(ban_id),
            tickets::verdict_ban_reason.eq(ban_reason),
            tickets::verdict_cooperative.eq(cooperative),
            tickets::verdict_summary.eq(summary),
            tickets::verdict_at.eq(now),
            tickets::ai_state.eq(ai_state),
            tickets::ai_uncooperative
                .eq(tickets::ai_uncooperative + i32::from(cooperative == Some(false))),
        ))
        .execute(conn)?;
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
