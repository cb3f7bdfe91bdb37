//! Scenario 2, message throughput: MESSAGE_CREATE events through the bot's gateway router
//! and supervisor into the ticket actors and the database, with 10,000 open tickets, on
//! SQLite (and PostgreSQL when `TICKETBOT_TEST_POSTGRES` is set). The clock runs from the
//! first event sent until the last row is in the database; the count in the database must
//! equal the count sent.
//!
//! The events come from the emulator (built and serialized while the clock runs, on the same
//! cores) or from the replay gateway (serialized beforehand, see `replay.rs`), which shows
//! what the bot itself can take.
//!
//! Baseline: raw single-row, single-transaction inserts (the bot's own insert query) with WAL
//! and `synchronous=NORMAL`, in the same run. For reference: the same batched, the same with
//! the settings the bot's connections really get, and what each event source delivers to a
//! bare twilight shard.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use serde_json::Value;
use ticketbot::config::Part;
use ticketbot::db::{Db, DbConn, queries};
use tokio::sync::oneshot;
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};

use crate::Size;
use crate::fixture::{self, Channels, OLD_MESSAGE_BASE, Seeded, TicketSeed};
use crate::replay::{self, ReplayGateway};
use crate::stats;
use crate::support::app::{TestBot, bot_env, guild};
use crate::support::db::{TestDb, postgres_or_skip};
use crate::support::discord::{DiscordEmu, GuildSpec};

/// Where the bot's events come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Emulator,
    Replay,
}

pub async fn run(size: Size) {
    let open = size.pick(10, 1_000, 10_000);
    // Runs beside the main one use fewer tickets: every open ticket's actor asks Discord for
    // its history at start, 50 a second, so 10,000 tickets take over 3 minutes to come up.
    let side_open = size.pick(10, 1_000, 1_000);
    let messages = size.pick(100, 5_000, 20_000);
    let budget = size.pick(
        Duration::from_millis(50),
        Duration::from_secs(2),
        Duration::from_secs(5),
    );
    println!("== 2. message throughput: {messages} messages, event → row ==");
    println!("  {:<62} {:>11} {:>9}", "", "messages/s", "vs base");
    let intended = Pragmas {
        journal: "WAL",
        synchronous: "NORMAL",
        unindexed: false,
    };
    let single = raw_inserts(open, &intended, 1, budget).await;
    let row = |label: &str, rate: f64| {
        println!(
            "  {label:<62} {rate:>11.0} {:>9}",
            stats::ratio(rate, single)
        )
    };
    row(
        "baseline: raw inserts, WAL + synchronous=NORMAL, 1 per txn",
        single,
    );
    row(
        "reference: the same, 100 rows per transaction",
        raw_inserts(open, &intended, 100, budget).await,
    );
    let unindexed = Pragmas {
        unindexed: true,
        ..intended
    };
    row(
        "reference: the same without the search index, 1 per txn",
        raw_inserts(open, &unindexed, 1, budget).await,
    );
    let wal_full = Pragmas {
        journal: "WAL",
        synchronous: "FULL",
        unindexed: false,
    };
    row(
        "reference: raw inserts, WAL + synchronous=FULL, 1 per txn",
        raw_inserts(open, &wal_full, 1, budget).await,
    );
    let rollback = Pragmas {
        journal: "DELETE",
        synchronous: "FULL",
        unindexed: false,
    };
    row(
        "reference: raw inserts, DELETE + synchronous=FULL, 1 per txn",
        raw_inserts(open, &rollback, 1, budget).await,
    );
    let events = size.pick(200, 20_000, 60_000);
    let (emulated, replayed) = event_ceilings(events).await;
    row(
        "reference: emulator → bare twilight shard (events/s)",
        emulated,
    );
    row(
        "reference: replay gateway → bare twilight shard (events/s)",
        replayed,
    );

    let runs = [
        ("bot via replay, SQLite", open, Source::Replay),
        ("bot via replay, SQLite", side_open, Source::Replay),
        ("bot via emulator, SQLite", side_open, Source::Emulator),
    ];
    for (label, tickets, source) in runs {
        let outcome = bot_throughput(TestDb::sqlite(), tickets, messages, source).await;
        row(&format!("{label}, {tickets} open"), outcome.rate);
        outcome.describe(size);
    }
    match postgres_or_skip("load: throughput on PostgreSQL") {
        Some(pg) => {
            let outcome = bot_throughput(pg, open, messages, Source::Replay).await;
            row(
                &format!("bot via replay, PostgreSQL, {open} open"),
                outcome.rate,
            );
            outcome.describe(size);
        }
        None => println!("  bot, PostgreSQL: skipped (TICKETBOT_TEST_POSTGRES is not set)"),
    }
    println!("  goal: ≥ 20,000 messages/s on SQLite, stored == sent");
}

