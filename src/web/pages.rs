//! The staff pages: the ticket list ([`super::list_page`]), a ticket, its transcript
//! snapshots. Read-only.

use rocket::fairing::AdHoc;
use rocket::http::uri::Origin;
use rocket::http::{ContentType, Header, Status};
use rocket::response::{Redirect, Responder};
use rocket::{Route, State, get};
use serde::Serialize;

use std::sync::Arc;

use rocket::request::FlashMessage;

use super::auth::{Auth, login_redirect};
use super::error::PanelError;
use super::guild_names::GuildNames;
use super::list_cache::ListCache;
use super::message_view::texts_of;
use super::names::{self, Mentioned};
use super::session::Staff;
use super::store;
use super::templates::{Page, Templates};
use super::text;
use super::ticket_view::{EraseLink, TicketPageView};
use super::transcript_files::ArchiveByUrl;
use super::view::{TicketSummary, TranscriptLineView, TranscriptRow, UserView, format_time};
use crate::db::Db;
use crate::transcript::parse_transcript;

#[get("/tickets/<id>?<page>")]
#[allow(clippy::too_many_arguments)]
async fn ticket(
    staff: Staff,
    id: i64,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
    auth: &State<Arc<Auth>>,
    db: &State<Db>,
    guild: &State<GuildNames>,
    templates: &State<Templates>,
) -> Result<Page, PanelError> {
    let page = page.unwrap_or(1);
    let (detail, mentioned, users) = db
        .run(move |conn| {
            let detail = store::ticket_detail(conn, id, page)?;
            let texts: Vec<String> = detail
                .messages
                .iter()
                .flat_map(texts_of)
                .chain(detail.revisions.iter().map(|r| r.content.clone()))
                .collect();
            let mentioned = Mentioned::in_texts(texts.iter().map(String::as_str));
            let users = names::user_names(conn, id, &mentioned.users)?;
            Ok((detail, mentioned, users))
        })
        .await?;
    let names = guild.names_for(&mentioned, users).await;
    let mut view = TicketPageView::of(UserView::of(&staff.0), detail, &names, guild.guild_id);
    if auth.admins.holds(&staff.0, &auth.api).await {
        view.erase = Some(EraseLink {
            url: super::erase::erase_url(id),
            label: crate::texts::ERASE_BUTTON,
        });
    }
    view.notice = super::erase::notice(flash);
    templates.page("ticket.html", &view)
}

#[derive(Debug, Serialize)]
struct TranscriptView {
    user: Option<UserView>,
    ticket: TicketSummary,
    transcript: TranscriptRow,
    lines: Vec<TranscriptLineView>,
    generated: String,
}

/// A transcript page, or the same page as a standalone file to download.
enum TranscriptResponse {
    Page(Page),
    Download { html: String, filename: String },
}

impl<'r> Responder<'r, 'static> for TranscriptResponse {
    fn respond_to(self, request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        match self {
            Self::Page(page) => page.respond_to(request),
            Self::Download { html, filename } => {
                let mut response = (ContentType::HTML, html).respond_to(request)?;
                response.set_header(Header::new(
                    "Content-Disposition",
                    format!("attachment; filename=\"{filename}\""),
                ));
                // The file carries its own stylesheet inline.
                response.set_header(Header::new(
                    "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:",
                ));
                Ok(response)
            }
        }
    }
}

#[get("/tickets/<id>/transcripts/<tid>?<download>")]
async fn transcript(
    staff: Staff,
    id: i64,
    tid: i64,
    download: Option<&str>,
    db: &State<Db>,
    guild: &State<GuildNames>,
    templates: &State<Templates>,
) -> Result<TranscriptResponse, PanelError> {
    let found = db
        .run(move |conn| {
            let Some((ticket, transcript)) = store::transcript(conn, id, tid)? else {
                return Ok(None);
            };
            let rows = crate::db::transcripts::entries_of(conn, transcript.id)?;
            let mentioned = if rows.is_empty() {
                Mentioned::in_texts([transcript.body_text.as_str()])
            } else {
                Mentioned::in_texts(rows.iter().map(|row| row.content.as_str()))
            };
            let users = names::user_names(conn, id, &mentioned.users)?;
            let archived = crate::db::attachments::of_ticket(conn, id)?;
            let archive = ArchiveByUrl::new(crate::db::attachments::with_types(conn, archived)?);
            Ok(Some((ticket, transcript, rows, mentioned, users, archive)))
        })
        .await?;
    let Some((ticket, transcript, rows, mentioned, users, archive)) = found else {
        return Err(PanelError::not_found(text::TRANSCRIPT_NOT_FOUND));
    };
    let names = guild.names_for(&mentioned, users).await;
    let meta = store::TranscriptMeta {
        id: transcript.id,
        reason: transcript.reason.clone(),
        created_by: transcript.created_by,
        created_by_name: transcript.created_by_name.clone(),
        created_at: transcript.created_at,
        message_count: transcript.message_count,
    };
    let download = download.is_some_and(|flag| !matches!(flag, "0" | "false" | ""));
    let view = TranscriptView {
        user: (!download).then(|| UserView::of(&staff.0)),
        ticket: TicketSummary::of(&ticket, Some(transcript.id)),
        transcript: TranscriptRow::of(ticket.id, &meta),
        lines: if rows.is_empty() {
            // Stored as text only (imported from the original bot, or older): its lines are
            // all there is.
            parse_transcript(&transcript.body_text)
                .iter()
                .map(|entry| TranscriptLineView::of(entry, &names))
                .collect()
        } else {
            rows.iter()
                .map(|row| TranscriptLineView::of_row(row, &names, &archive))
                .collect()
        },
        generated: format_time(crate::db::now_ms()),
    };
    if download {
        Ok(TranscriptResponse::Download {
            html: templates.render("transcript_download.html", &view)?,
            filename: format!("ticket-{}-transkript-{}.html", ticket.id, transcript.id),
        })
    } else {
        Ok(TranscriptResponse::Page(
            templates.page("transcript.html", &view)?,
        ))
    }
}

/// The original panel's address of a ticket's transcript.
#[get("/transcript/<number>")]
fn legacy_transcript(number: i64) -> Redirect {
    Redirect::permanent(format!("/tickets/{number}"))
}

// Without a session the pages above forward here, and the browser goes to the login.

#[get("/", rank = 2)]
fn index_login(origin: &Origin<'_>, staff: Option<Staff>) -> Result<Redirect, Status> {
    needs_login(origin, staff)
}

#[get("/tickets/<_..>", rank = 2)]
fn ticket_login(origin: &Origin<'_>, staff: Option<Staff>) -> Result<Redirect, Status> {
    needs_login(origin, staff)
}

/// Logged in, the address was simply wrong (say `/tickets/abc`): 404.
fn needs_login(origin: &Origin<'_>, staff: Option<Staff>) -> Result<Redirect, Status> {
    match staff {
        Some(_) => Err(Status::NotFound),
        None => Ok(login_redirect(origin)),
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![
        super::list_page::index,
        ticket,
        transcript,
        legacy_transcript,
        index_login,
        ticket_login
    ]
}

pub fn stage() -> AdHoc {
    AdHoc::on_ignite("Pages", |rocket| async move {
        rocket.manage(ListCache::default()).mount("/", routes())
    })
}
