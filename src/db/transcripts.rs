//! A transcript snapshot's messages as rows (`transcript_entries`).

use diesel::prelude::*;

use super::DbConn;
use super::models::TranscriptEntryRow;
use super::schema::transcript_entries;

/// Rows per INSERT: 8 columns each stays far below SQLite's 32,766 bound parameters.
const ROWS_PER_INSERT: usize = 1_000;

/// Multi-row INSERTs on each backend's own connection (the multi-backend connection has no
/// batch insert).
pub fn insert_entries(conn: &mut DbConn, rows: &[TranscriptEntryRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let insert = diesel::insert_into(transcript_entries::table).values(chunk);
        match conn {
            DbConn::Sqlite(conn) => insert.execute(conn)?,
            DbConn::Postgres(conn) => insert.execute(conn)?,
        };
    }
    Ok(())
}

/// The rows of `transcript_id` in their order; empty for a transcript stored as text only
/// (imported from the original bot, or written before transcripts had rows).
pub fn entries_of(conn: &mut DbConn, transcript_id: i64) -> QueryResult<Vec<TranscriptEntryRow>> {
    transcript_entries::table
        .filter(transcript_entries::transcript_id.eq(transcript_id))
        .order(transcript_entries::position.asc())
        .select(TranscriptEntryRow::as_select())
        .load(conn)
}
