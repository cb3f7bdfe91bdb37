//! What staff see every day in the panel: mentions and embeds as in Discord, the list's triage
//! (who a ticket waits on, last activity, default filter, "Meine Tickets", counts), the ticket
//! page's links and badges, `/status`.

use diesel::prelude::*;
use rocket::http::Status;
use ticketbot::db::models::NewTranscript;
use ticketbot::db::schema::tickets;
use ticketbot::db::{Db, queries};

use crate::panel::{Panel, body, links, login, message, panel, panel_on, seed_conversation};
use crate::support::app::{ADMIN, SUPPORTERS, USERS};
use crate::support::db::postgres_or_skip;

/// A ticket of `opener` in `status`, claimed by `claimer` when given; returns its number.
pub async fn seed_ticket(
    db: &Db,
    opener: (u64, &str),
    status: &str,
    claimer: Option<(u64, &str)>,
    channel: Option<i64>,
) -> i64 {
    let (opener_id, opener_name) = (opener.0 as i64, opener.1.to_owned());
    let status = status.to_owned();
    let claimer = claimer.map(|(id, name)| (id as i64, name.to_owned()));
    db.write(move |c| {
        Ok(diesel::insert_into(tickets::table)
            .values((
                tickets::opener_id.eq(opener_id),
                tickets::opener_name.eq(opener_name),
                tickets::channel_id.eq(channel),
                tickets::status.eq(status),
                tickets::claimed_by.eq(claimer.as_ref().map(|c| c.0)),
                tickets::claimed_by_name.eq(claimer.map(|c| c.1)),
                tickets::created_at.eq(1_764_000_000_000_i64),
            ))
            .returning(tickets::id)
            .get_result(c)?)
    })
    .await
    .expect("seed ticket")
}

#[tokio::test]
async fn mentions_and_embeds_are_shown_as_in_discord() {
    let panel = panel().await;
    let spec = panel.emu.spec().clone();
    let opener = (USERS[0], "Spieler 0");
    let id = seed_ticket(
        &panel.db,
        opener,
        "claimed",
        Some((SUPPORTERS[0], "supporter0")),
        Some(7_000_000_000_000_002),
    )
    .await;
    let text = format!(
        "Hallo <@{}>, <@&{}> schaut in <#{}>. <@!{ADMIN}> hilft, <@123> nicht.",
        USERS[0], spec.support_role, spec.log_channel
    );
    let welcome = format!(
        r#"[{{"title":"Ticket","description":"Willkommen <@{}>","fields":[{{"name":"Regel","value":"**kein** Cheaten","inline":true}}],"color":5793266}}]"#,
        USERS[0]
    );
    let transcript_text = format!("[2025-11-24 16:00:01] supporter0: Danke <@{}>", USERS[0]);
    let transcript_id = panel
        .db
        .write(move |c| {
            let supporter = (SUPPORTERS[0] as i64, "supporter0");
            queries::insert_message(
                c,
                &message(1_500_000_000_000_000_001, id, supporter, &text, 1),
            )?;
            let mut bot = message(1_500_000_000_000_000_002, id, (9, "TicketBot"), "", 2);
            bot.author_is_bot = true;
            bot.embeds = welcome;
            queries::insert_message(c, &bot)?;
            let transcript = queries::insert_transcript(
                c,
                NewTranscript {
                    ticket_id: id,
                    reason: "manual".into(),
                    created_by: None,
                    created_by_name: None,
                    created_at: 3,
                    message_count: 1,
                    body_text: transcript_text,
                },
            )?;
            Ok(transcript.id)
        })
        .await
        .expect("seed messages");
    assert_eq!(
        login(&panel, SUPPORTERS[1]).await.status(),
        Status::SeeOther
    );

    let page = links(&body(panel.client.get(format!("/tickets/{id}")).dispatch().await).await);
    for shown in [
        "<span class=\"mention\">@Spieler 0</span>",
        "<span class=\"mention\">@Support</span>",
        "<span class=\"mention\">#ticket-log</span>",
        "<span class=\"mention\">@Anna</span>",
        "<span class=\"mention\">@unbekannt</span>",
        "<div class=\"embed\" style=\"border-left-color: #5865f2\">",
        "<div class=\"embed-title\">Ticket</div>",
        "Willkommen <span class=\"mention\">@Spieler 0</span>",
        "<div class=\"embed-field inline\"><div class=\"embed-field-name\">Regel</div>",
        "<strong>kein</strong> Cheaten",
    ] {
        assert!(page.contains(shown), "missing {shown}");
    }
    assert!(!page.contains("&lt;@"), "no raw mention left");
    // Names come from the guild and are kept for a while: a second page asks Discord again
    // for neither roles nor channels.
    let asked = |what: &str| {
        panel
            .emu
            .requests()
            .iter()
            .filter(|r| r.is("GET", &format!("/guilds/{}/{what}", spec.guild_id)))
            .count()
    };
    assert_eq!((asked("roles"), asked("channels")), (1, 1));
    let again = body(panel.client.get(format!("/tickets/{id}")).dispatch().await).await;
    assert!(again.contains("@Support"));
    assert_eq!((asked("roles"), asked("channels")), (1, 1));

    for uri in [
        format!("/tickets/{id}/transcripts/{transcript_id}"),
        format!("/tickets/{id}/transcripts/{transcript_id}?download=1"),
    ] {
        let page = body(panel.client.get(uri.clone()).dispatch().await).await;
        assert!(
            page.contains("Danke <span class=\"mention\">@Spieler 0</span>"),
            "{uri}: {page}"
        );
    }
}

