//! `ticketbot import-legacy <path>`: takes over the original Python bot's `tickets.sqlite`.
//!
//! Ticket numbers stay the same, so new tickets continue after the highest one. Every old
//! transcript is kept verbatim (reason `legacy`) and, where its lines parse
//! (`[YYYY-MM-DD HH:MM:SS] name: text`), also split into `messages`. Those messages get
//! synthetic negative ids (`LEGACY_MESSAGE_BASE + ticket · 2²⁴ + position`): they never collide
//! with Discord's positive snowflakes, keep their order, and come out the same on every run, so
//! importing twice changes nothing. Open and claimed tickets stay open and claimed, so the bot
//! resumes them.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::db::models::{Message, NewAuditEntry, NewTranscript, TicketStatus};
use crate::db::schema::{tickets, transcripts};
use crate::db::{Db, DbConn, existing, queries};
use crate::error::{Error, Result};
pub use crate::transcript::{TranscriptEntry, parse_time, parse_transcript};

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

/// `ticketbot import-legacy <path>`: imports into `DATABASE_URL` (default `sqlite://tickets.sqlite`).
pub async fn import_cli(path: &Path) -> Result<()> {
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| crate::config::DEFAULT_DATABASE_URL.to_owned());
    let db = Db::connect(&url).await?;
    let report = import(&db, path).await?;
    for warning in &report.warnings {
        tracing::warn!("{warning}");
        eprintln!("Warnung: {warning}");
    }
    println!(
        "Import aus {}: {} Tickets übernommen ({} waren schon da), {} Transkripte, {} Nachrichten, \
         {} Einstellungen, {} Zeilen nur im Rohtext; höchste Ticketnummer: {}",
        path.display(),
        report.tickets_imported,
        report.tickets_already_present,
        report.transcripts_imported,
        report.messages_imported,
        report.settings_copied,
        report.unparsed_lines,
        report
            .highest_ticket
            .map_or_else(|| "keine".to_owned(), |n| n.to_string()),
    );
    Ok(())
}

/// Imports the original bot's database at `path` into `db`, in one transaction.
pub async fn import(db: &Db, path: &Path) -> Result<ImportReport> {
    let path = path.to_owned();
    let legacy = tokio::task::spawn_blocking(move || read_legacy(&path))
        .await
        .map_err(|err| Error::Internal(format!("reading the old database failed: {err}")))??;
    let plan = plan(legacy);
    db.write(move |conn| apply(conn, plan)).await
}

#[derive(Debug, QueryableByName)]
struct LegacyTicket {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    user_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    channel_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    created_at: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    claimed_by: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    user_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    admin_message_id: Option<String>,
}

#[derive(Debug, QueryableByName)]
struct LegacyTranscript {
    #[diesel(sql_type = BigInt)]
    transcript_id: i64,
    #[diesel(sql_type = BigInt)]
    ticket_id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    transcript_content: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    created_at: Option<String>,
}

