//! The commands beside running the bot: `migrate`, `status` and `restart-ticket`. They need
//! only `DATABASE_URL`, so they work with a `.env` that is not complete yet, and they speak
//! English like the configuration errors.

mod forget;
mod migrate;
mod restart_ticket;
mod status;

use std::path::PathBuf;

pub use forget::forget;
pub use migrate::migrate;
pub use restart_ticket::restart_ticket;
pub use status::status;

use crate::config::DEFAULT_DATABASE_URL;
use crate::db::{Backend, redact};

/// The database a command works on, and whether the operator named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSetting {
    pub url: String,
    /// `DATABASE_URL` was set (in the environment or the env file); otherwise the default.
    pub from_env: bool,
}

impl DatabaseSetting {
    /// `DATABASE_URL` from the environment (which the env file has filled), or the default.
    pub fn from_env() -> Self {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => Self {
                url,
                from_env: true,
            },
            _ => Self {
                url: DEFAULT_DATABASE_URL.to_owned(),
                from_env: false,
            },
        }
    }

    /// The database for the terminal: an SQLite file by its absolute path (a relative one
    /// depends on the working directory), PostgreSQL with its password masked.
    pub fn shown(&self) -> String {
        match Backend::from_url(&self.url) {
            Ok(Backend::Sqlite { path }) => format!("sqlite://{}", absolute(&path).display()),
            _ => redact(&self.url),
        }
    }

    /// Where the URL came from, for a message that says how to point elsewhere.
    pub fn source(&self) -> &'static str {
        if self.from_env {
            "from DATABASE_URL"
        } else {
            "the default, as DATABASE_URL is not set"
        }
    }
}

/// `path` joined to the working directory when it is relative.
pub fn absolute(path: &str) -> PathBuf {
    let path = PathBuf::from(path);
    if path.is_absolute() {
        return path;
    }
    std::env::current_dir().map_or_else(|_| path.clone(), |dir| dir.join(&path))
}

/// `count` and `noun`, with an `s` unless `count` is 1.
pub fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
