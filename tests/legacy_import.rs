//! `ticketbot import-legacy`: the original bot's tickets.sqlite, built here with the original's
//! schema, imported twice (the second run changes nothing); ticket numbers are kept and new
//! tickets continue after the highest.

use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use ticketbot::db::models::{Message, Ticket, Transcript};
use ticketbot::db::queries::{self, Reservation};
use ticketbot::db::schema::{audit_log, bot_settings, messages, tickets, transcripts};
use ticketbot::db::{Db, now_ms};
use ticketbot::legacy::{self, LEGACY_REASON};

use crate::support::db::{TestDb, postgres_or_skip};

const OPENER_A: &str = "300000000000000001";
const OPENER_B: &str = "300000000000000002";
const OPENER_C: &str = "300000000000000003";
const SUPPORTER: &str = "400000000000000009";

/// The first snapshot of ticket 3 (the `/ticket_transcript` command), then the one taken at
/// closing, which repeats it and goes on.
const T3_FIRST: &str = "[2024-05-01 18:00:05] Alfred: Hallo, mein Ban ist ungerecht\n\
[2024-05-01 18:01:00] Support-Bernd: Welche Ban-ID?\n\
[2024-05-01 18:01:00] Support-Bernd: Welche Ban-ID?";
const T3_CLOSING: &str = "[2024-05-01 18:00:05] Alfred: Hallo, mein Ban ist ungerecht\n\
[2024-05-01 18:01:00] Support-Bernd: Welche Ban-ID?\n\
[2024-05-01 18:01:00] Support-Bernd: Welche Ban-ID?\n\
[2024-05-01 18:02:30] Alfred: B-1234\n\
und hier noch <script>alert(1)</script> auf einer zweiten Zeile\n\
[2024-05-01 18:05:00] Ticket Bot: \n\
[2024-05-01 18:06:00] Support-Bernd: Ban aufgehoben, viel Spaß!";
/// Not the usual format at all: kept only as raw text.
const T9_GARBLED: &str = "Transkript (manuell kopiert)\nAlfred schrieb: hallo";

/// Creates the original bot's database (its `CREATE TABLE`s and later `ALTER TABLE`).
pub fn build_legacy_db(path: &Path) {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).expect("legacy db");
    for statement in [
        "CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, \
         channel_id TEXT NOT NULL, created_at TEXT DEFAULT CURRENT_TIMESTAMP, \
         status TEXT DEFAULT 'open', claimed_by TEXT, user_name TEXT)",
        "CREATE TABLE IF NOT EXISTS transcripts (transcript_id INTEGER PRIMARY KEY AUTOINCREMENT, \
         ticket_id INTEGER NOT NULL, transcript_content TEXT NOT NULL, \
         created_at TEXT DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE IF NOT EXISTS bot_settings (key TEXT PRIMARY KEY, value TEXT)",
        "ALTER TABLE tickets ADD COLUMN admin_message_id TEXT",
    ] {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .expect(statement);
    }
    let tickets = [
        (
            3,
            OPENER_A,
            "500000000000000003",
            "2024-05-01 18:00:00",
            "closed",
            Some(SUPPORTER),
            "Alfred",
            Some("600000000000000003"),
        ),
        (
            7,
            OPENER_B,
            "500000000000000007",
            "2024-05-02 09:30:00",
            "open",
            None,
            "Berta",
            Some("600000000000000007"),
        ),
        (
            9,
            OPENER_A,
            "500000000000000009",
            "2024-05-03 10:00:00",
            "deleted",
            Some(SUPPORTER),
            "Alfred",
            None,
        ),
        (
            12,
            OPENER_C,
            "500000000000000012",
            "2024-05-04 11:15:00",
            "claimed",
            Some(SUPPORTER),
            "Carla",
            Some("600000000000000012"),
        ),
    ];
    for (id, user, channel, created, status, claimer, name, admin_message) in tickets {
        diesel::sql_query(
            "INSERT INTO tickets (id, user_id, channel_id, created_at, status, claimed_by, user_name, \
             admin_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(user)
        .bind::<Text, _>(channel)
        .bind::<Text, _>(created)
        .bind::<Text, _>(status)
        .bind::<diesel::sql_types::Nullable<Text>, _>(claimer)
        .bind::<Text, _>(name)
        .bind::<diesel::sql_types::Nullable<Text>, _>(admin_message)
        .execute(&mut conn)
        .expect("legacy ticket");
    }
    for (ticket, content, created) in [
        (3, T3_FIRST, "2024-05-01 18:01:30"),
        (3, T3_CLOSING, "2024-05-01 18:07:00"),
        (9, T9_GARBLED, "2024-05-03 10:30:00"),
    ] {
        diesel::sql_query(
            "INSERT INTO transcripts (ticket_id, transcript_content, created_at) VALUES (?, ?, ?)",
        )
        .bind::<BigInt, _>(ticket)
        .bind::<Text, _>(content)
        .bind::<Text, _>(created)
        .execute(&mut conn)
        .expect("legacy transcript");
    }
    for (key, value) in [
        ("TICKET_BUTTON_CHANNEL_ID", "700000000000000001"),
        ("TICKET_BUTTON_MESSAGE_ID", "700000000000000002"),
        ("SOMETHING_ELSE", "x"),
    ] {
        diesel::sql_query("INSERT INTO bot_settings (key, value) VALUES (?, ?)")
            .bind::<Text, _>(key)
            .bind::<Text, _>(value)
            .execute(&mut conn)
            .expect("legacy setting");
    }
}

