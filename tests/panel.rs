//! The staff web panel through Rocket's local client, logging in through the Discord emulator:
//! OAuth2 with state and PKCE, the role check, the session, the pages, escaping, speed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use rocket::http::Status;
use rocket::local::asynchronous::{Client, LocalResponse};
use ticketbot::Config;
use ticketbot::db::models::{Message, NewAuditEntry, NewTranscript};
use ticketbot::db::schema::tickets;
use ticketbot::db::{Db, DbConn, now_ms, queries};
use ticketbot::web::{LOGIN_COOKIE, SESSION_COOKIE};

use crate::support::app::{ADMIN, SUPPORTERS, USERS, VIEWER, guild};
use crate::support::db::{TestDb, postgres_or_skip};
use crate::support::discord::DiscordEmu;

pub struct Panel {
    pub client: Client,
    pub emu: DiscordEmu,
    pub db: Db,
    pub config: Arc<Config>,
    _test_db: Option<TestDb>,
}

/// The configuration a panel against `emu` uses, listening on `port`.
pub fn panel_config(emu: &DiscordEmu, database_url: &str, port: u16) -> Config {
    panel_config_with(emu, database_url, port, &[])
}

/// Like [`panel_config`], with `extra` settings on top.
pub fn panel_config_with(
    emu: &DiscordEmu,
    database_url: &str,
    port: u16,
    extra: &[(&str, &str)],
) -> Config {
    let mut env: HashMap<String, String> = emu.env_for_bot().into_iter().collect();
    env.insert("DATABASE_URL".into(), database_url.to_owned());
    env.insert(
        "DISCORD_REDIRECT_URI".into(),
        format!("http://127.0.0.1:{port}/callback"),
    );
    env.insert("PANEL_PORT".into(), port.to_string());
    for (key, value) in extra {
        env.insert((*key).into(), (*value).into());
    }
    Config::from_lookup(|key| env.get(key).cloned()).expect("valid test config")
}

pub async fn panel() -> Panel {
    panel_on(TestDb::sqlite()).await
}

pub async fn panel_on(test_db: TestDb) -> Panel {
    panel_with(test_db, &[]).await
}

/// A panel on `test_db` with `extra` settings.
pub async fn panel_with(test_db: TestDb, extra: &[(&str, &str)]) -> Panel {
    let emu = guild().await;
    let config = Arc::new(panel_config_with(&emu, &test_db.url, 9, extra));
    let db = Db::connect(&test_db.url).await.expect("test database");
    let client = Client::tracked(ticketbot::web::rocket(config.clone(), db.clone()))
        .await
        .expect("panel ignites");
    Panel {
        client,
        emu,
        db,
        config,
        _test_db: Some(test_db),
    }
}

/// A panel on a bot's database and emulator (`emu` and `database_url` of a running
/// [`crate::support::app::TestBot`]), with `extra` settings.
pub async fn panel_beside(emu: &DiscordEmu, database_url: &str, extra: &[(&str, &str)]) -> Panel {
    let config = Arc::new(panel_config_with(emu, database_url, 9, extra));
    let db = Db::connect(database_url).await.expect("test database");
    let client = Client::tracked(ticketbot::web::rocket(config.clone(), db.clone()))
        .await
        .expect("panel ignites");
    Panel {
        client,
        emu: emu.clone(),
        db,
        config,
        _test_db: None,
    }
}

pub fn location(response: &LocalResponse<'_>) -> String {
    response
        .headers()
        .get_one("Location")
        .expect("a Location header")
        .to_owned()
}

fn query_of(url: &str) -> HashMap<String, String> {
    let url = url::Url::parse(url).expect("absolute URL");
    url.query_pairs().into_owned().collect()
}

fn no_redirects() -> reqwest::Client {
    ticketbot::app::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

/// `/login` on the panel, then the emulator's authorize page; returns the callback's
/// path and query as the emulator sent the browser back.
async fn start_login(panel: &Panel, next: Option<&str>) -> String {
    let login_uri = match next {
        Some(next) => format!("/login?next={}", urlencode(next)),
        None => "/login".to_owned(),
    };
    let response = panel.client.get(login_uri).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    let authorize = location(&response);
    assert!(
        authorize.starts_with(&format!("{}/oauth2/authorize?", panel.emu.api_base())),
        "{authorize}"
    );
    let params = query_of(&authorize);
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["scope"], "identify");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(
        params["redirect_uri"],
        panel.config.panel.redirect_uri.as_str()
    );
    assert_eq!(params["client_id"], panel.config.panel.client_id);
    assert!(params["state"].len() >= 16);
    assert!(params["code_challenge"].len() >= 43);
    assert!(
        panel.client.cookies().get_private(LOGIN_COOKIE).is_some(),
        "the login keeps state and verifier in a private cookie"
    );

    let answer = no_redirects()
        .get(&authorize)
        .send()
        .await
        .expect("emulator answers");
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let back = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.starts_with(panel.config.panel.redirect_uri.as_str()),
        "{back}"
    );
    let back = url::Url::parse(&back).unwrap();
    format!("{}?{}", back.path(), back.query().unwrap_or(""))
}

pub fn urlencode(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

/// The complete login of `user`; returns the callback's response.
pub async fn login<'c>(panel: &'c Panel, user: u64) -> LocalResponse<'c> {
    panel.emu.set_oauth_user(user);
    let callback = start_login(panel, None).await;
    panel.client.get(callback).dispatch().await
}

fn has_session(panel: &Panel) -> bool {
    panel.client.cookies().get_private(SESSION_COOKIE).is_some()
}

pub async fn body(response: LocalResponse<'_>) -> String {
    response.into_string().await.unwrap_or_default()
}

fn token_requests(emu: &DiscordEmu) -> Vec<u16> {
    emu.requests()
        .iter()
        .filter(|r| r.is("POST", "/oauth2/token"))
        .map(|r| r.status)
        .collect()
}

