//! Erasure on request and the retention sweep, as the CLI, the panel and the cleanup task run
//! them: the database first, in one transaction, then the files no message holds any more
//! from the store. A failed store deletion leaves the file recorded as orphaned, so the next
//! run (of either) deletes it.

use std::time::Duration;

use crate::attachments::FileStore;
use crate::db::erasure::{ErasedBy, Forgotten};
use crate::db::{Db, attachments, now_ms, retention};
use crate::error::Result;

/// What a `forget` did.
#[derive(Debug)]
pub struct ForgetReport {
    pub outcome: Forgotten,
    pub files: FilesRemoved,
}

/// The orphaned files the store deleted, and those it refused (hash, error) for the next run.
#[derive(Debug, Default)]
pub struct FilesRemoved {
    pub deleted: usize,
    pub failed: Vec<(String, String)>,
}

/// Erases what is stored of `user`, then deletes the files that only their messages held.
pub async fn forget(db: &Db, files: &FileStore, user: i64, by: ErasedBy) -> Result<ForgetReport> {
    let outcome = db
        .write(move |conn| crate::db::erasure::forget(conn, user, &by, now_ms()))
        .await?;
    let files = remove_orphans(db, files).await?;
    Ok(ForgetReport { outcome, files })
}

/// Deletes every archived file no message links any more from the store, then its record.
pub async fn remove_orphans(db: &Db, files: &FileStore) -> Result<FilesRemoved> {
    let orphans = db.run(attachments::orphaned).await?;
    let mut removed = FilesRemoved::default();
    for sha256 in orphans {
        if let Err(err) = files.delete(&sha256).await {
            tracing::warn!(%sha256, error = %err, "an orphaned file could not be deleted");
            removed.failed.push((sha256, err.to_string()));
            continue;
        }
        let hash = sha256.clone();
        db.write(move |conn| attachments::drop_file(conn, &hash))
            .await?;
        removed.deleted += 1;
    }
    Ok(removed)
}

/// What a retention sweep removed.
#[derive(Debug, Default)]
pub struct RetentionReport {
    pub tickets: Vec<i64>,
    pub files: FilesRemoved,
}

/// Removes closed and deleted tickets older than `keep`, then their files that no kept
/// message holds.
pub async fn retention_sweep(
    db: &Db,
    files: &FileStore,
    keep: Duration,
) -> Result<RetentionReport> {
    let cutoff = now_ms() - i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
    let tickets = db
        .write(move |conn| {
            let due = retention::expired(conn, cutoff)?;
            if !due.is_empty() {
                retention::remove(conn, &due)?;
            }
            Ok(due)
        })
        .await?;
    let files = remove_orphans(db, files).await?;
    Ok(RetentionReport { tickets, files })
}
