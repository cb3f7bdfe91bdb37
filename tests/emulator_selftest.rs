//! Self-tests of the Discord emulator (`tests/support/discord`): the real
//! twilight clients must work against it, and every payload kind it emits
//! must deserialize into the matching twilight-model type.

use crate::support::discord::{DiscordEmu, GuildSpec, RecordedRequest};
use serde::de::DeserializeSeed;
use serde_json::{Value, json};
use std::time::Duration;
use twilight_gateway::{ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt};
use twilight_http::Client;
use twilight_model::application::command::Command;
use twilight_model::application::interaction::{Interaction, InteractionData};
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle, Component};
use twilight_model::channel::message::{Message, MessageFlags};
use twilight_model::channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};
use twilight_model::channel::{Channel, ChannelType};
use twilight_model::gateway::event::DispatchEventWithTypeDeserializer;
use twilight_model::guild::{Member, Permissions, Role};
use twilight_model::http::attachment::Attachment;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::user::{CurrentUser, User};

const WAIT: Duration = Duration::from_secs(10);
const ALICE: u64 = 1_190_000_000_000_000_001;

async fn start() -> DiscordEmu {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let emu = DiscordEmu::start(GuildSpec::default()).await;
    emu.add_member(ALICE, "alice", Some("Alice"), &[]);
    emu
}

fn http(emu: &DiscordEmu) -> Client {
    Client::builder()
        .token(emu.bot_token().to_owned())
        .proxy(emu.http_proxy(), true)
        .timeout(WAIT)
        .build()
}

fn shard(emu: &DiscordEmu) -> Shard {
    let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
    let config = ConfigBuilder::new(emu.bot_token().to_owned(), intents)
        .proxy_url(emu.gateway_url())
        .build();
    Shard::with_config(ShardId::ONE, config)
}

/// Runs a shard in the background (like the bot does) so that every dispatch
/// is sent and logged; returns a receiver of twilight's deserialization errors.
async fn spawn_background_shard(emu: &DiscordEmu) -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let (errors, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut shard = shard(emu);
    tokio::spawn(async move {
        while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
            if let Err(e) = item {
                let _ = errors.send(format!("{e:?}"));
            }
        }
    });
    assert!(emu.wait_connected(WAIT).await);
    rx
}

/// Next gateway event matching `pick`, failing on deserialization errors.
async fn next_matching<T>(shard: &mut Shard, mut pick: impl FnMut(Event) -> Option<T>) -> T {
    let wait = async {
        loop {
            match shard.next_event(EventTypeFlags::all()).await {
                Some(Ok(event)) => {
                    if let Some(found) = pick(event) {
                        return found;
                    }
                }
                Some(Err(e)) => panic!("gateway error (bad payload?): {e:?}"),
                None => panic!("shard closed"),
            }
        }
    };
    tokio::time::timeout(WAIT, wait)
        .await
        .expect("timed out waiting for a gateway event")
}

fn button_row(custom_id: &str, label: &str) -> Component {
    Component::ActionRow(ActionRow {
        id: None,
        components: vec![Component::Button(Button {
            id: None,
            custom_id: Some(custom_id.into()),
            disabled: false,
            emoji: None,
            label: Some(label.into()),
            style: ButtonStyle::Primary,
            url: None,
            sku_id: None,
        })],
    })
}

