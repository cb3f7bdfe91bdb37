//! The log channel's poster. Events are queued and posted in order by one task, so no ticket
//! waits for the log channel: its posts count against Discord's global limit of 50 requests a
//! second, and a ticket actor that awaited them stalled for up to a second under load. When
//! events pile up, up to ten share one message (Discord's limit of embeds per message).

use std::sync::Arc;

use tokio::sync::mpsc;
use twilight_http::Client;
use twilight_model::channel::message::{AllowedMentions, Embed};
use twilight_model::id::Id;
use twilight_model::id::marker::ChannelMarker;

use super::rest;

/// Discord's limits for one message: ten embeds, 6,000 characters across them.
const MAX_EMBEDS: usize = 10;
const MAX_CHARS: usize = 6_000;

#[derive(Clone)]
pub struct LogChannel {
    queue: mpsc::UnboundedSender<Embed>,
}

impl LogChannel {
    /// Starts the poster; it ends when the last handle is dropped and the queue is posted.
    pub fn spawn(http: Arc<Client>, channel: Id<ChannelMarker>) -> Self {
        let (queue, events) = mpsc::unbounded_channel();
        tokio::spawn(post_all(http, channel, events));
        Self { queue }
    }

    /// Queues one event; returns at once.
    pub fn post(&self, embed: Embed) {
        if self.queue.send(embed).is_err() {
            tracing::warn!("log channel poster stopped; event not posted");
        }
    }
}

async fn post_all(
    http: Arc<Client>,
    channel: Id<ChannelMarker>,
    mut events: mpsc::UnboundedReceiver<Embed>,
) {
    let mut waiting = Vec::with_capacity(MAX_EMBEDS);
    while events.recv_many(&mut waiting, MAX_EMBEDS).await > 0 {
        while !waiting.is_empty() {
            let batch = take_batch(&mut waiting);
            let mentions = AllowedMentions::default();
            let sent = rest::send("log channel", || {
                http.create_message(channel)
                    .embeds(&batch)
                    .allowed_mentions(Some(&mentions))
            })
            .await;
            if let Err(err) = sent {
                tracing::error!(error = %err, "could not write to the log channel (TICKET_LOG_CHANNEL_ID)");
            }
        }
    }
}

/// Takes the oldest embeds that fit into one message (always at least one).
fn take_batch(waiting: &mut Vec<Embed>) -> Vec<Embed> {
    let mut chars = 0;
    let mut count = 0;
    for embed in waiting.iter().take(MAX_EMBEDS) {
        chars += embed_chars(embed);
        if count > 0 && chars > MAX_CHARS {
            break;
        }
        count += 1;
    }
    waiting.drain(..count).collect()
}

/// The characters Discord counts against an embed's share of a message.
fn embed_chars(embed: &Embed) -> usize {
    let text = |s: &Option<String>| s.as_deref().map_or(0, |s| s.chars().count());
    text(&embed.title)
        + text(&embed.description)
        + embed
            .fields
            .iter()
            .map(|f| f.name.chars().count() + f.value.chars().count())
            .sum::<usize>()
        + embed.footer.as_ref().map_or(0, |f| f.text.chars().count())
        + embed.author.as_ref().map_or(0, |a| a.name.chars().count())
}

#[cfg(test)]
mod tests {
    use twilight_util::builder::embed::EmbedBuilder;

    use super::*;

    fn embed(description_chars: usize) -> Embed {
        EmbedBuilder::new()
            .title("t")
            .description("x".repeat(description_chars))
            .build()
    }

    #[test]
    fn batches_keep_to_discords_limits() {
        let mut waiting: Vec<Embed> = (0..12).map(|_| embed(10)).collect();
        assert_eq!(take_batch(&mut waiting).len(), MAX_EMBEDS.min(12));
        assert_eq!(waiting.len(), 2);

        let mut waiting = vec![embed(3_500), embed(3_500), embed(10)];
        assert_eq!(take_batch(&mut waiting).len(), 1, "two would exceed 6,000");
        assert_eq!(take_batch(&mut waiting).len(), 2);
        assert!(waiting.is_empty());

        let mut waiting = vec![embed(7_000)];
        assert_eq!(
            take_batch(&mut waiting).len(),
            1,
            "an oversized one still goes alone"
        );
    }
}
