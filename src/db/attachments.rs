//! The attachment archive's rows: one per attachment of a stored message (written with the
//! message, before any download) and one per archived file (by the sha256 of its bytes).

use diesel::prelude::*;

use super::DbConn;
use super::models::Message;
use super::schema::{archived_files, ban_evidence, message_attachments};
use crate::error::Error;

type QueryResult<T> = Result<T, Error>;

/// Where an attachment stands in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveStatus {
    /// Written with the message; the download is still to happen (also after a restart).
    Pending,
    Stored,
    /// Larger than `ATTACHMENT_MAX_MB`: never downloaded.
    TooLarge,
    /// Every attempt failed; reported once in the log channel.
    Failed,
}

impl ArchiveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Stored => "stored",
            Self::TooLarge => "too_large",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "stored" => Self::Stored,
            "too_large" => Self::TooLarge,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = message_attachments)]
pub struct AttachmentRow {
    pub message_id: i64,
    pub position: i32,
    pub ticket_id: i64,
    pub attachment_id: i64,
    pub filename: String,
    pub declared_type: Option<String>,
    pub size: i64,
    pub url: String,
    pub status: String,
    pub sha256: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub error: Option<String>,
}

impl AttachmentRow {
    pub fn status(&self) -> ArchiveStatus {
        ArchiveStatus::parse(&self.status)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = archived_files)]
pub struct ArchivedFile {
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub stored_at: i64,
}

/// An attachment as the message row's JSON keeps it (`record::message_row` writes it).
#[derive(serde::Deserialize)]
struct Declared {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    filename: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    size: Option<u64>,
}

/// The archive rows of a message just stored: every attachment with a URL, pending. The size
/// limit is the downloader's to apply (it knows the setting; storing a message needs none).
pub fn rows_for(message: &Message, now: i64) -> Vec<AttachmentRow> {
    let declared: Vec<Declared> = serde_json::from_str(&message.attachments).unwrap_or_default();
    declared
        .into_iter()
        .zip(0..)
        .filter(|(a, _)| a.url.starts_with("http://") || a.url.starts_with("https://"))
        .map(|(a, position)| AttachmentRow {
            message_id: message.id,
            position,
            ticket_id: message.ticket_id,
            attachment_id: a.id.and_then(|id| id.parse().ok()).unwrap_or(0),
            filename: a.filename,
            declared_type: a.content_type,
            size: a
                .size
                .map_or(0, |size| i64::try_from(size).unwrap_or(i64::MAX)),
            url: a.url,
            status: ArchiveStatus::Pending.as_str().to_owned(),
            sha256: None,
            attempts: 0,
            next_attempt_at: now,
            error: None,
        })
        .collect()
}

