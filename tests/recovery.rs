//! Fault tolerance: a crashing ticket actor, a ticket that keeps crashing, Discord errors.

use std::time::{Duration, Instant};

use ticketbot::db::models::TicketStatus;
use ticketbot::fault;

use crate::support::app::{SUPPORTERS, TestBot, USERS, WAIT, post_open_button};
use crate::support::binary::{binary_logged_in, free_port, spawn_binary, spawn_binary_with};

#[tokio::test]
async fn a_panicking_ticket_actor_is_restarted_while_the_others_keep_answering() {
    let bot = TestBot::start().await;
    let button = bot.setup_button().await;
    let mut tickets = Vec::new();
    for user in USERS {
        tickets.push(bot.open_ticket(button, user).await);
    }
    let crashed = &tickets[0];
    let crashed_channel = crashed.channel_id.unwrap() as u64;
    bot.emu
        .user_message(USERS[0], crashed_channel, fault::PANIC)
        .await;
    let crash_at = Instant::now();
    // The others chat on while ticket 0's actor is down.
    for round in 0..10 {
        for (i, ticket) in tickets.iter().enumerate().skip(1) {
            let text = format!("runde {round} von {i}");
            bot.emu
                .user_message(USERS[i], ticket.channel_id.unwrap() as u64, &text)
                .await;
        }
        bot.emu
            .user_message(
                USERS[0],
                crashed_channel,
                &format!("nach dem absturz {round}"),
            )
            .await;
    }
    for (i, ticket) in tickets.iter().enumerate() {
        let expected = if i == 0 {
            "nach dem absturz "
        } else {
            "runde "
        };
        bot.wait_stored_with_prefix(ticket.id, expected, 10).await;
    }
    let back = crash_at.elapsed();
    assert!(
        bot.messages(crashed.id)
            .await
            .iter()
            .any(|m| m.content == fault::PANIC),
        "the message that crashed it is stored"
    );
    // The restarted actor answers buttons again.
    let ir = bot.press(SUPPORTERS[0], crashed, "ticket:claim").await;
    bot.emu
        .wait_interaction_response(&ir, WAIT)
        .await
        .expect("answered");
    bot.wait_ticket(|t| t.id == crashed.id && t.status() == TicketStatus::Claimed)
        .await;
    assert!(!bot.ticket(crashed.id).await.degraded);
    eprintln!("recovered and caught up within {back:?}");
}

#[tokio::test]
async fn messages_queued_behind_a_crash_are_stored_without_discords_history() {
    let bot = TestBot::start().await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    // The restarted actor cannot read the channel's history: what the dead actor had in its
    // mailbox must already be on its way to the database.
    bot.emu
        .fail_next("GET", &format!("/channels/{channel}/messages"), 403, 1_000);
    bot.emu.user_message(USERS[0], channel, fault::PANIC).await;
    for k in 0..5 {
        bot.emu
            .user_message(USERS[0], channel, &format!("hinter dem Absturz {k}"))
            .await;
    }
    bot.wait_stored_with_prefix(ticket.id, "hinter dem Absturz ", 5)
        .await;
    assert!(!bot.ticket(ticket.id).await.degraded);
}

/// A ticket whose actor finished its first catch-up on the channel history; returns its id and
/// channel.
async fn ticket_caught_up(bot: &TestBot) -> (i64, u64) {
    let (ticket, _) = bot.first_ticket(USERS[0]).await;
    let synced = bot
        .wait_ticket(|t| t.id == ticket.id && t.history_synced_id.is_some())
        .await;
    (synced.id, ticket.channel_id.unwrap() as u64)
}

#[tokio::test]
async fn a_message_missed_before_a_crash_is_caught_up_although_newer_ones_are_stored() {
    let bot = TestBot::start().await;
    let (id, channel) = ticket_caught_up(&bot).await;
    // Written while no actor listened; the message that crashes the actor is newer and is
    // stored first, so "after the newest stored message" would skip the missed one.
    let missed = bot
        .emu
        .store_message_silently(USERS[0], channel, "nie zugestellt");
    bot.emu.user_message(USERS[0], channel, fault::PANIC).await;
    bot.wait_stored_with_prefix(id, "nie zugestellt", 1).await;
    let ticket = bot.ticket(id).await;
    assert!(!ticket.degraded);
    assert!(
        ticket.history_synced_id >= Some(missed as i64),
        "the catch-up position moved past what it stored"
    );
}

