//! The log channel's poster. Events are queued and posted in order by one task, so no ticket
//! waits for the log channel: its posts count against Discord's global limit of 50 requests a
//! second, and a ticket actor that awaited them stalled for up to a second under load. When
//! events pile up, up to ten share one message (Discord's limit of embeds per message).
//! Each entry is fitted to Discord's limits when queued, batches keep to the per-message
//! limits, and a batch Discord still rejects is posted entry by entry, so one bad entry never
//! takes the others with it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use twilight_http::Client;
use twilight_model::channel::message::{AllowedMentions, Embed};
use twilight_model::id::Id;
use twilight_model::id::marker::ChannelMarker;
use twilight_util::builder::embed::EmbedBuilder;

use super::rest;
use crate::config::Config;
use crate::error::Error;
use crate::limits;
use crate::texts;

/// After `rest::send` gave up on a 5xx or timeout, the head of the queue is tried again this
/// many times, waiting twice as long each time: a short Discord outage costs no entries, and
/// the entries behind it wait so that the log keeps its order.
const OUTAGE_ROUNDS: u32 = 5;
const OUTAGE_FIRST_WAIT: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct LogChannel {
    queue: mpsc::UnboundedSender<Embed>,
}

impl LogChannel {
    /// Starts the poster; it ends when the last handle is dropped and the queue is posted.
    pub fn spawn(http: Arc<Client>, channel: Id<ChannelMarker>) -> Self {
        let (queue, events) = mpsc::unbounded_channel();
        tokio::spawn(post_all(Poster { http, channel }, events));
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

/// Posts one entry at once through Discord's REST API with the bot token, for those that run
/// without the bot and its poster (`ticketbot forget`, the panel).
pub async fn post_without_bot(
    config: &Config,
    entry: crate::tickets::port::LogEntry<'_>,
) -> Result<(), String> {
    let http = rest::client(config);
    let embed = limits::embed(super::adapter::log_embed(entry));
    match http
        .create_message(config.log_channel_id)
        .embeds(&[embed])
        .await
    {
        Ok(_) => Ok(()),
        Err(err) => Err(err.to_string()),
    }
}

async fn post_all(poster: Poster, mut events: mpsc::UnboundedReceiver<Embed>) {
    let mut waiting = Vec::with_capacity(limits::EMBEDS);
    while events.recv_many(&mut waiting, limits::EMBEDS).await > 0 {
        while !waiting.is_empty() {
            let batch = take_batch(&mut waiting);
            poster.post_batch(batch).await;
        }
    }
}

/// Stands in for an entry Discord would not take: says which one, nothing of its text.
fn unpostable_notice(entry: &Embed) -> Embed {
    let title = limits::clip(entry.title.as_deref().unwrap_or_default(), 100);
    EmbedBuilder::new()
        .title(texts::LOG_UNPOSTABLE)
        .description(texts::log_unpostable(&title))
        .color(entry.color.unwrap_or_default())
        .build()
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

enum Posted {
    Yes,
    /// Discord (or twilight's check before sending) will not take this body: retrying the
    /// same body cannot help, a different one can.
    Rejected,
    /// Discord stayed unreachable through every retry.
    Lost,
}

struct Poster {
    http: Arc<Client>,
    channel: Id<ChannelMarker>,
}

impl Poster {
    /// Posts a batch; when Discord rejects it, each entry goes alone, so that one bad entry
    /// costs only itself, and an entry rejected alone is replaced by a short notice.
    async fn post_batch(&self, batch: Vec<Embed>) {
        if batch.len() > 1 {
            match self.post_patiently(&batch).await {
                Posted::Yes | Posted::Lost => return,
                Posted::Rejected => tracing::warn!(
                    entries = batch.len(),
                    "Discord rejected a batch of log entries; posting them one by one"
                ),
            }
        }
        for embed in &batch {
            if let Posted::Rejected = self.post_patiently(std::slice::from_ref(embed)).await {
                tracing::error!(entry = ?embed, "Discord rejected a log entry; posting a notice instead");
                self.post_patiently(&[unpostable_notice(embed)]).await;
            }
        }
    }

    async fn post_patiently(&self, embeds: &[Embed]) -> Posted {
        let mut wait = OUTAGE_FIRST_WAIT;
        for round in 1..=OUTAGE_ROUNDS {
            match self.post(embeds).await {
                Ok(()) => return Posted::Yes,
                Err(Error::Discord(err)) if rest::is_transient(&err) && round < OUTAGE_ROUNDS => {
                    tracing::warn!(error = %err, round, "log channel unreachable; waiting before the next try");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(Error::Discord(err)) if rest::is_transient(&err) => break,
                Err(_) => return Posted::Rejected,
            }
        }
        tracing::error!(
            entries = embeds.len(),
            "could not write to the log channel (TICKET_LOG_CHANNEL_ID); entries lost"
        );
        Posted::Lost
    }

    async fn post(&self, embeds: &[Embed]) -> crate::error::Result<()> {
        let mentions = AllowedMentions::default();
        rest::send("log channel", || {
            self.http
                .create_message(self.channel)
                .embeds(embeds)
                .allowed_mentions(Some(&mentions))
        })
        .await?;
        Ok(())
    }
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
