//! What the ticket page shows: the ticket, one page of its conversation, its history, links
//! into Discord and the opener's other tickets.

use std::collections::HashMap;

use serde::Serialize;

use super::markdown;
use super::message_view::{MessageView, RevisionView};
use super::names::Names;
use super::store::TicketDetail;
use super::view::{AuditView, TicketSummary, TranscriptRow, UserView, format_time};
use crate::db::models::MessageRevision;

/// Where the ticket's channel and its opener open in Discord (app or browser).
#[derive(Debug, Serialize)]
pub struct DiscordLinks {
    pub channel: Option<String>,
    pub opener: String,
}

#[derive(Debug, Serialize)]
pub struct TicketPageView {
    pub user: UserView,
    pub ticket: TicketSummary,
    pub discord: DiscordLinks,
    pub messages: Vec<MessageView>,
    pub audit: Vec<AuditView>,
    pub transcripts: Vec<TranscriptRow>,
    /// The ban database's evidence images and the text read in them.
    pub evidence: Vec<EvidenceView>,
    /// Why the ticket was last closed, when a reason was given.
    pub close_reason: Option<String>,
    pub rating: Option<RatingView>,
    /// The opener's other tickets, newest first.
    pub other_tickets: Vec<TicketSummary>,
    pub message_count: i64,
    pub message_page: i64,
    pub message_pages: i64,
    /// Links to the page of older and of newer messages, where there is one.
    pub older_url: Option<String>,
    pub newer_url: Option<String>,
    /// The admin action "Daten löschen" for the opener: only for holders of the admin role.
    pub erase: Option<EraseLink>,
    /// What an action just did (the erasure's outcome).
    pub notice: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EraseLink {
    pub url: String,
    pub label: &'static str,
}

/// One evidence image: the archived copy (when stored), the text read, or why there is none.
#[derive(Debug, Serialize)]
pub struct EvidenceView {
    pub url: String,
    pub image: Option<String>,
    pub text: Option<String>,
    pub error: Option<String>,
}

/// The opener's rating: stars out of five and their comment.
#[derive(Debug, Serialize)]
pub struct RatingView {
    pub stars: i32,
    pub comment: Option<String>,
    pub rated: String,
}

impl TicketPageView {
    pub fn of(user: UserView, detail: TicketDetail, names: &Names, guild_id: u64) -> Self {
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
                    html: markdown::render_with(content, names),
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
            erase: None,
            notice: None,
            user,
            discord: DiscordLinks {
                channel: ticket
                    .channel_id
                    .filter(|_| ticket.deleted_at.is_none())
                    .map(|channel| format!("https://discord.com/channels/{guild_id}/{channel}")),
                opener: format!("https://discord.com/users/{}", ticket.opener_id),
            },
            close_reason: ticket.close_reason.clone(),
            rating: detail.rating.as_ref().map(|r| RatingView {
                stars: r.stars,
                comment: r.comment.clone(),
                rated: format_time(r.rated_at),
            }),
            ticket: TicketSummary::of(ticket, latest),
            messages: detail
                .messages
                .iter()
                .map(|m| {
                    let archived: Vec<_> = detail
                        .archived
                        .iter()
                        .filter(|(row, _)| row.message_id == m.id)
                        .collect();
                    MessageView::of(
                        m,
                        ticket.opener_id,
                        revisions.remove(&m.id).unwrap_or_default(),
                        names,
                    )
                    .with_archive(&archived)
                })
                .collect(),
            audit: detail.audit.iter().map(AuditView::of).collect(),
            evidence: detail
                .evidence
                .iter()
                .map(|row| EvidenceView {
                    url: row.url.clone(),
                    image: row
                        .sha256
                        .as_deref()
                        .map(|hash| super::files::file_url(ticket.id, hash)),
                    text: row.text.clone(),
                    error: row.error.clone(),
                })
                .collect(),
            transcripts: detail
                .transcripts
                .iter()
                .map(|meta| TranscriptRow::of(ticket.id, meta))
                .collect(),
            other_tickets: detail
                .other_tickets
                .iter()
                .map(|other| TicketSummary::of(other, None))
                .collect(),
        }
    }
}
