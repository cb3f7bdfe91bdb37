//! What an existing SQLite file holds, read before anything writes to it.
//!
//! Connecting switches the file to WAL and adds diesel's migrations table, so a file that is
//! not ours must be recognised first, through a read-only connection: above all the original
//! Python bot's `tickets.sqlite`, which has a `tickets` table too and often sits under the
//! same name (our default) in the directory the new bot is started from.

use std::collections::BTreeSet;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::config::ConfigError;

/// Diesel's bookkeeping table; on its own (an interrupted first migration) it holds nothing.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// What [`inspect`] found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// No file, an empty one, or no tables yet: ours to set up.
    Empty,
    /// A database this program created.
    Ours,
    /// The original Python bot's `tickets.sqlite`.
    OriginalBot,
    /// Another program's database, with these tables.
    Foreign(Vec<String>),
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Opens `path` read-only (`mode=ro`): nothing is created or changed, and a missing file is an
/// error rather than a new empty database.
pub fn open_read_only(path: &Path) -> Result<SqliteConnection, String> {
    let absolute = path.canonicalize().map_err(|err| err.to_string())?;
    let uri = url::Url::from_file_path(&absolute)
        .map_err(|()| "the path cannot be opened as a URI".to_owned())?;
    let mut conn =
        SqliteConnection::establish(&format!("{uri}?mode=ro")).map_err(|err| err.to_string())?;
    // Waits out another process's write instead of failing at once; changes nothing on disk.
    diesel::connection::SimpleConnection::batch_execute(&mut conn, "PRAGMA busy_timeout = 10000")
        .map_err(|err| err.to_string())?;
    Ok(conn)
}

/// The names of the tables in `conn` (not SQLite's own).
pub fn table_names(conn: &mut SqliteConnection) -> QueryResult<BTreeSet<String>> {
    let rows = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .load::<NameRow>(conn)?;
    Ok(rows.into_iter().map(|row| row.name).collect())
}

/// The column names of `table` in `conn`.
pub fn column_names(conn: &mut SqliteConnection, table: &str) -> QueryResult<BTreeSet<String>> {
    let rows = diesel::sql_query("SELECT name FROM pragma_table_info(?)")
        .bind::<Text, _>(table)
        .load::<NameRow>(conn)?;
    Ok(rows.into_iter().map(|row| row.name).collect())
}

/// Reads what the file at `path` holds without changing it.
pub fn inspect(path: &Path) -> Result<Contents, String> {
    match std::fs::metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::Empty),
        Err(err) => return Err(err.to_string()),
        Ok(meta) if meta.len() == 0 => return Ok(Contents::Empty),
        Ok(_) => {}
    }
    let mut conn = open_read_only(path)?;
    let mut tables = table_names(&mut conn).map_err(|err| err.to_string())?;
    let has_migrations = tables.remove(MIGRATIONS_TABLE);
    if tables.is_empty() {
        return Ok(Contents::Empty);
    }
    if !tables.contains("tickets") {
        return Ok(Contents::Foreign(tables.into_iter().collect()));
    }
    let columns = column_names(&mut conn, "tickets").map_err(|err| err.to_string())?;
    // Our tickets know their opener by id; the original's by `user_id` (as text).
    if has_migrations && columns.contains("opener_id") {
        return Ok(Contents::Ours);
    }
    // An earlier ticketbot may have added its migrations table to the original's file
    // before it failed; the file is still the original's.
    let original = ["id", "user_id", "channel_id"];
    if !columns.contains("opener_id") && original.iter().all(|c| columns.contains(*c)) {
        return Ok(Contents::OriginalBot);
    }
    Ok(Contents::Foreign(tables.into_iter().collect()))
}

/// Refuses a file that is not ours, naming it and saying what to do, before anything writes.
pub fn ensure_ours(path: &str) -> Result<(), ConfigError> {
    let refuse = |problem: String| ConfigError {
        key: "DATABASE_URL".into(),
        problem,
    };
    match inspect(Path::new(path)) {
        Ok(Contents::Empty | Contents::Ours) => Ok(()),
        Ok(Contents::OriginalBot) => Err(refuse(format!(
            "points at the original Python bot's tickets.sqlite ({path}): ticketbot never changes \
             it. Use a new file (DATABASE_URL=sqlite://ticketbot.sqlite) and import the old one \
             with: ticketbot import-legacy {path}"
        ))),
        Ok(Contents::Foreign(tables)) => Err(refuse(format!(
            "{path} is another program's database (tables: {}); ticketbot leaves it alone. \
             Point DATABASE_URL at a new file, e.g. sqlite://ticketbot.sqlite",
            tables.join(", ")
        ))),
        Err(err) => Err(refuse(format!(
            "cannot read {path} as an SQLite database: {err}"
        ))),
    }
}
