//! What the tickets core needs from Discord, in the core's words. `discord::adapter` implements
//! it over twilight; the actor tests implement it in memory. Every method fits what it sends to
//! Discord's limits and retries what may pass by itself, so a caller only sees final failures.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use twilight_model::application::interaction::Interaction;
use twilight_model::channel::message::{AllowedMentions, Component, Embed};
use twilight_model::channel::permission_overwrite::PermissionOverwrite;
use twilight_model::channel::{Channel, Message};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker, RoleMarker, UserMarker};
use twilight_util::builder::embed::EmbedBuilder;

use crate::error::Result;
use crate::who::Who;

/// A call to Discord in flight. Boxed so that the port is a trait object (`Arc<dyn Discord>`).
pub type Call<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// How much of a channel's history one [`Discord::history_after`] call returns at most.
pub const HISTORY_PAGE: u16 = 100;

pub trait Discord: Send + Sync {
    /// A message only the presser sees.
    fn ephemeral<'a>(&'a self, interaction: &'a Interaction, content: &'a str) -> Call<'a, ()>;
    /// A message everyone in the channel sees.
    fn public<'a>(&'a self, interaction: &'a Interaction, content: &'a str) -> Call<'a, ()>;
    /// An ephemeral message with one file attached.
    fn ephemeral_with_file<'a>(
        &'a self,
        interaction: &'a Interaction,
        content: &'a str,
        filename: String,
        file: Vec<u8>,
    ) -> Call<'a, ()>;
    /// "Thinking…" for work that may take longer than Discord's 3 s; only the presser sees it.
    fn defer_ephemeral<'a>(&'a self, interaction: &'a Interaction) -> Call<'a, ()>;
    /// Replaces the deferred answer with `content`.
    fn finish_deferred<'a>(
        &'a self,
        interaction: &'a Interaction,
        content: &'a str,
    ) -> Call<'a, ()>;
    /// Posts `message` to `channel`; `what` names the request in the operator's log.
    fn post<'a>(
        &'a self,
        what: &'a str,
        channel: Id<ChannelMarker>,
        message: Post<'a>,
    ) -> Call<'a, Message>;
    /// Creates a text channel in the server, under `parent`.
    fn create_channel<'a>(
        &'a self,
        name: &'a str,
        parent: Id<ChannelMarker>,
        overwrites: &'a [PermissionOverwrite],
    ) -> Call<'a, Channel>;
    /// A public answer with embeds and buttons (`post`'s message as the interaction's reply).
    fn public_post<'a>(&'a self, interaction: &'a Interaction, message: Post<'a>) -> Call<'a, ()>;
    /// Moves `channel` under `parent` with `overwrites`, renaming it when `name` is given.
    /// A rename Discord's limit puts off for long is not waited for: the channel is moved
    /// without it and the answer says when the name may change.
    fn move_channel<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        parent: Id<ChannelMarker>,
        overwrites: &'a [PermissionOverwrite],
        name: Option<&'a str>,
    ) -> Call<'a, Renamed>;
    /// Renames `channel`, unless Discord's limit (two renames per 10 minutes) puts it off.
    fn rename_channel<'a>(&'a self, channel: Id<ChannelMarker>, name: &'a str)
    -> Call<'a, Renamed>;
    /// Sets one member's (or role's) overwrite of `channel`, leaving the others as they are.
    fn set_overwrite<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        overwrite: &'a PermissionOverwrite,
    ) -> Call<'a, ()>;
    /// Removes `user`'s own overwrite of `channel`.
    fn remove_overwrite(&self, channel: Id<ChannelMarker>, user: Id<UserMarker>) -> Call<'_, ()>;
    /// A member of the server with their roles; None when they are not (any more) in it.
    fn member(&self, user: Id<UserMarker>) -> Call<'_, Option<Member>>;
    /// Answers an autocomplete request with up to 25 `choices` (name = value).
    fn autocomplete<'a>(
        &'a self,
        interaction: &'a Interaction,
        choices: Vec<String>,
    ) -> Call<'a, ()>;
    fn delete_channel(&self, channel: Id<ChannelMarker>) -> Call<'_, ()>;
    /// Up to [`HISTORY_PAGE`] messages of `channel` after message `after`, in any order.
    fn history_after(
        &self,
        channel: Id<ChannelMarker>,
        after: Id<MessageMarker>,
    ) -> Call<'_, Vec<Message>>;
    /// Every channel of the server.
    fn guild_channels(&self) -> Call<'_, Vec<Channel>>;
    /// Shows "is typing…" in `channel` for about 10 s.
    fn typing(&self, channel: Id<ChannelMarker>) -> Call<'_, ()>;
    /// Answers the interaction with a modal: `components` are its fields. Discord takes a modal
    /// only as the first answer to a click or command.
    fn open_modal<'a>(
        &'a self,
        interaction: &'a Interaction,
        custom_id: &'a str,
        title: &'a str,
        components: Vec<Component>,
    ) -> Call<'a, ()>;
    /// Opens (or finds) the direct-message channel with `user` and posts `message` there, with
    /// `file` (name, bytes) attached when given.
    fn direct_message<'a>(
        &'a self,
        user: Id<UserMarker>,
        message: Post<'a>,
        file: Option<(String, Vec<u8>)>,
    ) -> Call<'a, Message>;
    /// Replaces content, embeds and components of message `message` in `channel`.
    fn edit_message<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        edit: Post<'a>,
    ) -> Call<'a, ()>;
    /// Queues `entry` for the log channel and returns at once. Failures are logged, never
    /// raised: the log channel is a report, not part of the ticket's state (the audit table is).
    fn log(&self, entry: LogEntry<'_>);
}

/// What a channel edit did to the channel's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renamed {
    /// Renamed as asked (or no name was asked for).
    Done,
    /// Everything else done; Discord allows the rename after this long.
    Later(Duration),
}

/// A member of the server as the core needs them: display name and roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub roles: Vec<Id<RoleMarker>>,
}

/// A message for a channel, as [`Discord::post`] sends it.
#[derive(Default)]
pub struct Post<'a> {
    pub content: &'a str,
    pub embeds: Vec<Embed>,
    pub components: Vec<Component>,
    /// Who may be pinged; `None` keeps the client's default: nobody.
    pub mentions: Option<AllowedMentions>,
}

/// One event for the log channel: what happened, to which ticket, by whom.
pub struct LogEntry<'a> {
    pub title: &'a str,
    pub ticket: Option<i64>,
    pub actor: Option<&'a Who>,
    pub detail: String,
    pub color: u32,
}

pub const GREEN: u32 = 0x2e_cc_71;
pub const BLUE: u32 = 0x34_98_db;
pub const RED: u32 = 0xe7_4c_3c;
pub const ORANGE: u32 = 0xe6_7e_22;

pub fn simple_embed(title: &str, description: &str, color: u32) -> Embed {
    EmbedBuilder::new()
        .title(title)
        .description(description)
        .color(color)
        .build()
}