// ------------------------------------------------------------------------------- seeding

pub struct SeededTicket {
    pub id: i64,
    pub transcript_id: i64,
}

pub fn message(id: i64, ticket: i64, author: (i64, &str), content: &str, at: i64) -> Message {
    Message {
        id,
        ticket_id: ticket,
        author_id: author.0,
        author_name: author.1.to_owned(),
        author_avatar: None,
        author_is_bot: false,
        is_ai: false,
        content: content.to_owned(),
        embeds: "[]".into(),
        attachments: "[]".into(),
        created_at: at,
        edited_at: None,
        deleted_at: None,
    }
}

/// A closed ticket with a conversation that uses every feature of the chat view.
pub async fn seed_conversation(db: &Db) -> SeededTicket {
    db.write(|c| {
        let t0 = 1_764_000_000_000; // 24.11.2025
        let opener = (USERS[0] as i64, "Spieler 0");
        let supporter = (SUPPORTERS[0] as i64, "supporter0");
        let id: i64 = diesel::insert_into(tickets::table)
            .values((
                tickets::opener_id.eq(opener.0),
                tickets::opener_name.eq(opener.1),
                tickets::channel_id.eq(7_000_000_000_000_001_i64),
                tickets::status.eq("closed"),
                tickets::claimed_by.eq(supporter.0),
                tickets::claimed_by_name.eq(supporter.1),
                tickets::created_at.eq(t0),
                tickets::claimed_at.eq(t0 + 600_000),
                tickets::closed_at.eq(t0 + 3_600_000),
                tickets::verdict_source.eq("ai"),
                tickets::verdict_ban_id.eq("B-4711"),
                tickets::verdict_player_name.eq("Spieler0"),
                tickets::verdict_ban_reason.eq("Teamkill"),
                tickets::verdict_cooperative.eq(true),
                tickets::verdict_summary.eq("Entschuldigt sich, will es nicht wieder tun."),
                tickets::verdict_at.eq(t0 + 300_000),
            ))
            .returning(tickets::id)
            .get_result(c)?;
        let base = 1_300_000_000_000_000_000_i64;
        let mut hello = message(
            base + 1,
            id,
            opener,
            "Hallo, ich wurde **gebannt** :(",
            t0 + 1_000,
        );
        hello.author_avatar = Some("a1b2c3d4e5f6".into());
        queries::insert_message(c, &hello)?;
        let mut sigrid = message(
            base + 2,
            id,
            (9_000, "Sigrid"),
            "Hallo! Nenne mir bitte deine *Ban-ID*, z. B. `B-1234`.",
            t0 + 2_000,
        );
        sigrid.is_ai = true;
        sigrid.author_is_bot = true;
        queries::insert_message(c, &sigrid)?;
        queries::insert_message(c, &message(base + 3, id, opener, "B-4700", t0 + 3_000))?;
        queries::record_edit(c, base + 3, "B-4711, sorry", t0 + 4_000)?;
        queries::insert_message(
            c,
            &message(base + 4, id, opener, "was für ein mist", t0 + 5_000),
        )?;
        queries::record_delete(c, base + 4, t0 + 6_000)?;
        let mut with_file = message(
            base + 5,
            id,
            supporter,
            "Siehe https://example.com/regeln und den Screenshot.",
            t0 + 7_000,
        );
        with_file.attachments =
            r#"[{"filename":"beweis.png","url":"https://cdn.example/beweis.png"}]"#.into();
        with_file.embeds = r#"[{"title":"Regeln","description":"**1.** Kein Teamkill"}]"#.into();
        queries::insert_message(c, &with_file)?;
        queries::audit(
            c,
            &NewAuditEntry {
                ticket_id: Some(id),
                action: "claimed".into(),
                actor_id: Some(supporter.0),
                actor_name: Some(supporter.1.into()),
                detail: String::new(),
                created_at: t0 + 600_000,
            },
        )?;
        queries::audit(
            c,
            &NewAuditEntry {
                ticket_id: Some(id),
                action: "closed".into(),
                actor_id: Some(supporter.0),
                actor_name: Some(supporter.1.into()),
                detail: "Grund: erledigt".into(),
                created_at: t0 + 3_600_000,
            },
        )?;
        let transcript = queries::insert_transcript(
            c,
            NewTranscript {
                ticket_id: id,
                reason: "closed".into(),
                created_by: Some(supporter.0),
                created_by_name: Some(supporter.1.into()),
                created_at: t0 + 3_600_000,
                message_count: 5,
                body_text: "[2025-11-24 16:00:01] Spieler 0: Hallo, ich wurde **gebannt** :(\n\
                            [2025-11-24 16:00:02] Sigrid: Hallo! Nenne mir bitte deine *Ban-ID*.\n\
                            [2025-11-24 16:00:03] Spieler 0: B-4711, sorry\n\
                            zweite Zeile"
                    .into(),
            },
        )?;
        Ok(SeededTicket {
            id,
            transcript_id: transcript.id,
        })
    })
    .await
    .expect("seed conversation")
}

