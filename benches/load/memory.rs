//! Scenario 3, memory per open ticket: RSS of a fresh bot process with 0, 10,000 and 100,000
//! open tickets whose actors idle, as KiB per ticket. Baseline: the same count of bare named
//! ractor actors in a fresh process.

use std::time::Duration;

use ticketbot::db::Db;

use crate::Size;
use crate::child::{self, Kind, Report};
use crate::fixture::{self, Channels, TicketSeed};
use crate::support::app::bot_env;
use crate::support::db::TestDb;
use crate::support::discord::{DiscordEmu, GuildSpec};

/// Ticket counts to measure instead of the defaults, e.g. `LOAD_MEMORY_TICKETS=1000,10000`.
const COUNTS_VAR: &str = "LOAD_MEMORY_TICKETS";

pub async fn run(size: Size) {
    let counts = std::env::var(COUNTS_VAR)
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect::<Vec<usize>>()
        })
        .filter(|list| !list.is_empty())
        .unwrap_or_else(|| size.pick(vec![10], vec![10_000], vec![10_000, 100_000]));
    let settle = size.pick(
        Duration::from_millis(10),
        Duration::from_millis(500),
        Duration::from_secs(1),
    );
    println!("== 3. memory per open ticket: RSS of a fresh process, idle actors ==");
    println!(
        "  {:<44} {:>9} {:>11} {:>11} {:>13} {:>9}",
        "", "tickets", "RSS", "peak RSS", "KiB/ticket", "vs bare"
    );
    let bare_zero = measure_bare(Kind::Bare, 0, settle).await;
    let bot_zero = measure_bot(0, settle).await;
    line("bot, 0 tickets", 0, &bot_zero, None, None);
    for count in counts {
        let bare = measure_bare(Kind::Bare, count, settle).await;
        let bare_per = per_ticket(&bare, &bare_zero, count);
        line(
            "baseline: bare ractor actors",
            count,
            &bare,
            Some(bare_per),
            None,
        );
        let bot = measure_bot(count, settle).await;
        let bot_per = per_ticket(&bot, &bot_zero, count);
        line(
            "bot, open tickets",
            count,
            &bot,
            Some(bot_per),
            Some(bare_per),
        );
        println!(
            "    bot's own share per ticket (bot − bare): {:.1} KiB",
            bot_per - bare_per
        );
    }
    let clicked = crate::clicked::measure(crate::clicked::count(size), settle).await;
    println!(
        "  {:<44} {:>9} {:>11} {:>11} {:>13} {:>9}",
        "bot, tickets opened by clicks (2nd half)",
        clicked.tickets,
        mib(clicked.rss_all_kib),
        mib(clicked.rss_half_kib),
        format!("{:.1}", clicked.per_ticket_kib()),
        "-"
    );
    println!(
        "    (RSS after all clicks, RSS after half of them in the peak column; growth over the second half)"
    );
    println!("  goal: 100,000 open tickets in under 1 GiB RSS; own idle state near 2 KiB/ticket;");
    println!("        a ticket opened by a click under 10 KiB");
}

fn line(label: &str, count: usize, report: &Report, per: Option<f64>, bare: Option<f64>) {
    println!(
        "  {label:<44} {count:>9} {:>11} {:>11} {:>13} {:>9}",
        mib(report.rss_kib),
        mib(report.peak_kib),
        per.map_or("-".to_owned(), |p| format!("{p:.1}")),
        match (per, bare) {
            (Some(p), Some(b)) => crate::stats::ratio(p, b),
            _ => "-".to_owned(),
        }
    );
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn per_ticket(with: &Report, without: &Report, count: usize) -> f64 {
    (with.rss_kib as f64 - without.rss_kib as f64) / count.max(1) as f64
}

async fn measure_bare(kind: Kind, count: usize, settle: Duration) -> Report {
    tokio::task::spawn_blocking(move || child::measure(kind, count, settle, &[]))
        .await
        .expect("child")
}

/// A bot process with `count` open tickets (secretary still listening, as after opening).
/// Their rows carry no channel, so the actors make no Discord request while starting (with a
/// channel each asks for its history, 50 a second); what an idle actor holds is the same.
async fn measure_bot(count: usize, settle: Duration) -> Report {
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
    let env: Vec<(String, String)> = bot_env(&emu, &test_db, &[]).into_iter().collect();
    let report =
        tokio::task::spawn_blocking(move || child::measure(Kind::Bot, count, settle, &env))
            .await
            .expect("child");
    drop(test_db);
    report
}
