//! Scenario 5, the staff panel: requests/s and p99 over real HTTP (loopback, keep-alive,
//! several connections) with a logged-in admin session, against a database with 100,000
//! tickets (most closed or deleted, three messages each, transcripts for the closed ones) and
//! one ticket with 10,000 messages. Pages: the list's page 1, a deep page with a search (by its
//! number, and as the pager links it), a search that matches nothing (every ticket and message
//! scanned), the 10,000-message ticket.
//! Baseline: a Rocket route returning a static string, mounted on the same panel instance.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use ticketbot::Config;
use ticketbot::db::Db;

use crate::Size;
use crate::fixture::{self, OLD_MESSAGE_BASE, TicketSeed};
use crate::stats::{self, Samples};
use crate::support::app::{ADMIN, guild};
use crate::support::db::TestDb;
use crate::support::discord::DiscordEmu;

#[rocket::get("/static")]
fn static_text() -> &'static str {
    "ok"
}

pub async fn run(size: Size) {
    let count = size.pick(200, 20_000, 100_000);
    let long = size.pick(100, 10_000, 10_000);
    let duration = size.pick(
        Duration::from_millis(30),
        Duration::from_secs(1),
        Duration::from_secs(4),
    );
    let connections = 4;
    println!(
        "== 5. panel: {count} tickets, one with {long} messages, {connections} connections, {} per page ==",
        stats::fmt_duration(duration)
    );
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let db = Db::connect(&test_db.url).await.expect("database");
    let seeding = Instant::now();
    let seed = TicketSeed {
        history: 3,
        mixed_status: true,
        transcripts: true,
        ..TicketSeed::open(count)
    };
    let tickets = fixture::seed(None, &db, &seed).await;
    let long_ticket = tickets[1];
    fixture::seed_messages(
        &db,
        long_ticket.id,
        long_ticket.opener as i64,
        OLD_MESSAGE_BASE + 100_000_000,
        long,
    )
    .await;
    println!("  (seeded in {})", stats::fmt_duration(seeding.elapsed()));

    let port = free_port();
    let config = Arc::new(panel_config(&emu, &test_db.url, port));
    let ignited = ticketbot::web::rocket(config, db)
        .mount("/bench", rocket::routes![static_text])
        .ignite()
        .await
        .expect("panel ignites");
    let shutdown = ignited.shutdown();
    let server = tokio::spawn(ignited.launch());
    let base = format!("http://127.0.0.1:{port}");
    let client = http_client();
    wait_listening(&client, &base).await;
    let cookie = login(&client, &emu, &base).await;

    let deep = (count as i64 / ticketbot::web::PAGE_SIZE / 2).max(2);
    // The same deep page as the pager links it: beside the last ticket of the page before.
    let before_deep = format!("/?q=spieler&page={}", deep - 1);
    let pager_deep = older_link(&client, &format!("{base}{before_deep}"), &cookie).await;
    let pages = [
        ("baseline: static Rocket route", "/bench/static".to_owned()),
        ("list, page 1", "/".to_owned()),
        // Searches are never kept: each request renders, like page 1 after a change.
        ("list, page 1 with a search", "/?q=spieler".to_owned()),
        (
            "list, deep page with a search, by number",
            format!("/?q=spieler&page={deep}"),
        ),
        ("list, same page from the pager", pager_deep),
        (
            "list, search without a match",
            "/?q=kein-treffer-xyz".to_owned(),
        ),
        (
            "ticket with the long transcript",
            format!("/tickets/{}", long_ticket.id),
        ),
    ];
    stats::latency_header(&["requests/s", "vs base"]);
    let mut base_rate = 0.0;
    // For a profile of one page: `LOAD_PANEL_ONLY=/` (exactly) or `LOAD_PANEL_ONLY=/tickets/`
    // (contained); the baseline always runs.
    let only = std::env::var("LOAD_PANEL_ONLY").unwrap_or_default();
    for (k, (label, path)) in pages.into_iter().enumerate() {
        let chosen = only.is_empty() || path == only || (only.len() > 1 && path.contains(&only));
        if k > 0 && !chosen {
            continue;
        }
        let url = format!("{base}{path}");
        let (rate, samples) = load(&client, &url, &cookie, connections, duration).await;
        if base_rate == 0.0 {
            base_rate = rate;
        }
        stats::latency_row(
            label,
            &samples,
            &[format!("{rate:.0}"), stats::ratio(rate, base_rate)],
        );
        println!("      {path}");
    }
    println!("  goal: list ≥ 25% of the baseline's requests/s; long ticket p99 < 100 ms");
    shutdown.notify();
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    drop(test_db);
}

