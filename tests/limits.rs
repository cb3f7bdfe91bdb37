//! Discord's message limits: what the REST emulator refuses (as Discord does, with 50035),
//! that an oversized verdict still reaches the staff, and that the log poster loses no entry
//! to one that is too long or rejected.

use std::sync::Arc;

use serde_json::{Value, json};
use ticketbot::discord::log_channel::LogChannel;
use ticketbot::texts;
use twilight_model::channel::message::Embed;
use twilight_model::id::Id;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use crate::support::app::{TestBot, USERS, WAIT, guild};
use crate::support::discord::{DiscordEmu, MessageState, chars, embed_chars};
use crate::support::openai::{OpenAiEmu, Reply};

/// Posts `body` to `channel` as the bot, past twilight's own checks.
async fn raw_post(emu: &DiscordEmu, channel: u64, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v10/channels/{channel}/messages",
            emu.api_base()
        ))
        .header("authorization", format!("Bot {}", emu.bot_token()))
        .json(&body)
        .send()
        .await
        .expect("emulator answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_rest_emulator_refuses_what_discord_refuses_with_50035() {
    let emu = guild().await;
    let channel = emu.spec().log_channel;
    let cases = [
        (
            json!({"content": "ä".repeat(2_001)}),
            "/content/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": [{"description": "ü".repeat(4_097)}]}),
            "/embeds/0/description/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": [{"title": "t".repeat(257)}]}),
            "/embeds/0/title/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": [{"fields": [{"name": "n", "value": "v".repeat(1_025)}]}]}),
            "/embeds/0/fields/0/value/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": [{"fields": [{"name": "n".repeat(257), "value": "v"}]}]}),
            "/embeds/0/fields/0/name/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": [{"fields": [{"name": "n", "value": ""}]}]}),
            "/embeds/0/fields/0/value/_errors/0/code",
            "BASE_TYPE_REQUIRED",
        ),
        (
            json!({"embeds": [{"fields": vec![json!({"name": "n", "value": "v"}); 26]}]}),
            "/embeds/0/fields/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": [{"description": "x", "footer": {"text": "f".repeat(2_049)}}]}),
            "/embeds/0/footer/text/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": [{"description": "x", "author": {"name": "a".repeat(257)}}]}),
            "/embeds/0/author/name/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": vec![json!({"description": "x"}); 11]}),
            "/embeds/_errors/0/code",
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            json!({"embeds": [{"description": "d".repeat(4_000)}, {"description": "d".repeat(2_001)}]}),
            "/embeds/_errors/0/code",
            "MAX_EMBED_SIZE_EXCEEDED",
        ),
    ];
    for (body, pointer, code) in cases {
        let (status, answer) = raw_post(&emu, channel, body).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["code"], 50035, "{answer}");
        assert_eq!(answer["message"], "Invalid Form Body", "{answer}");
        assert_eq!(
            answer["errors"].pointer(pointer),
            Some(&json!(code)),
            "{answer}"
        );
    }
    // Characters, not bytes: at the limit in two-byte characters is accepted.
    let at_limit = json!({
        "content": "ä".repeat(2_000),
        "embeds": [{"description": "ü".repeat(4_096)}, {"description": "ö".repeat(1_904)}],
    });
    let (status, answer) = raw_post(&emu, channel, at_limit).await;
    assert_eq!(status, 200, "{answer}");
    assert!(emu.messages(channel).iter().all(|m| !m.embeds.is_empty()));
}

#[tokio::test]
async fn an_oversized_verdict_reaches_the_staff_cut_to_discords_limits() {
    let ai = OpenAiEmu::start().await;
    let env: Vec<(&str, String)> = ai.env();
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bot = TestBot::start_with(&pairs).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let ban_id = "7".repeat(1_000);
    let reason = "Grund".repeat(200);
    let summary = "Überlänge ".repeat(400);
    ai.push(Reply::verdict(&ban_id, &reason, true, &summary));
    bot.emu
        .user_message(USERS[0], channel, "Bitte hebt meinen Bann auf.")
        .await;

    let id = ticket.id;
    let stored = bot
        .wait_ticket(move |t| t.id == id && t.ai_state == "handed_over")
        .await;
    assert_eq!(
        stored.verdict_summary.as_deref().map(|s| s.chars().count()),
        Some(4_000),
        "the verdict is stored whole"
    );

    let spec = bot.spec();
    let ping = bot
        .emu
        .wait_for_message(channel, |m| !m.mention_roles.is_empty(), WAIT)
        .await
        .expect("the verdict with the role ping reaches the ticket channel");
    let mut roles = ping.mention_roles.clone();
    roles.sort();
    assert_eq!(roles, vec![spec.support_role, spec.admin_role]);
    let embed = &ping.embeds[0];
    assert_eq!(embed["title"], texts::VERDICT_TITLE);
    let description = embed["description"].as_str().unwrap();
    assert!(description.starts_with("Überlänge Überlänge"));
    assert!(description.ends_with('…'), "the summary is cut");
    assert!(embed_chars(embed) <= 6_000);
    let ban_field = embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == texts::VERDICT_BAN_ID)
        .expect("ban id field");
    assert!(chars(&ban_field["value"]) <= 1_024);

    let logged = bot
        .emu
        .wait_for_message(
            spec.log_channel,
            |m| m.embeds.iter().any(|e| e["title"] == texts::LOG_VERDICT),
            WAIT,
        )
        .await
        .expect("the verdict reaches the log channel");
    let entry = logged
        .embeds
        .iter()
        .find(|e| e["title"] == texts::LOG_VERDICT)
        .unwrap();
    assert!(chars(&entry["description"]) <= 4_096);
    assert!(entry["description"].as_str().unwrap().ends_with('…'));
}

