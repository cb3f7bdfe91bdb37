//! The attachment archive (issue 17): files posted in ticket channels are downloaded when the
//! message is stored, kept once per content, and served by the panel to staff only, also after
//! Discord's URL expired and the channel is gone.

use std::time::Duration;

use diesel::prelude::*;
use rocket::http::Status;
use ticketbot::db::attachments::{ArchiveStatus, AttachmentRow};
use ticketbot::db::schema::{archived_files, message_attachments};

use crate::panel::{body, login, panel_beside};
use crate::support::app::{ADMIN, TestBot, USERS, WAIT};

/// A small valid PNG (1×1).
pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\x00\x01\x01\x00\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

pub(crate) struct Archive {
    dir: tempfile::TempDir,
}

impl Archive {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(crate) fn setting(&self) -> String {
        format!("file://{}", self.dir.path().join("files").display())
    }

    /// The files in the store, as (path, bytes).
    pub(crate) fn files(&self) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut found = Vec::new();
        let root = self.dir.path().join("files");
        for fan in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            if !fan.path().is_dir() {
                continue;
            }
            for file in std::fs::read_dir(fan.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let bytes = std::fs::read(file.path()).expect("readable");
                found.push((file.path(), bytes));
            }
        }
        found
    }
}

pub(crate) async fn rows_of(bot: &TestBot, message: u64) -> Vec<AttachmentRow> {
    let id = message as i64;
    bot.db
        .run(move |c| {
            Ok(message_attachments::table
                .filter(message_attachments::message_id.eq(id))
                .order(message_attachments::position)
                .select(AttachmentRow::as_select())
                .load(c)?)
        })
        .await
        .expect("attachment rows")
}

/// Waits until every attachment of `message` left `pending`; returns the rows.
pub(crate) async fn settled(bot: &TestBot, message: u64) -> Vec<AttachmentRow> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let rows = rows_of(bot, message).await;
        if !rows.is_empty() && rows.iter().all(|r| r.status() != ArchiveStatus::Pending) {
            return rows;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "attachments of {message} still pending: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn archived_count(bot: &TestBot) -> i64 {
    bot.db
        .run(|c| Ok(archived_files::table.count().get_result(c)?))
        .await
        .expect("count")
}

/// `url` as Tera writes it into an attribute (`/` escaped; browsers read it back).
pub(crate) fn in_page(url: &str) -> String {
    url.replace('/', "&#x2F;")
}

fn header<'a>(response: &'a rocket::local::asynchronous::LocalResponse<'_>, name: &str) -> &'a str {
    response.headers().get_one(name).unwrap_or_default()
}

#[tokio::test]
async fn an_opener_image_is_archived_and_served_after_expiry_and_channel_deletion() {
    let archive = Archive::new();
    let store = archive.setting();
    let bot = TestBot::start_with(&[("ATTACHMENT_STORE", &store)]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let (message, attachments) = bot
        .emu
        .user_message_with_files(
            USERS[0],
            channel,
            "Hier der Beweis",
            &[("beweis.png", Some("image/png"), PNG.to_vec())],
        )
        .await;
    let rows = settled(&bot, message).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.status(), ArchiveStatus::Stored, "{row:?}");
    assert_eq!(row.filename, "beweis.png");
    assert_eq!(row.size, PNG.len() as i64);
    let hash = row.sha256.clone().expect("hash");
    // One download reached the CDN, with the signed URL Discord gave.
    assert_eq!(bot.emu.attachment_downloads(attachments[0]), vec![200]);
    let files = archive.files();
    assert_eq!(files.len(), 1);
    assert!(files[0].0.ends_with(format!("{}/{hash}", &hash[..2])));
    assert_eq!(files[0].1, PNG);

    // Discord forgets the file: the URL expires, then the channel is deleted.
    bot.emu.expire_attachment_url(attachments[0]);
    bot.emu.delete_channel_by_hand(channel).await;
    let panel = panel_beside(&bot.emu, &bot.test_db.url, &[("ATTACHMENT_STORE", &store)]).await;
    login(&panel, ADMIN).await;
    let url = format!("/tickets/{}/files/{hash}", ticket.id);
    let response = panel.client.get(url.as_str()).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(header(&response, "Content-Type"), "image/png");
    assert!(header(&response, "Content-Disposition").starts_with("inline;"));
    assert_eq!(header(&response, "X-Content-Type-Options"), "nosniff");
    assert_eq!(
        header(&response, "Content-Security-Policy"),
        "default-src 'none'; sandbox"
    );
    assert_eq!(response.into_bytes().await.expect("bytes"), PNG);
    // The ticket page shows it inline, lazily, from the archive.
    let page = body(
        panel
            .client
            .get(format!("/tickets/{}", ticket.id))
            .dispatch()
            .await,
    )
    .await;
    assert!(
        page.contains(&format!("src=\"{}\"", in_page(&url))) && page.contains("loading=\"lazy\""),
        "{page}"
    );
}