/// The panel's configuration against `emu`, listening on `port` (as in `tests/panel.rs`).
fn panel_config(emu: &DiscordEmu, database_url: &str, port: u16) -> Config {
    let mut env: HashMap<String, String> = emu.env_for_bot().into_iter().collect();
    env.insert("DATABASE_URL".into(), database_url.to_owned());
    env.insert(
        "DISCORD_REDIRECT_URI".into(),
        format!("http://127.0.0.1:{port}/callback"),
    );
    env.insert("PANEL_ADDRESS".into(), "127.0.0.1".into());
    env.insert("PANEL_PORT".into(), port.to_string());
    Config::from_lookup(|key| env.get(key).cloned()).expect("valid panel config")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The list page's "Ältere" link (`rel="next"`).
async fn older_link(client: &reqwest::Client, url: &str, cookie: &str) -> String {
    let page = client
        .get(url)
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("list page")
        .text()
        .await
        .expect("list page body");
    let at = page.find("rel=\"next\"").expect("a next link");
    let tag = &page[page[..at].rfind("<a ").expect("an anchor")..at];
    let href = tag
        .split("href=\"")
        .nth(1)
        .and_then(|h| h.split('"').next());
    href.expect("an href")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

fn http_client() -> reqwest::Client {
    ticketbot::app::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

async fn wait_listening(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while client
        .get(format!("{base}/bench/static"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "the panel listens");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Cookies as a browser keeps them: name → value.
#[derive(Default)]
struct Jar(HashMap<String, String>);

impl Jar {
    fn take(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all(SET_COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            let pair = text.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let removed = value.is_empty() || text.to_ascii_lowercase().contains("max-age=0");
            if removed {
                self.0.remove(name.trim());
            } else {
                self.0
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The admin logs in through the emulator's OAuth2; returns the `Cookie` header to send.
async fn login(client: &reqwest::Client, emu: &DiscordEmu, base: &str) -> String {
    emu.set_oauth_user(ADMIN);
    let mut jar = Jar::default();
    let start = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login");
    jar.take(&start);
    let authorize = location(&start);
    let approved = client.get(&authorize).send().await.expect("authorize");
    let callback = location(&approved);
    let back = client
        .get(&callback)
        .header(COOKIE, jar.header())
        .send()
        .await
        .expect("callback");
    jar.take(&back);
    assert!(
        back.status().is_redirection(),
        "login succeeds: {}",
        back.status()
    );
    let cookie = jar.header();
    let home = client
        .get(format!("{base}/"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("list page");
    assert_eq!(home.status().as_u16(), 200, "the session opens the list");
    cookie
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .expect("a redirect")
        .to_owned()
}

/// `connections` clients requesting `url` back to back for `duration`.
async fn load(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    connections: usize,
    duration: Duration,
) -> (f64, Samples) {
    // One request each first: connections open, caches warm.
    for _ in 0..connections {
        fetch(client, url, cookie).await;
    }
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (client, url, cookie) = (client.clone(), url.to_owned(), cookie.to_owned());
        workers.push(tokio::spawn(async move {
            let mut took = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                fetch(&client, &url, &cookie).await;
                took.push(sent.elapsed());
            }
            took
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    let rate = stats::per_second(all.len(), started.elapsed());
    (rate, Samples::new(all))
}

async fn fetch(client: &reqwest::Client, url: &str, cookie: &str) {
    let response = client
        .get(url)
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let body = response.bytes().await.expect("body");
    assert!(status.is_success(), "{url}: {status}");
    assert!(!body.is_empty());
}
