//! The panel's read queries. The list uses the primary key and the `(status, id)` index, reads
//! one page plus one row to know whether another page follows, and never counts the table.

use std::collections::HashMap;

use diesel::dsl::max;
use diesel::prelude::*;

use super::search;
use super::triage::LastWord;
use crate::db::models::{AuditEntry, Message, MessageRevision, Rating, Ticket, Transcript};
use crate::db::schema::{message_revisions, messages, panel_version, tickets, transcripts};
use crate::db::{DbConn, MultiBackend, queries};
use crate::error::Error;

pub const PAGE_SIZE: i64 = 50;
/// Messages on one page of a ticket. A 10,000-message ticket on one page is megabytes of HTML
/// and hundreds of milliseconds of rendering; the transcript snapshots hold everything at once.
pub const MESSAGE_PAGE_SIZE: i64 = 250;
/// The opener's other tickets listed on a ticket page at most.
pub const OTHER_TICKETS: i64 = 20;
/// Pages beyond this are refused (an OFFSET that large is a mistake or a crawler).
pub const MAX_PAGE: i64 = 100_000;

/// Which tickets the list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Open and claimed: the ones someone works on (the list's default).
    #[default]
    Active,
    All,
    Is(String),
    /// Claimed by this staff member and not yet closed.
    ClaimedBy(i64),
}

/// The statuses [`StatusFilter::Active`] shows.
pub const ACTIVE_STATUSES: [&str; 2] = ["open", "claimed"];

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: StatusFilter,
    pub search: Option<String>,
    /// 1-based; with a cursor only the page's label.
    pub page: i64,
    pub cursor: Option<Cursor>,
}

/// Where the pager's links start a page: next to a ticket of the page before, so a deep page
/// reads its 50 rows instead of skipping all rows above it (`OFFSET`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cursor {
    /// The tickets older than this number ("Ältere").
    Before(i64),
    /// The tickets newer than this number ("Neuere").
    After(i64),
}

#[derive(Debug)]
pub struct ListPage {
    /// Newest first.
    pub tickets: Vec<Ticket>,
    /// Ticket id → id of its newest transcript.
    pub latest_transcript: HashMap<i64, i64>,
    /// Ticket id → its newest message that someone wrote.
    pub last_words: HashMap<i64, LastWord>,
    /// Older tickets match the filter too.
    pub has_older: bool,
    /// Newer tickets match the filter too.
    pub has_newer: bool,
}

/// How often tickets and transcripts have changed (kept by triggers); read before the data it
/// vouches for, so a page cached under it is never older than it claims.
pub fn panel_version(conn: &mut DbConn) -> Result<i64, Error> {
    Ok(panel_version::table
        .select(panel_version::version)
        .first(conn)?)
}

pub fn list_tickets(conn: &mut DbConn, filter: &ListFilter) -> Result<ListPage, Error> {
    let mut query = tickets::table
        .select(Ticket::as_select())
        .into_boxed::<MultiBackend>();
    query = match &filter.status {
        StatusFilter::All => query,
        StatusFilter::Active => query.filter(tickets::status.eq_any(ACTIVE_STATUSES)),
        StatusFilter::Is(status) => query.filter(tickets::status.eq(status.clone())),
        StatusFilter::ClaimedBy(user) => query
            .filter(tickets::claimed_by.eq(*user))
            .filter(tickets::status.eq("claimed")),
    };
    // Cleaned here too, so no caller can hand the database a term it refuses.
    if let Some(search) = filter.search.as_deref().and_then(search::search_term) {
        query = query.filter(search::matches(conn, &search)?);
    }
    let page = filter.page.clamp(1, MAX_PAGE);
    let query = match filter.cursor {
        None => query
            .order(tickets::id.desc())
            .offset((page - 1) * PAGE_SIZE),
        Some(Cursor::Before(number)) => query
            .filter(tickets::id.lt(number))
            .order(tickets::id.desc()),
        // Read upwards from the cursor, shown newest first like every page.
        Some(Cursor::After(number)) => query
            .filter(tickets::id.gt(number))
            .order(tickets::id.asc()),
    };
    // One row more than a page tells whether another page follows in that direction.
    let mut rows = query.limit(PAGE_SIZE + 1).load(conn)?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let (has_older, has_newer) = match filter.cursor {
        None => (more, page > 1),
        Some(Cursor::Before(_)) => (more, true),
        Some(Cursor::After(_)) => {
            rows.reverse();
            (true, more)
        }
    };

    let ids: Vec<i64> = rows.iter().map(|ticket| ticket.id).collect();
    let latest: Vec<(i64, Option<i64>)> = if ids.is_empty() {
        Vec::new()
    } else {
        transcripts::table
            .filter(transcripts::ticket_id.eq_any(&ids))
            .group_by(transcripts::ticket_id)
            .select((transcripts::ticket_id, max(transcripts::id)))
            .load(conn)?
    };
    let last_words = last_words(conn, &ids)?;
    Ok(ListPage {
        last_words,
        tickets: rows,
        latest_transcript: latest
            .into_iter()
            .filter_map(|(ticket, newest)| newest.map(|id| (ticket, id)))
            .collect(),
        has_older,
        has_newer,
    })
}