/// A ticket whose opener name, message, attachment and transcript try to inject markup.
async fn seed_hostile(db: &Db) -> SeededTicket {
    db.write(|c| {
        let id: i64 = diesel::insert_into(tickets::table)
            .values((
                tickets::opener_id.eq(USERS[1] as i64),
                tickets::opener_name.eq("<b>evil</b>"),
                tickets::status.eq("open"),
                tickets::created_at.eq(now_ms()),
                tickets::verdict_summary.eq("<script>alert('verdict')</script>"),
            ))
            .returning(tickets::id)
            .get_result(c)?;
        let mut hostile = message(
            1_300_000_000_000_000_100,
            id,
            (USERS[1] as i64, "<b>evil</b>"),
            "<script>alert(1)</script> **fett** [klick](javascript:alert(2)) <img src=x onerror=alert(3)>",
            now_ms(),
        );
        hostile.author_avatar = Some("\"><script>alert(4)</script>".into());
        hostile.attachments =
            r#"[{"filename":"<script>alert(5)</script>.png","url":"javascript:alert(6)"}]"#.into();
        hostile.embeds = r#"[{"title":"<script>alert(7)</script>","description":"<iframe src=x>"}]"#.into();
        queries::insert_message(c, &hostile)?;
        let transcript = queries::insert_transcript(
            c,
            NewTranscript {
                ticket_id: id,
                reason: "<script>alert(8)</script>".into(),
                created_by: None,
                created_by_name: Some("<i>x</i>".into()),
                created_at: now_ms(),
                message_count: 1,
                body_text: "[2025-11-24 16:00:01] <b>evil</b>: <script>alert(9)</script>".into(),
            },
        )?;
        Ok(SeededTicket {
            id,
            transcript_id: transcript.id,
        })
    })
    .await
    .expect("seed hostile ticket")
}

// --------------------------------------------------------------------------------- tests

#[tokio::test]
async fn login_round_trip_lets_staff_in() {
    let panel = panel().await;
    let seeded = seed_conversation(&panel.db).await;

    // Unauthenticated: the ticket page sends the browser to the login, remembering the page.
    let response = panel
        .client
        .get(format!("/tickets/{}", seeded.id))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let to_login = location(&response);
    assert_eq!(to_login, format!("/login?next=%2Ftickets%2F{}", seeded.id));

    panel.emu.set_oauth_user(ADMIN);
    let callback = start_login(&panel, Some(&format!("/tickets/{}", seeded.id))).await;
    let response = panel.client.get(callback).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), format!("/tickets/{}", seeded.id));
    let set_cookies: Vec<String> = response
        .headers()
        .get("Set-Cookie")
        .map(str::to_owned)
        .collect();
    let session_cookie = set_cookies
        .iter()
        .find(|c| c.starts_with(&format!("{SESSION_COOKIE}=")))
        .expect("session cookie set");
    assert!(session_cookie.contains("HttpOnly"), "{session_cookie}");
    assert!(session_cookie.contains("SameSite=Lax"), "{session_cookie}");
    assert!(session_cookie.contains("Path=/"), "{session_cookie}");
    assert!(session_cookie.contains("Max-Age=43200"), "{session_cookie}");
    assert!(
        !session_cookie.contains("Secure"),
        "http redirect URI: no Secure flag"
    );
    assert!(
        !session_cookie.contains(&ADMIN.to_string()),
        "the session cookie is encrypted"
    );
    assert!(has_session(&panel));
    assert!(
        panel.client.cookies().get_private(LOGIN_COOKIE).is_none(),
        "the login cookie is used up"
    );

    // What reached the emulator: one token exchange with the PKCE verifier, the user, and the
    // member lookup with the bot token.
    let requests = panel.emu.requests();
    let token = requests
        .iter()
        .find(|r| r.is("POST", "/api/oauth2/token"))
        .expect("token exchange");
    assert_eq!(token.status, 200);
    let form = token.json.as_ref().expect("form body");
    assert_eq!(form["grant_type"], "authorization_code");
    assert!(
        form["code_verifier"]
            .as_str()
            .is_some_and(|v| v.len() >= 43)
    );
    assert!(
        requests
            .iter()
            .any(|r| r.is("GET", "/api/v10/users/@me") && r.status == 200)
    );
    let spec = panel.emu.spec().clone();
    assert!(requests.iter().any(|r| r.is(
        "GET",
        &format!("/api/v10/guilds/{}/members/{ADMIN}", spec.guild_id)
    ) && r.status == 200));

    let page = body(
        panel
            .client
            .get(format!("/tickets/{}", seeded.id))
            .dispatch()
            .await,
    )
    .await;
    assert!(page.contains(&format!("Ticket #{}", seeded.id)), "{page}");
    assert!(
        page.contains("Anna"),
        "the logged-in member's nick is shown"
    );

    let list = panel.client.get("/").dispatch().await;
    assert_eq!(list.status(), Status::Ok);
    assert_eq!(
        list.headers().get_one("Cache-Control"),
        Some("private, no-store")
    );
    assert!(list.headers().get_one("Content-Security-Policy").is_some());
    assert_eq!(list.headers().get_one("X-Frame-Options"), Some("DENY"));

    // Logout (the top bar's form) ends the session.
    let out = crate::panel_hardening::log_out(&panel.client).await;
    assert_eq!(out.status(), Status::Ok);
    assert!(body(out).await.contains("abgemeldet"));
    assert!(!has_session(&panel));
    let again = panel.client.get("/").dispatch().await;
    assert_eq!(again.status(), Status::SeeOther);
}

#[tokio::test]
async fn viewer_role_is_enough_to_read() {
    let panel = panel().await;
    let response = login(&panel, VIEWER).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), "/");
    assert!(has_session(&panel));
    assert_eq!(panel.client.get("/").dispatch().await.status(), Status::Ok);
}

#[tokio::test]
async fn member_without_an_allowed_role_gets_403_and_no_session() {
    let panel = panel().await;
    let response = login(&panel, USERS[0]).await;
    assert_eq!(response.status(), Status::Forbidden);
    let page = body(response).await;
    assert!(page.contains("keine der erforderlichen Rollen"), "{page}");
    assert!(!has_session(&panel));
    assert_eq!(
        panel.client.get("/").dispatch().await.status(),
        Status::SeeOther
    );

    // Someone who left the guild: Discord knows the user, the guild does not.
    let gone = 6_100_000_000_000_001;
    panel
        .emu
        .add_member(gone, "weg", None, &[panel.emu.spec().admin_role]);
    panel.emu.remove_member(gone);
    let response = login(&panel, gone).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(
        body(response)
            .await
            .contains("nicht auf dem Discord-Server")
    );
    assert!(!has_session(&panel));
}

