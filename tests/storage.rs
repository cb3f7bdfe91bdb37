//! Storage: migrations on an empty database and again, and the queries the bot relies on;
//! on SQLite always, on PostgreSQL when CI started one (`TICKETBOT_TEST_POSTGRES`).

use ticketbot::db::models::{Message, TicketStatus};
use ticketbot::db::queries::{self, Reservation};
use ticketbot::db::{Db, now_ms};

use crate::support::db::{TestDb, postgres_or_skip};

fn message(id: i64, ticket: i64, content: &str) -> Message {
    Message {
        id,
        ticket_id: ticket,
        author_id: 42,
        author_name: "Spieler".into(),
        author_avatar: None,
        author_is_bot: false,
        is_ai: false,
        content: content.into(),
        embeds: "[]".into(),
        attachments: "[]".into(),
        created_at: now_ms(),
        edited_at: None,
        deleted_at: None,
    }
}

async fn storage_behaves(db: &Db) {
    // Migrations were applied by connect; applying again changes nothing.
    assert!(db.migrate().await.unwrap().is_empty());

    let first = db
        .write(|c| queries::reserve_ticket(c, 42, "Spieler", now_ms()))
        .await
        .unwrap();
    let Reservation::Created(ticket) = first else {
        panic!("first reservation creates a ticket")
    };
    let again = db
        .write(|c| queries::reserve_ticket(c, 42, "Spieler", now_ms()))
        .await
        .unwrap();
    assert!(matches!(again, Reservation::Existing(t) if t.id == ticket.id));

    let id = ticket.id;
    db.write(move |c| queries::attach_channel(c, id, 9000))
        .await
        .unwrap();
    let stored = db
        .write(move |c| {
            let new = queries::insert_message(c, &message(1001, id, "hallo"))?;
            let duplicate = queries::insert_message(c, &message(1001, id, "hallo"))?;
            queries::insert_message(c, &message(1002, id, "zweite"))?;
            queries::record_edit(c, 1001, "hallo, bearbeitet", now_ms())?;
            queries::record_delete(c, 1002, now_ms())?;
            Ok((new, duplicate))
        })
        .await
        .unwrap();
    assert_eq!(stored, (true, false));
    let messages = db.run(move |c| queries::messages_of(c, id)).await.unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].content, "hallo, bearbeitet");
    assert!(messages[0].edited_at.is_some());
    assert!(messages[1].deleted_at.is_some());

    // The group-commit path: one batch with a known id, a new one twice, and another new one.
    let batch = [
        message(1001, id, "schon bekannt"),
        message(1003, id, "neu"),
        message(1003, id, "neu, doppelt"),
        message(1004, id, "auch neu"),
    ];
    let inserted = db
        .write(move |c| queries::insert_messages(c, &batch))
        .await
        .unwrap();
    assert_eq!(inserted, [false, true, false, true]);
    let messages = db.run(move |c| queries::messages_of(c, id)).await.unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(
        messages[2].content, "neu",
        "the first of two copies is kept"
    );

    db.write(move |c| queries::set_closed(c, id, now_ms()))
        .await
        .unwrap();
    let reopened = db
        .write(|c| queries::reserve_ticket(c, 42, "Spieler", now_ms()))
        .await
        .unwrap();
    let Reservation::Created(second) = reopened else {
        panic!("a closed ticket does not block a new one")
    };
    assert!(second.id > id);
    assert_eq!(second.status(), TicketStatus::Opening);
}

#[tokio::test]
async fn sqlite_migrations_apply_and_queries_work() {
    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.unwrap();
    storage_behaves(&db).await;
    // WAL mode: the write-ahead log sits beside the database file while it is open.
    let file = test_db.url.trim_start_matches("sqlite://");
    assert!(
        std::path::Path::new(&format!("{file}-wal")).exists(),
        "SQLite runs in WAL mode"
    );
    // A second process start on the same file: migrations are idempotent.
    let again = Db::connect(&test_db.url).await.unwrap();
    assert!(again.migrate().await.unwrap().is_empty());
}

#[tokio::test]
async fn postgres_migrations_apply_and_queries_work() {
    let Some(test_db) = postgres_or_skip("postgres_migrations_apply_and_queries_work") else {
        return;
    };
    let db = Db::connect(&test_db.url).await.unwrap();
    storage_behaves(&db).await;
    let again = Db::connect(&test_db.url).await.unwrap();
    assert!(again.migrate().await.unwrap().is_empty());
}

/// Eight claims by one supporter on eight tickets at once, limit 3: exactly three are granted.
async fn claims_keep_to_the_limit_when_concurrent(db: &Db) {
    let mut ids = Vec::new();
    for opener in 0..8 {
        let reserved = db
            .write(move |c| queries::reserve_ticket(c, 500 + opener, "Spieler", now_ms()))
            .await
            .unwrap();
        let Reservation::Created(ticket) = reserved else {
            panic!("a new opener gets a new ticket")
        };
        ids.push(ticket.id);
    }
    let claims = ids.into_iter().map(|id| {
        let db = db.clone();
        tokio::spawn(async move {
            db.write(move |c| queries::claim_within_limit(c, id, 77, "helfer", 3, now_ms()))
                .await
                .unwrap()
        })
    });
    let granted = futures_util::future::join_all(claims)
        .await
        .into_iter()
        .filter(|granted| *granted.as_ref().unwrap())
        .count();
    assert_eq!(granted, 3);
    let held = db.run(|c| queries::claims_held_by(c, 77)).await.unwrap();
    assert_eq!(held, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_keep_to_the_limit_on_sqlite() {
    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.unwrap();
    claims_keep_to_the_limit_when_concurrent(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_keep_to_the_limit_on_postgres() {
    let Some(test_db) = postgres_or_skip("concurrent_claims_keep_to_the_limit_on_postgres") else {
        return;
    };
    let db = Db::connect(&test_db.url).await.unwrap();
    claims_keep_to_the_limit_when_concurrent(&db).await;
}
