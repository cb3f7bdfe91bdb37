//! What the scenarios share: tickets written straight into the database (and their channels
//! into the emulator) so that thousands of open tickets exist in seconds, and ways to see that
//! the bot took them over.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use ractor::ActorStatus;
use ticketbot::db::models::Message;
use ticketbot::db::schema::{messages, tickets, transcripts};
use ticketbot::db::{Db, DbConn, now_ms};

use crate::support::discord::DiscordEmu;

/// Opener `i` of the seeded tickets has user id `OPENER_BASE + i`.
pub const OPENER_BASE: u64 = 7_000_000_000_000_000_000;
/// Channel ids for tickets whose channel the emulator does not know (nothing touches it).
const FAKE_CHANNEL_BASE: u64 = 1_300_000_000_000_000_000;
/// Ids of messages written straight into the database: snowflakes from 2024, older than any
/// id the emulator hands out, so a backfill finds nothing newer in an empty channel.
pub const OLD_MESSAGE_BASE: i64 = 1_190_000_000_000_000_000;
const FAKE_WELCOME_BASE: i64 = 1_180_000_000_000_100_000;

/// Runs `$body` with `$c` bound to the concrete diesel connection inside a [`DbConn`].
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            DbConn::Sqlite($c) => $body,
            DbConn::Postgres($c) => $body,
        }
    };
}

#[derive(Insertable)]
#[diesel(table_name = tickets)]
struct SeedTicket {
    id: i64,
    opener_id: i64,
    opener_name: String,
    channel_id: Option<i64>,
    status: &'static str,
    claimed_by: Option<i64>,
    claimed_by_name: Option<String>,
    welcome_message_id: Option<i64>,
    created_at: i64,
    ai_state: &'static str,
}

#[derive(Insertable)]
#[diesel(table_name = transcripts)]
struct SeedTranscript {
    ticket_id: i64,
    reason: &'static str,
    created_at: i64,
    message_count: i32,
    body_text: String,
}

/// What tickets to create.
#[derive(Debug, Clone)]
pub struct TicketSeed {
    pub count: usize,
    /// `tickets.status` of every ticket (or a mix, see [`TicketSeed::mixed_status`]).
    pub status: &'static str,
    /// `tickets.ai_state`: `handed_over` keeps the secretary out of the measurement.
    pub ai_state: &'static str,
    /// Where each ticket's channel is.
    pub channels: Channels,
    /// Add each opener as a guild member (needed to write or click as them).
    pub members: bool,
    /// Give each ticket a (made-up) welcome message id; without one the bot posts the welcome
    /// message when it takes the ticket over.
    pub welcome: bool,
    /// Messages per ticket already stored (the bot then backfills each channel at start).
    pub history: usize,
    /// Most tickets closed or deleted, every tenth open, as in a long-running server.
    pub mixed_status: bool,
    /// A transcript for every closed or deleted ticket.
    pub transcripts: bool,
    /// Post each ticket's welcome message (with the staff buttons) into its channel through
    /// our own REST client, as the bot would have, so buttons can be clicked without the bot
    /// posting thousands of messages through its rate limiter first. Needs `channels`.
    pub post_welcomes: bool,
}

impl TicketSeed {
    /// Open tickets the secretary already handed over: storing their messages is all the bot
    /// does with them.
    pub fn open(count: usize) -> Self {
        Self {
            count,
            status: "open",
            ai_state: "handed_over",
            channels: Channels::Unknown,
            members: false,
            welcome: true,
            history: 0,
            mixed_status: false,
            transcripts: false,
            post_welcomes: false,
        }
    }
}

/// Where the seeded tickets' channels are. Every actor of an open ticket with a channel asks
/// Discord for the channel's history when it starts (since its newest stored message, or its
/// welcome message), and twilight lets 50 such requests a second through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channels {
    /// Created in the emulator (needed to write in them or click there).
    Emulator,
    /// A channel id the emulator does not know (the history request fails with 404).
    Unknown,
    /// No channel: the actor makes no Discord request at all; isolates the local costs.
    None,
}

/// A seeded ticket as the scenarios use it.
#[derive(Debug, Clone, Copy)]
pub struct Seeded {
    pub id: i64,
    pub opener: u64,
    pub channel: u64,
}

