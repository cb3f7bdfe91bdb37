//! Group commit for incoming messages: many ticket actors store messages at the same time, and
//! SQLite commits one transaction at a time. The writer collects what arrived meanwhile into
//! one transaction; each caller still gets its answer only after that commit.

use tokio::sync::{mpsc, oneshot};

use super::models::Message;
use super::{Db, queries};
use crate::error::{Error, Result};

/// At most this many messages share one transaction.
const MAX_BATCH: usize = 512;

type Job = (Message, oneshot::Sender<Result<bool>>);

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
        let (done, answer) = oneshot::channel();
        self.jobs
            .send((message, done))
            .map_err(|_| Error::Internal("message writer stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Internal("message writer dropped a message".into()))?
    }
}

async fn run(db: Db, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (rows, waiters): (Vec<Message>, Vec<_>) = batch.drain(..).unzip();
        let outcome = db
            .write(move |conn| {
                rows.iter()
                    .map(|row| queries::insert_message(conn, row))
                    .collect::<Result<Vec<bool>>>()
            })
            .await;
        match outcome {
            Ok(inserted) => {
                for (waiter, new) in waiters.into_iter().zip(inserted) {
                    let _ = waiter.send(Ok(new));
                }
            }
            Err(err) => {
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