/// SQLite settings of a raw-insert baseline, applied with `batch_execute` (every statement).
struct Pragmas {
    journal: &'static str,
    synchronous: &'static str,
    /// Without the trigger that keeps the panel's message search index.
    unindexed: bool,
}

struct Outcome {
    settings: String,
    sent: usize,
    stored: usize,
    /// Building and sending every event (emulator only; the replay sends prepared frames).
    sending: Option<Duration>,
    /// First event sent until the last row stored.
    elapsed: Duration,
    rate: f64,
}

impl Outcome {
    fn describe(&self, size: Size) {
        let sending = match self.sending {
            Some(took) => format!(
                "sent in {} ({:.0}/s)",
                stats::fmt_duration(took),
                stats::per_second(self.sent, took)
            ),
            None => "frames prepared beforehand".to_owned(),
        };
        println!(
            "    {}; {sending}; stored {} of {}; last row after {}",
            self.settings,
            self.stored,
            self.sent,
            stats::fmt_duration(self.elapsed)
        );
        if self.stored < self.sent {
            println!(
                "    LOST: {} messages never stored",
                self.sent - self.stored
            );
        } else if self.stored > self.sent {
            println!(
                "    EXTRA: {} more rows than messages sent",
                self.stored - self.sent
            );
        }
        if size == Size::Smoke {
            assert_eq!(self.stored, self.sent, "every message sent is stored, once");
        }
    }
}

/// The bot started with `ticketbot::app::run` against the emulator's REST and `gateway`.
struct AppBot {
    db: Db,
    stop: Option<oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<ticketbot::Result<()>>,
}

impl AppBot {
    fn start(env: HashMap<String, String>, db: Db) -> Self {
        let config =
            ticketbot::Config::from_lookup(|key| env.get(key).cloned()).expect("valid bot config");
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(ticketbot::app::run(config, Part::Bot, async {
            let _ = stopped.await;
        }));
        Self {
            db,
            stop: Some(stop),
            handle,
        }
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), self.handle).await;
    }
}

