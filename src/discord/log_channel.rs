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

use super::{limits, rest};

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

    /// Queues one event, fitted to Discord's limits so that it can share a message; returns
    /// at once.
    pub fn post(&self, embed: Embed) {
        if self.queue.send(limits::embed(embed)).is_err() {
            tracing::warn!("log channel poster stopped; event not posted");
        }
    }
}

async fn post_all(
    http: Arc<Client>,
    channel: Id<ChannelMarker>,
    mut events: mpsc::UnboundedReceiver<Embed>,
) {
    let mut waiting = Vec::with_capacity(limits::EMBEDS);
    while events.recv_many(&mut waiting, limits::EMBEDS).await > 0 {
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
    for embed in waiting.iter().take(limits::EMBEDS) {
        chars += limits::embed_chars(embed);
        if count > 0 && chars > limits::EMBEDS_TOTAL {
            break;
        }
        count += 1;
    }
    waiting.drain(..count).collect()
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
        assert_eq!(take_batch(&mut waiting).len(), limits::EMBEDS);
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
