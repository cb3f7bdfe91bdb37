//! Scenario 8, attachments: messages/s with one image per message beside the plain figure,
//! and the latency of a click (a `/ticket_transcript` the actor refuses to a viewer) while the
//! archiver downloads those images from the emulator's CDN, beside the same click when
//! nothing downloads. Messages count when their row is in the database; the archive's figure
//! when every image is stored.

use std::time::{Duration, Instant};

use ticketbot::db::attachments::ArchiveStatus;

use crate::Size;
use crate::stats::{self, Samples};
use crate::support::app::{TestBot, USERS, VIEWER, WAIT};

/// A 1×1 PNG; a counter appended after IEND makes every file distinct (one download each).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\x00\x01\x01\x00\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

fn image(k: usize, kib: usize) -> Vec<u8> {
    let mut bytes = PNG.to_vec();
    bytes.extend_from_slice(format!("{k:08}").as_bytes());
    bytes.resize(bytes.len() + kib * 1024, 0);
    bytes
}

/// Image messages to send instead of the default, e.g. `LOAD_ATTACHMENT_MESSAGES=5000`.
const MESSAGES_VAR: &str = "LOAD_ATTACHMENT_MESSAGES";
/// Size of each image instead of 32 KiB, e.g. `LOAD_ATTACHMENT_KIB=256`.
const KIB_VAR: &str = "LOAD_ATTACHMENT_KIB";

fn knob(var: &str) -> Option<usize> {
    std::env::var(var)
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .filter(|n| *n >= 1)
}

pub async fn run(size: Size) {
    let messages = knob(MESSAGES_VAR).unwrap_or_else(|| size.pick(10, 300, 1_000));
    let kib = knob(KIB_VAR).unwrap_or(32);
    let clicks = size.pick(5, 50, 200);
    println!("== 8. attachments: {messages} messages, one {kib} KiB image each ==");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = format!("file://{}", dir.path().join("files").display());
    let bot = TestBot::start_with(&[("ATTACHMENT_STORE", &store)]).await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let base = bot.messages(ticket.id).await.len();

    let quiet = click_samples(&bot, channel, clicks).await;

    let started = Instant::now();
    for k in 0..messages {
        bot.emu
            .user_message(USERS[0], channel, &format!("plain {k}"))
            .await;
    }
    wait_rows(&bot, ticket.id, base + messages).await;
    let plain = stats::per_second(messages, started.elapsed());

    let started = Instant::now();
    for k in 0..messages {
        bot.emu
            .user_message_with_files(
                USERS[0],
                channel,
                &format!("image {k}"),
                &[("beweis.png", Some("image/png"), image(k, kib))],
            )
            .await;
    }
    wait_rows(&bot, ticket.id, base + 2 * messages).await;
    let with_images = stats::per_second(messages, started.elapsed());
    // The archive is still downloading: the clicks now run beside it. Only clicks sent while
    // images are still pending count; the run stops clicking once the archive has caught up.
    let pending_before = pending(&bot, ticket.id).await;
    let busy = busy_click_samples(&bot, channel, ticket.id, clicks).await;
    let pending_after = pending(&bot, ticket.id).await;
    wait_archived(&bot, ticket.id, messages).await;
    let archived = stats::per_second(messages, started.elapsed());

    println!("  {:<62} {:>11} {:>9}", "", "messages/s", "vs plain");
    println!("  {:<62} {plain:>11.0} {:>9}", "plain messages", "1.00×");
    println!(
        "  {:<62} {with_images:>11.0} {:>9}",
        "messages with one image (row stored)",
        stats::ratio(with_images, plain)
    );
    println!(
        "  {:<62} {archived:>11.0} {:>9}",
        "messages with one image (image archived)",
        stats::ratio(archived, plain)
    );
    stats::latency_header(&["p50 ratio", "p99 − quiet"]);
    stats::latency_row(
        "click, nothing downloading",
        &quiet,
        &["1.00×".into(), "+0 µs".into()],
    );
    stats::latency_row(
        "click, while downloads run",
        &busy,
        &[
            stats::ratio(busy.p50().as_secs_f64(), quiet.p50().as_secs_f64()),
            stats::delta(busy.p99(), quiet.p99()),
        ],
    );
    println!(
        "    images pending when the busy clicks began: {pending_before} of {messages}; after the last: {pending_after}"
    );
    if busy.len() < clicks {
        println!(
            "    the archive caught up after {} of {clicks} clicks (raise {MESSAGES_VAR} or {KIB_VAR})",
            busy.len()
        );
    }
    drop(bot);
}

async fn click_samples(bot: &TestBot, channel: u64, count: usize) -> Samples {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let ir = bot
            .emu
            .slash_command(VIEWER, channel, "ticket_transcript")
            .await;
        bot.emu
            .wait_interaction_response(&ir, WAIT)
            .await
            .expect("the click is answered");
        samples.push(started.elapsed());
    }
    Samples::new(samples)
}

/// Up to `count` clicks, each sent only while the ticket still has images pending.
async fn busy_click_samples(bot: &TestBot, channel: u64, ticket: i64, count: usize) -> Samples {
    let mut samples = Vec::with_capacity(count);
    while samples.len() < count && pending(bot, ticket).await > 0 {
        let started = Instant::now();
        let ir = bot
            .emu
            .slash_command(VIEWER, channel, "ticket_transcript")
            .await;
        bot.emu
            .wait_interaction_response(&ir, WAIT)
            .await
            .expect("the click is answered");
        samples.push(started.elapsed());
    }
    Samples::new(samples)
}

async fn wait_rows(bot: &TestBot, ticket: i64, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while bot.messages(ticket).await.len() < count {
        assert!(Instant::now() < deadline, "messages not stored in time");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn pending(bot: &TestBot, ticket: i64) -> usize {
    bot.db
        .run(move |c| ticketbot::db::attachments::of_ticket(c, ticket))
        .await
        .expect("rows")
        .iter()
        .filter(|row| row.status() == ArchiveStatus::Pending)
        .count()
}

async fn wait_archived(bot: &TestBot, ticket: i64, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let rows = bot
            .db
            .run(move |c| ticketbot::db::attachments::of_ticket(c, ticket))
            .await
            .expect("rows");
        let stored = rows
            .iter()
            .filter(|row| row.status() == ArchiveStatus::Stored)
            .count();
        assert!(
            rows.iter().all(|row| row.status() != ArchiveStatus::Failed),
            "a download failed"
        );
        if stored >= count {
            return;
        }
        assert!(Instant::now() < deadline, "images not archived in time");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