/// Every gateway dispatch and every JSON answer so far must deserialize into
/// the twilight-model type a bot would use for it.
fn assert_payloads_deserialize(emu: &DiscordEmu) {
    for (event, data) in emu.gateway_events() {
        let json = data.to_string();
        let mut de = serde_json::Deserializer::from_str(&json);
        if let Err(e) = DispatchEventWithTypeDeserializer::new(&event).deserialize(&mut de) {
            panic!("{event} does not deserialize: {e}\n{json}");
        }
    }
    for r in emu.requests() {
        let Some(body) = r.response.clone() else {
            continue;
        };
        if !r.succeeded() {
            assert!(
                body.get("message").is_some() || body.get("error").is_some(),
                "error body without message: {r:?}"
            );
            continue;
        }
        let segments: Vec<&str> = r.path.split('/').filter(|s| !s.is_empty()).collect();
        let result = match (r.method.as_str(), &segments[..]) {
            (_, [.., "commands"]) => check::<Vec<Command>>(&body),
            ("GET", [.., "guilds", _, "channels"]) => check::<Vec<Channel>>(&body),
            (_, [.., "guilds", _, "channels"]) | (_, [.., "channels", _]) => {
                check::<Channel>(&body)
            }
            ("GET", [.., "channels", _, "messages"]) => check::<Vec<Message>>(&body),
            (_, [.., "messages"]) | (_, [.., "messages", _]) => check::<Message>(&body),
            (_, [.., "webhooks", _, _]) => check::<Message>(&body),
            (_, [.., "members", _]) => check::<Member>(&body),
            (_, [.., "roles"]) => check::<Vec<Role>>(&body),
            (_, [.., "callback"]) => check::<
                twilight_model::application::interaction::callback::InteractionCallbackResponse,
            >(&body),
            (_, ["api", "v10", "users", "@me"])
                if r.path.contains("v10") && body["bot"] == true =>
            {
                check::<CurrentUser>(&body)
            }
            (_, [.., "users", _]) => check::<User>(&body),
            (_, [.., "oauth2", "token"]) | (_, [.., "gateway"]) | (_, [.., "gateway", "bot"]) => {
                Ok(())
            }
            _ => panic!("no twilight type known for {} {}", r.method, r.path),
        };
        if let Err(e) = result {
            panic!(
                "{} {} answer does not deserialize: {e}\n{body}",
                r.method, r.path
            );
        }
    }
}

fn check<T: serde::de::DeserializeOwned>(v: &Value) -> Result<(), serde_json::Error> {
    serde_json::from_value::<T>(v.clone()).map(drop)
}

