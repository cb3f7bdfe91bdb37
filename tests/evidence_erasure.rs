//! Erasure on request and the retention sweep (issue 17): `ticketbot forget <user id>` blanks a
//! member's texts, names and files while another member's copy of the same file stays, says
//! so when nothing is left, and tells the log channel; `TRANSCRIPT_RETENTION_DAYS` removes old
//! closed tickets with their files and keeps fresh ones.

use std::time::Duration;

use diesel::prelude::*;
use ticketbot::db::models::Ticket;
use ticketbot::db::schema::{archived_files, audit_log, message_attachments, messages, tickets};
use ticketbot::db::status::TicketStatus;
use ticketbot::texts::{ERASED_NAME, ERASURE_LOG_TITLE, RETENTION_LOG_TITLE};

use crate::panel::{body, login, panel_beside};
use crate::support::app::{ADMIN, SUPPORTERS, TestBot, USERS, WAIT, guild};
use crate::support::binary::spawn_binary_with;
use crate::support::db::{TestDb, postgres_or_skip};

/// A small valid PNG (1×1).
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\x00\x01\x01\x00\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
const SECRET: &str = "Xylophonkonzert im Keller";

/// Files in a local store directory (two levels: fan-out, then hash).
pub fn stored_files(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for fan in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(fan.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            found.push(file.file_name().to_string_lossy().into_owned());
        }
    }
    found.sort();
    found
}

/// Waits until no attachment of `ticket` is pending any more.
pub async fn archived(bot: &TestBot, ticket: i64, expected: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let stored: i64 = bot
            .db
            .run(move |c| {
                Ok(message_attachments::table
                    .filter(message_attachments::ticket_id.eq(ticket))
                    .filter(message_attachments::status.eq("stored"))
                    .count()
                    .get_result(c)?)
            })
            .await
            .expect("count");
        if stored as usize == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "files of #{ticket} not archived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn close(bot: &TestBot, ticket: &Ticket) {
    bot.press(SUPPORTERS[0], ticket, "ticket:close").await;
    bot.wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Closed)
        .await;
}

/// Runs `ticketbot <args>` against the bot's settings; returns (success, output).
async fn run_cli(bot: &TestBot, args: &[&str]) -> (bool, String) {
    let mut cli = spawn_binary_with(&bot.env, args);
    let status = cli.exited(WAIT).await.expect("the command ends");
    (status.success(), cli.log())
}

async fn erasure_posts(bot: &TestBot) -> usize {
    let log = bot.spec().log_channel;
    bot.emu
        .messages(log)
        .iter()
        .filter(|m| m.embeds.iter().any(|e| e["title"] == ERASURE_LOG_TITLE))
        .count()
}

/// The ticket numbers a panel search for `term` lists.
async fn search(panel: &crate::panel::Panel, term: &str) -> Vec<i64> {
    let url = format!("/?status=all&q={}", term.replace(' ', "%20"));
    crate::panel::ticket_numbers(&body(panel.client.get(url).dispatch().await).await)
}

#[tokio::test]
async fn forget_erases_texts_names_and_files_but_another_members_copy_stays() {
    forget_scenario(TestDb::sqlite()).await;
}

#[tokio::test]
async fn forget_erases_the_same_on_postgres() {
    if let Some(test_db) = postgres_or_skip("forget_erases_the_same_on_postgres") {
        forget_scenario(test_db).await;
    }
}

