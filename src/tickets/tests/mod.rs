//! The ticket actor and the supervisor in-process, against the Discord port in memory and a
//! SQLite file of their own (as quickwit tests its actors against a mock metastore), beside the
//! end-to-end tests through the emulators in `tests/`.

mod actor;
mod memory;
mod supervisor;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::Message as DiscordMessage;
use twilight_model::id::Id;

use crate::config::Config;
use crate::db::models::Ticket;
use crate::db::queries::{self, Reservation};
use crate::db::{Db, now_ms};
use crate::tickets::context::{ChannelIndex, Ctx};
use memory::{BOT_USER, GUILD, MemoryDiscord};

pub const SUPPORT_ROLE: u64 = 10;
pub const ADMIN_ROLE: u64 = 11;
pub const CREATED: u64 = 20;
pub const CLAIMED: u64 = 21;
pub const CLOSED: u64 = 22;
pub const OPENER: u64 = 100;
pub const SUPPORTER: u64 = 200;

fn config() -> Config {
    let env: HashMap<&str, String> = [
        ("BOT_TOKEN", "token".to_owned()),
        ("GUILD_ID", GUILD.to_string()),
        ("SUPPORT_ROLE_ID", SUPPORT_ROLE.to_string()),
        ("ADMIN_ROLE_ID", ADMIN_ROLE.to_string()),
        ("CREATED_TICKETS_CATEGORY_ID", CREATED.to_string()),
        ("CLAIMED_TICKETS_CATEGORY_ID", CLAIMED.to_string()),
        ("CLOSED_TICKETS_CATEGORY_ID", CLOSED.to_string()),
        ("TICKET_LOG_CHANNEL_ID", "30".to_owned()),
        ("DISCORD_CLIENT_ID", "40".to_owned()),
        ("DISCORD_CLIENT_SECRET", "secret".to_owned()),
        (
            "DISCORD_REDIRECT_URI",
            "http://127.0.0.1:1/callback".to_owned(),
        ),
        (
            "FLASK_SECRET_KEY",
            "unit-test-secret-0123456789abcdef0123456789abcdef0123456789abcdef".to_owned(),
        ),
    ]
    .into_iter()
    .collect();
    Config::from_lookup(|key| env.get(key).cloned()).expect("test settings")
}

/// A bot's shared context over `discord` and a new database; the directory holds the file.
pub struct Bench {
    pub ctx: Arc<Ctx>,
    pub discord: Arc<MemoryDiscord>,
    _dir: tempfile::TempDir,
}

impl Bench {
    pub async fn new() -> Self {
        // ractor's registry is per process and the unit tests share one: names get a prefix.
        static BENCHES: AtomicUsize = AtomicUsize::new(0);
        crate::process::install_crypto_provider();
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("tickets.sqlite").display());
        let db = Db::connect(&url).await.expect("test database");
        let config = Arc::new(config());
        let discord = Arc::new(MemoryDiscord::default());
        let files =
            crate::attachments::FileStore::open(&crate::config::attachments::AttachmentConfig {
                store: crate::config::attachments::StoreLocation::Local(dir.path().join("files")),
                max_mb: 25,
                s3: Vec::new(),
            })
            .expect("attachment store");
        let ctx = Arc::new(Ctx {
            ai: crate::ai::Clients::new(&config),
            discord: discord.clone(),
            messages: crate::db::batch::MessageWriter::spawn(db.clone()),
            config,
            db,
            bot_user_id: Default::default(),
            channels: ChannelIndex::default(),
            category_fill: Default::default(),
            actor_prefix: format!("unit{}/", BENCHES.fetch_add(1, Ordering::Relaxed)),
            files,
        });
        let _ = ctx.bot_user_id.set(Id::new(BOT_USER));
        Self {
            ctx,
            discord,
            _dir: dir,
        }
    }

    /// An open ticket of [`OPENER`] with channel `channel`, as the opening leaves it.
    pub async fn open_ticket(&self, channel: u64) -> Ticket {
        let ticket = self
            .ctx
            .db
            .write(move |conn| {
                let Reservation::Created(ticket) =
                    queries::reserve_ticket(conn, OPENER as i64, "Opener", now_ms())?
                else {
                    panic!("the opener has no ticket yet");
                };
                queries::attach_channel(conn, ticket.id, channel as i64)?;
                queries::ticket(conn, ticket.id)
            })
            .await
            .expect("ticket");
        self.ctx.channels.insert(Id::new(channel), ticket.id);
        ticket
    }

    pub async fn ticket(&self, id: i64) -> Ticket {
        self.ctx
            .db
            .run(move |conn| queries::ticket(conn, id))
            .await
            .expect("ticket")
    }

    pub async fn audit_actions(&self, id: i64) -> Vec<String> {
        self.ctx
            .db
            .run(move |conn| queries::audit_of(conn, id))
            .await
            .expect("audit")
            .into_iter()
            .map(|row| row.action)
            .collect()
    }
}

fn user(id: u64) -> Value {
    json!({"id": id.to_string(), "username": format!("user{id}"), "discriminator": "0",
           "global_name": null, "avatar": null})
}

fn member(id: u64, roles: &[u64], with_user: bool) -> Value {
    let mut member = json!({
        "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": "2025-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "nick": null,
    });
    if with_user {
        member["user"] = user(id);
    }
    member
}

/// A press of the button `custom_id` in `channel` by `id` with `roles`.
pub fn press(id: u64, roles: &[u64], channel: u64, custom_id: &str) -> Box<Interaction> {
    let interaction = json!({
        "id": "5000",
        "application_id": "40",
        "type": 3,
        "token": "token",
        "guild_id": GUILD.to_string(),
        "channel": {"id": channel.to_string(), "type": 0},
        "member": member(id, roles, true),
        "data": {"custom_id": custom_id, "component_type": 2},
        "version": 1,
        "app_permissions": "0",
        "locale": "de",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": 10_485_760,
    });
    Box::new(serde_json::from_value(interaction).expect("an interaction the fixture builds"))
}

/// Message `id` with `content` by `author` in `channel`, as the REST API returns it.
pub fn message_json(author: Value, channel: u64, id: u64, content: &str) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "channel_id": channel.to_string(),
        "author": author,
        "content": content,
        "timestamp": "2026-01-01T10:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
    })
}

/// A message `content` of `author` in `channel`, as MESSAGE_CREATE carries it.
pub fn said(author: u64, roles: &[u64], channel: u64, id: u64, content: &str) -> DiscordMessage {
    let mut message = message_json(user(author), channel, id, content);
    message["guild_id"] = json!(GUILD.to_string());
    message["member"] = member(author, roles, false);
    serde_json::from_value(message).expect("a message the fixture builds")
}

#[tokio::test]
async fn an_unknown_status_in_the_database_is_an_error_naming_the_ticket() {
    use diesel::RunQueryDsl;
    let bench = Bench::new().await;
    let id = bench.open_ticket(9_000).await.id;
    let read = bench
        .ctx
        .db
        .write(move |conn| {
            diesel::sql_query(format!(
                "UPDATE tickets SET status = 'weird' WHERE id = {id}"
            ))
            .execute(conn)?;
            queries::ticket(conn, id)
        })
        .await;
    let err = read.expect_err("an unknown status is no ticket");
    let text = err.to_string();
    assert!(
        text.contains(&format!("ticket #{id}")) && text.contains("weird"),
        "{text}"
    );
}