#[tokio::test]
async fn the_same_file_posted_twice_is_stored_once() {
    let archive = Archive::new();
    let bot = TestBot::start_with(&[("ATTACHMENT_STORE", &archive.setting())]).await;
    let (_, channel) = bot.first_ticket(USERS[0]).await;
    let file = [("a.png", Some("image/png"), PNG.to_vec())];
    let (first, _) = bot
        .emu
        .user_message_with_files(USERS[0], channel, "", &file)
        .await;
    let renamed = [("b.png", Some("image/png"), PNG.to_vec())];
    let (second, _) = bot
        .emu
        .user_message_with_files(USERS[0], channel, "", &renamed)
        .await;
    let first = settled(&bot, first).await;
    let second = settled(&bot, second).await;
    assert_eq!(first[0].status(), ArchiveStatus::Stored);
    assert_eq!(second[0].status(), ArchiveStatus::Stored);
    assert_eq!(first[0].sha256, second[0].sha256);
    assert_eq!(
        (first[0].filename.as_str(), second[0].filename.as_str()),
        ("a.png", "b.png")
    );
    assert_eq!(archived_count(&bot).await, 1);
    assert_eq!(archive.files().len(), 1);
}

#[tokio::test]
async fn a_file_over_the_limit_is_not_stored_and_the_panel_says_so() {
    let archive = Archive::new();
    let store = archive.setting();
    let bot =
        TestBot::start_with(&[("ATTACHMENT_STORE", &store), ("ATTACHMENT_MAX_MB", "25")]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let big = vec![7u8; 30 * 1024 * 1024];
    let (message, attachments) = bot
        .emu
        .user_message_with_files(
            USERS[0],
            channel,
            "Video",
            &[("clip.mp4", Some("video/mp4"), big)],
        )
        .await;
    let rows = settled(&bot, message).await;
    assert_eq!(rows[0].status(), ArchiveStatus::TooLarge, "{:?}", rows[0]);
    // Discord declared the size, so the file was never fetched.
    assert!(bot.emu.attachment_downloads(attachments[0]).is_empty());
    assert_eq!(archived_count(&bot).await, 0);
    assert!(archive.files().is_empty());
    let stored = bot.messages(ticket.id).await;
    assert!(
        stored
            .iter()
            .any(|m| m.id == message as i64 && m.content == "Video")
    );
    let panel = panel_beside(&bot.emu, &bot.test_db.url, &[("ATTACHMENT_STORE", &store)]).await;
    login(&panel, ADMIN).await;
    let page = body(
        panel
            .client
            .get(format!("/tickets/{}", ticket.id))
            .dispatch()
            .await,
    )
    .await;
    assert!(
        page.contains("nicht archiviert: größer als 25 MB"),
        "{page}"
    );
}

#[tokio::test]
async fn an_html_attachment_is_served_as_a_download() {
    let archive = Archive::new();
    let store = archive.setting();
    let bot = TestBot::start_with(&[("ATTACHMENT_STORE", &store)]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
    // Declared as an image: the bytes decide, not the claim.
    let (message, _) = bot
        .emu
        .user_message_with_files(
            USERS[0],
            channel,
            "",
            &[("bild.png", Some("image/png"), html.to_vec())],
        )
        .await;
    let rows = settled(&bot, message).await;
    let hash = rows[0].sha256.clone().expect("stored");
    let kind: String = {
        let hash = hash.clone();
        bot.db
            .run(move |c| {
                Ok(archived_files::table
                    .find(hash)
                    .select(archived_files::content_type)
                    .first(c)?)
            })
            .await
            .expect("file row")
    };
    assert_eq!(kind, "text/html");
    let panel = panel_beside(&bot.emu, &bot.test_db.url, &[("ATTACHMENT_STORE", &store)]).await;
    login(&panel, ADMIN).await;
    let url = format!("/tickets/{}/files/{hash}", ticket.id);
    let response = panel.client.get(url.as_str()).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        header(&response, "Content-Type"),
        "application/octet-stream"
    );
    assert!(header(&response, "Content-Disposition").starts_with("attachment;"));
    assert_eq!(header(&response, "X-Content-Type-Options"), "nosniff");
    assert_eq!(
        header(&response, "Content-Security-Policy"),
        "default-src 'none'; sandbox"
    );
    assert_eq!(response.into_bytes().await.expect("bytes"), html);
    let page = body(
        panel
            .client
            .get(format!("/tickets/{}", ticket.id))
            .dispatch()
            .await,
    )
    .await;
    assert!(
        !page.contains(&format!("src=\"{}\"", in_page(&url))),
        "HTML shown as an image"
    );
    assert!(
        page.contains(&format!("href=\"{}\" download", in_page(&url))),
        "{page}"
    );
}

#[tokio::test]
async fn a_missing_file_is_retried_and_reported_once_while_the_message_is_stored() {
    let archive = Archive::new();
    let bot = TestBot::start_with(&[("ATTACHMENT_STORE", &archive.setting())]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    bot.emu.cdn_refuses("weg.png", 404);
    let (message, attachments) = bot
        .emu
        .user_message_with_files(
            USERS[0],
            channel,
            "Screenshot",
            &[("weg.png", Some("image/png"), PNG.to_vec())],
        )
        .await;
    let rows = settled(&bot, message).await;
    assert_eq!(rows[0].status(), ArchiveStatus::Failed, "{:?}", rows[0]);
    let downloads = bot.emu.attachment_downloads(attachments[0]);
    assert_eq!(downloads, vec![404, 404, 404, 404], "tried with back-off");
    assert!(
        bot.messages(ticket.id)
            .await
            .iter()
            .any(|m| m.id == message as i64)
    );
    let log = bot.spec().log_channel;
    let reports = |emu: &crate::support::discord::DiscordEmu| {
        emu.messages(log)
            .into_iter()
            .filter(|m| {
                m.embeds.iter().any(|e| {
                    e["title"] == "Anhang nicht archiviert"
                        && e["description"]
                            .as_str()
                            .is_some_and(|d| d.contains("weg.png"))
                })
            })
            .count()
    };
    bot.emu
        .wait_for(WAIT, |emu| (reports(emu) > 0).then_some(()))
        .await
        .expect("reported in the log channel");
    // Nothing further is tried or told (the row is final).
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(reports(&bot.emu), 1);
    assert_eq!(bot.emu.attachment_downloads(attachments[0]).len(), 4);
}

#[tokio::test]
async fn the_file_route_refuses_without_a_session() {
    let archive = Archive::new();
    let store = archive.setting();
    let bot = TestBot::start_with(&[("ATTACHMENT_STORE", &store)]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let (message, _) = bot
        .emu
        .user_message_with_files(
            USERS[0],
            channel,
            "",
            &[("p.png", Some("image/png"), PNG.to_vec())],
        )
        .await;
    let hash = settled(&bot, message).await[0]
        .sha256
        .clone()
        .expect("stored");
    let panel = panel_beside(&bot.emu, &bot.test_db.url, &[("ATTACHMENT_STORE", &store)]).await;
    let url = format!("/tickets/{}/files/{hash}", ticket.id);
    let response = panel.client.get(url.as_str()).dispatch().await;
    assert_ne!(response.status(), Status::Ok);
    assert!(
        response.status().code == 303 || response.status().code == 401,
        "{}",
        response.status()
    );
    let bytes = response.into_bytes().await.unwrap_or_default();
    assert!(
        !bytes.windows(PNG.len()).any(|w| w == PNG),
        "file bytes leaked"
    );
    // Logged in, the same address serves it.
    login(&panel, ADMIN).await;
    let response = panel.client.get(url.as_str()).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
}

#[tokio::test]
async fn files_are_archived_in_an_s3_store() {
    let Some(s3) = crate::support::s3::S3Server::start_or_skip(
        "files_are_archived_in_an_s3_store",
        "evidence",
    )
    .await
    else {
        return;
    };
    let settings = [
        ("ATTACHMENT_STORE", "s3://evidence/tickets"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", s3.endpoint.as_str()),
    ];
    let bot = TestBot::start_with(&settings).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let (message, attachments) = bot
        .emu
        .user_message_with_files(
            USERS[0],
            channel,
            "",
            &[("s3.png", Some("image/png"), PNG.to_vec())],
        )
        .await;
    let rows = settled(&bot, message).await;
    assert_eq!(rows[0].status(), ArchiveStatus::Stored, "{:?}", rows[0]);
    let hash = rows[0].sha256.clone().expect("hash");
    let key = format!("tickets/{}/{hash}", &hash[..2]);
    assert_eq!(s3.object("evidence", &key).await.as_deref(), Some(PNG));
    // Served from S3 after Discord forgot it.
    bot.emu.expire_attachment_url(attachments[0]);
    let panel = panel_beside(&bot.emu, &bot.test_db.url, &settings).await;
    login(&panel, ADMIN).await;
    let response = panel
        .client
        .get(format!("/tickets/{}/files/{hash}", ticket.id))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_bytes().await.expect("bytes"), PNG);
}
