//! The Discord port in memory: every call is recorded, posts and channels get ids, and a
//! waiter is woken on each call, so a test awaits what reached "Discord" instead of sleeping.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::message::Component;
use twilight_model::channel::permission_overwrite::PermissionOverwrite;
use twilight_model::channel::{Channel, Message};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker, UserMarker};

use crate::tickets::port::{Call, Discord, LogEntry, Member, Post, Renamed};

pub const BOT_USER: u64 = 900;
pub const GUILD: u64 = 1;

/// One call the tickets core made, with what matters to the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Ephemeral(String),
    Public(String),
    EphemeralFile(String, String),
    Deferred,
    Finished(String),
    Posted {
        channel: u64,
        content: String,
    },
    Created {
        name: String,
        parent: u64,
    },
    Moved {
        channel: u64,
        parent: u64,
        name: Option<String>,
    },
    Renamed {
        channel: u64,
        name: String,
    },
    Overwrite {
        channel: u64,
        target: u64,
    },
    OverwriteRemoved {
        channel: u64,
        user: u64,
    },
    Choices(Vec<String>),
    Deleted(u64),
    Typing(u64),
    Logged(String),
    Modal(String),
    DirectMessage {
        user: u64,
        file: Option<String>,
    },
    Edited {
        channel: u64,
        message: u64,
    },
}

#[derive(Default)]
pub struct MemoryDiscord {
    sent: Mutex<Vec<Sent>>,
    changed: Notify,
    next_id: AtomicU64,
}

impl MemoryDiscord {
    fn record(&self, sent: Sent) {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(sent);
        self.changed.notify_waiters();
    }

    fn id(&self) -> u64 {
        // Snowflake-like: later calls get larger ids, far above the fixtures' ids.
        (1 << 40) + self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits up to 5 s for a call that `pred` accepts.
    pub async fn wait_for(&self, pred: impl Fn(&Sent) -> bool) -> Sent {
        let wait = async {
            loop {
                let changed = self.changed.notified();
                if let Some(found) = self.sent().into_iter().find(&pred) {
                    return found;
                }
                changed.await;
            }
        };
        match tokio::time::timeout(Duration::from_secs(5), wait).await {
            Ok(found) => found,
            Err(_) => panic!("not sent within 5 s; sent: {:#?}", self.sent()),
        }
    }

    fn message(&self, channel: Id<ChannelMarker>, content: &str) -> Message {
        let bot = json!({"id": BOT_USER.to_string(), "username": "ticketbot",
                         "discriminator": "0001", "avatar": null, "bot": true});
        let message = super::message_json(bot, channel.get(), self.id(), content);
        serde_json::from_value(message).expect("a message the fixture builds")
    }
}

fn done<'a, T: Send + 'a>(value: T) -> Call<'a, T> {
    Box::pin(async move { Ok(value) })
}