#[tokio::test]
async fn wrong_state_gets_no_session() {
    let panel = panel().await;
    panel.emu.set_oauth_user(ADMIN);
    let callback = start_login(&panel, None).await;
    let forged = callback.replace("state=", "state=forged");
    let response = panel.client.get(forged).dispatch().await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(body(response).await.contains("ungültiger Status"));
    assert!(!has_session(&panel));
    assert!(
        token_requests(&panel.emu).is_empty(),
        "a forged callback never reaches the token endpoint"
    );

    // The login cookie was used up by the forged callback: the genuine one fails as well.
    let response = panel.client.get(callback).dispatch().await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(!has_session(&panel));

    // A callback without any login started here.
    let fresh = Client::tracked(ticketbot::web::rocket(
        panel.config.clone(),
        panel.db.clone(),
    ))
    .await
    .unwrap();
    let response = fresh.get("/callback?code=abc&state=def").dispatch().await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(fresh.cookies().get_private(SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn replayed_code_fails() {
    let panel = panel().await;
    panel.emu.set_oauth_user(ADMIN);
    let first = start_login(&panel, None).await;
    let response = panel.client.get(first.clone()).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(has_session(&panel));
    crate::panel_hardening::log_out(&panel.client).await;
    assert!(!has_session(&panel));

    // A new login (new state, new verifier), answered with the old code.
    let second = start_login(&panel, None).await;
    let old_code = query_of(&format!("http://x{first}"))["code"].clone();
    let new_state = query_of(&format!("http://x{second}"))["state"].clone();
    let replay = format!(
        "/callback?code={}&state={}",
        urlencode(&old_code),
        urlencode(&new_state)
    );
    let response = panel.client.get(replay).dispatch().await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(body(response).await.contains("Fehler beim Tokenabruf"));
    assert!(!has_session(&panel));
    assert_eq!(
        token_requests(&panel.emu),
        vec![200, 400],
        "the token endpoint refused the replay"
    );
}

#[tokio::test]
async fn token_endpoint_error_gets_no_session() {
    let panel = panel().await;
    panel.emu.set_oauth_user(ADMIN);
    let callback = start_login(&panel, None).await;
    panel.emu.fail_next("POST", "/oauth2/token", 500, 1);
    let response = panel.client.get(callback).dispatch().await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(!has_session(&panel));

    // Discord refusing the authorization (the user clicked "Cancel").
    panel.emu.clear_oauth_user();
    let callback = start_login(&panel, None).await;
    assert!(callback.contains("error=access_denied"));
    let response = panel.client.get(callback).dispatch().await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(body(response).await.contains("abgebrochen"));
    assert!(!has_session(&panel));
}

#[tokio::test]
async fn unauthenticated_pages_redirect_to_login() {
    let panel = panel().await;
    for (path, next) in [
        ("/", "%2F"),
        ("/?status=open&q=x", "%2F%3Fstatus%3Dopen%26q%3Dx"),
        ("/tickets/1", "%2Ftickets%2F1"),
        (
            "/tickets/1/transcripts/2",
            "%2Ftickets%2F1%2Ftranscripts%2F2",
        ),
    ] {
        let response = panel.client.get(path).dispatch().await;
        assert_eq!(response.status(), Status::SeeOther, "{path}");
        assert_eq!(location(&response), format!("/login?next={next}"), "{path}");
    }
    // Open to everyone: health, stylesheet, the original panel's transcript address.
    let health = panel.client.get("/healthz").dispatch().await;
    assert_eq!(health.status(), Status::Ok);
    assert_eq!(body(health).await, "ok");
    let css = panel.client.get("/static/panel.css").dispatch().await;
    assert_eq!(css.status(), Status::Ok);
    assert_eq!(css.content_type(), Some(rocket::http::ContentType::CSS));
    let old = panel.client.get("/transcript/42").dispatch().await;
    assert_eq!(old.status(), Status::PermanentRedirect);
    assert_eq!(location(&old), "/tickets/42");
    // No open redirect through `next`.
    let response = panel
        .client
        .get("/login?next=https%3A%2F%2Fevil.example")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
}

#[tokio::test]
async fn hostile_message_is_shown_as_text() {
    let panel = panel().await;
    let seeded = seed_hostile(&panel.db).await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);

    let page = body(
        panel
            .client
            .get(format!("/tickets/{}", seeded.id))
            .dispatch()
            .await,
    )
    .await;
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("<strong>fett</strong>"),
        "markdown still works"
    );
    assert!(page.contains("&lt;b&gt;evil&lt;&#x2F;b&gt;"));
    for injected in [
        "<script>",
        "<b>evil",
        "<img src=x",
        "<iframe",
        "href=\"javascript",
        "<i>x</i>",
    ] {
        assert!(!page.contains(injected), "{injected} reached the page");
    }
    assert!(
        !links(&page).contains("cdn.discordapp.com/avatars"),
        "a bogus avatar hash is not used"
    );

    let list = body(panel.client.get("/").dispatch().await).await;
    assert!(!list.contains("<b>evil"));
    assert!(list.contains("&lt;b&gt;evil"));

    for uri in [
        format!(
            "/tickets/{}/transcripts/{}",
            seeded.id, seeded.transcript_id
        ),
        format!(
            "/tickets/{}/transcripts/{}?download=1",
            seeded.id, seeded.transcript_id
        ),
    ] {
        let page = body(panel.client.get(uri.clone()).dispatch().await).await;
        assert!(page.contains("&lt;script&gt;alert(9)"), "{uri}: {page}");
        assert!(!page.contains("<script>"), "{uri}");
        assert!(!page.contains("<b>evil"), "{uri}");
        assert!(!page.contains("<i>x</i>"), "{uri}");
    }
}

#[tokio::test]
async fn ticket_page_shows_conversation_verdict_audit_and_transcripts() {
    let panel = panel().await;
    let seeded = seed_conversation(&panel.db).await;
    assert_eq!(
        login(&panel, SUPPORTERS[1]).await.status(),
        Status::SeeOther
    );

    let raw = body(
        panel
            .client
            .get(format!("/tickets/{}", seeded.id))
            .dispatch()
            .await,
    )
    .await;
    let page = links(&raw);
    // Details and verdict.
    for expected in [
        "Spieler 0",
        &USERS[0].to_string(),
        "geschlossen",
        "supporter0",
        "24.11.2025",
        "B-4711",
        "Teamkill",
        "Entschuldigt sich",
        "Kooperativ",
    ] {
        assert!(page.contains(expected), "missing {expected}");
    }
    // The chat: avatar or initials, markdown, AI marked, edits with the earlier text,
    // deletions, attachments, embeds, links.
    assert!(page.contains(&format!(
        "https://cdn.discordapp.com/avatars/{}/a1b2c3d4e5f6.png",
        USERS[0]
    )));
    assert!(
        page.contains(">S</span>") || page.contains(">S0</span>"),
        "initials for Sigrid"
    );
    assert!(page.contains("<strong>gebannt</strong>"));
    assert!(page.contains("<em>Ban-ID</em>") && page.contains("<code>B-1234</code>"));
    assert!(page.contains("KI · Sigrid"));
    assert!(page.contains("bearbeitet"));
    assert!(
        page.contains("B-4711, sorry") && page.contains("B-4700"),
        "edit and earlier version"
    );
    assert!(page.contains("gelöscht") && page.contains("was für ein mist"));
    assert!(page.contains("href=\"https://cdn.example/beweis.png\""));
    assert!(page.contains("beweis.png"));
    assert!(page.contains("Regeln") && page.contains("<strong>1.</strong> Kein Teamkill"));
    assert!(page.contains("<a href=\"https://example.com/regeln\""));
    // Audit trail and transcripts.
    assert!(page.contains("übernommen") && page.contains("Grund: erledigt"));
    let transcript_url = format!(
        "/tickets/{}/transcripts/{}",
        seeded.id, seeded.transcript_id
    );
    assert!(page.contains(&transcript_url));
    assert!(page.contains(&format!("{transcript_url}?download=1")));
    // Order of the conversation is the order of the messages.
    let first = page.find("gebannt").unwrap();
    let second = page.find("Nenne mir").unwrap();
    assert!(first < second);

    let view = panel.client.get(transcript_url.clone()).dispatch().await;
    assert_eq!(view.status(), Status::Ok);
    let view = body(view).await;
    assert!(view.contains("Transkript zu Ticket"));
    assert!(
        view.contains("B-4711, sorry\nzweite Zeile"),
        "continuation lines stay with their message"
    );

    let download = panel
        .client
        .get(format!("{transcript_url}?download=1"))
        .dispatch()
        .await;
    assert_eq!(download.status(), Status::Ok);
    let disposition = download
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"ticket-{}-transkript-{}.html\"",
            seeded.id, seeded.transcript_id
        )
    );
    let file = body(download).await;
    assert!(file.starts_with("<!doctype html>"));
    assert!(file.contains("<style>"), "standalone: the style is inside");
    assert!(
        !file.contains("/static/panel.css"),
        "standalone: no links to the panel"
    );
    assert!(file.contains("<strong>gebannt</strong>"));

    // A transcript of another ticket, or none at all: 404.
    let missing = panel
        .client
        .get(format!("/tickets/{}/transcripts/999", seeded.id))
        .dispatch()
        .await;
    assert_eq!(missing.status(), Status::NotFound);
    let missing = panel.client.get("/tickets/999").dispatch().await;
    assert_eq!(missing.status(), Status::NotFound);
    assert!(body(missing).await.contains("Dieses Ticket gibt es nicht"));
    assert_eq!(
        panel.client.get("/tickets/abc").dispatch().await.status(),
        Status::NotFound
    );
}

