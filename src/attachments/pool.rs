//! The archiver: downloads pending attachments in a bounded pool of its own, off every actor's
//! path. Its work list is the database: each attachment has a row from the moment its message
//! is stored, so what a restart interrupted is found again at the next start.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::{Notify, Semaphore, watch};

use super::fetch::{self, FetchError};
use super::sniff;
use super::store::FileStore;
use crate::db::attachments::{self as rows, ArchiveStatus, ArchivedFile, AttachmentRow};
use crate::db::{Db, now_ms};

/// Downloads running at once.
const WORKERS: usize = 4;
/// Rows read per look at the work list.
const BATCH: i64 = 64;
/// Tries of one download before it counts as failed (404, 403, no answer).
const MAX_ATTEMPTS: i32 = 4;
const RETRY_FIRST: Duration = Duration::from_secs(1);
/// While the store is down, files wait at most this long between tries.
const RETRY_LONGEST: Duration = Duration::from_secs(600);
/// The work list is read at least this often (retries fall due, edits add rows).
const POLL: Duration = Duration::from_secs(2);

/// Something for the log channel; the composition turns it into a log entry.
pub struct Report {
    pub ticket: Option<i64>,
    pub title: &'static str,
    pub detail: String,
}

pub type Reporter = Arc<dyn Fn(Report) + Send + Sync>;

struct Shared {
    db: Db,
    store: FileStore,
    http: reqwest::Client,
    max_bytes: u64,
    max_mb: u32,
    report: Reporter,
    /// Rows being downloaded now, so the next look at the work list skips them.
    in_flight: Mutex<HashSet<(i64, i32)>>,
    /// Rung when messages were stored or a download finished.
    wake: Arc<Notify>,
    /// The store's failure is told once per outage.
    store_down: std::sync::atomic::AtomicBool,
    /// Failed writes to the store in a row, for the pause before the next.
    store_failures: std::sync::atomic::AtomicI32,
}