/// The newest message someone wrote (a person or Sigrid, not the bot's notices) in each of
/// `ids`: the newest id per ticket through the `(ticket_id, id)` index, then those rows.
fn last_words(conn: &mut DbConn, ids: &[i64]) -> Result<HashMap<i64, LastWord>, Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let newest: Vec<(i64, Option<i64>)> = messages::table
        .filter(messages::ticket_id.eq_any(ids))
        .filter(
            messages::author_is_bot
                .eq(false)
                .or(messages::is_ai.eq(true)),
        )
        .group_by(messages::ticket_id)
        .select((messages::ticket_id, max(messages::id)))
        .load(conn)?;
    let message_ids: Vec<i64> = newest.into_iter().filter_map(|(_, id)| id).collect();
    if message_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64, bool, i64)> = messages::table
        .filter(messages::id.eq_any(message_ids))
        .select((
            messages::ticket_id,
            messages::author_id,
            messages::is_ai,
            messages::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(ticket, author_id, is_ai, at)| {
            (
                ticket,
                LastWord {
                    author_id,
                    is_ai,
                    at,
                },
            )
        })
        .collect())
}

/// How many tickets have each status.
pub fn status_counts(conn: &mut DbConn) -> Result<HashMap<String, i64>, Error> {
    let rows: Vec<(String, i64)> = tickets::table
        .group_by(tickets::status)
        .select((tickets::status, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// How many tickets `user` has claimed and not closed.
pub fn claimed_count(conn: &mut DbConn, user: i64) -> Result<i64, Error> {
    Ok(tickets::table
        .filter(tickets::claimed_by.eq(user))
        .filter(tickets::status.eq("claimed"))
        .count()
        .get_result(conn)?)
}

/// A transcript without its text, for lists.
#[derive(Debug, Clone, Queryable)]
pub struct TranscriptMeta {
    pub id: i64,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub message_count: i32,
}

/// Everything the ticket page shows.
#[derive(Debug)]
pub struct TicketDetail {
    pub ticket: Ticket,
    /// One page of the conversation, oldest first.
    pub messages: Vec<Message>,
    pub revisions: Vec<MessageRevision>,
    /// The archive rows of the page's messages, with their files' stored types.
    pub archived: Vec<(crate::db::attachments::AttachmentRow, Option<String>)>,
    /// The ban database's evidence images read for the ticket, with their text.
    pub evidence: Vec<crate::db::evidence::EvidenceRow>,
    pub transcripts: Vec<TranscriptMeta>,
    pub audit: Vec<AuditEntry>,
    /// The opener's other tickets, newest first (at most [`OTHER_TICKETS`]).
    pub other_tickets: Vec<Ticket>,
    /// The opener's rating from the DM at the ticket's end.
    pub rating: Option<Rating>,
    /// 1 = the newest messages; higher pages go back in time.
    pub message_page: i64,
    pub message_pages: i64,
    pub message_count: i64,
}

/// Ticket `id` with page `page` of its messages (1 = newest; clamped to the pages there are).
pub fn ticket_detail(conn: &mut DbConn, id: i64, page: i64) -> Result<TicketDetail, Error> {
    let ticket = queries::ticket(conn, id)?;
    let message_count: i64 = messages::table
        .filter(messages::ticket_id.eq(id))
        .count()
        .get_result(conn)?;
    let message_pages = ((message_count + MESSAGE_PAGE_SIZE - 1) / MESSAGE_PAGE_SIZE).max(1);
    let message_page = page.clamp(1, message_pages);
    // Pages are counted from the newest message, so the first page is always full.
    let end = message_count - (message_page - 1) * MESSAGE_PAGE_SIZE;
    let start = (end - MESSAGE_PAGE_SIZE).max(0);
    let messages: Vec<Message> = messages::table
        .filter(messages::ticket_id.eq(id))
        .order(messages::id)
        .offset(start)
        .limit(end - start)
        .select(Message::as_select())
        .load(conn)?;
    let revisions = match (messages.first(), messages.last()) {
        (Some(first), Some(last)) => message_revisions::table
            .inner_join(messages::table)
            .filter(messages::ticket_id.eq(id))
            .filter(messages::id.between(first.id, last.id))
            .order(message_revisions::id)
            .select(MessageRevision::as_select())
            .load(conn)?,
        _ => Vec::new(),
    };
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let archived = crate::db::attachments::of_messages(conn, &ids)?;
    let archived = crate::db::attachments::with_types(conn, archived)?;
    let evidence = crate::db::evidence::of_ticket(conn, id)?;
    let transcripts = transcripts::table
        .filter(transcripts::ticket_id.eq(id))
        .order(transcripts::id.desc())
        .select((
            transcripts::id,
            transcripts::reason,
            transcripts::created_by,
            transcripts::created_by_name,
            transcripts::created_at,
            transcripts::message_count,
        ))
        .load(conn)?;
    let audit = queries::audit_of(conn, id)?;
    let other_tickets = tickets::table
        .filter(tickets::opener_id.eq(ticket.opener_id))
        .filter(tickets::id.ne(id))
        .order(tickets::id.desc())
        .limit(OTHER_TICKETS)
        .select(Ticket::as_select())
        .load(conn)?;
    let rating = queries::rating_of(conn, id)?;
    Ok(TicketDetail {
        ticket,
        messages,
        revisions,
        archived,
        evidence,
        transcripts,
        audit,
        other_tickets,
        rating,
        message_page,
        message_pages,
        message_count,
    })
}

/// One transcript of one ticket, with the ticket.
pub fn transcript(
    conn: &mut DbConn,
    ticket_id: i64,
    transcript_id: i64,
) -> Result<Option<(Ticket, Transcript)>, Error> {
    let ticket = queries::ticket(conn, ticket_id)?;
    let transcript = transcripts::table
        .filter(transcripts::id.eq(transcript_id))
        .filter(transcripts::ticket_id.eq(ticket_id))
        .select(Transcript::as_select())
        .first(conn)
        .optional()?;
    Ok(transcript.map(|transcript| (ticket, transcript)))
}
