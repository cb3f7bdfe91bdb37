//! The old rows turned into ours, before anything is written.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::read::{Legacy, LegacyTranscript};
use super::{COPIED_SETTINGS, LEGACY_MESSAGE_BASE, MAX_TICKET_NUMBER, MESSAGES_PER_TICKET};
use crate::db::models::{Message, TicketStatus};
use crate::db::schema::tickets;
use crate::transcript::{parse_time, parse_transcript};

#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
pub(super) struct ImportedTicket {
    pub(super) id: i64,
    pub(super) opener_id: i64,
    pub(super) opener_name: String,
    pub(super) channel_id: Option<i64>,
    pub(super) status: String,
    pub(super) claimed_by: Option<i64>,
    pub(super) welcome_message_id: Option<i64>,
    pub(super) created_at: i64,
    pub(super) closed_at: Option<i64>,
    pub(super) deleted_at: Option<i64>,
    /// The original bot's AI state was lost at each restart; an imported conversation is
    /// left to staff rather than greeted again by the secretary.
    pub(super) ai_state: &'static str,
}

#[derive(Debug)]
pub(super) struct PlannedTranscript {
    pub(super) created_at: i64,
    pub(super) body: String,
    pub(super) message_count: i32,
}

#[derive(Debug)]
pub(super) struct PlannedTicket {
    pub(super) row: ImportedTicket,
    pub(super) transcripts: Vec<PlannedTranscript>,
    pub(super) messages: Vec<Message>,
}

#[derive(Debug, Default)]
pub(super) struct Plan {
    pub(super) tickets: Vec<PlannedTicket>,
    pub(super) settings: Vec<(String, String)>,
    pub(super) unparsed_lines: usize,
    pub(super) warnings: Vec<String>,
}

fn snowflake(raw: Option<&str>) -> Option<i64> {
    raw?.trim()
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .and_then(|id| i64::try_from(id).ok())
}

/// Turns the old rows into ours; pure, so the same file always gives the same rows.
pub(super) fn plan(legacy: Legacy) -> Plan {
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
