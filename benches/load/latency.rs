//! Scenario 1, interaction latency: a button click (INTERACTION_CREATE sent by the emulator)
//! until the emulator has the interaction callback, at 1, 100 and 1,000 open tickets.
//! Baseline: the same round trip through the same emulator with a trivial echo client (a
//! twilight shard and twilight-http client that answer every interaction at once).
//!
//! Each sample is alone in flight; the clicks go round-robin over the open tickets. The
//! clicker is the ticket's opener pressing "claim", which the bot refuses (not staff): one
//! audit row written, then the ephemeral answer — the shortest path through router,
//! supervisor, ticket actor and database. A supporter's `/ticket_transcript` (transcript
//! saved, HTML rendered and uploaded) is the heavy path.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use ticketbot::db::Db;
use ticketbot::db::schema::tickets;
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;

use crate::Size;
use crate::fixture::{self, Channels, TicketSeed};
use crate::stats::{self, Samples};
use crate::support::app::{SUPPORTERS, TestBot, guild};
use crate::support::db::TestDb;
use crate::support::discord::{DiscordEmu, GuildSpec, InteractionRef};

const ANSWER_WAIT: Duration = Duration::from_secs(10);

pub async fn run(size: Size) {
    let open_counts = size.pick(vec![1], vec![1, 100, 1_000], vec![1, 100, 1_000]);
    let samples = size.pick(5, 200, 1_000);
    let transcript_samples = size.pick(2, 50, 200);
    let warmup = size.pick(1, 20, 50);
    println!("== 1. interaction latency: click sent by the emulator → callback received ==");

    let baseline = echo_round_trips(warmup, samples).await;
    stats::latency_header(&["p50 ratio", "p99 − base"]);
    stats::latency_row(
        "baseline: twilight echo client",
        &baseline,
        &["1.00×".into(), "+0 µs".into()],
    );
    for open in open_counts {
        let (clicks, transcripts, burst) =
            bot_round_trips(open, warmup, samples, transcript_samples, false).await;
        let mut rows = vec![
            (format!("bot, {open} open: claim (refused)"), clicks),
            (format!("bot, {open} open: /ticket_transcript"), transcripts),
        ];
        if let Some(burst) = burst {
            rows.push((format!("bot, {open} open: claim, back-to-back"), burst));
        }
        for (label, measured) in &rows {
            stats::latency_row(
                label,
                measured,
                &[
                    stats::ratio(measured.p50().as_secs_f64(), baseline.p50().as_secs_f64()),
                    stats::delta(measured.p99(), baseline.p99()),
                ],
            );
        }
    }
    if size != Size::Smoke {
        // The same with the database file switched to WAL (what `src/db` means to set up).
        let (clicks, _, _) = bot_round_trips(1, warmup, samples, 0, true).await;
        stats::latency_row(
            "bot, 1 open, file in WAL mode: claim",
            &clicks,
            &[
                stats::ratio(clicks.p50().as_secs_f64(), baseline.p50().as_secs_f64()),
                stats::delta(clicks.p99(), baseline.p99()),
            ],
        );
    }
    println!(
        "  paced: one sample every {} ms; back-to-back: the next click as soon as answered",
        PACE.as_millis()
    );
    println!("  goal: claim p99 within 2 ms of the baseline's p99, far under Discord's 3 s");
}

/// Clears the request log, sends the interaction, waits for its callback.
async fn round_trip(
    emu: &DiscordEmu,
    send: impl AsyncFnOnce(&DiscordEmu) -> InteractionRef,
) -> Duration {
    // The log is scanned on every change; keeping it short keeps the waiter cheap.
    emu.clear_requests();
    let started = Instant::now();
    let interaction = send(emu).await;
    let answer = emu
        .wait_interaction_response(&interaction, ANSWER_WAIT)
        .await
        .expect("the interaction is answered");
    let elapsed = started.elapsed();
    assert!(answer.succeeded(), "callback failed: {}", answer.status);
    elapsed
}

async fn echo_round_trips(warmup: usize, samples: usize) -> Samples {
    let emu = DiscordEmu::start(GuildSpec::default()).await;
    let clicker = 6_100_000_000_000_001;
    emu.add_member(clicker, "klicker", None, &[]);
    let token = emu.bot_token().to_owned();
    let http = Arc::new(
        twilight_http::Client::builder()
            .token(token.clone())
            .proxy(emu.http_proxy(), true)
            .build(),
    );
    let config = ConfigBuilder::new(token, Intents::GUILDS)
        .proxy_url(emu.gateway_url())
        .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let answerer = http.clone();
    let echo = tokio::spawn(async move {
        while let Some(item) = shard.next_event(EventTypeFlags::INTERACTION_CREATE).await {
            let Ok(Event::InteractionCreate(interaction)) = item else {
                continue;
            };
            let response = InteractionResponse {
                kind: InteractionResponseType::ChannelMessageWithSource,
                data: Some(InteractionResponseData {
                    content: Some("ok".to_owned()),
                    ..Default::default()
                }),
            };
            let _ = answerer
                .interaction(interaction.application_id)
                .create_response(interaction.id, &interaction.token, &response)
                .await;
        }
    });
    assert!(
        emu.wait_connected(ANSWER_WAIT).await,
        "echo client connects"
    );
    let channel = emu.spec().support_channel;
    let components = ticketbot::discord::reply::staff_button_row();
    let message = http
        .create_message(Id::new(channel))
        .content("bench")
        .components(&components)
        .await
        .expect("post the button")
        .model()
        .await
        .expect("message")
        .id
        .get();
    let mut measured = Vec::with_capacity(samples);
    for k in 0..warmup + samples {
        let took = paced(round_trip(&emu, async |emu| {
            emu.click_button(clicker, channel, message, "ticket:claim")
                .await
        }))
        .await;
        if k >= warmup {
            measured.push(took);
        }
    }
    echo.abort();
    Samples::new(measured)
}