async fn bot_throughput(test_db: TestDb, open: usize, messages: usize, source: Source) -> Outcome {
    let emu = guild().await;
    let db = Db::connect(&test_db.url).await.expect("database");
    let seed = TicketSeed {
        channels: Channels::Emulator,
        members: true,
        ..TicketSeed::open(open)
    };
    let tickets: Vec<Seeded> = fixture::seed(Some(&emu), &db, &seed).await;
    let targets: Vec<(u64, u64)> = tickets.iter().map(|t| (t.channel, t.opener)).collect();
    let frames = match source {
        Source::Replay => {
            // Captured outside the tickets, so the bot has nothing to catch up on.
            let outside = emu.spec().support_channel;
            let template = capture_message_event(&emu, outside, targets[0].1).await;
            replay::message_frames(&template, &targets, messages)
        }
        Source::Emulator => Vec::new(),
    };

    // Start the bot and wait until every ticket actor runs.
    let (emu_bot, app_bot, gateway) = match source {
        Source::Emulator => {
            drop(db);
            (Some(TestBot::launch(emu, test_db, &[]).await), None, None)
        }
        Source::Replay => {
            let gateway = ReplayGateway::start(&emu).await;
            let env = bot_env(&emu, &test_db, &[("DISCORD_GATEWAY_URL", gateway.url())]);
            let bot = AppBot::start(env, db);
            tokio::time::timeout(Duration::from_secs(30), gateway.identified())
                .await
                .expect("the bot connects to the replay gateway");
            (None, Some((bot, emu, test_db)), Some(gateway))
        }
    };
    let db = match (&emu_bot, &app_bot) {
        (Some(bot), _) => bot.db.clone(),
        (_, Some((bot, _, _))) => bot.db.clone(),
        _ => unreachable!("one bot runs"),
    };
    let prefix = fixture::live_actor_prefix(Duration::from_secs(10)).await;
    fixture::wait_actors_running(&prefix, open, Duration::from_secs(900)).await;
    let before = fixture::count_messages(&db).await as usize;
    let settings = if db.is_sqlite() {
        fixture::sqlite_settings(&db).await
    } else {
        "PostgreSQL".to_owned()
    };

    let started = Instant::now();
    let (last, sending) = match (&emu_bot, &gateway) {
        (Some(bot), _) => {
            let mut last = 0;
            for k in 0..messages {
                let (channel, author) = targets[k % open];
                last = bot
                    .emu
                    .user_message(author, channel, &format!("Nachricht {k} im Ticket"))
                    .await;
                if k % 64 == 63 {
                    // Let the websocket writer and the bot run; the sender stays ahead anyway.
                    tokio::task::yield_now().await;
                }
            }
            (last, Some(started.elapsed()))
        }
        (_, Some(gateway)) => {
            let last = frames.last().map_or(0, |f| replay::message_id(f));
            gateway.send(frames);
            (last, None)
        }
        _ => unreachable!("one source"),
    };
    let stored = wait_stored(&db, last, before, messages).await;
    let elapsed = started.elapsed();
    if let Some(mut bot) = emu_bot {
        bot.shutdown().await;
    }
    if let Some((bot, _emu, _test_db)) = app_bot {
        bot.shutdown().await;
    }
    Outcome {
        settings,
        sent: messages,
        stored,
        sending,
        elapsed,
        rate: stats::per_second(stored, elapsed),
    }
}

