//! Storage: diesel over SQLite (default) or PostgreSQL, picked by the `DATABASE_URL` scheme.
//! Blocking diesel calls run on tokio's blocking pool through an r2d2 pool.

pub mod attachments;
mod backend;
pub mod batch;
pub mod erasure;
pub mod evidence;
pub mod existing;
pub mod lease;
pub mod models;
pub mod open_limits;
pub mod queries;
mod reservation;
pub mod retention;
pub mod schema;
pub mod status;
pub mod transcripts;

use std::time::Duration;

use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::Error;

pub use crate::config::database::{Backend, redact};
use backend::BackendManager;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgresql");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

/// SQLite settings that keep every committed row through a `kill -9` and let readers and one
/// writer work at the same time.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(conn) = conn {
            // batch_execute runs every statement; a prepared query would run only the first.
            diesel::connection::SimpleConnection::batch_execute(
                conn,
                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Switches the file to WAL once, before the pool opens its connections: the switch takes an
/// exclusive lock, and eight connections asking for it at once had all but one answered
/// "database is locked" (logged by r2d2 at every start on a new file). WAL mode is kept in the
/// file, so the pooled connections find it on.
fn use_wal(path: &str) -> Result<(), Error> {
    use diesel::connection::SimpleConnection;
    let mut conn = diesel::SqliteConnection::establish(path)
        .map_err(|err| Error::DatabaseUnavailable(err.to_string()))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")?;
    Ok(())
}

#[derive(Clone)]
pub struct Db {
    pool: Pool<BackendManager>,
    is_sqlite: bool,
    write_lock: std::sync::Arc<std::sync::Mutex<()>>,
    /// One permit per pooled connection. Jobs wait for a permit here, as cheap tasks, rather
    /// than on the blocking pool: 100,000 actors starting at once would otherwise park
    /// hundreds of threads (memory) and time out in `pool.get()` (lost work).
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Db {
    /// Opens the pool and applies pending migrations. An SQLite file that another program
    /// (above all the original bot) made is refused before anything writes to it.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        let db = Self::open(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Opens the pool like [`Db::connect`] but applies nothing, for commands that report what
    /// they apply (`ticketbot migrate`) or only read (`ticketbot status`).
    pub async fn open(url: &str) -> Result<Self, Error> {
        let backend = Backend::from_url(url)?;
        let db = tokio::task::spawn_blocking(move || {
            if let Backend::Sqlite { path } = &backend {
                existing::ensure_ours(path)?;
            }
            Self::connect_blocking(&backend)
        })
        .await
        .map_err(|err| Error::Internal(err.to_string()))??;
        Ok(db)
    }

    fn connect_blocking(backend: &Backend) -> Result<Self, Error> {
        let (is_sqlite, size) = match backend {
            Backend::Sqlite { .. } => (true, 8),
            Backend::Postgres { .. } => (false, 16),
        };
        if let Backend::Sqlite { path } = backend {
            use_wal(path)?;
        }
        let mut builder = Pool::builder()
            .max_size(size)
            .connection_timeout(Duration::from_secs(10));
        if is_sqlite {
            builder = builder.connection_customizer(Box::new(SqlitePragmas));
        }
        let pool = builder
            .build(BackendManager(backend.clone()))
            .map_err(|err| Error::DatabaseUnavailable(backend.scrub(&err.to_string())))?;
        Ok(Self {
            pool,
            is_sqlite,
            write_lock: Default::default(),
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(size as usize)),
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.is_sqlite
    }

    /// Applies pending migrations; returns the names of those applied (their directory
    /// names, e.g. `2026-11-25-000001_initial`), oldest first.
    pub async fn migrate(&self) -> Result<Vec<String>, Error> {
        self.run(|conn| match conn {
            DbConn::Sqlite(conn) => apply_pending(conn, SQLITE_MIGRATIONS),
            DbConn::Postgres(conn) => apply_pending(conn, POSTGRES_MIGRATIONS),
        })
        .await
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConn) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|err| Error::Internal(format!("database permits closed: {err}")))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = pool
                .get()
                .map_err(|err| Error::DatabaseUnavailable(err.to_string()))?;
            f(&mut conn)
        })
        .await
        .map_err(|err| Error::Internal(format!("database task failed: {err}")))?
    }

    /// Runs a short read: on SQLite on the calling thread when a connection is free at once,
    /// since handing it to the blocking pool and back costs more than such a read; otherwise
    /// (and on PostgreSQL, a network round trip) like [`Db::run`].
    pub async fn run_short<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConn) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        if self.is_sqlite
            && let Ok(_permit) = self.permits.clone().try_acquire_owned()
            && let Some(mut conn) = self.pool.try_get()
        {
            return f(&mut conn);
        }
        self.run(f).await
    }

    /// Runs `f` in one write transaction. SQLite has one writer at a time anyway; the bot's
    /// own writers queue on an in-process lock, which wakes the next one the moment it is
    /// free, rather than on SQLite's busy handler, which sleeps in steps.
    pub async fn write<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(&mut DbConn) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let write_lock = self.write_lock.clone();
        self.run(move |conn| {
            let _writer = matches!(conn, DbConn::Sqlite(_))
                .then(|| write_lock.lock().unwrap_or_else(|e| e.into_inner()));
            write_transaction(conn, f)
        })
        .await
    }

    /// One small committed write, for `/healthz`: a full disk or a read-only database fails
    /// only when a write commits, never on a read.
    pub async fn probe_write(&self) -> Result<(), Error> {
        self.write(|conn| queries::set_setting(conn, "healthz_probe", &now_ms().to_string()))
            .await
    }
}

/// Runs the pending migrations of `source` one by one and names each one applied.
fn apply_pending<B, C>(conn: &mut C, source: EmbeddedMigrations) -> Result<Vec<String>, Error>
where
    B: diesel::backend::Backend,
    C: MigrationHarness<B>,
    EmbeddedMigrations: diesel::migration::MigrationSource<B>,
{
    let failed = |err: Box<dyn std::error::Error + Send + Sync>| Error::Migration(err.to_string());
    let pending = conn.pending_migrations(source).map_err(failed)?;
    let mut applied = Vec::with_capacity(pending.len());
    for migration in &pending {
        conn.run_migration(migration).map_err(failed)?;
        applied.push(migration.name().to_string());
    }
    Ok(applied)
}

/// `f` in a transaction; on SQLite one that takes the write lock when it begins (`BEGIN
/// IMMEDIATE`), waiting for it up to `busy_timeout`. A deferred `BEGIN` asks for the lock only
/// at the first write, and when another connection (another process, a backup) holds it then,
/// SQLite may answer "database is locked" at once instead of waiting: the batch of messages is
/// lost.
fn write_transaction<T, F>(conn: &mut DbConn, f: F) -> Result<T, Error>
where
    F: FnOnce(&mut DbConn) -> Result<T, Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(sqlite) = conn else {
        return conn.transaction(f);
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(err)
        }
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
