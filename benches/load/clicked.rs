//! Scenario 3b, memory of tickets opened by clicks: a real `ticketbot bot` process, members
//! clicking "Ticket erstellen" one after another; the RSS growth over the second half of the
//! clicks (the first half warms pools, caches and buffers), as KiB per ticket. Baseline: the
//! same process's growth per ticket when the tickets start from the database (scenario 3).

use std::time::Duration;

use crate::Size;
use crate::support::app::{bot_env, guild, post_open_button};
use crate::support::binary::{binary_logged_in, spawn_binary};
use crate::support::db::TestDb;

/// The first member id of the clicking crowd (ids of the test guild's own members are lower).
const FIRST_MEMBER: u64 = 7_000_000_000_000_001;

pub struct Clicked {
    pub tickets: usize,
    /// RSS after the first half of the clicks and after all of them (KiB).
    pub rss_half_kib: u64,
    pub rss_all_kib: u64,
}

impl Clicked {
    pub fn per_ticket_kib(&self) -> f64 {
        let second_half = (self.tickets - self.tickets / 2).max(1);
        (self.rss_all_kib as f64 - self.rss_half_kib as f64) / second_half as f64
    }
}

/// Clicks to make instead of the default, e.g. `LOAD_CLICKED_TICKETS=1000`.
const COUNT_VAR: &str = "LOAD_CLICKED_TICKETS";

pub fn count(size: Size) -> usize {
    std::env::var(COUNT_VAR)
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .filter(|n| *n >= 2)
        .unwrap_or_else(|| size.pick(20, 200, 400))
}

/// Opens `tickets` tickets by clicks in a bot process of their own, one at a time (each waits
/// for its welcome), and reads the process's RSS at half and at the end.
pub async fn measure(tickets: usize, settle: Duration) -> Clicked {
    let emu = guild().await;
    for n in 0..tickets as u64 {
        emu.add_member(FIRST_MEMBER + n, &format!("spieler{n}"), None, &[]);
    }
    let test_db = TestDb::sqlite();
    let mut env = bot_env(&emu, &test_db, &[("RUST_LOG", "warn")]);
    // Allocator settings to compare with, passed on to the bot (its environment is cleared).
    for key in ["MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_"] {
        if let Ok(value) = std::env::var(key) {
            env.insert(key.into(), value);
        }
    }
    let bot = spawn_binary(&env);
    binary_logged_in(&emu).await;
    let button = post_open_button(&emu).await;
    let support = emu.spec().support_channel;
    let mut rss_half_kib = 0;
    for n in 0..tickets {
        if n == tickets / 2 {
            tokio::time::sleep(settle).await;
            rss_half_kib = rss_of(bot.id());
        }
        emu.click_button(FIRST_MEMBER + n as u64, support, button, "ticket:open")
            .await;
        let created = emu.spec().created_cat;
        let opened = emu
            .wait_for(Duration::from_secs(60), |e| {
                e.channels_in(created).into_iter().find(|c| {
                    e.messages(c.id)
                        .iter()
                        .any(|m| m.button("ticket:claim").is_some())
                })
            })
            .await
            .unwrap_or_else(|| panic!("ticket {} opened; bot log:\n{}", n + 1, bot.log()));
        // Discord holds 50 channels in a category; the opened ones make room for the next.
        emu.move_out_of_category(opened.id);
    }
    tokio::time::sleep(settle).await;
    Clicked {
        tickets,
        rss_half_kib,
        rss_all_kib: rss_of(bot.id()),
    }
}

/// VmRSS of process `pid` (KiB).
fn rss_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmRSS:")?
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}