/// Records the attachments of newly stored messages (in the messages' transaction).
pub fn insert_rows(conn: &mut DbConn, rows: &[AttachmentRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Sqlite(conn) => {
            for row in rows {
                diesel::insert_or_ignore_into(message_attachments::table)
                    .values(row)
                    .execute(conn)?;
            }
        }
        DbConn::Postgres(conn) => {
            diesel::insert_into(message_attachments::table)
                .values(rows)
                .on_conflict_do_nothing()
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Pending attachments whose next attempt is due, oldest first.
pub fn due(conn: &mut DbConn, now: i64, limit: i64) -> QueryResult<Vec<AttachmentRow>> {
    Ok(message_attachments::table
        .filter(message_attachments::status.eq(ArchiveStatus::Pending.as_str()))
        .filter(message_attachments::next_attempt_at.le(now))
        .order((
            message_attachments::next_attempt_at,
            message_attachments::message_id,
        ))
        .limit(limit)
        .select(AttachmentRow::as_select())
        .load(conn)?)
}

/// When the next pending attachment is due, if any is.
pub fn next_due(conn: &mut DbConn) -> QueryResult<Option<i64>> {
    Ok(message_attachments::table
        .filter(message_attachments::status.eq(ArchiveStatus::Pending.as_str()))
        .select(diesel::dsl::min(message_attachments::next_attempt_at))
        .first(conn)?)
}

/// Whether the file is archived already (then its bytes are not written again).
pub fn file(conn: &mut DbConn, sha256: &str) -> QueryResult<Option<ArchivedFile>> {
    Ok(archived_files::table
        .find(sha256)
        .select(ArchivedFile::as_select())
        .first(conn)
        .optional()?)
}

/// Links an attachment to its archived file, recording the file on its first copy.
pub fn mark_stored(
    conn: &mut DbConn,
    message_id: i64,
    position: i32,
    file: &ArchivedFile,
) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => {
            diesel::insert_or_ignore_into(archived_files::table)
                .values(file)
                .execute(c)?;
        }
        DbConn::Postgres(c) => {
            diesel::insert_into(archived_files::table)
                .values(file)
                .on_conflict_do_nothing()
                .execute(c)?;
        }
    }
    diesel::update(message_attachments::table.find((message_id, position)))
        .set((
            message_attachments::status.eq(ArchiveStatus::Stored.as_str()),
            message_attachments::sha256.eq(&file.sha256),
            message_attachments::error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records an attempt that did not store the file: `attempts` failed downloads so far, another
/// try at `next_attempt_at`, or none with a final `status` (`Failed`, `TooLarge`).
pub fn mark_attempt(
    conn: &mut DbConn,
    message_id: i64,
    position: i32,
    status: ArchiveStatus,
    (attempts, next_attempt_at): (i32, i64),
    error: &str,
) -> QueryResult<()> {
    diesel::update(message_attachments::table.find((message_id, position)))
        .set((
            message_attachments::status.eq(status.as_str()),
            message_attachments::attempts.eq(attempts),
            message_attachments::next_attempt_at.eq(next_attempt_at),
            message_attachments::error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// The archive rows of the given messages, in message and position order.
pub fn of_messages(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<AttachmentRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(message_attachments::table
        .filter(message_attachments::message_id.eq_any(ids))
        .order((
            message_attachments::message_id,
            message_attachments::position,
        ))
        .select(AttachmentRow::as_select())
        .load(conn)?)
}

/// The archive rows of a ticket's messages.
pub fn of_ticket(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<AttachmentRow>> {
    Ok(message_attachments::table
        .filter(message_attachments::ticket_id.eq(ticket_id))
        .order((
            message_attachments::message_id,
            message_attachments::position,
        ))
        .select(AttachmentRow::as_select())
        .load(conn)?)
}

/// A file archived for ticket `ticket_id`, with the name an attachment of it had there; None
/// when no message of that ticket holds the file.
pub fn file_of_ticket(
    conn: &mut DbConn,
    ticket_id: i64,
    sha256: &str,
) -> QueryResult<Option<(ArchivedFile, String)>> {
    let name: Option<String> = message_attachments::table
        .filter(message_attachments::ticket_id.eq(ticket_id))
        .filter(message_attachments::sha256.eq(sha256))
        .select(message_attachments::filename)
        .first(conn)
        .optional()?;
    // Ban evidence images read for the ticket are served from the same archive.
    let name = match name {
        Some(name) => Some(name),
        None => super::evidence::file_name(conn, ticket_id, sha256)?,
    };
    let Some(name) = name else {
        return Ok(None);
    };
    Ok(file(conn, sha256)?.map(|file| (file, name)))
}

/// Each row with the stored type of its file (None until it is archived).
pub fn with_types(
    conn: &mut DbConn,
    rows: Vec<AttachmentRow>,
) -> QueryResult<Vec<(AttachmentRow, Option<String>)>> {
    let hashes: Vec<&str> = rows.iter().filter_map(|r| r.sha256.as_deref()).collect();
    let types: std::collections::HashMap<String, String> = if hashes.is_empty() {
        Default::default()
    } else {
        archived_files::table
            .filter(archived_files::sha256.eq_any(&hashes))
            .select((archived_files::sha256, archived_files::content_type))
            .load(conn)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let kind = row.sha256.as_ref().and_then(|h| types.get(h).cloned());
            (row, kind)
        })
        .collect())
}

/// Archived files that neither a message nor a ticket's ban evidence links any more (erased or
/// removed by retention): the store still holds them until [`drop_file`] follows a successful
/// deletion.
pub fn orphaned(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    use diesel::dsl::{exists, not};
    Ok(archived_files::table
        .filter(not(exists(message_attachments::table.filter(
            message_attachments::sha256.eq(archived_files::sha256.nullable()),
        ))))
        .filter(not(exists(ban_evidence::table.filter(
            ban_evidence::sha256.eq(archived_files::sha256.nullable()),
        ))))
        .order(archived_files::sha256)
        .select(archived_files::sha256)
        .load(conn)?)
}

/// Forgets an orphaned file whose bytes the store deleted; a file a message linked again
/// meanwhile stays recorded.
pub fn drop_file(conn: &mut DbConn, sha256: &str) -> QueryResult<usize> {
    use diesel::dsl::{exists, not};
    Ok(diesel::delete(archived_files::table)
        .filter(archived_files::sha256.eq(sha256))
        .filter(not(exists(message_attachments::table.filter(
            message_attachments::sha256.eq(archived_files::sha256.nullable()),
        ))))
        .filter(not(exists(ban_evidence::table.filter(
            ban_evidence::sha256.eq(archived_files::sha256.nullable()),
        ))))
        .execute(conn)?)
}
