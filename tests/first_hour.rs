//! What a new admin meets in the first hour at the terminal: `--help` and `--env-file`, what
//! `migrate` applied, `status` that never creates a database and says whether the bot is
//! connected, and `import-legacy`'s one-line errors, summary and progress.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use ticketbot::db::{Db, now_ms, queries};
use ticketbot::heartbeat::{self, Report};

use crate::legacy_import::build_legacy_db;
use crate::support::app::{TestBot, WAIT};
use crate::support::db::postgres_or_skip;

/// `ticketbot <args>` in `dir` with only `env` set (RUST_LOG=warn: the commands' own output,
/// not the log).
fn ticketbot(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketbot"));
    command.args(args).current_dir(dir).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    command.env("RUST_LOG", "warn");
    command.envs(env.iter().copied());
    command.output().expect("binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|entry| entry.expect("entry").path())
        .collect();
    found.sort();
    found
}

/// `dir` is still empty after `command` ran in it.
fn assert_nothing_created(dir: &Path, command: &str) {
    assert_eq!(
        entries(dir),
        Vec::<PathBuf>::new(),
        "{command} created a file"
    );
}

// --- --help and --env-file -------------------------------------------------------------

#[test]
fn help_says_settings_come_from_dot_env_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let output = ticketbot(dir.path(), &["--help"], &[]);
    assert!(output.status.success());
    let help = stdout(&output);
    assert!(
        help.contains("Settings come from the environment and from ./.env"),
        "{help}"
    );
    assert!(help.contains("--env-file <PATH>"), "{help}");
    assert!(help.contains("environment wins"), "{help}");
}

#[test]
fn env_file_replaces_dot_env_and_the_environment_still_wins() {
    // Complete settings (the example file) with one bad value that says where it came from.
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".env.example"))
            .expect(".env.example");
    let with_guild = |value: &str| {
        example.replace(
            "GUILD_ID=\"123456789012345678\"",
            &format!("GUILD_ID=\"{value}\""),
        )
    };
    assert_ne!(with_guild("x"), example, "the example sets GUILD_ID");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), with_guild("from-dot-env")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("prod.env");
    std::fs::write(&file, with_guild("from-env-file")).unwrap();
    let file_arg = file.to_str().unwrap();

    // The option works before and after the command (it is global).
    for args in [
        vec!["--env-file", file_arg, "bot"],
        vec!["bot", "--env-file", file_arg],
    ] {
        let output = ticketbot(dir.path(), &args, &[]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(
            stderr(&output).trim(),
            r#"GUILD_ID: expected a Discord id (digits), got "from-env-file""#
        );
    }
    let output = ticketbot(
        dir.path(),
        &["--env-file", file_arg, "bot"],
        &[("GUILD_ID", "from-environment")],
    );
    assert_eq!(
        stderr(&output).trim(),
        r#"GUILD_ID: expected a Discord id (digits), got "from-environment""#
    );

    // A command that needs only DATABASE_URL takes it from the file as well.
    let db_file = elsewhere.path().join("prod.sqlite");
    std::fs::write(
        &file,
        format!("DATABASE_URL=\"{}\"\n", sqlite_url(&db_file)),
    )
    .unwrap();
    let output = ticketbot(dir.path(), &["migrate", "--env-file", file_arg], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(db_file.exists());
    assert!(stdout(&output).contains(&db_file.display().to_string()));
}

#[test]
fn a_missing_env_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.env");
    let output = ticketbot(
        dir.path(),
        &["--env-file", missing.to_str().unwrap(), "status"],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output).trim(),
        format!("--env-file: {}: no such file", missing.display())
    );
}

// --- migrate -------------------------------------------------------------------------

/// The migration directories of `backend`, oldest first.
fn migration_names(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn assert_migrate_lists_then_none_pending(dir: &Path, url: &str, shown: &str, backend: &str) {
    let names = migration_names(backend);
    let first = ticketbot(dir, &["migrate"], &[("DATABASE_URL", url)]);
    assert!(first.status.success(), "{}", stderr(&first));
    let text = stdout(&first);
    assert!(
        text.starts_with(&format!("{shown}: applied {} migrations:\n", names.len())),
        "{text}"
    );
    for name in &names {
        assert!(
            text.contains(&format!("  {name}\n")),
            "{name} missing: {text}"
        );
    }
    let second = ticketbot(dir, &["migrate"], &[("DATABASE_URL", url)]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        stdout(&second).trim(),
        format!("{shown}: no migrations pending; the database is up to date.")
    );
}

#[test]
fn migrate_lists_the_migrations_it_applied_then_none_pending() {
    let dir = tempfile::tempdir().unwrap();
    // A relative path is shown as the absolute file it is.
    let shown = sqlite_url(&dir.path().join("tickets.sqlite"));
    assert_migrate_lists_then_none_pending(dir.path(), "sqlite://tickets.sqlite", &shown, "sqlite");
}

/// `url` with a password for its user: the test server trusts loopback and ignores it.
fn with_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    match rest.split_once('@') {
        Some((user, host)) if !user.contains(':') => format!("{scheme}://{user}:hunter2@{host}"),
        _ => url.to_owned(),
    }
}