#[tokio::test]
async fn a_failed_catch_up_on_channel_history_is_tried_again() {
    let bot = TestBot::start().await;
    let (id, channel) = ticket_caught_up(&bot).await;
    bot.emu
        .store_message_silently(USERS[0], channel, "während Discord hakte");
    // More 500s than one request's retries: the restarted actor's catch-up fails once.
    let history = format!("/channels/{channel}/messages");
    bot.emu.fail_next("GET", &history, 500, 8);
    bot.emu.user_message(USERS[0], channel, fault::PANIC).await;
    bot.wait_stored_with_prefix(id, "während Discord hakte", 1)
        .await;
    let history_failures = bot
        .emu
        .requests()
        .iter()
        .filter(|r| r.is("GET", &history) && r.status == 500)
        .count();
    assert_eq!(history_failures, 8, "the faults were injected");
}

/// How often the channel's history was read: each restarted actor first reads it, so that
/// request marks a restart.
fn history_reads(emu: &crate::support::discord::DiscordEmu, channel: u64) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.is("GET", &format!("/channels/{channel}/messages")))
        .count()
}

/// Makes the actor of `channel`'s ticket crash six times in a row (one more than the limit),
/// each time after the supervisor restarted it.
async fn crash_six_times(bot: &TestBot, channel: u64) {
    // The first actor's own history read comes after the welcome message is stored.
    bot.emu
        .wait_for(WAIT, |e| (history_reads(e, channel) >= 1).then_some(()))
        .await
        .expect("the ticket actor started");
    for crash in 1..=6 {
        let before = history_reads(&bot.emu, channel);
        bot.emu.user_message(USERS[0], channel, fault::PANIC).await;
        if crash < 6 {
            bot.emu
                .wait_for(WAIT, |e| (history_reads(e, channel) > before).then_some(()))
                .await
                .expect("the supervisor restarted the actor");
        }
    }
}

#[tokio::test]
async fn a_ticket_that_crashes_on_every_message_ends_degraded_and_keeps_storing() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    crash_six_times(&bot, channel).await;
    bot.wait_ticket(|t| t.id == ticket.id && t.degraded).await;
    bot.emu
        .wait_for_message(
            spec.log_channel,
            |m| m.embed_text().contains("Ticket gestört"),
            WAIT,
        )
        .await
        .expect("log channel told");
    bot.emu
        .user_message(USERS[0], channel, "noch jemand da?")
        .await;
    bot.wait_messages(ticket.id, |m| {
        m.iter().any(|m| m.content == "noch jemand da?")
    })
    .await;
    // Presses get an answer instead of silence.
    let ir = bot.press(SUPPORTERS[0], &ticket, "ticket:claim").await;
    let answer = bot
        .emu
        .wait_interaction_response(&ir, WAIT)
        .await
        .expect("answered");
    assert!(answer.content().contains("gestört"), "{}", answer.content());

    let metrics = ticketbot::metrics::prometheus(&bot.db).await.unwrap();
    assert!(
        metrics.contains("ticketbot_tickets_degraded 1"),
        "{metrics}"
    );

    let reads_while_degraded = history_reads(&bot.emu, channel);
    // The operator fixed the cause and restarts it from the command line.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ticketbot"))
        .args(["restart-ticket", &ticket.id.to_string()])
        .env("DATABASE_URL", &bot.test_db.url)
        .output()
        .expect("CLI runs");
    assert!(output.status.success(), "{output:?}");
    bot.wait_ticket(|t| t.id == ticket.id && !t.degraded).await;
    // The supervisor notices within seconds; its new actor reads the channel history first.
    bot.emu
        .wait_for(WAIT, |e| {
            (history_reads(e, channel) > reads_while_degraded).then_some(())
        })
        .await
        .expect("the supervisor restarted the degraded ticket");
    let ir = bot.press(SUPPORTERS[0], &ticket, "ticket:claim").await;
    let emu = &bot.emu;
    emu.wait_for(WAIT, |e| {
        e.interaction_replies(&ir)
            .into_iter()
            .find(|r| r.content().contains("beansprucht"))
    })
    .await
    .expect("the revived actor handles the claim");
    assert!(
        bot.audit(ticket.id)
            .await
            .contains(&"restart_requested".to_owned())
    );
}

