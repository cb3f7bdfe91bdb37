//! The gateway on a bad day: refusals that end the program with what to fix, a gateway that
//! keeps closing, interactions from elsewhere, a second bot on the same database, `/healthz`.

use std::time::Duration;

use crate::support::app::{TestBot, USERS, WAIT, bot_env, guild};
use crate::support::binary::{Running, binary_logged_in, free_port, spawn_binary_with};
use crate::support::db::{TestDb, postgres_or_skip};
use crate::support::discord::Origin;

/// Runs `ticketbot run` until it exits by itself; returns its exit code and log.
async fn run_until_exit(mut child: Running) -> (Option<i32>, String) {
    let status = child
        .exited(WAIT)
        .await
        .unwrap_or_else(|| panic!("the binary kept running:\n{}", child.log()));
    (status.code(), child.log())
}

#[tokio::test]
async fn a_refused_token_exits_2_with_one_line_naming_bot_token() {
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let port = free_port();
    let mut env = bot_env(&emu, &test_db, &[("PANEL_PORT", &port)]);
    env.insert("BOT_TOKEN".into(), "not-the-token".into());
    let (code, log) = run_until_exit(spawn_binary_with(&env, &["run"])).await;
    assert_eq!(code, Some(2), "a refused setting exits 2:\n{log}");
    // The program's last word on stderr, one line.
    assert!(
        log.lines()
            .any(|line| line == "ticketbot: Discord refused the token (4004): check BOT_TOKEN"),
        "{log}"
    );
}

#[tokio::test]
async fn disallowed_intents_exit_2_with_one_line_saying_what_to_turn_on() {
    let emu = guild().await;
    emu.refuse_sessions(Some((4014, "Disallowed intent(s).")));
    let test_db = TestDb::sqlite();
    let port = free_port();
    let env = bot_env(&emu, &test_db, &[("PANEL_PORT", &port)]);
    let (code, log) = run_until_exit(spawn_binary_with(&env, &["run"])).await;
    assert_eq!(code, Some(2), "a refused setting exits 2:\n{log}");
    assert!(
        log.lines().any(|line| line
            == "ticketbot: Discord refused the intents (4014): turn on Message Content Intent \
                and Server Members Intent in the developer portal"),
        "{log}"
    );
    assert_eq!(
        emu.connection_count(),
        1,
        "no reconnect after a fatal close"
    );
}

#[tokio::test]
async fn a_gateway_that_keeps_closing_is_retried_with_growing_pauses_then_resumed() {
    let bot = TestBot::start().await;
    let emu = &bot.emu;
    let resumes = emu.resume_count();
    // An outage: Discord closes the connection and every new one with 4000.
    emu.refuse_sessions(Some((4000, "Unknown error.")));
    let before = emu.connection_count();
    emu.close_gateway(4000, "Unknown error.");
    // The rate of attempts over a stretch of time is what this test measures.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let attempts = emu.connection_count() - before;
    assert!(
        (1..=5).contains(&attempts),
        "{attempts} connection attempts in 6 s"
    );
    emu.refuse_sessions(None);
    assert!(
        emu.wait_connected(WAIT).await,
        "the bot connects once the outage ends"
    );
    assert!(
        emu.resume_count() > resumes,
        "the session was resumed, not identified again"
    );
}

/// An open click from `origin` is refused with an ephemeral answer and creates nothing.
async fn open_click_is_refused(origin: Origin) {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let button = bot.setup_button().await;
    let ir = bot
        .emu
        .click_button_from(
            origin,
            USERS[0],
            spec.support_channel,
            button,
            "ticket:open",
        )
        .await;
    let answer = bot
        .emu
        .wait_interaction_response(&ir, WAIT)
        .await
        .expect("the click is answered");
    let data = &answer.json.as_ref().expect("a JSON answer")["data"];
    assert_eq!(
        data["content"], "Dieser Bot ist nur auf seinem Server zuständig.",
        "{answer:?}"
    );
    assert_eq!(data["flags"], 64, "ephemeral");
    // A click in the home guild afterwards still opens, so nothing was in flight before it.
    bot.open_ticket(button, USERS[1]).await;
    let tickets = bot.all_tickets().await;
    assert_eq!(
        tickets.len(),
        1,
        "only the home guild's ticket: {tickets:?}"
    );
    assert_eq!(bot.emu.channels_in(spec.created_cat).len(), 1);
}

