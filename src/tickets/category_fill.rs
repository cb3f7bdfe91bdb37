//! Discord allows 50 channels in a category. A full ticket category stops new tickets (and
//! the claims and closes that move a channel into it), so the log channel is warned at 45,
//! once, and again only after the category had room in between.

use std::collections::HashSet;
use std::sync::Mutex;

use twilight_model::channel::Channel;
use twilight_model::id::Id;
use twilight_model::id::marker::ChannelMarker;

use crate::texts;
use crate::tickets::context::Ctx;
use crate::tickets::port::{LogEntry, ORANGE};

/// Discord's limit of channels in one category.
pub const MAX_CHANNELS: usize = 50;
/// From this many channels on the log channel is warned.
pub const WARN_AT: usize = 45;

/// The ticket categories the log channel was warned of and that have not had room since.
#[derive(Debug, Default)]
pub struct CategoryFill(Mutex<HashSet<Id<ChannelMarker>>>);

impl CategoryFill {
    /// Records that `category` holds `count` channels; true when a channel that `landed` there
    /// made it nearly full and nobody was warned yet. Concurrent checks warn only once.
    fn observe(&self, category: Id<ChannelMarker>, count: usize, landed: bool) -> bool {
        let mut warned = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if count < WARN_AT {
            warned.remove(&category);
            return false;
        }
        landed && warned.insert(category)
    }
}

/// After a ticket channel was created in or moved into `landed_in`: counts the channels of
/// every ticket category (one request) and warns when `landed_in` is nearly full. Failures
/// only go to the operator's log; the ticket itself is done.
pub async fn check(ctx: &Ctx, landed_in: Id<ChannelMarker>) {
    let channels: Vec<Channel> = match ctx.discord.guild_channels().await {
        Ok(channels) => channels,
        Err(err) => {
            tracing::warn!(error = %err, "could not list the guild's channels");
            return;
        }
    };
    let categories = &ctx.config.categories;
    // A category a channel left is re-armed here too, as soon as it has room again.
    for category in [categories.created, categories.claimed, categories.closed] {
        let count = channels
            .iter()
            .filter(|c| c.parent_id == Some(category))
            .count();
        if ctx
            .category_fill
            .observe(category, count, category == landed_in)
        {
            tracing::warn!(
                category = category.get(),
                count,
                "ticket category nearly full"
            );
            ctx.discord.log(LogEntry {
                title: texts::LOG_CATEGORY_NEARLY_FULL,
                ticket: None,
                actor: None,
                detail: texts::category_nearly_full(category.get(), count, MAX_CHANNELS),
                color: ORANGE,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_once_until_the_category_had_room() {
        let fill = CategoryFill::default();
        let category = Id::new(7);
        assert!(!fill.observe(category, 44, true));
        assert!(fill.observe(category, 45, true));
        assert!(!fill.observe(category, 46, true));
        // Seen full without a channel landing there: no warning, and it stays warned.
        assert!(!fill.observe(category, 47, false));
        assert!(!fill.observe(category, 44, false));
        assert!(fill.observe(category, 45, true));
    }

    #[test]
    fn a_category_seen_full_elsewhere_still_warns_when_a_channel_lands() {
        let fill = CategoryFill::default();
        let category = Id::new(7);
        assert!(!fill.observe(category, 48, false));
        assert!(fill.observe(category, 48, true));
    }
}