#[tokio::test]
async fn emulator_gateway_ready_then_resume_replays_missed_events() {
    let emu = start().await;
    let mut shard = shard(&emu);
    let ready = next_matching(&mut shard, |e| match e {
        Event::Ready(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(ready.user.id.get(), emu.bot_user_id());
    assert_eq!(ready.application.id.get(), emu.application_id());
    assert!(emu.wait_connected(WAIT).await);
    assert_eq!(emu.identify_count(), 1);

    // Delivered live.
    let live = emu
        .user_message(ALICE, emu.spec().support_channel, "hello")
        .await;
    let got = next_matching(&mut shard, |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(got.id.get(), live);
    assert_eq!(got.content, "hello");
    assert!(
        got.member.is_some(),
        "gateway messages carry the author's member"
    );

    // Emitted while the websocket is gone: buffered, replayed on RESUME.
    emu.drop_gateway();
    assert!(!emu.is_connected());
    let missed = emu
        .user_message(ALICE, emu.spec().support_channel, "while you were away")
        .await;
    let mut replayed = None;
    next_matching(&mut shard, |e| match e {
        Event::MessageCreate(m) => {
            replayed = Some(m.id.get());
            None
        }
        Event::Resumed => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(
        replayed,
        Some(missed),
        "MESSAGE_CREATE replayed before RESUMED"
    );
    assert!(emu.wait_connected(WAIT).await);
    assert_eq!(emu.identify_count(), 1);
    assert_eq!(emu.resume_count(), 1);

    // Edits, deletes and hand-deleted channels reach the bot too.
    emu.edit_message(emu.spec().support_channel, live, "hello (edited)")
        .await;
    let update = next_matching(&mut shard, |e| match e {
        Event::MessageUpdate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(update.content, "hello (edited)");
    assert!(update.edited_timestamp.is_some());
    emu.delete_message(emu.spec().support_channel, live).await;
    let deleted = next_matching(&mut shard, |e| match e {
        Event::MessageDelete(d) => Some(d),
        _ => None,
    })
    .await;
    assert_eq!(deleted.id.get(), live);
    let scratch = emu.create_text_channel("scratch", Some(emu.spec().created_cat));
    emu.delete_channel_by_hand(scratch).await;
    let gone = next_matching(&mut shard, |e| match e {
        Event::ChannelDelete(c) => Some(c),
        _ => None,
    })
    .await;
    assert_eq!(gone.id.get(), scratch);
    assert_eq!(emu.messages(emu.spec().support_channel).len(), 1);
    assert_payloads_deserialize(&emu);
}

#[tokio::test]
async fn emulator_gateway_rejects_bad_token_and_unknown_session() {
    let emu = start().await;
    let config = ConfigBuilder::new("wrong-token".into(), Intents::GUILDS)
        .proxy_url(emu.gateway_url())
        .build();
    let mut bad = Shard::with_config(ShardId::ONE, config);
    let close = next_matching(&mut bad, |e| match e {
        Event::GatewayClose(frame) => Some(frame),
        _ => None,
    })
    .await;
    assert_eq!(close.map(|f| f.code), Some(4004));
    assert_eq!(emu.identify_count(), 0);

    // Resuming a session the emulator never issued: INVALID_SESSION, then a
    // fresh IDENTIFY works.
    let config = ConfigBuilder::new(emu.bot_token().to_owned(), Intents::GUILDS)
        .proxy_url(emu.gateway_url())
        .session(twilight_gateway::Session::new(7, "not-a-session".into()))
        .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    next_matching(&mut shard, |e| {
        matches!(e, Event::GatewayInvalidateSession(false)).then_some(())
    })
    .await;
    next_matching(&mut shard, |e| matches!(e, Event::Ready(_)).then_some(())).await;
    assert_eq!(emu.identify_count(), 1);
}

#[tokio::test]
async fn emulator_rest_roundtrip_with_twilight_http() {
    let emu = start().await;
    let mut shard_errors = spawn_background_shard(&emu).await;
    let http = http(&emu);
    let spec = emu.spec().clone();
    let guild = Id::new(spec.guild_id);

    let me = http.current_user().await.unwrap().model().await.unwrap();
    assert_eq!(me.id.get(), emu.bot_user_id());
    assert!(me.bot);

    let overwrites = [
        PermissionOverwrite {
            id: Id::new(spec.guild_id),
            kind: PermissionOverwriteType::Role,
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
        },
        PermissionOverwrite {
            id: Id::new(ALICE),
            kind: PermissionOverwriteType::Member,
            allow: Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
            deny: Permissions::empty(),
        },
    ];
    let channel = http
        .create_guild_channel(guild, "Ticket Alice")
        .kind(ChannelType::GuildText)
        .parent_id(Id::new(spec.created_cat))
        .permission_overwrites(&overwrites)
        .topic("ticket of alice")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(
        channel.name.as_deref(),
        Some("ticket-alice"),
        "Discord normalizes text channel names"
    );
    assert_eq!(channel.parent_id.map(Id::get), Some(spec.created_cat));
    assert_eq!(
        channel.permission_overwrites.as_ref().map(Vec::len),
        Some(2)
    );
    let state = emu.channel(channel.id.get()).unwrap();
    assert_eq!(
        state.overwrite(ALICE).unwrap().allow,
        (Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES).bits()
    );

    // Post with a button and a file (multipart), read it back.
    let components = [button_row("ticket:close", "Close")];
    let files = [Attachment::from_bytes(
        "transcript.txt".into(),
        b"hi".to_vec(),
        0,
    )];
    let posted = http
        .create_message(channel.id)
        .content("Welcome <@1190000000000000001>")
        .components(&components)
        .attachments(&files)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert!(posted.author.bot);
    assert_eq!(posted.mentions.len(), 1);
    assert_eq!(posted.attachments[0].filename, "transcript.txt");
    let download = reqwest::get(&posted.attachments[0].url).await.unwrap();
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"hi");
    let stored = emu.messages(channel.id.get());
    assert_eq!(
        stored[0].button("ticket:close").unwrap().label.as_deref(),
        Some("Close")
    );
    let logged = emu
        .wait_for_request(|r| r.is("POST", "/messages") && !r.files.is_empty(), WAIT)
        .await
        .unwrap();
    assert_eq!(logged.content(), "Welcome <@1190000000000000001>");
    assert_eq!(
        logged.files[0],
        ("transcript.txt".to_owned(), b"hi".to_vec())
    );

    for i in 0..5 {
        emu.user_message(ALICE, channel.id.get(), &format!("m{i}"))
            .await;
    }
    let newest = http
        .channel_messages(channel.id)
        .limit(3)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    let contents: Vec<&str> = newest.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["m4", "m3", "m2"], "newest first");
    let after = http
        .channel_messages(channel.id)
        .after(posted.id)
        .limit(2)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    let contents: Vec<&str> = after.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["m1", "m0"]);

    let edited = http
        .update_message(channel.id, posted.id)
        .content(Some("Welcome back"))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert!(edited.edited_timestamp.is_some());
    assert_eq!(edited.attachments.len(), 1, "edits keep attachments");
    http.message(channel.id, posted.id)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();

    let member = http
        .guild_member(guild, Id::new(ALICE))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(member.nick.as_deref(), Some("Alice"));
    assert_eq!(member.user.name, "alice");
    let unknown = http.guild_member(guild, Id::new(42)).await.unwrap_err();
    assert!(format!("{unknown:?}").contains("10007"), "{unknown:?}");
    let roles = http.roles(guild).await.unwrap().models().await.unwrap();
    assert!(roles.iter().any(|r| r.id.get() == spec.support_role));

    // Move to "claimed" and sync permissions with the category.
    let moved = http
        .update_channel(channel.id)
        .parent_id(Some(Id::new(spec.claimed_cat)))
        .name("claimed-alice")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(moved.parent_id.map(Id::get), Some(spec.claimed_cat));
    let support = twilight_model::http::permission_overwrite::PermissionOverwrite {
        id: Id::new(spec.support_role),
        kind: twilight_model::http::permission_overwrite::PermissionOverwriteType::Role,
        allow: Some(Permissions::VIEW_CHANNEL),
        deny: None,
    };
    http.update_channel_permission(channel.id, &support)
        .await
        .unwrap();
    assert!(
        emu.channel(channel.id.get())
            .unwrap()
            .overwrite(spec.support_role)
            .is_some()
    );
    http.delete_channel_permission(channel.id)
        .member(Id::new(ALICE))
        .await
        .unwrap();
    assert!(
        emu.channel(channel.id.get())
            .unwrap()
            .overwrite(ALICE)
            .is_none()
    );

    http.create_typing_trigger(channel.id).await.unwrap();
    http.delete_message(channel.id, posted.id).await.unwrap();
    let channels = http
        .guild_channels(guild)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert!(channels.iter().any(|c| c.id == channel.id));
    http.delete_channel(channel.id)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert!(emu.channel(channel.id.get()).is_none());
    let err = http.channel(channel.id).await.unwrap_err();
    assert!(format!("{err:?}").contains("10003"), "{err:?}");

    // Raw requests: auth is enforced, unknown routes are logged.
    let raw = reqwest::Client::new();
    let unauthorized = raw
        .get(format!(
            "{}/api/v10/guilds/{}/roles",
            emu.api_base(),
            spec.guild_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let nowhere = raw
        .get(format!("{}/api/v10/nowhere", emu.api_base()))
        .header("authorization", format!("Bot {}", emu.bot_token()))
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), 404);
    assert!(
        emu.requests()
            .iter()
            .any(|r| r.path == "/api/v10/nowhere" && r.status == 404)
    );

    let events: Vec<String> = emu.gateway_events().into_iter().map(|(t, _)| t).collect();
    for kind in [
        "CHANNEL_CREATE",
        "CHANNEL_UPDATE",
        "CHANNEL_DELETE",
        "MESSAGE_CREATE",
        "MESSAGE_UPDATE",
        "MESSAGE_DELETE",
    ] {
        assert!(
            events.iter().any(|t| t == kind),
            "{kind} not dispatched: {events:?}"
        );
    }
    assert!(
        shard_errors.try_recv().is_err(),
        "twilight-gateway failed to parse an event"
    );
    assert_payloads_deserialize(&emu);
}

#[tokio::test]
async fn emulator_injected_429_is_retried_and_500_surfaces() {
    let emu = start().await;
    let http = http(&emu);
    let channel = Id::new(emu.spec().support_channel);

    emu.fail_next("POST", "/messages", 429, 1);
    let msg = http
        .create_message(channel)
        .content("after a 429")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(msg.content, "after a 429");
    let posts: Vec<u16> = emu
        .requests()
        .iter()
        .filter(|r| r.is("POST", "/messages"))
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [429, 200]);
    assert_eq!(emu.messages(channel.get()).len(), 1);

    emu.fail_next("POST", "/messages", 500, 1);
    let err = http
        .create_message(channel)
        .content("doomed")
        .await
        .unwrap_err();
    match err.kind() {
        twilight_http::error::ErrorType::Response { status, .. } => assert_eq!(status.get(), 500),
        other => panic!("expected a 500 response error, got {other:?}"),
    }
    assert_eq!(
        emu.messages(channel.get()).len(),
        1,
        "the failed post was not stored"
    );
    assert_payloads_deserialize(&emu);
}

#[tokio::test]
async fn emulator_interactions_roundtrip() {
    let emu = start().await;
    let http = http(&emu);
    let app = Id::new(emu.application_id());
    let spec = emu.spec().clone();
    let mut shard = shard(&emu);
    // The shard only makes progress while polled.
    next_matching(&mut shard, |e| matches!(e, Event::Ready(_)).then_some(())).await;
    assert!(emu.is_connected());

    // Register a command, then a member runs it.
    let commands = [twilight_util::builder::command::CommandBuilder::new(
        "ticket",
        "Open a ticket",
        twilight_model::application::command::CommandType::ChatInput,
    )
    .build()];
    let registered = http
        .interaction(app)
        .set_guild_commands(Id::new(spec.guild_id), &commands)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert!(registered[0].id.is_some());
    let ir = emu
        .slash_command(ALICE, spec.support_channel, "ticket")
        .await;
    let interaction = next_interaction(&mut shard).await;
    assert_eq!(interaction.id.get(), ir.id);
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        panic!("expected command data: {interaction:?}");
    };
    assert_eq!(data.name, "ticket");
    assert_eq!(interaction.author_id().map(Id::get), Some(ALICE));
    let ephemeral = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("Only you can see this".into()),
            flags: Some(MessageFlags::EPHEMERAL),
            ..Default::default()
        }),
    };
    http.interaction(app)
        .create_response(interaction.id, &interaction.token, &ephemeral)
        .await
        .unwrap();
    let reply = emu.wait_interaction_response(&ir, WAIT).await.unwrap();
    assert_eq!(reply.status, 204);
    assert_eq!(reply.content(), "Only you can see this");
    assert!(
        emu.messages(spec.support_channel).is_empty(),
        "ephemeral replies are not in history"
    );
    assert_eq!(emu.ephemeral_messages().len(), 1);
    let again = http
        .interaction(app)
        .create_response(interaction.id, &interaction.token, &ephemeral)
        .await
        .unwrap_err();
    assert!(format!("{again:?}").contains("40060"), "{again:?}");
    let followup = http
        .interaction(app)
        .create_followup(&interaction.token)
        .content("A follow-up")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(followup.content, "A follow-up");
    let statuses: Vec<u16> = emu
        .interaction_replies(&ir)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [204, 400, 200],
        "callback, duplicate callback, follow-up"
    );

    // The bot posts a panel; a member clicks its button.
    let components = [button_row("open_ticket", "Open ticket")];
    let panel = http
        .create_message(Id::new(spec.support_channel))
        .content("Need help?")
        .components(&components)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let ir = emu
        .click_button(ALICE, spec.support_channel, panel.id.get(), "open_ticket")
        .await;
    let interaction = next_interaction(&mut shard).await;
    let Some(InteractionData::MessageComponent(data)) = &interaction.data else {
        panic!("expected component data: {interaction:?}");
    };
    assert_eq!(data.custom_id, "open_ticket");
    let message = interaction
        .message
        .as_ref()
        .expect("component interactions carry the message");
    assert_eq!(message.id, panel.id);
    let Component::ActionRow(row) = &message.components[0] else {
        panic!("action row expected")
    };
    let Component::Button(button) = &row.components[0] else {
        panic!("button expected")
    };
    assert_eq!(button.label.as_deref(), Some("Open ticket"));
    assert!(interaction.member.as_ref().unwrap().joined_at.is_some());

    // Deferred reply, then the answer through @original.
    let defer = InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: None,
    };
    http.interaction(app)
        .create_response(interaction.id, &interaction.token, &defer)
        .await
        .unwrap();
    let original = http
        .interaction(app)
        .update_response(&interaction.token)
        .content(Some("Ticket created"))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(original.content, "Ticket created");
    assert!(
        !original
            .flags
            .unwrap_or(MessageFlags::empty())
            .contains(MessageFlags::LOADING)
    );
    let replies: Vec<RecordedRequest> = emu.interaction_replies(&ir);
    assert!(replies[0].path.ends_with("/callback"));
    assert!(replies[1].path.ends_with("/messages/@original"));
    let in_channel = emu.message(original.id.get()).unwrap();
    assert_eq!(in_channel.content, "Ticket created");
    next_matching(&mut shard, |e| match e {
        Event::MessageUpdate(m) if m.id == original.id => Some(()),
        _ => None,
    })
    .await;

    // UPDATE_MESSAGE on a second click, with the callback response requested.
    let ir = emu
        .click_button(ALICE, spec.support_channel, panel.id.get(), "open_ticket")
        .await;
    let interaction = next_interaction(&mut shard).await;
    let update = InteractionResponse {
        kind: InteractionResponseType::UpdateMessage,
        data: Some(InteractionResponseData {
            content: Some("Panel (updated)".into()),
            components: Some(vec![]),
            ..Default::default()
        }),
    };
    let response = http
        .interaction(app)
        .create_response(interaction.id, &interaction.token, &update)
        .with_response()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(
        response.resource.unwrap().message.unwrap().content,
        "Panel (updated)"
    );
    assert!(emu.message(panel.id.get()).unwrap().buttons().is_empty());
    assert_eq!(
        emu.wait_interaction_response(&ir, WAIT)
            .await
            .unwrap()
            .status,
        200
    );
    assert_payloads_deserialize(&emu);
}

