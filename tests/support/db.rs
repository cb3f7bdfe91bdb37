//! A fresh database per test: a SQLite file in a temporary directory, or a new database on
//! the PostgreSQL server CI started (`TICKETBOT_TEST_POSTGRES`).

use diesel::{Connection, PgConnection, RunQueryDsl};

pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A SQLite file in `dir`, which the caller keeps (e.g. on a small tmpfs).
    pub fn sqlite_in(dir: &std::path::Path) -> Self {
        Self {
            url: format!("sqlite://{}", dir.join("tickets.sqlite").display()),
            _dir: None,
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("tickets.sqlite").display());
        Self {
            url,
            _dir: Some(dir),
        }
    }
}

/// A new, empty PostgreSQL database, or `None` with the reason printed.
pub fn postgres_or_skip(test: &str) -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("TICKETBOT_TEST_POSTGRES") else {
        eprintln!(
            "SKIPPED {test}: TICKETBOT_TEST_POSTGRES is not set (.ci/run starts a server and sets it)"
        );
        return None;
    };
    let mut admin = match PgConnection::establish(&admin_url) {
        Ok(conn) => conn,
        Err(err) => {
            eprintln!("SKIPPED {test}: cannot reach PostgreSQL at {admin_url}: {err}");
            return None;
        }
    };
    let name = format!(
        "ticketbot_test_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    Some(TestDb {
        url: format!("{base}/{name}"),
        _dir: None,
    })
}