#[tokio::test]
async fn discord_429s_and_500s_are_retried_without_duplicates() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let button = bot.setup_button().await;
    bot.emu.fail_next(
        "POST",
        &format!("/guilds/{}/channels", spec.guild_id),
        429,
        2,
    );
    bot.emu.fail_next(
        "POST",
        &format!("/guilds/{}/channels", spec.guild_id),
        500,
        2,
    );
    let ticket = bot.open_ticket(button, USERS[0]).await;
    assert_eq!(
        bot.emu.channels_in(spec.created_cat).len(),
        1,
        "exactly one channel"
    );
    let channel = ticket.channel_id.unwrap() as u64;
    bot.emu
        .fail_next("POST", &format!("/channels/{channel}/messages"), 500, 1);
    bot.emu
        .fail_next("PATCH", &format!("/channels/{channel}"), 429, 1);
    let ir = bot.press(SUPPORTERS[0], &ticket, "ticket:claim").await;
    bot.emu
        .wait_interaction_response(&ir, WAIT)
        .await
        .expect("answered");
    bot.emu
        .wait_for(WAIT, |e| {
            e.channel(channel)
                .filter(|c| c.parent_id == Some(spec.claimed_cat))
        })
        .await
        .expect("moved despite a 429");
    let failed: Vec<_> = bot
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.status >= 429)
        .collect();
    assert!(
        failed.len() >= 5,
        "the faults were injected: {}",
        failed.len()
    );
    assert_eq!(bot.all_tickets().await.len(), 1);
}

#[tokio::test]
async fn after_sigkill_a_restart_resumes_every_open_ticket_and_backfills() {
    use crate::support::app::{bot_env, guild};
    use crate::support::db::TestDb;

    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let env = bot_env(&emu, &test_db, &[]);
    let mut first = spawn_binary(&env);
    binary_logged_in(&emu).await;
    let spec = emu.spec().clone();
    let button = post_open_button(&emu).await;
    for user in &USERS[..3] {
        emu.click_button(*user, spec.support_channel, button, "ticket:open")
            .await;
    }
    let channels = emu
        .wait_for(WAIT, |e| {
            let channels = e.channels_in(spec.created_cat);
            let welcomed = channels.iter().all(|c| {
                e.messages(c.id)
                    .iter()
                    .any(|m| m.button("ticket:claim").is_some())
            });
            (channels.len() == 3 && welcomed).then_some(channels)
        })
        .await
        .expect("three tickets opened");
    for channel in &channels {
        emu.user_message(USERS[0], channel.id, "vor dem absturz")
            .await;
    }
    let db = ticketbot::db::Db::connect(&test_db.url).await.unwrap();
    let stored = |text: &'static str| {
        let db = db.clone();
        async move {
            let deadline = Instant::now() + WAIT;
            loop {
                let count: usize = db
                    .run(move |c| {
                        use diesel::prelude::*;
                        use ticketbot::db::schema::messages;
                        let n: i64 = messages::table
                            .filter(messages::content.eq(text))
                            .count()
                            .get_result(c)?;
                        Ok(n as usize)
                    })
                    .await
                    .unwrap();
                if count == 3 || Instant::now() > deadline {
                    return count;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(stored("vor dem absturz").await, 3);

    first.kill().expect("SIGKILL");
    let _ = first.wait();
    for channel in &channels {
        emu.store_message_silently(USERS[0], channel.id, "während der bot weg war");
    }
    let identifies = emu.identify_count();
    let started = Instant::now();
    let mut second = spawn_binary(&env);
    emu.wait_for(WAIT, |e| {
        (e.identify_count() > identifies && e.is_connected()).then_some(())
    })
    .await
    .expect("binary logged in again");
    assert_eq!(
        stored("während der bot weg war").await,
        3,
        "backfilled from channel history\n--- first run's log:\n{}\n--- second run's log:\n{}",
        first.log(),
        second.log()
    );
    let resumed = started.elapsed();

    let welcome = emu
        .messages(channels[0].id)
        .into_iter()
        .find(|m| m.button("ticket:claim").is_some())
        .unwrap();
    let ir = emu
        .click_button(SUPPORTERS[0], channels[0].id, welcome.id, "ticket:claim")
        .await;
    let answer = emu
        .wait_interaction_response(&ir, WAIT)
        .await
        .expect("button still works");
    assert!(
        answer.content().contains("beansprucht"),
        "{}",
        answer.content()
    );
    second.kill().ok();
    let _ = second.wait();
    eprintln!("restart to all tickets backfilled: {resumed:?}");
}

#[tokio::test]
async fn sigterm_stops_the_binary_cleanly() {
    use crate::support::app::{bot_env, guild};
    use crate::support::db::TestDb;

    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let env = bot_env(&emu, &test_db, &[]);
    let mut child = spawn_binary(&env);
    binary_logged_in(&emu).await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + WAIT;
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the binary did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "clean exit after SIGTERM: {exit:?}");
}

#[tokio::test]
async fn a_dropped_websocket_during_rest_faults_loses_and_duplicates_nothing() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let button = bot.setup_button().await;
    let ticket = bot.open_ticket(button, USERS[0]).await;
    let channel = ticket.channel_id.unwrap() as u64;
    // For a while Discord answers with 429s and 500s, and the websocket drops.
    bot.emu.fail_next("*", "/channels/", 429, 3);
    bot.emu.fail_next("*", "/interactions/", 500, 2);
    bot.emu.drop_gateway();
    for i in 0..20 {
        bot.emu
            .user_message(USERS[0], channel, &format!("während der störung {i}"))
            .await;
    }
    let ir = bot
        .emu
        .click_button(USERS[1], spec.support_channel, button, "ticket:open")
        .await;
    bot.emu.wait_interaction_response(&ir, WAIT).await;
    let stored = bot
        .wait_stored_with_prefix(ticket.id, "während der störung", 20)
        .await;
    let mut ids: Vec<i64> = stored.iter().map(|m| m.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), stored.len(), "no message stored twice");
    bot.wait_ticket(|t| t.opener_id == USERS[1] as i64 && t.welcome_message_id.is_some())
        .await;
    let emu = &bot.emu;
    emu.wait_for(WAIT, |e| {
        (e.channels_in(spec.created_cat).len() == 2).then_some(())
    })
    .await
    .expect("exactly the two ticket channels");
    assert_eq!(bot.all_tickets().await.len(), 2);
    assert!(bot.emu.resume_count() >= 1);
}