/// The list row of ticket `id` (from its number's link to the end of the row).
fn row_of(page: &str, id: i64) -> String {
    let page = links(page);
    let Some(at) = page.find(&format!("class=\"ticket-number\" href=\"/tickets/{id}\"")) else {
        return String::new();
    };
    let end = page[at..].find("</tr>").map_or(page.len(), |end| at + end);
    page[at..end].to_owned()
}

async fn set_ai_state(db: &Db, id: i64, state: &'static str) {
    db.write(move |c| {
        diesel::update(tickets::table.find(id))
            .set(tickets::ai_state.eq(state))
            .execute(c)?;
        Ok(())
    })
    .await
    .expect("ai state");
}

/// Writes message `n` of ticket `id` by `author` at minute `minute` of the seeded day.
async fn say(db: &Db, id: i64, n: i64, author: (u64, &str), ai: bool, minute: i64) {
    let mut row = message(
        1_600_000_000_000_000_000 + id * 100 + n,
        id,
        (author.0 as i64, author.1),
        "Text",
        1_764_000_000_000 + minute * 60_000,
    );
    row.is_ai = ai;
    row.author_is_bot = ai;
    db.write(move |c| queries::insert_message(c, &row))
        .await
        .expect("message");
}

#[tokio::test]
async fn the_list_shows_active_tickets_by_default_and_who_each_waits_on() {
    let panel = panel().await;
    let db = &panel.db;
    let sigrid = (9_000, "Sigrid");
    let staff = (SUPPORTERS[0], "supporter0");
    let opener = |i: usize| {
        (
            USERS[i],
            ["Anton", "Berta", "Cem", "Dora", "Emil", "Fritz"][i],
        )
    };
    // The opener wrote last: the team is to answer.
    let asked = seed_ticket(db, opener(0), "open", None, None).await;
    say(db, asked, 1, sigrid, true, 1).await;
    say(db, asked, 2, opener(0), false, 2).await;
    // The team wrote last: the opener is to answer.
    let answered = seed_ticket(db, opener(1), "claimed", Some(staff), None).await;
    say(db, answered, 1, opener(1), false, 1).await;
    say(db, answered, 2, staff, false, 42).await;
    // Sigrid asks and the opener never wrote.
    let greeted = seed_ticket(db, opener(2), "open", None, None).await;
    say(db, greeted, 1, sigrid, true, 3).await;
    // Sigrid handed over: the team takes it.
    let handed = seed_ticket(db, opener(3), "open", None, None).await;
    say(db, handed, 1, opener(3), false, 4).await;
    say(db, handed, 2, sigrid, true, 5).await;
    set_ai_state(db, handed, "handed_over").await;
    let closed = seed_ticket(db, opener(4), "closed", Some(staff), None).await;
    let deleted = seed_ticket(db, opener(5), "deleted", None, None).await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);

    let list = body(panel.client.get("/").dispatch().await).await;
    for (id, waits) in [
        (asked, "wartet auf Team"),
        (answered, "wartet auf Nutzer"),
        (greeted, "wartet auf Nutzer"),
        (handed, "wartet auf Team"),
    ] {
        let row = row_of(&list, id);
        assert!(row.contains(waits), "#{id} {waits}: {row}");
    }
    assert!(
        row_of(&list, answered).contains("24.11.2025 16:42"),
        "last activity is the newest message: {}",
        row_of(&list, answered)
    );
    assert!(row_of(&list, closed).is_empty() && row_of(&list, deleted).is_empty());
    // The views and the status menu say how many tickets each holds.
    assert!(
        list.contains("Offen &amp; übernommen <span class=\"count\">4</span>"),
        "{list}"
    );
    assert!(list.contains("Alle <span class=\"count\">6</span>"));
    assert!(list.contains(">offen (3)</option>") && list.contains(">gelöscht (1)</option>"));
    assert!(
        links(&list).contains("href=\"/?status=all\""),
        "one click to all"
    );

    let all = body(panel.client.get("/?status=all").dispatch().await).await;
    let closed_row = row_of(&all, closed);
    assert!(!closed_row.is_empty() && !row_of(&all, deleted).is_empty());
    assert!(
        !closed_row.contains("wartet auf"),
        "nobody waits on a closed ticket"
    );
    // A search without a status looks through every ticket.
    let found = body(panel.client.get("/?q=Emil").dispatch().await).await;
    assert!(!row_of(&found, closed).is_empty());
}

