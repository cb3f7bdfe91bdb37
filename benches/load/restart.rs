//! Scenario 4, actor restart: a message with the fault-injection text makes the ticket actor
//! panic after storing it; the next message of that channel, sent right behind it, is stored
//! only by the restarted actor (from its mailbox hand-over or its history backfill). The time
//! from sending the panic message to that row being in the database is the restart time.
//! Each sample crashes a different ticket (a ticket crashing 5 times a minute ends degraded).
//! Since the router queues messages for storage itself, the second message no longer waits
//! for the new actor; the row "restarted actor running" times the restart proper: from the
//! panic message sent until a new actor under the ticket's name has finished `post_start`
//! (ticket reloaded from the database, history catch-up started, queued messages flushed).
//!
//! Baselines, same run: the same two messages without a crash (how long storing takes
//! anyway), and a bare ractor supervisor restarting a panicked bare actor until it answers.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};
use ticketbot::db::Db;
use ticketbot::db::schema::messages;
use ticketbot::fault;
use tokio::sync::mpsc;

use crate::Size;
use crate::fixture::{self, Channels, TicketSeed};
use crate::stats::{self, Samples};
use crate::support::app::{TestBot, guild};
use crate::support::db::TestDb;

pub async fn run(size: Size) {
    let samples = size.pick(3, 100, 500);
    let open = size.pick(3, 200, 1_000).max(samples);
    println!("== 4. actor restart: panic message sent → next message stored by the new actor ==");
    let bare = bare_restarts(size.pick(10, 500, 2_000)).await;
    let (calm, crashed, revived) = bot_restarts(open, samples).await;
    stats::latency_header(&["p50 ratio", "p99 ratio"]);
    stats::latency_row(
        "baseline: bare ractor restart + answer",
        &bare,
        &["1.00×".into(), "1.00×".into()],
    );
    let ratios = |s: &Samples| {
        [
            stats::ratio(s.p50().as_secs_f64(), bare.p50().as_secs_f64()),
            stats::ratio(s.p99().as_secs_f64(), bare.p99().as_secs_f64()),
        ]
    };
    stats::latency_row("bot, no crash: 2nd message stored", &calm, &ratios(&calm));
    stats::latency_row(
        "bot, crash: 2nd message stored",
        &crashed,
        &ratios(&crashed),
    );
    stats::latency_row(
        "bot, crash: restarted actor running",
        &revived,
        &ratios(&revived),
    );
    println!(
        "  restart cost over no crash: p50 {}, p99 {}",
        stats::delta(crashed.p50(), calm.p50()),
        stats::delta(crashed.p99(), calm.p99())
    );
    println!("  goal: p99 under 10 ms ({open} open tickets, one crash per ticket)");
}

async fn bot_restarts(open: usize, samples: usize) -> (Samples, Samples, Samples) {
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let path = PathBuf::from(test_db.url.trim_start_matches("sqlite://"));
    let db = Db::connect(&test_db.url).await.expect("database");
    let seed = TicketSeed {
        channels: Channels::Emulator,
        members: true,
        ..TicketSeed::open(open)
    };
    let tickets = fixture::seed(Some(&emu), &db, &seed).await;
    drop(db);
    let mut bot = TestBot::launch(emu, test_db, &[]).await;
    let prefix = fixture::live_actor_prefix(Duration::from_secs(10)).await;
    fixture::wait_actors_running(&prefix, open, Duration::from_secs(300)).await;
    let watcher = RowWatcher::open(&path);

    let mut calm = Vec::with_capacity(samples);
    let mut crashed = Vec::with_capacity(samples);
    let mut revived = Vec::with_capacity(samples);
    for (k, ticket) in tickets.iter().take(samples).enumerate() {
        let emu = &bot.emu;
        let round = Instant::now();
        let started = Instant::now();
        emu.user_message(ticket.opener, ticket.channel, "alles ruhig")
            .await;
        let next = emu
            .user_message(ticket.opener, ticket.channel, &format!("ruhig {k}"))
            .await;
        calm.push(watcher.wait(next, started).await);

        let name = format!("{prefix}ticket:{}", ticket.id);
        let old_actor = ractor::registry::where_is(name.clone()).map(|a| a.get_id());
        let started = Instant::now();
        let successor = tokio::task::spawn_blocking({
            let name = name.clone();
            move || wait_successor(&name, old_actor, started)
        });
        emu.user_message(ticket.opener, ticket.channel, fault::PANIC)
            .await;
        let next = emu
            .user_message(
                ticket.opener,
                ticket.channel,
                &format!("nach dem Absturz {k}"),
            )
            .await;
        crashed.push(watcher.wait(next, started).await);
        revived.push(successor.await.expect("successor watch"));
        // Each restart asks Discord for the channel history once; stay well under the 50
        // requests a second twilight's rate limiter lets through.
        tokio::time::sleep(Duration::from_millis(40).saturating_sub(round.elapsed())).await;
    }
    bot.shutdown().await;
    (
        Samples::new(calm),
        Samples::new(crashed),
        Samples::new(revived),
    )
}

