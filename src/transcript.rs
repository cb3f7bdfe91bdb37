//! Transcripts: the stored conversation of a ticket as rows (what the panel shows), as text
//! (the original bot's format, `[YYYY-MM-DD HH:MM:SS] name: text`) and as a standalone HTML
//! page; and the text format read back (the panel's view of a stored transcript, and the
//! original bot's transcripts on import).

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{NaiveDateTime, TimeZone, Utc};

use crate::db::models::{Message, Ticket, TranscriptEntryRow};
use crate::html::escape;

fn time(millis: i64) -> String {
    Utc.timestamp_millis_opt(millis)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

#[derive(serde::Deserialize)]
struct EmbedText {
    title: Option<String>,
    description: Option<String>,
}

#[derive(serde::Deserialize)]
struct AttachmentLink {
    filename: String,
    url: String,
}

/// How an attachment appears in an HTML transcript, instead of Discord's expiring URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileLink {
    /// A small archived image carried in the file itself (`data:` URI).
    Embedded { data_uri: String },
    /// Archived; the panel serves it at `url`.
    Archived { url: String, image: bool },
    /// Not archived, and why ("nicht archiviert: größer als 25 MB").
    Missing { note: String },
}

/// The attachments' links by (message id, position); an attachment without one keeps its
/// Discord URL (not archived yet, or no archive at all).
pub type FileLinks = HashMap<(i64, i32), FileLink>;

/// The text of one message as a transcript shows it: content, embeds, attachments, marks.
fn body(message: &Message) -> String {
    let (mut parts, attachments, marks) = body_parts(message);
    for attachment in attachments {
        parts.push(attachment_marker(&attachment));
    }
    parts.extend(marks);
    parts.join(" ")
}

fn attachment_marker(attachment: &AttachmentLink) -> String {
    format!("[Anhang: {} {}]", attachment.filename, attachment.url)
}

/// A message's texts (content, embeds), its attachments and its marks (edited, deleted).
fn body_parts(message: &Message) -> (Vec<String>, Vec<AttachmentLink>, Vec<String>) {
    let mut parts = Vec::new();
    if !message.content.is_empty() {
        parts.push(message.content.clone());
    }
    let embeds: Vec<EmbedText> = serde_json::from_str(&message.embeds).unwrap_or_default();
    for embed in embeds {
        let text = [embed.title, embed.description]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" — ");
        parts.push(format!("[Embed: {text}]"));
    }
    let attachments: Vec<AttachmentLink> =
        serde_json::from_str(&message.attachments).unwrap_or_default();
    let mut marks = Vec::new();
    if message.edited_at.is_some() {
        marks.push("(bearbeitet)".to_owned());
    }
    if message.deleted_at.is_some() {
        marks.push("(gelöscht)".to_owned());
    }
    (parts, attachments, marks)
}

/// A message's body as HTML: texts escaped, attachments by their link.
fn html_body(message: &Message, links: &FileLinks) -> String {
    let (parts, attachments, marks) = body_parts(message);
    let mut out: Vec<String> = parts.iter().map(|part| escape(part)).collect();
    for (attachment, position) in attachments.iter().zip(0..) {
        let name = escape(&attachment.filename);
        out.push(match links.get(&(message.id, position)) {
            Some(FileLink::Embedded { data_uri }) => format!(
                "<img class=\"file\" src=\"{}\" alt=\"{name}\" loading=\"lazy\">",
                escape(data_uri)
            ),
            Some(FileLink::Archived { url, image: true }) => format!(
                "<a href=\"{url}\"><img class=\"file\" src=\"{url}\" alt=\"{name}\" loading=\"lazy\"></a>",
                url = escape(url)
            ),
            Some(FileLink::Archived { url, image: false }) => {
                format!("[Anhang: <a href=\"{}\">{name}</a>]", escape(url))
            }
            Some(FileLink::Missing { note }) => format!("[Anhang: {name} ({})]", escape(note)),
            None => escape(&attachment_marker(attachment)),
        });
    }
    out.extend(marks.iter().map(|mark| escape(mark)));
    out.join(" ")
}

/// The snapshot's rows: one per message, so nothing inside a message can pass for another.
pub fn rows(transcript_id: i64, messages: &[Message]) -> Vec<TranscriptEntryRow> {
    messages
        .iter()
        .zip(0..)
        .map(|(message, position)| TranscriptEntryRow {
            transcript_id,
            position,
            at_ms: message.created_at,
            author_id: message.author_id,
            author_name: message.author_name.clone(),
            author_is_bot: message.author_is_bot,
            is_ai: message.is_ai,
            content: body(message),
        })
        .collect()
}

/// Continuation lines are indented, so a line written inside a message
/// (`[2026-01-01 10:00:00] Sam Support: …`) never starts a line of the transcript.
pub fn render_text(messages: &[Message]) -> String {
    let mut out = String::new();
    for message in messages {
        write_line(
            &mut out,
            &time(message.created_at),
            &message.author_name,
            &body(message),
        );
    }
    out
}