#[tokio::test]
async fn meine_tickets_are_the_ones_the_staff_member_claimed() {
    let panel = panel().await;
    let db = &panel.db;
    let mine = seed_ticket(
        db,
        (USERS[0], "Anton"),
        "claimed",
        Some((SUPPORTERS[0], "supporter0")),
        None,
    )
    .await;
    let theirs = seed_ticket(
        db,
        (USERS[1], "Berta"),
        "claimed",
        Some((SUPPORTERS[1], "supporter1")),
        None,
    )
    .await;
    let done = seed_ticket(
        db,
        (USERS[2], "Cem"),
        "closed",
        Some((SUPPORTERS[0], "supporter0")),
        None,
    )
    .await;
    assert_eq!(
        login(&panel, SUPPORTERS[0]).await.status(),
        Status::SeeOther
    );
    let list = body(panel.client.get("/?status=mine").dispatch().await).await;
    assert!(!row_of(&list, mine).is_empty());
    assert!(row_of(&list, theirs).is_empty() && row_of(&list, done).is_empty());
    assert!(list.contains("Meine Tickets <span class=\"count\">1</span>"));
    assert!(list.contains("<option value=\"mine\" selected>Meine Tickets (1)</option>"));
}

#[tokio::test]
async fn a_kept_list_page_follows_a_new_message() {
    kept_page_follows_messages(panel().await).await;
}

#[tokio::test]
async fn a_kept_list_page_follows_a_new_message_on_postgres() {
    let Some(test_db) = postgres_or_skip("a_kept_list_page_follows_a_new_message_on_postgres")
    else {
        return;
    };
    kept_page_follows_messages(panel_on(test_db).await).await;
}

