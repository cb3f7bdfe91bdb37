//! Configuration: the original bot's `.env` works unchanged; bad values name their key.

use std::collections::HashMap;
use std::process::Command;

use ticketbot::Config;

/// A `.env` in the original Python bot's format: quoted values, a trailing comment, a
/// short viewer id, trailing blanks (and a cookie secret of the 32 bytes the panel needs).
const ORIGINAL_STYLE_ENV: &str = r#"# Bot-Token (Pflicht)
BOT_TOKEN="DEIN_BOT_TOKEN_HIER"

GUILD_ID="123456789012345678"
SUPPORT_ROLE_ID="111111111111111111"
ADMIN_ROLE_ID="222222222222222222"
VIEWER_ROLE_ID="333333333333333333"
VIEWER2_ROLE_ID="4444444444"

CREATED_TICKETS_CATEGORY_ID="444444444444444444"
CLAIMED_TICKETS_CATEGORY_ID="666666666666666666"
CLOSED_TICKETS_CATEGORY_ID="777777777777777777"

TICKET_LOG_CHANNEL_ID="555555555555555555"

MAX_TICKETS_PER_SUPPORTER="3"
TICKET_CLEANUP_DAYS="7"

OPENAI_API_KEY="sk-proj-...."
OPENAI_MODEL="gpt-4o-mini"  

FLASK_SECRET_KEY="ZufallsString-mindestens-32-Zeichen-lang"
DISCORD_CLIENT_ID="555555555555555555"
DISCORD_CLIENT_SECRET="supergeheim"
DISCORD_REDIRECT_URI="http://example.com/callback"  # oder dein Port
"#;

fn original_env() -> HashMap<String, String> {
    dotenvy::from_read_iter(ORIGINAL_STYLE_ENV.as_bytes())
        .map(|item| item.expect("the original format parses"))
        .collect()
}

fn load(env: &HashMap<String, String>) -> Result<Config, ticketbot::config::ConfigError> {
    Config::from_lookup(|key| env.get(key).cloned())
}

#[test]
fn original_env_file_loads_unchanged() {
    let config = load(&original_env()).expect("original .env is accepted");
    assert_eq!(config.guild_id.get(), 123456789012345678);
    assert_eq!(config.roles.viewers.len(), 2);
    assert_eq!(config.roles.viewers[1].get(), 4444444444);
    assert_eq!(config.ai.model, "gpt-4o-mini");
    assert_eq!(config.max_tickets_per_supporter, 3);
    assert_eq!(config.cleanup_after.as_secs(), 7 * 86_400);
    assert_eq!(config.panel.redirect_uri.path(), "/callback");
    assert_eq!(
        config.panel.secret_key,
        "ZufallsString-mindestens-32-Zeichen-lang"
    );
    // Default panel roles: admin, support, viewer, viewer2.
    assert_eq!(config.panel.allowed_roles.len(), 4);
    assert_eq!(config.database_url, "sqlite://tickets.sqlite");
}

#[test]
fn missing_key_is_named() {
    let mut env = original_env();
    env.remove("GUILD_ID");
    let err = load(&env).unwrap_err();
    assert_eq!(err.key, "GUILD_ID");
    assert!(err.to_string().starts_with("GUILD_ID: "), "{err}");
}

#[test]
fn malformed_id_names_key_and_value() {
    let mut env = original_env();
    env.insert("GUILD_ID".into(), "abc".into());
    let err = load(&env).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"GUILD_ID: expected a Discord id (digits), got "abc""#
    );
}

#[test]
fn malformed_numbers_and_urls_name_their_key() {
    for (key, value) in [
        ("MAX_TICKETS_PER_SUPPORTER", "drei"),
        ("TICKET_CLEANUP_DAYS", "-1"),
        ("DISCORD_API_BASE", "not a url"),
        ("DISCORD_GATEWAY_URL", "http://127.0.0.1:1"),
        ("DATABASE_URL", "mysql://x"),
        ("PANEL_PORT", "70000"),
        ("ALLOWED_ROLES", "1,zwei"),
    ] {
        let mut env = original_env();
        env.insert(key.into(), value.into());
        let err = load(&env).unwrap_err();
        assert_eq!(err.key, key, "{key}={value} gave {err}");
    }
}

#[test]
fn unset_viewer_roles_mean_none() {
    let mut env = original_env();
    env.insert("VIEWER_ROLE_ID".into(), "0".into());
    env.remove("VIEWER2_ROLE_ID");
    let config = load(&env).unwrap();
    assert!(config.roles.viewers.is_empty());
    assert_eq!(config.panel.allowed_roles.len(), 2);
}

fn run_binary(
    dir: &std::path::Path,
    env_file: &str,
    extra: &[(&str, &str)],
) -> std::process::Output {
    std::fs::write(dir.join(".env"), env_file).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketbot"));
    command.arg("bot").current_dir(dir).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    for (key, value) in extra {
        command.env(key, value);
    }
    command.output().expect("binary runs")
}

