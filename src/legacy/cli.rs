//! `ticketbot import-legacy <path>`: the import as an operator runs it, with progress on a
//! large file and a summary that says what each number means.

use std::path::Path;

use super::{ImportReport, OldDatabase, Progress};
use crate::cli::{DatabaseSetting, absolute, counted};
use crate::db::Db;
use crate::error::Result;

/// A file with at least this many tickets gets a progress line every this many tickets.
pub const PROGRESS_EVERY: usize = 500;

/// Imports the file at `path` into `DATABASE_URL` (default `sqlite://tickets.sqlite`).
pub async fn import_cli(path: &Path) -> Result<()> {
    // The old file first: a wrong path must not leave a new empty database behind.
    let old = OldDatabase::read(path).await?;
    let target = DatabaseSetting::from_env();
    let total = old.tickets();
    if total >= PROGRESS_EVERY {
        eprintln!(
            "import-legacy: {total} tickets read from {}; writing them into {} …",
            path.display(),
            target.shown()
        );
    }
    let db = Db::connect(&target.url).await?;
    let report = old.import_into(&db, print_progress).await?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let source = absolute(&path.to_string_lossy());
    print!("{}", summary(&source, &target.shown(), &report));
    Ok(())
}

fn print_progress(Progress { done, total }: Progress) {
    if total >= PROGRESS_EVERY && (done % PROGRESS_EVERY == 0 || done == total) {
        eprintln!(
            "import-legacy: {done} of {total} tickets written ({}%)",
            done * 100 / total
        );
    }
}

/// What the import did, one line per kind, ending in a newline.
pub fn summary(source: &Path, target: &str, report: &ImportReport) -> String {
    let mut text = format!("Imported {} into {target}:\n", source.display());
    let highest = match report.highest_ticket {
        Some(n) => format!("highest ticket number: {n}, new tickets continue after it"),
        None => "no tickets in the database".to_owned(),
    };
    text.push_str(&format!(
        "  {} imported ({} already present); {highest}\n",
        counted(report.tickets_imported, "ticket"),
        report.tickets_already_present
    ));
    text.push_str(&format!(
        "  {}, {} read from them, {} (the ticket button's channel and message)\n",
        counted(report.transcripts_imported, "transcript"),
        counted(report.messages_imported, "message"),
        counted(report.settings_copied, "setting"),
    ));
    match report.unparsed_lines {
        0 => {}
        1 => text.push_str(
            "  1 line could not be matched to a message and is kept only in the raw text of \
             its transcript\n",
        ),
        n => text.push_str(&format!(
            "  {n} lines could not be matched to a message and are kept only in the raw text \
             of their transcripts\n"
        )),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_explains_lines_kept_only_as_raw_text() {
        let report = ImportReport {
            tickets_imported: 1,
            transcripts_imported: 2,
            messages_imported: 5,
            settings_copied: 2,
            unparsed_lines: 1,
            highest_ticket: Some(12),
            ..ImportReport::default()
        };
        let text = summary(
            Path::new("/old/tickets.sqlite"),
            "sqlite:///new.sqlite",
            &report,
        );
        assert!(text.starts_with("Imported /old/tickets.sqlite into sqlite:///new.sqlite:\n"));
        assert!(
            text.contains("1 ticket imported (0 already present)"),
            "{text}"
        );
        assert!(text.contains("highest ticket number: 12"), "{text}");
        assert!(
            text.contains(
                "1 line could not be matched to a message and is kept only in the raw text"
            ),
            "{text}"
        );
    }
}
