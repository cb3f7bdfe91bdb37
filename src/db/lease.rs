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
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::Bool;
use tokio::sync::watch;

use super::{Backend, Db, queries};
use crate::error::{Error, Result};

/// `pg_try_advisory_lock`'s key: "ticketbo" in ASCII, so it is recognisable in `pg_locks`.
const ADVISORY_KEY: i64 = 0x7469_636b_6574_626f;
/// Where the PostgreSQL holder says who it is.
const HOLDER_SETTING: &str = "bot_lease_holder";

/// How often a PostgreSQL lease checks that its connection, and with it the lock, is alive.
pub const CHECK_EVERY: Duration = Duration::from_secs(30);

/// Held while the bot runs; dropping the last clone lets the next bot in.
#[derive(Clone)]
pub struct BotLease(Arc<Lease>);

struct Lease {
    held: Held,
    db: Db,
    /// Who this process is, as the next bot is told.
    me: String,
}

enum Held {
    /// Open as long as the lease is held: the kernel lets the lock go when it closes.
    Sqlite { _locked: File },
    /// `None` while the connection is lost and the lock not taken again yet.
    Postgres {
        url: String,
        conn: Mutex<Option<PgConnection>>,
    },
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
    let taken = {
        let me = me.clone();
        tokio::task::spawn_blocking(move || -> Result<Result<Held, Holder>> {
            Ok(match backend {
                Backend::Sqlite { path } => {
                    lock_file(&path, &me)?.map(|file| Held::Sqlite { _locked: file })
                }
                Backend::Postgres { url } => advisory_lock(&url)?.map(|conn| Held::Postgres {
                    url,
                    conn: Mutex::new(Some(conn)),
                }),
            })
        })
        .await
        .map_err(|err| Error::Internal(format!("bot lease task failed: {err}")))??
    };
    let held = match taken {
        Ok(held) => held,
        Err(holder) => return Err(refusal(db, holder).await),
    };
    let lease = BotLease(Arc::new(Lease {
        held,
        db: db.clone(),
        me,
    }));
    lease.announce().await?;
    Ok(lease)
}

impl BotLease {
    /// Makes sure the lease is still held. PostgreSQL drops a session lock with its
    /// connection (a server restart, a proxy's idle timeout), so a lost connection is replaced
    /// and the lock taken again; when another bot took it meanwhile, this bot must stop.
    pub async fn check(&self) -> Result<()> {
        let lease = self.0.clone();
        let retaken = tokio::task::spawn_blocking(move || match &lease.held {
            Held::Sqlite { .. } => Ok(Ok(false)),
            Held::Postgres { url, conn } => retake_if_lost(url, conn),
        })
        .await
        .map_err(|err| Error::Internal(format!("bot lease task failed: {err}")))??;
        match retaken {
            Ok(false) => Ok(()),
            Ok(true) => {
                tracing::warn!("the bot lease's database connection was lost; lease taken again");
                self.announce().await
            }
            Err(holder) => Err(refusal(&self.0.db, holder).await),
        }
    }

    /// Checks the lease every [`CHECK_EVERY`] until `stop`; ends with an error only when
    /// another bot holds it. A database that cannot be reached is tried again next time.
    pub async fn keep(self, mut stop: watch::Receiver<bool>) -> Result<()> {
        if matches!(self.0.held, Held::Sqlite { .. }) {
            // The kernel holds the file lock as long as the file is open.
            crate::process::stopped(&mut stop).await;
            return Ok(());
        }
        loop {
            tokio::select! {
                () = crate::process::stopped(&mut stop) => return Ok(()),
                () = tokio::time::sleep(CHECK_EVERY) => {}
            }
            match self.check().await {
                Err(err @ Error::BotRunning(_)) => return Err(err),
                Err(err) => tracing::warn!(error = %err, "could not check the bot lease"),
                Ok(()) => {}
            }
        }
    }

    /// PostgreSQL: tells a second bot who holds the lease (SQLite keeps that in the file).
    async fn announce(&self) -> Result<()> {
        if matches!(self.0.held, Held::Postgres { .. }) {
            let me = self.0.me.clone();
            self.0
                .db
                .write(move |conn| queries::set_setting(conn, HOLDER_SETTING, &me))
                .await?;
        }
        Ok(())
    }
}

/// The error for a lease someone else holds.
async fn refusal(db: &Db, holder: Holder) -> Error {
    match holder {
        Holder::Known(holder) => Error::BotRunning(holder),
        Holder::InSettings => {
            let holder = db
                .run(|conn| queries::setting(conn, HOLDER_SETTING))
                .await
                .ok()
                .flatten()
                .unwrap_or_else(|| "a process that did not say who it is".to_owned());
            Error::BotRunning(holder)
        }
    }
}

/// True when the connection was lost and the lock taken again on a new one.
fn retake_if_lost(url: &str, slot: &Mutex<Option<PgConnection>>) -> Result<Result<bool, Holder>> {
    let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(conn) = slot.as_mut()
        && diesel::sql_query("SELECT 1").execute(conn).is_ok()
    {
        return Ok(Ok(false));
    }
    *slot = None;
    Ok(advisory_lock(url)?.map(|conn| {
        *slot = Some(conn);
        true
    }))
}

/// Who holds the lease, when it is taken.
enum Holder {
    Known(String),
    /// PostgreSQL: the holder wrote itself into `bot_settings`.
    InSettings,
}

fn lock_file(database: &str, me: &str) -> Result<Result<File, Holder>> {
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
            Ok(Ok(file))
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

fn advisory_lock(url: &str) -> Result<Result<PgConnection, Holder>> {
    let mut conn = PgConnection::establish(url)
        .map_err(|err| Error::DatabaseUnavailable(format!("bot lease connection: {err}")))?;
    let taken = diesel::sql_query(format!(
        "SELECT pg_try_advisory_lock({ADVISORY_KEY}) AS locked"
    ))
    .get_result::<Locked>(&mut conn)?;
    Ok(if taken.locked {
        Ok(conn)
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
