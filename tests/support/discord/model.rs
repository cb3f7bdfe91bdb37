//! The emulated guild: plain state plus the JSON shapes Discord uses for it.
//!
//! Everything lives in one [`Model`] behind the emulator's mutex. The REST
//! handlers (`rest.rs`) and the gateway (`gateway.rs`) add their own
//! `impl Model` blocks; this file holds the data and the JSON builders that
//! both of them share, so every payload kind is produced in exactly one place.

use super::gateway::Gateway;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

/// Discord's snowflake epoch (2015-01-01T00:00:00Z) in Unix milliseconds.
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

pub const CHANNEL_TEXT: u8 = 0;
pub const CHANNEL_CATEGORY: u8 = 4;

pub const FLAG_EPHEMERAL: u64 = 1 << 6;
pub const FLAG_LOADING: u64 = 1 << 7;

pub const PERM_ADMINISTRATOR: u64 = 1 << 3;
/// Every permission bit Discord currently defines (bits 0..=50).
pub const PERM_ALL: u64 = (1 << 51) - 1;
/// What a fresh guild grants @everyone (Discord's default "1071698660929"-ish set).
pub const PERM_EVERYONE_DEFAULT: u64 = 1_071_698_660_929;

/// Ids of the emulated guild. `GuildSpec::default()` uses fixed, plausible
/// snowflakes (from 2023, so they never collide with freshly generated ids).
#[derive(Clone, Debug)]
pub struct GuildSpec {
    pub guild_id: u64,
    pub support_role: u64,
    pub admin_role: u64,
    pub viewer_role: u64,
    pub viewer2_role: u64,
    pub created_cat: u64,
    pub claimed_cat: u64,
    pub closed_cat: u64,
    pub log_channel: u64,
    /// The public "support" text channel where the ticket panel lives.
    pub support_channel: u64,
}

impl Default for GuildSpec {
    fn default() -> Self {
        GuildSpec {
            guild_id: 1_180_000_000_000_000_100,
            support_role: 1_180_000_000_000_000_201,
            admin_role: 1_180_000_000_000_000_202,
            viewer_role: 1_180_000_000_000_000_203,
            viewer2_role: 1_180_000_000_000_000_204,
            created_cat: 1_180_000_000_000_000_301,
            claimed_cat: 1_180_000_000_000_000_302,
            closed_cat: 1_180_000_000_000_000_303,
            log_channel: 1_180_000_000_000_000_401,
            support_channel: 1_180_000_000_000_000_402,
        }
    }
}

#[derive(Clone, Debug)]
pub struct UserState {
    pub id: u64,
    pub username: String,
    pub global_name: Option<String>,
    pub bot: bool,
}

#[derive(Clone, Debug)]
pub struct MemberState {
    pub user_id: u64,
    pub nick: Option<String>,
    pub roles: Vec<u64>,
    pub joined_at: String,
}

#[derive(Clone, Debug)]
pub struct RoleState {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    pub position: i64,
    /// Managed roles belong to an integration (here: the bot's own role).
    pub managed: bool,
}

/// A permission overwrite as stored on a channel. `kind`: 0 = role, 1 = member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overwrite {
    pub id: u64,
    pub kind: u8,
    pub allow: u64,
    pub deny: u64,
}

#[derive(Clone, Debug)]
pub struct ChannelState {
    pub id: u64,
    /// 0 = text, 4 = category.
    pub kind: u8,
    pub name: String,
    pub parent_id: Option<u64>,
    pub position: i64,
    pub topic: Option<String>,
    pub nsfw: bool,
    pub rate_limit_per_user: u64,
    pub overwrites: Vec<Overwrite>,
    pub last_message_id: Option<u64>,
}

impl ChannelState {
    pub fn overwrite(&self, id: u64) -> Option<&Overwrite> {
        self.overwrites.iter().find(|o| o.id == id)
    }
}