async fn kept_page_follows_messages(panel: Panel) {
    let staff = (SUPPORTERS[0], "supporter0");
    let id = seed_ticket(&panel.db, (USERS[0], "Anton"), "claimed", Some(staff), None).await;
    say(&panel.db, id, 1, staff, false, 1).await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);
    let before = body(panel.client.get("/").dispatch().await).await;
    assert!(row_of(&before, id).contains("wartet auf Nutzer"));
    assert_eq!(before, body(panel.client.get("/").dispatch().await).await);
    say(&panel.db, id, 2, (USERS[0], "Anton"), false, 2).await;
    let after = body(panel.client.get("/").dispatch().await).await;
    assert!(
        row_of(&after, id).contains("wartet auf Team"),
        "{}",
        row_of(&after, id)
    );
}

#[tokio::test]
async fn the_ticket_page_links_to_discord_marks_the_team_and_lists_other_tickets() {
    let panel = panel().await;
    let seeded = seed_conversation(&panel.db).await;
    let older = seed_ticket(&panel.db, (USERS[0], "Spieler 0"), "deleted", None, None).await;
    let stranger = seed_ticket(&panel.db, (USERS[1], "Spieler 1"), "open", None, None).await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);
    let page = links(
        &body(
            panel
                .client
                .get(format!("/tickets/{}", seeded.id))
                .dispatch()
                .await,
        )
        .await,
    );
    let guild = panel.emu.spec().guild_id;
    let discord_links: Vec<&str> = page
        .match_indices("https://discord.com")
        .map(|(at, _)| &page[at..at + 80])
        .collect();
    assert!(
        page.contains(&format!(
            "href=\"https://discord.com/channels/{guild}/7000000000000001\""
        )),
        "{discord_links:?}"
    );
    assert!(page.contains(&format!("href=\"https://discord.com/users/{}\"", USERS[0])));
    assert!(page.contains("In Discord öffnen"));
    // The supporter's message carries the team badge, the opener's and Sigrid's do not.
    assert_eq!(
        page.matches("team-badge\">Team</span>").count(),
        1,
        "{page}"
    );
    // The verdict comes before the conversation, its ban id in one piece.
    let verdict = page.find("id=\"einschaetzung\"").expect("verdict");
    assert!(verdict < page.find("id=\"verlauf\"").expect("conversation"));
    assert!(page.contains("<dd class=\"nowrap\">B-4711</dd>"));
    // The opener's other tickets, and only theirs.
    assert!(page.contains(&format!("href=\"/tickets/{older}\"")));
    assert!(!page.contains(&format!("href=\"/tickets/{stranger}\"")));
    // German throughout: the verdict's source, the transcript's reason, the audit actions.
    assert!(page.contains("von der KI") && !page.contains("(ai)"));
    assert!(page.contains("beim Schließen"));
    for english in [
        ">closed<",
        ">manual<",
        ">close<",
        "· closed ·",
        "· manual ·",
    ] {
        assert!(!page.contains(english), "{english} on the page");
    }
}

#[tokio::test]
async fn status_is_a_panel_page_in_german_with_ticket_links() {
    let panel = panel().await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);
    let empty = panel.client.get("/status").dispatch().await;
    assert_eq!(empty.status(), Status::Ok);
    assert_eq!(empty.content_type(), Some(rocket::http::ContentType::HTML));
    let empty = body(empty).await;
    assert!(empty.contains("/static/panel.css"), "styled like the panel");
    assert!(
        links(&empty).contains("<a href=\"/status\">Status</a>"),
        "linked from the header"
    );
    // Tests share one process: when another one runs a bot here, the page shows its actors
    // rather than a report from the database.
    if ticketbot::metrics::bot_in_process() {
        assert!(empty.contains("Der Bot läuft in diesem Prozess"), "{empty}");
        return;
    }
    assert!(empty.contains("Noch hat sich kein Bot"), "{empty}");

    let report = ticketbot::heartbeat::Report {
        written_at: ticketbot::db::now_ms(),
        actors: 4,
        actors_alive: 3,
        listed: vec![(
            7,
            ticketbot::metrics::ActorView {
                alive: false,
                restarts: 5,
                degraded: true,
            },
        )],
        counters: ticketbot::metrics::Counters::default(),
        gateway_connected: Some(true),
    };
    let report = serde_json::to_string(&report).expect("report");
    panel
        .db
        .write(move |c| queries::set_setting(c, "bot_report", &report))
        .await
        .expect("report written");
    let page = links(&body(panel.client.get("/status").dispatch().await).await);
    if ticketbot::metrics::bot_in_process() {
        return;
    }
    assert!(page.contains("4 Ticket-Prozesse, davon 3 aktiv"), "{page}");
    assert!(page.contains("anderen Prozess, vor 0 s") || page.contains("anderen Prozess, vor 1 s"));
    assert!(page.contains("<a class=\"ticket-number\" href=\"/tickets/7\">#7</a>"));
    assert!(
        !page.contains("ticket actors") && !page.contains("alive"),
        "no English"
    );
}

