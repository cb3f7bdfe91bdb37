//! Group commit for incoming messages: many ticket actors store messages at the same time, and
//! SQLite commits one transaction at a time. The writer collects what arrived meanwhile into
//! one transaction; each caller still gets its answer only after that commit.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::models::Message;
use super::{Db, queries};
use crate::error::{Error, Result};

/// At most this many messages share one transaction.
const MAX_BATCH: usize = 512;
/// Pauses between retries of messages kept through a storage outage.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_LONGEST: Duration = Duration::from_secs(30);
/// Messages kept in memory through an outage, at most.
const MAX_KEPT: usize = 100_000;

/// A message to store, or `None`: a barrier answered once everything before it committed.
type Job = (Option<Message>, oneshot::Sender<Result<bool>>);

/// The answer to one submitted message: true when it was new, once its transaction committed.
pub struct Receipt(oneshot::Receiver<Result<bool>>);

impl Receipt {
    pub async fn stored(self) -> Result<bool> {
        self.0
            .await
            .map_err(|_| Error::Internal("message writer dropped a message".into()))?
    }
}

#[derive(Clone)]
pub struct MessageWriter {
    jobs: mpsc::UnboundedSender<Job>,
    /// Rung after every commit that stored a message, for the attachment archiver.
    stored: Arc<tokio::sync::Notify>,
}

impl MessageWriter {
    /// Starts the writer task; it ends when the last handle is dropped.
    pub fn spawn(db: Db) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        let stored = Arc::new(tokio::sync::Notify::new());
        tokio::spawn(run(db, queue, stored.clone()));
        Self { jobs, stored }
    }

    /// What is rung after a commit stored new messages (their attachment rows with them).
    pub fn stored_signal(&self) -> Arc<tokio::sync::Notify> {
        self.stored.clone()
    }

    /// Rings [`Self::stored_signal`] for messages stored elsewhere (the history catch-up).
    pub fn notify_stored(&self) {
        self.stored.notify_one();
    }

    /// Stores `message` unless its Discord id is known; true when it was new. Returns after
    /// the transaction holding it committed.
    pub async fn insert(&self, message: Message) -> Result<bool> {
        self.submit(message).stored().await
    }

    /// Queues `message` and returns at once. Once queued it is stored even if the caller
    /// goes away: the router hands it over here before any ticket actor sees it, so a crashing
    /// actor cannot lose it.
    pub fn submit(&self, message: Message) -> Receipt {
        self.enqueue(Some(message))
    }

    /// Returns once every message submitted before this call is committed (or failed).
    pub async fn flush(&self) {
        let _ = self.enqueue(None).stored().await;
    }

    fn enqueue(&self, message: Option<Message>) -> Receipt {
        let (done, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((_, done))) = self.jobs.send((message, done)) {
            let _ = done.send(Err(Error::Internal("message writer stopped".into())));
        }
        Receipt(answer)
    }
}

async fn run(db: Db, mut queue: mpsc::UnboundedReceiver<Job>, stored: Arc<tokio::sync::Notify>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Messages whose transaction failed while the database took no writes (full disk, server
    // down): written again with the next batch, or after a pause when nothing arrives, so an
    // outage costs no message while the process lives (after a restart the channel-history
    // catch-up finds them).
    let mut kept: Vec<Message> = Vec::new();
    let mut pause = RETRY_FIRST;
    loop {
        let open = if kept.is_empty() {
            queue.recv_many(&mut batch, MAX_BATCH).await > 0
        } else {
            tokio::time::timeout(pause, queue.recv_many(&mut batch, MAX_BATCH))
                .await
                .is_ok_and(|received| received > 0)
                || !queue.is_closed()
        };
        if !open && kept.is_empty() && batch.is_empty() {
            break;
        }
        let (rows, waiters): (Vec<Option<Message>>, Vec<_>) = batch.drain(..).unzip();
        let is_message: Vec<bool> = rows.iter().map(Option::is_some).collect();
        let retried = kept.len();
        let mut messages = std::mem::take(&mut kept);
        messages.extend(rows.into_iter().flatten());
        let outcome = write(&db, messages).await;
        match outcome {
            Ok(inserted) => {
                if retried > 0 {
                    tracing::info!(messages = retried, "kept messages stored after all");
                }
                pause = RETRY_FIRST;
                if inserted.contains(&true) {
                    stored.notify_one();
                }
                let mut inserted = inserted.into_iter().skip(retried);
                for (waiter, is_message) in waiters.into_iter().zip(is_message) {
                    let new = is_message && inserted.next().unwrap_or(false);
                    let _ = waiter.send(Ok(new));
                }
            }
            Err((err, messages)) => {
                let cause = err.to_string();
                let answer = if err.is_transient_storage() {
                    kept = messages;
                    if kept.len() > MAX_KEPT {
                        // Beyond this the channel-history catch-up of a restart recovers them.
                        let dropped = kept.len() - MAX_KEPT;
                        kept.drain(..dropped);
                        tracing::error!(
                            dropped,
                            "too many messages kept for a retry; the oldest wait for a catch-up"
                        );
                    }
                    tracing::error!(error = %err, kept = kept.len(), retry_in = ?pause, "storing messages failed; kept for a retry");
                    pause = (pause * 2).min(RETRY_LONGEST);
                    Error::DatabaseUnavailable(format!("kept for a retry: {cause}"))
                } else {
                    tracing::error!(error = %err, "storing messages failed");
                    Error::Internal(format!("storing a message failed: {cause}"))
                };
                for waiter in waiters {
                    let _ = waiter.send(Err(clone_error(&answer)));
                }
            }
        }
        if !open {
            // The last handle is gone (shutdown): one final attempt was made above.
            break;
        }
    }
}

fn clone_error(err: &Error) -> Error {
    match err {
        Error::DatabaseUnavailable(cause) => Error::DatabaseUnavailable(cause.clone()),
        other => Error::Internal(other.to_string()),
    }
}

/// Inserts `messages` in one write transaction; on failure hands them back for a retry. They
/// reach the transaction through a shared slot, so the hot path moves them instead of cloning.
async fn write(db: &Db, messages: Vec<Message>) -> Result<Vec<bool>, (Error, Vec<Message>)> {
    if messages.is_empty() {
        // Barriers store nothing; a batch of barriers has nothing to commit, since every
        // earlier batch is committed already (each actor start sends one).
        return Ok(Vec::new());
    }
    let slot = Arc::new(Mutex::new(messages));
    let rows = slot.clone();
    let outcome = db
        .write(move |conn| {
            let rows = rows.lock().unwrap_or_else(|e| e.into_inner());
            queries::insert_messages(conn, &rows)
        })
        .await;
    outcome.map_err(|err| {
        let messages = std::mem::take(&mut *slot.lock().unwrap_or_else(|e| e.into_inner()));
        (err, messages)
    })
}
