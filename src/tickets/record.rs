//! Discord messages as rows: what the bot keeps of each message in a ticket channel.

use serde_json::json;
use twilight_model::channel::Message as DiscordMessage;
use twilight_model::util::Timestamp;

use crate::db::models::Message;

fn millis(timestamp: Timestamp) -> i64 {
    timestamp.as_micros() / 1000
}

/// The row for a message of ticket `ticket_id`. `is_ai` marks the secretary's messages.
pub fn message_row(ticket_id: i64, message: &DiscordMessage, is_ai: bool) -> Message {
    let author = &message.author;
    let nick = message.member.as_ref().and_then(|m| m.nick.as_deref());
    let name = crate::who::display_name(nick, author);
    let embeds: Vec<_> = message
        .embeds
        .iter()
        .map(|e| json!({ "title": e.title, "description": e.description }))
        .collect();
    let attachments: Vec<_> = message
        .attachments
        .iter()
        .map(|a| {
            json!({
                "id": a.id.to_string(),
                "filename": a.filename,
                "url": a.url,
                "content_type": a.content_type,
                "size": a.size,
            })
        })
        .collect();
    Message {
        id: crate::ids::stored(message.id),
        ticket_id,
        author_id: crate::ids::stored(author.id),
        author_name: name,
        author_avatar: author.avatar.map(|hash| hash.to_string()),
        author_is_bot: author.bot,
        is_ai,
        content: message.content.clone(),
        embeds: serde_json::Value::from(embeds).to_string(),
        attachments: serde_json::Value::from(attachments).to_string(),
        created_at: millis(message.timestamp),
        edited_at: message.edited_timestamp.map(millis),
        deleted_at: None,
    }
}
