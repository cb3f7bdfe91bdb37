//! The panel session, kept server-side: the private cookie holds a random token, the
//! `panel_sessions` row (see [`session_store`]) who the user is, when their roles were last
//! confirmed and the CSRF token of the session's forms. Deleting the row ends the session
//! everywhere at once: logout, role loss, expiry.
//!
//! The [`Staff`] guard lets a request in only with a live session and asks Discord for the
//! member's roles again once the last confirmation is older than [`ROLE_RECHECK_MS`]; when that
//! lookup fails, access stops until one succeeds. Without a session it forwards, so a
//! lower-ranked route can send the browser to `/login`.

use std::sync::Arc;

use oauth2::CsrfToken;
use rocket::form::Form;
use rocket::http::{CookieJar, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{FromForm, Route, State, get, post};
use serde::Serialize;

use super::auth::{Auth, LOGIN_COOKIE, member_name, same_secret};
use super::error::{MessageView, PanelError};
use super::session_store::{self, SessionRow, token_hash};
use super::templates::{Page, Templates};
use super::text;
use crate::db::{Db, now_ms};
use crate::error::Error;

pub const SESSION_COOKIE: &str = "ticketbot_session";
/// How long a session lasts after login.
pub const SESSION_LIFETIME_MS: i64 = 12 * 60 * 60 * 1000;
/// Roles are confirmed with Discord again once the last confirmation is older than this; a
/// member who loses their role, or whose lookup keeps failing, is out within this time.
pub const ROLE_RECHECK_MS: i64 = 60 * 1000;

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: u64,
    pub name: String,
    pub avatar: Option<String>,
    pub roles_checked_at: i64,
    /// Proves that a POST comes from one of this session's own pages.
    pub csrf_token: String,
    token_hash: String,
}

impl Session {
    fn of(row: SessionRow) -> Option<Self> {
        Some(Self {
            user_id: u64::try_from(row.user_id).ok()?,
            name: row.name,
            avatar: row.avatar,
            roles_checked_at: row.roles_checked_at,
            csrf_token: row.csrf_token,
            token_hash: row.token_hash,
        })
    }
}

/// Starts a session for a member whose roles were just confirmed; sets the cookie.
pub async fn start(
    db: &Db,
    auth: &Auth,
    cookies: &CookieJar<'_>,
    user_id: u64,
    name: String,
    avatar: Option<String>,
) -> Result<(), PanelError> {
    let token = CsrfToken::new_random_len(32).secret().clone();
    let now = now_ms();
    let row = SessionRow {
        token_hash: token_hash(&token),
        user_id: i64::try_from(user_id)
            .map_err(|_| PanelError::internal(format!("user id {user_id} out of range")))?,
        name,
        avatar,
        csrf_token: CsrfToken::new_random_len(32).secret().clone(),
        created_at: now,
        roles_checked_at: now,
    };
    db.write(move |conn| {
        // Logins are rare: a good moment to drop sessions nobody can use any more.
        session_store::delete_expired(conn, now - SESSION_LIFETIME_MS)?;
        session_store::insert(conn, &row)
    })
    .await?;
    cookies.add_private(auth.cookie(SESSION_COOKIE, token, SESSION_LIFETIME_MS));
    Ok(())
}

/// The session the request's cookie names, if it is live; a cookie naming none is removed.
async fn current(db: &Db, cookies: &CookieJar<'_>) -> Result<Option<Session>, Error> {
    let Some(cookie) = cookies.get_private(SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(cookie.value());
    let lookup = hash.clone();
    let row = db
        .run_short(move |conn| session_store::find(conn, &lookup))
        .await?;
    let Some(row) = row else {
        cookies.remove_private(Auth::removal(SESSION_COOKIE));
        return Ok(None);
    };
    if now_ms() - row.created_at >= SESSION_LIFETIME_MS {
        cookies.remove_private(Auth::removal(SESSION_COOKIE));
        db.write(move |conn| session_store::delete(conn, &hash))
            .await?;
        return Ok(None);
    }
    Ok(Session::of(row))
}

/// A logged-in member holding an allowed role.
#[derive(Debug, Clone)]
pub struct Staff(pub Session);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Staff {
    type Error = &'static str;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let outcome = request
            .local_cache_async(async { check_session(request).await })
            .await;
        match outcome {
            Ok(staff) => Outcome::Success(staff.clone()),
            Err(SessionProblem::Missing) => Outcome::Forward(Status::Unauthorized),
            Err(SessionProblem::Forbidden(message)) => Outcome::Error((Status::Forbidden, message)),
            Err(SessionProblem::RoleCheckFailed) => {
                Outcome::Error((Status::ServiceUnavailable, text::ROLE_CHECK_FAILED))
            }
            Err(SessionProblem::Database) => {
                Outcome::Error((Status::ServiceUnavailable, text::DATABASE_DOWN))
            }
        }
    }
}

