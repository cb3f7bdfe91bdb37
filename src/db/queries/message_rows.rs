//! The messages of ticket channels: storing, edits with their revisions, deletions, and the
//! channel-history position.

use diesel::prelude::*;

use super::QueryResult;
use crate::db::DbConn;
use crate::db::models::Message;
use crate::db::schema::{message_revisions, messages, tickets};

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
    if inserted > 0 && message.attachments != "[]" {
        // The archive's rows come with the message, so a download not yet made is found again
        // after a restart.
        let rows = crate::db::attachments::rows_for(message, crate::db::now_ms());
        crate::db::attachments::insert_rows(conn, &rows)?;
    }
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
            let new: Vec<bool> = rows
                .iter()
                .map(|row| inserted.contains(&row.id) && seen.insert(row.id))
                .collect();
            let now = crate::db::now_ms();
            let archive: Vec<_> = rows
                .iter()
                .zip(&new)
                .filter(|(row, new)| **new && row.attachments != "[]")
                .flat_map(|(row, _)| crate::db::attachments::rows_for(row, now))
                .collect();
            crate::db::attachments::insert_rows(conn, &archive)?;
            Ok(new)
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