async fn forget_scenario(test_db: TestDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = format!("file://{}", dir.path().join("files").display());
    let mut bot = TestBot::launch(guild().await, test_db, &[("ATTACHMENT_STORE", &store)]).await;
    let (mine, my_channel) = bot.first_ticket(USERS[0]).await;
    let shared = ("beweis.png", Some("image/png"), PNG.to_vec());
    let own = (
        "nur-meins.txt",
        Some("text/plain"),
        b"meine Adresse".to_vec(),
    );
    bot.emu
        .user_message_with_files(USERS[0], my_channel, SECRET, &[shared.clone(), own])
        .await;
    archived(&bot, mine.id, 2).await;
    let (theirs, their_channel) = bot.first_ticket(USERS[1]).await;
    bot.emu
        .user_message_with_files(USERS[1], their_channel, "Auch ich", &[shared])
        .await;
    archived(&bot, theirs.id, 1).await;
    close(&bot, &mine).await;
    assert!(
        bot.transcripts(mine.id)
            .await
            .iter()
            .any(|t| t.body_text.contains(SECRET)),
        "the transcript holds the text before the erasure"
    );
    assert_eq!(stored_files(&dir.path().join("files")).len(), 2);
    let opener_name = mine.opener_name.clone();
    let panel = panel_beside(&bot.emu, &bot.test_db.url, &[("ATTACHMENT_STORE", &store)]).await;
    login(&panel, ADMIN).await;
    assert!(search(&panel, "Xylophonkonzert").await.contains(&mine.id));
    assert!(search(&panel, &opener_name).await.contains(&mine.id));
    bot.shutdown().await;

    let user = USERS[0].to_string();
    let (ok, out) = run_cli(&bot, &["forget", &user]).await;
    assert!(ok, "{out}");
    assert!(out.contains(&format!("Erased user {user}")), "{out}");

    // Texts, names and avatars of their messages are gone, the other member's stay.
    let stored = bot.messages(mine.id).await;
    let by_them: Vec<_> = stored
        .iter()
        .filter(|m| m.author_id == USERS[0] as i64)
        .collect();
    assert!(!by_them.is_empty());
    for m in &by_them {
        assert_eq!(m.content, "");
        assert_eq!(m.author_name, ERASED_NAME);
        assert_eq!(m.author_avatar, None);
        assert_eq!(m.attachments, "[]");
    }
    assert!(
        bot.messages(theirs.id)
            .await
            .iter()
            .any(|m| m.content == "Auch ich")
    );
    // Their file left the store, the shared one stays for the other member.
    let (links, files): (i64, i64) = bot
        .db
        .run(|c| {
            Ok((
                message_attachments::table.count().get_result(c)?,
                archived_files::table.count().get_result(c)?,
            ))
        })
        .await
        .expect("counts");
    assert_eq!((links, files), (1, 1));
    let left = stored_files(&dir.path().join("files"));
    let shared_hash: String = bot
        .db
        .run(|c| {
            Ok(archived_files::table
                .select(archived_files::sha256)
                .first(c)?)
        })
        .await
        .expect("hash");
    assert_eq!(left, vec![shared_hash]);
    // The ticket keeps number and status, the name is gone, an audit row says what happened.
    let ticket = bot.ticket(mine.id).await;
    assert_eq!(ticket.status(), TicketStatus::Closed);
    assert_eq!(ticket.opener_name, ERASED_NAME);
    let audit = bot.audit(mine.id).await;
    assert!(audit.iter().any(|a| a == "erased"), "{audit:?}");
    let transcripts = bot.transcripts(mine.id).await;
    assert!(!transcripts.is_empty());
    for t in &transcripts {
        assert!(!t.body_text.contains(SECRET), "{}", t.body_text);
        assert!(!t.body_text.contains(&opener_name), "{}", t.body_text);
    }
    // The panel's pages and search no longer show them.
    let page = body(
        panel
            .client
            .get(format!("/tickets/{}", mine.id))
            .dispatch()
            .await,
    )
    .await;
    assert!(
        !page.contains(SECRET) && !page.contains(&opener_name),
        "{page}"
    );
    assert!(!search(&panel, "Xylophonkonzert").await.contains(&mine.id));
    assert!(!search(&panel, &opener_name).await.contains(&mine.id));
    // The log channel was told, through REST.
    assert_eq!(erasure_posts(&bot).await, 1);

    // Twice changes nothing, and says so.
    let audit_rows = |bot: &TestBot| {
        let db = bot.db.clone();
        async move {
            db.run(|c| Ok(audit_log::table.count().get_result::<i64>(c)?))
                .await
                .expect("count")
        }
    };
    let before = audit_rows(&bot).await;
    let (ok, out) = run_cli(&bot, &["forget", &user]).await;
    assert!(ok, "{out}");
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(audit_rows(&bot).await, before);
    assert_eq!(erasure_posts(&bot).await, 1, "no second log post");
    assert_eq!(stored_files(&dir.path().join("files")).len(), 1);
}

#[tokio::test]
async fn forget_for_an_unknown_user_says_nothing_is_stored() {
    let mut bot = TestBot::start().await;
    let (ticket, _) = bot.first_ticket(USERS[0]).await;
    bot.shutdown().await;
    let (ok, out) = run_cli(&bot, &["forget", "4242424242"]).await;
    assert!(ok, "{out}");
    assert!(out.contains("Nothing stored for user 4242424242"), "{out}");
    assert_eq!(bot.ticket(ticket.id).await.opener_name, ticket.opener_name);
    assert!(!bot.audit(ticket.id).await.iter().any(|a| a == "erased"));
    assert_eq!(erasure_posts(&bot).await, 0);
}

