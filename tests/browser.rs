//! The panel in headless Chromium (Debian package `chromium`): the browser itself logs in
//! through the Discord emulator (panel `/login` → emulator authorize → panel callback), then
//! looks at the ticket list, a ticket and a transcript on a desktop (1366×900) and a phone
//! (390×844) screen. With `TICKETBOT_SCREENSHOTS=DIR` it saves screenshots of them there (to
//! look at before a panel change lands). Chromium is driven over the DevTools protocol so one
//! browser session keeps its cookies across pages.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use diesel::prelude::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use ticketbot::db::models::NewTranscript;
use ticketbot::db::schema::tickets;
use ticketbot::db::{Db, queries};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::panel::{message, panel_config, seed_conversation};
use crate::support::app::{ADMIN, SUPPORTERS, guild};
use crate::support::db::TestDb;

const WAIT: Duration = Duration::from_secs(20);

fn chromium_binary() -> Option<PathBuf> {
    let output = Command::new("sh")
        .args(["-c", "command -v chromium || command -v chromium-browser"])
        .output()
        .ok()?;
    let path = String::from_utf8(output.stdout)
        .ok()?
        .lines()
        .next()?
        .trim()
        .to_owned();
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// Where screenshots go: `TICKETBOT_SCREENSHOTS`, when set.
pub fn screenshot_dir() -> Option<PathBuf> {
    std::env::var_os("TICKETBOT_SCREENSHOTS")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

const DESKTOP: (u32, u32) = (1366, 900);
const PHONE: (u32, u32) = (390, 844);

/// Chromium, killed (by its own process id) when dropped.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    port: u16,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn launch_chromium(binary: &Path) -> Browser {
    let profile = tempfile::tempdir().expect("profile dir");
    let log = std::fs::File::create(profile.path().join("chromium.log")).expect("log file");
    let child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--lang=de-DE",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "--window-size=1366,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("chromium starts");
    let mut browser = Browser {
        child,
        _profile: profile,
        port: 0,
    };
    // Chromium writes the port it chose into the profile.
    let active_port = browser._profile.path().join("DevToolsActivePort");
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(text) = std::fs::read_to_string(&active_port)
            && let Some(port) = text.lines().next().and_then(|l| l.trim().parse().ok())
        {
            browser.port = port;
            return browser;
        }
        if let Ok(Some(status)) = browser.child.try_wait() {
            let log = std::fs::read_to_string(browser._profile.path().join("chromium.log"))
                .unwrap_or_default();
            panic!("chromium exited with {status}: {log}");
        }
        assert!(
            Instant::now() < deadline,
            "chromium did not open its DevTools port"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A DevTools protocol connection to one page.
struct Cdp {
    socket: Socket,
    next_id: u64,
    events: VecDeque<Value>,
}

impl Cdp {
    async fn connect(port: u16) -> Self {
        let list: Vec<Value> = reqwest::get(format!("http://127.0.0.1:{port}/json/list"))
            .await
            .expect("DevTools answers")
            .json()
            .await
            .expect("target list");
        let page = list
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page target");
        let url = page["webSocketDebuggerUrl"]
            .as_str()
            .expect("websocket url");
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("DevTools websocket");
        Self {
            socket,
            next_id: 0,
            events: VecDeque::new(),
        }
    }

    async fn receive(&mut self) -> Value {
        let frame = tokio::time::timeout(WAIT, self.socket.next())
            .await
            .expect("DevTools answers in time")
            .expect("DevTools connection open")
            .expect("DevTools frame");
        match frame {
            WsMessage::Text(text) => serde_json::from_str(&text).expect("DevTools JSON"),
            other => panic!("unexpected DevTools frame {other:?}"),
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let request = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(WsMessage::Text(request.to_string().into()))
            .await
            .expect("send to DevTools");
        loop {
            let message = self.receive().await;
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].clone();
            }
            if message.get("method").is_some() {
                self.events.push_back(message);
            }
        }
    }

    async fn wait_event(&mut self, method: &str) -> Value {
        if let Some(at) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(at).unwrap_or_default();
        }
        loop {
            let message = self.receive().await;
            if message["method"] == method {
                return message;
            }
        }
    }

    async fn evaluate(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Navigates and waits for the final page (after any redirects) to load.
    async fn open(&mut self, url: &str) -> String {
        self.events.clear();
        let navigation = self.call("Page.navigate", json!({"url": url})).await;
        assert!(
            navigation.get("errorText").is_none(),
            "navigation to {url} failed: {navigation}"
        );
        self.wait_event("Page.loadEventFired").await;
        self.evaluate("location.href")
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    async fn text(&mut self) -> String {
        self.evaluate("document.body.innerText")
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// A screenshot of the page (up to `max_height` CSS pixels of it) at `width` CSS pixels,
    /// saved as `name` in the screenshot directory; nothing without one.
    async fn screenshot(&mut self, name: &str, width: u32, max_height: f64, phone: bool) {
        let Some(dir) = screenshot_dir() else {
            return;
        };
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let file = dir.join(name);
        let scale = if phone { 2 } else { 1 };
        let metrics = self.call("Page.getLayoutMetrics", json!({})).await;
        let height = metrics["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(900.0)
            .clamp(400.0, max_height)
            .ceil() as u32;
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": scale, "mobile": phone}),
        )
        .await;
        let shot = self
            .call("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 PNG");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(&file, png).expect("write screenshot");
        eprintln!("screenshot: {}", file.display());
    }

    async fn set_viewport(&mut self, width: u32, height: u32, phone: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": if phone { 2 } else { 1 }, "mobile": phone}),
        )
        .await;
    }
}

/// Opener name and id, status, claimer, verdict (cooperative, ban id).
type ShowcaseRow = (
    &'static str,
    i64,
    &'static str,
    Option<(i64, &'static str)>,
    Option<bool>,
    Option<&'static str>,
);

/// Ten tickets that look like a working day on the server.
async fn seed_showcase(db: &Db) {
    db.write(|c| {
        let day = 1_764_000_000_000_i64;
        let rows: [ShowcaseRow; 10] = [
            ("Kalle", 6_200_000_000_000_000_001, "deleted", Some((SUPPORTERS[1] as i64, "supporter1")), Some(true), Some("B-3312")),
            ("Mia_Schmidt", 6_200_000_000_000_000_002, "closed", Some((SUPPORTERS[0] as i64, "supporter0")), Some(false), Some("B-3330")),
            ("xXSniperXx", 6_200_000_000_000_000_003, "closed", Some((SUPPORTERS[2] as i64, "supporter2")), None, None),
            ("Jonas", 6_200_000_000_000_000_004, "claimed", Some((SUPPORTERS[0] as i64, "supporter0")), Some(true), Some("B-3391")),
            ("Leonie K.", 6_200_000_000_000_000_005, "open", None, None, None),
            ("Panzerfahrer", 6_200_000_000_000_000_006, "claimed", Some((SUPPORTERS[3] as i64, "supporter3")), Some(false), Some("B-3402")),
            ("Timo", 6_200_000_000_000_000_007, "open", None, Some(true), Some("B-3410")),
            ("Sanitäter_Ben", 6_200_000_000_000_000_008, "closed", Some((SUPPORTERS[1] as i64, "supporter1")), Some(true), Some("B-3415")),
            ("Funker", 6_200_000_000_000_000_009, "failed", None, None, None),
            ("Hannah", 6_200_000_000_000_000_010, "open", None, None, None),
        ];
        for (i, (name, opener, status, claimer, cooperative, ban)) in rows.into_iter().enumerate() {
            let created = day - 86_400_000 + i as i64 * 3_100_000;
            let closed = matches!(status, "closed" | "deleted").then_some(created + 2_400_000);
            let id: i64 = diesel::insert_into(tickets::table)
                .values((
                    tickets::opener_id.eq(opener),
                    tickets::opener_name.eq(name),
                    tickets::status.eq(status),
                    tickets::claimed_by.eq(claimer.map(|c| c.0)),
                    tickets::claimed_by_name.eq(claimer.map(|c| c.1)),
                    tickets::created_at.eq(created),
                    tickets::closed_at.eq(closed),
                    tickets::verdict_cooperative.eq(cooperative),
                    tickets::verdict_ban_id.eq(ban),
                ))
                .returning(tickets::id)
                .get_result(c)?;
            queries::insert_message(
                c,
                &message(
                    1_310_000_000_000_000_000 + i as i64,
                    id,
                    (opener, name),
                    "Hallo, ich wurde gebannt und weiß nicht warum.",
                    created + 1_000,
                ),
            )?;
            if let (Some((supporter, supporter_name)), "claimed") = (claimer, status) {
                queries::insert_message(
                    c,
                    &message(
                        1_310_000_000_000_000_100 + i as i64,
                        id,
                        (supporter, supporter_name),
                        "Danke, ich schaue es mir an. Welche Ban-ID steht bei dir?",
                        created + 60_000,
                    ),
                )?;
            }
            if closed.is_some() {
                queries::insert_transcript(
                    c,
                    NewTranscript {
                        ticket_id: id,
                        reason: "closed".into(),
                        created_by: claimer.map(|c| c.0),
                        created_by_name: claimer.map(|c| c.1.to_owned()),
                        created_at: created + 2_400_000,
                        message_count: 1,
                        body_text: format!(
                            "[2025-11-23 12:00:00] {name}: Hallo, ich wurde gebannt und weiß nicht warum."
                        ),
                    },
                )?;
            }
        }
        Ok(())
    })
    .await
    .expect("seed showcase");
}

/// A staff message with what Discord renders: mentions, a quote, a list, a spoiler, subtext.
async fn seed_discord_markdown(db: &Db, ticket: i64, emu: &crate::support::discord::DiscordEmu) {
    let spec = emu.spec().clone();
    let text = format!(
        "<@{}> bitte lies <#{}> und melde dich bei <@&{}>.\n> Regel 3: kein Teamkill\n- Ban-ID \
         nennen\n- Screenshot anhängen\n||Die Sperre läuft 7 Tage.||\n-# automatisch gekürzt",
        crate::support::app::USERS[0],
        spec.support_channel,
        spec.support_role
    );
    db.write(move |c| {
        queries::insert_message(
            c,
            &message(
                1_300_000_000_000_000_010,
                ticket,
                (SUPPORTERS[0] as i64, "supporter0"),
                &text,
                1_764_000_008_000,
            ),
        )
    })
    .await
    .expect("seed markdown message");
}

#[tokio::test]
async fn panel_in_headless_chromium() {
    let Some(binary) = chromium_binary() else {
        eprintln!(
            "SKIPPED panel_in_headless_chromium: chromium is not installed \
             (apt-get install -y chromium; .ci/run installs it)"
        );
        return;
    };
    ticketbot::app::install_crypto_provider();
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.local_addr().expect("port").port()
    };
    let config = Arc::new(panel_config(&emu, &test_db.url, port));
    let db = Db::connect(&test_db.url).await.expect("database");
    seed_showcase(&db).await;
    let ticket = seed_conversation(&db).await;
    seed_discord_markdown(&db, ticket.id, &emu).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(ticketbot::web::serve(config, db, stopped));
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + WAIT;
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(Instant::now() < deadline, "panel did not come up");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let browser = launch_chromium(&binary).await;
    let mut page = Cdp::connect(browser.port).await;
    page.call("Page.enable", json!({})).await;
    page.call("Network.enable", json!({})).await;
    page.set_viewport(DESKTOP.0, DESKTOP.1, false).await;

    // The browser logs in: panel /login → emulator authorize → panel callback → list.
    emu.set_oauth_user(ADMIN);
    let landed = page.open(&format!("{base}/login")).await;
    assert_eq!(landed, format!("{base}/"), "logged in and back on the list");
    let text = page.text().await;
    assert!(text.contains("Tickets"), "{text}");
    assert!(
        text.contains("Leonie K.") && !text.contains("Kalle"),
        "open and claimed tickets by default: {text}"
    );
    assert!(
        text.contains("wartet auf Team") && text.contains("wartet auf Nutzer"),
        "{text}"
    );
    assert!(text.contains("Anna"), "the member's name is shown: {text}");
    let requests = emu.requests();
    assert!(requests.iter().any(|r| r.is("GET", "/oauth2/authorize")));
    assert!(
        requests
            .iter()
            .any(|r| r.is("POST", "/api/oauth2/token") && r.status == 200)
    );

    // The session cookie is out of the page's reach.
    assert_eq!(page.evaluate("document.cookie").await, json!(""));
    let cookies = page
        .call("Network.getCookies", json!({"urls": [format!("{base}/")]}))
        .await;
    let session = cookies["cookies"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|c| c["name"] == ticketbot::web::SESSION_COOKIE)
        })
        .cloned()
        .expect("session cookie in the browser");
    assert_eq!(session["httpOnly"], json!(true));
    assert_eq!(session["sameSite"], json!("Lax"));

    page.screenshot("panel-list.png", DESKTOP.0, 4000.0, false)
        .await;
    let all_url = format!("{base}/?status=all");
    assert_eq!(page.open(&all_url).await, all_url);
    let text = page.text().await;
    assert!(
        text.contains(&format!("#{}", ticket.id)) && text.contains("Kalle"),
        "{text}"
    );
    page.screenshot("panel-list-all.png", DESKTOP.0, 4000.0, false)
        .await;
    // The whole row opens its ticket.
    page.events.clear();
    page.evaluate(&format!(
        "(() => {{ const row = document.querySelector('a[href=\"/tickets/{}\"]').closest('tr'); \
         const r = row.querySelector('.c-activity').getBoundingClientRect(); \
         document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2).click(); }})()",
        ticket.id
    ))
    .await;
    tokio::time::timeout(WAIT, page.wait_event("Page.loadEventFired"))
        .await
        .expect("a click on the row opens the ticket");
    assert_eq!(
        page.evaluate("location.pathname").await,
        json!(format!("/tickets/{}", ticket.id))
    );

    let ticket_url = format!("{base}/tickets/{}", ticket.id);
    page.set_viewport(DESKTOP.0, DESKTOP.1, false).await;
    assert_eq!(page.open(&ticket_url).await, ticket_url);
    let text = page.text().await;
    assert!(
        text.contains("KI · Sigrid") && text.contains("bearbeitet") && text.contains("gelöscht")
    );
    page.screenshot("panel-ticket.png", DESKTOP.0, 4000.0, false)
        .await;

    let transcript_url = format!(
        "{base}/tickets/{}/transcripts/{}",
        ticket.id, ticket.transcript_id
    );
    page.set_viewport(DESKTOP.0, DESKTOP.1, false).await;
    assert_eq!(page.open(&transcript_url).await, transcript_url);
    assert!(page.text().await.contains("Transkript zu Ticket"));
    page.screenshot("panel-transcript.png", DESKTOP.0, 4000.0, false)
        .await;

    // A phone: the table turns into cards, the ticket's side panel goes below the chat.
    page.set_viewport(PHONE.0, PHONE.1, true).await;
    page.open(&format!("{base}/")).await;
    let header_hidden = page
        .evaluate("getComputedStyle(document.querySelector('table.tickets thead')).display")
        .await;
    assert_eq!(
        header_hidden,
        json!("none"),
        "the table is shown as cards on a phone"
    );
    page.screenshot("panel-list-phone.png", PHONE.0, 1300.0, true)
        .await;
    page.set_viewport(PHONE.0, PHONE.1, true).await;
    page.open(&ticket_url).await;
    page.screenshot("panel-ticket-phone.png", PHONE.0, 1300.0, true)
        .await;

    // "Abmelden" in the top bar is a form with the session's CSRF token: the browser posts it
    // (the page's CSP allows forms to this site only) and the session ends.
    page.set_viewport(DESKTOP.0, DESKTOP.1, false).await;
    page.open(&format!("{base}/")).await;
    page.events.clear();
    page.evaluate("document.querySelector('header form.logout button').click()")
        .await;
    tokio::time::timeout(WAIT, page.wait_event("Page.loadEventFired"))
        .await
        .expect("the logout form leads to a page");
    assert!(page.text().await.contains("Du wurdest abgemeldet."));
    let cookies = page
        .call("Network.getCookies", json!({"urls": [format!("{base}/")]}))
        .await;
    assert!(
        cookies["cookies"].as_array().is_some_and(|all| all
            .iter()
            .all(|c| c["name"] != ticketbot::web::SESSION_COOKIE)),
        "the session cookie is gone: {cookies}"
    );

    drop(page);
    drop(browser);
    stop.send(true).expect("panel still running");
    tokio::time::timeout(WAIT, server)
        .await
        .expect("panel stops in time")
        .expect("panel task")
        .expect("panel stopped cleanly");
}
