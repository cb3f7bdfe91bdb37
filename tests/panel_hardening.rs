//! The panel's hardening (issue 12): hostile search input, server-side sessions that logout and
//! role loss end, a CSRF-protected logout, odd `next` paths after login, and `/metrics` only for
//! its token or loopback. Through Rocket's local client and the Discord OAuth2/REST emulator.

use std::collections::HashMap;

use diesel::prelude::*;
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use ticketbot::Config;
use ticketbot::db::now_ms;
use ticketbot::db::schema::panel_sessions;
use ticketbot::web::{ROLE_RECHECK_MS, SESSION_COOKIE, SESSION_LIFETIME_MS};

use crate::panel::{Panel, body, location, panel, panel_with, seed_conversation, urlencode};
use crate::support::app::ADMIN;
use crate::support::db::{TestDb, postgres_or_skip};
use crate::support::discord::DiscordEmu;

/// The whole OAuth2 login of `user` through the emulator, starting at `/login?next=…`;
/// returns the callback's answer.
async fn login_to<'c>(panel: &'c Panel, user: u64, next: Option<&str>) -> LocalResponse<'c> {
    panel.emu.set_oauth_user(user);
    let login_uri = match next {
        Some(next) => format!("/login?next={}", urlencode(next)),
        None => "/login".to_owned(),
    };
    let response = panel.client.get(login_uri).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    let authorize = location(&response);
    ticketbot::app::install_crypto_provider();
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
        .get(&authorize)
        .send()
        .await
        .expect("emulator answers");
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let back = answer.headers()["location"]
        .to_str()
        .expect("ASCII location")
        .to_owned();
    let back = url::Url::parse(&back).expect("absolute callback URL");
    let callback = format!("{}?{}", back.path(), back.query().unwrap_or(""));
    panel.client.get(callback).dispatch().await
}

async fn login(panel: &Panel, user: u64) {
    let response = login_to(panel, user, None).await;
    assert_eq!(response.status(), Status::SeeOther, "login of {user}");
    assert!(panel.client.cookies().get_private(SESSION_COOKIE).is_some());
}

// ------------------------------------------------------------------------- 1. search input

#[tokio::test]
async fn a_nul_byte_in_the_search_answers_the_list() {
    search_with_control_characters_answers(panel().await).await;
}

#[tokio::test]
async fn a_nul_byte_in_the_search_answers_the_list_on_postgres() {
    let Some(test_db) = postgres_or_skip("a_nul_byte_in_the_search_answers_the_list_on_postgres")
    else {
        return;
    };
    search_with_control_characters_answers(panel_with(test_db, &[]).await).await;
}

async fn search_with_control_characters_answers(panel: Panel) {
    let seeded = seed_conversation(&panel.db).await;
    login(&panel, ADMIN).await;
    // Every search path: a word (index on SQLite, LIKE on PostgreSQL), a short term, a
    // number, nothing but the NUL.
    for query in [
        "abc%00",
        "Spieler%00",
        "Spi%00eler",
        "%00",
        "%00%01%1F",
        "Sp%00",
        &format!("{}%00", seeded.id),
    ] {
        let response = panel.client.get(format!("/?q={query}")).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "/?q={query}");
        let page = body(response).await;
        assert!(page.contains("Tickets"), "/?q={query}: {page}");
        assert!(!page.contains('\0'), "/?q={query}: the NUL is not echoed");
    }
    // The NUL is dropped, the rest still searches: "Spi\0eler" finds the opener "Spieler 0".
    let page = body(panel.client.get("/?q=Spi%00eler").dispatch().await).await;
    assert!(
        page.contains(&format!(">#{}</a>", seeded.id)) && page.contains("Spieler 0"),
        "the search without its NUL finds the ticket: {page}"
    );
}

// ------------------------------------------------------------- 2. sessions and logout

/// The session's CSRF token as the page's logout form carries it.
fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a logout form with a CSRF token") + marker.len();
    let len = page[start..].find('"').expect("closing quote");
    page[start..start + len].to_owned()
}

