//! The panel's hardening (issue 12): hostile search input, server-side sessions that logout and
//! role loss end, a CSRF-protected logout, odd `next` paths after login, and `/metrics` only for
//! its token or loopback. Through Rocket's local client and the Discord OAuth2/REST emulator.

use std::collections::HashMap;
use std::sync::Arc;

use rocket::http::Status;
use rocket::local::asynchronous::{Client, LocalResponse};
use ticketbot::Config;
use ticketbot::db::Db;
use ticketbot::web::SESSION_COOKIE;

use crate::panel::{panel_config, seed_conversation};
use crate::support::app::{ADMIN, guild};
use crate::support::db::{TestDb, postgres_or_skip};
use crate::support::discord::DiscordEmu;

struct Panel {
    client: Client,
    emu: DiscordEmu,
    db: Db,
    _test_db: TestDb,
}

async fn panel_with(test_db: TestDb, extra: &[(&str, &str)]) -> Panel {
    let emu = guild().await;
    let mut config = panel_config(&emu, &test_db.url, 9);
    if !extra.is_empty() {
        let mut env: HashMap<String, String> = emu.env_for_bot().into_iter().collect();
        env.insert("DATABASE_URL".into(), test_db.url.clone());
        env.insert(
            "DISCORD_REDIRECT_URI".into(),
            config.panel.redirect_uri.to_string(),
        );
        env.insert("PANEL_PORT".into(), "9".into());
        for (key, value) in extra {
            env.insert((*key).into(), (*value).into());
        }
        config = Config::from_lookup(|key| env.get(key).cloned()).expect("valid test config");
    }
    let db = Db::connect(&test_db.url).await.expect("test database");
    let client = Client::tracked(ticketbot::web::rocket(Arc::new(config), db.clone()))
        .await
        .expect("panel ignites");
    Panel {
        client,
        emu,
        db,
        _test_db: test_db,
    }
}

async fn panel() -> Panel {
    panel_with(TestDb::sqlite(), &[]).await
}

fn location(response: &LocalResponse<'_>) -> String {
    response
        .headers()
        .get_one("Location")
        .expect("a Location header")
        .to_owned()
}

async fn body(response: LocalResponse<'_>) -> String {
    response.into_string().await.unwrap_or_default()
}

fn urlencode(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

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
