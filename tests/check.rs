//! `ticketbot check` against the emulators: a good setup passes, and each thing a new admin
//! gets wrong is one failed line naming the fix, with a non-zero exit.

use std::collections::HashMap;

use crate::support::app::{bot_env, guild};
use crate::support::db::TestDb;
use crate::support::discord::DiscordEmu;
use crate::support::openai::{BanEmu, OpenAiEmu};

struct Setup {
    emu: DiscordEmu,
    env: HashMap<String, String>,
    _ai: OpenAiEmu,
    _bans: BanEmu,
    _db: TestDb,
}

/// A guild, an OpenAI and a ban database as a careful admin set them up.
async fn setup() -> Setup {
    let emu = guild().await;
    let ai = OpenAiEmu::start().await;
    let bans = BanEmu::start(&[]).await;
    let db = TestDb::sqlite();
    let mut env = bot_env(&emu, &db, &[]);
    for (key, value) in ai.env() {
        env.insert(key.into(), value);
    }
    env.insert("BAN_LOOKUP_URL".into(), bans.url());
    emu.register_redirect_uri(&env["DISCORD_REDIRECT_URI"]);
    Setup {
        emu,
        env,
        _ai: ai,
        _bans: bans,
        _db: db,
    }
}

/// Runs `ticketbot check`; its exit code and what it printed.
async fn check(env: &HashMap<String, String>) -> (Option<i32>, String) {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ticketbot"));
    command
        .arg("check")
        .env_clear()
        .envs(env)
        .current_dir(std::env::temp_dir());
    let output = command.output().await.expect("binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

/// The failed lines with their fixes.
fn failures(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.starts_with("[FAIL]"))
        .map(|(i, line)| format!("{line} {}", lines.get(i + 1).unwrap_or(&"")))
        .collect()
}

#[tokio::test]
async fn a_good_setup_passes_every_check() {
    let s = setup().await;
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(failures(&text).is_empty(), "{text}");
    for line in [
        "BOT_TOKEN: Discord accepts it",
        "Message Content Intent is on",
        "Server Members Intent is on",
        "the bot is a member",
        "SUPPORT_ROLE_ID",
        "CLOSED_TICKETS_CATEGORY_ID",
        "bot permissions in the server: all it needs",
        "OPENAI_MODEL gpt-3.5-turbo: accepted",
        "BAN_LOOKUP_URL answers",
        "Everything checked is in order.",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
}

#[tokio::test]
async fn a_refused_token_is_one_line_with_the_fix() {
    let mut s = setup().await;
    s.env.insert("BOT_TOKEN".into(), "MTE4.wrong.token".into());
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(1), "{text}");
    let failed = failures(&text);
    assert_eq!(
        failed.len(),
        1,
        "only the token, not what follows from it: {text}"
    );
    assert!(
        failed[0].contains("Discord refuses the token (401)"),
        "{text}"
    );
    assert!(failed[0].contains("Reset Token"), "{text}");
}

#[tokio::test]
async fn a_missing_privileged_intent_names_the_portal_switch() {
    let s = setup().await;
    // Server Members on, Message Content off.
    s.emu.set_application_flags(1 << 15);
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(1), "{text}");
    let failed = failures(&text);
    assert_eq!(failed.len(), 1, "{text}");
    assert!(
        failed[0].contains("Message Content Intent is off"),
        "{text}"
    );
    assert!(failed[0].contains("Privileged Gateway Intents"), "{text}");
}

#[tokio::test]
async fn a_server_the_bot_is_not_in_says_to_invite_it() {
    let mut s = setup().await;
    s.env
        .insert("GUILD_ID".into(), "1180000000000009999".into());
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(1), "{text}");
    let failed = failures(&text);
    assert_eq!(
        failed.len(),
        1,
        "no category errors that blame the wrong key: {text}"
    );
    assert!(
        failed[0].contains("GUILD_ID 1180000000000009999: the bot is not a member"),
        "{text}"
    );
    assert!(failed[0].contains("oauth2/authorize?client_id="), "{text}");
}

#[tokio::test]
async fn a_missing_category_names_its_key() {
    let mut s = setup().await;
    s.env.insert(
        "CREATED_TICKETS_CATEGORY_ID".into(),
        "1180000000000000399".into(),
    );
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(1), "{text}");
    let failed = failures(&text);
    assert_eq!(failed.len(), 1, "{text}");
    assert!(
        failed[0].contains("CREATED_TICKETS_CATEGORY_ID 1180000000000000399: no such channel"),
        "{text}"
    );
    assert!(failed[0].contains("Copy Channel ID"), "{text}");
}

#[tokio::test]
async fn a_missing_permission_is_named_with_where_to_allow_it() {
    let s = setup().await;
    // View, send, embed, attach, history and manage channels; no Manage Roles.
    let without_manage_roles = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 4);
    s.emu.set_bot_role_permissions(without_manage_roles);
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(1), "{text}");
    let failed = failures(&text);
    assert!(
        failed
            .iter()
            .any(|f| f.contains("bot permissions in the server: missing Manage Roles")),
        "{text}"
    );
    assert!(failed.iter().all(|f| f.contains("Manage Roles")), "{text}");
}

#[tokio::test]
async fn a_wrong_openai_model_and_an_unreachable_ban_database_are_named() {
    let mut s = setup().await;
    s.env
        .insert("OPENAI_MODEL".into(), "gpt-9-imaginary".into());
    s.env.insert(
        "BAN_LOOKUP_URL".into(),
        "http://127.0.0.1:9/bans/{id}".into(),
    );
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(1), "{text}");
    let failed = failures(&text);
    assert_eq!(failed.len(), 2, "{text}");
    assert!(
        failed
            .iter()
            .any(|f| f.contains("OPENAI_MODEL gpt-9-imaginary")),
        "{text}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains("BAN_LOOKUP_URL cannot be reached")),
        "{text}"
    );
}

#[tokio::test]
async fn the_attachment_store_is_probed_and_one_that_takes_no_files_is_fatal() {
    let mut s = setup().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("archive");
    s.env.insert(
        "ATTACHMENT_STORE".into(),
        format!("file://{}", store.display()),
    );
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "ATTACHMENT_STORE {}: writable and readable",
            store.display()
        )),
        "{text}"
    );
    let left: Vec<_> = std::fs::read_dir(&store).expect("store made").collect();
    assert!(left.is_empty(), "the probe file is removed: {left:?}");

    // A directory that cannot be made (a file stands where it would be).
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"x").expect("file");
    s.env.insert(
        "ATTACHMENT_STORE".into(),
        format!("file://{}", blocker.join("archive").display()),
    );
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(1), "{text}");
    let failed = failures(&text);
    assert_eq!(failed.len(), 1, "{text}");
    assert!(failed[0].contains("ATTACHMENT_STORE"), "{text}");
    assert!(failed[0].contains("create the directory"), "{text}");

    // An S3 endpoint where nothing listens names the bucket and the AWS_* keys.
    s.env
        .insert("ATTACHMENT_STORE".into(), "s3://evidence/tickets".into());
    for (key, value) in [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
    ] {
        s.env.insert(key.into(), value.into());
    }
    let (code, text) = check(&s.env).await;
    assert_eq!(code, Some(1), "{text}");
    let failed = failures(&text);
    assert_eq!(failed.len(), 1, "{text}");
    assert!(
        failed[0].contains("ATTACHMENT_STORE s3://evidence/tickets"),
        "{text}"
    );
    assert!(failed[0].contains("AWS_ACCESS_KEY_ID"), "{text}");
}
