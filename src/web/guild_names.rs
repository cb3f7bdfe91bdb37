//! The guild's role and channel names and the names of members the database does not know,
//! asked of Discord with the bot token and kept for a few minutes, so a renamed role shows its
//! new name soon and a busy panel does not ask Discord on every page.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocket::fairing::AdHoc;
use tokio::sync::Mutex;

use super::auth::member_name;
use super::discord_api::DiscordApi;
use super::names::{Mentioned, Names};
use crate::config::Config;

/// How long the guild's names are used before they are asked for again.
const KEEP: Duration = Duration::from_secs(300);
/// After a failed request: how long to go on without names before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(30);
/// Member lookups for one page at most (each is a request; the rest stay unknown).
const MEMBER_LOOKUPS_PER_PAGE: usize = 5;

#[derive(Default)]
struct Kept {
    roles: Option<(Instant, Arc<HashMap<u64, String>>)>,
    channels: Option<(Instant, Arc<HashMap<u64, String>>)>,
    /// A member's name, or None for a user who is not a member.
    members: HashMap<u64, (Instant, Option<String>)>,
}

pub struct GuildNames {
    /// `GUILD_ID`, for links into Discord.
    pub guild_id: u64,
    api: Option<DiscordApi>,
    kept: Mutex<Kept>,
}

impl GuildNames {
    pub fn new(config: &Config) -> Self {
        let api = DiscordApi::new(config)
            .map_err(|err| tracing::warn!(error = %err, "guild names: no HTTP client"))
            .ok();
        Self {
            guild_id: config.guild_id.get(),
            api,
            kept: Mutex::new(Kept::default()),
        }
    }

    /// The names for what texts mention: `users` as the database knows them, the rest from
    /// Discord.
    pub async fn names_for(&self, mentioned: &Mentioned, users: HashMap<u64, String>) -> Names {
        let mut names = Names {
            users,
            ..Names::default()
        };
        self.complete(
            &mut names,
            mentioned.roles,
            mentioned.channels,
            &mentioned.users,
        )
        .await;
        names
    }

    /// Fills in `names` what the texts need that the database did not know: role and channel
    /// names when any is mentioned, members among `users` without a name.
    pub async fn complete(
        &self,
        names: &mut Names,
        roles: bool,
        channels: bool,
        users: &HashSet<u64>,
    ) {
        let Some(api) = &self.api else { return };
        let mut kept = self.kept.lock().await;
        if roles {
            names.roles = list(api, "roles", &mut kept.roles).await.as_ref().clone();
        }
        if channels {
            names.channels = list(api, "channels", &mut kept.channels)
                .await
                .as_ref()
                .clone();
        }
        let unknown: Vec<u64> = users
            .iter()
            .filter(|id| !names.users.contains_key(id))
            .take(MEMBER_LOOKUPS_PER_PAGE)
            .copied()
            .collect();
        for id in &unknown {
            let fresh = kept
                .members
                .get(id)
                .filter(|(at, _)| at.elapsed() < KEEP)
                .map(|(_, name)| name.clone());
            let name = match fresh {
                Some(name) => name,
                None => match api.member(*id).await {
                    Ok(member) => {
                        let name = member.as_ref().and_then(member_name);
                        kept.members.insert(*id, (Instant::now(), name.clone()));
                        name
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "guild names: member lookup failed");
                        // Not asked again on every page while Discord fails.
                        let asked = Instant::now()
                            .checked_sub(KEEP - RETRY_AFTER)
                            .unwrap_or_else(Instant::now);
                        kept.members.insert(*id, (asked, None));
                        None
                    }
                },
            };
            if let Some(name) = name {
                names.users.insert(*id, name);
            }
        }
        if kept.members.len() > 10_000 {
            kept.members.clear();
        }
    }
}

/// The kept list, asked for again when it is older than [`KEEP`].
async fn list(
    api: &DiscordApi,
    what: &str,
    kept: &mut Option<(Instant, Arc<HashMap<u64, String>>)>,
) -> Arc<HashMap<u64, String>> {
    if let Some((at, names)) = kept
        && at.elapsed() < KEEP
    {
        return names.clone();
    }
    match api.guild_list(what).await {
        Ok(items) => {
            let names: HashMap<u64, String> = items
                .into_iter()
                .filter_map(|item| Some((item.id.parse().ok()?, item.name?)))
                .collect();
            let names = Arc::new(names);
            *kept = Some((Instant::now(), names.clone()));
            names
        }
        Err(err) => {
            tracing::warn!(error = %err, what, "guild names: Discord did not list them");
            // Keep what there was (or nothing) a little longer, then ask again.
            let names = kept
                .as_ref()
                .map(|(_, names)| names.clone())
                .unwrap_or_default();
            let asked = Instant::now()
                .checked_sub(KEEP - RETRY_AFTER)
                .unwrap_or_else(Instant::now);
            *kept = Some((asked, names.clone()));
            names
        }
    }
}

pub fn stage(config: Arc<Config>) -> AdHoc {
    AdHoc::on_ignite("Guild names", move |rocket| async move {
        rocket.manage(GuildNames::new(&config))
    })
}
