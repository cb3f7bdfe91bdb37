//! Rows as the program sees them.

use diesel::prelude::*;

use super::schema::{
    ai_turns, audit_log, blacklist, close_requests, message_revisions, messages, ratings, tags,
    tickets, transcript_entries, transcripts,
};

pub use super::status::{AiState, TicketStatus};

#[derive(Debug, Clone, Selectable, Identifiable)]
#[diesel(table_name = tickets)]
pub struct Ticket {
    pub id: i64,
    pub opener_id: i64,
    pub opener_name: String,
    pub channel_id: Option<i64>,
    pub status: TicketStatus,
    pub claimed_by: Option<i64>,
    pub claimed_by_name: Option<String>,
    pub welcome_message_id: Option<i64>,
    pub created_at: i64,
    pub claimed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub degraded: bool,
    pub ai_state: AiState,
    pub ai_uncooperative: i32,
    pub ai_turns: i32,
    pub ai_tokens: i64,
    pub ai_answered_up_to: Option<i64>,
    pub verdict_source: Option<String>,
    pub verdict_ban_id: Option<String>,
    pub verdict_player_name: Option<String>,
    pub verdict_ban_reason: Option<String>,
    pub verdict_cooperative: Option<bool>,
    pub verdict_summary: Option<String>,
    pub verdict_at: Option<i64>,
    /// Every message of the channel up to this Discord id is stored; the next catch-up on
    /// channel history starts here.
    pub history_synced_id: Option<i64>,
    /// Why the ticket was last closed, when a reason was given.
    pub close_reason: Option<String>,
}

/// A `tickets` row as stored, before its enums are read.
#[derive(Queryable)]
pub struct TicketRow {
    id: i64,
    opener_id: i64,
    opener_name: String,
    channel_id: Option<i64>,
    status: String,
    claimed_by: Option<i64>,
    claimed_by_name: Option<String>,
    welcome_message_id: Option<i64>,
    created_at: i64,
    claimed_at: Option<i64>,
    closed_at: Option<i64>,
    deleted_at: Option<i64>,
    degraded: bool,
    ai_state: String,
    ai_uncooperative: i32,
    ai_turns: i32,
    ai_tokens: i64,
    ai_answered_up_to: Option<i64>,
    verdict_source: Option<String>,
    verdict_ban_id: Option<String>,
    verdict_player_name: Option<String>,
    verdict_ban_reason: Option<String>,
    verdict_cooperative: Option<bool>,
    verdict_summary: Option<String>,
    verdict_at: Option<i64>,
    history_synced_id: Option<i64>,
    close_reason: Option<String>,
}

/// Loaded through [`TicketRow`]: a status or AI state no version of the bot writes is an error
/// that names the ticket, not a silent default.
impl<ST, DB> Queryable<ST, DB> for Ticket
where
    DB: diesel::backend::Backend,
    TicketRow: Queryable<ST, DB>,
{
    type Row = <TicketRow as Queryable<ST, DB>>::Row;

    fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
        let row = TicketRow::build(row)?;
        let unknown = |what: &str, value: &str| {
            format!(
                "ticket #{}: unknown {what} {value:?} in the database",
                row.id
            )
        };
        let status =
            TicketStatus::parse(&row.status).ok_or_else(|| unknown("status", &row.status))?;
        let ai_state =
            AiState::parse(&row.ai_state).ok_or_else(|| unknown("AI state", &row.ai_state))?;
        Ok(Self {
            status,
            ai_state,
            id: row.id,
            opener_id: row.opener_id,
            opener_name: row.opener_name,
            channel_id: row.channel_id,
            claimed_by: row.claimed_by,
            claimed_by_name: row.claimed_by_name,
            welcome_message_id: row.welcome_message_id,
            created_at: row.created_at,
            claimed_at: row.claimed_at,
            closed_at: row.closed_at,
            deleted_at: row.deleted_at,
            degraded: row.degraded,
            ai_uncooperative: row.ai_uncooperative,
            ai_turns: row.ai_turns,
            ai_tokens: row.ai_tokens,
            ai_answered_up_to: row.ai_answered_up_to,
            verdict_source: row.verdict_source,
            verdict_ban_id: row.verdict_ban_id,
            verdict_player_name: row.verdict_player_name,
            verdict_ban_reason: row.verdict_ban_reason,
            verdict_cooperative: row.verdict_cooperative,
            verdict_summary: row.verdict_summary,
            verdict_at: row.verdict_at,
            history_synced_id: row.history_synced_id,
            close_reason: row.close_reason,
        })
    }
}

impl Ticket {
    pub fn status(&self) -> TicketStatus {
        self.status
    }