/// `count` tickets: every third claimed, every fifth closed, and a few with a message.
pub async fn seed_many(db: &Db, count: i64) {
    db.write(move |c| {
        let statement = format!(
            "INSERT INTO tickets (id, opener_id, opener_name, status, claimed_by, claimed_by_name, \
             created_at, closed_at, verdict_cooperative, verdict_ban_id) \
             WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {count}) \
             SELECT n, 8000000000000000000 + n, 'spieler_' || n, \
             CASE WHEN n % 5 = 0 THEN 'closed' WHEN n % 3 = 0 THEN 'claimed' ELSE 'deleted' END, \
             CASE WHEN n % 3 = 0 THEN 42 END, CASE WHEN n % 3 = 0 THEN 'helfer' END, \
             1700000000000 + n * 60000, CASE WHEN n % 5 = 0 THEN 1700000000000 + n * 60000 + 5000 END, \
             CASE WHEN n % 7 = 0 THEN TRUE WHEN n % 11 = 0 THEN FALSE END, \
             CASE WHEN n % 7 = 0 THEN 'B-' || n END \
             FROM seq"
        );
        diesel::sql_query(statement).execute(c)?;
        diesel::sql_query(format!(
            "INSERT INTO messages (id, ticket_id, author_id, author_name, content, created_at) \
             WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {count}) \
             SELECT 1000000000000000000 + n, n, 8000000000000000000 + n, 'spieler_' || n, \
             CASE WHEN n = {count} / 2 THEN 'mein Schlüsselwort Zaunkönig' ELSE 'hallo, ich brauche hilfe ' || n END, \
             1700000000000 + n * 60000 FROM seq"
        ))
        .execute(c)?;
        if let DbConn::Postgres(pg) = c {
            // Explicit ids do not move the sequence.
            diesel::sql_query(
                "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT MAX(id) FROM tickets))",
            )
            .execute(pg)?;
        }
        Ok(())
    })
    .await
    .expect("seed tickets");
}

