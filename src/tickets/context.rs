//! What every part of the bot shares: settings, database, the Discord port, the channel index.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, UserMarker};

use crate::config::Config;
use crate::db::Db;
use crate::db::batch::MessageWriter;
use crate::tickets::category_fill::CategoryFill;
use crate::tickets::port::Discord;

pub struct Ctx {
    pub config: Arc<Config>,
    pub db: Db,
    /// Stores incoming messages with group commit.
    pub messages: MessageWriter,
    /// Everything the tickets core does on Discord, the log channel included.
    pub discord: Arc<dyn Discord>,
    /// The AI and ban-lookup clients all ticket actors share.
    pub ai: crate::ai::Clients,
    /// The bot's own user, known from READY.
    pub bot_user_id: OnceLock<Id<UserMarker>>,
    pub channels: ChannelIndex,
    /// Ticket categories the log channel was warned of as nearly full.
    pub category_fill: CategoryFill,
    /// Prefix of this bot's actor names. ractor's registry is per process; a process runs one
    /// bot (empty prefix, names as `ticket:{id}`), tests run several and number them.
    pub actor_prefix: String,
    /// The attachment archive, read for the files a transcript embeds.
    pub files: crate::attachments::FileStore,
}

impl Ctx {
    /// The registered name of ticket `id`'s actor.
    pub fn actor_name(&self, id: i64) -> String {
        format!("{}ticket:{id}", self.actor_prefix)
    }

    pub fn is_own_user(&self, user: Id<UserMarker>) -> bool {
        self.bot_user_id.get() == Some(&user)
    }
}

/// Ticket channel id → ticket number, for every ticket whose channel still exists.
#[derive(Default)]
pub struct ChannelIndex(RwLock<HashMap<Id<ChannelMarker>, i64>>);

impl ChannelIndex {
    pub fn get(&self, channel: Id<ChannelMarker>) -> Option<i64> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&channel)
            .copied()
    }

    pub fn insert(&self, channel: Id<ChannelMarker>, ticket: i64) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel, ticket);
    }

    pub fn remove(&self, channel: Id<ChannelMarker>) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&channel);
    }

    pub fn replace_all(&self, entries: impl IntoIterator<Item = (Id<ChannelMarker>, i64)>) {
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        map.clear();
        map.extend(entries);
    }
}
