//! What the templates get: plain, already formatted values. Text that may hold markup is
//! rendered here by [`markdown::render`]; everything else is escaped by Tera.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::markdown;
use super::names::Names;
use super::portrait::{avatar_url, colour_class, initials};
use super::session::Session;
use super::store::TranscriptMeta;
use super::text;
use super::triage::{self, LastWord, WaitsOn};
use crate::db::models::{AuditEntry, Ticket, TranscriptEntryRow};
use crate::transcript::TranscriptEntry;

/// `25.11.2026 16:42` (UTC, as stored).
pub fn format_time(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(time) => time.format("%d.%m.%Y %H:%M").to_string(),
        None => "–".to_owned(),
    }
}

/// `25.11. 16:42` (UTC).
pub fn format_short(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(time) => time.format("%d.%m. %H:%M").to_string(),
        None => "–".to_owned(),
    }
}

/// `25.11.2026 16:42:05` (UTC).
pub fn format_time_seconds(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(time) => time.format("%d.%m.%Y %H:%M:%S").to_string(),
        None => "–".to_owned(),
    }
}

/// ISO 8601 for `<time datetime=…>`.
pub fn iso_time(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(time) => time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => String::new(),
    }
}

#[derive(Debug, Serialize)]
pub struct UserView {
    pub name: String,
    pub id: String,
    pub avatar_url: Option<String>,
    pub initials: String,
    /// The session's CSRF token, for the logout form in the top bar.
    pub csrf: String,
}