#[test]
fn migrate_on_postgres_names_the_database_without_its_password() {
    let Some(test_db) =
        postgres_or_skip("migrate_on_postgres_names_the_database_without_its_password")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = with_password(&test_db.url);
    let shown = ticketbot::db::redact(&url);
    assert!(!shown.contains("hunter2"));
    assert_migrate_lists_then_none_pending(dir.path(), &url, &shown, "postgresql");
}

// --- status --------------------------------------------------------------------------

#[test]
fn status_in_an_empty_directory_creates_nothing_and_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let output = ticketbot(dir.path(), &["status"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let looked = dir.path().join("tickets.sqlite");
    assert!(
        err.starts_with(&format!(
            "status: no ticketbot database at sqlite://{}",
            looked.display()
        )),
        "{err}"
    );
    assert!(err.contains("DATABASE_URL is not set"), "{err}");
    assert!(err.contains("--env-file"), "{err}");
    assert_nothing_created(dir.path(), "status");

    // A named file that does not exist is not created either.
    let named = dir.path().join("elsewhere.sqlite");
    let output = ticketbot(
        dir.path(),
        &["status"],
        &[("DATABASE_URL", &sqlite_url(&named))],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("from DATABASE_URL"),
        "{}",
        stderr(&output)
    );
    assert_nothing_created(dir.path(), "status");
}

#[test]
fn status_refuses_the_original_bots_database_and_leaves_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.sqlite");
    build_legacy_db(&path);
    let before = std::fs::read(&path).unwrap();
    let output = ticketbot(dir.path(), &["status"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("DATABASE_URL: points at the original Python bot's tickets.sqlite"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        entries(dir.path()),
        vec![path],
        "status left a file beside it"
    );
}

#[test]
fn status_on_postgres_without_our_tables_creates_none() {
    let Some(test_db) = postgres_or_skip("status_on_postgres_without_our_tables_creates_none")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let output = ticketbot(dir.path(), &["status"], &[("DATABASE_URL", &test_db.url)]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).starts_with("status: no ticketbot database at postgres://"));
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = PgConnection::establish(&test_db.url).unwrap();
    let tables: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(tables.n, 0, "status created tables");
}

/// Writes a bot report as a bot `age` ago would have.
async fn write_report(db: &Db, age: Duration, gateway_connected: Option<bool>) {
    let report = Report {
        written_at: now_ms() - age.as_millis() as i64,
        gateway_connected,
        ..Report::of_this_process()
    };
    let json = serde_json::to_string(&report).unwrap();
    db.write(move |conn| queries::set_setting(conn, "bot_report", &json))
        .await
        .unwrap();
    assert_eq!(
        heartbeat::read(db).await.unwrap().map(|r| r.written_at),
        Some(report.written_at),
        "the report is where the bot writes it"
    );
}

#[tokio::test]
async fn status_names_the_database_and_whether_the_bot_is_connected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.sqlite");
    let url = sqlite_url(&path);
    let db = Db::connect(&url).await.unwrap();
    let status = || {
        let output = ticketbot(dir.path(), &["status"], &[("DATABASE_URL", &url)]);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };

    let none = status();
    assert!(none.starts_with(&format!("database: {url}\n")), "{none}");
    assert!(
        none.contains("bot: not connected to Discord (no report"),
        "{none}"
    );

    write_report(&db, Duration::from_secs(1), Some(true)).await;
    let fresh = status();
    assert!(
        fresh.contains("bot: connected to Discord (report "),
        "{fresh}"
    );

    write_report(&db, Duration::from_secs(1), Some(false)).await;
    let down = status();
    assert!(
        down.contains(
            "bot: not connected to Discord: the bot runs but its gateway connection is down"
        ),
        "{down}"
    );

    write_report(&db, Duration::from_secs(600), Some(true)).await;
    let old = status();
    assert!(
        old.contains("bot: not connected to Discord: the last report is 10 min old"),
        "{old}"
    );
}