    /// An open ticket `id` of `opener` with its welcome up, for unit tests.
    #[cfg(test)]
    pub fn sample(id: i64, opener: i64) -> Self {
        Self {
            id,
            opener_id: opener,
            opener_name: "Opener".into(),
            channel_id: Some(7_000),
            status: TicketStatus::Open,
            claimed_by: None,
            claimed_by_name: None,
            welcome_message_id: Some(1),
            created_at: 0,
            claimed_at: None,
            closed_at: None,
            deleted_at: None,
            degraded: false,
            ai_state: AiState::Active,
            ai_uncooperative: 0,
            ai_turns: 0,
            ai_tokens: 0,
            ai_answered_up_to: None,
            verdict_source: None,
            verdict_ban_id: None,
            verdict_player_name: None,
            verdict_ban_reason: None,
            verdict_cooperative: None,
            verdict_summary: None,
            verdict_at: None,
            history_synced_id: None,
            close_reason: None,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
pub struct NewTicket<'a> {
    pub opener_id: i64,
    pub opener_name: &'a str,
    pub status: &'a str,
    pub created_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: i64,
    pub ticket_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub author_avatar: Option<String>,
    pub author_is_bot: bool,
    pub is_ai: bool,
    pub content: String,
    /// JSON array of `{title, description}`.
    pub embeds: String,
    /// JSON array of `{id, filename, url, content_type, size}` (older rows: `{filename, url}`);
    /// the archived copies are in `message_attachments`.
    pub attachments: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = message_revisions)]
pub struct MessageRevision {
    pub id: i64,
    pub message_id: i64,
    pub content: String,
    pub replaced_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = transcripts)]
pub struct Transcript {
    pub id: i64,
    pub ticket_id: i64,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub message_count: i32,
    pub body_text: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = transcripts)]
pub struct NewTranscript {
    pub ticket_id: i64,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub message_count: i32,
    pub body_text: String,
}

/// One message of a transcript snapshot, as it stood when the snapshot was taken.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = transcript_entries)]
pub struct TranscriptEntryRow {
    pub transcript_id: i64,
    pub position: i32,
    pub at_ms: i64,
    pub author_id: i64,
    pub author_name: String,
    pub author_is_bot: bool,
    pub is_ai: bool,
    /// The message as the transcript shows it: text, embeds, attachments, marks.
    pub content: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub action: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry {
    pub ticket_id: Option<i64>,
    pub action: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

impl NewAuditEntry {
    /// An audit row of `action` by `who` (None: the bot itself), written now.
    pub fn new(
        ticket_id: Option<i64>,
        action: crate::audit::AuditAction,
        who: Option<&crate::who::Who>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            ticket_id,
            action: action.as_str().to_owned(),
            actor_id: who.map(|w| crate::ids::stored(w.id)),
            actor_name: who.map(|w| w.name.clone()),
            detail: detail.into(),
            created_at: super::now_ms(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ai_turns)]
pub struct AiTurn {
    pub id: i64,
    pub ticket_id: i64,
    pub role: String,
    pub content: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = ai_turns)]
pub struct NewAiTurn {
    pub ticket_id: i64,
    pub role: String,
    pub content: String,
    pub created_at: i64,
}

/// A member who may not open tickets.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = blacklist)]
pub struct BlacklistEntry {
    pub user_id: i64,
    pub user_name: String,
    pub reason: String,
    pub added_by: i64,
    pub added_at: i64,
}

/// A saved answer staff post with `/tag`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tags)]
pub struct Tag {
    pub name: String,
    pub body: String,
    pub updated_by: i64,
    pub updated_at: i64,
}

/// A `/ticket closerequest`; `state` is one of [`CloseRequest::PENDING`] and the answers.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = close_requests)]
pub struct CloseRequest {
    pub id: i64,
    pub ticket_id: i64,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub reason: Option<String>,
    /// The message with the opener's buttons, once posted.
    pub message_id: Option<i64>,
    pub state: String,
    pub created_at: i64,
    /// When no answer closes the ticket (Unix ms).
    pub due_at: i64,
    pub answered_at: Option<i64>,
}

impl CloseRequest {
    pub const PENDING: &'static str = "pending";
    /// The opener confirmed; the ticket was closed.
    pub const CONFIRMED: &'static str = "confirmed";
    /// The opener kept the ticket open.
    pub const KEPT: &'static str = "kept";
    /// Nobody answered in time; the ticket was closed.
    pub const EXPIRED: &'static str = "expired";
    /// The ticket was closed another way while the request waited.
    pub const SUPERSEDED: &'static str = "superseded";

    pub fn is_pending(&self) -> bool {
        self.state == Self::PENDING
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = close_requests)]
pub struct NewCloseRequest {
    pub ticket_id: i64,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub reason: Option<String>,
    pub state: &'static str,
    pub created_at: i64,
    pub due_at: i64,
}

/// The opener's rating of a ticket: 1 … 5 stars and an optional comment.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ratings)]
pub struct Rating {
    pub ticket_id: i64,
    pub rater_id: i64,
    pub stars: i32,
    pub comment: Option<String>,
    pub rated_at: i64,
    pub commented_at: Option<i64>,
}
