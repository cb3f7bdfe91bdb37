//! Operator metrics in Prometheus text format: counters kept in the process, ticket counts read
//! from the database at scrape time, and the supervisor's view of the ticket actors. A panel
//! without a bot in its process shows the bot's last report, which `heartbeat` writes.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::db::{Db, now_ms, queries};
use crate::error::Result;

static ACTOR_RESTARTS: AtomicU64 = AtomicU64::new(0);
static DISCORD_RETRIED: AtomicU64 = AtomicU64::new(0);
static DISCORD_FAILED: AtomicU64 = AtomicU64::new(0);
static AI_REQUESTS: AtomicU64 = AtomicU64::new(0);
static AI_FAILURES: AtomicU64 = AtomicU64::new(0);
static AI_LATENCY_MICROS: AtomicU64 = AtomicU64::new(0);
static ACTORS: Mutex<BTreeMap<i64, ActorView>> = Mutex::new(BTreeMap::new());
static BOT_IN_PROCESS: AtomicBool = AtomicBool::new(false);

/// What the supervisor knows of one ticket's actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorView {
    pub alive: bool,
    pub restarts: u64,
    pub degraded: bool,
}

/// The process's counters since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    pub actor_restarts: u64,
    pub discord_retried: u64,
    pub discord_failed: u64,
    pub ai_requests: u64,
    pub ai_failures: u64,
    pub ai_latency_seconds: f64,
}

pub fn counters() -> Counters {
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    Counters {
        actor_restarts: load(&ACTOR_RESTARTS),
        discord_retried: load(&DISCORD_RETRIED),
        discord_failed: load(&DISCORD_FAILED),
        ai_requests: load(&AI_REQUESTS),
        ai_failures: load(&AI_FAILURES),
        ai_latency_seconds: load(&AI_LATENCY_MICROS) as f64 / 1e6,
    }
}

/// This process runs the bot: its own supervisor and counters are the ones to show.
pub fn bot_started() {
    BOT_IN_PROCESS.store(true, Ordering::Relaxed);
}

pub fn bot_in_process() -> bool {
    BOT_IN_PROCESS.load(Ordering::Relaxed)
}

pub fn actor_restarted() {
    ACTOR_RESTARTS.fetch_add(1, Ordering::Relaxed);
}

/// A Discord request that failed and is tried again (`final_failure` false) or given up.
pub fn discord_error(final_failure: bool) {
    let counter = if final_failure {
        &DISCORD_FAILED
    } else {
        &DISCORD_RETRIED
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// One AI request, how long it took and whether it gave a usable answer.
pub fn ai_request(took: Duration, ok: bool) {
    AI_REQUESTS.fetch_add(1, Ordering::Relaxed);
    AI_LATENCY_MICROS.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    if !ok {
        AI_FAILURES.fetch_add(1, Ordering::Relaxed);
    }
}

/// The supervisor publishes each change of a ticket actor here; `None` forgets it.
pub fn set_actor(ticket: i64, view: Option<ActorView>) {
    let mut actors = ACTORS.lock().unwrap_or_else(|e| e.into_inner());
    match view {
        Some(view) => {
            actors.insert(ticket, view);
        }
        None => {
            actors.remove(&ticket);
        }
    }
}

/// Every ticket actor this process supervises, by ticket number.
pub fn actors() -> Vec<(i64, ActorView)> {
    ACTORS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(id, view)| (*id, *view))
        .collect()
}

/// The `bot_settings` key of the bot's report (`heartbeat`).
pub const REPORT_KEY: &str = "bot_report";
/// Actors listed one by one in a report; the others are only counted (100,000 open tickets
/// would make every report megabytes).
const LISTED_MAX: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Unix milliseconds.
    pub written_at: i64,
    pub actors: u64,
    pub actors_alive: u64,
    /// Actors listed one by one, by ticket number: those that restarted, are down or degraded
    /// (the healthy ones are only counted).
    pub listed: Vec<(i64, ActorView)>,
    pub counters: Counters,
    /// Whether the bot's gateway connection was up when it wrote this; `None` in a report of
    /// an older version, or of a process without a bot.
    #[serde(default)]
    pub gateway_connected: Option<bool>,
}

impl Report {
    /// What this process's supervisor and counters say now.
    pub fn of_this_process() -> Self {
        let actors = actors();
        Self {
            written_at: now_ms(),
            actors: actors.len() as u64,
            actors_alive: actors.iter().filter(|(_, a)| a.alive).count() as u64,
            listed: actors
                .into_iter()
                .filter(|(_, a)| !a.alive || a.degraded || a.restarts > 0)
                .take(LISTED_MAX)
                .collect(),
            counters: counters(),
            gateway_connected: None,
        }
    }

    pub fn age(&self) -> Duration {
        Duration::from_millis(now_ms().saturating_sub(self.written_at).max(0) as u64)
    }
}

/// The last report a bot wrote into this database, if any.
pub async fn read(db: &Db) -> Result<Option<Report>> {
    let text = db.run(|conn| queries::setting(conn, REPORT_KEY)).await?;
    Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
}

/// The whole scrape: database counts plus the bot's counters, from this process or, for a
/// panel of its own, from the bot's last report.
pub async fn prometheus(db: &Db) -> Result<String> {
    let counts = db.run(crate::db::queries::status_counts).await?;
    let report = if bot_in_process() {
        Some(Report::of_this_process())
    } else {
        read(db).await?
    };
    let (alive, counters, age) = match &report {
        Some(report) => (report.actors_alive, report.counters, Some(report.age())),
        None => (0, Counters::default(), None),
    };
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, lines: Vec<(String, String)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in lines {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    metric(
        "ticketbot_tickets",
        "gauge",
        "Tickets by status.",
        counts
            .by_status
            .iter()
            .map(|(status, n)| (format!("{{status=\"{status}\"}}"), n.to_string()))
            .collect(),
    );
    metric(
        "ticketbot_tickets_degraded",
        "gauge",
        "Tickets whose actor kept failing and is no longer restarted.",
        vec![(String::new(), counts.degraded.to_string())],
    );
    if let Some(age) = age {
        metric(
            "ticketbot_bot_report_age_seconds",
            "gauge",
            "Age of the bot's figures below (0 when the bot runs in this process).",
            vec![(String::new(), format!("{:.3}", age.as_secs_f64()))],
        );
    }
    metric(
        "ticketbot_actors_alive",
        "gauge",
        "Ticket actors running in the bot.",
        vec![(String::new(), alive.to_string())],
    );
    metric(
        "ticketbot_actor_restarts_total",
        "counter",
        "Ticket actor restarts after a failure.",
        vec![(String::new(), counters.actor_restarts.to_string())],
    );
    metric(
        "ticketbot_discord_request_errors_total",
        "counter",
        "Failed Discord requests: retried, or given up.",
        vec![
            (
                "{outcome=\"retried\"}".into(),
                counters.discord_retried.to_string(),
            ),
            (
                "{outcome=\"failed\"}".into(),
                counters.discord_failed.to_string(),
            ),
        ],
    );
    metric(
        "ticketbot_ai_requests_total",
        "counter",
        "Requests to the AI model.",
        vec![(String::new(), counters.ai_requests.to_string())],
    );
    metric(
        "ticketbot_ai_failures_total",
        "counter",
        "AI requests that failed or gave no usable answer.",
        vec![(String::new(), counters.ai_failures.to_string())],
    );
    metric(
        "ticketbot_ai_latency_seconds_sum",
        "counter",
        "Total time spent waiting for the AI model.",
        vec![(String::new(), format!("{:.6}", counters.ai_latency_seconds))],
    );
    Ok(out)
}
