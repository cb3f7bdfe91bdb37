//! Discord's message limits: what the REST emulator refuses (as Discord does, with 50035),
//! and that an oversized verdict still reaches the staff.

use serde_json::{Value, json};
use ticketbot::texts;

use crate::support::app::{TestBot, USERS, WAIT, guild};
use crate::support::discord::DiscordEmu;
use crate::support::openai::{OpenAiEmu, Reply};

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// What Discord counts against a message's 6,000 characters of embeds.
fn embed_chars(e: &Value) -> usize {
    let fields = e["fields"].as_array().cloned().unwrap_or_default();
    chars(&e["title"])
        + chars(&e["description"])
        + chars(&e["footer"]["text"])
        + chars(&e["author"]["name"])
        + fields
            .iter()
            .map(|f| chars(&f["name"]) + chars(&f["value"]))
            .sum::<usize>()
}

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
