//! The `panel_sessions` table: one row per logged-in browser, found by the SHA-256 of the
//! cookie's token. Every panel replica on the same database sees the same sessions.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::db::schema::panel_sessions;
use crate::error::Error;

/// A session as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = panel_sessions)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: i64,
    pub name: String,
    pub avatar: Option<String>,
    pub csrf_token: String,
    pub created_at: i64,
    pub roles_checked_at: i64,
}

/// What the table keeps of a cookie's token.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

pub fn insert(conn: &mut DbConn, row: &SessionRow) -> Result<(), Error> {
    diesel::insert_into(panel_sessions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, token_hash: &str) -> Result<Option<SessionRow>, Error> {
    Ok(panel_sessions::table
        .find(token_hash)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records a successful role check (and the member's current name).
pub fn roles_confirmed(
    conn: &mut DbConn,
    token_hash: &str,
    name: &str,
    at: i64,
) -> Result<(), Error> {
    diesel::update(panel_sessions::table.find(token_hash))
        .set((
            panel_sessions::roles_checked_at.eq(at),
            panel_sessions::name.eq(name),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, token_hash: &str) -> Result<(), Error> {
    diesel::delete(panel_sessions::table.find(token_hash)).execute(conn)?;
    Ok(())
}

/// Removes sessions created before `created_before` (they can no longer be used).
pub fn delete_expired(conn: &mut DbConn, created_before: i64) -> Result<usize, Error> {
    Ok(
        diesel::delete(panel_sessions::table.filter(panel_sessions::created_at.lt(created_before)))
            .execute(conn)?,
    )
}