impl Discord for MemoryDiscord {
    fn ephemeral<'a>(&'a self, _: &'a Interaction, content: &'a str) -> Call<'a, ()> {
        self.record(Sent::Ephemeral(content.to_owned()));
        done(())
    }

    fn public<'a>(&'a self, _: &'a Interaction, content: &'a str) -> Call<'a, ()> {
        self.record(Sent::Public(content.to_owned()));
        done(())
    }

    fn ephemeral_with_file<'a>(
        &'a self,
        _: &'a Interaction,
        content: &'a str,
        filename: String,
        _: Vec<u8>,
    ) -> Call<'a, ()> {
        self.record(Sent::EphemeralFile(content.to_owned(), filename));
        done(())
    }

    fn defer_ephemeral<'a>(&'a self, _: &'a Interaction) -> Call<'a, ()> {
        self.record(Sent::Deferred);
        done(())
    }

    fn finish_deferred<'a>(&'a self, _: &'a Interaction, content: &'a str) -> Call<'a, ()> {
        self.record(Sent::Finished(content.to_owned()));
        done(())
    }

    fn post<'a>(
        &'a self,
        _: &'a str,
        channel: Id<ChannelMarker>,
        message: Post<'a>,
    ) -> Call<'a, Message> {
        let posted = self.message(channel, message.content);
        self.record(Sent::Posted {
            channel: channel.get(),
            content: message.content.to_owned(),
        });
        done(posted)
    }

    fn create_channel<'a>(
        &'a self,
        name: &'a str,
        parent: Id<ChannelMarker>,
        _: &'a [PermissionOverwrite],
    ) -> Call<'a, Channel> {
        let channel = json!({
            "id": self.id().to_string(),
            "type": 0,
            "guild_id": GUILD.to_string(),
            "name": name,
            "parent_id": parent.to_string(),
            "permission_overwrites": [],
        });
        self.record(Sent::Created {
            name: name.to_owned(),
            parent: parent.get(),
        });
        done(serde_json::from_value(channel).expect("a channel the fixture builds"))
    }

    fn move_channel<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        parent: Id<ChannelMarker>,
        _: &'a [PermissionOverwrite],
        name: Option<&'a str>,
    ) -> Call<'a, Renamed> {
        self.record(Sent::Moved {
            channel: channel.get(),
            parent: parent.get(),
            name: name.map(str::to_owned),
        });
        done(Renamed::Done)
    }

    fn public_post<'a>(&'a self, _: &'a Interaction, message: Post<'a>) -> Call<'a, ()> {
        self.record(Sent::Public(message.content.to_owned()));
        done(())
    }

    fn rename_channel<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        name: &'a str,
    ) -> Call<'a, Renamed> {
        self.record(Sent::Renamed {
            channel: channel.get(),
            name: name.to_owned(),
        });
        done(Renamed::Done)
    }

    fn set_overwrite<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        overwrite: &'a PermissionOverwrite,
    ) -> Call<'a, ()> {
        self.record(Sent::Overwrite {
            channel: channel.get(),
            target: overwrite.id.get(),
        });
        done(())
    }

    fn remove_overwrite(&self, channel: Id<ChannelMarker>, user: Id<UserMarker>) -> Call<'_, ()> {
        self.record(Sent::OverwriteRemoved {
            channel: channel.get(),
            user: user.get(),
        });
        done(())
    }

    fn member(&self, _: Id<UserMarker>) -> Call<'_, Option<Member>> {
        done(None)
    }

    fn autocomplete<'a>(&'a self, _: &'a Interaction, choices: Vec<String>) -> Call<'a, ()> {
        self.record(Sent::Choices(choices));
        done(())
    }

    fn delete_channel(&self, channel: Id<ChannelMarker>) -> Call<'_, ()> {
        self.record(Sent::Deleted(channel.get()));
        done(())
    }

    fn history_after(&self, _: Id<ChannelMarker>, _: Id<MessageMarker>) -> Call<'_, Vec<Message>> {
        done(Vec::new())
    }

    fn guild_channels(&self) -> Call<'_, Vec<Channel>> {
        done(Vec::new())
    }

    fn typing(&self, channel: Id<ChannelMarker>) -> Call<'_, ()> {
        self.record(Sent::Typing(channel.get()));
        done(())
    }

    fn open_modal<'a>(
        &'a self,
        _: &'a Interaction,
        custom_id: &'a str,
        _: &'a str,
        _: Vec<Component>,
    ) -> Call<'a, ()> {
        self.record(Sent::Modal(custom_id.to_owned()));
        done(())
    }

    fn direct_message<'a>(
        &'a self,
        user: Id<UserMarker>,
        message: Post<'a>,
        file: Option<(String, Vec<u8>)>,
    ) -> Call<'a, Message> {
        let posted = self.message(Id::new(self.id()), message.content);
        self.record(Sent::DirectMessage {
            user: user.get(),
            file: file.map(|(name, _)| name),
        });
        done(posted)
    }

    fn edit_message<'a>(
        &'a self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        _: Post<'a>,
    ) -> Call<'a, ()> {
        self.record(Sent::Edited {
            channel: channel.get(),
            message: message.get(),
        });
        done(())
    }

    fn log(&self, entry: LogEntry<'_>) {
        self.record(Sent::Logged(entry.title.to_owned()));
    }
}
