//! Erasure on request: one member's message texts, names, avatar links, AI conversation and
//! rating comments, in one transaction (run [`forget`] inside `Db::write`). Tickets keep their
//! numbers and status. Files that lose their last message here stay in `archived_files` until
//! the store has deleted them (`attachments::orphaned`), so a failed deletion is retried.

use std::collections::HashSet;

use diesel::prelude::*;

use super::DbConn;
use super::models::NewAuditEntry;
use super::schema::{
    ai_turns, audit_log, ban_evidence, blacklist, close_requests, message_attachments,
    message_revisions, messages, on_duty, panel_sessions, ratings, tickets, transcript_entries,
    transcripts,
};
use crate::audit::AuditAction;
use crate::error::Error;
use crate::texts::{ERASED_NAME, erased_detail};
use crate::transcript::{parse_transcript, render_entries, render_parsed};

/// What one erasure changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    /// The member's own tickets, which got the audit row.
    pub tickets: Vec<i64>,
    /// Their messages that were blanked.
    pub messages: usize,
    /// Rows changed in all (messages, names, turns, comments, …).
    pub rows: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forgotten {
    /// No row names this member.
    Unknown,
    /// Rows name them, but nothing of theirs is left: an earlier erasure took it.
    AlreadyErased,
    Erased(Erasure),
}

/// Who asked for an erasure, for the audit row.
#[derive(Debug, Clone)]
pub struct ErasedBy {
    pub id: Option<i64>,
    pub name: String,
}

/// Erases what is stored of `user`. Changes nothing when nothing is left to erase.
pub fn forget(conn: &mut DbConn, user: i64, by: &ErasedBy, now: i64) -> Result<Forgotten, Error> {
    let names = names_of(conn, user)?;
    let own: Vec<i64> = tickets::table
        .filter(tickets::opener_id.eq(user))
        .order(tickets::id)
        .select(tickets::id)
        .load(conn)?;
    let theirs = messages::table
        .filter(messages::author_id.eq(user))
        .select(messages::id);
    let mut rows = diesel::delete(message_revisions::table)
        .filter(message_revisions::message_id.eq_any(theirs))
        .execute(conn)?;
    rows += diesel::delete(message_attachments::table)
        .filter(message_attachments::message_id.eq_any(theirs))
        .execute(conn)?;
    let blanked = diesel::update(messages::table)
        .filter(messages::author_id.eq(user))
        .filter(
            messages::content
                .ne("")
                .or(messages::author_name.ne(ERASED_NAME))
                .or(messages::author_avatar.is_not_null())
                .or(messages::embeds.ne("[]"))
                .or(messages::attachments.ne("[]")),
        )
        .set((
            messages::content.eq(""),
            messages::author_name.eq(ERASED_NAME),
            messages::author_avatar.eq(None::<String>),
            messages::embeds.eq("[]"),
            messages::attachments.eq("[]"),
        ))
        .execute(conn)?;
    rows += blanked;
    rows += names_and_comments(conn, user, &own)?;
    rows += transcripts_of(conn, user, &own, &names)?;
    if rows == 0 {
        return Ok(if is_known(conn, user)? {
            Forgotten::AlreadyErased
        } else {
            Forgotten::Unknown
        });
    }
    let at = chrono::DateTime::from_timestamp_millis(now)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let targets: Vec<Option<i64>> = if own.is_empty() {
        vec![None]
    } else {
        own.iter().copied().map(Some).collect()
    };
    for ticket_id in targets {
        diesel::insert_into(audit_log::table)
            .values(NewAuditEntry {
                ticket_id,
                action: AuditAction::Erased.as_str().to_owned(),
                actor_id: by.id,
                actor_name: Some(by.name.clone()),
                detail: erased_detail(&at, &by.name),
                created_at: now,
            })
            .execute(conn)?;
    }
    Ok(Forgotten::Erased(Erasure {
        tickets: own,
        messages: blanked,
        rows,
    }))
}

/// The names the member appeared under, to find their lines in transcripts stored as text.
fn names_of(conn: &mut DbConn, user: i64) -> Result<HashSet<String>, Error> {
    let mut names: HashSet<String> = messages::table
        .filter(messages::author_id.eq(user))
        .select(messages::author_name)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();
    names.extend(
        tickets::table
            .filter(tickets::opener_id.eq(user))
            .select(tickets::opener_name)
            .load::<String>(conn)?,
    );
    names.extend(
        tickets::table
            .filter(tickets::claimed_by.eq(user))
            .select(tickets::claimed_by_name)
            .load::<Option<String>>(conn)?
            .into_iter()
            .flatten(),
    );
    names.remove(ERASED_NAME);
    names.retain(|name| !name.trim().is_empty());
    Ok(names)
}

