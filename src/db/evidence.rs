//! The images read for a ticket's ban lookup (`ban_evidence`): what Tesseract recognised and
//! the archived file, for staff on the panel.

use diesel::prelude::*;

use super::DbConn;
use super::attachments::ArchivedFile;
use super::schema::{archived_files, ban_evidence};
use crate::error::Error;

type QueryResult<T> = Result<T, Error>;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = ban_evidence)]
pub struct EvidenceRow {
    pub ticket_id: i64,
    pub position: i32,
    pub ban_id: String,
    pub url: String,
    pub sha256: Option<String>,
    pub text: Option<String>,
    pub error: Option<String>,
    pub read_at: i64,
}

/// One image to record: its URL, the stored file, the text and why there is none.
pub struct NewEvidence<'a> {
    pub url: &'a str,
    pub file: Option<&'a ArchivedFile>,
    pub text: Option<&'a str>,
    pub error: Option<&'a str>,
}

/// Appends the images read for `ban_id` after the ticket's earlier ones, recording each stored
/// file on its first copy.
pub fn insert(
    conn: &mut DbConn,
    ticket_id: i64,
    ban_id: &str,
    images: &[NewEvidence<'_>],
    read_at: i64,
) -> QueryResult<()> {
    if images.is_empty() {
        return Ok(());
    }
    let last: Option<i32> = ban_evidence::table
        .filter(ban_evidence::ticket_id.eq(ticket_id))
        .select(diesel::dsl::max(ban_evidence::position))
        .first(conn)?;
    let first = last.map_or(0, |p| p + 1);
    for (position, image) in (first..).zip(images) {
        if let Some(file) = image.file {
            record_file(conn, file)?;
        }
        let row = EvidenceRow {
            ticket_id,
            position,
            ban_id: ban_id.to_owned(),
            url: image.url.to_owned(),
            sha256: image.file.map(|f| f.sha256.clone()),
            text: image.text.map(str::to_owned),
            error: image.error.map(str::to_owned),
            read_at,
        };
        // One by one: a batch insert is not written for both backends at once.
        diesel::insert_into(ban_evidence::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}

fn record_file(conn: &mut DbConn, file: &ArchivedFile) -> QueryResult<()> {
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
    Ok(())
}

/// A ticket's evidence images in the order read.
pub fn of_ticket(conn: &mut DbConn, ticket_id: i64) -> QueryResult<Vec<EvidenceRow>> {
    Ok(ban_evidence::table
        .filter(ban_evidence::ticket_id.eq(ticket_id))
        .order(ban_evidence::position)
        .select(EvidenceRow::as_select())
        .load(conn)?)
}

/// The name the panel serves evidence file `sha256` of ticket `ticket_id` under; None when the
/// ticket has no such evidence image.
pub fn file_name(conn: &mut DbConn, ticket_id: i64, sha256: &str) -> QueryResult<Option<String>> {
    let position: Option<i32> = ban_evidence::table
        .filter(ban_evidence::ticket_id.eq(ticket_id))
        .filter(ban_evidence::sha256.eq(sha256))
        .select(ban_evidence::position)
        .first(conn)
        .optional()?;
    Ok(position.map(|p| format!("beweis-{}", p + 1)))
}