#[derive(Debug, QueryableByName)]
struct LegacySetting {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

#[derive(Debug)]
struct Legacy {
    tickets: Vec<LegacyTicket>,
    transcripts: Vec<LegacyTranscript>,
    settings: Vec<LegacySetting>,
}

fn legacy_error(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Internal(format!("old database {}: {what}", path.display()))
}

/// Reads the old file read-only (diesel's SQLite connection; a missing file is an error, not
/// a new empty database).
fn read_legacy(path: &Path) -> Result<Legacy> {
    if !path.is_file() {
        return Err(legacy_error(path, "no such file"));
    }
    let mut conn = existing::open_read_only(path).map_err(|err| legacy_error(path, err))?;
    let read = |err: diesel::result::Error| legacy_error(path, err);

    let tables = existing::table_names(&mut conn).map_err(read)?;
    if !tables.contains("tickets") {
        return Err(legacy_error(
            path,
            "has no table `tickets`; is it the original bot's tickets.sqlite?",
        ));
    }
    let columns = existing::column_names(&mut conn, "tickets").map_err(read)?;
    if !columns.contains("id") {
        return Err(legacy_error(path, "table `tickets` has no column `id`"));
    }
    // `admin_message_id` came later in the original; older files lack it.
    let select: Vec<String> = [
        "user_id",
        "channel_id",
        "created_at",
        "status",
        "claimed_by",
        "user_name",
        "admin_message_id",
    ]
    .iter()
    .map(|column| {
        if columns.contains(*column) {
            format!("CAST({column} AS TEXT) AS {column}")
        } else {
            format!("NULL AS {column}")
        }
    })
    .collect();
    let tickets = diesel::sql_query(format!(
        "SELECT CAST(id AS INTEGER) AS id, {} FROM tickets WHERE id IS NOT NULL ORDER BY id",
        select.join(", ")
    ))
    .load::<LegacyTicket>(&mut conn)
    .map_err(read)?;

    let transcripts = if tables.contains("transcripts") {
        diesel::sql_query(
            "SELECT CAST(transcript_id AS INTEGER) AS transcript_id, \
             CAST(ticket_id AS INTEGER) AS ticket_id, \
             CAST(transcript_content AS TEXT) AS transcript_content, \
             CAST(created_at AS TEXT) AS created_at \
             FROM transcripts WHERE ticket_id IS NOT NULL ORDER BY transcript_id",
        )
        .load::<LegacyTranscript>(&mut conn)
        .map_err(read)?
    } else {
        Vec::new()
    };
    let settings = if tables.contains("bot_settings") {
        diesel::sql_query(
            "SELECT CAST(key AS TEXT) AS key, CAST(value AS TEXT) AS value \
             FROM bot_settings WHERE key IS NOT NULL",
        )
        .load::<LegacySetting>(&mut conn)
        .map_err(read)?
    } else {
        Vec::new()
    };
    Ok(Legacy {
        tickets,
        transcripts,
        settings,
    })
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
struct ImportedTicket {
    id: i64,
    opener_id: i64,
    opener_name: String,
    channel_id: Option<i64>,
    status: String,
    claimed_by: Option<i64>,
    welcome_message_id: Option<i64>,
    created_at: i64,
    closed_at: Option<i64>,
    deleted_at: Option<i64>,
    /// The original bot's AI state was lost at each restart; an imported conversation is
    /// left to staff rather than greeted again by the secretary.
    ai_state: &'static str,
}

#[derive(Debug)]
struct PlannedTranscript {
    created_at: i64,
    body: String,
    message_count: i32,
}

#[derive(Debug)]
struct PlannedTicket {
    row: ImportedTicket,
    transcripts: Vec<PlannedTranscript>,
    messages: Vec<Message>,
}

#[derive(Debug, Default)]
struct Plan {
    tickets: Vec<PlannedTicket>,
    settings: Vec<(String, String)>,
    unparsed_lines: usize,
    warnings: Vec<String>,
}

fn snowflake(raw: Option<&str>) -> Option<i64> {
    raw?.trim()
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .and_then(|id| i64::try_from(id).ok())
}

/// Turns the old rows into ours; pure, so the same file always gives the same rows.
fn plan(legacy: Legacy) -> Plan {
    let mut plan = Plan::default();
    let mut by_ticket: HashMap<i64, Vec<LegacyTranscript>> = HashMap::new();
    for transcript in legacy.transcripts {
        by_ticket
            .entry(transcript.ticket_id)
            .or_default()
            .push(transcript);
    }
    let known: HashSet<i64> = legacy.tickets.iter().map(|t| t.id).collect();
    let mut orphans: Vec<i64> = by_ticket
        .keys()
        .filter(|id| !known.contains(id))
        .copied()
        .collect();
    orphans.sort_unstable();
    for orphan in orphans {
        plan.warnings.push(format!(
            "transcripts of ticket #{orphan} skipped: the ticket itself is missing in the old database"
        ));
    }

    for old in legacy.tickets {
        if old.id <= 0 || old.id >= MAX_TICKET_NUMBER {
            plan.warnings
                .push(format!("ticket #{} skipped: number out of range", old.id));
            continue;
        }
        let mut old_transcripts = by_ticket.remove(&old.id).unwrap_or_default();
        old_transcripts.sort_by_key(|t| t.transcript_id);
        let opener_id = snowflake(old.user_id.as_deref()).unwrap_or(0);
        let opener_name = old
            .user_name
            .clone()
            .filter(|name| !name.trim().is_empty())
            .or_else(|| old.user_id.clone())
            .unwrap_or_else(|| "unbekannt".to_owned());

        let transcripts: Vec<PlannedTranscript> = old_transcripts
            .iter()
            .map(|t| {
                let body = t.transcript_content.clone().unwrap_or_default();
                let entries = parse_transcript(&body);
                PlannedTranscript {
                    created_at: t.created_at.as_deref().and_then(parse_time).unwrap_or(0),
                    message_count: entries.iter().filter(|e| e.author.is_some()).count() as i32,
                    body,
                }
            })
            .collect();
        let created_at = old
            .created_at
            .as_deref()
            .and_then(parse_time)
            .or_else(|| transcripts.iter().map(|t| t.created_at).find(|at| *at > 0))
            .unwrap_or(0);
        let status = match old.status.as_deref().map(str::trim) {
            Some("open") | None => TicketStatus::Open,
            Some("claimed") => TicketStatus::Claimed,
            Some("closed") => TicketStatus::Closed,
            Some("deleted") => TicketStatus::Deleted,
            Some(other) => {
                plan.warnings.push(format!(
                    "ticket #{}: unknown status {other:?}, imported as closed",
                    old.id
                ));
                TicketStatus::Closed
            }
        };
        let last_transcript = transcripts
            .iter()
            .map(|t| t.created_at)
            .max()
            .filter(|at| *at > 0);
        let closed_at = matches!(status, TicketStatus::Closed | TicketStatus::Deleted)
            .then(|| last_transcript.unwrap_or(created_at));
        let deleted_at = (status == TicketStatus::Deleted)
            .then_some(closed_at)
            .flatten();

        // The same message appears in every snapshot taken after it; the n-th occurrence of
        // (time, author, text) within one snapshot is one message.
        let mut seen: HashSet<(String, String, String, usize)> = HashSet::new();
        let mut merged: Vec<(i64, String, String, usize)> = Vec::new();
        for transcript in &transcripts {
            let mut occurrences: HashMap<(String, String, String), usize> = HashMap::new();
            for entry in parse_transcript(&transcript.body) {
                let (Some(time), Some(at_ms), Some(author)) =
                    (entry.time, entry.at_ms, entry.author)
                else {
                    plan.unparsed_lines += entry.content.lines().count().max(1);
                    continue;
                };
                let key = (time, author, entry.content);
                let nth = occurrences.entry(key.clone()).or_default();
                *nth += 1;
                let (time, author, content) = key;
                if seen.insert((time.clone(), author.clone(), content.clone(), *nth)) {
                    merged.push((at_ms, author, content, merged.len()));
                }
            }
        }
        merged.sort_by_key(|(at_ms, _, _, position)| (*at_ms, *position));
        if merged.len() as i64 >= MESSAGES_PER_TICKET {
            plan.warnings.push(format!(
                "ticket #{}: too many messages; only the raw transcript is kept",
                old.id
            ));
            merged.clear();
        }
        let messages = merged
            .into_iter()
            .enumerate()
            .map(|(seq, (at_ms, author, content, _))| Message {
                id: LEGACY_MESSAGE_BASE + old.id * MESSAGES_PER_TICKET + seq as i64,
                ticket_id: old.id,
                author_id: if author == opener_name { opener_id } else { 0 },
                author_name: author,
                author_avatar: None,
                author_is_bot: false,
                is_ai: false,
                content,
                embeds: "[]".to_owned(),
                attachments: "[]".to_owned(),
                created_at: at_ms,
                edited_at: None,
                deleted_at: None,
            })
            .collect();

        plan.tickets.push(PlannedTicket {
            row: ImportedTicket {
                id: old.id,
                opener_id,
                opener_name,
                channel_id: snowflake(old.channel_id.as_deref()),
                status: status.as_str().to_owned(),
                claimed_by: snowflake(old.claimed_by.as_deref()),
                welcome_message_id: snowflake(old.admin_message_id.as_deref()),
                created_at,
                closed_at,
                deleted_at,
                ai_state: "stopped",
            },
            transcripts,
            messages,
        });
    }

    for setting in legacy.settings {
        if let (true, Some(value)) = (
            COPIED_SETTINGS.contains(&setting.key.as_str()),
            setting.value,
        ) {
            plan.settings.push((setting.key, value));
        }
    }
    plan
}

fn apply(conn: &mut DbConn, plan: Plan) -> Result<ImportReport> {
    let mut report = ImportReport {
        unparsed_lines: plan.unparsed_lines,
        warnings: plan.warnings,
        ..ImportReport::default()
    };

    // Refuse before writing anything when a ticket number is taken by a different ticket.
    let mut present: HashSet<i64> = HashSet::new();
    let mut conflicts = Vec::new();
    for planned in &plan.tickets {
        let existing: Option<(i64, i64)> = tickets::table
            .find(planned.row.id)
            .select((tickets::opener_id, tickets::created_at))
            .first(conn)
            .optional()?;
        match existing {
            Some((opener, created))
                if opener == planned.row.opener_id && created == planned.row.created_at =>
            {
                present.insert(planned.row.id);
            }
            Some(_) => conflicts.push(planned.row.id),
            None => {}
        }
    }
    if !conflicts.is_empty() {
        let list: Vec<String> = conflicts
            .iter()
            .take(10)
            .map(|id| format!("#{id}"))
            .collect();
        return Err(Error::Internal(format!(
            "the target database already holds other tickets with the numbers {}{}; \
             import into a fresh database",
            list.join(", "),
            if conflicts.len() > 10 { ", …" } else { "" }
        )));
    }

    for mut planned in plan.tickets {
        let id = planned.row.id;
        if present.contains(&id) {
            report.tickets_already_present += 1;
        } else {
            if let Some(channel) = planned.row.channel_id
                && queries::ticket_by_channel(conn, channel)?.is_some()
            {
                report.warnings.push(format!(
                    "ticket #{id}: channel {channel} belongs to another ticket; imported without channel"
                ));
                planned.row.channel_id = None;
            }
            let active =
                TicketStatus::parse(&planned.row.status).is_some_and(TicketStatus::is_active);
            if active
                && planned.row.opener_id != 0
                && let Some(other) = queries::active_ticket_of(conn, planned.row.opener_id)?
            {
                report.warnings.push(format!(
                    "ticket #{id}: its opener already has the active ticket #{}; imported as closed",
                    other.id
                ));
                planned.row.status = TicketStatus::Closed.as_str().to_owned();
                planned.row.closed_at = Some(planned.row.created_at);
            }
            diesel::insert_into(tickets::table)
                .values(&planned.row)
                .execute(conn)?;
            queries::audit(
                conn,
                &NewAuditEntry {
                    ticket_id: Some(id),
                    action: "legacy_import".to_owned(),
                    actor_id: None,
                    actor_name: None,
                    detail: format!(
                        "aus der Datenbank des alten Bots übernommen (Status {})",
                        planned.row.status
                    ),
                    created_at: crate::db::now_ms(),
                },
            )?;
            report.tickets_imported += 1;
        }

        for message in &planned.messages {
            if queries::insert_message(conn, message)? {
                report.messages_imported += 1;
            }
        }
        for transcript in planned.transcripts {
            let exists: i64 = transcripts::table
                .filter(transcripts::ticket_id.eq(id))
                .filter(transcripts::reason.eq(LEGACY_REASON))
                .filter(transcripts::created_at.eq(transcript.created_at))
                .filter(transcripts::body_text.eq(&transcript.body))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                queries::insert_transcript(
                    conn,
                    NewTranscript {
                        ticket_id: id,
                        reason: LEGACY_REASON.to_owned(),
                        created_by: None,
                        created_by_name: None,
                        created_at: transcript.created_at,
                        message_count: transcript.message_count,
                        body_text: transcript.body,
                    },
                )?;
                report.transcripts_imported += 1;
            }
        }
    }

    for (key, value) in plan.settings {
        match queries::setting(conn, &key)? {
            None => {
                queries::set_setting(conn, &key, &value)?;
                report.settings_copied += 1;
            }
            Some(current) if current == value => {}
            Some(current) => report.warnings.push(format!(
                "setting {key} kept at {current} (the old database says {value})"
            )),
        }
    }

    if let DbConn::Postgres(pg) = conn {
        // Explicit ids do not advance the sequence; new tickets must continue after the highest.
        diesel::sql_query(
            "SELECT setval(pg_get_serial_sequence('tickets', 'id'), \
             (SELECT COALESCE(MAX(id), 1) FROM tickets))",
        )
        .execute(pg)?;
    }
    report.highest_ticket = tickets::table
        .select(diesel::dsl::max(tickets::id))
        .first(conn)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::{parse_time, parse_transcript};

    #[test]
    fn transcript_lines_parse_with_continuations() {
        let body = "Kopfzeile\n[2024-03-01 10:00:00] Max: Hallo\nzweite Zeile\n\
                    [2024-03-01 10:00:05] Support Team: Moin: wie geht's?\n[2024-03-01 10:01:00] Bot:";
        let entries = parse_transcript(body);
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].author, None);
        assert_eq!(entries[0].content, "Kopfzeile");
        assert_eq!(entries[1].author.as_deref(), Some("Max"));
        assert_eq!(entries[1].content, "Hallo\nzweite Zeile");
        assert_eq!(entries[2].author.as_deref(), Some("Support Team"));
        assert_eq!(entries[2].content, "Moin: wie geht's?");
        assert_eq!(entries[3].content, "");
        assert_eq!(entries[1].at_ms, parse_time("2024-03-01 10:00:00"));
        assert_eq!(parse_time("1970-01-01 00:00:01"), Some(1000));
    }
}