impl UserView {
    pub fn of(session: &Session) -> Self {
        let id = i64::try_from(session.user_id).unwrap_or(0);
        Self {
            name: session.name.clone(),
            id: session.user_id.to_string(),
            avatar_url: avatar_url(id, session.avatar.as_deref()),
            initials: initials(&session.name),
            csrf: session.csrf_token.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VerdictView {
    pub cooperative: Option<bool>,
    pub ban_id: Option<String>,
    pub player_name: Option<String>,
    pub ban_reason: Option<String>,
    pub summary: Option<String>,
    pub source: Option<String>,
    pub at: Option<String>,
}

impl VerdictView {
    fn of(ticket: &Ticket) -> Option<Self> {
        let any = ticket.verdict_cooperative.is_some()
            || ticket.verdict_ban_id.is_some()
            || ticket.verdict_summary.is_some()
            || ticket.verdict_at.is_some();
        any.then(|| Self {
            cooperative: ticket.verdict_cooperative,
            ban_id: ticket.verdict_ban_id.clone(),
            player_name: ticket.verdict_player_name.clone(),
            ban_reason: ticket.verdict_ban_reason.clone(),
            summary: ticket.verdict_summary.clone(),
            source: ticket.verdict_source.as_deref().map(text::verdict_source),
            at: ticket.verdict_at.map(format_time),
        })
    }
}

#[derive(Debug, Serialize)]
pub struct TicketSummary {
    pub id: i64,
    pub url: String,
    pub opener_name: String,
    pub opener_id: String,
    pub status: String,
    pub status_label: &'static str,
    pub claimer_name: Option<String>,
    pub claimer_id: Option<String>,
    pub opened: String,
    pub opened_iso: String,
    pub claimed: Option<String>,
    pub closed: Option<String>,
    pub deleted: Option<String>,
    pub degraded: bool,
    pub channel_id: Option<String>,
    pub verdict: Option<VerdictView>,
    pub transcript_url: Option<String>,
    /// The newest message someone wrote, or the opening when there is none.
    pub last_activity: String,
    /// Without the year, for the phone's two-line cards.
    pub last_activity_short: String,
    pub last_activity_iso: String,
    /// `team` or `opener` ([`WaitsOn::key`]) while someone works on the ticket.
    pub waits_on: Option<&'static str>,
    pub waits_label: Option<&'static str>,
}

impl TicketSummary {
    pub fn of(ticket: &Ticket, latest_transcript: Option<i64>) -> Self {
        Self {
            id: ticket.id,
            url: format!("/tickets/{}", ticket.id),
            opener_name: ticket.opener_name.clone(),
            opener_id: ticket.opener_id.to_string(),
            status: ticket.status.as_str().to_owned(),
            status_label: text::status_label(ticket.status.as_str()),
            claimer_name: ticket
                .claimed_by_name
                .clone()
                .or_else(|| ticket.claimed_by.map(|id| id.to_string())),
            claimer_id: ticket.claimed_by.map(|id| id.to_string()),
            opened: format_time(ticket.created_at),
            opened_iso: iso_time(ticket.created_at),
            claimed: ticket.claimed_at.map(format_time),
            closed: ticket.closed_at.map(format_time),
            deleted: ticket.deleted_at.map(format_time),
            degraded: ticket.degraded,
            channel_id: ticket.channel_id.map(|id| id.to_string()),
            verdict: VerdictView::of(ticket),
            transcript_url: latest_transcript
                .map(|tid| format!("/tickets/{}/transcripts/{tid}", ticket.id)),
            last_activity: format_time(ticket.created_at),
            last_activity_short: format_short(ticket.created_at),
            last_activity_iso: iso_time(ticket.created_at),
            waits_on: None,
            waits_label: None,
        }
    }

    /// With who the ticket waits on and when someone last wrote.
    pub fn with_triage(mut self, ticket: &Ticket, last: Option<&LastWord>) -> Self {
        let waits = triage::waits_on(ticket, last);
        self.waits_on = waits.map(WaitsOn::key);
        self.waits_label = waits.map(WaitsOn::label);
        if let Some(last) = last {
            self.last_activity = format_time(last.at);
            self.last_activity_short = format_short(last.at);
            self.last_activity_iso = iso_time(last.at);
        }
        self
    }
}

#[derive(Debug, Serialize)]
pub struct AuditView {
    pub time: String,
    pub action: String,
    pub label: Option<&'static str>,
    pub actor: Option<String>,
    pub detail: String,
}

impl AuditView {
    pub fn of(entry: &AuditEntry) -> Self {
        Self {
            time: format_time(entry.created_at),
            action: entry.action.clone(),
            label: text::audit_label(&entry.action),
            actor: entry
                .actor_name
                .clone()
                .or_else(|| entry.actor_id.map(|id| id.to_string())),
            detail: entry.detail.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TranscriptRow {
    pub id: i64,
    pub url: String,
    pub download_url: String,
    pub time: String,
    pub creator: Option<String>,
    pub reason: String,
    pub message_count: i32,
}

impl TranscriptRow {
    pub fn of(ticket_id: i64, meta: &TranscriptMeta) -> Self {
        let url = format!("/tickets/{ticket_id}/transcripts/{}", meta.id);
        Self {
            id: meta.id,
            download_url: format!("{url}?download=1"),
            url,
            time: format_time(meta.created_at),
            creator: meta
                .created_by_name
                .clone()
                .or_else(|| meta.created_by.map(|id| id.to_string())),
            reason: text::transcript_reason(&meta.reason),
            message_count: meta.message_count,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TranscriptLineView {
    pub time: Option<String>,
    pub author: Option<String>,
    pub colour: String,
    pub html: String,
    /// Attachments from the archive (their markers left the text).
    pub attachments: Vec<super::message_view::AttachmentView>,
}

impl TranscriptLineView {
    pub fn of(entry: &TranscriptEntry, names: &Names) -> Self {
        Self {
            time: entry
                .at_ms
                .map(format_time_seconds)
                .or_else(|| entry.time.clone()),
            author: entry.author.clone(),
            colour: colour_class(0, entry.author.as_deref().unwrap_or("")),
            html: markdown::render_with(&entry.content, names),
            attachments: Vec::new(),
        }
    }

    pub fn of_row(
        row: &TranscriptEntryRow,
        names: &Names,
        archive: &super::transcript_files::ArchiveByUrl,
    ) -> Self {
        let (content, attachments) = archive.take_attachments(&row.content);
        Self {
            time: Some(format_time_seconds(row.at_ms)),
            author: Some(row.author_name.clone()),
            colour: colour_class(row.author_id, &row.author_name),
            html: markdown::render_with(&content, names),
            attachments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::format_time;

    #[test]
    fn formats() {
        assert_eq!(format_time(0), "01.01.1970 00:00");
    }
}