/// Waits until `expected` rows were added to the `before` ones; gives up when nothing new
/// arrived for 15 s. Returns how many were added.
async fn wait_stored(db: &Db, last: u64, before: usize, expected: usize) -> usize {
    let mut progress = (0, Instant::now());
    let mut counted = Instant::now();
    loop {
        // Cheap check often (one primary-key lookup), the full count now and then.
        let last_in = fixture::message_stored(db, last).await;
        let since = counted.elapsed();
        if (last_in && since > Duration::from_millis(20)) || since > Duration::from_millis(500) {
            let stored = fixture::count_messages(db).await as usize - before;
            counted = Instant::now();
            if stored >= expected {
                return stored;
            }
            if stored != progress.0 {
                progress = (stored, Instant::now());
            } else if progress.1.elapsed() > Duration::from_secs(15) {
                return stored;
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The bot's insert query (`queries::insert_message`), `per_transaction` rows per
/// transaction, on one connection with `pragmas`, into a database with the same tickets, for
/// `budget`; returns rows per second.
async fn raw_inserts(
    open: usize,
    pragmas: &Pragmas,
    per_transaction: usize,
    budget: Duration,
) -> f64 {
    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.expect("database");
    fixture::seed(None, &db, &TicketSeed::open(open)).await;
    drop(db);
    let path = test_db.url.trim_start_matches("sqlite://").to_owned();
    let setup = format!(
        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = {}; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON;{}",
        pragmas.journal,
        pragmas.synchronous,
        if pragmas.unindexed {
            " DROP TRIGGER messages_search_insert;"
        } else {
            ""
        }
    );
    let (rows, elapsed) = tokio::task::spawn_blocking(move || {
        let mut conn = DbConn::establish(&path).expect("open the database");
        conn.batch_execute(&setup).expect("pragmas");
        let started = Instant::now();
        let mut written = 0;
        while started.elapsed() < budget {
            conn.transaction(|conn| {
                for k in written..written + per_transaction {
                    let row = fixture::message_row(
                        OLD_MESSAGE_BASE + 1 + k as i64,
                        (k % open) as i64 + 1,
                        fixture::OPENER_BASE as i64,
                        k,
                    );
                    queries::insert_message(conn, &row)?;
                }
                Ok::<_, ticketbot::Error>(())
            })
            .expect("insert");
            written += per_transaction;
        }
        (written, started.elapsed())
    })
    .await
    .expect("raw inserts");
    let db = Db::connect(&test_db.url).await.expect("database");
    assert_eq!(fixture::count_messages(&db).await as usize, rows);
    stats::per_second(rows, elapsed)
}

/// A bare twilight shard on the emulator: the MESSAGE_CREATE event the emulator sends for a
/// message of `author` in `channel`, as JSON.
async fn capture_message_event(emu: &DiscordEmu, channel: u64, author: u64) -> Value {
    let (shard, counter) = counting_shard(emu.gateway_url(), emu.bot_token(), usize::MAX);
    assert!(emu.wait_connected(Duration::from_secs(10)).await);
    emu.user_message(author, channel, "Vorlage").await;
    let event = emu
        .gateway_events()
        .into_iter()
        .rev()
        .find(|(name, _)| name == "MESSAGE_CREATE")
        .map(|(_, data)| data)
        .expect("the emulator sent MESSAGE_CREATE");
    shard.abort();
    drop(counter);
    event
}

/// A twilight shard that only counts MESSAGE_CREATE events; the receiver gets the moment the
/// `expected`-th arrived.
fn counting_shard(
    gateway_url: String,
    token: &str,
    expected: usize,
) -> (tokio::task::JoinHandle<()>, oneshot::Receiver<Instant>) {
    let config = ConfigBuilder::new(
        token.to_owned(),
        Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT,
    )
    .proxy_url(gateway_url)
    .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let (done_tx, done_rx) = oneshot::channel();
    let task = tokio::spawn(async move {
        let mut seen = 0;
        let mut done = Some(done_tx);
        while let Some(item) = shard.next_event(EventTypeFlags::MESSAGE_CREATE).await {
            if let Ok(Event::MessageCreate(_)) = item {
                seen += 1;
                if seen == expected
                    && let Some(done) = done.take()
                {
                    let _ = done.send(Instant::now());
                }
            }
        }
    });
    (task, done_rx)
}

/// Events per second that reach a bare twilight shard, from the emulator (built while the
/// clock runs) and from the replay gateway (prepared frames): the most each source can show.
async fn event_ceilings(messages: usize) -> (f64, f64) {
    let emu = DiscordEmu::start(GuildSpec::default()).await;
    let author = 6_100_000_000_000_002;
    emu.add_member(author, "schreiber", None, &[]);
    let channel = emu.create_text_channel("zaehler", None);

    let (shard, done) = counting_shard(emu.gateway_url(), emu.bot_token(), messages);
    assert!(emu.wait_connected(Duration::from_secs(10)).await);
    let started = Instant::now();
    for k in 0..messages {
        emu.user_message(author, channel, &format!("Nachricht {k} im Ticket"))
            .await;
        if k % 64 == 63 {
            tokio::task::yield_now().await;
        }
    }
    let finished = tokio::time::timeout(Duration::from_secs(120), done)
        .await
        .expect("the shard receives every event")
        .expect("counter alive");
    shard.abort();
    let emulated = stats::per_second(messages, finished - started);

    let template = emu
        .gateway_events()
        .into_iter()
        .rev()
        .find(|(name, _)| name == "MESSAGE_CREATE")
        .map(|(_, data)| data)
        .expect("a MESSAGE_CREATE event");
    let frames = replay::message_frames(&template, &[(channel, author)], messages);
    let gateway = ReplayGateway::start(&emu).await;
    let (shard, done) = counting_shard(gateway.url().to_owned(), emu.bot_token(), messages);
    tokio::time::timeout(Duration::from_secs(10), gateway.identified())
        .await
        .expect("the shard connects to the replay gateway");
    let started = Instant::now();
    gateway.send(frames);
    let finished = tokio::time::timeout(Duration::from_secs(120), done)
        .await
        .expect("the shard receives every frame")
        .expect("counter alive");
    shard.abort();
    (emulated, stats::per_second(messages, finished - started))
}