async fn post_logout<'c>(client: &'c Client, body: Option<&str>) -> LocalResponse<'c> {
    let request = client.post("/logout");
    match body {
        Some(body) => request.header(ContentType::Form).body(body),
        None => request,
    }
    .dispatch()
    .await
}

/// Logs the tracked client out the way the page's button does.
pub async fn log_out(client: &Client) -> LocalResponse<'_> {
    let page = body(client.get("/").dispatch().await).await;
    let csrf = csrf_of(&page);
    post_logout(client, Some(&format!("csrf={}", urlencode(&csrf)))).await
}

async fn session_rows(panel: &Panel) -> i64 {
    panel
        .db
        .run(|conn| Ok(panel_sessions::table.count().get_result::<i64>(conn)?))
        .await
        .expect("count sessions")
}

#[tokio::test]
async fn logout_ends_a_copied_session_cookie() {
    logout_ends_the_session(panel().await).await;
}

#[tokio::test]
async fn logout_ends_a_copied_session_cookie_on_postgres() {
    let Some(test_db) = postgres_or_skip("logout_ends_a_copied_session_cookie_on_postgres") else {
        return;
    };
    logout_ends_the_session(panel_with(test_db, &[]).await).await;
}

async fn logout_ends_the_session(panel: Panel) {
    login(&panel, ADMIN).await;
    assert_eq!(session_rows(&panel).await, 1, "the session is a row");
    // The cookie as the browser holds it (encrypted), copied elsewhere.
    let copied = panel
        .client
        .cookies()
        .get(SESSION_COOKIE)
        .expect("session cookie")
        .value()
        .to_owned();
    let other = Client::untracked(ticketbot::web::rocket(
        panel.config.clone(),
        panel.db.clone(),
    ))
    .await
    .expect("second panel client");
    let with_copy = || {
        other
            .get("/")
            .cookie(Cookie::new(SESSION_COOKIE, copied.clone()))
            .dispatch()
    };
    assert_eq!(with_copy().await.status(), Status::Ok, "the copy works");

    // The top bar's logout is a form with the session's token, not a link.
    let page = body(panel.client.get("/").dispatch().await).await;
    assert!(!page.contains("href=\"/logout\""), "{page}");
    assert!(
        page.contains("method=\"post\" action=\"/logout\""),
        "{page}"
    );
    let csrf = csrf_of(&page);

    // GET /logout (a link from anywhere) only asks.
    let asked = panel.client.get("/logout").dispatch().await;
    assert_eq!(asked.status(), Status::Ok);
    assert_eq!(csrf_of(&body(asked).await), csrf);
    assert!(panel.client.cookies().get_private(SESSION_COOKIE).is_some());
    assert_eq!(with_copy().await.status(), Status::Ok);

    // A POST without the token, with a wrong one, or with no form at all is refused.
    for form in [Some(""), Some("csrf="), Some("csrf=forged"), None] {
        let refused = post_logout(&panel.client, form).await;
        assert_eq!(refused.status(), Status::Forbidden, "{form:?}");
        assert!(body(refused).await.contains("nicht ausgeführt"), "{form:?}");
        assert_eq!(session_rows(&panel).await, 1, "{form:?}: still logged in");
        assert_eq!(with_copy().await.status(), Status::Ok, "{form:?}");
    }

    let out = post_logout(&panel.client, Some(&format!("csrf={}", urlencode(&csrf)))).await;
    assert_eq!(out.status(), Status::Ok);
    assert!(body(out).await.contains("abgemeldet"));
    assert!(panel.client.cookies().get_private(SESSION_COOKIE).is_none());
    assert_eq!(session_rows(&panel).await, 0, "logout deletes the row");
    let after = with_copy().await;
    assert_eq!(
        after.status(),
        Status::SeeOther,
        "the copied cookie is dead"
    );
    assert!(location(&after).starts_with("/login"));
}

