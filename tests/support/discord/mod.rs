//! A loopback Discord for integration tests.
//!
//! [`DiscordEmu::start`] binds `127.0.0.1:0` and serves, on one port:
//! - the gateway websocket at `/` (twilight connects to `{gateway_url}/?v=10&encoding=json`),
//! - the REST API under `/api/v10` (twilight-http in proxy mode, plain http),
//! - OAuth2 (`/oauth2/authorize`, `/api/oauth2/token`, `/api/users/@me`),
//! - attachment downloads (`/attachments/...`, the `url` of uploaded files).
//!
//! Payloads are shaped like real Discord's so that twilight-model deserializes
//! them. The model is one [`model::Model`] behind a `std::sync::Mutex`; every
//! change notifies a `tokio::sync::Notify` so that the `wait_*` helpers wake up
//! without polling. See `gateway.rs` for the session/resume semantics.

mod gateway;
mod limits;
mod model;
mod rest;

// What Discord counts, for tests that check what reached it (the load bench does not).
#[allow(unused_imports)]
pub use limits::{chars, embed_chars};
// Types tests may name; not every one is used by the tests in this crate.
#[allow(unused_imports)]
pub use model::{
    AttachmentState, Button, ChannelState, GuildSpec, MessageInteraction, MessageState, Overwrite,
};

use axum::Router;
use axum::routing::get;
use model::{InteractionState, MemberState, Model, UserState};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// One request the emulator answered (REST, OAuth2, attachments).
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without the query, e.g. `/api/v10/channels/1/messages`.
    pub path: String,
    /// Raw query string without `?` (empty if none).
    pub query: String,
    /// JSON body; for multipart the parsed `payload_json` part; for
    /// url-encoded forms an object of strings.
    pub json: Option<Value>,
    /// Uploaded files as (filename, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// Status the emulator answered with.
    pub status: u16,
    /// The JSON the emulator answered with, if any.
    pub response: Option<Value>,
}

impl RecordedRequest {
    /// `method` matches (case-insensitive) and the path contains `path_part`.
    pub fn is(&self, method: &str, path_part: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.path.contains(path_part)
    }

    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `json.content` as a string ("" if absent).
    pub fn content(&self) -> &str {
        self.json
            .as_ref()
            .and_then(|j| j["content"].as_str().or(j["data"]["content"].as_str()))
            .unwrap_or("")
    }
}

/// An interaction sent to the bot.
#[derive(Clone, Debug)]
pub struct InteractionRef {
    pub id: u64,
    pub token: String,
    pub channel_id: u64,
    pub user_id: u64,
}

