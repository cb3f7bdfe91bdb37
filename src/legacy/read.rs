//! Reading the original bot's `tickets.sqlite`, read-only, and telling the operator in one
//! line what is wrong with a path that is not that file.

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::db::existing;
use crate::error::{Error, Result};

#[derive(Debug, QueryableByName)]
pub(super) struct LegacyTicket {
    #[diesel(sql_type = BigInt)]
    pub(super) id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) user_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) channel_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) created_at: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) claimed_by: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) user_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) admin_message_id: Option<String>,
}

#[derive(Debug, QueryableByName)]
pub(super) struct LegacyTranscript {
    #[diesel(sql_type = BigInt)]
    pub(super) transcript_id: i64,
    #[diesel(sql_type = BigInt)]
    pub(super) ticket_id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) transcript_content: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) created_at: Option<String>,
}

#[derive(Debug, QueryableByName)]
pub(super) struct LegacySetting {
    #[diesel(sql_type = Text)]
    pub(super) key: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) value: Option<String>,
}

#[derive(Debug)]
pub(super) struct Legacy {
    pub(super) tickets: Vec<LegacyTicket>,
    pub(super) transcripts: Vec<LegacyTranscript>,
    pub(super) settings: Vec<LegacySetting>,
}

/// A path that is not the original bot's database: one line for the operator, exit 2.
fn refuse(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Usage(format!("import-legacy: {}: {what}", path.display()))
}

/// Reads the old file read-only (diesel's SQLite connection; a missing file is an error, not
/// a new empty database).
pub(super) fn read_legacy(path: &Path) -> Result<Legacy> {
    const GIVE: &str = "give the path of the original bot's tickets.sqlite";
    match std::fs::metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse(path, format!("no such file; {GIVE}")));
        }
        Err(err) => return Err(refuse(path, format!("cannot be read ({err})"))),
        Ok(meta) if meta.is_dir() => {
            return Err(refuse(path, format!("is a directory; {GIVE} in it")));
        }
        Ok(_) => {}
    }
    let mut conn = existing::open_read_only(path)
        .map_err(|err| refuse(path, format!("cannot be opened ({err})")))?;
    let read = |err: diesel::result::Error| refuse(path, format!("cannot be read ({err})"));

    // SQLite opens any file; the first query finds out whether it is a database at all.
    let tables = existing::table_names(&mut conn).map_err(|err| {
        if err.to_string().contains("not a database") {
            refuse(path, format!("is not an SQLite database; {GIVE}"))
        } else {
            read(err)
        }
    })?;
    if !tables.contains("tickets") {
        let found = if tables.is_empty() {
            "no tables".to_owned()
        } else {
            format!(
                "the tables {}",
                tables.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        return Err(refuse(
            path,
            format!("is not the original bot's database: it has {found} but no `tickets`"),
        ));
    }
    let columns = existing::column_names(&mut conn, "tickets").map_err(read)?;
    if columns.contains("opener_id") {
        return Err(refuse(
            path,
            "is a ticketbot database, not the original bot's; there is nothing to import",
        ));
    }
    if !columns.contains("id") {
        return Err(refuse(
            path,
            "is not the original bot's database: its table `tickets` has no column `id`",
        ));
    }
    // `admin_message_id` came later in the original; older files lack it.
    let select: Vec<String> = [
        "user_id",
        "channel_id",
        "created_at",
        "status",
        "claimed_by",
        "user_name",
        "admin_message_id",
    ]
    .iter()
    .map(|column| {
        if columns.contains(*column) {
            format!("CAST({column} AS TEXT) AS {column}")
        } else {
            format!("NULL AS {column}")
        }
    })
    .collect();
    let tickets = diesel::sql_query(format!(
        "SELECT CAST(id AS INTEGER) AS id, {} FROM tickets WHERE id IS NOT NULL ORDER BY id",
        select.join(", ")
    ))
    .load::<LegacyTicket>(&mut conn)
    .map_err(read)?;

    let transcripts = if tables.contains("transcripts") {
        diesel::sql_query(
            "SELECT CAST(transcript_id AS INTEGER) AS transcript_id, \
             CAST(ticket_id AS INTEGER) AS ticket_id, \
             CAST(transcript_content AS TEXT) AS transcript_content, \
             CAST(created_at AS TEXT) AS created_at \
             FROM transcripts WHERE ticket_id IS NOT NULL ORDER BY transcript_id",
        )
        .load::<LegacyTranscript>(&mut conn)
        .map_err(read)?
    } else {
        Vec::new()
    };
    let settings = if tables.contains("bot_settings") {
        diesel::sql_query(
            "SELECT CAST(key AS TEXT) AS key, CAST(value AS TEXT) AS value \
             FROM bot_settings WHERE key IS NOT NULL",
        )
        .load::<LegacySetting>(&mut conn)
        .map_err(read)?
    } else {
        Vec::new()
    };
    Ok(Legacy {
        tickets,
        transcripts,
        settings,
    })
}