/// Names everywhere else, the AI conversation of their tickets, their rating comments and
/// panel sessions.
fn names_and_comments(conn: &mut DbConn, user: i64, own: &[i64]) -> Result<usize, Error> {
    let mut rows = diesel::update(tickets::table)
        .filter(tickets::opener_id.eq(user))
        .filter(
            tickets::opener_name
                .ne(ERASED_NAME)
                .or(tickets::verdict_player_name.is_not_null())
                .or(tickets::verdict_summary.is_not_null()),
        )
        .set((
            tickets::opener_name.eq(ERASED_NAME),
            tickets::verdict_player_name.eq(None::<String>),
            tickets::verdict_summary.eq(None::<String>),
        ))
        .execute(conn)?;
    rows += diesel::update(tickets::table)
        .filter(tickets::claimed_by.eq(user))
        .filter(tickets::claimed_by_name.ne(ERASED_NAME))
        .set(tickets::claimed_by_name.eq(ERASED_NAME))
        .execute(conn)?;
    rows += diesel::delete(ai_turns::table)
        .filter(ai_turns::ticket_id.eq_any(own))
        .execute(conn)?;
    // The ban database's screenshots of their ban and what OCR read in them.
    rows += diesel::delete(ban_evidence::table)
        .filter(ban_evidence::ticket_id.eq_any(own))
        .execute(conn)?;
    rows += diesel::update(audit_log::table)
        .filter(audit_log::actor_id.eq(user))
        .filter(audit_log::actor_name.ne(ERASED_NAME))
        .set(audit_log::actor_name.eq(ERASED_NAME))
        .execute(conn)?;
    rows += diesel::update(ratings::table)
        .filter(ratings::rater_id.eq(user))
        .filter(ratings::comment.is_not_null())
        .set(ratings::comment.eq(None::<String>))
        .execute(conn)?;
    rows += diesel::update(close_requests::table)
        .filter(close_requests::requested_by.eq(user))
        .filter(close_requests::requested_by_name.ne(ERASED_NAME))
        .set(close_requests::requested_by_name.eq(ERASED_NAME))
        .execute(conn)?;
    rows += diesel::update(blacklist::table)
        .filter(blacklist::user_id.eq(user))
        .filter(blacklist::user_name.ne(ERASED_NAME))
        .set(blacklist::user_name.eq(ERASED_NAME))
        .execute(conn)?;
    rows += diesel::update(on_duty::table)
        .filter(on_duty::user_id.eq(user))
        .filter(on_duty::user_name.ne(ERASED_NAME))
        .set(on_duty::user_name.eq(ERASED_NAME))
        .execute(conn)?;
    rows += diesel::delete(panel_sessions::table)
        .filter(panel_sessions::user_id.eq(user))
        .execute(conn)?;
    Ok(rows)
}

/// Their lines in saved transcripts: blanked rows, and each affected transcript's text
/// written again from its rows; a transcript stored as text only (imported) loses the lines
/// under their names.
fn transcripts_of(
    conn: &mut DbConn,
    user: i64,
    own: &[i64],
    names: &HashSet<String>,
) -> Result<usize, Error> {
    let touched: Vec<i64> = transcript_entries::table
        .filter(transcript_entries::author_id.eq(user))
        .filter(
            transcript_entries::content
                .ne("")
                .or(transcript_entries::author_name.ne(ERASED_NAME)),
        )
        .select(transcript_entries::transcript_id)
        .distinct()
        .load(conn)?;
    let mut rows = diesel::update(transcript_entries::table)
        .filter(transcript_entries::author_id.eq(user))
        .filter(transcript_entries::transcript_id.eq_any(&touched))
        .set((
            transcript_entries::content.eq(""),
            transcript_entries::author_name.eq(ERASED_NAME),
        ))
        .execute(conn)?;
    for id in &touched {
        let entries = super::transcripts::entries_of(conn, *id)?;
        diesel::update(transcripts::table.find(*id))
            .set(transcripts::body_text.eq(render_entries(&entries)))
            .execute(conn)?;
    }
    rows += diesel::update(transcripts::table)
        .filter(transcripts::created_by.eq(user))
        .filter(transcripts::created_by_name.ne(ERASED_NAME))
        .set(transcripts::created_by_name.eq(ERASED_NAME))
        .execute(conn)?;
    if names.is_empty() {
        return Ok(rows);
    }
    let with_rows = transcript_entries::table.select(transcript_entries::transcript_id);
    let text_only: Vec<(i64, String)> = transcripts::table
        .filter(transcripts::ticket_id.eq_any(own))
        .filter(diesel::dsl::not(transcripts::id.eq_any(with_rows)))
        .select((transcripts::id, transcripts::body_text))
        .load(conn)?;
    for (id, body) in text_only {
        let mut entries = parse_transcript(&body);
        let mut changed = false;
        for entry in &mut entries {
            if entry.author.as_ref().is_some_and(|a| names.contains(a)) {
                entry.author = Some(ERASED_NAME.to_owned());
                entry.content.clear();
                changed = true;
            }
        }
        if changed {
            rows += diesel::update(transcripts::table.find(id))
                .set(transcripts::body_text.eq(render_parsed(&entries)))
                .execute(conn)?;
        }
    }
    Ok(rows)
}

/// Whether any row still names the member (by id).
fn is_known(conn: &mut DbConn, user: i64) -> Result<bool, Error> {
    use diesel::dsl::{exists, select};
    let known = select(exists(messages::table.filter(messages::author_id.eq(user))))
        .get_result::<bool>(conn)?
        || select(exists(tickets::table.filter(
            tickets::opener_id.eq(user).or(tickets::claimed_by.eq(user)),
        )))
        .get_result::<bool>(conn)?
        || select(exists(
            audit_log::table.filter(audit_log::actor_id.eq(user)),
        ))
        .get_result::<bool>(conn)?
        || select(exists(ratings::table.filter(ratings::rater_id.eq(user))))
            .get_result::<bool>(conn)?
        || select(exists(
            transcript_entries::table.filter(transcript_entries::author_id.eq(user)),
        ))
        .get_result::<bool>(conn)?;
    Ok(known)
}