fn legacy_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tickets.sqlite");
    build_legacy_db(&path);
    (dir, path)
}

/// Every row the import may touch, as text, to compare two states of the database.
async fn snapshot(db: &Db) -> Vec<String> {
    db.run(|c| {
        let mut rows: Vec<String> = Vec::new();
        rows.extend(
            tickets::table
                .order(tickets::id)
                .select(Ticket::as_select())
                .load(c)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        rows.extend(
            messages::table
                .order(messages::id)
                .select(Message::as_select())
                .load(c)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        rows.extend(
            transcripts::table
                .order(transcripts::id)
                .select(Transcript::as_select())
                .load(c)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        let audit: Vec<(i64, Option<i64>, String, String)> = audit_log::table
            .order(audit_log::id)
            .select((
                audit_log::id,
                audit_log::ticket_id,
                audit_log::action,
                audit_log::detail,
            ))
            .load(c)?;
        rows.extend(audit.iter().map(|r| format!("{r:?}")));
        let settings: Vec<(String, String)> = bot_settings::table
            .order(bot_settings::key)
            .select((bot_settings::key, bot_settings::value))
            .load(c)?;
        rows.extend(settings.iter().map(|r| format!("{r:?}")));
        Ok(rows)
    })
    .await
    .expect("snapshot")
}

fn utc(raw: &str) -> i64 {
    legacy::parse_time(raw).expect("time")
}

async fn import_twice_keeps_numbers(db: &Db, legacy: &Path) {
    let first = legacy::import(db, legacy).await.expect("first import");
    assert_eq!(first.tickets_imported, 4);
    assert_eq!(first.tickets_already_present, 0);
    assert_eq!(first.transcripts_imported, 3);
    assert_eq!(
        first.messages_imported, 6,
        "ticket 3's two snapshots merge into six messages"
    );
    assert_eq!(first.settings_copied, 2);
    assert_eq!(first.unparsed_lines, 2, "ticket 9's garbled transcript");
    assert_eq!(first.highest_ticket, Some(12));
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);

    let all = db
        .run(|c| {
            Ok(tickets::table
                .order(tickets::id)
                .select(Ticket::as_select())
                .load(c)?)
        })
        .await
        .unwrap();
    let numbers: Vec<i64> = all.iter().map(|t| t.id).collect();
    assert_eq!(numbers, vec![3, 7, 9, 12], "ticket numbers are kept");
    let t3 = &all[0];
    assert_eq!(t3.opener_id, OPENER_A.parse::<i64>().unwrap());
    assert_eq!(t3.opener_name, "Alfred");
    assert_eq!(t3.status, "closed");
    assert_eq!(t3.channel_id, Some(500_000_000_000_000_003));
    assert_eq!(t3.claimed_by, Some(SUPPORTER.parse().unwrap()));
    assert_eq!(
        t3.welcome_message_id,
        Some(600_000_000_000_000_003),
        "admin_message_id"
    );
    assert_eq!(t3.created_at, utc("2024-05-01 18:00:00"));
    assert_eq!(
        t3.closed_at,
        Some(utc("2024-05-01 18:07:00")),
        "closed with its last transcript"
    );
    let statuses: Vec<&str> = all.iter().map(|t| t.status.as_str()).collect();
    assert_eq!(
        statuses,
        vec!["closed", "open", "deleted", "claimed"],
        "open and claimed resume"
    );
    assert!(all[2].deleted_at.is_some());

    // Ticket 3's conversation: both snapshots merged, in order, with negative ids.
    let conversation = db.run(|c| queries::messages_of(c, 3)).await.unwrap();
    let lines: Vec<(String, String, i64)> = conversation
        .iter()
        .map(|m| (m.author_name.clone(), m.content.clone(), m.author_id))
        .collect();
    let alfred = OPENER_A.parse::<i64>().unwrap();
    assert_eq!(
        lines,
        vec![
            (
                "Alfred".into(),
                "Hallo, mein Ban ist ungerecht".into(),
                alfred
            ),
            ("Support-Bernd".into(), "Welche Ban-ID?".into(), 0),
            ("Support-Bernd".into(), "Welche Ban-ID?".into(), 0),
            (
                "Alfred".into(),
                "B-1234\nund hier noch <script>alert(1)</script> auf einer zweiten Zeile".into(),
                alfred
            ),
            ("Ticket Bot".into(), "".into(), 0),
            (
                "Support-Bernd".into(),
                "Ban aufgehoben, viel Spaß!".into(),
                0
            ),
        ]
    );
    assert!(
        conversation.iter().all(|m| m.id < 0),
        "never a Discord snowflake"
    );
    assert_eq!(conversation[0].created_at, utc("2024-05-01 18:00:05"));

    let kept = db.run(|c| queries::transcripts_of(c, 3)).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|t| t.reason == LEGACY_REASON));
    assert_eq!(kept[0].body_text, T3_CLOSING, "raw text kept verbatim");
    assert_eq!(kept[0].message_count, 6);
    let garbled = db.run(|c| queries::transcripts_of(c, 9)).await.unwrap();
    assert_eq!(garbled[0].body_text, T9_GARBLED);
    assert!(
        db.run(|c| queries::messages_of(c, 9))
            .await
            .unwrap()
            .is_empty()
    );

    let button_channel = db
        .run(|c| queries::setting(c, "TICKET_BUTTON_CHANNEL_ID"))
        .await
        .unwrap();
    assert_eq!(button_channel.as_deref(), Some("700000000000000001"));
    assert_eq!(
        db.run(|c| queries::setting(c, "SOMETHING_ELSE"))
            .await
            .unwrap(),
        None,
        "only the button settings are copied"
    );
    let audit = db.run(|c| queries::audit_of(c, 7)).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "legacy_import");

    // Again: nothing changes.
    let before = snapshot(db).await;
    let second = legacy::import(db, legacy).await.expect("second import");
    assert_eq!(second.tickets_imported, 0);
    assert_eq!(second.tickets_already_present, 4);
    assert_eq!(second.transcripts_imported, 0);
    assert_eq!(second.messages_imported, 0);
    assert_eq!(second.settings_copied, 0);
    assert_eq!(
        snapshot(db).await,
        before,
        "a second import changes nothing"
    );

    // The open legacy ticket still blocks a second one for its opener; new tickets continue
    // after the highest number.
    let berta = OPENER_B.parse::<i64>().unwrap();
    let existing = db
        .write(move |c| queries::reserve_ticket(c, berta, "Berta", now_ms()))
        .await
        .unwrap();
    assert!(matches!(existing, Reservation::Existing(t) if t.id == 7));
    let created = db
        .write(|c| queries::reserve_ticket(c, 300_000_000_000_000_099, "Neu", now_ms()))
        .await
        .unwrap();
    let Reservation::Created(new_ticket) = created else {
        panic!("a new ticket")
    };
    assert_eq!(
        new_ticket.id, 13,
        "numbers continue after the highest imported"
    );
}