// ------------------------------------------------------------ 3. role loss within a minute

fn member_lookups(emu: &DiscordEmu, user: u64) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.is("GET", &format!("/members/{user}")))
        .count()
}

/// Pretends the session's roles were last confirmed `ago_ms` ago.
async fn roles_checked_ago(panel: &Panel, ago_ms: i64) {
    let at = now_ms() - ago_ms;
    panel
        .db
        .write(move |conn| {
            diesel::update(panel_sessions::table)
                .set(panel_sessions::roles_checked_at.eq(at))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("set the last role check");
}

async fn roles_checked_at(panel: &Panel) -> i64 {
    panel
        .db
        .run(|conn| {
            Ok(panel_sessions::table
                .select(panel_sessions::roles_checked_at)
                .first::<i64>(conn)?)
        })
        .await
        .expect("the session row")
}

const SECOND: i64 = 1_000;

#[tokio::test]
async fn a_removed_role_ends_panel_access_within_a_minute() {
    let panel = panel().await;
    login(&panel, ADMIN).await;
    let at_login = member_lookups(&panel.emu, ADMIN);
    assert_eq!(ROLE_RECHECK_MS, 60 * SECOND);

    // Confirmed 30 s ago: in without asking Discord.
    roles_checked_ago(&panel, 30 * SECOND).await;
    assert_eq!(panel.client.get("/").dispatch().await.status(), Status::Ok);
    assert_eq!(member_lookups(&panel.emu, ADMIN), at_login);

    // 61 s ago: asked again, still admin; the confirmation is recorded.
    roles_checked_ago(&panel, 61 * SECOND).await;
    let before = now_ms();
    assert_eq!(panel.client.get("/").dispatch().await.status(), Status::Ok);
    assert_eq!(member_lookups(&panel.emu, ADMIN), at_login + 1);
    assert!(roles_checked_at(&panel).await >= before);

    // The role is taken away: the next check, at most a minute later, refuses and ends the
    // session (row and cookie).
    panel.emu.set_member_roles(ADMIN, &[]);
    roles_checked_ago(&panel, 61 * SECOND).await;
    let revoked = panel.client.get("/").dispatch().await;
    assert_eq!(revoked.status(), Status::Forbidden);
    let cookies: Vec<String> = revoked
        .headers()
        .get("Set-Cookie")
        .map(str::to_owned)
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with(&format!("{SESSION_COOKIE}=;")) && c.contains("Max-Age=0")),
        "{cookies:?}"
    );
    assert!(
        body(revoked)
            .await
            .contains("keine der erforderlichen Rollen")
    );
    assert_eq!(session_rows(&panel).await, 0, "the session row is gone");
    // Getting the role back does not revive the session: a new login is needed.
    panel
        .emu
        .set_member_roles(ADMIN, &[panel.emu.spec().admin_role]);
    assert_eq!(
        panel.client.get("/").dispatch().await.status(),
        Status::SeeOther
    );
}

#[tokio::test]
async fn a_failing_member_lookup_ends_panel_access_after_a_minute() {
    let panel = panel().await;
    login(&panel, ADMIN).await;
    let at_login = member_lookups(&panel.emu, ADMIN);
    panel
        .emu
        .fail_next("GET", &format!("/members/{ADMIN}"), 500, 2);

    // Confirmed 30 s ago: still in; Discord is not asked yet.
    roles_checked_ago(&panel, 30 * SECOND).await;
    assert_eq!(panel.client.get("/").dispatch().await.status(), Status::Ok);
    assert_eq!(member_lookups(&panel.emu, ADMIN), at_login);

    // 61 s ago and Discord answers 500: refused with a page that says why, not a 500.
    roles_checked_ago(&panel, 61 * SECOND).await;
    let refused = panel.client.get("/").dispatch().await;
    assert_eq!(refused.status(), Status::ServiceUnavailable);
    let page = body(refused).await;
    assert!(page.contains("Rollenprüfung fehlgeschlagen"), "{page}");
    assert!(page.contains("nicht bei Discord geprüft"), "{page}");
    assert!(
        page.contains("href=\"/login\""),
        "a way to log in again: {page}"
    );
    assert_eq!(member_lookups(&panel.emu, ADMIN), at_login + 1);
    let ticket = panel.client.get("/tickets/1").dispatch().await;
    assert_eq!(ticket.status(), Status::ServiceUnavailable, "every page");
    assert_eq!(member_lookups(&panel.emu, ADMIN), at_login + 2);

    // Once Discord answers again with the role, the same session is let in.
    assert_eq!(panel.client.get("/").dispatch().await.status(), Status::Ok);
}

