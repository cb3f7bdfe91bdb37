//! Scenario 7, the idle cost of inactivity auto-close: memory per open ticket and the CPU time
//! a fresh bot process uses while 10,000 open tickets idle, once as today (auto-close off) and
//! once with `AUTO_CLOSE_AFTER=48h`, where every ticket's actor holds an armed timer. Both in
//! the same run; the difference is what the timers cost.

use std::time::Duration;

use ticketbot::db::Db;

use crate::Size;
use crate::child::{self, IDLE_WINDOW_VAR, Kind, Report};
use crate::fixture::{self, Channels, TicketSeed};
use crate::support::app::bot_env;
use crate::support::db::TestDb;
use crate::support::discord::{DiscordEmu, GuildSpec};

pub async fn run(size: Size) {
    let count = size.pick(10, 10_000, 10_000);
    let window = size.pick(
        Duration::from_millis(50),
        Duration::from_secs(5),
        Duration::from_secs(10),
    );
    let settle = size.pick(
        Duration::from_millis(10),
        Duration::from_millis(500),
        Duration::from_secs(1),
    );
    println!(
        "== 7. idle with auto-close: {count} open tickets, RSS and CPU time over {} idle ==",
        crate::stats::fmt_duration(window)
    );
    println!(
        "  {:<44} {:>9} {:>11} {:>13} {:>11} {:>9}",
        "", "tickets", "RSS", "KiB/ticket", "CPU idle", "of 1 core"
    );
    let zero = measure(0, settle, window, &[]).await;
    line("bot, 0 tickets", 0, &zero, None);
    let off = measure(count, settle, window, &[]).await;
    let off_per = per_ticket(&off, &zero, count);
    line("bot, auto-close off (today)", count, &off, Some(off_per));
    let on = measure(count, settle, window, &[("AUTO_CLOSE_AFTER", "48h")]).await;
    let on_per = per_ticket(&on, &zero, count);
    line(
        "bot, AUTO_CLOSE_AFTER=48h (timers armed)",
        count,
        &on,
        Some(on_per),
    );
    println!(
        "    auto-close's share per ticket (on − off): {:.2} KiB; idle CPU on − off: {} ms",
        on_per - off_per,
        cpu(&on) as i64 - cpu(&off) as i64
    );
    println!("  goal: timers cost little memory and no idle CPU (no sweep over all tickets)");
}

fn cpu(report: &Report) -> u64 {
    report.idle_cpu_ms.map_or(0, |(cpu, _)| cpu)
}

fn line(label: &str, count: usize, report: &Report, per: Option<f64>) {
    let (cpu, window) = report.idle_cpu_ms.unwrap_or((0, 0));
    println!(
        "  {label:<44} {count:>9} {:>11} {:>13} {:>11} {:>9}",
        format!("{:.1} MiB", report.rss_kib as f64 / 1024.0),
        per.map_or("-".to_owned(), |p| format!("{p:.2}")),
        format!("{cpu} ms"),
        format!("{:.2}%", cpu as f64 * 100.0 / window.max(1) as f64),
    );
}

fn per_ticket(with: &Report, without: &Report, count: usize) -> f64 {
    (with.rss_kib as f64 - without.rss_kib as f64) / count.max(1) as f64
}

/// A fresh bot process with `count` open tickets, secretary listening, no channels (no
/// Discord requests while the actors start), and `extra` settings.
async fn measure(
    count: usize,
    settle: Duration,
    window: Duration,
    extra: &[(&str, &str)],
) -> Report {
    let emu = DiscordEmu::start(GuildSpec::default()).await;
    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.expect("database");
    let seed = TicketSeed {
        ai_state: "active",
        channels: Channels::None,
        ..TicketSeed::open(count)
    };
    fixture::seed(None, &db, &seed).await;
    drop(db);
    let window_ms = window.as_millis().to_string();
    let mut extra = extra.to_vec();
    extra.push((IDLE_WINDOW_VAR, &window_ms));
    let env: Vec<(String, String)> = bot_env(&emu, &test_db, &extra).into_iter().collect();
    let report =
        tokio::task::spawn_blocking(move || child::measure(Kind::Bot, count, settle, &env))
            .await
            .expect("child");
    drop(test_db);
    report
}