#[tokio::test]
async fn retention_removes_an_old_closed_ticket_with_its_file_and_keeps_a_fresh_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = format!("file://{}", dir.path().join("files").display());
    let mut bot = TestBot::start_with(&[("ATTACHMENT_STORE", &store)]).await;
    let (old, old_channel) = bot.first_ticket(USERS[0]).await;
    let file = (
        "alt.txt",
        Some("text/plain"),
        b"altes Beweisstueck".to_vec(),
    );
    bot.emu
        .user_message_with_files(USERS[0], old_channel, "alt", &[file])
        .await;
    archived(&bot, old.id, 1).await;
    close(&bot, &old).await;
    let (fresh, _) = bot.first_ticket(USERS[1]).await;
    close(&bot, &fresh).await;
    bot.shutdown().await;
    // The old ticket closed 100 days ago (as an imported ticket's recorded close would).
    let old_id = old.id;
    let long_ago = ticketbot::db::now_ms() - 100 * 86_400_000;
    bot.db
        .write(move |c| {
            diesel::update(tickets::table.find(old_id))
                .set(tickets::closed_at.eq(Some(long_ago)))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("age the ticket");
    assert_eq!(stored_files(&dir.path().join("files")).len(), 1);

    bot.env
        .insert("TRANSCRIPT_RETENTION_DAYS".into(), "30".into());
    bot.restart().await;
    let log = bot.spec().log_channel;
    let line = bot
        .emu
        .wait_for(WAIT, |emu| {
            emu.messages(log).into_iter().find_map(|m| {
                m.embeds
                    .iter()
                    .find(|e| e["title"] == RETENTION_LOG_TITLE)
                    .map(|e| e["description"].as_str().unwrap_or_default().to_owned())
            })
        })
        .await
        .expect("the log channel hears of the sweep");
    assert!(line.contains(&format!("#{old_id}")), "{line}");
    assert!(!line.contains(&format!("#{}", fresh.id)), "{line}");
    let ids: Vec<i64> = bot.all_tickets().await.iter().map(|t| t.id).collect();
    assert!(!ids.contains(&old_id), "{ids:?}");
    assert!(ids.contains(&fresh.id), "{ids:?}");
    let old_messages: i64 = bot
        .db
        .run(move |c| {
            Ok(messages::table
                .filter(messages::ticket_id.eq(old_id))
                .count()
                .get_result(c)?)
        })
        .await
        .expect("count");
    assert_eq!(old_messages, 0);
    assert!(
        !bot.transcripts(fresh.id).await.is_empty(),
        "the fresh transcript stays"
    );
    assert!(stored_files(&dir.path().join("files")).is_empty());
    bot.shutdown().await;
}

/// A file that only a ticket's ban evidence links (OCR of the ban database's screenshots) is
/// no orphan: the sweeps after `forget` and retention must not delete it from the store.
#[tokio::test]
async fn a_file_linked_only_by_ban_evidence_is_not_orphaned() {
    use ticketbot::db::attachments::{ArchivedFile, orphaned};
    use ticketbot::db::evidence::{self, NewEvidence};
    use ticketbot::db::queries::{self, Reservation};
    use ticketbot::db::{Db, now_ms};

    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.unwrap();
    let Reservation::Created(ticket) = db
        .write(|c| queries::reserve_ticket(c, 42, "Spieler", now_ms()))
        .await
        .unwrap()
    else {
        panic!("a new ticket")
    };
    let file = ArchivedFile {
        sha256: "ab".repeat(32),
        content_type: "image/png".into(),
        size: 10,
        stored_at: now_ms(),
    };
    let id = ticket.id;
    let stored = file.clone();
    db.write(move |c| {
        let image = NewEvidence {
            url: "http://bans.example/1.png",
            file: Some(&stored),
            text: Some("Wallhack"),
            error: None,
        };
        evidence::insert(c, id, "ban-1", &[image], now_ms())
    })
    .await
    .unwrap();
    assert!(
        db.run(orphaned).await.unwrap().is_empty(),
        "evidence links the file"
    );

    db.write(move |c| {
        diesel::delete(ticketbot::db::schema::ban_evidence::table)
            .execute(c)
            .map_err(Into::into)
    })
    .await
    .unwrap();
    assert_eq!(db.run(orphaned).await.unwrap(), [file.sha256]);
}