#[tokio::test]
async fn an_open_click_from_another_guild_creates_nothing() {
    open_click_is_refused(Origin::Guild(7_000_000_000_000_001)).await;
}

#[tokio::test]
async fn an_open_click_in_a_direct_message_creates_nothing() {
    open_click_is_refused(Origin::Dm).await;
}

/// Waits until the panel on `port` answers `/healthz`; returns its status and body.
async fn healthz(port: &str) -> (u16, String) {
    let url = format!("http://127.0.0.1:{port}/healthz");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match reqwest::get(&url).await {
            Ok(response) => {
                let status = response.status().as_u16();
                return (status, response.text().await.unwrap_or_default());
            }
            Err(err) => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "panel never answered: {err}"
                );
                // Nothing to wait on but the port: a short poll until it listens.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// A second bot on `test_db` refuses to start, naming the first, and never reaches the
/// gateway; a panel on the same database starts beside them.
async fn a_second_bot_is_refused(test_db: TestDb) {
    ticketbot::app::install_crypto_provider();
    let emu = guild().await;
    let first_port = free_port();
    let env = bot_env(&emu, &test_db, &[("PANEL_PORT", &first_port)]);
    let first = spawn_binary_with(&env, &["run"]);
    binary_logged_in(&emu).await;
    let (identifies, connections) = (emu.identify_count(), emu.connection_count());

    let second_port = free_port();
    let second_env = bot_env(&emu, &test_db, &[("PANEL_PORT", &second_port)]);
    let (code, log) = run_until_exit(spawn_binary_with(&second_env, &["run"])).await;
    assert!(code.is_some_and(|c| c != 0), "exit code {code:?}:\n{log}");
    let pid = first.id();
    assert!(
        log.contains(&format!("another bot runs on this database (pid {pid} on ")),
        "{log}"
    );
    assert!(log.contains("run this one as `ticketbot panel`"), "{log}");
    assert_eq!(
        emu.identify_count(),
        identifies,
        "the second bot never identified"
    );
    assert_eq!(emu.connection_count(), connections, "nor connected");

    let panel_port = free_port();
    let panel_env = bot_env(&emu, &test_db, &[("PANEL_PORT", &panel_port)]);
    let panel = spawn_binary_with(&panel_env, &["panel"]);
    let (status, body) = healthz(&panel_port).await;
    assert_eq!(status, 200, "{body}\n{}", panel.log());
    assert!(
        emu.is_connected(),
        "the first bot still runs:\n{}",
        first.log()
    );
}

#[tokio::test]
async fn a_second_bot_on_one_sqlite_file_refuses_to_start() {
    a_second_bot_is_refused(TestDb::sqlite()).await;
}

#[tokio::test]
async fn a_second_bot_on_one_postgres_database_refuses_to_start() {
    let Some(test_db) = postgres_or_skip("a_second_bot_on_one_postgres_database_refuses_to_start")
    else {
        return;
    };
    a_second_bot_is_refused(test_db).await;
}

/// Asks `/healthz` until it answers `status`; returns the body.
async fn healthz_becomes(port: &str, status: u16, log: impl Fn() -> String) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (now, body) = healthz(port).await;
        if now == status {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/healthz stayed {now} {body:?}, expected {status}:\n{}",
            log()
        );
        // A load balancer's poll, faster.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn healthz_says_503_while_the_gateway_is_down_and_200_once_it_is_back() {
    ticketbot::app::install_crypto_provider();
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let port = free_port();
    let env = bot_env(&emu, &test_db, &[("PANEL_PORT", &port)]);
    let bot = spawn_binary_with(&env, &["run"]);
    binary_logged_in(&emu).await;
    assert_eq!(healthz_becomes(&port, 200, || bot.log()).await, "ok");

    emu.refuse_sessions(Some((4000, "Unknown error.")));
    emu.drop_gateway();
    let body = healthz_becomes(&port, 503, || bot.log()).await;
    assert_eq!(body, "gateway not connected");

    emu.refuse_sessions(None);
    assert!(emu.wait_connected(WAIT).await, "{}", bot.log());
    assert_eq!(healthz_becomes(&port, 200, || bot.log()).await, "ok");
}

