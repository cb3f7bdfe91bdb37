//! The persisted conversation of one ticket (`ai_turns`) and the request built from it. Only this
//! ticket's turns are ever loaded, so conversations of different tickets cannot mix.

use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
};

use super::prompt;
use crate::db::models::{AiTurn, NewAiTurn, Ticket};
use crate::db::now_ms;

/// Answered batches after which she hands over whatever she has.
pub const MAX_TURNS: i32 = 20;
/// Tokens (prompt + completion, summed over all requests) after which she hands over.
pub const MAX_TOKENS: i64 = 60_000;

pub const USER: &str = "user";
pub const ASSISTANT: &str = "assistant";
/// A fact the bot adds (ban lookup results); sent as a system message, so it never holds text
/// from outside the bot.
pub const NOTE: &str = "note";
/// Data from outside the bot (the ban database's record); sent as a user message holding it
/// quoted, never with a system message's authority.
pub const DATA: &str = "data";

pub fn over_budget(ticket: &Ticket) -> bool {
    ticket.ai_turns >= MAX_TURNS || ticket.ai_tokens >= MAX_TOKENS
}

pub fn turn(ticket_id: i64, role: &str, content: impl Into<String>) -> NewAiTurn {
    NewAiTurn {
        ticket_id,
        role: role.to_owned(),
        content: content.into(),
        created_at: now_ms(),
    }
}

/// The system prompt, the stored turns, then the turns of this request.
pub fn request_messages(
    history: &[AiTurn],
    new: &[NewAiTurn],
) -> Vec<ChatCompletionRequestMessage> {
    let mut messages = vec![system(prompt::SYSTEM_PROMPT.to_owned())];
    let stored = history
        .iter()
        .map(|t| (t.role.as_str(), t.content.as_str()));
    let fresh = new.iter().map(|t| (t.role.as_str(), t.content.as_str()));
    for (role, content) in stored.chain(fresh) {
        messages.push(match role {
            USER | DATA => ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
                content: content.into(),
                name: None,
            }),
            ASSISTANT => {
                ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                    content: Some(content.into()),
                    ..Default::default()
                })
            }
            _ => system(content.to_owned()),
        });
    }
    messages
}

fn system(content: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
        content: content.into(),
        name: None,
    })
}
