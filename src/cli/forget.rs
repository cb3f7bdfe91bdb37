//! `ticketbot forget <user id>`: erasure on request from the terminal. It runs without the
//! bot, so it tells the log channel through Discord's REST API with the bot token; a failed
//! post is a warning, the erasure stands.

use crate::attachments::FileStore;
use crate::config::Config;
use crate::db::Db;
use crate::db::erasure::{ErasedBy, Forgotten};
use crate::erasure::{FilesRemoved, ForgetReport};
use crate::error::Result;
use crate::texts;
use crate::tickets::port::{LogEntry, ORANGE};

/// Who the audit rows name when the terminal asked.
const BY: &str = "ticketbot forget";

pub async fn forget(config: &Config, user: u64) -> Result<()> {
    let db = Db::connect(&config.database_url).await?;
    let files = FileStore::open(&config.attachments)?;
    let stored = i64::try_from(user)
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| crate::error::Error::Usage(format!("{user} is not a Discord user id")))?;
    let by = ErasedBy {
        id: None,
        name: BY.to_owned(),
    };
    let report = crate::erasure::forget(&db, &files, stored, by).await?;
    println!("{}", summary(user, &report));
    report_files(&report.files);
    if let Forgotten::Erased(erasure) = &report.outcome {
        let detail = texts::erasure_logged(
            user,
            erasure.tickets.len(),
            erasure.messages,
            report.files.deleted,
        );
        tell_log_channel(config, &detail).await;
    }
    Ok(())
}

/// The terminal's line for `report`.
pub fn summary(user: u64, report: &ForgetReport) -> String {
    match &report.outcome {
        Forgotten::Unknown => format!("Nothing stored for user {user}; nothing changed."),
        Forgotten::AlreadyErased => format!(
            "User {user} was erased before; nothing left to erase, nothing changed{}.",
            if report.files.deleted > 0 {
                format!(
                    " (apart from {} leftover file(s) deleted)",
                    report.files.deleted
                )
            } else {
                String::new()
            }
        ),
        Forgotten::Erased(erasure) => format!(
            "Erased user {user}: {} ticket(s) kept with their numbers and an audit row, {} \
             message(s) blanked, {} row(s) changed, {} file(s) deleted from the store.",
            erasure.tickets.len(),
            erasure.messages,
            erasure.rows,
            report.files.deleted
        ),
    }
}

fn report_files(files: &FilesRemoved) {
    for (sha256, error) in &files.failed {
        eprintln!(
            "warning: file {sha256} could not be deleted from the store ({error}); the next \
             `ticketbot forget` or retention sweep tries again"
        );
    }
}

async fn tell_log_channel(config: &Config, detail: &str) {
    let entry = LogEntry {
        title: texts::ERASURE_LOG_TITLE,
        ticket: None,
        actor: None,
        detail: detail.to_owned(),
        color: ORANGE,
    };
    if let Err(err) = crate::discord::log_channel::post_without_bot(config, entry).await {
        tracing::warn!(error = %err, "the log channel could not be told of the erasure");
        eprintln!("warning: the log channel could not be told ({err}); the erasure stands");
    }
}
