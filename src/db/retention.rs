//! `TRANSCRIPT_RETENTION_DAYS`: closed and deleted tickets whose close is older than the
//! cutoff, and their removal with everything stored of them, in one transaction (run
//! [`remove`] inside `Db::write`). Their files wait in `archived_files` as orphans until the
//! store has deleted them (`attachments::orphaned`).

use diesel::prelude::*;

use super::DbConn;
use super::schema::{
    ai_turns, audit_log, ban_evidence, close_requests, message_attachments, message_revisions,
    messages, pending_renames, ratings, ticket_inactivity, ticket_members, tickets,
    transcript_entries, transcripts,
};
use super::status::TicketStatus;

/// Closed or deleted tickets whose close (or, without one, deletion) is before `cutoff` (unix
/// ms). An imported ticket's close is the one `import-legacy` recorded.
pub fn expired(conn: &mut DbConn, cutoff: i64) -> QueryResult<Vec<i64>> {
    tickets::table
        .filter(tickets::status.eq_any([
            TicketStatus::Closed.as_str(),
            TicketStatus::Deleted.as_str(),
        ]))
        .filter(
            tickets::closed_at.lt(cutoff).or(tickets::closed_at
                .is_null()
                .and(tickets::deleted_at.lt(cutoff))),
        )
        .order(tickets::id)
        .select(tickets::id)
        .load(conn)
}

/// Removes the tickets `ids` with their messages, transcripts, AI turns, audit rows and the
/// rest; returns how many tickets went.
pub fn remove(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    let their_messages = messages::table
        .filter(messages::ticket_id.eq_any(ids))
        .select(messages::id);
    diesel::delete(message_revisions::table)
        .filter(message_revisions::message_id.eq_any(their_messages))
        .execute(conn)?;
    diesel::delete(message_attachments::table)
        .filter(message_attachments::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(messages::table)
        .filter(messages::ticket_id.eq_any(ids))
        .execute(conn)?;
    let their_transcripts = transcripts::table
        .filter(transcripts::ticket_id.eq_any(ids))
        .select(transcripts::id);
    diesel::delete(transcript_entries::table)
        .filter(transcript_entries::transcript_id.eq_any(their_transcripts))
        .execute(conn)?;
    diesel::delete(transcripts::table)
        .filter(transcripts::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(ai_turns::table)
        .filter(ai_turns::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(audit_log::table)
        .filter(audit_log::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(ratings::table)
        .filter(ratings::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(close_requests::table)
        .filter(close_requests::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(ticket_members::table)
        .filter(ticket_members::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(pending_renames::table)
        .filter(pending_renames::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(ticket_inactivity::table)
        .filter(ticket_inactivity::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(ban_evidence::table)
        .filter(ban_evidence::ticket_id.eq_any(ids))
        .execute(conn)?;
    diesel::delete(tickets::table)
        .filter(tickets::id.eq_any(ids))
        .execute(conn)
}
