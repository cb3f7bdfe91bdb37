//! The staff pages: the ticket list, a ticket, its transcript snapshots. Read-only.

use rocket::fairing::AdHoc;
use rocket::http::uri::Origin;
use rocket::http::{ContentType, Header, Status};
use rocket::response::{Redirect, Responder};
use rocket::{FromForm, Route, State, get};
use serde::Serialize;

use super::auth::login_redirect;
use super::error::PanelError;
use super::list_cache::{ListCache, ListKey};
use super::search;
use super::session::Staff;
use super::store::{self, Cursor, ListFilter, PAGE_SIZE};
use super::templates::{Page, Templates};
use super::text;
use super::view::{
    TicketPageView, TicketSummary, TranscriptLineView, TranscriptRow, UserView, format_time,
};
use crate::db::Db;
use crate::legacy::parse_transcript;

#[derive(Debug, Serialize)]
struct StatusOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Debug, Serialize)]
struct ListView {
    user: UserView,
    status: String,
    search: String,
    statuses: Vec<StatusOption>,
    tickets: Vec<TicketSummary>,
    page: i64,
    first_number: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
    filtered: bool,
}

/// `/?status=…&q=…&page=…&before=…` with empty parts left out.
fn list_url(status: &str, search: &str, page: i64, cursor: Option<Cursor>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !status.is_empty() {
        query.append_pair("status", status);
    }
    if !search.is_empty() {
        query.append_pair("q", search);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    match cursor {
        Some(Cursor::Before(number)) => query.append_pair("before", &number.to_string()),
        Some(Cursor::After(number)) => query.append_pair("after", &number.to_string()),
        None => &mut query,
    };
    let query = query.finish();
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

/// The list's query: filter, search, page label and the pager's cursor.
#[derive(Debug, FromForm)]
struct ListQuery<'r> {
    status: Option<&'r str>,
    q: Option<&'r str>,
    page: Option<i64>,
    before: Option<i64>,
    after: Option<i64>,
}

#[get("/?<query..>")]
async fn index(
    staff: Staff,
    db: &State<Db>,
    templates: &State<Templates>,
    cache: &State<ListCache>,
    query: ListQuery<'_>,
) -> Result<Page, PanelError> {
    let ListQuery {
        status,
        q,
        page,
        before,
        after,
    } = query;
    let status = status
        .filter(|s| text::STATUS_FILTERS.contains(s))
        .unwrap_or("")
        .to_owned();
    let search = q.and_then(search::search_term).unwrap_or_default();
    let page = page.unwrap_or(1).clamp(1, store::MAX_PAGE);
    let cursor = before
        .map(Cursor::Before)
        .or(after.map(Cursor::After))
        .filter(|_| page > 1);
    let filter = ListFilter {
        status: (!status.is_empty()).then(|| status.clone()),
        search: (!search.is_empty()).then(|| search.clone()),
        page,
        cursor,
    };
    let user = UserView::of(&staff.0);
    let key = search.is_empty().then(|| ListKey {
        user_id: user.id.clone(),
        user_name: user.name.clone(),
        avatar_url: user.avatar_url.clone(),
        csrf: user.csrf.clone(),
        status: status.clone(),
        page,
        cursor,
    });
    // The change count is read before the tickets: a page kept under it is never older.
    let version = match &key {
        Some(key) => {
            let version = db.run_short(store::panel_version).await?;
            if let Some(html) = cache.get(key, version) {
                return Ok(Page::html(html));
            }
            Some(version)
        }
        None => None,
    };
    let listed = db
        .run(move |conn| store::list_tickets(conn, &filter))
        .await?;
    let view = ListView {
        user,
        statuses: text::STATUS_FILTERS
            .iter()
            .map(|value| StatusOption {
                value,
                label: text::status_label(value),
                selected: *value == status,
            })
            .collect(),
        tickets: listed
            .tickets
            .iter()
            .map(|t| TicketSummary::of(t, listed.latest_transcript.get(&t.id).copied()))
            .collect(),
        page,
        first_number: (page - 1) * PAGE_SIZE + 1,
        // The pager starts the next page beside this one's last or first ticket.
        prev_url: listed.has_newer.then(|| match listed.tickets.first() {
            Some(first) if page > 2 => {
                list_url(&status, &search, page - 1, Some(Cursor::After(first.id)))
            }
            _ => list_url(&status, &search, (page - 1).max(1), None),
        }),
        next_url: listed
            .has_older
            .then(|| listed.tickets.last())
            .flatten()
            .map(|last| list_url(&status, &search, page + 1, Some(Cursor::Before(last.id)))),
        filtered: !status.is_empty() || !search.is_empty(),
        status,
        search,
    };
    let html = templates.render("list.html", &view)?;
    if let (Some(key), Some(version)) = (key, version) {
        cache.put(key, version, html.clone());
    }
    Ok(Page::html(html))
}

#[get("/tickets/<id>?<page>")]
async fn ticket(
    staff: Staff,
    id: i64,
    page: Option<i64>,
    db: &State<Db>,
    templates: &State<Templates>,
) -> Result<Page, PanelError> {
    let page = page.unwrap_or(1);
    let detail = db
        .run(move |conn| store::ticket_detail(conn, id, page))
        .await?;
    templates.page(
        "ticket.html",
        &TicketPageView::of(UserView::of(&staff.0), detail),
    )
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
    templates: &State<Templates>,
) -> Result<TranscriptResponse, PanelError> {
    let found = db
        .run(move |conn| {
            let Some((ticket, transcript)) = store::transcript(conn, id, tid)? else {
                return Ok(None);
            };
            let rows = crate::db::transcripts::entries_of(conn, transcript.id)?;
            Ok(Some((ticket, transcript, rows)))
        })
        .await?;
    let Some((ticket, transcript, rows)) = found else {
        return Err(PanelError::not_found(text::TRANSCRIPT_NOT_FOUND));
    };
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
                .map(TranscriptLineView::of)
                .collect()
        } else {
            rows.iter().map(TranscriptLineView::of_row).collect()
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
        index,
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
