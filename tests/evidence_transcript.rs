//! Transcripts from the attachment archive (issue 17): the `.html` file that leaves the panel
//! carries small images and links the rest to the panel; the panel's transcript page shows
//! archived images inline; a file that is not archived says why instead of a dead URL.

use base64::Engine;
use diesel::prelude::*;
use rocket::http::Status;
use ticketbot::db::attachments::ArchiveStatus;
use ticketbot::db::schema::transcripts;

use crate::evidence_archive::{Archive, PNG, in_page, settled};
use crate::panel::{body, login, panel_beside};
use crate::support::app::{ADMIN, SUPPORTERS, TestBot, USERS, WAIT};

/// The panel's public origin in the tests' `DISCORD_REDIRECT_URI`.
const ORIGIN: &str = "http://127.0.0.1:1";

/// A PNG larger than a transcript embeds (the signature makes it one for the sniffer).
fn big_png() -> Vec<u8> {
    let mut bytes = PNG.to_vec();
    bytes.resize(300 * 1024, 0);
    bytes
}

#[tokio::test]
async fn transcript_files_embed_small_images_link_the_rest_and_say_what_is_missing() {
    let archive = Archive::new();
    let store = archive.setting();
    let env = [
        ("ATTACHMENT_STORE", store.as_str()),
        ("ATTACHMENT_MAX_MB", "1"),
    ];
    let bot = TestBot::start_with(&env).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let (message, _) = bot
        .emu
        .user_message_with_files(
            USERS[0],
            channel,
            "Beweise",
            &[
                ("klein.png", Some("image/png"), PNG.to_vec()),
                ("gross.png", Some("image/png"), big_png()),
                ("video.mp4", Some("video/mp4"), vec![1u8; 1536 * 1024]),
            ],
        )
        .await;
    let rows = settled(&bot, message).await;
    let statuses: Vec<_> = rows.iter().map(|r| r.status()).collect();
    assert_eq!(
        statuses,
        [
            ArchiveStatus::Stored,
            ArchiveStatus::Stored,
            ArchiveStatus::TooLarge
        ]
    );
    let small = rows[0].sha256.clone().expect("hash");
    let big = rows[1].sha256.clone().expect("hash");

    let ir = bot
        .emu
        .slash_command(SUPPORTERS[0], channel, "ticket_transcript")
        .await;
    let answer = bot
        .emu
        .wait_for(WAIT, |e| {
            e.interaction_replies(&ir)
                .into_iter()
                .find(|r| !r.files.is_empty())
        })
        .await
        .expect("the transcript file");
    let html = String::from_utf8_lossy(&answer.files[0].1).into_owned();
    let embedded = base64::engine::general_purpose::STANDARD.encode(PNG);
    assert!(
        html.contains(&format!("src=\"data:image/png;base64,{embedded}\"")),
        "the small image travels inside the file: {html}"
    );
    let link = format!("{ORIGIN}/tickets/{}/files/{big}", ticket.id);
    assert!(
        html.contains(&format!("href=\"{link}\"")),
        "the large image links to the panel: {html}"
    );
    assert!(html.contains("video.mp4 (nicht archiviert: größer als 1 MB)"));
    for row in &rows {
        assert!(
            !html.contains(&row.url),
            "no Discord URL of {}",
            row.filename
        );
    }

    // The panel's transcript page shows the archived images inline from its own route.
    let id = ticket.id;
    let transcript: i64 = bot
        .db
        .run(move |c| {
            Ok(transcripts::table
                .filter(transcripts::ticket_id.eq(id))
                .select(transcripts::id)
                .first(c)?)
        })
        .await
        .expect("the saved transcript");
    let panel = panel_beside(&bot.emu, &bot.test_db.url, &[("ATTACHMENT_STORE", &store)]).await;
    login(&panel, ADMIN).await;
    let response = panel
        .client
        .get(format!("/tickets/{id}/transcripts/{transcript}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let page = body(response).await;
    for hash in [&small, &big] {
        let url = in_page(&format!("/tickets/{id}/files/{hash}"));
        assert!(
            page.contains(&format!("src=\"{url}\" alt=")),
            "image {hash} inline: {page}"
        );
    }
    assert!(page.contains("loading=\"lazy\""));
    assert!(page.contains("nicht archiviert: größer als 1 MB"));
    assert!(!page.contains(&rows[2].url.replace('&', "&amp;")));
    let served = panel
        .client
        .get(format!("/tickets/{id}/files/{small}"))
        .dispatch()
        .await;
    assert_eq!(served.status(), Status::Ok);
    assert_eq!(served.into_bytes().await.expect("bytes"), PNG);
}