#[tokio::test]
async fn old_forged_and_unknown_session_cookies_are_no_session() {
    let panel = panel().await;
    login(&panel, ADMIN).await;
    // Older than 12 hours: back to the login, the row is removed.
    let created = now_ms() - SESSION_LIFETIME_MS - SECOND;
    panel
        .db
        .write(move |conn| {
            diesel::update(panel_sessions::table)
                .set(panel_sessions::created_at.eq(created))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let expired = panel.client.get("/").dispatch().await;
    assert_eq!(expired.status(), Status::SeeOther);
    assert!(location(&expired).starts_with("/login"));
    assert_eq!(session_rows(&panel).await, 0);

    // A cookie not encrypted with our key, or the old cookie format, is no session.
    let forged = panel
        .client
        .get("/")
        .cookie(Cookie::new(SESSION_COOKIE, "{\"user_id\":1}"))
        .dispatch()
        .await;
    assert_eq!(forged.status(), Status::SeeOther);
    let old_format = serde_json::json!({
        "user_id": ADMIN, "name": "Anna", "avatar": null,
        "issued_at": now_ms(), "roles_checked_at": now_ms(),
    });
    let unknown = panel
        .client
        .get("/")
        .private_cookie(Cookie::new(SESSION_COOKIE, old_format.to_string()))
        .dispatch()
        .await;
    assert_eq!(unknown.status(), Status::SeeOther);
}

// ------------------------------------------------------------------ 4. odd `next` paths

#[tokio::test]
async fn a_next_path_with_a_space_or_umlaut_lands_there_after_login() {
    let panel = panel().await;
    seed_conversation(&panel.db).await;
    for (next, landed) in [
        ("/?q=Spieler 0", "/?q=Spieler%200"),
        ("/?q=Zaunkönig", "/?q=Zaunk%C3%B6nig"),
        ("/tickets/1?x=a b|c{d}", "/tickets/1?x=a%20b%7Cc%7Bd%7D"),
        ("/ä ö", "/%C3%A4%20%C3%B6"),
        ("/?q=100%", "/?q=100%25"),
        ("/?q=Spieler%200", "/?q=Spieler%200"),
    ] {
        let response = login_to(&panel, ADMIN, Some(next)).await;
        assert_eq!(response.status(), Status::SeeOther, "{next}");
        assert_eq!(location(&response), landed, "{next}");
    }
    // The encoded address is the page that was asked for.
    let page = body(panel.client.get("/?q=Spieler%200").dispatch().await).await;
    assert!(page.contains("value=\"Spieler 0\""), "{page}");
    let page = body(panel.client.get("/?q=Zaunk%C3%B6nig").dispatch().await).await;
    assert!(page.contains("value=\"Zaunkönig\""), "{page}");
}

// ----------------------------------------------------------------------- 5. /metrics

const METRICS_TOKEN: &str = "metrics-token-0123456789abcdef";

async fn metrics_status<'c>(
    client: &'c Client,
    from: &str,
    headers: &[(&'static str, String)],
) -> LocalResponse<'c> {
    let mut request = client
        .get("/metrics")
        .remote(from.parse().expect("socket address"));
    for (name, value) in headers {
        request = request.header(Header::new(*name, value.clone()));
    }
    request.dispatch().await
}

#[tokio::test]
async fn metrics_answer_only_loopback_or_the_metrics_token() {
    let panel = panel_with(TestDb::sqlite(), &[("METRICS_TOKEN", METRICS_TOKEN)]).await;
    let bearer = |token: &str| vec![("Authorization", format!("Bearer {token}"))];

    for local in ["127.0.0.1:40000", "[::1]:40000"] {
        let response = metrics_status(&panel.client, local, &[]).await;
        assert_eq!(response.status(), Status::Ok, "{local}");
        assert!(body(response).await.contains("ticketbot_"), "{local}");
    }
    let with_token =
        metrics_status(&panel.client, "203.0.113.7:5000", &bearer(METRICS_TOKEN)).await;
    assert_eq!(with_token.status(), Status::Ok);
    assert!(body(with_token).await.contains("ticketbot_"));

    let refused = [
        ("203.0.113.7:5000", Vec::new()),
        ("203.0.113.7:5000", bearer("metrics-token-0123456789abcdeX")),
        ("203.0.113.7:5000", bearer("")),
        (
            "203.0.113.7:5000",
            vec![("Authorization", METRICS_TOKEN.to_owned())],
        ),
        // A wrong token is wrong from loopback too.
        ("127.0.0.1:40000", bearer("wrong")),
        // Through a reverse proxy on this machine: the socket is loopback, the caller is not.
        (
            "127.0.0.1:40000",
            vec![("X-Forwarded-For", "203.0.113.7".to_owned())],
        ),
        (
            "127.0.0.1:40000",
            vec![("X-Real-IP", "203.0.113.7".to_owned())],
        ),
    ];
    for (from, headers) in refused {
        let response = metrics_status(&panel.client, from, &headers).await;
        assert_eq!(
            response.status(),
            Status::Unauthorized,
            "{from} {headers:?}"
        );
        assert_eq!(
            response.headers().get_one("WWW-Authenticate"),
            Some("Bearer realm=\"metrics\""),
            "{from} {headers:?}"
        );
        assert!(
            !body(response).await.contains("ticketbot_"),
            "{from} {headers:?}"
        );
    }
}

#[tokio::test]
async fn without_a_metrics_token_metrics_answer_only_loopback() {
    let panel = panel().await;
    let local = metrics_status(&panel.client, "127.0.0.1:40000", &[]).await;
    assert_eq!(local.status(), Status::Ok);
    let elsewhere = metrics_status(&panel.client, "198.51.100.20:5000", &[]).await;
    assert_eq!(elsewhere.status(), Status::Forbidden);
    assert!(body(elsewhere).await.contains("METRICS_TOKEN"));
    // No remote address known at all (not a TCP connection): not loopback.
    let unknown = panel.client.get("/metrics").dispatch().await;
    assert_eq!(unknown.status(), Status::Forbidden);
}

#[test]
fn a_short_metrics_token_is_refused_naming_the_key() {
    let env: HashMap<String, String> = [
        ("BOT_TOKEN", "x"),
        ("GUILD_ID", "1"),
        ("SUPPORT_ROLE_ID", "2"),
        ("ADMIN_ROLE_ID", "3"),
        ("CREATED_TICKETS_CATEGORY_ID", "4"),
        ("CLAIMED_TICKETS_CATEGORY_ID", "5"),
        ("CLOSED_TICKETS_CATEGORY_ID", "6"),
        ("TICKET_LOG_CHANNEL_ID", "7"),
        ("FLASK_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
        ("DISCORD_CLIENT_ID", "8"),
        ("DISCORD_CLIENT_SECRET", "s"),
        ("DISCORD_REDIRECT_URI", "http://127.0.0.1:9/callback"),
        ("METRICS_TOKEN", "short"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let err = Config::from_lookup(|key| env.get(key).cloned()).expect_err("refused");
    assert_eq!(err.key, "METRICS_TOKEN");
}
