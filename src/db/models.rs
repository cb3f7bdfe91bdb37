//! Rows as the program sees them.

use diesel::prelude::*;

use super::schema::{
    ai_turns, audit_log, message_revisions, messages, tickets, transcript_entries, transcripts,
};

/// Where a ticket is in its life. Stored as text in `tickets.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStatus {
    /// Row reserved, channel not created yet.
    Opening,
    Open,
    Claimed,
    Closed,
    Deleted,
    /// Creating the channel failed; the reservation is released.
    Failed,
}

impl TicketStatus {
    pub const ACTIVE: [&'static str; 3] = ["opening", "open", "claimed"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opening => "opening",
            Self::Open => "open",
            Self::Claimed => "claimed",
            Self::Closed => "closed",
            Self::Deleted => "deleted",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "opening" => Self::Opening,
            "open" => Self::Open,
            "claimed" => Self::Claimed,
            "closed" => Self::Closed,
            "deleted" => Self::Deleted,
            _ => Self::Failed,
        }
    }

    /// Open or claimed: the ticket still takes part in the conversation.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::Claimed)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = tickets)]
pub struct Ticket {
    pub id: i64,
    pub opener_id: i64,
    pub opener_name: String,
    pub channel_id: Option<i64>,
    pub status: String,
    pub claimed_by: Option<i64>,
    pub claimed_by_name: Option<String>,
    pub welcome_message_id: Option<i64>,
    pub created_at: i64,
    pub claimed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub degraded: bool,
    pub ai_state: String,
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
}

impl Ticket {
    pub fn status(&self) -> TicketStatus {
        TicketStatus::parse(&self.status)
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
    /// JSON array of `{filename, url}`.
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
            actor_id: who.map(|w| w.id as i64),
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