async fn next_interaction(shard: &mut Shard) -> Interaction {
    next_matching(shard, |e| match e {
        Event::InteractionCreate(i) => Some(i.0),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn emulator_oauth2_authorization_code_with_pkce() {
    let emu = start().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = "http://127.0.0.1:9/callback";
    let verifier = "a-very-long-code-verifier-for-the-emulator-self-test-0123456789";
    let challenge = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
    };
    let authorize = |state: &'static str| {
        client
            .get(format!("{}/oauth2/authorize", emu.api_base()))
            .query(&[
                ("client_id", emu.application_id().to_string().as_str()),
                ("redirect_uri", redirect),
                ("response_type", "code"),
                ("scope", "identify"),
                ("state", state),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ])
            .send()
    };
    let location =
        |r: &reqwest::Response| url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let param = |u: &url::Url, key: &str| {
        u.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };

    // Nobody logged in: denied.
    let denied = authorize("s0").await.unwrap();
    assert_eq!(denied.status(), 302);
    assert_eq!(
        param(&location(&denied), "error").as_deref(),
        Some("access_denied")
    );

    emu.set_oauth_user(ALICE);
    let ok = authorize("s1").await.unwrap();
    let to = location(&ok);
    assert_eq!(param(&to, "state").as_deref(), Some("s1"));
    let code = param(&to, "code").unwrap();
    let exchange = |code: String, verifier: &'static str, secret: &'static str| {
        client
            .post(format!("{}/api/oauth2/token", emu.api_base()))
            .basic_auth(emu.application_id().to_string(), Some(secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
            ])
            .send()
    };
    let wrong_secret = exchange(code.clone(), verifier, "nope").await.unwrap();
    assert_eq!(wrong_secret.status(), 401);
    let wrong_verifier = exchange(code.clone(), "wrong", "emu-secret").await.unwrap();
    assert_eq!(wrong_verifier.status(), 400);

    let code = param(&location(&authorize("s2").await.unwrap()), "code").unwrap();
    let token = exchange(code.clone(), verifier, "emu-secret")
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    let token: Value = token.json().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    let reused = exchange(code, verifier, "emu-secret").await.unwrap();
    assert_eq!(reused.status(), 400);
    let body: Value = reused.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Invalid \"code\" in request."})
    );

    for path in ["/api/users/@me", "/api/v10/users/@me"] {
        let me: Value = client
            .get(format!("{}{path}", emu.api_base()))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let user: User = serde_json::from_value(me).unwrap();
        assert_eq!(user.id.get(), ALICE);
    }

    emu.fail_next("POST", "/oauth2/token", 503, 1);
    let code = param(&location(&authorize("s3").await.unwrap()), "code").unwrap();
    assert_eq!(
        exchange(code, verifier, "emu-secret")
            .await
            .unwrap()
            .status(),
        503
    );
    assert_payloads_deserialize(&emu);
}

