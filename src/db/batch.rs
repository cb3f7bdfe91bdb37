//! Group commit for incoming messages: many ticket actors store messages at the same time, and
//! SQLite commits one transaction at a time. The writer collects what arrived meanwhile into
//! one transaction; each caller still gets its answer only after that commit.

use tokio::sync::{mpsc, oneshot};

use super::models::Message;
use super::{Db, queries};
use crate::error::{Error, Result};

/// At most this many messages share one transaction.
const MAX_BATCH: usize = 512;

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
}

impl MessageWriter {
    /// Starts the writer task; it ends when the last handle is dropped.
    pub fn spawn(db: Db) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(run(db, queue));
        Self { jobs }
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

async fn run(db: Db, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (rows, waiters): (Vec<Option<Message>>, Vec<_>) = batch.drain(..).unzip();
        let is_message: Vec<bool> = rows.iter().map(Option::is_some).collect();
        let messages: Vec<Message> = rows.into_iter().flatten().collect();
        // Barriers store nothing; a batch of barriers only has nothing to commit, since every
        // earlier batch is committed already (each actor start sends one).
        let outcome = if messages.is_empty() {
            Ok(Vec::new())
        } else {
            db.write(move |conn| queries::insert_messages(conn, &messages))
                .await
        };
        match outcome {
            Ok(inserted) => {
                let mut inserted = inserted.into_iter();
                for (waiter, is_message) in waiters.into_iter().zip(is_message) {
                    let new = is_message && inserted.next().unwrap_or(false);
                    let _ = waiter.send(Ok(new));
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "storing messages failed");
                let cause = err.to_string();
                for waiter in waiters {
                    let _ = waiter.send(Err(Error::Internal(format!(
                        "storing a message failed: {cause}"
                    ))));
                }
            }
        }
    }
}