/// `open` tickets whose welcome messages (with the buttons) are in their channels, taken
/// over by the bot at start; the clicks start once every actor runs. Returns paced clicks,
/// paced transcript commands and, at one ticket, back-to-back clicks.
async fn bot_round_trips(
    open: usize,
    warmup: usize,
    samples: usize,
    transcript_samples: usize,
    wal: bool,
) -> (Samples, Samples, Option<Samples>) {
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.expect("database");
    let seed = TicketSeed {
        channels: Channels::Emulator,
        members: true,
        post_welcomes: true,
        ..TicketSeed::open(open)
    };
    let tickets = fixture::seed(Some(&emu), &db, &seed).await;
    let welcomes = welcome_messages(&db).await;
    if wal {
        fixture::switch_to_wal(&db).await;
    }
    drop(db);
    let mut bot = TestBot::launch(emu, test_db, &[]).await;
    let prefix = fixture::live_actor_prefix(Duration::from_secs(10)).await;
    fixture::wait_actors_running(&prefix, open, Duration::from_secs(300)).await;
    wait_quiet(&bot.emu).await;

    let click = |k: usize| {
        let ticket = tickets[k % open];
        let welcome = welcomes[&ticket.id];
        async move |emu: &DiscordEmu| {
            emu.click_button(ticket.opener, ticket.channel, welcome, "ticket:claim")
                .await
        }
    };
    let mut clicks = Vec::with_capacity(samples);
    for k in 0..warmup + samples {
        let took = paced(round_trip(&bot.emu, click(k))).await;
        if k >= warmup {
            clicks.push(took);
        }
    }
    let mut transcripts = Vec::with_capacity(transcript_samples);
    for k in 0..transcript_samples {
        let ticket = tickets[k % open];
        let took = paced(round_trip(&bot.emu, async |emu| {
            emu.slash_command(SUPPORTERS[0], ticket.channel, "ticket_transcript")
                .await
        }))
        .await;
        transcripts.push(took);
    }
    let burst = if open == 1 && !wal {
        wait_quiet(&bot.emu).await;
        let mut burst = Vec::with_capacity(samples);
        for k in 0..samples {
            burst.push(round_trip(&bot.emu, click(k)).await);
        }
        Some(Samples::new(burst))
    } else {
        None
    };
    bot.shutdown().await;
    (Samples::new(clicks), Samples::new(transcripts), burst)
}

/// Every sample starts [`PACE`] after the previous one started.
const PACE: Duration = Duration::from_millis(25);

/// Runs one sample and then waits out the rest of [`PACE`]: each refusal also posts a line to
/// the log channel, and twilight's REST client lets at most 50 such requests a second through
/// (Discord's global limit); faster clicking would measure that queue instead.
async fn paced(sample: impl Future<Output = Duration>) -> Duration {
    let started = Instant::now();
    let took = sample.await;
    tokio::time::sleep(PACE.saturating_sub(started.elapsed())).await;
    took
}

/// Waits until the emulator saw no request for 1.2 s, so the bot's rate limiter has its whole
/// global allowance (50 per second) again.
async fn wait_quiet(emu: &DiscordEmu) {
    if emu.requests().len() < 40 {
        // A few requests (a smoke run) leave the allowance nearly whole.
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut seen = emu.requests().len();
    let mut quiet_since = Instant::now();
    while quiet_since.elapsed() < Duration::from_millis(1_200) {
        assert!(Instant::now() < deadline, "the bot never went quiet");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = emu.requests().len();
        if now != seen {
            seen = now;
            quiet_since = Instant::now();
        }
    }
}

/// Ticket id → welcome message id.
async fn welcome_messages(db: &Db) -> HashMap<i64, u64> {
    let posted: Vec<(i64, Option<i64>)> = db
        .run(|conn| {
            Ok(tickets::table
                .select((tickets::id, tickets::welcome_message_id))
                .load(conn)?)
        })
        .await
        .expect("read welcome ids");
    posted
        .into_iter()
        .filter_map(|(id, welcome)| Some((id, welcome? as u64)))
        .collect()
}