#[tokio::test]
async fn emulator_honours_message_content_intent() {
    let emu = start().await;
    let config = ConfigBuilder::new(
        emu.bot_token().to_owned(),
        Intents::GUILDS | Intents::GUILD_MESSAGES,
    )
    .proxy_url(emu.gateway_url())
    .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    next_matching(&mut shard, |e| matches!(e, Event::Ready(_)).then_some(())).await;
    let channel = emu.spec().support_channel;

    emu.store_message_silently(ALICE, channel, "sent while the bot was down");
    emu.user_message(ALICE, channel, "secret").await;
    let hidden = next_matching(&mut shard, |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(
        hidden.content, "",
        "no MESSAGE_CONTENT intent: content blanked"
    );
    let mention = format!("<@{}> help", emu.bot_user_id());
    emu.user_message(ALICE, channel, &mention).await;
    let visible = next_matching(&mut shard, |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(
        visible.content, mention,
        "mentions of the bot keep their content"
    );
    assert_eq!(emu.messages(channel).len(), 3);
    assert_eq!(
        emu.gateway_events()
            .iter()
            .filter(|(t, _)| t == "MESSAGE_CREATE")
            .count(),
        2
    );
    let found = emu
        .wait_for_message(channel, |m| m.content.contains("down"), WAIT)
        .await;
    assert!(found.is_some());
    assert_payloads_deserialize(&emu);
}

#[tokio::test]
async fn emulator_followup_after_defer_replaces_thinking_message() {
    let emu = start().await;
    let _shard_errors = spawn_background_shard(&emu).await;
    let http = http(&emu);
    let app = Id::new(emu.application_id());
    let channel = emu.spec().support_channel;
    let components = [button_row("close", "Close")];
    let msg = http
        .create_message(Id::new(channel))
        .content("ticket")
        .components(&components)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();

    // Follow-ups before any callback are refused, like Discord's Unknown Webhook.
    let ir = emu
        .click_button(ALICE, channel, msg.id.get(), "close")
        .await;
    let early = http
        .interaction(app)
        .create_followup(&ir.token)
        .content("too early")
        .await;
    assert!(format!("{:?}", early.unwrap_err()).contains("10015"));

    let defer = InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: Some(InteractionResponseData {
            flags: Some(MessageFlags::EPHEMERAL),
            ..Default::default()
        }),
    };
    http.interaction(app)
        .create_response(Id::new(ir.id), &ir.token, &defer)
        .await
        .unwrap();
    let followup = http
        .interaction(app)
        .create_followup(&ir.token)
        .content("Closing...")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let stored = emu.message(followup.id.get()).unwrap();
    assert!(stored.is_ephemeral());
    assert_eq!(stored.content, "Closing...");
    assert_eq!(
        emu.ephemeral_messages().len(),
        1,
        "the follow-up replaced the thinking message"
    );
    assert_eq!(emu.messages(channel).len(), 1);

    // The ephemeral message is clickable too.
    let confirm = [button_row("confirm", "Confirm")];
    http.interaction(app)
        .update_response(&ir.token)
        .components(Some(&confirm))
        .await
        .unwrap();
    let ir2 = emu
        .click_button(ALICE, channel, followup.id.get(), "confirm")
        .await;
    assert_ne!(ir2.token, ir.token);
    assert_payloads_deserialize(&emu);
}
