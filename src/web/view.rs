//! What the templates get: plain, already formatted values. Text that may hold markup is
//! rendered here by [`markdown::render`]; everything else is escaped by Tera.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::markdown;
use super::portrait::{avatar_url, colour_class, initials};
use super::session::Session;
use super::store::{TicketDetail, TranscriptMeta};
use super::text;
use crate::db::models::{AuditEntry, Message, MessageRevision, Ticket, TranscriptEntryRow};
use crate::transcript::TranscriptEntry;

/// `25.11.2026 16:42` (UTC, as stored).
pub fn format_time(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(time) => time.format("%d.%m.%Y %H:%M").to_string(),
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

fn is_web_url(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
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
            source: ticket.verdict_source.clone(),
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
        }
    }
}

#[derive(Debug, Deserialize)]
struct StoredAttachment {
    #[serde(default)]
    filename: String,
    #[serde(default)]
    url: String,
}

#[derive(Debug, Deserialize)]
struct StoredEmbed {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AttachmentView {
    pub filename: String,
    pub url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EmbedView {
    pub title: Option<String>,
    pub html: String,
}

#[derive(Debug, Serialize)]
pub struct RevisionView {
    pub replaced: String,
    pub html: String,
}

#[derive(Debug, Serialize)]
pub struct MessageView {
    pub id: String,
    pub author_name: String,
    pub author_id: String,
    pub avatar_url: Option<String>,
    pub initials: String,
    pub colour: String,
    pub time: String,
    pub iso: String,
    pub html: String,
    pub is_ai: bool,
    pub is_bot: bool,
    pub is_opener: bool,
    pub edited: Option<String>,
    pub revisions: Vec<RevisionView>,
    pub deleted: Option<String>,
    pub attachments: Vec<AttachmentView>,
    pub embeds: Vec<EmbedView>,
}

impl MessageView {
    fn of(message: &Message, opener_id: i64, revisions: Vec<RevisionView>) -> Self {
        let attachments: Vec<StoredAttachment> =
            serde_json::from_str(&message.attachments).unwrap_or_default();
        let embeds: Vec<StoredEmbed> = serde_json::from_str(&message.embeds).unwrap_or_default();
        Self {
            id: message.id.to_string(),
            author_name: message.author_name.clone(),
            author_id: message.author_id.to_string(),
            avatar_url: avatar_url(message.author_id, message.author_avatar.as_deref()),
            initials: initials(&message.author_name),
            colour: colour_class(message.author_id, &message.author_name),
            time: format_time(message.created_at),
            iso: iso_time(message.created_at),
            html: markdown::render(&message.content),
            is_ai: message.is_ai,
            is_bot: message.author_is_bot && !message.is_ai,
            is_opener: message.author_id == opener_id && opener_id != 0,
            edited: message.edited_at.map(format_time),
            revisions,
            deleted: message.deleted_at.map(format_time),
            attachments: attachments
                .into_iter()
                .map(|a| AttachmentView {
                    filename: if a.filename.is_empty() {
                        "Anhang".to_owned()
                    } else {
                        a.filename
                    },
                    url: is_web_url(&a.url).then_some(a.url),
                })
                .collect(),
            embeds: embeds
                .into_iter()
                .filter(|e| e.title.is_some() || e.description.is_some())
                .map(|e| EmbedView {
                    title: e.title,
                    html: markdown::render(e.description.as_deref().unwrap_or("")),
                })
                .collect(),
        }
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
    fn of(entry: &AuditEntry) -> Self {
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
            reason: meta.reason.clone(),
            message_count: meta.message_count,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TicketPageView {
    pub user: UserView,
    pub ticket: TicketSummary,
    pub messages: Vec<MessageView>,
    pub audit: Vec<AuditView>,
    pub transcripts: Vec<TranscriptRow>,
    pub message_count: i64,
    pub message_page: i64,
    pub message_pages: i64,
    /// Links to the page of older and of newer messages, where there is one.
    pub older_url: Option<String>,
    pub newer_url: Option<String>,
}

impl TicketPageView {
    pub fn of(user: UserView, detail: TicketDetail) -> Self {
        let mut revisions: HashMap<i64, Vec<RevisionView>> = HashMap::new();
        for revision in &detail.revisions {
            let MessageRevision {
                message_id,
                content,
                replaced_at,
                ..
            } = revision;
            revisions
                .entry(*message_id)
                .or_default()
                .push(RevisionView {
                    replaced: format_time(*replaced_at),
                    html: markdown::render(content),
                });
        }
        let ticket = &detail.ticket;
        let latest = detail.transcripts.first().map(|meta| meta.id);
        let page_url = |page: i64| match page {
            1 => format!("/tickets/{}#verlauf", ticket.id),
            page => format!("/tickets/{}?page={page}#verlauf", ticket.id),
        };
        let page = detail.message_page;
        Self {
            message_count: detail.message_count,
            message_page: page,
            message_pages: detail.message_pages,
            older_url: (page < detail.message_pages).then(|| page_url(page + 1)),
            newer_url: (page > 1).then(|| page_url(page - 1)),
            user,
            ticket: TicketSummary::of(ticket, latest),
            messages: detail
                .messages
                .iter()
                .map(|m| {
                    MessageView::of(
                        m,
                        ticket.opener_id,
                        revisions.remove(&m.id).unwrap_or_default(),
                    )
                })
                .collect(),
            audit: detail.audit.iter().map(AuditView::of).collect(),
            transcripts: detail
                .transcripts
                .iter()
                .map(|meta| TranscriptRow::of(ticket.id, meta))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TranscriptLineView {
    pub time: Option<String>,
    pub author: Option<String>,
    pub colour: String,
    pub html: String,
}

impl TranscriptLineView {
    pub fn of(entry: &TranscriptEntry) -> Self {
        Self {
            time: entry
                .at_ms
                .map(format_time_seconds)
                .or_else(|| entry.time.clone()),
            author: entry.author.clone(),
            colour: colour_class(0, entry.author.as_deref().unwrap_or("")),
            html: markdown::render(&entry.content),
        }
    }

    pub fn of_row(row: &TranscriptEntryRow) -> Self {
        Self {
            time: Some(format_time_seconds(row.at_ms)),
            author: Some(row.author_name.clone()),
            colour: colour_class(row.author_id, &row.author_name),
            html: markdown::render(&row.content),
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