/// Runs the archiver until `stop` turns true. `wake` is rung by the message writer after each
/// commit.
pub async fn run(
    db: Db,
    store: FileStore,
    max_mb: u32,
    wake: Arc<Notify>,
    report: Reporter,
    mut stop: watch::Receiver<bool>,
) {
    let shared = Arc::new(Shared {
        db,
        store,
        http: fetch::client(),
        max_bytes: u64::from(max_mb) * 1024 * 1024,
        max_mb,
        report,
        in_flight: Mutex::new(HashSet::new()),
        wake,
        store_down: Default::default(),
        store_failures: Default::default(),
    });
    let workers = Arc::new(Semaphore::new(WORKERS));
    loop {
        let now = now_ms();
        let due = shared.db.run(move |conn| rows::due(conn, now, BATCH)).await;
        let mut pause = POLL;
        match due {
            Ok(due) => {
                for row in due {
                    let key = (row.message_id, row.position);
                    if !lock(&shared.in_flight).insert(key) {
                        continue;
                    }
                    let Ok(permit) = workers.clone().acquire_owned().await else {
                        return;
                    };
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        archive(&shared, &row).await;
                        lock(&shared.in_flight).remove(&key);
                        drop(permit);
                        shared.wake.notify_one();
                    });
                }
                if let Ok(Some(next)) = shared.db.run(rows::next_due).await {
                    let wait = u64::try_from(next - now_ms()).unwrap_or(0);
                    if wait > 0 {
                        pause = pause.min(Duration::from_millis(wait));
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not read pending attachments"),
        }
        tokio::select! {
            () = crate::process::stopped(&mut stop) => return,
            () = shared.wake.notified() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// One attachment: downloaded, hashed, typed from its bytes and stored once per content.
async fn archive(shared: &Shared, row: &AttachmentRow) {
    let declared_large = u64::try_from(row.size).is_ok_and(|size| size > shared.max_bytes);
    let bytes = if declared_large {
        Err(FetchError::TooLarge)
    } else {
        fetch::download(&shared.http, &row.url, shared.max_bytes).await
    };
    let outcome = match bytes {
        Ok(bytes) => store(shared, row, bytes).await,
        Err(FetchError::TooLarge) => {
            // The row keeps what the panel and transcripts say in the file's place.
            let detail = crate::texts::not_archived_too_large(shared.max_mb);
            tracing::info!(ticket = row.ticket_id, file = %row.filename, "attachment not archived: {detail}");
            finish(
                shared,
                row,
                ArchiveStatus::TooLarge,
                (row.attempts, 0),
                &detail,
            )
            .await
        }
        Err(err) => download_failed(shared, row, &err).await,
    };
    if let Err(err) = outcome {
        tracing::warn!(ticket = row.ticket_id, file = %row.filename, error = %err, "could not record an attachment's archive state");
    }
}

async fn store(shared: &Shared, row: &AttachmentRow, bytes: bytes::Bytes) -> crate::Result<()> {
    let sha256 = hex(&Sha256::digest(&bytes));
    let known = {
        let sha256 = sha256.clone();
        shared.db.run(move |conn| rows::file(conn, &sha256)).await?
    };
    let file = match known {
        Some(file) => file,
        None => {
            let file = ArchivedFile {
                sha256: sha256.clone(),
                content_type: sniff::stored_type(&bytes),
                size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                stored_at: now_ms(),
            };
            if let Err(err) = shared.store.put(&sha256, bytes).await {
                return store_failed(shared, row, &err).await;
            }
            file
        }
    };
    shared
        .store_failures
        .store(0, std::sync::atomic::Ordering::Relaxed);
    if shared
        .store_down
        .swap(false, std::sync::atomic::Ordering::Relaxed)
    {
        tracing::info!(
            store = shared.store.describe(),
            "attachment store reachable again"
        );
    }
    let (message_id, position) = (row.message_id, row.position);
    shared
        .db
        .write(move |conn| rows::mark_stored(conn, message_id, position, &file))
        .await
}

/// The CDN refused or did not answer: tried again after a growing pause; after the last try
/// the attachment counts as failed, and the log channel hears of it once.
async fn download_failed(
    shared: &Shared,
    row: &AttachmentRow,
    err: &FetchError,
) -> crate::Result<()> {
    let attempt = row.attempts + 1;
    let detail = err.to_string();
    if attempt < MAX_ATTEMPTS {
        tracing::info!(ticket = row.ticket_id, file = %row.filename, attempt, error = %detail, "attachment download failed; retrying");
        let pause = backoff(attempt);
        return finish(
            shared,
            row,
            ArchiveStatus::Pending,
            (attempt, pause),
            &detail,
        )
        .await;
    }
    tracing::warn!(ticket = row.ticket_id, file = %row.filename, error = %detail, "attachment could not be archived");
    // Recorded before it is told: a restart never tells it twice.
    let note = crate::texts::not_archived_failed(&detail);
    finish(shared, row, ArchiveStatus::Failed, (attempt, 0), &note).await?;
    (shared.report)(Report {
        ticket: Some(row.ticket_id),
        title: crate::texts::ARCHIVE_FAILED_TITLE,
        detail: crate::texts::archive_failed(&row.filename, &detail, attempt),
    });
    Ok(())
}

/// The store is down: the file waits (the download is repeated later), and the log channel is
/// told once until the store works again.
async fn store_failed(
    shared: &Shared,
    row: &AttachmentRow,
    err: &crate::Error,
) -> crate::Result<()> {
    let detail = err.to_string();
    tracing::warn!(store = shared.store.describe(), error = %detail, "attachment store failed");
    if !shared
        .store_down
        .swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        (shared.report)(Report {
            ticket: None,
            title: crate::texts::ARCHIVE_STORE_DOWN_TITLE,
            detail: crate::texts::archive_store_down(shared.store.describe(), &detail),
        });
    }
    let failures = shared
        .store_failures
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // Not counted as a failed download: the file itself is fine.
    finish(
        shared,
        row,
        ArchiveStatus::Pending,
        (row.attempts, backoff(failures + 1)),
        &detail,
    )
    .await
}

async fn finish(
    shared: &Shared,
    row: &AttachmentRow,
    status: ArchiveStatus,
    (attempts, pause): (i32, u64),
    detail: &str,
) -> crate::Result<()> {
    let (message_id, position, detail) = (row.message_id, row.position, detail.to_owned());
    let next = now_ms() + i64::try_from(pause).unwrap_or(i64::MAX / 2);
    shared
        .db
        .write(move |conn| {
            rows::mark_attempt(
                conn,
                message_id,
                position,
                status,
                (attempts, next),
                &detail,
            )
        })
        .await
}

/// Milliseconds before try `attempt + 1`: 1 s, 2 s, 4 s, … up to ten minutes.
fn backoff(attempt: i32) -> u64 {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    millis(
        RETRY_FIRST
            .saturating_mul(1 << doublings)
            .min(RETRY_LONGEST),
    )
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off() {
        assert_eq!(backoff(1), 1_000);
        assert_eq!(backoff(2), 2_000);
        assert_eq!(backoff(3), 4_000);
        assert_eq!(backoff(40), 600_000);
    }

    #[test]
    fn hashes_are_lowercase_hex() {
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
