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
    println!("  (each bot sample alternates with a baseline sample, so both see the same noise)");
    let echo = EchoClient::start().await;
    stats::latency_header(&["p50 ratio", "p99 − base"]);
    for open in open_counts {
        let bot = BotUnderTest::start(open).await;
        let mut baseline = Vec::with_capacity(samples);
        let mut clicks = Vec::with_capacity(samples);
        for k in 0..warmup + samples {
            let base = paced(echo.click()).await;
            let took = paced(bot.click(k)).await;
            if k >= warmup {
                baseline.push(base);
                clicks.push(took);
            }
        }
        let baseline = Samples::new(baseline);
        let what = format!("{open} open");
        let mut rows = vec![(
            format!("bot, {what}: claim (refused)"),
            Samples::new(clicks),
        )];
        {
            let mut transcripts = Vec::with_capacity(transcript_samples);
            for k in 0..transcript_samples {
                paced(echo.click()).await;
                transcripts.push(paced(bot.transcript(k)).await);
            }
            rows.push((
                format!("bot, {what}: /ticket_transcript"),
                Samples::new(transcripts),
            ));
        }
        if open == 1 {
            bot.wait_quiet().await;
            let mut burst = Vec::with_capacity(samples);
            for k in 0..samples {
                burst.push(bot.click(k).await);
            }
            rows.push((
                format!("bot, {what}: claim, back-to-back"),
                Samples::new(burst),
            ));
        }
        stats::latency_row(
            &format!("baseline: echo client, beside {what}"),
            &baseline,
            &["1.00×".into(), "+0 µs".into()],
        );
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
        bot.stop().await;
    }
    echo.stop();
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

/// The baseline: a twilight shard and twilight-http client on their own emulator that answer
/// every interaction at once.
struct EchoClient {
    emu: DiscordEmu,
    clicker: u64,
    channel: u64,
    message: u64,
    task: tokio::task::JoinHandle<()>,
}

impl EchoClient {
    async fn start() -> Self {
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
        let task = tokio::spawn(async move {
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
        let components = ticketbot::tickets::buttons::staff_button_row();
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
        Self {
            emu,
            clicker,
            channel,
            message,
            task,
        }
    }

    async fn click(&self) -> Duration {
        round_trip(&self.emu, async |emu| {
            emu.click_button(self.clicker, self.channel, self.message, "ticket:claim")
                .await
        })
        .await
    }

    fn stop(self) {
        self.task.abort();
    }
}

/// The bot with `open` tickets whose welcome messages (with the buttons) are in their
/// channels, taken over at start; ready once every actor runs and the start-up requests are
/// through the rate limiter.
struct BotUnderTest {
    bot: TestBot,
    tickets: Vec<fixture::Seeded>,
    welcomes: HashMap<i64, u64>,
}

impl BotUnderTest {
    async fn start(open: usize) -> Self {
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
        drop(db);
        let bot = TestBot::launch(emu, test_db, &[]).await;
        let prefix = fixture::live_actor_prefix(Duration::from_secs(10)).await;
        fixture::wait_actors_running(&prefix, open, Duration::from_secs(300)).await;
        let this = Self {
            bot,
            tickets,
            welcomes,
        };
        this.wait_quiet().await;
        this
    }

    /// Sample `k`: the opener of ticket `k % open` presses "claim" (refused: not staff).
    async fn click(&self, k: usize) -> Duration {
        let ticket = self.tickets[k % self.tickets.len()];
        let welcome = self.welcomes[&ticket.id];
        round_trip(&self.bot.emu, async |emu| {
            emu.click_button(ticket.opener, ticket.channel, welcome, "ticket:claim")
                .await
        })
        .await
    }

    /// Sample `k`: a supporter runs `/ticket_transcript` in ticket `k % open`.
    async fn transcript(&self, k: usize) -> Duration {
        let ticket = self.tickets[k % self.tickets.len()];
        round_trip(&self.bot.emu, async |emu| {
            emu.slash_command(SUPPORTERS[0], ticket.channel, "ticket_transcript")
                .await
        })
        .await
    }

    async fn wait_quiet(&self) {
        wait_quiet(&self.bot.emu).await;
    }

    async fn stop(mut self) {
        self.bot.shutdown().await;
    }
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