#[tokio::test]
async fn healthz_says_503_while_the_disk_is_full_and_200_once_there_is_room() {
    let Some(tmpfs) = crate::support::disk::SmallDisk::mount_or_skip(
        "healthz_says_503_while_the_disk_is_full_and_200_once_there_is_room",
        "8m",
    ) else {
        return;
    };
    ticketbot::app::install_crypto_provider();
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let port = free_port();
    let url = format!("sqlite://{}", tmpfs.path().join("tickets.sqlite").display());
    let env = bot_env(
        &emu,
        &test_db,
        &[("PANEL_PORT", &port), ("DATABASE_URL", &url)],
    );
    // Declared after the tmpfs, so it stops before the tmpfs is unmounted.
    let bot = spawn_binary_with(&env, &["run"]);
    binary_logged_in(&emu).await;
    assert_eq!(healthz_becomes(&port, 200, || bot.log()).await, "ok");

    let filler = tmpfs.fill();
    let body = healthz_becomes(&port, 503, || bot.log()).await;
    assert_eq!(body, "database not writable");

    std::fs::remove_file(filler).expect("room again");
    assert_eq!(healthz_becomes(&port, 200, || bot.log()).await, "ok");
}

/// Ends the PostgreSQL session that holds the bot lease in `url`'s database, as a server
/// restart or a proxy's idle timeout would.
fn end_lease_session(url: &str) {
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::PgConnection::establish(url).expect("PostgreSQL");
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_locks WHERE locktype = 'advisory' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .execute(&mut conn)
    .expect("terminate the lease's session");
}

#[tokio::test]
async fn a_postgres_lease_whose_connection_died_is_taken_again_or_given_up() {
    use ticketbot::db::lease;
    let Some(test_db) =
        postgres_or_skip("a_postgres_lease_whose_connection_died_is_taken_again_or_given_up")
    else {
        return;
    };
    let db = ticketbot::db::Db::connect(&test_db.url).await.unwrap();
    let held = lease::acquire(&test_db.url, &db)
        .await
        .expect("first lease");
    let refused = lease::acquire(&test_db.url, &db).await.err();
    assert!(
        matches!(refused, Some(ticketbot::Error::BotRunning(_))),
        "{refused:?}"
    );

    end_lease_session(&test_db.url);
    held.check().await.expect("the lease is taken again");
    let refused = lease::acquire(&test_db.url, &db).await.err();
    assert!(
        matches!(refused, Some(ticketbot::Error::BotRunning(_))),
        "held again: {refused:?}"
    );

    end_lease_session(&test_db.url);
    let _other = lease::acquire(&test_db.url, &db)
        .await
        .expect("another bot takes the free lease");
    let lost = held.check().await.err();
    assert!(
        matches!(lost, Some(ticketbot::Error::BotRunning(_))),
        "the first bot learns it lost the lease: {lost:?}"
    );
}

#[tokio::test]
async fn an_unreachable_gateway_is_named_with_its_address_and_cause() {
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let closed_port = free_port();
    let url = format!("ws://127.0.0.1:{closed_port}");
    let mut env = bot_env(&emu, &test_db, &[]);
    env.insert("DISCORD_GATEWAY_URL".into(), url.clone());
    let bot = spawn_binary_with(&env, &["bot"]);
    let expected = format!("cannot reach Discord's gateway at {url}");
    let deadline = tokio::time::Instant::now() + WAIT;
    while !bot.log().contains(&expected) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no line naming the gateway's address:\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = bot.log();
    let line = log
        .lines()
        .find(|line| line.contains(&expected))
        .unwrap_or_default();
    assert!(line.to_lowercase().contains("refused"), "the cause: {line}");
    assert!(
        !log.to_lowercase().contains("reconnect"),
        "nothing connected yet, so nothing reconnects:\n{log}"
    );
}
