//! How to connect to the database a `DATABASE_URL` names (the URL itself is read and shown by
//! `config::database`).

use diesel::prelude::*;
use diesel::r2d2::{self, R2D2Connection};

use super::DbConn;
use crate::config::database::Backend;

/// Connects each pooled connection to the backend the URL named. diesel's derived
/// `MultiConnection::establish` tries every backend in turn and, when all fail, hides the
/// real cause ("Invalid connection url for multiconnection"); this keeps it.
#[derive(Debug)]
pub struct BackendManager(pub Backend);

impl r2d2::ManageConnection for BackendManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        let connection = match &self.0 {
            Backend::Sqlite { path } => SqliteConnection::establish(path).map(DbConn::Sqlite),
            Backend::Postgres { url } => PgConnection::establish(url).map(DbConn::Postgres),
        };
        connection.map_err(|err| {
            // libpq's messages span lines ("…failed: Connection refused\n\tIs the server…").
            let one_line = err
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                self.0.scrub(&one_line),
            ))
        })
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}