/// Message ids of the chat on a ticket page (`id="m…"`), in page order.
fn message_ids(page: &str) -> Vec<i64> {
    numbers_after(page, " id=\"m")
}

#[tokio::test]
async fn long_ticket_is_shown_a_page_at_a_time_newest_first() {
    let panel = panel().await;
    let seeded = seed_conversation(&panel.db).await;
    let id = seeded.id;
    // 600 more messages after the seeded conversation's few: 600 + n in all.
    let base = 1_400_000_000_000_000_000_i64;
    panel
        .db
        .write(move |c| {
            for k in 1..=600 {
                let text = format!("Nachricht {k}");
                queries::insert_message(
                    c,
                    &message(base + k, id, (USERS[0] as i64, "Spieler 0"), &text, k),
                )?;
            }
            Ok(())
        })
        .await
        .expect("seed messages");
    assert_eq!(
        login(&panel, SUPPORTERS[0]).await.status(),
        Status::SeeOther
    );
    let get = async |uri: String| {
        let response = panel.client.get(uri.clone()).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{uri}");
        links(&body(response).await)
    };

    let newest = get(format!("/tickets/{id}")).await;
    let ids = message_ids(&newest);
    assert_eq!(ids.len(), 250, "one page holds 250 messages");
    assert_eq!(ids.first(), Some(&(base + 351)));
    assert_eq!(
        ids.last(),
        Some(&(base + 600)),
        "page 1 ends with the newest"
    );
    assert!(newest.contains(&format!("href=\"/tickets/{id}?page=2#verlauf\"")));
    assert!(
        !newest.contains("Neuere Nachrichten"),
        "nothing newer than page 1"
    );
    let oldest = get(format!("/tickets/{id}?page=3")).await;
    let ids = message_ids(&oldest);
    assert!(
        ids.len() > 100 && ids.len() < 250,
        "the last page holds the rest"
    );
    let total = 500 + ids.len();
    assert!(newest.contains(&format!("Seite 1 von 3 ({total} Nachrichten")));
    assert!(
        oldest.contains("Hallo, ich wurde"),
        "the conversation's start is on the last page"
    );
    assert!(oldest.contains(&format!("href=\"/tickets/{id}?page=2#verlauf\"")));
    assert!(
        !oldest.contains("Ältere Nachrichten"),
        "nothing older than the last page"
    );
    // Edits of a message on the page are shown with it.
    assert!(oldest.contains("Frühere Versionen"));

    let beyond = get(format!("/tickets/{id}?page=99")).await;
    assert_eq!(
        message_ids(&beyond),
        message_ids(&oldest),
        "a page past the end shows the last"
    );
}

/// The page with Tera's escaping of `/` and `&` undone, to look at links.
pub fn links(page: &str) -> String {
    page.replace("&#x2F;", "/").replace("&amp;", "&")
}

/// The pager's link with `rel` ("next" = older, "prev" = newer), unescaped.
fn pager_link(page: &str, rel: &str) -> Option<String> {
    let at = page.find(&format!("rel=\"{rel}\""))?;
    let tag = &page[page[..at].rfind("<a ")?..at];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(links(href))
}

pub fn ticket_numbers(page: &str) -> Vec<i64> {
    numbers_after(&links(page), "class=\"ticket-number\" href=\"/tickets/")
}