/// Shared state of one emulator instance.
pub(crate) struct Inner {
    model: Mutex<Model>,
    changed: Notify,
    addr: SocketAddr,
    bot_token: String,
    client_secret: String,
    application_id: u64,
    bot_user_id: u64,
    spec: GuildSpec,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Model> {
        // A panicking test must not poison the emulator for the server tasks.
        self.model.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the model, then wakes every waiter.
    fn update<R>(&self, f: impl FnOnce(&mut Model) -> R) -> R {
        let result = f(&mut self.lock());
        self.changed.notify_waiters();
        result
    }

    fn read<R>(&self, f: impl FnOnce(&Model) -> R) -> R {
        f(&self.lock())
    }
}

/// The emulator. Cheap to clone; the server lives as long as the test's runtime.
#[derive(Clone)]
pub struct DiscordEmu {
    inner: Arc<Inner>,
}

impl DiscordEmu {
    pub async fn start(spec: GuildSpec) -> DiscordEmu {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let model = Model::new(spec.clone(), format!("http://{addr}"));
        let inner = Arc::new(Inner {
            bot_token: model.bot_token.clone(),
            client_secret: model.client_secret.clone(),
            application_id: model.application_id,
            bot_user_id: model.bot_user_id,
            model: Mutex::new(model),
            changed: Notify::new(),
            addr,
            spec,
        });
        let app = Router::new()
            .route("/", get(gateway::ws_handler))
            .fallback(rest::handle)
            .with_state(inner.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("discord emulator: server stopped: {e}");
            }
        });
        DiscordEmu { inner }
    }

    // ------------------------------------------------------------ addresses

    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }
    /// `http://127.0.0.1:PORT` (the bot's DISCORD_API_BASE).
    pub fn api_base(&self) -> String {
        format!("http://{}", self.inner.addr)
    }
    /// `127.0.0.1:PORT`, for `twilight_http::Client::builder().proxy(.., true)`.
    pub fn http_proxy(&self) -> String {
        self.inner.addr.to_string()
    }
    /// `ws://127.0.0.1:PORT` (the bot's DISCORD_GATEWAY_URL).
    pub fn gateway_url(&self) -> String {
        format!("ws://{}", self.inner.addr)
    }
    pub fn bot_token(&self) -> &str {
        &self.inner.bot_token
    }
    pub fn application_id(&self) -> u64 {
        self.inner.application_id
    }
    pub fn bot_user_id(&self) -> u64 {
        self.inner.bot_user_id
    }
    pub fn client_secret(&self) -> &str {
        &self.inner.client_secret
    }
    pub fn spec(&self) -> &GuildSpec {
        &self.inner.spec
    }

    /// The bot's environment, pointing at this emulator.
    pub fn env_for_bot(&self) -> Vec<(String, String)> {
        let s = &self.inner.spec;
        [
            ("BOT_TOKEN", self.bot_token().to_owned()),
            ("GUILD_ID", s.guild_id.to_string()),
            ("SUPPORT_ROLE_ID", s.support_role.to_string()),
            ("ADMIN_ROLE_ID", s.admin_role.to_string()),
            ("VIEWER_ROLE_ID", s.viewer_role.to_string()),
            ("VIEWER2_ROLE_ID", s.viewer2_role.to_string()),
            ("CREATED_TICKETS_CATEGORY_ID", s.created_cat.to_string()),
            ("CLAIMED_TICKETS_CATEGORY_ID", s.claimed_cat.to_string()),
            ("CLOSED_TICKETS_CATEGORY_ID", s.closed_cat.to_string()),
            ("TICKET_LOG_CHANNEL_ID", s.log_channel.to_string()),
            ("DISCORD_API_BASE", self.api_base()),
            ("DISCORD_GATEWAY_URL", self.gateway_url()),
            ("DISCORD_CLIENT_ID", self.application_id().to_string()),
            ("DISCORD_CLIENT_SECRET", self.client_secret().to_owned()),
            (
                "FLASK_SECRET_KEY",
                "emu-flask-secret-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                    .to_owned(),
            ),
            // Files a test bot archives go to the temporary directory, never into the
            // working directory (the repository); tests of the archive choose their own.
            (
                "ATTACHMENT_STORE",
                format!(
                    "file://{}",
                    std::env::temp_dir()
                        .join("ticketbot-test-attachments")
                        .display()
                ),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    // ---------------------------------------------------------------- model

    /// Adds (or replaces) a guild member and its user.
    pub fn add_member(&self, id: u64, username: &str, nick: Option<&str>, roles: &[u64]) {
        self.inner.update(|m| {
            let user = UserState {
                id,
                username: username.to_owned(),
                global_name: Some(username.to_owned()),
                bot: false,
            };
            m.users.insert(id, user);
            let member = MemberState {
                user_id: id,
                nick: nick.map(str::to_owned),
                roles: roles.to_vec(),
                joined_at: model::now_timestamp(),
            };
            m.members.insert(id, member);
        });
    }

    /// What `GET /applications/@me` reports as the application's flags.
    pub fn set_application_flags(&self, flags: u64) {
        self.inner.update(|m| m.app_flags = flags);
    }

    /// Registers an OAuth2 redirect as the developer portal does.
    pub fn register_redirect_uri(&self, uri: &str) {
        self.inner.update(|m| m.redirect_uris.push(uri.to_owned()));
    }

    /// The permissions of the bot's own (managed) role.
    pub fn set_bot_role_permissions(&self, permissions: u64) {
        self.inner.update(|m| {
            for role in m.roles.iter_mut().filter(|r| r.managed) {
                role.permissions = permissions;
            }
        });
    }

    pub fn set_member_roles(&self, id: u64, roles: &[u64]) {
        self.inner.update(|m| {
            if let Some(member) = m.members.get_mut(&id) {
                member.roles = roles.to_vec();
            }
        });
    }

    /// The user leaves the guild (GET member then answers 404 Unknown Member).
    pub fn remove_member(&self, id: u64) {
        self.inner.update(|m| m.members.remove(&id));
    }

    /// Creates a text channel (dispatches CHANNEL_CREATE) and returns its id.
    pub fn create_text_channel(&self, name: &str, parent: Option<u64>) -> u64 {
        self.inner.update(|m| {
            let id = m.next_id();
            m.insert_channel(id, model::CHANNEL_TEXT, name, parent);
            let v = m.channel_json(&m.channels[&id]);
            m.dispatch("CHANNEL_CREATE", v);
            id
        })
    }

    pub fn channel(&self, id: u64) -> Option<ChannelState> {
        self.inner.read(|m| m.channels.get(&id).cloned())
    }

    pub fn channels(&self) -> Vec<ChannelState> {
        self.inner.read(|m| m.channels.values().cloned().collect())
    }

    /// An admin drags a channel out of its category by hand (no gateway event: the bot does
    /// not follow channel updates).
    pub fn move_out_of_category(&self, id: u64) {
        self.inner.update(|m| {
            if let Some(channel) = m.channels.get_mut(&id) {
                channel.parent_id = None;
            }
        });
    }

    /// Channels whose parent is `category`.
    pub fn channels_in(&self, category: u64) -> Vec<ChannelState> {
        self.inner.read(|m| {
            m.channels
                .values()
                .filter(|c| c.parent_id == Some(category))
                .cloned()
                .collect()
        })
    }

    /// Channel history, oldest first (still available after the channel is deleted).
    pub fn messages(&self, channel_id: u64) -> Vec<MessageState> {
        self.inner
            .read(|m| m.messages.get(&channel_id).cloned().unwrap_or_default())
    }

    /// Any message by id, ephemeral ones included.
    pub fn message(&self, message_id: u64) -> Option<MessageState> {
        self.inner.read(|m| m.message(message_id).cloned())
    }

    /// Ephemeral messages the bot sent in reply to interactions, oldest first.
    pub fn ephemeral_messages(&self) -> Vec<MessageState> {
        self.inner.read(|m| m.ephemeral.values().cloned().collect())
    }

    /// Registered application commands (guild and global), as the API returns them.
    pub fn commands(&self) -> Vec<Value> {
        self.inner.read(|m| m.commands.clone())
    }

    // -------------------------------------------------------- driving the bot

    /// A member clicks a button: INTERACTION_CREATE (type 3) whose `message` is
    /// the stored message. Panics if the message has no such enabled button.
    pub async fn click_button(
        &self,
        user_id: u64,
        channel_id: u64,
        message_id: u64,
        custom_id: &str,
    ) -> InteractionRef {
        self.click_button_from(Origin::Home, user_id, channel_id, message_id, custom_id)
            .await
    }

    /// Like [`click_button`](Self::click_button), as Discord sends it from `origin` (another
    /// server the bot is in, or a direct message).
    pub async fn click_button_from(
        &self,
        origin: Origin,
        user_id: u64,
        channel_id: u64,
        message_id: u64,
        custom_id: &str,
    ) -> InteractionRef {
        let result = self.inner.update(|m| {
            let msg = m.message(message_id).ok_or("no such message")?;
            let button = msg.button(custom_id).ok_or_else(|| {
                format!(
                    "message has no button {custom_id:?}; it has {:?}",
                    msg.buttons()
                )
            })?;
            if button.disabled {
                return Err(format!("button {custom_id:?} is disabled"));
            }
            let component_id = component_number(&msg.components, custom_id);
            let data = json!({"custom_id": custom_id, "component_type": 2, "id": component_id});
            Ok(start_interaction(
                m,
                origin,
                3,
                user_id,
                channel_id,
                None,
                Some(message_id),
                data,
            ))
        });
        self.warn_if_nobody_listens();
        result.unwrap_or_else(|e: String| panic!("click_button: {e}"))
    }

    /// The member fills in and submits the modal the bot answered `answered` with:
    /// INTERACTION_CREATE type 5 (MODAL_SUBMIT) with `data.components` as Discord sends them,
    /// from the channel (and with the message) of the interaction that opened it. `values`
    /// maps text inputs' `custom_id`s to what was typed. Panics if the bot opened no modal or
    /// the client would refuse to submit it (a required field empty, a text too long).
    pub async fn submit_modal(
        &self,
        origin: Origin,
        user_id: u64,
        answered: &InteractionRef,
        values: &[(&str, &str)],
    ) -> InteractionRef {
        let result = self.inner.update(|m| {
            let opened = m
                .interactions
                .get(&answered.token)
                .cloned()
                .ok_or("unknown interaction")?;
            let data = m.modal_submit_data(&answered.token, values)?;
            Ok(start_interaction(
                m,
                origin,
                5,
                user_id,
                opened.channel_id,
                None,
                opened.source_message_id,
                data,
            ))
        });
        self.warn_if_nobody_listens();
        result.unwrap_or_else(|e: String| panic!("submit_modal: {e}"))
    }

    /// The modal (callback `data`) the bot answered `ir` with, once it did.
    pub fn modal_of(&self, ir: &InteractionRef) -> Option<Value> {
        self.inner.read(|m| m.modals.get(&ir.token).cloned())
    }

    /// `user`'s privacy settings refuse direct messages from the bot (403 / 50007).
    pub fn refuse_dms(&self, user: u64) {
        self.inner.update(|m| m.refuses_dms.insert(user));
    }

    /// The DM channel the bot opened with `user`, if any.
    pub fn dm_channel_with(&self, user: u64) -> Option<u64> {
        self.inner.read(|m| {
            m.dm_channels
                .iter()
                .find(|(_, u)| **u == user)
                .map(|(c, _)| *c)
        })
    }

    /// A click from a client that has not yet seen the edit that disabled the button (Discord
    /// delivers it): like [`click_button_from`](Self::click_button_from) without the check that
    /// the button is enabled.
    pub async fn click_stale_button(
        &self,
        origin: Origin,
        user_id: u64,
        channel_id: u64,
        message_id: u64,
        custom_id: &str,
    ) -> InteractionRef {
        let result = self.inner.update(|m| {
            let msg = m.message(message_id).ok_or("no such message")?;
            msg.button(custom_id)
                .ok_or_else(|| format!("message has no button {custom_id:?}"))?;
            let component_id = component_number(&msg.components, custom_id);
            let data = json!({"custom_id": custom_id, "component_type": 2, "id": component_id});
            Ok(start_interaction(
                m,
                origin,
                3,
                user_id,
                channel_id,
                None,
                Some(message_id),
                data,
            ))
        });
        self.warn_if_nobody_listens();
        result.unwrap_or_else(|e: String| panic!("click_stale_button: {e}"))
    }

    /// A member runs `/name` (INTERACTION_CREATE type 2). Panics if the bot
    /// did not register the command.
    pub async fn slash_command(&self, user_id: u64, channel_id: u64, name: &str) -> InteractionRef {
        self.slash_command_with_options(user_id, channel_id, name, json!([]))
            .await
    }

    /// Like [`slash_command`](Self::slash_command) with `data.options`
    /// (e.g. `[{"name": "reason", "type": 3, "value": "spam"}]`).
    pub async fn slash_command_with_options(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> InteractionRef {
        self.slash_command_resolving(user_id, channel_id, name, options, true)
            .await
    }

    /// Like [`slash_command_with_options`](Self::slash_command_with_options) without the
    /// `resolved` users and members, as Discord sends a command whose member it could not
    /// resolve (e.g. a user id typed by hand who is not in the server cache).
    pub async fn slash_command_unresolved(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> InteractionRef {
        self.slash_command_resolving(user_id, channel_id, name, options, false)
            .await
    }

    async fn slash_command_resolving(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
        resolve: bool,
    ) -> InteractionRef {
        let result = self.inner.update(|m| {
            let command = m
                .commands
                .iter()
                .find(|c| c["name"] == name && c["type"] == 1)
                .ok_or_else(|| format!("the bot did not register /{name}"))?;
            let mut data =
                json!({"id": command["id"], "name": name, "type": 1, "options": options});
            if let Some(g) = command.get("guild_id") {
                data["guild_id"] = g.clone();
            }
            if let Some(resolved) = resolved_users(m, &data["options"]).filter(|_| resolve) {
                data["resolved"] = resolved;
            }
            let name = Some(name.to_owned());
            Ok(start_interaction(
                m,
                Origin::Home,
                2,
                user_id,
                channel_id,
                name,
                None,
                data,
            ))
        });
        self.warn_if_nobody_listens();
        result.unwrap_or_else(|e: String| panic!("slash_command: {e}"))
    }

    /// A member types into an option of `/name` that autocompletes (INTERACTION_CREATE type
    /// 4): `options` as Discord sends them, the option being typed with `"focused": true`.
    pub async fn autocomplete(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> InteractionRef {
        let result = self.inner.update(|m| {
            let command = m
                .commands
                .iter()
                .find(|c| c["name"] == name && c["type"] == 1)
                .ok_or_else(|| format!("the bot did not register /{name}"))?;
            let mut data =
                json!({"id": command["id"], "name": name, "type": 1, "options": options});
            if let Some(g) = command.get("guild_id") {
                data["guild_id"] = g.clone();
            }
            Ok(start_interaction(
                m,
                Origin::Home,
                4,
                user_id,
                channel_id,
                Some(name.to_owned()),
                None,
                data,
            ))
        });
        self.warn_if_nobody_listens();
        result.unwrap_or_else(|e: String| panic!("autocomplete: {e}"))
    }

    /// Shortens Discord's 10-minute window of two renames per channel.
    pub fn set_rename_window(&self, window: Duration) {
        self.inner.update(|m| m.rename_window = window);
    }

    /// A member writes in a channel: stored, then MESSAGE_CREATE.
    pub async fn user_message(&self, user_id: u64, channel_id: u64, content: &str) -> u64 {
        let id = self.inner.update(|m| {
            let msg = user_message_state(m, user_id, channel_id, content);
            let id = msg.id;
            m.post_message(msg);
            id
        });
        self.warn_if_nobody_listens();
        id
    }

    /// A member writes in a channel with files attached (name, declared type, bytes):
    /// stored, then MESSAGE_CREATE with each file's signed CDN URL. Returns the message id and
    /// the attachment ids.
    pub async fn user_message_with_files(
        &self,
        user_id: u64,
        channel_id: u64,
        content: &str,
        files: &[(&str, Option<&str>, Vec<u8>)],
    ) -> (u64, Vec<u64>) {
        let ids = self.inner.update(|m| {
            let mut msg = user_message_state(m, user_id, channel_id, content);
            let mut attachment_ids = Vec::new();
            for (filename, content_type, data) in files {
                let id = m.next_id();
                attachment_ids.push(id);
                msg.attachments.push(model::AttachmentState {
                    id,
                    filename: (*filename).to_owned(),
                    description: None,
                    content_type: content_type.map(str::to_owned),
                    data: data.clone(),
                });
            }
            let id = msg.id;
            m.post_message(msg);
            (id, attachment_ids)
        });
        self.warn_if_nobody_listens();
        ids
    }

    /// The CDN's signed URL of `attachment` expires: 404 from now on, as Discord's after a day.
    pub fn expire_attachment_url(&self, attachment: u64) {
        self.inner
            .update(|m| m.expired_attachments.insert(attachment));
    }

    /// The CDN answers `status` (403, 404) for every file named `filename`, from now on.
    pub fn cdn_refuses(&self, filename: &str, status: u16) {
        self.inner.update(|m| {
            m.refused_attachment_names
                .insert(filename.to_owned(), status)
        });
    }

    /// The CDN serves files named `filename` again (after [`Self::cdn_refuses`]).
    pub fn cdn_accepts(&self, filename: &str) {
        self.inner
            .update(|m| m.refused_attachment_names.remove(filename));
    }

    /// Downloads of `attachment` that reached the CDN, with the status each got.
    pub fn attachment_downloads(&self, attachment: u64) -> Vec<u16> {
        let part = format!("/{attachment}/");
        self.inner.read(|m| {
            m.requests
                .iter()
                .filter(|r| r.method == "GET" && r.path.starts_with("/attachments/"))
                .filter(|r| r.path.contains(&part))
                .map(|r| r.status)
                .collect()
        })
    }

    /// Stores a user message without any gateway event ("sent while the bot was down").
    pub fn store_message_silently(&self, user_id: u64, channel_id: u64, content: &str) -> u64 {
        self.inner.update(|m| {
            let msg = user_message_state(m, user_id, channel_id, content);
            let id = msg.id;
            if let Some(c) = m.channels.get_mut(&channel_id) {
                c.last_message_id = Some(id);
            }
            m.messages.entry(channel_id).or_default().push(msg);
            id
        })
    }

    /// Someone edits a message: MESSAGE_UPDATE.
    pub async fn edit_message(&self, channel_id: u64, message_id: u64, new_content: &str) {
        self.inner.update(|m| {
            let mut msg = m
                .message(message_id)
                .filter(|msg| msg.channel_id == channel_id)
                .cloned()
                .unwrap_or_else(|| panic!("edit_message: no message {message_id} in {channel_id}"));
            msg.content = new_content.to_owned();
            let (users, roles) = model::parse_mentions(new_content);
            msg.mentions = users;
            msg.mention_roles = roles;
            msg.edited_timestamp = Some(model::now_timestamp());
            m.replace_message(msg);
        });
    }

    /// Someone deletes a message: MESSAGE_DELETE.
    pub async fn delete_message(&self, channel_id: u64, message_id: u64) {
        self.inner.update(|m| {
            let found = m
                .message(message_id)
                .is_some_and(|msg| msg.channel_id == channel_id);
            assert!(
                found,
                "delete_message: no message {message_id} in {channel_id}"
            );
            m.remove_message(message_id);
        });
    }

    /// An admin deletes a channel in the Discord client: CHANNEL_DELETE.
    pub async fn delete_channel_by_hand(&self, channel_id: u64) {
        self.inner.update(|m| {
            let channel = m
                .channels
                .remove(&channel_id)
                .unwrap_or_else(|| panic!("delete_channel_by_hand: no channel {channel_id}"));
            let v = m.channel_json(&channel);
            m.dispatch("CHANNEL_DELETE", v);
        });
    }

    fn warn_if_nobody_listens(&self) {
        if !self.inner.read(|m| m.gateway.has_session()) {
            eprintln!(
                "discord emulator: event dropped, the bot has not identified yet (use wait_connected)"
            );
        }
    }

    // --------------------------------------------------------------- gateway

    /// Abruptly closes every open websocket (no close frame). Sessions stay
    /// resumable; events dispatched until the bot resumes are buffered.
    pub fn drop_gateway(&self) {
        self.inner.update(|m| m.gateway.drop_connections());
    }

    /// From now on every IDENTIFY and RESUME is answered with close frame `code` (e.g.
    /// 4014 "Disallowed intent(s).", 4000 "Unknown error."); `None` serves sessions again.
    pub fn refuse_sessions(&self, refusal: Option<(u16, &'static str)>) {
        self.inner.update(|m| m.gateway.refuse_with = refusal);
    }

    /// Closes every open websocket with a close frame (Discord's way of ending a
    /// connection); sessions stay resumable.
    pub fn close_gateway(&self, code: u16, reason: &'static str) {
        self.inner
            .update(|m| m.gateway.close_connections(code, reason));
    }

    /// Websockets the bot opened so far.
    pub fn connection_count(&self) -> usize {
        self.inner.read(|m| m.gateway.connection_count)
    }

    pub fn identify_count(&self) -> usize {
        self.inner.read(|m| m.gateway.identify_count)
    }

    /// Successful RESUMEs (RESUMED sent).
    pub fn resume_count(&self) -> usize {
        self.inner.read(|m| m.gateway.resume_count)
    }

    /// READY or RESUMED was sent on a websocket that is still open.
    pub fn is_connected(&self) -> bool {
        self.inner.read(|m| m.gateway.is_connected())
    }

    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        self.wait_for(timeout, |emu| emu.is_connected().then_some(()))
            .await
            .is_some()
    }

    /// Every dispatch sent to the bot so far as (event name, data), in order.
    pub fn gateway_events(&self) -> Vec<(String, Value)> {
        self.inner.read(|m| m.gateway.log.clone())
    }

    // ------------------------------------------------------- fault injection

    /// The next `count` requests whose method matches (`"*"` = any) and whose
    /// path contains `path_contains` are answered with `status` instead.
    /// 429s carry Discord's rate-limit headers (`retry-after: 0.05`,
    /// `x-ratelimit-scope: user`, ...); 5xx answer
    /// `{"message": "500: Internal Server Error", "code": 0}`; 400s answer a
    /// 50035 "Invalid Form Body" with an `errors` object.
    pub fn fail_next(&self, method: &str, path_contains: &str, status: u16, count: usize) {
        self.push_fault(method, path_contains, None, status, count);
    }

    /// Like [`Self::fail_next`], only for requests whose JSON body holds `body_contains`.
    pub fn fail_next_with_body(
        &self,
        method: &str,
        path_contains: &str,
        body_contains: &str,
        status: u16,
        count: usize,
    ) {
        self.push_fault(method, path_contains, Some(body_contains), status, count);
    }

    fn push_fault(
        &self,
        method: &str,
        path_contains: &str,
        body_contains: Option<&str>,
        status: u16,
        count: usize,
    ) {
        self.inner.update(|m| {
            m.faults.push(rest::Fault {
                method: method.to_owned(),
                path_contains: path_contains.to_owned(),
                body_contains: body_contains.map(str::to_owned),
                status,
                remaining: count,
            })
        });
    }

    // ---------------------------------------------------------------- OAuth2

    /// The user who approves the next `/oauth2/authorize` requests.
    pub fn set_oauth_user(&self, user_id: u64) {
        self.inner.update(|m| m.oauth.user = Some(user_id));
    }

    /// Authorize requests are denied (`error=access_denied`) again.
    pub fn clear_oauth_user(&self) {
        self.inner.update(|m| m.oauth.user = None);
    }

    // ----------------------------------------------------------- request log

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.read(|m| m.requests.clone())
    }

    pub fn clear_requests(&self) {
        self.inner.update(|m| m.requests.clear());
    }

    /// The first logged request (earlier ones included) matching `pred`.
    pub async fn wait_for_request(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Option<RecordedRequest> {
        self.wait_for(timeout, |emu| {
            emu.inner
                .read(|m| m.requests.iter().find(|r| pred(r)).cloned())
        })
        .await
    }

    /// Callback POST, follow-ups and `@original` edits/reads for this interaction.
    pub fn interaction_replies(&self, ir: &InteractionRef) -> Vec<RecordedRequest> {
        let needle = format!("/{}", ir.token);
        self.inner.read(|m| {
            m.requests
                .iter()
                .filter(|r| r.path.contains(&needle))
                .cloned()
                .collect()
        })
    }

    /// The bot's first answer to the interaction: its callback POST, or a
    /// webhook request with its token. 429s (retried by twilight) are skipped;
    /// other failures are returned so the test can see them.
    pub async fn wait_interaction_response(
        &self,
        ir: &InteractionRef,
        timeout: Duration,
    ) -> Option<RecordedRequest> {
        self.wait_for(timeout, |emu| {
            emu.interaction_replies(ir)
                .into_iter()
                .find(|r| r.status != 429)
        })
        .await
    }

    /// The first message in `channel_id` (oldest first) matching `pred`.
    pub async fn wait_for_message(
        &self,
        channel_id: u64,
        pred: impl Fn(&MessageState) -> bool,
        timeout: Duration,
    ) -> Option<MessageState> {
        self.wait_for(timeout, |emu| {
            emu.messages(channel_id).into_iter().find(|m| pred(m))
        })
        .await
    }

    /// Re-evaluates `check` after every change in the emulator until it
    /// returns `Some` or `timeout` passes.
    pub async fn wait_for<T>(
        &self,
        timeout: Duration,
        check: impl Fn(&DiscordEmu) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        loop {
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(found) = check(self) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return check(self);
            }
        }
    }
}

/// Where an interaction comes from.
#[derive(Clone, Copy, Debug)]
pub enum Origin {
    /// The emulated guild.
    Home,
    /// Another guild the bot is in.
    Guild(u64),
    /// A direct message with the bot.
    Dm,
}

impl Origin {
    /// Rewrites a guild interaction's payload the way Discord sends it from `self`.
    fn apply(self, payload: &mut Value) {
        match self {
            Origin::Home => {}
            Origin::Guild(guild) => {
                let guild = guild.to_string();
                payload["guild_id"] = json!(guild);
                payload["guild"]["id"] = json!(guild);
                payload["channel"]["guild_id"] = json!(guild);
                payload["authorizing_integration_owners"] = json!({"0": guild});
            }
            Origin::Dm => {
                let user = payload["member"]["user"].clone();
                let Some(object) = payload.as_object_mut() else {
                    return;
                };
                for key in ["guild", "guild_id", "guild_locale", "member"] {
                    object.remove(key);
                }
                object.insert("user".into(), user.clone());
                object.insert("context".into(), json!(1));
                object.insert(
                    "authorizing_integration_owners".into(),
                    json!({"1": user["id"]}),
                );
                let channel = json!({"id": object["channel_id"], "type": 1, "last_message_id": null,
                    "flags": 0, "recipients": [user]});
                object.insert("channel".into(), channel);
            }
        }
    }
}

/// Registers an interaction and dispatches INTERACTION_CREATE.
#[allow(clippy::too_many_arguments)]
fn start_interaction(
    m: &mut Model,
    origin: Origin,
    kind: u8,
    user_id: u64,
    channel_id: u64,
    command_name: Option<String>,
    source_message_id: Option<u64>,
    data: Value,
) -> InteractionRef {
    assert!(
        m.members.contains_key(&user_id),
        "user {user_id} is not a member (add_member first)"
    );
    let id = m.next_id();
    let token = m.next_token("aW50ZXJhY3Rpb246");
    let ix = InteractionState {
        id,
        token: token.clone(),
        kind,
        user_id,
        channel_id,
        command_name,
        source_message_id,
        response_type: None,
        original_message_id: None,
    };
    let mut payload = m.interaction_json(&ix, data);
    origin.apply(&mut payload);
    m.interactions.insert(token.clone(), ix);
    m.dispatch("INTERACTION_CREATE", payload);
    InteractionRef {
        id,
        token,
        channel_id,
        user_id,
    }
}

/// `resolved` as Discord adds it to a command with user options (type 6, also inside
/// subcommands): the users, and for server members the member without `user` but with
/// `permissions`.
fn resolved_users(m: &Model, options: &Value) -> Option<Value> {
    fn collect(options: &Value, ids: &mut Vec<u64>) {
        for option in options.as_array().into_iter().flatten() {
            if option["type"] == 6
                && let Some(id) = option["value"].as_str().and_then(|v| v.parse().ok())
            {
                ids.push(id);
            }
            collect(&option["options"], ids);
        }
    }
    let mut ids = Vec::new();
    collect(options, &mut ids);
    if ids.is_empty() {
        return None;
    }
    let (mut users, mut members) = (serde_json::Map::new(), serde_json::Map::new());
    for id in ids {
        if m.users.contains_key(&id) {
            users.insert(id.to_string(), m.user_json(id));
        }
        if let Some(mut member) = m.member_json(id, false) {
            member["permissions"] = json!(m.member_permissions(id).to_string());
            members.insert(id.to_string(), member);
        }
    }
    Some(json!({"users": users, "members": members}))
}

fn user_message_state(m: &mut Model, user_id: u64, channel_id: u64, content: &str) -> MessageState {
    assert!(
        m.users.contains_key(&user_id),
        "user {user_id} unknown (add_member first)"
    );
    assert!(
        m.channels.contains_key(&channel_id),
        "channel {channel_id} unknown"
    );
    let mut msg = m.new_message(channel_id, user_id, 0);
    msg.content = content.to_owned();
    let (users, roles) = model::parse_mentions(content);
    msg.mentions = users;
    msg.mention_roles = roles;
    msg
}

/// The numeric `id` Discord gave the component with `custom_id`.
fn component_number(components: &[Value], custom_id: &str) -> Value {
    let mut found = Value::Null;
    model::walk_components(components, &mut |c| {
        if c["custom_id"] == custom_id {
            found = c["id"].clone();
        }
    });
    found
}
