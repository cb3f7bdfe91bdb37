//! The single-bot lease: one bot per database. Two bots on one database would displace each
//! other on the gateway (Discord keeps one session per shard) and both act on every ticket.
//! The lease is held for the bot's whole life and taken before it connects to the gateway;
//! panels take none, so any number of them run beside the bot.
//!
//! SQLite: an exclusive `flock` on `<database file>.bot-lock`, which holds who took it.
//! PostgreSQL: a session advisory lock on a connection of its own, with the holder in
//! `bot_settings`. Either way the operating system or the server lets go when the process
//! ends, also by `kill -9`, so a crashed bot never blocks its successor.

use std::fs::{File, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};

use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::{Backend, Db, queries};
use crate::error::{Error, Result};

/// `pg_try_advisory_lock`'s key: "ticketbo" in ASCII, so it is recognisable in `pg_locks`.
const ADVISORY_KEY: i64 = 0x7469_636b_6574_626f;
/// Where the PostgreSQL holder says who it is.
const HOLDER_SETTING: &str = "bot_lease_holder";

/// Held while the bot runs; dropping it lets the next bot in.
pub enum BotLease {
    Sqlite(File),
    Postgres(PgConnection),
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Takes the lease for the database at `url`, or says who holds it.
pub async fn acquire(url: &str, db: &Db) -> Result<BotLease> {
    let backend = Backend::from_url(url)?;
    let me = holder_description();
    let lease = {
        let me = me.clone();
        tokio::task::spawn_blocking(move || match backend {
            Backend::Sqlite { path } => lock_file(&path, &me),
            Backend::Postgres { url } => advisory_lock(&url),
        })
        .await
        .map_err(|err| Error::Internal(format!("bot lease task failed: {err}")))??
    };
    match lease {
        Ok(lease) => {
            if matches!(lease, BotLease::Postgres(_)) {
                db.write(move |conn| queries::set_setting(conn, HOLDER_SETTING, &me))
                    .await?;
            }
            Ok(lease)
        }
        Err(Holder::Known(holder)) => Err(Error::BotRunning(holder)),
        Err(Holder::InSettings) => {
            let holder = db
                .run(|conn| queries::setting(conn, HOLDER_SETTING))
                .await?
                .unwrap_or_else(|| "a process that did not say who it is".to_owned());
            Err(Error::BotRunning(holder))
        }
    }
}

/// Who holds the lease, when it is taken.
enum Holder {
    Known(String),
    /// PostgreSQL: the holder wrote itself into `bot_settings`.
    InSettings,
}

fn lock_file(database: &str, me: &str) -> Result<Result<BotLease, Holder>> {
    let path = format!("{database}.bot-lock");
    let unavailable = |err: std::io::Error| Error::DatabaseUnavailable(format!("{path}: {err}"));
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(unavailable)?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0).map_err(unavailable)?;
            file.rewind().map_err(unavailable)?;
            file.write_all(me.as_bytes()).map_err(unavailable)?;
            Ok(Ok(BotLease::Sqlite(file)))
        }
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let holder = if holder.is_empty() {
                format!("a process that holds {path}")
            } else {
                holder.to_owned()
            };
            Ok(Err(Holder::Known(holder)))
        }
        Err(TryLockError::Error(err)) => Err(unavailable(err)),
    }
}

fn advisory_lock(url: &str) -> Result<Result<BotLease, Holder>> {
    let mut conn = PgConnection::establish(url)
        .map_err(|err| Error::DatabaseUnavailable(format!("bot lease connection: {err}")))?;
    let taken = diesel::sql_query(format!(
        "SELECT pg_try_advisory_lock({ADVISORY_KEY}) AS locked"
    ))
    .get_result::<Locked>(&mut conn)?;
    Ok(if taken.locked {
        Ok(BotLease::Postgres(conn))
    } else {
        Err(Holder::InSettings)
    })
}

/// "pid 1234 on host, since 2026-12-01 20:00:00 UTC": enough to find and stop the holder.
fn holder_description() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|host| host.trim().to_owned())
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "this host".to_owned());
    format!(
        "pid {} on {host}, since {}",
        std::process::id(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    )
}