/// Polls ractor's registry every 50 µs until `name` is a running actor other than `old`
/// (its `post_start`, which rebuilds the state from the database, is done); returns the time
/// since `since`.
fn wait_successor(name: &str, old: Option<ractor::ActorId>, since: Instant) -> Duration {
    let deadline = since + Duration::from_secs(20);
    loop {
        let running = ractor::registry::where_is(name).is_some_and(|a| {
            Some(a.get_id()) != old && a.get_status() == ractor::ActorStatus::Running
        });
        if running {
            return since.elapsed();
        }
        assert!(Instant::now() < deadline, "no successor for {name}");
        std::thread::sleep(Duration::from_micros(50));
    }
}

/// Polls the SQLite file for one row every 100 µs on its own connection, on a blocking
/// thread, so the moment a row lands is seen within a fraction of a millisecond.
struct RowWatcher {
    conn: Arc<Mutex<diesel::SqliteConnection>>,
}

impl RowWatcher {
    fn open(path: &std::path::Path) -> Self {
        let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
            .expect("open the database");
        diesel::sql_query("PRAGMA busy_timeout = 10000")
            .execute(&mut conn)
            .expect("busy timeout");
        Self {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    async fn wait(&self, message_id: u64, since: Instant) -> Duration {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|e| e.into_inner());
            let deadline = since + Duration::from_secs(20);
            loop {
                let found = messages::table
                    .find(message_id as i64)
                    .select(messages::id)
                    .first::<i64>(&mut *conn)
                    .optional()
                    .expect("look up the row");
                if found.is_some() {
                    return since.elapsed();
                }
                assert!(
                    Instant::now() < deadline,
                    "message {message_id} never stored"
                );
                std::thread::sleep(Duration::from_micros(100));
            }
        })
        .await
        .expect("watcher thread")
    }
}

// ------------------------------------------------------------------ bare ractor baseline

struct BareChild;

enum BareMsg {
    Panic,
    Ping(RpcReplyPort<()>),
}

impl Actor for BareChild {
    type Msg = BareMsg;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<BareMsg>, _: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        _: ActorRef<BareMsg>,
        message: BareMsg,
        _: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        match message {
            BareMsg::Panic => panic!("load tool: bare actor panics on request"),
            BareMsg::Ping(reply) => {
                let _ = reply.send(());
            }
        }
        Ok(())
    }
}

/// Restarts its child at once when it fails and reports the new child.
struct BareSupervisor;

impl Actor for BareSupervisor {
    type Msg = ();
    type State = mpsc::UnboundedSender<ActorRef<BareMsg>>;
    type Arguments = mpsc::UnboundedSender<ActorRef<BareMsg>>;

    async fn pre_start(
        &self,
        _: ActorRef<()>,
        report: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(report)
    }

    async fn post_start(
        &self,
        myself: ActorRef<()>,
        report: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let (child, _) = Actor::spawn_linked(None, BareChild, (), myself.get_cell()).await?;
        let _ = report.send(child);
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<()>,
        event: SupervisionEvent,
        report: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let SupervisionEvent::ActorFailed(..) = event {
            let (child, _) = Actor::spawn_linked(None, BareChild, (), myself.get_cell()).await?;
            let _ = report.send(child);
        }
        Ok(())
    }
}

async fn bare_restarts(samples: usize) -> Samples {
    let (report, mut children) = mpsc::unbounded_channel();
    let (supervisor, handle) = Actor::spawn(None, BareSupervisor, report)
        .await
        .expect("bare supervisor");
    let mut child = children.recv().await.expect("first child");
    let mut measured = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        let _ = child.cast(BareMsg::Panic);
        child = children.recv().await.expect("restarted child");
        ractor::call_t!(child, BareMsg::Ping, 5_000).expect("restarted child answers");
        measured.push(started.elapsed());
    }
    supervisor.stop(None);
    let _ = handle.await;
    Samples::new(measured)
}