/// Why the [`Staff`] guard refused a request; cached per request so catchers can explain it.
#[derive(Debug, Clone)]
pub enum SessionProblem {
    Missing,
    Forbidden(&'static str),
    /// Discord could not be asked for the member's roles, and the last answer is too old.
    RoleCheckFailed,
    Database,
}

async fn check_session(request: &Request<'_>) -> Result<Staff, SessionProblem> {
    let rocket = request.rocket();
    let (Some(auth), Some(db)) = (rocket.state::<Arc<Auth>>(), rocket.state::<Db>()) else {
        tracing::error!(
            code = "panel_auth_missing",
            "the auth stage or the database is not attached"
        );
        return Err(SessionProblem::Database);
    };
    let session = match current(db, request.cookies()).await {
        Ok(Some(session)) => session,
        Ok(None) => return Err(SessionProblem::Missing),
        Err(err) => {
            tracing::error!(code = "panel_session_db", "reading the session: {err}");
            return Err(SessionProblem::Database);
        }
    };
    let now = now_ms();
    if now - session.roles_checked_at < ROLE_RECHECK_MS {
        return Ok(Staff(session));
    }
    let user = session.user_id;
    match auth.api.member(user).await {
        Ok(Some(member)) if auth.allows(&member) => {
            auth.admins.record(user, &member, now);
            let name = member_name(&member).unwrap_or(session.name.clone());
            let (hash, stored_name) = (session.token_hash.clone(), name.clone());
            let confirmed = db
                .write(move |conn| session_store::roles_confirmed(conn, &hash, &stored_name, now))
                .await;
            if let Err(err) = confirmed {
                // The member is confirmed for this request; the next one asks again.
                tracing::warn!(user, "recording the role check failed: {err}");
            }
            Ok(Staff(Session {
                name,
                roles_checked_at: now,
                ..session
            }))
        }
        Ok(found) => {
            tracing::info!(
                user,
                member = found.is_some(),
                "panel session ended: the user no longer holds an allowed role"
            );
            let hash = session.token_hash.clone();
            if let Err(err) = db
                .write(move |conn| session_store::delete(conn, &hash))
                .await
            {
                tracing::error!(user, "ending the session failed: {err}");
            }
            Err(SessionProblem::Forbidden(if found.is_some() {
                text::MISSING_ROLE
            } else {
                text::NOT_A_MEMBER
            }))
        }
        Err(err) => {
            // The session stays: the next request asks Discord again and, once it answers
            // with the role, lets the member back in.
            tracing::warn!(
                user,
                checked_ago_ms = now - session.roles_checked_at,
                "role re-check failed, access refused until it succeeds: {err}"
            );
            Err(SessionProblem::RoleCheckFailed)
        }
    }
}

/// The guard's refusal for this request, if it refused one.
pub fn refusal(request: &Request<'_>) -> Option<SessionProblem> {
    request
        .local_cache(|| Err::<Staff, SessionProblem>(SessionProblem::Missing))
        .as_ref()
        .err()
        .filter(|problem| !matches!(problem, SessionProblem::Missing))
        .cloned()
}

/// Removes the session cookie (a catcher's cookie changes are the ones that reach the browser).
pub fn end_session(request: &Request<'_>) {
    request
        .cookies()
        .remove_private(Auth::removal(SESSION_COOKIE));
}

/// The logout confirmation: a form, so that following a link never logs anyone out.
#[derive(Debug, Serialize)]
struct LogoutView {
    csrf: String,
}

#[get("/logout")]
async fn logout_page(
    db: &State<Db>,
    cookies: &CookieJar<'_>,
    templates: &State<Templates>,
) -> Result<Page, PanelError> {
    match current(db, cookies).await? {
        Some(session) => templates.page(
            "logout.html",
            &LogoutView {
                csrf: session.csrf_token,
            },
        ),
        None => logged_out_page(templates),
    }
}

#[derive(Debug, FromForm)]
struct LogoutForm<'r> {
    csrf: Option<&'r str>,
}

#[post("/logout", data = "<form>")]
async fn logout(
    db: &State<Db>,
    cookies: &CookieJar<'_>,
    templates: &State<Templates>,
    form: Option<Form<LogoutForm<'_>>>,
) -> Result<Page, PanelError> {
    let csrf = form.as_ref().and_then(|form| form.csrf);
    if let Some(session) = current(db, cookies).await? {
        if !csrf.is_some_and(|csrf| same_secret(csrf, &session.csrf_token)) {
            return Err(PanelError::forbidden(
                text::LOGOUT_UNCONFIRMED,
                format!("logout of user {} without its CSRF token", session.user_id),
            ));
        }
        let hash = session.token_hash.clone();
        db.write(move |conn| session_store::delete(conn, &hash))
            .await?;
        tracing::info!(user = session.user_id, "panel logout");
    }
    cookies.remove_private(Auth::removal(SESSION_COOKIE));
    cookies.remove_private(Auth::removal(LOGIN_COOKIE));
    logged_out_page(templates)
}

fn logged_out_page(templates: &Templates) -> Result<Page, PanelError> {
    templates.page(
        "message.html",
        &MessageView {
            title: text::TITLE_LOGGED_OUT,
            message: text::LOGGED_OUT,
            status: 200,
            show_login: true,
            login_next: None,
        },
    )
}

pub fn routes() -> Vec<Route> {
    rocket::routes![logout_page, logout]
}
