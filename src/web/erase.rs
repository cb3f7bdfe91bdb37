//! The panel's admin action "Daten löschen": erasure on request of a ticket's opener, the same
//! [`crate::erasure::forget`] as `ticketbot forget`. `GET /tickets/<n>/erase` asks first; the
//! confirmation form POSTs with the session's CSRF token. Only members holding
//! `ADMIN_ROLE_ID` may do either ([`super::admin`]); the log channel is told through Discord's
//! REST API, as the CLI does, since the panel may run without the bot.

use std::sync::Arc;

use rocket::fairing::AdHoc;
use rocket::form::Form;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, Route, State, get, post};
use serde::Serialize;

use super::auth::{Auth, same_secret};
use super::error::PanelError;
use super::session::Staff;
use super::templates::{Page, Templates};
use super::view::UserView;
use crate::attachments::FileStore;
use crate::config::Config;
use crate::db::erasure::{ErasedBy, Forgotten};
use crate::db::{Db, queries};
use crate::texts;
use crate::tickets::port::{LogEntry, ORANGE};

/// The address of the action for ticket `id`.
pub fn erase_url(id: i64) -> String {
    format!("/tickets/{id}/erase")
}

/// The notice a finished erasure leaves for the ticket page.
pub fn notice(flash: Option<FlashMessage<'_>>) -> Option<String> {
    flash.map(|flash| flash.message().to_owned())
}

async fn require_admin(staff: &Staff, auth: &Auth, what: &str) -> Result<(), PanelError> {
    if auth.admins.holds(&staff.0, &auth.api).await {
        return Ok(());
    }
    Err(PanelError::forbidden(
        texts::ERASE_ADMINS_ONLY,
        format!("{what} by user {} without the admin role", staff.0.user_id),
    ))
}

/// The opener of ticket `id` as the erasure takes them; 404 for an unknown ticket.
async fn opener_of(db: &Db, id: i64) -> Result<i64, PanelError> {
    let ticket = db.run(move |conn| queries::ticket(conn, id)).await?;
    Ok(ticket.opener_id)
}

#[derive(Debug, Serialize)]
struct EraseView {
    user: UserView,
    title: &'static str,
    ticket: i64,
    question: String,
    action: String,
    confirm: &'static str,
    csrf: String,
}

#[get("/tickets/<id>/erase")]
async fn confirm(
    staff: Staff,
    id: i64,
    auth: &State<Arc<Auth>>,
    db: &State<Db>,
    templates: &State<Templates>,
) -> Result<Page, PanelError> {
    require_admin(&staff, auth, "erasure page").await?;
    let opener = opener_of(db, id).await?;
    templates.page(
        "erase.html",
        &EraseView {
            user: UserView::of(&staff.0),
            title: texts::ERASE_TITLE,
            ticket: id,
            question: texts::erase_question(opener.unsigned_abs()),
            action: erase_url(id),
            confirm: texts::ERASE_CONFIRM,
            csrf: staff.0.csrf_token.clone(),
        },
    )
}

#[derive(Debug, FromForm)]
struct EraseForm<'r> {
    csrf: Option<&'r str>,
}

/// Where the log channel is, for the one post an erasure makes.
struct LogTarget(Arc<Config>);

#[post("/tickets/<id>/erase", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn erase(
    staff: Staff,
    id: i64,
    form: Option<Form<EraseForm<'_>>>,
    auth: &State<Arc<Auth>>,
    db: &State<Db>,
    store: &State<FileStore>,
    log: &State<LogTarget>,
) -> Result<Flash<Redirect>, PanelError> {
    require_admin(&staff, auth, "erasure").await?;
    let csrf = form.as_ref().and_then(|form| form.csrf);
    if !csrf.is_some_and(|csrf| same_secret(csrf, &staff.0.csrf_token)) {
        return Err(PanelError::forbidden(
            texts::ERASE_UNCONFIRMED,
            format!("erasure by user {} without its CSRF token", staff.0.user_id),
        ));
    }
    let opener = opener_of(db, id).await?;
    let by = ErasedBy {
        id: i64::try_from(staff.0.user_id).ok(),
        name: format!("{} ({}) via panel", staff.0.name, staff.0.user_id),
    };
    let report = crate::erasure::forget(db, store, opener, by).await?;
    let user = opener.unsigned_abs();
    for (sha256, error) in &report.files.failed {
        tracing::warn!(%sha256, %error, "file left for the next erasure or retention sweep");
    }
    let message = match &report.outcome {
        Forgotten::Erased(erasure) => {
            tracing::info!(
                admin = staff.0.user_id,
                user,
                ticket = id,
                "erasure on request from the panel"
            );
            let entry = LogEntry {
                title: texts::ERASURE_LOG_TITLE,
                ticket: None,
                actor: None,
                detail: texts::erasure_logged(
                    user,
                    erasure.tickets.len(),
                    erasure.messages,
                    report.files.deleted,
                ),
                color: ORANGE,
            };
            if let Err(err) = crate::discord::log_channel::post_without_bot(&log.0, entry).await {
                tracing::warn!(error = %err, "the log channel could not be told of the erasure");
            }
            texts::erase_done(user)
        }
        Forgotten::AlreadyErased | Forgotten::Unknown => texts::erase_nothing(user),
    };
    Ok(Flash::success(
        Redirect::to(format!("/tickets/{id}")),
        message,
    ))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![confirm, erase]
}

pub fn stage(config: Arc<Config>) -> AdHoc {
    AdHoc::on_ignite("Erasure on request", |rocket| async move {
        rocket.manage(LogTarget(config)).mount("/", routes())
    })
}