#[tokio::test]
async fn a_running_bot_shows_as_connected_in_status() {
    let bot = TestBot::start().await;
    // The bot's first report may predate READY; the next one (every 5 s) has the gateway up.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let report = heartbeat::read(&bot.db).await.unwrap();
        if report.as_ref().and_then(|r| r.gateway_connected) == Some(true) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no report with the gateway up: {report:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let output = ticketbot(
        dir.path(),
        &["status"],
        &[("DATABASE_URL", &bot.test_db.url)],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with(&format!("database: {}\n", bot.test_db.url)),
        "{text}"
    );
    assert!(text.contains("bot: connected to Discord"), "{text}");
}

// --- import-legacy -------------------------------------------------------------------

/// `import-legacy <path>` in an empty directory: exit 2, one line, and no target database.
fn assert_refused(path: &Path, says: &str) {
    let dir = tempfile::tempdir().unwrap();
    let output = ticketbot(dir.path(), &["import-legacy", path.to_str().unwrap()], &[]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let expected = format!("import-legacy: {}: {says}", path.display());
    assert!(
        err.starts_with(&expected),
        "expected {expected:?}, got {err:?}"
    );
    assert!(!err.contains("internal error"), "{err}");
    assert_nothing_created(dir.path(), "import-legacy");
}

#[test]
fn import_legacy_refuses_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_refused(
        &dir.path().join("tickets.sqlite"),
        "no such file; give the path of the original bot's tickets.sqlite",
    );
}

#[test]
fn import_legacy_refuses_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    assert_refused(
        dir.path(),
        "is a directory; give the path of the original bot's tickets.sqlite in it",
    );
}

#[test]
fn import_legacy_refuses_a_file_that_is_not_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.sqlite");
    std::fs::write(&path, "BOT_TOKEN=\"not a database at all\"\n".repeat(100)).unwrap();
    assert_refused(&path, "is not an SQLite database");
}

#[tokio::test]
async fn import_legacy_refuses_another_schema() {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("shop.db");
    {
        let mut conn = SqliteConnection::establish(shop.to_str().unwrap()).unwrap();
        for statement in [
            "CREATE TABLE tickets (code TEXT PRIMARY KEY, concert TEXT)",
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
        ] {
            diesel::sql_query(statement).execute(&mut conn).unwrap();
        }
    }
    assert_refused(
        &shop,
        "is not the original bot's database: its table `tickets` has no column `id`",
    );

    let other = dir.path().join("other.db");
    {
        let mut conn = SqliteConnection::establish(other.to_str().unwrap()).unwrap();
        diesel::sql_query("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
            .execute(&mut conn)
            .unwrap();
    }
    assert_refused(
        &other,
        "is not the original bot's database: it has the tables orders but no `tickets`",
    );

    // ticketbot's own database (the wrong file of the two).
    let ours = dir.path().join("ticketbot.sqlite");
    drop(Db::connect(&sqlite_url(&ours)).await.unwrap());
    assert_refused(
        &ours,
        "is a ticketbot database, not the original bot's; there is nothing to import",
    );
}

#[test]
fn import_legacy_summary_explains_lines_kept_only_as_raw_text() {
    let old = tempfile::tempdir().unwrap();
    let legacy = old.path().join("tickets.sqlite");
    build_legacy_db(&legacy);
    let target = tempfile::tempdir().unwrap();
    let output = ticketbot(
        target.path(),
        &["import-legacy", legacy.to_str().unwrap()],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let shown_target = sqlite_url(&target.path().join("tickets.sqlite"));
    assert!(
        text.starts_with(&format!(
            "Imported {} into {shown_target}:\n",
            legacy.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("  4 tickets imported (0 already present); highest ticket number: 12"),
        "{text}"
    );
    // The garbled snapshot of ticket 9 has two lines that are no `[time] name: text`.
    assert!(
        text.contains(
            "  2 lines could not be matched to a message and are kept only in the raw text of \
             their transcripts"
        ),
        "{text}"
    );
    // A small file gets no progress lines.
    assert!(
        !stderr(&output).contains("tickets written"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn import_legacy_shows_progress_on_a_large_file() {
    let old = tempfile::tempdir().unwrap();
    let legacy = old.path().join("tickets.sqlite");
    build_legacy_db(&legacy);
    {
        // 1,200 more closed tickets of 1,200 openers, as the original's table holds them.
        let mut conn = SqliteConnection::establish(legacy.to_str().unwrap()).unwrap();
        diesel::sql_query(
            "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 1299) \
             INSERT INTO tickets (id, user_id, channel_id, created_at, status, user_name) \
             SELECT i, '31000000000000' || i, '51000000000000' || i, '2024-06-01 10:00:00', \
             'closed', 'user' || i FROM n",
        )
        .execute(&mut conn)
        .unwrap();
    }
    let target = tempfile::tempdir().unwrap();
    let output = ticketbot(
        target.path(),
        &["import-legacy", legacy.to_str().unwrap()],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let progress = stderr(&output);
    for line in [
        "import-legacy: 1204 tickets read from",
        "import-legacy: 500 of 1204 tickets written (41%)",
        "import-legacy: 1000 of 1204 tickets written (83%)",
        "import-legacy: 1204 of 1204 tickets written (100%)",
    ] {
        assert!(progress.contains(line), "{line:?} missing: {progress}");
    }
    assert!(
        stdout(&output).contains("1204 tickets imported"),
        "{}",
        stdout(&output)
    );
}
