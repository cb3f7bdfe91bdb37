//! OCR of ban evidence (issue 17): the ban database answers with `attachments`, the images are
//! read with Tesseract, and their text reaches Sigrid's AI request as quoted data and the staff
//! on the panel. Without Tesseract the intake runs as before.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use ticketbot::db::evidence::{self, EvidenceRow};

use crate::panel::{body, login, panel_beside};
use crate::support::app::{ADMIN, TestBot, USERS, WAIT};
use crate::support::openai::{self, BanEmu, OpenAiEmu, Reply};

const PLAYER_ID: &str = "76561198012345678";
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Why these tests cannot run here, when they cannot.
fn missing_tools() -> Option<String> {
    for program in ["tesseract", "convert"] {
        let found = std::process::Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Some(format!("{program} is not installed"));
        }
    }
    (!Path::new(FONT).exists()).then(|| format!("{FONT} is missing (fonts-dejavu-core)"))
}

/// A PNG with `lines` written in black on white, rendered by ImageMagick with DejaVu Sans.
fn render(lines: &[&str]) -> Vec<u8> {
    let mut args: Vec<String> = vec![
        "-size".into(),
        "1000x260".into(),
        "xc:white".into(),
        "-font".into(),
        FONT.into(),
        "-pointsize".into(),
        "56".into(),
        "-fill".into(),
        "black".into(),
    ];
    for (row, line) in lines.iter().enumerate() {
        args.push("-annotate".into());
        args.push(format!("+30+{}", 90 + 80 * row));
        args.push((*line).into());
    }
    args.push("png:-".into());
    let output = std::process::Command::new("convert")
        .args(&args)
        .output()
        .expect("convert runs");
    assert!(output.status.success(), "convert: {output:?}");
    output.stdout
}

