//! The crate's error type: a stable code per kind for operators, the cause kept for the log.

use crate::config::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database query failed: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database unreachable: {0}")]
    DatabaseUnavailable(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("Discord request failed: {0}")]
    Discord(#[from] twilight_http::Error),
    #[error("Discord sent an unexpected body: {0}")]
    DiscordBody(#[from] twilight_http::response::DeserializeBodyError),
    #[error("ticket #{0} does not exist")]
    TicketNotFound(i64),
    #[error("ticket actor unavailable: {0}")]
    Actor(String),
    /// Discord closed the gateway with a code that every reconnect would get again.
    #[error("{0}")]
    GatewayRefused(&'static str),
    /// Another bot holds the single-bot lease of the database; the text names it.
    #[error(
        "another bot runs on this database ({0}): stop it first, or run this one as `ticketbot panel`"
    )]
    BotRunning(String),
    /// A command was given something it cannot use (a missing file, another program's
    /// database); one line saying what and what to give instead. Exits 2 like a bad setting.
    #[error("{0}")]
    Usage(String),
    /// The attachment store (a local directory or S3) refused or failed.
    #[error("attachment store: {0}")]
    Archive(#[from] object_store::Error),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("{0} problem(s) found; fix them and run `ticketbot check` again")]
    CheckFailed(usize),
}

impl Error {
    /// A stable identifier for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "config",
            Self::Database(_) => "database",
            Self::DatabaseUnavailable(_) => "database_unavailable",
            Self::Migration(_) => "migration",
            Self::Discord(_) => "discord",
            Self::DiscordBody(_) => "discord_body",
            Self::TicketNotFound(_) => "ticket_not_found",
            Self::Actor(_) => "actor",
            Self::GatewayRefused(_) => "gateway_refused",
            Self::BotRunning(_) => "bot_running",
            Self::Usage(_) => "usage",
            Self::Archive(_) => "archive",
            Self::Internal(_) => "internal",
            Self::CheckFailed(_) => "check_failed",
        }
    }

    /// The database failed (full disk, read-only file, unreachable server): nothing was
    /// changed, and the person who clicked is told so rather than "something went wrong".
    pub fn is_storage(&self) -> bool {
        matches!(self, Self::Database(_) | Self::DatabaseUnavailable(_))
    }

    /// A storage failure that may pass (full disk, read-only or busy file, lost connection), as
    /// opposed to data the database refuses (a constraint): worth writing again later.
    pub fn is_transient_storage(&self) -> bool {
        use diesel::result::{DatabaseErrorKind as Kind, Error as Diesel};
        match self {
            Self::DatabaseUnavailable(_) => true,
            Self::Database(Diesel::DatabaseError(kind, _)) => !matches!(
                kind,
                Kind::UniqueViolation
                    | Kind::ForeignKeyViolation
                    | Kind::NotNullViolation
                    | Kind::CheckViolation
            ),
            _ => false,
        }
    }

    /// The HTTP status Discord answered with, when this is a Discord response error.
    pub fn discord_status(&self) -> Option<u16> {
        match self {
            Self::Discord(err) => match err.kind() {
                twilight_http::error::ErrorType::Response { status, .. } => Some(status.get()),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Error {
    /// Discord's JSON error code (e.g. 50007 "Cannot send messages to this user"), when this
    /// is a Discord response error that carries one.
    pub fn discord_code(&self) -> Option<u64> {
        match self {
            Self::Discord(err) => match err.kind() {
                twilight_http::error::ErrorType::Response {
                    error: twilight_http::api_error::ApiError::General(general),
                    ..
                } => Some(general.code),
                _ => None,
            },
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