/// A log poster of its own against `emu`'s log channel. Tests run on a current-thread
/// runtime, so what a test posts before its first await piles up in the queue.
fn log_poster(emu: &DiscordEmu) -> LogChannel {
    let http = twilight_http::Client::builder()
        .token(emu.bot_token().to_owned())
        .proxy(emu.http_proxy(), true)
        .build();
    LogChannel::spawn(Arc::new(http), Id::new(emu.spec().log_channel))
}

fn entry(title: &str) -> Embed {
    EmbedBuilder::new()
        .title(title)
        .field(EmbedFieldBuilder::new("Ticket", "#1").inline())
        .build()
}

/// Log entries in the order they reached the log channel, once there are `count`.
async fn wait_entries(emu: &DiscordEmu, count: usize) -> Vec<Value> {
    let channel = emu.spec().log_channel;
    emu.wait_for(WAIT, |e| {
        let entries: Vec<Value> = e
            .messages(channel)
            .iter()
            .flat_map(|m: &MessageState| m.embeds.clone())
            .collect();
        (entries.len() >= count).then_some(entries)
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "fewer than {count} log entries arrived: {:#?}",
            emu.messages(channel)
        )
    })
}

fn titles(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["title"].as_str().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn piled_up_log_entries_with_an_oversized_one_all_arrive() {
    let emu = guild().await;
    let log = log_poster(&emu);
    let oversized = EmbedBuilder::new()
        .title("Zu lang")
        .description("ß".repeat(5_000))
        .field(EmbedFieldBuilder::new("Von", "x".repeat(3_000)))
        .build();
    log.post(entry("Ticket erstellt"));
    log.post(oversized);
    log.post(entry("Ticket erstellt"));
    log.post(entry("Ticket beansprucht"));

    let entries = wait_entries(&emu, 4).await;
    assert_eq!(
        titles(&entries),
        [
            "Ticket erstellt",
            "Zu lang",
            "Ticket erstellt",
            "Ticket beansprucht"
        ]
    );
    let cut = &entries[1];
    assert_eq!(chars(&cut["description"]), 4_096);
    assert!(cut["description"].as_str().unwrap().ends_with('…'));
    assert_eq!(chars(&cut["fields"][0]["value"]), 1_024);
    let messages = emu.messages(emu.spec().log_channel);
    assert_eq!(messages.len(), 1, "the four entries fit into one message");
}

#[tokio::test]
async fn a_log_batch_discord_rejects_is_posted_entry_by_entry() {
    let emu = guild().await;
    let log = log_poster(&emu);
    let path = format!("/channels/{}/messages", emu.spec().log_channel);
    // The batch is rejected, then the first entry alone: it becomes a notice, the rest arrive.
    emu.fail_next("POST", &path, 400, 2);
    log.post(entry("Ticket erstellt"));
    log.post(entry("Ticket beansprucht"));
    log.post(entry("Ticket geschlossen"));

    let entries = wait_entries(&emu, 3).await;
    assert_eq!(
        titles(&entries),
        [
            texts::LOG_UNPOSTABLE,
            "Ticket beansprucht",
            "Ticket geschlossen"
        ]
    );
    assert!(
        entries[0]["description"]
            .as_str()
            .unwrap()
            .contains("Ticket erstellt")
    );
    assert_eq!(emu.messages(emu.spec().log_channel).len(), 3);
}

#[tokio::test]
async fn log_entries_outlast_a_discord_outage_in_order() {
    let emu = guild().await;
    let log = log_poster(&emu);
    let path = format!("/channels/{}/messages", emu.spec().log_channel);
    // More 5xx answers in a row than one REST call retries.
    emu.fail_next("POST", &path, 503, 7);
    log.post(entry("eins"));
    log.post(entry("zwei"));
    let entries = wait_entries(&emu, 2).await;
    assert_eq!(titles(&entries), ["eins", "zwei"]);
    log.post(entry("drei"));
    let entries = wait_entries(&emu, 3).await;
    assert_eq!(titles(&entries), ["eins", "zwei", "drei"]);
}

#[tokio::test]
async fn a_member_with_a_3000_character_name_opens_a_ticket_that_is_logged() {
    let bot = TestBot::start().await;
    let user = USERS[5];
    bot.emu
        .add_member(user, "langername", Some(&"Ä".repeat(3_000)), &[]);
    let (ticket, channel) = bot.first_ticket(user).await;
    let welcome = bot
        .emu
        .message(ticket.welcome_message_id.unwrap() as u64)
        .expect("the welcome message is in the channel");
    assert_eq!(welcome.channel_id, channel);
    let logged = bot
        .emu
        .wait_for_message(
            bot.spec().log_channel,
            |m| m.embeds.iter().any(|e| e["title"] == texts::LOG_OPENED),
            WAIT,
        )
        .await
        .expect("the opening reaches the log channel");
    let by = logged.embeds[0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Von")
        .expect("who opened it")
        .clone();
    assert_eq!(chars(&by["value"]), 1_024);
    assert!(
        by["value"]
            .as_str()
            .unwrap()
            .starts_with(&format!("<@{user}> (ÄÄ"))
    );
}