#[test]
fn binary_exits_2_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let env_file =
        ORIGINAL_STYLE_ENV.replace("GUILD_ID=\"123456789012345678\"", "GUILD_ID=\"abc\"");
    let output = run_binary(dir.path(), &env_file, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        r#"GUILD_ID: expected a Discord id (digits), got "abc""#
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn binary_names_a_missing_key() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = ORIGINAL_STYLE_ENV.replace("BOT_TOKEN=\"DEIN_BOT_TOKEN_HIER\"", "");
    let output = run_binary(dir.path(), &env_file, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.trim().starts_with("BOT_TOKEN: missing"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[test]
fn binary_reports_a_malformed_env_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_binary(dir.path(), "BOT_TOKEN=\"unterminated\nGUILD_ID=1\n", &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with(".env: "), "{stderr}");
}

#[test]
fn redirect_uri_without_a_path_names_the_key() {
    for uri in [
        "http://host:8080",
        "http://host:8080/",
        "https://panel.example//",
    ] {
        let mut env = original_env();
        env.insert("DISCORD_REDIRECT_URI".into(), uri.into());
        let err = load(&env).unwrap_err();
        assert_eq!(err.key, "DISCORD_REDIRECT_URI", "{uri} gave {err}");
        assert!(err.problem.contains("/callback"), "{err}");
    }
    // Before, the panel's fairing refused it after start-up, with exit code 1.
    let dir = tempfile::tempdir().unwrap();
    let env_file =
        ORIGINAL_STYLE_ENV.replace("http://example.com/callback", "http://example.com:8080");
    let output = run_binary(dir.path(), &env_file, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("DISCORD_REDIRECT_URI: "), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn database_password_is_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port();
    let unreachable = format!("postgres://ticketbot:hunter2@127.0.0.1:{closed_port}/tickets");
    for (url, code, cause) in [
        (unreachable.as_str(), 1, "127.0.0.1"),
        (
            "postgress://ticketbot:hunter2@127.0.0.1/tickets",
            2,
            "DATABASE_URL: ",
        ),
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ticketbot"));
        command.arg("migrate").current_dir(dir.path()).env_clear();
        let output = command.env("DATABASE_URL", url).output().unwrap();
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(code), "{shown}");
        assert!(
            !shown.contains("hunter2"),
            "{url} showed the password: {shown}"
        );
        // The real cause, not diesel's "Invalid connection url for multiconnection".
        assert!(shown.contains(cause), "{shown}");
    }
}

#[test]
fn short_secret_key_is_refused_naming_the_key() {
    let mut env = original_env();
    env.insert("FLASK_SECRET_KEY".into(), "a".into());
    let err = load(&env).unwrap_err();
    assert_eq!(err.key, "FLASK_SECRET_KEY");
    assert!(err.problem.contains("openssl rand -hex 32"), "{err}");

    env.remove("FLASK_SECRET_KEY");
    env.insert("PANEL_SECRET_KEY".into(), "x".repeat(31));
    assert_eq!(load(&env).unwrap_err().key, "PANEL_SECRET_KEY");
    env.insert("PANEL_SECRET_KEY".into(), "x".repeat(32));
    assert_eq!(load(&env).unwrap().panel.secret_key.len(), 32);
}

#[test]
fn allowed_roles_without_an_id_is_refused() {
    let mut env = original_env();
    env.insert("ALLOWED_ROLES".into(), ",,,".into());
    let err = load(&env).unwrap_err();
    assert_eq!(err.key, "ALLOWED_ROLES", "{err}");
    // Blank keeps the default (admin, support, viewers); stray commas around ids are fine.
    env.insert("ALLOWED_ROLES".into(), " ".into());
    assert_eq!(load(&env).unwrap().panel.allowed_roles.len(), 4);
    env.insert("ALLOWED_ROLES".into(), "222222222222222222,,".into());
    assert_eq!(load(&env).unwrap().panel.allowed_roles.len(), 1);
}

#[test]
fn invalid_rust_log_falls_back_to_info_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketbot"));
    command.arg("migrate").current_dir(dir.path()).env_clear();
    let output = command.env("RUST_LOG", "verbose").output().unwrap();
    assert!(output.status.success());
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let warnings: Vec<&str> = shown.lines().filter(|l| l.contains("RUST_LOG")).collect();
    assert_eq!(warnings.len(), 1, "{shown}");
    assert!(warnings[0].contains("\"verbose\""), "{shown}");
    // The log is not silenced: the info line of the command itself is there.
    assert!(shown.contains("migrations up to date"), "{shown}");
}

#[test]
fn duplicate_key_in_env_file_takes_the_last_value() {
    // python-dotenv (the original's loader): the last line wins within the file ...
    let dir = tempfile::tempdir().unwrap();
    let env_file = format!(
        "{}\nGUILD_ID=\"zwei\"\n",
        ORIGINAL_STYLE_ENV.replace("GUILD_ID=\"123456789012345678\"", "GUILD_ID=\"eins\"")
    );
    let output = run_binary(dir.path(), &env_file, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        r#"GUILD_ID: expected a Discord id (digits), got "zwei""#
    );
    // ... and the real environment wins over the file.
    let output = run_binary(dir.path(), &env_file, &[("GUILD_ID", "drei")]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        r#"GUILD_ID: expected a Discord id (digits), got "drei""#
    );
}
