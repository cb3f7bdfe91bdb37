//! Which database a `DATABASE_URL` names, and how to show it: every message that carries the
//! URL or a connection error goes through [`redact`] or [`Backend::scrub`], so a password never
//! reaches a log or the terminal.

use super::ConfigError;

/// Used when `DATABASE_URL` is unset or empty.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://tickets.sqlite";

/// The database URL a `DATABASE_URL` value names: the default when unset or blank.
pub fn url_or_default(value: Option<String>) -> String {
    value
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// Which database a `DATABASE_URL` names, and the address diesel connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite { path: String },
    Postgres { url: String },
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres {
                url: url.to_owned(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or("");
        if path.is_empty() {
            return Err(ConfigError {
                key: "DATABASE_URL".into(),
                problem: format!(
                    "expected sqlite://<file> or postgres://user:password@host/database, got {:?}",
                    redact(url)
                ),
            });
        }
        Ok(Self::Sqlite {
            path: path.to_owned(),
        })
    }

    /// `text` (an error from the driver) with the URL's password masked, in case the driver
    /// repeats what it was given.
    pub fn scrub(&self, text: &str) -> String {
        match self {
            Self::Postgres { url } => match password(url) {
                Some(password) if !password.is_empty() => text.replace(&password, "***"),
                _ => text.to_owned(),
            },
            Self::Sqlite { .. } => text.to_owned(),
        }
    }
}

/// The password of a `scheme://user:password@host…` URL, percent-encoded or not.
fn password(url: &str) -> Option<String> {
    let authority = url.split_once("://")?.1.split(['/', '?', '#']).next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    Some(userinfo.split_once(':')?.1.to_owned())
}

/// A database URL with its password masked, for messages and logs. Works on URLs that do not
/// parse too (a typo in the scheme must not print the password).
pub fn redact(url: &str) -> String {
    match password(url) {
        Some(secret) if !secret.is_empty() => url.replacen(&format!(":{secret}@"), ":***@", 1),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_masks_the_password_of_any_url() {
        for (url, shown) in [
            (
                "postgres://bob:hunter2@db:5432/tickets",
                "postgres://bob:***@db:5432/tickets",
            ),
            ("postgress://bob:hunter2@db/x", "postgress://bob:***@db/x"),
            ("postgres://bob:p%40ss@db/x", "postgres://bob:***@db/x"),
            ("postgres://bob@db/x", "postgres://bob@db/x"),
            ("sqlite://tickets.sqlite", "sqlite://tickets.sqlite"),
        ] {
            assert_eq!(redact(url), shown);
        }
    }
}
