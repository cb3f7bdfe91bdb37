//! Writing a plan into our database, in the one transaction the caller holds.

use std::collections::HashSet;

use diesel::prelude::*;

use super::plan::Plan;
use super::{ImportReport, LEGACY_REASON, Progress};
use crate::db::models::{NewAuditEntry, NewTranscript, TicketStatus};
use crate::db::schema::{tickets, transcripts};
use crate::db::{DbConn, queries};
use crate::error::{Error, Result};

/// Writes `plan`, telling `progress` after each ticket.
pub(super) fn apply(
    conn: &mut DbConn,
    plan: Plan,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let total = plan.tickets.len();
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
        // The operator picked the wrong target: a user error, not a fault.
        return Err(Error::Usage(format!(
            "import-legacy: the target database already holds other tickets with the numbers \
             {}{}; import into a new database (DATABASE_URL=sqlite://ticketbot.sqlite)",
            list.join(", "),
            if conflicts.len() > 10 { ", …" } else { "" }
        )));
    }

    for (done, mut planned) in plan.tickets.into_iter().enumerate() {
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
        progress(Progress {
            done: done + 1,
            total,
        });
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