#[tokio::test]
async fn a_panel_page_without_a_session_asks_to_log_in() {
    let panel = panel().await;
    let response = panel.client.get("/status").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    let page = links(&body(response).await);
    assert!(page.contains("Bitte anmelden"), "{page}");
    assert!(page.contains("href=\"/login?next=%2Fstatus\""), "{page}");
    assert!(
        !page.contains("interner Fehler") && !page.contains("401"),
        "{page}"
    );
}

/// The binary's settings for a panel on `port` against `emu` and a fresh database.
fn panel_binary_env(
    emu: &crate::support::discord::DiscordEmu,
    test_db: &crate::support::db::TestDb,
    port: &str,
) -> std::collections::HashMap<String, String> {
    let mut env = crate::support::app::bot_env(emu, test_db, &[("PANEL_PORT", port)]);
    env.insert(
        "DISCORD_REDIRECT_URI".into(),
        format!("http://127.0.0.1:{port}/callback"),
    );
    env
}

#[tokio::test]
async fn a_busy_port_names_panel_port_and_the_address() {
    let emu = crate::support::app::guild().await;
    let test_db = crate::support::db::TestDb::sqlite();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = taken.local_addr().expect("address").port().to_string();
    let env = panel_binary_env(&emu, &test_db, &port);
    let mut panel = crate::support::binary::spawn_binary_with(&env, &["panel"]);
    let status = panel
        .exited(crate::support::app::WAIT)
        .await
        .expect("the panel gives up on a busy port");
    let log = panel.log();
    assert_eq!(status.code(), Some(2), "{log}");
    let said: Vec<&str> = log.lines().filter(|l| l.contains("PANEL_PORT")).collect();
    assert_eq!(
        said,
        vec![format!("PANEL_PORT: 127.0.0.1:{port} is already in use (another panel or program listens there); choose a free port with PANEL_PORT").as_str()],
        "{log}"
    );
    // Said once, by the program; Rocket's own error for it is not repeated.
    assert!(
        !log.contains("rocket") && !log.contains("panicked"),
        "{log}"
    );
    drop(taken);
}

#[tokio::test]
async fn the_panel_logs_its_launch_at_info_and_unknown_pages_not_as_errors() {
    let emu = crate::support::app::guild().await;
    let test_db = crate::support::db::TestDb::sqlite();
    let port = crate::support::binary::free_port();
    let env = panel_binary_env(&emu, &test_db, &port);
    let panel = crate::support::binary::spawn_binary_with(&env, &["panel"]);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + crate::support::app::WAIT;
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "panel did not come up: {}",
            panel.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    for path in ["/gibt-es-nicht", "/status", "/tickets/abc"] {
        let answer = reqwest::get(format!("{base}{path}")).await.expect("answer");
        assert!(
            answer.status().is_client_error() || answer.status().is_redirection(),
            "{path}"
        );
    }
    let log = panel.log();
    assert!(
        log.contains(" INFO ticketbot::web: web panel listening"),
        "{log}"
    );
    for noise in [
        " ERROR ",
        " WARN rocket",
        "No matching routes",
        "is forwarding",
    ] {
        assert!(!log.contains(noise), "{noise:?} in {log}");
    }
}
