//! Start-up against a file that is not ours: the original bot's `tickets.sqlite` or another
//! program's database is refused by name before anything writes to it (no WAL switch, no
//! migrations table); a new file and our own database start as before.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use diesel::prelude::*;
use ticketbot::db::Db;

use crate::legacy_import::build_legacy_db;

/// The file's bytes and whether SQLite left a `-wal` or `-shm` beside it.
fn file_state(path: &Path) -> (Vec<u8>, bool) {
    let bytes = std::fs::read(path).expect("database file");
    let sidecar = ["-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name).exists()
    });
    (bytes, sidecar)
}

/// `ticketbot <args>` in `dir` with only `env` set.
fn ticketbot(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketbot"));
    command.args(args).current_dir(dir).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    command.envs(env.iter().copied());
    command.output().expect("binary runs")
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

#[test]
fn original_bots_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.sqlite");
    build_legacy_db(&path);
    let before = file_state(&path);
    assert!(!before.1, "the builder leaves no side files");

    // The likely case: the new bot started in the old bot's directory with the default URL.
    for (args, env) in [
        (vec!["migrate"], vec![]),
        (vec!["migrate"], vec![("DATABASE_URL", sqlite_url(&path))]),
        (vec!["import-legacy", "tickets.sqlite"], vec![]),
    ] {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let output = ticketbot(dir.path(), &args, &env);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("DATABASE_URL: points at the original Python bot's tickets.sqlite"),
            "{stderr}"
        );
        assert!(stderr.contains("tickets.sqlite"), "{stderr}");
        assert!(stderr.contains("ticketbot import-legacy"), "{stderr}");
        assert_eq!(
            file_state(&path),
            before,
            "{args:?} changed the original's file"
        );
    }
}

#[tokio::test]
async fn connect_refuses_the_original_bots_database_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.sqlite");
    build_legacy_db(&path);
    let before = file_state(&path);
    let Err(err) = Db::connect(&sqlite_url(&path)).await else {
        panic!("the original's database was accepted");
    };
    match &err {
        ticketbot::Error::Config(config) => assert_eq!(config.key, "DATABASE_URL"),
        other => panic!("expected a DATABASE_URL error, got {other}"),
    }
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(file_state(&path), before);

    // `import-legacy` still reads it, into a new file.
    let ours = Db::connect(&sqlite_url(&dir.path().join("ticketbot.sqlite")))
        .await
        .expect("a new file starts");
    let report = ticketbot::legacy::import(&ours, &path)
        .await
        .expect("import");
    assert_eq!(report.tickets_imported, 4);
    assert_eq!(file_state(&path), before);
}

#[test]
fn another_programs_database_is_refused_naming_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    {
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        for statement in [
            "CREATE TABLE tickets (code TEXT PRIMARY KEY, concert TEXT)",
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
            "INSERT INTO tickets VALUES ('A1', 'Rock am Ring')",
        ] {
            diesel::sql_query(statement).execute(&mut conn).unwrap();
        }
    }
    let before = file_state(&path);
    let output = ticketbot(
        dir.path(),
        &["migrate"],
        &[("DATABASE_URL", &sqlite_url(&path))],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("DATABASE_URL: "), "{stderr}");
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    assert!(stderr.contains("customers, tickets"), "{stderr}");
    assert_eq!(file_state(&path), before);
}

#[test]
fn a_new_file_and_our_own_database_start_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("ticketbot.sqlite"));
    // An empty file (e.g. made by `touch`) counts as new.
    std::fs::write(dir.path().join("empty.sqlite"), b"").unwrap();
    for url in [&url, &url, &sqlite_url(&dir.path().join("empty.sqlite"))] {
        let output = ticketbot(dir.path(), &["migrate"], &[("DATABASE_URL", url)]);
        assert!(
            output.status.success(),
            "{url}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test]
async fn the_original_touched_by_an_earlier_ticketbot_is_still_recognised() {
    // What an earlier version left behind: diesel's migrations table, then a failed migration.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.sqlite");
    build_legacy_db(&path);
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    diesel::sql_query(
        "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, \
         run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    )
    .execute(&mut conn)
    .unwrap();
    drop(conn);
    let before = file_state(&path);
    let Err(err) = Db::connect(&sqlite_url(&path)).await else {
        panic!("the original's database was accepted");
    };
    assert!(err.to_string().contains("original Python bot"), "{err}");
    assert_eq!(file_state(&path), before);
}
