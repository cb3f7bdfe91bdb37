//! Changes the database could not take, handed back to the actor to try again.

use std::time::Duration;

use ractor::ActorRef;

use super::TicketMsg;
use crate::error::Error;

/// How long a change the database could not take waits before it is tried again.
const STORAGE_RETRY: Duration = Duration::from_secs(2);

/// Hands `msg` back to the actor after a pause: the database takes no writes (full disk,
/// server down), and failing the actor would only restart it into the same wall, over and
/// over, until the ticket is marked degraded.
pub(super) fn retry_later(myself: &ActorRef<TicketMsg>, ticket: i64, err: &Error, msg: TicketMsg) {
    tracing::warn!(ticket, error = %err, retry_in = ?STORAGE_RETRY, "could not store a change; trying again");
    myself.send_after(STORAGE_RETRY, move || msg);
}
