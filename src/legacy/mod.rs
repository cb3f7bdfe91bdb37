//! `ticketbot import-legacy <path>`: takes over the original Python bot's `tickets.sqlite`.
//!
//! Ticket numbers stay the same, so new tickets continue after the highest one. Every old
//! transcript is kept verbatim (reason `legacy`) and, where its lines parse
//! (`[YYYY-MM-DD HH:MM:SS] name: text`), also split into `messages`. Those messages get
//! synthetic negative ids (`LEGACY_MESSAGE_BASE + ticket · 2²⁴ + position`): they never collide
//! with Discord's positive snowflakes, keep their order, and come out the same on every run, so
//! importing twice changes nothing. Open and claimed tickets stay open and claimed, so the bot
//! resumes them.

mod apply;
mod cli;

mod plan;
mod read;

use std::path::Path;

use crate::db::Db;
use crate::error::{Error, Result};

pub use crate::transcript::{TranscriptEntry, parse_time, parse_transcript};
pub use cli::import_cli;

/// Negative, far below any id Discord hands out, with room for 2³⁸ tickets of 2²⁴ messages.
pub const LEGACY_MESSAGE_BASE: i64 = i64::MIN / 2;
const MESSAGES_PER_TICKET: i64 = 1 << 24;
const MAX_TICKET_NUMBER: i64 = 1 << 37;
/// The reason stored with imported transcripts.
pub const LEGACY_REASON: &str = "legacy";
/// Settings of the original bot that are copied.
pub const COPIED_SETTINGS: [&str; 2] = ["TICKET_BUTTON_CHANNEL_ID", "TICKET_BUTTON_MESSAGE_ID"];

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub tickets_imported: usize,
    pub tickets_already_present: usize,
    pub transcripts_imported: usize,
    pub messages_imported: usize,
    pub settings_copied: usize,
    /// Lines that could not be read as messages (kept in the raw transcript).
    pub unparsed_lines: usize,
    pub highest_ticket: Option<i64>,
    pub warnings: Vec<String>,
}

/// How far an import got, for a progress line on a large file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Tickets written so far.
    pub done: usize,
    pub total: usize,
}

/// The original bot's database, read and checked, not yet written anywhere: the command
/// reads it before it opens (and perhaps creates) the target, so a wrong path changes nothing.
#[derive(Debug)]
pub struct OldDatabase {
    plan: plan::Plan,
}

impl OldDatabase {
    /// Reads the file at `path` read-only. A path that is not the original's database is a
    /// [`Error::Usage`] naming what it is instead.
    pub async fn read(path: &Path) -> Result<Self> {
        let path = path.to_owned();
        let legacy = tokio::task::spawn_blocking(move || read::read_legacy(&path))
            .await
            .map_err(|err| Error::Internal(format!("reading the old database failed: {err}")))??;
        Ok(Self {
            plan: plan::plan(legacy),
        })
    }

    /// Tickets the file holds (those with a usable number).
    pub fn tickets(&self) -> usize {
        self.plan.tickets.len()
    }

    /// Imports into `db` in one transaction, telling `progress` after each ticket.
    pub async fn import_into(
        self,
        db: &Db,
        mut progress: impl FnMut(Progress) + Send + 'static,
    ) -> Result<ImportReport> {
        let plan = self.plan;
        db.write(move |conn| apply::apply(conn, plan, &mut progress))
            .await
    }
}

/// Imports the original bot's database at `path` into `db`, in one transaction.
pub async fn import(db: &Db, path: &Path) -> Result<ImportReport> {
    OldDatabase::read(path).await?.import_into(db, |_| {}).await
}