#[tokio::test]
async fn legacy_import_twice_changes_nothing_and_numbers_continue() {
    let (_dir, legacy) = legacy_file();
    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.unwrap();
    import_twice_keeps_numbers(&db, &legacy).await;
}

#[tokio::test]
async fn legacy_import_into_postgres_moves_the_sequence() {
    let Some(test_db) = postgres_or_skip("legacy_import_into_postgres_moves_the_sequence") else {
        return;
    };
    let (_dir, legacy) = legacy_file();
    let db = Db::connect(&test_db.url).await.unwrap();
    import_twice_keeps_numbers(&db, &legacy).await;
}

#[tokio::test]
async fn legacy_import_refuses_a_database_with_other_tickets_at_those_numbers() {
    let (_dir, legacy) = legacy_file();
    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.unwrap();
    db.write(|c| {
        diesel::insert_into(tickets::table)
            .values((
                tickets::id.eq(7_i64),
                tickets::opener_id.eq(42_i64),
                tickets::opener_name.eq("jemand anderes"),
                tickets::status.eq("closed"),
                tickets::created_at.eq(now_ms()),
            ))
            .execute(c)?;
        Ok(())
    })
    .await
    .unwrap();
    let before = snapshot(&db).await;
    let err = legacy::import(&db, &legacy).await.expect_err("conflict");
    assert!(err.to_string().contains("#7"), "{err}");
    assert_eq!(snapshot(&db).await, before, "nothing written");

    let missing = legacy::import(&db, Path::new("/nonexistent/tickets.sqlite")).await;
    assert!(
        missing
            .expect_err("missing file")
            .to_string()
            .contains("no such file")
    );
}

#[test]
fn import_legacy_command_runs_twice() {
    let (_dir, legacy) = legacy_file();
    let target = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", target.path().join("new.sqlite").display());
    let run = || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ticketbot"))
            .arg("import-legacy")
            .arg(&legacy)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .current_dir(target.path())
            .output()
            .expect("ticketbot runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let first = run();
    assert!(
        first.contains("4 tickets imported (0 already present)"),
        "{first}"
    );
    let second = run();
    assert!(
        second.contains("0 tickets imported (4 already present)"),
        "{second}"
    );
    assert!(second.contains("highest ticket number: 12"), "{second}");
}
