//! The archive across a restart (issue 17): a download still pending when the bot stops is
//! done by the next process, from the rows it wrote with the message.

use std::time::Duration;

use ticketbot::db::attachments::ArchiveStatus;

use crate::evidence_archive::{Archive, PNG, rows_of, settled};
use crate::support::app::{TestBot, USERS, WAIT};

#[tokio::test]
async fn a_download_pending_at_shutdown_is_done_after_the_restart() {
    let archive = Archive::new();
    let store = archive.setting();
    let mut bot = TestBot::start_with(&[("ATTACHMENT_STORE", &store)]).await;
    let (_, channel) = bot.first_ticket(USERS[0]).await;
    bot.emu.cdn_refuses("beweis.png", 503);
    let (message, attachments) = bot
        .emu
        .user_message_with_files(
            USERS[0],
            channel,
            "Beweis",
            &[("beweis.png", Some("image/png"), PNG.to_vec())],
        )
        .await;
    // The first attempt reached the CDN and failed; the row waits for its retry.
    let deadline = tokio::time::Instant::now() + WAIT;
    while bot.emu.attachment_downloads(attachments[0]).is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no download tried");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bot.shutdown().await;
    let rows = rows_of(&bot, message).await;
    assert_eq!(rows[0].status(), ArchiveStatus::Pending, "{rows:?}");
    assert!(rows[0].attempts >= 1, "{rows:?}");
    let before = bot.emu.attachment_downloads(attachments[0]);
    assert!(before.iter().all(|status| *status == 503), "{before:?}");

    // Discord's CDN serves the file again only once the bot is down: the next process fetches it.
    bot.emu.cdn_accepts("beweis.png");
    bot.restart().await;
    let rows = settled(&bot, message).await;
    assert_eq!(rows[0].status(), ArchiveStatus::Stored, "{rows:?}");
    let after = bot.emu.attachment_downloads(attachments[0]);
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert_eq!(after.last(), Some(&200));
    let files = archive.files();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].1, PNG);
    assert!(
        files[0]
            .0
            .ends_with(rows[0].sha256.as_deref().expect("hash"))
    );
}
