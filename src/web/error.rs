//! Panel errors: what the person sees (a German sentence on an error page) kept apart from the
//! cause, which goes to the log with a stable code.

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Responder};
use rocket::{Catcher, catch, catchers};
use serde::Serialize;

use super::session;
use super::templates::Templates;
use super::text;
use crate::error::Error;

#[derive(Debug)]
pub struct PanelError {
    status: Status,
    code: &'static str,
    title: &'static str,
    message: &'static str,
    cause: Option<String>,
}

impl PanelError {
    fn new(status: Status, code: &'static str, title: &'static str, message: &'static str) -> Self {
        Self {
            status,
            code,
            title,
            message,
            cause: None,
        }
    }

    fn because(mut self, cause: impl Into<String>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// A login that cannot go on (forged or stale callback, token refused): 400.
    pub fn login(message: &'static str, cause: impl Into<String>) -> Self {
        Self::new(
            Status::BadRequest,
            "panel_login",
            text::TITLE_LOGIN_FAILED,
            message,
        )
        .because(cause)
    }

    /// Logged in with Discord, but not let in: 403.
    pub fn forbidden(message: &'static str, cause: impl Into<String>) -> Self {
        Self::new(
            Status::Forbidden,
            "panel_forbidden",
            text::TITLE_FORBIDDEN,
            message,
        )
        .because(cause)
    }

    /// Discord failed us during login: 502.
    pub fn upstream(message: &'static str, cause: impl Into<String>) -> Self {
        Self::new(
            Status::BadGateway,
            "panel_discord",
            text::TITLE_ERROR,
            message,
        )
        .because(cause)
    }

    pub fn not_found(message: &'static str) -> Self {
        Self::new(
            Status::NotFound,
            "panel_not_found",
            text::TITLE_NOT_FOUND,
            message,
        )
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        Self::new(
            Status::InternalServerError,
            "panel_internal",
            text::TITLE_ERROR,
            text::INTERNAL,
        )
        .because(cause)
    }

    fn log(&self) {
        let cause = self.cause.as_deref().unwrap_or("-");
        if self.status.code >= 500 {
            tracing::error!(code = self.code, status = self.status.code, "{cause}");
        } else {
            tracing::warn!(code = self.code, status = self.status.code, "{cause}");
        }
    }
}

impl From<Error> for PanelError {
    fn from(err: Error) -> Self {
        match err {
            Error::TicketNotFound(_) => Self::not_found(text::TICKET_NOT_FOUND),
            Error::DatabaseUnavailable(cause) => Self::new(
                Status::ServiceUnavailable,
                "panel_database",
                text::TITLE_ERROR,
                text::DATABASE_DOWN,
            )
            .because(cause),
            other => Self::new(
                Status::InternalServerError,
                other.code(),
                text::TITLE_ERROR,
                text::INTERNAL,
            )
            .because(other.to_string()),
        }
    }
}

/// What the message page shows.
#[derive(Debug, Serialize)]
pub struct MessageView {
    pub title: &'static str,
    pub message: &'static str,
    pub status: u16,
    pub show_login: bool,
    /// The page to come back to after the login button, percent-encoded.
    pub login_next: Option<String>,
}

impl<'r> Responder<'r, 'static> for PanelError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        self.log();
        ErrorPage::new(self.status, self.title, self.message).respond_to(request)
    }
}

/// The German message page with a status; plain text when the templates are missing.
pub struct ErrorPage {
    status: Status,
    title: &'static str,
    message: &'static str,
    show_login: bool,
    login_next: Option<String>,
}

impl ErrorPage {
    pub fn new(status: Status, title: &'static str, message: &'static str) -> Self {
        Self {
            status,
            title,
            message,
            show_login: status.code < 500,
            login_next: None,
        }
    }

    /// The login button comes back to `uri` (a path on this site) afterwards.
    pub fn logging_in_to(mut self, uri: String) -> Self {
        self.login_next = Some(url::form_urlencoded::byte_serialize(uri.as_bytes()).collect());
        self
    }

    /// Shows the login button on a server-side failure too (logging in again may help).
    pub fn offering_login(mut self) -> Self {
        self.show_login = true;
        self
    }
}

impl<'r> Responder<'r, 'static> for ErrorPage {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let view = MessageView {
            title: self.title,
            message: self.message,
            status: self.status.code,
            show_login: self.show_login,
            login_next: self.login_next,
        };
        let html = request
            .rocket()
            .state::<Templates>()
            .and_then(|templates| templates.render("message.html", &view).ok());
        let mut response = match html {
            Some(html) => rocket::response::content::RawHtml(html).respond_to(request)?,
            None => format!("{}: {}", self.title, self.message).respond_to(request)?,
        };
        response.set_status(self.status);
        Ok(response)
    }
}

#[catch(400)]
fn bad_request() -> ErrorPage {
    ErrorPage::new(Status::BadRequest, text::TITLE_ERROR, text::BAD_REQUEST)
}

#[catch(403)]
fn forbidden(request: &Request<'_>) -> ErrorPage {
    let message = match session::refusal(request) {
        Some(session::SessionProblem::Forbidden(message)) => {
            session::end_session(request);
            message
        }
        _ => text::MISSING_ROLE,
    };
    ErrorPage::new(Status::Forbidden, text::TITLE_FORBIDDEN, message)
}

#[catch(401)]
fn unauthorized(request: &Request<'_>) -> ErrorPage {
    ErrorPage::new(Status::Unauthorized, text::TITLE_LOGIN, text::LOGIN_NEEDED)
        .logging_in_to(request.uri().to_string())
}

#[catch(404)]
fn not_found(request: &Request<'_>) -> ErrorPage {
    // A wrong address is the visitor's business (or a crawler's), not the operator's.
    tracing::debug!(method = %request.method(), uri = %request.uri(), "no such page");
    ErrorPage::new(Status::NotFound, text::TITLE_NOT_FOUND, text::NOT_FOUND)
}

#[catch(500)]
fn internal(request: &Request<'_>) -> ErrorPage {
    // Our own failures are logged where they happen; reaching this catcher means a handler
    // panicked (Rocket's own line about it is filtered out with its request lines).
    tracing::error!(
        code = "panel_internal",
        method = %request.method(),
        uri = %request.uri(),
        "a panel request failed"
    );
    ErrorPage::new(
        Status::InternalServerError,
        text::TITLE_ERROR,
        text::INTERNAL,
    )
}

#[catch(422)]
fn unprocessable() -> ErrorPage {
    ErrorPage::new(Status::BadRequest, text::TITLE_ERROR, text::BAD_REQUEST)
}

#[catch(503)]
fn unavailable(request: &Request<'_>) -> ErrorPage {
    match session::refusal(request) {
        Some(session::SessionProblem::RoleCheckFailed) => ErrorPage::new(
            Status::ServiceUnavailable,
            text::TITLE_ROLE_CHECK_FAILED,
            text::ROLE_CHECK_FAILED,
        )
        .offering_login(),
        _ => ErrorPage::new(
            Status::ServiceUnavailable,
            text::TITLE_ERROR,
            text::DATABASE_DOWN,
        ),
    }
}

#[catch(default)]
fn other(status: Status, _request: &Request<'_>) -> ErrorPage {
    ErrorPage::new(status, text::TITLE_ERROR, text::INTERNAL)
}

pub fn catchers() -> Vec<Catcher> {
    catchers![
        bad_request,
        unauthorized,
        forbidden,
        internal,
        not_found,
        unprocessable,
        unavailable,
        other
    ]
}