/// Writes `seed.count` tickets (ids 1..=count) and their channels and members.
pub async fn seed(emu: Option<&DiscordEmu>, db: &Db, seed: &TicketSeed) -> Vec<Seeded> {
    let now = now_ms();
    let poster = match (emu, seed.post_welcomes) {
        (Some(emu), true) => Some(unlimited_client(emu)),
        _ => None,
    };
    let components = ticketbot::tickets::buttons::staff_button_row();
    let mut list = Vec::with_capacity(seed.count);
    let mut rows = Vec::with_capacity(seed.count);
    for i in 0..seed.count {
        let id = i as i64 + 1;
        let opener = OPENER_BASE + i as u64;
        let channel = match (emu, seed.channels) {
            (Some(emu), Channels::Emulator) => {
                emu.create_text_channel(&format!("spieler{i}-{id}"), Some(emu.spec().created_cat))
            }
            _ => FAKE_CHANNEL_BASE + i as u64,
        };
        if let (Some(emu), true) = (emu, seed.members) {
            emu.add_member(opener, &format!("spieler{i}"), None, &[]);
        }
        let welcome = match &poster {
            Some(http) => Some(
                http.create_message(twilight_model::id::Id::new(channel))
                    .content(&format!("<@{opener}>"))
                    .components(&components)
                    .await
                    .expect("post a welcome message")
                    .model()
                    .await
                    .expect("welcome message")
                    .id
                    .get() as i64,
            ),
            None => seed.welcome.then_some(FAKE_WELCOME_BASE + id),
        };
        let status = if seed.mixed_status {
            match i % 10 {
                0 => "open",
                1..=6 => "closed",
                _ => "deleted",
            }
        } else {
            seed.status
        };
        rows.push(SeedTicket {
            id,
            opener_id: opener as i64,
            opener_name: format!("Spieler {i}"),
            channel_id: (seed.channels != Channels::None).then_some(channel as i64),
            status,
            claimed_by: None,
            claimed_by_name: None,
            welcome_message_id: welcome,
            created_at: now - (seed.count - i) as i64 * 1_000,
            ai_state: seed.ai_state,
        });
        list.push(Seeded {
            id,
            opener,
            channel,
        });
    }
    let history = seed.history;
    let with_transcripts = seed.transcripts;
    db.write(move |conn| {
        on_conn!(conn, |c| {
            for chunk in rows.chunks(500) {
                diesel::insert_into(tickets::table)
                    .values(chunk)
                    .execute(c)?;
            }
        });
        let mut next_message = OLD_MESSAGE_BASE;
        let mut batch = Vec::with_capacity(500);
        for ticket in &rows {
            for k in 0..history {
                next_message += 1;
                batch.push(message_row(next_message, ticket.id, ticket.opener_id, k));
                if batch.len() == 500 {
                    insert_messages(conn, &batch)?;
                    batch.clear();
                }
            }
        }
        insert_messages(conn, &batch)?;
        if with_transcripts {
            let done: Vec<SeedTranscript> = rows
                .iter()
                .filter(|t| t.status != "open")
                .map(|t| SeedTranscript {
                    ticket_id: t.id,
                    reason: "close",
                    created_at: now,
                    message_count: history as i32,
                    body_text: "[transcript]".repeat(20),
                })
                .collect();
            on_conn!(conn, |c| {
                for chunk in done.chunks(500) {
                    diesel::insert_into(transcripts::table)
                        .values(chunk)
                        .execute(c)?;
                }
            });
        }
        if let DbConn::Postgres(c) = conn {
            // Explicit ids leave the sequence behind; tickets the bot opens later need it.
            diesel::sql_query(
                "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets))",
            )
            .execute(c)?;
        }
        Ok(())
    })
    .await
    .expect("seed tickets");
    list
}

/// `count` messages by the opener in ticket `ticket_id`, ids from `first_id` on.
pub async fn seed_messages(db: &Db, ticket_id: i64, author: i64, first_id: i64, count: usize) {
    db.write(move |conn| {
        let mut batch = Vec::with_capacity(500);
        for k in 0..count {
            batch.push(message_row(first_id + k as i64, ticket_id, author, k));
            if batch.len() == 500 {
                insert_messages(conn, &batch)?;
                batch.clear();
            }
        }
        insert_messages(conn, &batch)
    })
    .await
    .expect("seed messages");
}

fn insert_messages(conn: &mut DbConn, batch: &[Message]) -> ticketbot::Result<()> {
    if !batch.is_empty() {
        on_conn!(conn, |c| {
            diesel::insert_into(messages::table)
                .values(batch)
                .execute(c)?;
        });
    }
    Ok(())
}