#[derive(Clone, Debug)]
pub struct AttachmentState {
    pub id: u64,
    pub filename: String,
    pub description: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The interaction a bot message answers (Discord's `interaction_metadata`).
#[derive(Clone, Debug)]
pub struct MessageInteraction {
    pub id: u64,
    /// 2 = application command, 3 = message component, 5 = modal submit.
    pub kind: u8,
    pub user_id: u64,
    pub command_name: Option<String>,
    pub source_message_id: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct MessageState {
    pub id: u64,
    pub channel_id: u64,
    pub author_id: u64,
    /// Discord message type: 0 default, 19 reply, 20 chat input command.
    pub kind: u8,
    pub content: String,
    /// Embed objects as Discord echoes them (`type: "rich"` added).
    pub embeds: Vec<Value>,
    /// Component tree as Discord echoes it (numeric `id`s added).
    pub components: Vec<Value>,
    pub attachments: Vec<AttachmentState>,
    pub flags: u64,
    pub timestamp: String,
    pub edited_timestamp: Option<String>,
    pub mentions: Vec<u64>,
    pub mention_roles: Vec<u64>,
    pub mention_everyone: bool,
    pub referenced_message_id: Option<u64>,
    pub webhook_id: Option<u64>,
    pub application_id: Option<u64>,
    pub interaction: Option<MessageInteraction>,
}

/// A button found in a message's component tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub custom_id: Option<String>,
    pub label: Option<String>,
    pub style: u64,
    pub disabled: bool,
    pub url: Option<String>,
}

impl MessageState {
    pub fn is_ephemeral(&self) -> bool {
        self.flags & FLAG_EPHEMERAL != 0
    }

    /// All buttons (component type 2) anywhere in the component tree.
    pub fn buttons(&self) -> Vec<Button> {
        let mut out = Vec::new();
        walk_components(&self.components, &mut |c| {
            if c["type"] == 2 {
                out.push(Button {
                    custom_id: c["custom_id"].as_str().map(str::to_owned),
                    label: c["label"].as_str().map(str::to_owned),
                    style: c["style"].as_u64().unwrap_or(0),
                    disabled: c["disabled"].as_bool().unwrap_or(false),
                    url: c["url"].as_str().map(str::to_owned),
                });
            }
        });
        out
    }

    pub fn button(&self, custom_id: &str) -> Option<Button> {
        self.buttons()
            .into_iter()
            .find(|b| b.custom_id.as_deref() == Some(custom_id))
    }

    /// Titles, descriptions and field names/values of all embeds, joined by
    /// newlines: handy for `contains` assertions.
    pub fn embed_text(&self) -> String {
        let mut parts = Vec::new();
        for e in &self.embeds {
            for key in ["title", "description"] {
                if let Some(s) = e[key].as_str() {
                    parts.push(s.to_owned());
                }
            }
            for f in e["fields"].as_array().into_iter().flatten() {
                parts.push(format!(
                    "{}: {}",
                    f["name"].as_str().unwrap_or(""),
                    f["value"].as_str().unwrap_or("")
                ));
            }
            if let Some(s) = e["footer"]["text"].as_str() {
                parts.push(s.to_owned());
            }
        }
        parts.join("\n")
    }
}

/// Calls `f` on every component object in a (nested) component list.
pub fn walk_components(list: &[Value], f: &mut dyn FnMut(&Value)) {
    for c in list {
        f(c);
        for key in ["components", "accessory", "component"] {
            match &c[key] {
                Value::Array(children) => walk_components(children, f),
                child @ Value::Object(_) => walk_components(std::slice::from_ref(child), f),
                _ => {}
            }
        }
    }
}

/// Server-side record of one interaction sent to the bot.
#[derive(Clone, Debug)]
pub struct InteractionState {
    pub id: u64,
    pub token: String,
    /// 2 = application command, 3 = message component, 5 = modal submit.
    pub kind: u8,
    pub user_id: u64,
    pub channel_id: u64,
    pub command_name: Option<String>,
    /// For components: the message carrying the clicked component.
    pub source_message_id: Option<u64>,
    /// Callback type the bot answered with, once it did.
    pub response_type: Option<u8>,
    /// The message `@original` refers to.
    pub original_message_id: Option<u64>,
}

/// Everything the emulator knows, behind one mutex.
pub struct Model {
    pub spec: GuildSpec,
    pub bot_token: String,
    pub application_id: u64,
    pub bot_user_id: u64,
    pub client_secret: String,
    /// "http://127.0.0.1:PORT"
    pub base_url: String,
    last_id: u64,
    pub users: BTreeMap<u64, UserState>,
    pub members: BTreeMap<u64, MemberState>,
    pub roles: Vec<RoleState>,
    pub channels: BTreeMap<u64, ChannelState>,
    /// Channel id -> history, oldest first. Kept after a channel is deleted so
    /// tests can still inspect what was said in it.
    pub messages: BTreeMap<u64, Vec<MessageState>>,
    /// Ephemeral messages (never in channel history), by message id.
    pub ephemeral: BTreeMap<u64, MessageState>,
    /// Registered application commands as returned by the API.
    pub commands: Vec<Value>,
    /// Interactions by token.
    pub interactions: HashMap<String, InteractionState>,
    pub requests: Vec<super::RecordedRequest>,
    pub faults: Vec<super::rest::Fault>,
    pub oauth: super::rest::OAuthState,
    pub gateway: Gateway,
    /// The application's flags as `GET /applications/@me` reports them (privileged intents).
    pub app_flags: u64,
    /// The OAuth2 redirects registered in the developer portal.
    pub redirect_uris: Vec<String>,
    /// Channel id -> when its name was changed, for Discord's limit of two renames per
    /// [`Model::rename_window`].
    pub renames: HashMap<u64, Vec<std::time::Instant>>,
    /// Discord's is 10 minutes; tests shorten it.
    pub rename_window: std::time::Duration,
    /// DM channel id -> the user on the other side.
    pub dm_channels: BTreeMap<u64, u64>,
    /// Users whose privacy settings refuse DMs from the bot (50007).
    pub refuses_dms: std::collections::HashSet<u64>,
    /// The modal (callback `data`) the bot answered an interaction with, by its token.
    pub modals: HashMap<String, Value>,
    /// The CDN: attachments whose signed URLs expired (404 from then on), and file names it
    /// answers with a fixed status (403, 404) whatever the URL.
    pub expired_attachments: std::collections::HashSet<u64>,
    pub refused_attachment_names: HashMap<String, u16>,
}

/// Discord allows this many name changes of one channel per [`Model::rename_window`].
pub const RENAMES_PER_WINDOW: usize = 2;

/// `GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED`: both privileged intents
/// switched on, as the portal sets them for a bot in fewer than 100 servers.
pub const APP_FLAGS_INTENTS_ON: u64 = (1 << 15) | (1 << 19);

impl Model {
    pub fn new(spec: GuildSpec, base_url: String) -> Model {
        let app_id = 1_180_000_000_000_000_001;
        let mut m = Model {
            bot_token: "MTE4MDAwMDAwMDAwMDAwMDAwMQ.GEmuTk.ZW11bGF0b3ItYm90LXRva2VuLWZvci10ZXN0cw"
                .into(),
            application_id: app_id,
            bot_user_id: app_id,
            client_secret: "emu-secret".into(),
            base_url,
            last_id: 0,
            users: BTreeMap::new(),
            members: BTreeMap::new(),
            roles: Vec::new(),
            channels: BTreeMap::new(),
            messages: BTreeMap::new(),
            ephemeral: BTreeMap::new(),
            commands: Vec::new(),
            interactions: HashMap::new(),
            requests: Vec::new(),
            faults: Vec::new(),
            oauth: Default::default(),
            gateway: Gateway::default(),
            app_flags: APP_FLAGS_INTENTS_ON,
            redirect_uris: Vec::new(),
            renames: HashMap::new(),
            rename_window: std::time::Duration::from_secs(600),
            dm_channels: BTreeMap::new(),
            refuses_dms: Default::default(),
            modals: HashMap::new(),
            expired_attachments: Default::default(),
            refused_attachment_names: HashMap::new(),
            spec: spec.clone(),
        };
        m.seed_guild(&spec);
        m
    }

    fn seed_guild(&mut self, s: &GuildSpec) {
        let role = |id, name: &str, permissions, position, managed| RoleState {
            id,
            name: name.into(),
            permissions,
            position,
            managed,
        };
        let bot_role = self.next_id();
        self.roles = vec![
            role(s.guild_id, "@everyone", PERM_EVERYONE_DEFAULT, 0, false),
            role(s.viewer2_role, "Viewer 2", 0, 1, false),
            role(s.viewer_role, "Viewer", 0, 2, false),
            role(s.support_role, "Support", 0, 3, false),
            role(s.admin_role, "Admin", PERM_ADMINISTRATOR, 4, false),
            role(bot_role, "TicketBot", PERM_ADMINISTRATOR, 5, true),
        ];
        let bot = self.bot_user_id;
        self.users.insert(
            bot,
            UserState {
                id: bot,
                username: "TicketBot".into(),
                global_name: None,
                bot: true,
            },
        );
        self.members.insert(
            bot,
            MemberState {
                user_id: bot,
                nick: None,
                roles: vec![bot_role],
                joined_at: "2023-11-24T12:00:00.000000+00:00".into(),
            },
        );
        for (id, name) in [
            (s.created_cat, "Tickets"),
            (s.claimed_cat, "Claimed Tickets"),
            (s.closed_cat, "Closed Tickets"),
        ] {
            self.insert_channel(id, CHANNEL_CATEGORY, name, None);
        }
        self.insert_channel(s.log_channel, CHANNEL_TEXT, "ticket-log", None);
        self.insert_channel(s.support_channel, CHANNEL_TEXT, "support", None);
    }

    pub fn insert_channel(&mut self, id: u64, kind: u8, name: &str, parent: Option<u64>) {
        let position = self.channels.values().filter(|c| c.kind == kind).count() as i64;
        self.channels.insert(
            id,
            ChannelState {
                id,
                kind,
                name: name.into(),
                parent_id: parent,
                position,
                topic: None,
                nsfw: false,
                rate_limit_per_user: 0,
                overwrites: Vec::new(),
                last_message_id: None,
            },
        );
    }

    /// A fresh, strictly increasing snowflake carrying the current time.
    pub fn next_id(&mut self) -> u64 {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        self.last_id = (self.last_id + 1).max(now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22);
        self.last_id
    }

    /// An opaque random-looking token (interaction tokens, OAuth2 codes...).
    pub fn next_token(&mut self, prefix: &str) -> String {
        let id = self.next_id();
        // Not secret, just unique and shaped like the real thing.
        let mix = id.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
        format!("{prefix}{id:x}{mix:016x}")
    }

    pub fn message_mut(&mut self, id: u64) -> Option<&mut MessageState> {
        if self.ephemeral.contains_key(&id) {
            return self.ephemeral.get_mut(&id);
        }
        self.messages
            .values_mut()
            .flat_map(|h| h.iter_mut())
            .find(|m| m.id == id)
    }

    pub fn message(&self, id: u64) -> Option<&MessageState> {
        self.ephemeral.get(&id).or_else(|| {
            self.messages
                .values()
                .flat_map(|h| h.iter())
                .find(|m| m.id == id)
        })
    }

    /// Combined role permissions of a member (channel overwrites ignored).
    pub fn member_permissions(&self, user_id: u64) -> u64 {
        let Some(member) = self.members.get(&user_id) else {
            return 0;
        };
        let perms = self
            .roles
            .iter()
            .filter(|r| r.id == self.spec.guild_id || member.roles.contains(&r.id))
            .fold(0, |acc, r| acc | r.permissions);
        if perms & PERM_ADMINISTRATOR != 0 {
            PERM_ALL
        } else {
            perms
        }
    }

    // ---------------------------------------------------------------- JSON

    /// A user object as embedded in messages, members and interactions.
    pub fn user_json(&self, id: u64) -> Value {
        let Some(u) = self.users.get(&id) else {
            return json!({"id": id.to_string(), "username": "deleted_user", "discriminator": "0",
                          "global_name": null, "avatar": null, "public_flags": 0});
        };
        let mut v = json!({
            "id": u.id.to_string(),
            "username": u.username,
            "global_name": u.global_name,
            "discriminator": if u.bot { "4821" } else { "0" },
            "avatar": null,
            "avatar_decoration_data": null,
            "banner": null,
            "accent_color": null,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": null,
            "collectibles": null,
            "clan": null,
        });
        if u.bot {
            v["bot"] = json!(true);
        }
        v
    }

    /// The bot as `/users/@me` and READY show it (twilight's `CurrentUser`
    /// needs `mfa_enabled`).
    pub fn current_user_json(&self) -> Value {
        let mut v = self.user_json(self.bot_user_id);
        v["mfa_enabled"] = json!(false);
        v["verified"] = json!(true);
        v["email"] = Value::Null;
        v["locale"] = json!("en-US");
        v["premium_type"] = json!(0);
        v
    }

    /// A guild member. `with_user` is false for the `member` field of gateway
    /// MESSAGE_CREATE/UPDATE (where the user is the message author).
    pub fn member_json(&self, user_id: u64, with_user: bool) -> Option<Value> {
        let m = self.members.get(&user_id)?;
        let mut v = json!({
            "avatar": null,
            "banner": null,
            "communication_disabled_until": null,
            "deaf": false,
            "flags": 0,
            "joined_at": m.joined_at,
            "mute": false,
            "nick": m.nick,
            "pending": false,
            "premium_since": null,
            "roles": m.roles.iter().map(u64::to_string).collect::<Vec<_>>(),
            "unusual_dm_activity_until": null,
        });
        if with_user {
            v["user"] = self.user_json(user_id);
        }
        Some(v)
    }

    pub fn role_json(&self, r: &RoleState) -> Value {
        let mut v = json!({
            "id": r.id.to_string(),
            "name": r.name,
            "description": null,
            "permissions": r.permissions.to_string(),
            "position": r.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
            "hoist": false,
            "icon": null,
            "unicode_emoji": null,
            "managed": r.managed,
            "mentionable": false,
            "flags": 0,
        });
        if r.managed {
            v["tags"] = json!({"bot_id": self.bot_user_id.to_string()});
        }
        v
    }

    pub fn channel_json(&self, c: &ChannelState) -> Value {
        let overwrites: Vec<Value> = c
            .overwrites
            .iter()
            .map(|o| {
                json!({"id": o.id.to_string(), "type": o.kind,
                       "allow": o.allow.to_string(), "deny": o.deny.to_string()})
            })
            .collect();
        let mut v = json!({
            "id": c.id.to_string(),
            "type": c.kind,
            "guild_id": self.spec.guild_id.to_string(),
            "name": c.name,
            "parent_id": c.parent_id.map(|p| p.to_string()),
            "position": c.position,
            "flags": 0,
            "permission_overwrites": overwrites,
        });
        if c.kind == CHANNEL_TEXT {
            v["last_message_id"] = json!(c.last_message_id.map(|id| id.to_string()));
            v["topic"] = json!(c.topic);
            v["nsfw"] = json!(c.nsfw);
            v["rate_limit_per_user"] = json!(c.rate_limit_per_user);
            v["icon_emoji"] = Value::Null;
            v["theme_color"] = Value::Null;
        }
        v
    }

    /// A message as the REST API returns it (no `guild_id`, no `member`).
    pub fn message_json(&self, m: &MessageState) -> Value {
        let attachments: Vec<Value> = m
            .attachments
            .iter()
            .map(|a| {
                let url = format!(
                    "{}/attachments/{}/{}/{}?{}",
                    self.base_url,
                    m.channel_id,
                    a.id,
                    a.filename,
                    cdn_signature(m.channel_id, a.id)
                );
                json!({
                    "id": a.id.to_string(),
                    "filename": a.filename,
                    "description": a.description,
                    "content_type": a.content_type,
                    "size": a.data.len(),
                    "url": url,
                    "proxy_url": url,
                })
            })
            .collect();
        let mentions: Vec<Value> = m
            .mentions
            .iter()
            .map(|id| {
                let mut u = self.user_json(*id);
                if let Some(member) = self.member_json(*id, false) {
                    u["member"] = member;
                }
                u
            })
            .collect();
        let mut v = json!({
            "id": m.id.to_string(),
            "type": m.kind,
            "channel_id": m.channel_id.to_string(),
            "author": self.user_json(m.author_id),
            "content": m.content,
            "timestamp": m.timestamp,
            "edited_timestamp": m.edited_timestamp,
            "tts": false,
            "mention_everyone": m.mention_everyone,
            "mentions": mentions,
            "mention_roles": m.mention_roles.iter().map(u64::to_string).collect::<Vec<_>>(),
            "attachments": attachments,
            "embeds": m.embeds,
            "components": m.components,
            "pinned": false,
            "flags": m.flags,
        });
        if let Some(w) = m.webhook_id {
            v["webhook_id"] = json!(w.to_string());
        }
        if let Some(a) = m.application_id {
            v["application_id"] = json!(a.to_string());
        }
        if let Some(r) = m.referenced_message_id {
            v["message_reference"] = json!({
                "type": 0,
                "channel_id": m.channel_id.to_string(),
                "guild_id": self.spec.guild_id.to_string(),
                "message_id": r.to_string(),
            });
        }
        if let Some(i) = &m.interaction {
            let mut meta = json!({
                "id": i.id.to_string(),
                "type": i.kind,
                "user": self.user_json(i.user_id),
                "authorizing_integration_owners": {"0": self.spec.guild_id.to_string()},
            });
            if let Some(src) = i.source_message_id {
                meta["interacted_message_id"] = json!(src.to_string());
            }
            if let Some(name) = &i.command_name {
                meta["name"] = json!(name);
                meta["command_type"] = json!(1);
            }
            v["interaction_metadata"] = meta;
            // The deprecated `interaction` field is still sent for commands.
            if let Some(name) = &i.command_name {
                v["interaction"] = json!({
                    "id": i.id.to_string(),
                    "type": i.kind,
                    "name": name,
                    "user": self.user_json(i.user_id),
                });
            }
        }
        v
    }

    /// A message as MESSAGE_CREATE / MESSAGE_UPDATE carry it: the REST shape
    /// plus `guild_id`, the author's partial `member` and `channel_type`.
    pub fn message_event_json(&self, m: &MessageState) -> Value {
        let mut v = self.message_json(m);
        v["guild_id"] = json!(self.spec.guild_id.to_string());
        v["channel_type"] = json!(CHANNEL_TEXT);
        if m.webhook_id.is_none()
            && let Some(member) = self.member_json(m.author_id, false)
        {
            v["member"] = member;
        }
        v
    }

    /// INTERACTION_CREATE payload for `ix` with the given `data`.
    pub fn interaction_json(&self, ix: &InteractionState, data: Value) -> Value {
        let mut member = self.member_json(ix.user_id, true).unwrap_or(Value::Null);
        member["permissions"] = json!(self.member_permissions(ix.user_id).to_string());
        let mut channel = self
            .channels
            .get(&ix.channel_id)
            .map(|c| self.channel_json(c))
            .unwrap_or(Value::Null);
        channel["permissions"] = json!(self.member_permissions(ix.user_id).to_string());
        let mut v = json!({
            "id": ix.id.to_string(),
            "application_id": self.application_id.to_string(),
            "type": ix.kind,
            "data": data,
            "guild": {"id": self.spec.guild_id.to_string(), "locale": "en-US", "features": []},
            "guild_id": self.spec.guild_id.to_string(),
            "guild_locale": "en-US",
            "channel": channel,
            "channel_id": ix.channel_id.to_string(),
            "member": member,
            "token": ix.token,
            "version": 1,
            "app_permissions": self.member_permissions(self.bot_user_id).to_string(),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.spec.guild_id.to_string()},
            "context": 0,
            "attachment_size_limit": 10_485_760,
        });
        if let Some(src) = ix.source_message_id.and_then(|id| self.message(id)) {
            v["message"] = self.message_json(src);
        }
        v
    }
}

/// Formats a snowflake's creation time the way Discord does
/// (`2026-11-25T16:00:00.000000+00:00`).
pub fn snowflake_timestamp(id: u64) -> String {
    let ms = (id >> 22) + DISCORD_EPOCH_MS;
    timestamp_from_millis(ms)
}

pub fn timestamp_from_millis(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .to_string()
}

/// How long a signed CDN URL lasts (Discord: about a day).
const CDN_URL_LIFETIME_SECS: u64 = 24 * 3600;

/// The signature of an attachment URL as Discord's CDN writes it: `ex` (expiry) and `is`
/// (issued) as hex Unix seconds, `hm` a MAC over path and times (here a SHA-256 with a fixed
/// key: the bot must carry the URL as given, not build one).
pub fn cdn_signature(channel: u64, attachment: u64) -> String {
    let issued = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let expires = issued + CDN_URL_LIFETIME_SECS;
    let hm = cdn_mac(channel, attachment, expires, issued);
    format!("ex={expires:x}&is={issued:x}&hm={hm}&")
}

pub fn cdn_mac(channel: u64, attachment: u64, expires: u64, issued: u64) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("emu-cdn/{channel}/{attachment}/{expires}/{issued}"));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `query` is a valid, unexpired signature for the attachment.
pub fn cdn_signature_valid(query: &str, channel: u64, attachment: u64) -> bool {
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    };
    let hex = |name: &str| param(name).and_then(|v| u64::from_str_radix(v, 16).ok());
    let (Some(expires), Some(issued), Some(hm)) = (hex("ex"), hex("is"), param("hm")) else {
        return false;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    expires > now && hm == cdn_mac(channel, attachment, expires, issued)
}

pub fn now_timestamp() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    timestamp_from_millis(ms)
}

/// User (`<@id>`, `<@!id>`) and role (`<@&id>`) mentions in message content.
pub fn parse_mentions(content: &str) -> (Vec<u64>, Vec<u64>) {
    let (mut users, mut roles) = (Vec::new(), Vec::new());
    for (start, _) in content.match_indices("<@") {
        let rest = &content[start + 2..];
        let (is_role, rest) = match rest.as_bytes().first() {
            Some(b'&') => (true, &rest[1..]),
            Some(b'!') => (false, &rest[1..]),
            _ => (false, rest),
        };
        let Some(end) = rest.find('>') else { continue };
        let Ok(id) = rest[..end].parse::<u64>() else {
            continue;
        };
        let list = if is_role { &mut roles } else { &mut users };
        if !list.contains(&id) {
            list.push(id);
        }
    }
    (users, roles)
}