/// The numbers that follow each `marker` in `page`, up to the next `"`, in page order.
pub fn numbers_after(page: &str, marker: &str) -> Vec<i64> {
    page.match_indices(marker)
        .filter_map(|(at, matched)| {
            let rest = &page[at + matched.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect()
}

#[tokio::test]
async fn list_filters_searches_and_pages() {
    list_behaves(panel().await).await;
}

#[tokio::test]
async fn list_filters_searches_and_pages_on_postgres() {
    let Some(test_db) = postgres_or_skip("list_filters_searches_and_pages_on_postgres") else {
        return;
    };
    list_behaves(panel_on(test_db).await).await;
}

async fn list_behaves(panel: Panel) {
    seed_many(&panel.db, 120).await;
    let conversation = seed_conversation(&panel.db).await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);

    // Every ticket; the default view (open and claimed) is panel_views.rs's.
    let first = body(panel.client.get("/?status=all").dispatch().await).await;
    let numbers = ticket_numbers(&first);
    assert_eq!(numbers.len(), 50);
    assert_eq!(numbers[0], conversation.id, "newest first");
    assert!(numbers.windows(2).all(|w| w[0] > w[1]));
    let last_on_first = *numbers.last().unwrap();
    assert_eq!(
        pager_link(&first, "next").as_deref(),
        Some(format!("/?status=all&page=2&before={last_on_first}").as_str()),
        "the next page starts after this one's last ticket"
    );
    assert_eq!(pager_link(&first, "prev"), None);
    assert!(
        links(&first).contains(&format!(
            "href=\"/tickets/{}/transcripts/{}\"",
            conversation.id, conversation.transcript_id
        )),
        "link to the latest transcript"
    );
    assert!(
        first.contains("Ban B-119") || first.contains("Ban B-112"),
        "verdict at a glance"
    );

    // A page number typed by hand still works (without a cursor).
    let third = body(panel.client.get("/?status=all&page=3").dispatch().await).await;
    let on_third = ticket_numbers(&third);
    assert_eq!(on_third.len(), 21);
    assert_eq!(pager_link(&third, "next"), None);
    assert_eq!(
        pager_link(&third, "prev"),
        Some(format!("/?status=all&page=2&after={}", on_third[0]))
    );
    // Following the pager both ways, with and without a search, shows the same tickets as the
    // page numbers do, each once.
    for start in ["/?status=all", "/?q=spieler"] {
        let mut by_number = Vec::new();
        for n in 1..=3 {
            let sep = if start.contains('?') { '&' } else { '?' };
            let url = format!("{start}{sep}page={n}");
            by_number.extend(ticket_numbers(
                &body(panel.client.get(url).dispatch().await).await,
            ));
        }
        assert!(by_number.len() > 100, "{start}: {}", by_number.len());
        let mut seen = Vec::new();
        let mut url = start.to_owned();
        let mut pages = Vec::new();
        loop {
            let page = body(panel.client.get(url.clone()).dispatch().await).await;
            seen.extend(ticket_numbers(&page));
            pages.push(ticket_numbers(&page));
            match pager_link(&page, "next") {
                Some(next) => url = next,
                None => break,
            }
        }
        assert_eq!(seen, by_number, "{start}: every match once, newest first");
        let mut back = pages.len() - 1;
        let mut page = body(panel.client.get(url.clone()).dispatch().await).await;
        while let Some(prev) = pager_link(&page, "prev") {
            page = body(panel.client.get(prev).dispatch().await).await;
            back -= 1;
            assert_eq!(
                ticket_numbers(&page),
                pages[back],
                "{start}: same pages back"
            );
        }
        assert_eq!(back, 0, "{start}: back on the first page");
    }

    let claimed = body(panel.client.get("/?status=claimed").dispatch().await).await;
    let numbers = ticket_numbers(&claimed);
    assert_eq!(numbers.len(), 32, "every third of 120 that is not a fifth");
    assert!(numbers.iter().all(|n| n % 3 == 0 && n % 5 != 0));

    let by_name = body(panel.client.get("/?q=SPIELER_77").dispatch().await).await;
    assert_eq!(ticket_numbers(&by_name), vec![77]);
    let by_number = body(panel.client.get("/?q=%2342").dispatch().await).await;
    assert_eq!(ticket_numbers(&by_number), vec![42]);
    let by_opener = body(panel.client.get("/?q=8000000000000000013").dispatch().await).await;
    assert_eq!(ticket_numbers(&by_opener), vec![13]);
    let by_text = body(panel.client.get("/?q=zaunk%C3%B6nig").dispatch().await).await;
    assert_eq!(
        ticket_numbers(&by_text),
        vec![60],
        "search finds message text"
    );
    let upper = body(panel.client.get("/?q=ZAUNK").dispatch().await).await;
    assert_eq!(ticket_numbers(&upper), vec![60], "search ignores case");
    // An edited message is found by its new text, not by the old one.
    panel
        .db
        .write(|c| queries::record_edit(c, 1_000_000_000_000_000_061, "jetzt mit Eichhörnchen", 1))
        .await
        .expect("edit");
    let edited = body(panel.client.get("/?q=eichh%C3%B6rnchen").dispatch().await).await;
    assert_eq!(ticket_numbers(&edited), vec![61], "the new text is found");
    let old = body(panel.client.get("/?q=hilfe%2061").dispatch().await).await;
    assert!(ticket_numbers(&old).is_empty(), "the old text is not");
    let wildcard = body(panel.client.get("/?q=%25").dispatch().await).await;
    assert!(
        ticket_numbers(&wildcard).is_empty(),
        "LIKE wildcards are literal"
    );
    let nothing = body(
        panel
            .client
            .get("/?status=open&q=spieler_1")
            .dispatch()
            .await,
    )
    .await;
    assert!(nothing.contains("Keine Tickets passen"));
    // Unknown filters are ignored, not errors.
    for odd in ["/?status=bogus&page=-3", "/?page=abc&before=x&after=&foo=1"] {
        assert_eq!(
            panel.client.get(odd).dispatch().await.status(),
            Status::Ok,
            "{odd}"
        );
    }
}

#[tokio::test]
async fn a_kept_list_page_is_rendered_again_when_a_ticket_or_transcript_changes() {
    kept_list_pages_follow_changes(panel().await).await;
}

#[tokio::test]
async fn a_kept_list_page_is_rendered_again_when_a_ticket_or_transcript_changes_on_postgres() {
    let Some(test_db) = postgres_or_skip(
        "a_kept_list_page_is_rendered_again_when_a_ticket_or_transcript_changes_on_postgres",
    ) else {
        return;
    };
    kept_list_pages_follow_changes(panel_on(test_db).await).await;
}

/// The panel's own pool writes here, as a bot in another process would: the panel learns of
/// the changes only through the database.
async fn kept_list_pages_follow_changes(panel: Panel) {
    seed_many(&panel.db, 120).await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);
    let page = |url: &'static str| {
        let client = &panel.client;
        async move { body(client.get(url).dispatch().await).await }
    };
    let first = page("/?status=all").await;
    assert_eq!(first, page("/?status=all").await, "nothing changed");
    assert!(!first.contains("Neue Helferin"));
    let claimed = ticket_numbers(&page("/?status=claimed").await);
    assert_eq!(claimed.len(), 32);

    panel
        .db
        .write(|c| {
            diesel::sql_query(
                "UPDATE tickets SET status = 'claimed', claimed_by = 43, \
                 claimed_by_name = 'Neue Helferin' WHERE id IN (119, 1)",
            )
            .execute(c)?;
            Ok(())
        })
        .await
        .expect("claim");
    assert!(
        page("/?status=all").await.contains("Neue Helferin"),
        "a changed ticket"
    );
    let claimed_now = ticket_numbers(&page("/?status=claimed").await);
    assert_eq!(claimed_now.len(), 34, "a filtered page follows too");
    assert!(claimed_now.contains(&1) && claimed_now.contains(&119));

    let before = page("/?status=all").await;
    assert!(!links(&before).contains("href=\"/tickets/118/transcripts/"));
    panel
        .db
        .write(|c| {
            diesel::sql_query(
                "INSERT INTO transcripts (ticket_id, reason, created_at, message_count, body_text) \
                 VALUES (118, 'manual', 1700000000000, 1, 'x')",
            )
            .execute(c)?;
            Ok(())
        })
        .await
        .expect("transcript");
    assert!(
        links(&page("/?status=all").await).contains("href=\"/tickets/118/transcripts/"),
        "a new transcript"
    );
}