#[tokio::test]
async fn a_panic_in_the_gateway_router_skips_one_event_and_routing_goes_on() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    bot.emu
        .user_message(USERS[1], spec.support_channel, fault::ROUTER_PANIC)
        .await;
    for i in 0..5 {
        bot.emu
            .user_message(USERS[0], channel, &format!("danach {i}"))
            .await;
    }
    bot.wait_stored_with_prefix(ticket.id, "danach ", 5).await;
    let ir = bot.press(SUPPORTERS[0], &ticket, "ticket:claim").await;
    bot.emu
        .wait_interaction_response(&ir, WAIT)
        .await
        .expect("answered");
    bot.wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Claimed)
        .await;
}

#[tokio::test]
async fn the_binary_without_arguments_runs_bot_and_panel_together() {
    use crate::support::app::{bot_env, guild};
    use crate::support::db::TestDb;

    ticketbot::app::install_crypto_provider();
    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let port = free_port();
    let env = bot_env(&emu, &test_db, &[("PANEL_PORT", &port)]);
    let mut child = spawn_binary_with(&env, &[]);
    binary_logged_in(&emu).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let health = loop {
        match client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
        {
            Ok(response) => break response,
            Err(err) => {
                assert!(Instant::now() < deadline, "panel never answered: {err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(health.status(), 200);
    let index = client
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap();
    assert!(index.status().is_redirection(), "the list needs a login");
    child.kill().ok();
    let _ = child.wait();
}

#[tokio::test]
async fn a_panel_in_its_own_process_shows_the_bots_actors_from_its_report() {
    use crate::support::app::{bot_env, guild};
    use crate::support::db::TestDb;

    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let port = free_port();
    let env = bot_env(&emu, &test_db, &[("PANEL_PORT", &port)]);
    let bot = spawn_binary_with(&env, &["bot"]);
    binary_logged_in(&emu).await;
    let panel = spawn_binary_with(&env, &["panel"]);
    let spec = emu.spec().clone();
    let button = post_open_button(&emu).await;
    emu.click_button(USERS[0], spec.support_channel, button, "ticket:open")
        .await;

    // The bot reports every few seconds; the panel process has no actors of its own.
    ticketbot::app::install_crypto_provider();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + WAIT;
    let metrics = loop {
        let metrics = match client
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
        {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if metrics.contains("ticketbot_actors_alive 1\n") {
            break metrics;
        }
        assert!(
            Instant::now() < deadline,
            "the panel never showed the bot's actor: {metrics}\n--- bot:\n{}\n--- panel:\n{}",
            bot.log(),
            panel.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        metrics.contains("ticketbot_bot_report_age_seconds "),
        "{metrics}"
    );
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ticketbot"))
        .arg("status")
        .env_clear()
        .envs(&env)
        .env("RUST_LOG", "warn")
        .output()
        .expect("ticketbot status runs");
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("1 ticket actors (1 alive)"), "{status}");
}

#[tokio::test]
async fn a_discord_refusal_is_reported_to_the_log_channel_with_what_to_fix() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    // The bot lost "Manage Channels": moving the closed channel is refused for good.
    bot.emu
        .fail_next("PATCH", &format!("/channels/{channel}"), 403, 1);
    let ir = bot.press(SUPPORTERS[0], &ticket, "ticket:close").await;
    let answer = bot
        .emu
        .wait_interaction_response(&ir, WAIT)
        .await
        .expect("the supporter is answered");
    assert!(
        answer.content().contains("geschlossen"),
        "{}",
        answer.content()
    );
    // Nothing is lost: the ticket is closed and its transcript kept.
    let closed = bot
        .wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Closed)
        .await;
    assert!(!closed.degraded);
    assert!(bot.audit(ticket.id).await.contains(&"closed".to_owned()));
    let report = bot
        .emu
        .wait_for_message(
            spec.log_channel,
            |m| m.embed_text().contains("Kanal verschieben fehlgeschlagen"),
            WAIT,
        )
        .await
        .expect("the log channel is told");
    let text = report.embed_text();
    assert!(text.contains("Dem Bot fehlen Rechte"), "{text}");
    assert!(text.contains(&format!("#{}", ticket.id)), "{text}");
    let refused = bot
        .emu
        .requests()
        .iter()
        .filter(|r| r.is("PATCH", &format!("/channels/{channel}")) && r.status == 403)
        .count();
    assert_eq!(refused, 1, "a 403 is not retried");
}

/// Another connection (another process, a backup) holds SQLite's write lock while messages come
/// in and the bot is told to stop: it waits for the lock and stores every one before exiting.
#[tokio::test]
async fn messages_queued_while_another_process_holds_the_database_are_stored_by_a_stop() {
    use crate::support::app::{bot_env, guild};
    use crate::support::db::TestDb;
    use diesel::{Connection, RunQueryDsl};

    let emu = guild().await;
    let test_db = TestDb::sqlite();
    let mut env = bot_env(&emu, &test_db, &[]);
    env.insert("RUST_LOG".into(), "info,ticketbot=debug".into());
    let mut child = spawn_binary(&env);
    binary_logged_in(&emu).await;
    let spec = emu.spec().clone();
    let button = post_open_button(&emu).await;
    emu.click_button(USERS[0], spec.support_channel, button, "ticket:open")
        .await;
    let channel = emu
        .wait_for(WAIT, |e| {
            e.channels_in(spec.created_cat).into_iter().find(|c| {
                e.messages(c.id)
                    .iter()
                    .any(|m| m.button("ticket:claim").is_some())
            })
        })
        .await
        .expect("ticket opened");
    let ticketbot::db::Backend::Sqlite { path } =
        ticketbot::db::Backend::from_url(&test_db.url).unwrap()
    else {
        panic!("a SQLite test database");
    };
    let mut lock = diesel::SqliteConnection::establish(&path).expect("second connection");
    // The bot may be writing this moment (its heartbeat, a message): wait for the lock as any
    // other process would, rather than failing at once.
    diesel::sql_query("PRAGMA busy_timeout = 10000")
        .execute(&mut lock)
        .expect("busy timeout");
    diesel::sql_query("BEGIN IMMEDIATE")
        .execute(&mut lock)
        .expect("write lock");
    for k in 0..5 {
        emu.user_message(USERS[0], channel.id, &format!("kurz vor dem Halt {k}"))
            .await;
    }
    let deadline = Instant::now() + WAIT;
    while child.log().matches("message queued for storage").count() < 5 {
        assert!(Instant::now() < deadline, "the bot got the messages");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    diesel::sql_query("COMMIT")
        .execute(&mut lock)
        .expect("lock released");
    let deadline = Instant::now() + WAIT;
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(Instant::now() < deadline, "the binary stops");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "{exit:?}\n{}", child.log());
    let stored: i64 = diesel::sql_query(
        "SELECT count(*) AS n FROM messages WHERE content LIKE 'kurz vor dem Halt %'",
    )
    .get_result::<StopCount>(&mut lock)
    .expect("count")
    .n;
    assert_eq!(stored, 5, "{}", child.log());
}

#[derive(diesel::QueryableByName)]
struct StopCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test]
async fn marking_a_ticket_degraded_writes_an_audit_row() {
    let bot = TestBot::start().await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    crash_six_times(&bot, channel).await;
    bot.wait_ticket(|t| t.id == ticket.id && t.degraded).await;
    let id = ticket.id;
    let audit = bot
        .db
        .run(move |conn| ticketbot::db::queries::audit_of(conn, id))
        .await
        .expect("audit rows");
    let degraded: Vec<_> = audit.iter().filter(|a| a.action == "degraded").collect();
    assert_eq!(degraded.len(), 1, "{audit:?}");
    assert!(degraded[0].detail.contains("restart-ticket"), "{audit:?}");
}