/// The text of a snapshot from its rows, as [`render_text`] wrote it from the messages
/// (after an erasure blanked some rows).
pub fn render_entries(entries: &[TranscriptEntryRow]) -> String {
    let mut out = String::new();
    for entry in entries {
        write_line(
            &mut out,
            &time(entry.at_ms),
            &entry.author_name,
            &entry.content,
        );
    }
    out
}

/// The text of parsed lines again, for a transcript stored as text only (imported); text
/// before the first line stays as it was.
pub fn render_parsed(entries: &[TranscriptEntry]) -> String {
    let mut out = String::new();
    for entry in entries {
        match (&entry.time, &entry.author) {
            // Continuation lines were read with their indent, so they are written as read.
            (Some(time), Some(author)) => {
                let _ = writeln!(out, "[{time}] {}: {}", one_line(author), entry.content);
            }
            _ => {
                let _ = writeln!(out, "{}", entry.content);
            }
        }
    }
    out
}

fn write_line(out: &mut String, time: &str, author: &str, body: &str) {
    let mut lines = body.split('\n');
    let first = lines.next().unwrap_or_default();
    let _ = writeln!(out, "[{time}] {}: {first}", one_line(author));
    for line in lines {
        let _ = writeln!(out, "    {line}");
    }
}

/// One line (with its continuation lines) of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEntry {
    /// As written, `YYYY-MM-DD HH:MM:SS` (UTC).
    pub time: Option<String>,
    pub at_ms: Option<i64>,
    pub author: Option<String>,
    pub content: String,
}

/// Parses `[YYYY-MM-DD HH:MM:SS] name: text` lines. A line that does not start that way
/// continues the previous message (messages may span lines); text before the first such line
/// becomes an entry without time and author.
pub fn parse_transcript(body: &str) -> Vec<TranscriptEntry> {
    let mut entries: Vec<TranscriptEntry> = Vec::new();
    for line in body.lines() {
        match parse_line(line) {
            Some((time, at_ms, author, content)) => entries.push(TranscriptEntry {
                time: Some(time.to_owned()),
                at_ms: Some(at_ms),
                author: Some(author.to_owned()),
                content: content.to_owned(),
            }),
            None => match entries.last_mut() {
                Some(last) => {
                    last.content.push('\n');
                    last.content.push_str(line);
                }
                None => entries.push(TranscriptEntry {
                    time: None,
                    at_ms: None,
                    author: None,
                    content: line.to_owned(),
                }),
            },
        }
    }
    entries
}

fn parse_line(line: &str) -> Option<(&str, i64, &str, &str)> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find(']')?;
    let time = &rest[..close];
    let at_ms = parse_time(time)?;
    let rest = rest[close + 1..].strip_prefix(' ')?;
    let (author, content) = match rest.find(": ") {
        Some(colon) => (&rest[..colon], &rest[colon + 2..]),
        None => (rest.strip_suffix(':')?, ""),
    };
    if author.is_empty() {
        return None;
    }
    Some((time, at_ms, author, content))
}

/// `YYYY-MM-DD HH:MM:SS` (SQLite's `CURRENT_TIMESTAMP`, UTC) as unix milliseconds.
pub fn parse_time(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
    .map(|time| time.and_utc().timestamp_millis())
}

/// A name as one line (Discord names have no line breaks; a stored one must not add any).
fn one_line(name: &str) -> String {
    name.replace(['\n', '\r'], " ")
}

/// A self-contained HTML page, every user text escaped; attachments as `links` says (small
/// images embedded, other archived files linked to the panel).
pub fn render_html(ticket: &Ticket, messages: &[Message], links: &FileLinks) -> String {
    let mut rows = String::new();
    for message in messages {
        let class = if message.is_ai {
            "msg ai"
        } else if message.author_is_bot {
            "msg bot"
        } else {
            "msg"
        };
        let _ = writeln!(
            rows,
            "<div class=\"{class}\"><span class=\"time\">{}</span> <b>{}</b><div class=\"text\">{}</div></div>",
            time(message.created_at),
            escape(&message.author_name),
            html_body(message, links),
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Ticket #{id}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:52rem;margin:1rem auto;padding:0 1rem;color:#222}}\
         .msg{{border-bottom:1px solid #eee;padding:.4rem 0}}.time{{color:#888;font-size:.85em}}\
         .text{{white-space:pre-wrap}}.ai b::after{{content:\" (KI)\";color:#8e44ad}}.bot b{{color:#2c3e50}}\
         img.file{{display:block;max-width:100%;max-height:24rem;margin:.3rem 0}}\
         </style></head><body><h1>Ticket #{id}</h1><p>Eröffnet von {opener} ({opener_id}) · Status: {status}</p>\n{rows}</body></html>\n",
        id = ticket.id,
        opener = escape(&ticket.opener_name),
        opener_id = ticket.opener_id,
        status = escape(ticket.status.as_str()),
    )
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