/// A stored message of typical length (a sentence or two, some markdown).
pub fn message_row(id: i64, ticket_id: i64, author_id: i64, k: usize) -> Message {
    Message {
        id,
        ticket_id,
        author_id,
        author_name: "Spieler".to_owned(),
        author_avatar: None,
        author_is_bot: false,
        is_ai: false,
        content: format!(
            "Nachricht {k}: Ich wurde gestern **ohne Grund** gebannt, meine Spieler-ID ist 7656119{k:010}. Bitte prüft das."
        ),
        embeds: "[]".to_owned(),
        attachments: "[]".to_owned(),
        created_at: now_ms(),
        edited_at: None,
        deleted_at: None,
    }
}

/// A REST client with the bot's token and no rate limiter, for setting the scene.
pub fn unlimited_client(emu: &DiscordEmu) -> twilight_http::Client {
    twilight_http::Client::builder()
        .token(emu.bot_token().to_owned())
        .proxy(emu.http_proxy(), true)
        .ratelimiter(None)
        .build()
}

/// `journal_mode` and `synchronous` as a connection of `db`'s pool has them.
pub async fn sqlite_settings(db: &Db) -> String {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Sync {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }
    db.run(|conn| {
        let mode = diesel::sql_query("PRAGMA journal_mode").load::<Mode>(conn)?;
        let sync = diesel::sql_query("PRAGMA synchronous").load::<Sync>(conn)?;
        let sync = match sync.first().map(|s| s.synchronous) {
            Some(0) => "OFF",
            Some(1) => "NORMAL",
            Some(2) => "FULL",
            Some(3) => "EXTRA",
            _ => "?",
        };
        Ok(format!(
            "journal_mode={}, synchronous={sync}",
            mode.first().map_or("?", |m| m.journal_mode.as_str())
        ))
    })
    .await
    .expect("read SQLite settings")
}

pub async fn count_messages(db: &Db) -> i64 {
    db.run(|conn| Ok(messages::table.count().get_result::<i64>(conn)?))
        .await
        .expect("count messages")
}

pub async fn message_stored(db: &Db, id: u64) -> bool {
    let id = id as i64;
    db.run(move |conn| {
        Ok(messages::table
            .find(id)
            .select(messages::id)
            .first::<i64>(conn)
            .optional()?
            .is_some())
    })
    .await
    .expect("look up a message")
}

/// The name prefix of the bot that runs now: `""` for the first bot of the process,
/// `bot2/`, `bot3/`, … for later ones. Found through its supervisor's registered name.
pub async fn live_actor_prefix(timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let found = ractor::registry::registered()
            .into_iter()
            .filter(|name| name.ends_with("tickets"))
            .filter_map(|name| {
                let prefix = name.strip_suffix("tickets")?.to_owned();
                let number = prefix
                    .strip_prefix("bot")
                    .and_then(|n| n.strip_suffix('/'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1);
                Some((number, prefix))
            })
            .max();
        if let Some((_, prefix)) = found {
            return prefix;
        }
        assert!(Instant::now() < deadline, "no ticket supervisor appeared");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Waits until the actors of tickets `1..=count` have finished starting (ractor marks an
/// actor `Running` after its `post_start`). Polls cheaply: each actor is checked until it runs,
/// then never again.
pub async fn wait_actors_running(prefix: &str, count: usize, timeout: Duration) -> Duration {
    let started = Instant::now();
    let mut next = 1;
    while next <= count {
        if actor_running(&format!("{prefix}ticket:{next}")) {
            next += 1;
            continue;
        }
        assert!(
            started.elapsed() < timeout,
            "ticket actor {next} of {count} not running after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    started.elapsed()
}

pub fn actor_running(name: &str) -> bool {
    ractor::registry::where_is(name).is_some_and(|a| a.get_status() == ActorStatus::Running)
}

/// Resident set size of this process (KiB), from `/proc/self/status`.
pub fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix(field)?
                    .trim_start_matches(':')
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}

/// `nproc`, CPU model and memory, for the report header.
pub fn machine_line() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("MemTotal"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .unwrap_or(0);
    format!(
        "machine: {cpus} CPUs ({model}), {:.1} GiB memory",
        memory as f64 / 1024.0 / 1024.0
    )
}

/// The fault-injection panics (and the bench's own bare-actor panics) are expected by the
/// thousand; their messages would bury the report. Other panics print as usual.
pub fn quiet_fault_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if text.contains("fault injection") || text.contains("load tool:") {
            return;
        }
        default(info);
    }));
}