#[tokio::test]
async fn a_name_search_finds_the_same_tickets_for_rare_and_common_terms() {
    search_agrees_with_the_names(panel().await).await;
}

#[tokio::test]
async fn a_name_search_finds_the_same_tickets_for_rare_and_common_terms_on_postgres() {
    let Some(test_db) = postgres_or_skip(
        "a_name_search_finds_the_same_tickets_for_rare_and_common_terms_on_postgres",
    ) else {
        return;
    };
    search_agrees_with_the_names(panel_on(test_db).await).await;
}

/// Rare terms are looked up in indexes on SQLite, common ones found by reading newest first:
/// both must give what the names say.
async fn search_agrees_with_the_names(panel: Panel) {
    let count = 2_500;
    seed_many(&panel.db, count).await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);
    for (term, query) in [
        // Rare among the newest tickets: through the indexes.
        ("spieler_17", "spieler_17"),
        ("pieler_13", "PIELER_13"),
        ("spieler_1", "spieler_1"),
        // Common among the newest: read newest first.
        ("spieler_24", "spieler_24"),
        ("spieler", "spieler"),
        ("_", "_"),
    ] {
        let expected: Vec<i64> = (1..=count)
            .rev()
            .filter(|n| format!("spieler_{n}").contains(term))
            .take(50)
            .collect();
        let page = body(
            panel
                .client
                .get(format!("/?q={}", urlencode(query)))
                .dispatch()
                .await,
        )
        .await;
        assert_eq!(ticket_numbers(&page), expected, "search {query:?}");
    }
}

#[tokio::test]
async fn list_pages_and_searches_answer_over_100000_tickets() {
    let panel = panel().await;
    let started = Instant::now();
    seed_many(&panel.db, 100_000).await;
    eprintln!(
        "seeded 100000 tickets and messages in {:?}",
        started.elapsed()
    );
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);

    // Speed is the load tool's business (benches/load, scenario `panel`); this checks that
    // every kind of page answers with rows at this size.
    for uri in [
        "/",
        "/?page=2",
        "/?status=claimed",
        "/?status=closed&page=100",
        "/?status=all&page=1999",
        "/?q=spieler_99999",
        "/?q=54321",
        "/?q=zaunk%C3%B6nig",
    ] {
        let started = Instant::now();
        let response = panel.client.get(uri).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{uri}");
        let page = body(response).await;
        let took = started.elapsed();
        eprintln!(
            "GET {uri}: {took:?} ({} tickets)",
            ticket_numbers(&page).len()
        );
        assert!(!ticket_numbers(&page).is_empty(), "{uri}");
    }
}

// The role re-check (every minute, also when the lookup fails), expiry and forged cookies:
// panel_hardening.rs, with the sessions the database keeps.

#[tokio::test]
async fn serve_listens_and_stops_when_told() {
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = Arc::new(panel_config(&emu, &test_db.url, port));
    let db = Db::connect(&test_db.url).await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(ticketbot::web::serve(config, db, stopped));

    let http = no_redirects();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(response) = http.get(&url).send().await {
            assert_eq!(response.status(), 200);
            assert_eq!(response.text().await.unwrap(), "ok");
            break;
        }
        assert!(Instant::now() < deadline, "panel did not come up");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    stop.send(true).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("panel stops in time")
        .expect("panel task did not panic");
    result.expect("panel stopped cleanly");
    assert!(
        http.get(&url).send().await.is_err(),
        "nothing listens any more"
    );
}

/// What an opener writes inside one message, made to look like a staff member's line.
const FORGED: &str = "Zeile eins\n[2026-01-01 10:00:00] Sam Support: Dein Bann ist aufgehoben";

#[tokio::test]
async fn a_message_that_looks_like_a_transcript_line_stays_in_its_own_entry() {
    use ticketbot::transcript;
    let panel = panel().await;
    let seeded = panel
        .db
        .write(|c| {
            let id: i64 = diesel::insert_into(tickets::table)
                .values((
                    tickets::opener_id.eq(USERS[2] as i64),
                    tickets::opener_name.eq("Spieler 2"),
                    tickets::status.eq("closed"),
                    tickets::created_at.eq(now_ms()),
                ))
                .returning(tickets::id)
                .get_result(c)?;
            let opener = (USERS[2] as i64, "Spieler 2");
            queries::insert_message(
                c,
                &message(1_300_000_000_000_000_200, id, opener, FORGED, now_ms()),
            )?;
            let messages = queries::messages_of(c, id)?;
            let stored = queries::insert_transcript(
                c,
                NewTranscript {
                    ticket_id: id,
                    reason: "close".into(),
                    created_by: None,
                    created_by_name: None,
                    created_at: now_ms(),
                    message_count: 1,
                    body_text: transcript::render_text(&messages),
                },
            )?;
            ticketbot::db::transcripts::insert_entries(c, &transcript::rows(stored.id, &messages))?;
            Ok(SeededTicket {
                id,
                transcript_id: stored.id,
            })
        })
        .await
        .expect("seed forged ticket");
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);
    for uri in [
        format!(
            "/tickets/{}/transcripts/{}",
            seeded.id, seeded.transcript_id
        ),
        format!(
            "/tickets/{}/transcripts/{}?download=1",
            seeded.id, seeded.transcript_id
        ),
    ] {
        let page = body(panel.client.get(uri.clone()).dispatch().await).await;
        assert_eq!(
            page.matches("class=\"author").count(),
            1,
            "{uri}: one entry, by the opener: {page}"
        );
        assert!(
            page.contains(">Spieler 2</span>") || page.contains(">Spieler 2:</span>"),
            "{uri}"
        );
        assert!(
            !page.contains(">Sam Support</span>") && !page.contains(">Sam Support:</span>"),
            "{uri}: a forged author"
        );
        assert!(
            page.contains("Dein Bann ist aufgehoben"),
            "{uri}: the text stays"
        );
    }
}