/// Serves evidence images: `/bild/{name}` from `images` (404 for others) and `/verboten` (403).
async fn image_host(images: HashMap<String, Vec<u8>>) -> SocketAddr {
    let app = Router::new()
        .route(
            "/bild/{name}",
            get(move |UrlPath(name): UrlPath<String>| {
                let image = images.get(&name).cloned();
                async move {
                    match image {
                        Some(bytes) => ([("content-type", "image/png")], bytes).into_response(),
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                }
            }),
        )
        .route("/verboten", get(|| async { StatusCode::FORBIDDEN }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind image host");
    let addr = listener.local_addr().expect("image host address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

struct Desk {
    bot: TestBot,
    ai: OpenAiEmu,
    _bans: BanEmu,
    store: String,
    _dir: tempfile::TempDir,
}

async fn desk(attachments: Vec<String>, extra: &[(&str, &str)]) -> Desk {
    let ai = OpenAiEmu::start().await;
    let bans = BanEmu::start(&[(PLAYER_ID, "Cheaten", "Spieler Null")]).await;
    bans.set_attachments(attachments);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = format!("file://{}", dir.path().join("files").display());
    let mut env: Vec<(String, String)> = ai
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    env.push(("BAN_LOOKUP_URL".into(), bans.url()));
    env.push(("ATTACHMENT_STORE".into(), store.clone()));
    for (key, value) in extra {
        env.push(((*key).into(), (*value).into()));
    }
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let bot = TestBot::start_with(&pairs).await;
    Desk {
        bot,
        ai,
        _bans: bans,
        store,
        _dir: dir,
    }
}

/// Sends the player id and waits for Sigrid's answer; the AI request she made.
async fn intake(d: &Desk) -> (i64, serde_json::Value) {
    let (ticket, channel) = d.bot.first_ticket(USERS[0]).await;
    d.ai.push(Reply::text("Danke! Warum sollten wir den Bann aufheben?"));
    d.bot
        .emu
        .user_message(USERS[0], channel, &format!("Meine ID ist {PLAYER_ID}"))
        .await;
    d.bot
        .emu
        .wait_for_message(channel, |m| m.content.contains("Warum sollten wir"), WAIT)
        .await
        .expect("Sigrid answers");
    let request = d.ai.requests().first().cloned().expect("one AI request");
    (ticket.id, request)
}

fn evidence_messages(request: &serde_json::Value) -> Vec<String> {
    openai::texts_of(request, "user")
        .into_iter()
        .filter(|text| text.starts_with("Texterkennung"))
        .collect()
}

async fn evidence_rows(bot: &TestBot, ticket: i64) -> Vec<EvidenceRow> {
    bot.db
        .run(move |c| evidence::of_ticket(c, ticket))
        .await
        .expect("evidence rows")
}

#[tokio::test]
async fn german_text_in_a_ban_evidence_image_reaches_the_ai_request_and_the_panel() {
    if let Some(reason) = missing_tools() {
        println!("skipped: {reason}");
        return;
    }
    let png = render(&["Cheaterei mit Wallhack", "Beweis vom Server"]);
    let host = image_host(HashMap::from([("beweis.png".to_owned(), png.clone())])).await;
    let d = desk(vec![format!("http://{host}/bild/beweis.png")], &[]).await;
    let (ticket, request) = intake(&d).await;

    for system in openai::texts_of(&request, "system") {
        assert!(
            !system.contains("Wallhack"),
            "OCR text as system text: {system}"
        );
    }
    let data = evidence_messages(&request);
    assert_eq!(data.len(), 1, "one evidence data message: {data:?}");
    let (_, json) = data[0].split_once('\n').expect("prefix line, then JSON");
    let items: Vec<serde_json::Value> = serde_json::from_str(json).expect("a JSON list");
    let text = items[0]["text"].as_str().expect("text");
    assert!(
        text.contains("Cheaterei") && text.contains("Wallhack"),
        "{text}"
    );

    let rows = evidence_rows(&d.bot, ticket).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].ban_id, PLAYER_ID);
    let sha = rows[0].sha256.clone().expect("the image is archived");

    let panel = panel_beside(
        &d.bot.emu,
        &d.bot.test_db.url,
        &[("ATTACHMENT_STORE", &d.store)],
    )
    .await;
    login(&panel, ADMIN).await;
    let page = body(
        panel
            .client
            .get(format!("/tickets/{ticket}"))
            .dispatch()
            .await,
    )
    .await;
    assert!(page.contains("Beweisbilder der Ban-Datenbank"), "{page}");
    assert!(
        page.contains("Cheaterei") && page.contains("Wallhack"),
        "{page}"
    );
    let file = format!("/tickets/{ticket}/files/{sha}");
    // Tera escapes the slashes of the address in the page.
    assert!(page.contains(&file.replace('/', "&#x2F;")), "{page}");
    let served = panel.client.get(file).dispatch().await;
    assert_eq!(served.into_bytes().await.expect("bytes"), png);
}

#[tokio::test]
async fn unreadable_evidence_images_are_left_out_and_the_intake_goes_on() {
    if let Some(reason) = missing_tools() {
        println!("skipped: {reason}");
        return;
    }
    let blank = render(&[]);
    let readable = render(&["Wallhack erkannt"]);
    let host = image_host(HashMap::from([
        ("leer.png".to_owned(), blank),
        ("kaputt.png".to_owned(), b"GIF89a? no, just bytes".to_vec()),
        ("gut.png".to_owned(), readable),
    ]))
    .await;
    let urls = vec![
        format!("http://{host}/bild/fehlt.png"),
        format!("http://{host}/verboten"),
        format!("http://{host}/bild/kaputt.png"),
        format!("http://{host}/bild/leer.png"),
        format!("http://{host}/bild/gut.png"),
    ];
    let d = desk(urls.clone(), &[]).await;
    let (ticket, request) = intake(&d).await;

    let data = evidence_messages(&request);
    assert_eq!(data.len(), 1, "{data:?}");
    let (_, json) = data[0].split_once('\n').expect("prefix line, then JSON");
    let items: Vec<serde_json::Value> = serde_json::from_str(json).expect("a JSON list");
    assert_eq!(items.len(), 1, "only the readable image: {items:?}");
    assert_eq!(items[0]["bild"], 5);
    assert!(
        items[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Wallhack")
    );
    // The ban record itself still reached her.
    assert!(
        openai::texts_of(&request, "user")
            .iter()
            .any(|t| t.starts_with("Daten der Ban-Datenbank"))
    );

    let rows = evidence_rows(&d.bot, ticket).await;
    let seen: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.url.as_str(), r.error.as_deref()))
        .collect();
    assert_eq!(rows.len(), 5, "{seen:?}");
    assert_eq!(
        rows[0].error.as_deref(),
        Some("Download: HTTP 404"),
        "{seen:?}"
    );
    assert_eq!(
        rows[1].error.as_deref(),
        Some("Download: HTTP 403"),
        "{seen:?}"
    );
    assert!(
        rows[2].text.is_none() && rows[2].error.is_some(),
        "{seen:?}"
    );
    assert_eq!(
        rows[3].error.as_deref(),
        Some("kein Text erkannt"),
        "{seen:?}"
    );
    assert!(
        rows[4].error.is_none() && rows[4].text.is_some(),
        "{seen:?}"
    );
}

#[tokio::test]
async fn without_tesseract_the_intake_runs_as_before() {
    let png_url = "http://127.0.0.1:9/bild/beweis.png".to_owned();
    let d = desk(
        vec![png_url],
        &[("TESSERACT_PATH", "/nonexistent/tesseract")],
    )
    .await;
    let (ticket, request) = intake(&d).await;
    assert!(evidence_messages(&request).is_empty());
    assert!(
        openai::texts_of(&request, "user")
            .iter()
            .any(|t| t.starts_with("Daten der Ban-Datenbank"))
    );
    assert!(evidence_rows(&d.bot, ticket).await.is_empty());
}
