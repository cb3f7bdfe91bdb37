//! Transcripts: the stored conversation of a ticket as text (the original bot's format,
//! `[YYYY-MM-DD HH:MM:SS] name: text`) and as a standalone HTML page.

use std::fmt::Write;

use chrono::{TimeZone, Utc};

use crate::db::models::{Message, Ticket};

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

/// The text of one message as a transcript shows it: content, embeds, attachments, marks.
fn body(message: &Message) -> String {
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
    for attachment in attachments {
        parts.push(format!(
            "[Anhang: {} {}]",
            attachment.filename, attachment.url
        ));
    }
    if message.edited_at.is_some() {
        parts.push("(bearbeitet)".to_owned());
    }
    if message.deleted_at.is_some() {
        parts.push("(gelöscht)".to_owned());
    }
    parts.join(" ")
}

pub fn render_text(messages: &[Message]) -> String {
    let mut out = String::new();
    for message in messages {
        let _ = writeln!(
            out,
            "[{}] {}: {}",
            time(message.created_at),
            message.author_name,
            body(message)
        );
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A self-contained HTML page (no external assets), every user text escaped.
pub fn render_html(ticket: &Ticket, messages: &[Message]) -> String {
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
            escape(&body(message)),
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Ticket #{id}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:52rem;margin:1rem auto;padding:0 1rem;color:#222}}\
         .msg{{border-bottom:1px solid #eee;padding:.4rem 0}}.time{{color:#888;font-size:.85em}}\
         .text{{white-space:pre-wrap}}.ai b::after{{content:\" (KI)\";color:#8e44ad}}.bot b{{color:#2c3e50}}\
         </style></head><body><h1>Ticket #{id}</h1><p>Eröffnet von {opener} ({opener_id}) · Status: {status}</p>\n{rows}</body></html>\n",
        id = ticket.id,
        opener = escape(&ticket.opener_name),
        opener_id = ticket.opener_id,
        status = escape(&ticket.status),
    )
}
