//! The staff's everyday workflow, driven through the emulator: unclaim and transfer, members
//! added to a ticket, renames under Discord's limit, the blacklist and tags. Each test checks
//! what reached "Discord" and the rows written.

use std::time::Duration;

use serde_json::{Value, json};
use ticketbot::db::models::{AuditEntry, Ticket, TicketStatus};
use ticketbot::db::queries;
use ticketbot::texts;

use crate::support::app::{ADMIN, SUPPORTERS, TestBot, USERS, WAIT};
use crate::support::discord::InteractionRef;

const VIEW: u64 = 1 << 10;
const SEND: u64 = 1 << 11;
const ATTACH: u64 = 1 << 15;
const HISTORY: u64 = 1 << 16;

/// `/ticket <sub> user:<user>` as Discord sends it.
fn user_sub(sub: &str, user: u64) -> Value {
    json!([{"name": sub, "type": 1, "options": [
        {"name": "user", "type": 6, "value": user.to_string()}
    ]}])
}

fn text_sub(sub: &str, options: &[(&str, &str)]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|(name, value)| json!({"name": name, "type": 3, "value": value}))
        .collect();
    json!([{"name": sub, "type": 1, "options": options}])
}

async fn command(bot: &TestBot, user: u64, channel: u64, name: &str, options: Value) -> String {
    let ir = bot
        .emu
        .slash_command_with_options(user, channel, name, options)
        .await;
    bot.answer_text(&ir).await
}

/// Every audit row, those of no ticket included.
async fn all_audit(bot: &TestBot) -> Vec<AuditEntry> {
    use diesel::prelude::*;
    use ticketbot::db::schema::audit_log;
    bot.db
        .run(|c| {
            Ok(audit_log::table
                .order(audit_log::id)
                .select(AuditEntry::as_select())
                .load(c)?)
        })
        .await
        .unwrap()
}

async fn log_entry(bot: &TestBot, needle: &str) {
    let log = bot.spec().log_channel;
    bot.emu
        .wait_for_message(log, |m| m.embed_text().contains(needle), WAIT)
        .await
        .unwrap_or_else(|| panic!("log channel never showed {needle:?}"));
}

/// `supporter` claims `ticket`; returns the claim message's id (it carries "Freigeben").
async fn claim(bot: &TestBot, supporter: u64, ticket: &Ticket) -> u64 {
    let ir = bot.press(supporter, ticket, "ticket:claim").await;
    bot.answer_text(&ir).await;
    let channel = ticket.channel_id.unwrap() as u64;
    let claim = bot
        .emu
        .wait_for_message(channel, |m| m.button("ticket:unclaim").is_some(), WAIT)
        .await
        .expect("the claim message carries the unclaim button");
    let button = claim.button("ticket:unclaim").unwrap();
    assert_eq!(button.label.as_deref(), Some(texts::LABEL_UNCLAIM));
    bot.wait_ticket(|t| t.id == ticket.id && t.status() == TicketStatus::Claimed)
        .await;
    claim.id
}

#[tokio::test]
async fn unclaim_returns_the_ticket_to_created_and_only_the_claimer_or_an_admin_may() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let created_name = bot.emu.channel(channel).unwrap().name;
    let claim_message = claim(&bot, SUPPORTERS[0], &ticket).await;
    bot.emu
        .wait_for(WAIT, |e| {
            e.channel(channel)
                .filter(|c| c.parent_id == Some(spec.claimed_cat))
        })
        .await
        .expect("moved to the claimed category");

    // Another supporter may not give it back.
    let ir = bot
        .emu
        .click_button(SUPPORTERS[1], channel, claim_message, "ticket:unclaim")
        .await;
    assert_eq!(bot.answer_text(&ir).await, texts::NOT_CLAIMER_OR_ADMIN);
    let held = bot.ticket(ticket.id).await;
    assert_eq!(held.status(), TicketStatus::Claimed);
    assert_eq!(held.claimed_by, Some(SUPPORTERS[0] as i64));
    assert_eq!(bot.audit(ticket.id).await.last().unwrap(), "refused");

    let ir = bot
        .emu
        .click_button(SUPPORTERS[0], channel, claim_message, "ticket:unclaim")
        .await;
    assert_eq!(
        bot.answer_text(&ir).await,
        texts::unclaimed(ticket.id, SUPPORTERS[0])
    );
    let open = bot.ticket(ticket.id).await;
    assert_eq!(open.status(), TicketStatus::Open);
    assert_eq!(open.claimed_by, None);
    assert_eq!(open.claimed_by_name, None);
    assert!(bot.audit(ticket.id).await.contains(&"unclaimed".to_owned()));
    let back = bot
        .emu
        .wait_for(WAIT, |e| {
            e.channel(channel)
                .filter(|c| c.parent_id == Some(spec.created_cat))
        })
        .await
        .expect("the channel is back in the created category");
    assert_eq!(back.name, created_name);
    // The former claimer's own overwrite is gone; the support role writes again.
    assert!(back.overwrite(SUPPORTERS[0]).is_none());
    let support = back.overwrite(spec.support_role).unwrap();
    assert!(support.allow & SEND != 0, "{support:?}");
    log_entry(&bot, texts::LOG_UNCLAIMED).await;

    // Once unclaimed, the button refuses: nothing is held.
    let ir = bot
        .emu
        .click_button(ADMIN, channel, claim_message, "ticket:unclaim")
        .await;
    assert_eq!(bot.answer_text(&ir).await, texts::NOT_CLAIMED);
}

#[tokio::test]
async fn transfer_goes_to_a_staff_member_within_their_claim_limit() {
    let bot = TestBot::start_with(&[("MAX_TICKETS_PER_SUPPORTER", "1")]).await;
    let spec = bot.spec();
    let button = bot.setup_button().await;
    let ticket = bot.open_ticket(button, USERS[0]).await;
    let other = bot.open_ticket(button, USERS[1]).await;
    let channel = ticket.channel_id.unwrap() as u64;
    claim(&bot, SUPPORTERS[0], &ticket).await;
    claim(&bot, SUPPORTERS[2], &other).await;
    bot.emu.clear_requests();

    // A member without a staff role cannot take it.
    let answer = command(
        &bot,
        SUPPORTERS[0],
        channel,
        "ticket",
        user_sub("transfer", USERS[3]),
    )
    .await;
    assert_eq!(answer, texts::target_not_staff(USERS[3]));
    // Only the claimer or an admin hands it on.
    let answer = command(
        &bot,
        SUPPORTERS[1],
        channel,
        "ticket",
        user_sub("transfer", SUPPORTERS[3]),
    )
    .await;
    assert_eq!(answer, texts::NOT_CLAIMER_OR_ADMIN);
    // SUPPORTERS[2] holds one ticket already, which is their limit.
    let answer = command(
        &bot,
        SUPPORTERS[0],
        channel,
        "ticket",
        user_sub("transfer", SUPPORTERS[2]),
    )
    .await;
    assert_eq!(answer, texts::target_claim_limit(SUPPORTERS[2], 1));
    let held = bot.ticket(ticket.id).await;
    assert_eq!(held.claimed_by, Some(SUPPORTERS[0] as i64));
    let refused = bot
        .audit(ticket.id)
        .await
        .iter()
        .filter(|a| *a == "refused")
        .count();
    assert_eq!(refused, 3);

    let answer = command(
        &bot,
        SUPPORTERS[0],
        channel,
        "ticket",
        user_sub("transfer", SUPPORTERS[1]),
    )
    .await;
    assert_eq!(
        answer,
        texts::transferred(ticket.id, SUPPORTERS[0], SUPPORTERS[1])
    );
    let moved = bot.ticket(ticket.id).await;
    assert_eq!(moved.status(), TicketStatus::Claimed);
    assert_eq!(moved.claimed_by, Some(SUPPORTERS[1] as i64));
    assert_eq!(moved.claimed_by_name.as_deref(), Some("supporter1"));
    assert!(
        bot.audit(ticket.id)
            .await
            .contains(&"transferred".to_owned())
    );
    let renamed = bot
        .emu
        .wait_for(WAIT, |e| {
            e.channel(channel).filter(|c| c.name.contains("supporter1"))
        })
        .await
        .expect("renamed for the new claimer");
    assert_eq!(renamed.parent_id, Some(spec.claimed_cat));
    let new = renamed
        .overwrite(SUPPORTERS[1])
        .expect("the new claimer writes");
    assert!(new.allow & SEND != 0);
    assert!(renamed.overwrite(SUPPORTERS[0]).is_none());
    // The roles came with the interaction: no member lookup was needed.
    assert!(
        !bot.emu.requests().iter().any(|r| r.is("GET", "/members/")),
        "roles are read from the resolved members"
    );
    log_entry(&bot, texts::LOG_TRANSFERRED).await;

    // Without the member in the interaction, their roles are looked up. This is the
    // channel's third rename within 10 minutes: the answer says when it follows.
    let ir = bot
        .emu
        .slash_command_unresolved(
            SUPPORTERS[1],
            channel,
            "ticket",
            user_sub("transfer", SUPPORTERS[3]),
        )
        .await;
    let answer = bot.answer_text(&ir).await;
    let transferred = texts::transferred(ticket.id, SUPPORTERS[1], SUPPORTERS[3]);
    assert!(answer.starts_with(&transferred), "{answer}");
    assert!(
        answer.contains("supporter3") && answer.contains(":R>"),
        "{answer}"
    );
    let lookup = format!("/guilds/{}/members/{}", spec.guild_id, SUPPORTERS[3]);
    assert!(
        bot.emu
            .requests()
            .iter()
            .any(|r| r.is("GET", &lookup) && r.succeeded())
    );
    assert_eq!(
        bot.ticket(ticket.id).await.claimed_by,
        Some(SUPPORTERS[3] as i64)
    );
}

#[tokio::test]
async fn added_members_keep_their_access_through_a_claim_and_the_opener_cannot_be_removed() {
    let bot = TestBot::start().await;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    // Only staff add people.
    let answer = command(&bot, USERS[0], channel, "ticket", user_sub("add", USERS[1])).await;
    assert_eq!(answer, texts::NOT_STAFF);
    assert!(
        bot.emu
            .channel(channel)
            .unwrap()
            .overwrite(USERS[1])
            .is_none()
    );

    let answer = command(
        &bot,
        SUPPORTERS[0],
        channel,
        "ticket",
        user_sub("add", USERS[1]),
    )
    .await;
    assert_eq!(answer, texts::member_added(USERS[1]));
    let put = bot
        .emu
        .wait_for_request(
            |r| {
                r.is(
                    "PUT",
                    &format!("/channels/{channel}/permissions/{}", USERS[1]),
                )
            },
            WAIT,
        )
        .await
        .expect("one overwrite set");
    assert_eq!(put.status, 204);
    let rights = VIEW | SEND | ATTACH | HISTORY;
    let added = bot.emu.channel(channel).unwrap();
    assert_eq!(added.overwrite(USERS[1]).unwrap().allow & rights, rights);
    let id = ticket.id;
    let members = bot
        .db
        .run(move |c| queries::ticket_members_of(c, id))
        .await
        .unwrap();
    assert_eq!(members, [USERS[1] as i64]);
    assert!(bot.audit(id).await.contains(&"member_added".to_owned()));

    // A claim rewrites the channel's overwrites and keeps theirs.
    claim(&bot, SUPPORTERS[0], &ticket).await;
    let claimed = bot
        .emu
        .wait_for(WAIT, |e| {
            e.channel(channel)
                .filter(|c| c.parent_id == Some(bot.spec().claimed_cat))
        })
        .await
        .unwrap();
    let kept = claimed.overwrite(USERS[1]).expect("still in the ticket");
    assert_eq!(kept.allow & rights, rights);

    let answer = command(
        &bot,
        SUPPORTERS[0],
        channel,
        "ticket",
        user_sub("remove", USERS[0]),
    )
    .await;
    assert_eq!(answer, texts::OPENER_NOT_REMOVABLE);
    assert!(
        bot.emu
            .channel(channel)
            .unwrap()
            .overwrite(USERS[0])
            .is_some()
    );

    let answer = command(
        &bot,
        SUPPORTERS[0],
        channel,
        "ticket",
        user_sub("remove", USERS[1]),
    )
    .await;
    assert_eq!(answer, texts::member_removed(USERS[1]));
    bot.emu
        .wait_for_request(
            |r| {
                r.is(
                    "DELETE",
                    &format!("/channels/{channel}/permissions/{}", USERS[1]),
                )
            },
            WAIT,
        )
        .await
        .expect("the overwrite removed");
    assert!(
        bot.emu
            .channel(channel)
            .unwrap()
            .overwrite(USERS[1])
            .is_none()
    );
    let members = bot
        .db
        .run(move |c| queries::ticket_members_of(c, id))
        .await
        .unwrap();
    assert!(members.is_empty());
    let audit = bot.audit(id).await;
    assert!(audit.contains(&"member_removed".to_owned()));
    assert_eq!(audit.iter().filter(|a| *a == "refused").count(), 2);
    log_entry(&bot, texts::LOG_MEMBER_REMOVED).await;
}

#[tokio::test]
async fn a_third_rename_waits_on_discord_while_the_ticket_answers_and_survives_a_restart() {
    let mut bot = TestBot::start().await;
    let window = Duration::from_secs(8);
    bot.emu.set_rename_window(window);
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    for name in ["erster-name", "zweiter-name"] {
        let answer = command(
            &bot,
            SUPPORTERS[0],
            channel,
            "ticket",
            text_sub("rename", &[("name", name)]),
        )
        .await;
        assert_eq!(answer, texts::renamed(name));
        assert_eq!(bot.emu.channel(channel).unwrap().name, name);
    }
    let asked = tokio::time::Instant::now();
    let answer = command(
        &bot,
        SUPPORTERS[0],
        channel,
        "ticket",
        text_sub("rename", &[("name", "dritter-name")]),
    )
    .await;
    assert!(answer.contains("<t:") && answer.contains(":R>"), "{answer}");
    assert!(answer.contains("dritter-name"), "{answer}");
    assert!(
        asked.elapsed() < window / 2,
        "the rename was not waited for"
    );
    let limited: Vec<_> = bot
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.is("PATCH", &format!("/channels/{channel}")) && r.status == 429)
        .collect();
    assert_eq!(limited.len(), 1, "asked Discord once, then waited");
    let retry_after = limited[0].response.as_ref().unwrap()["retry_after"]
        .as_f64()
        .unwrap();
    assert!(retry_after > 1.0, "{retry_after}");
    let id = ticket.id;
    let pending = bot
        .db
        .run(move |c| queries::pending_rename(c, id))
        .await
        .unwrap()
        .expect("the rename is recorded");
    assert_eq!(pending.0, "dritter-name");

    // The same ticket keeps answering clicks meanwhile.
    let clicked = tokio::time::Instant::now();
    let ir = bot.press(USERS[0], &ticket, "ticket:claim").await;
    assert_eq!(bot.answer_text(&ir).await, texts::NOT_STAFF);
    assert!(clicked.elapsed() < window / 2);
    assert_eq!(bot.emu.channel(channel).unwrap().name, "zweiter-name");

    // A claim meanwhile is answered and moves the channel at once; its name joins the wait
    // (the newest name wins).
    let ir = bot.press(SUPPORTERS[0], &ticket, "ticket:claim").await;
    assert_eq!(
        bot.answer_text(&ir).await,
        texts::claimed(ticket.id, SUPPORTERS[0])
    );
    let claimed_cat = bot.spec().claimed_cat;
    bot.emu
        .wait_for(WAIT, |e| {
            e.channel(channel)
                .filter(|c| c.parent_id == Some(claimed_cat))
        })
        .await
        .expect("moved to the claimed category");
    assert!(
        asked.elapsed() < window - Duration::from_secs(2),
        "the move did not wait for the rename"
    );
    assert_eq!(bot.emu.channel(channel).unwrap().name, "zweiter-name");
    let claimed_name = format!("spieler-0-supporter0-{}", ticket.id);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let pending = bot
            .db
            .run(move |c| queries::pending_rename(c, id))
            .await
            .unwrap();
        // As the bot asks for it; Discord lower-cases it.
        if pending
            .as_ref()
            .is_some_and(|(name, _)| name.to_lowercase() == claimed_name)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the claim's name waits too: {pending:?}, channel {:?}",
            bot.emu.channel(channel).map(|c| c.name)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Recorded, so a restart does not forget it.
    bot.restart().await;
    bot.emu
        .wait_for(WAIT, |e| {
            e.channel(channel).filter(|c| c.name == claimed_name)
        })
        .await
        .expect("renamed once Discord allowed it");
    assert!(asked.elapsed() >= window - Duration::from_millis(1500));
    // Done and recorded as done.
    let deadline = tokio::time::Instant::now() + WAIT;
    while bot
        .db
        .run(move |c| queries::pending_rename(c, id))
        .await
        .unwrap()
        .is_some()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "pending rename never cleared"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let renamed = bot
        .audit(id)
        .await
        .iter()
        .filter(|a| *a == "renamed")
        .count();
    assert_eq!(renamed, 5, "two renames, two waits, the late rename");
}

#[tokio::test]
async fn a_blacklisted_member_opens_no_ticket_and_staff_cannot_be_blacklisted() {
    let bot = TestBot::start().await;
    let spec = bot.spec();
    let here = spec.support_channel;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;

    let answer = command(
        &bot,
        ADMIN,
        here,
        "blacklist",
        user_sub("add", SUPPORTERS[0]),
    )
    .await;
    assert_eq!(answer, texts::BLACKLIST_STAFF);
    let answer = command(
        &bot,
        SUPPORTERS[0],
        here,
        "blacklist",
        user_sub("add", USERS[1]),
    )
    .await;
    assert_eq!(answer, texts::NOT_ADMIN);
    let mut add = user_sub("add", USERS[0]);
    add[0]["options"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "reason", "type": 3, "value": "Spam"}));
    let answer = command(&bot, ADMIN, here, "blacklist", add).await;
    assert_eq!(answer, texts::blacklisted(USERS[0], "Spam"));
    let entry = bot
        .db
        .run(|c| queries::blacklisted(c, USERS[0] as i64))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(entry.reason, "Spam");
    assert_eq!(entry.added_by, ADMIN as i64);
    let actions: Vec<String> = all_audit(&bot)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(actions.contains(&"blacklisted".to_owned()));
    assert_eq!(actions.iter().filter(|a| *a == "refused").count(), 2);
    log_entry(&bot, texts::LOG_BLACKLISTED).await;

    // Their ticket stays; a new one is refused without a channel.
    let button = bot
        .emu
        .wait_for_message(here, |m| m.button("ticket:open").is_some(), WAIT)
        .await
        .unwrap()
        .id;
    bot.emu.clear_requests();
    let ir = bot
        .emu
        .click_button(USERS[0], here, button, "ticket:open")
        .await;
    assert_eq!(bot.answer_text(&ir).await, texts::BLACKLISTED_OPEN);
    assert!(
        !bot.emu
            .requests()
            .iter()
            .any(|r| r.is("POST", "/channels") && r.path.contains("/guilds/"))
    );
    assert_eq!(bot.all_tickets().await.len(), 1);
    assert!(bot.ticket(ticket.id).await.status().is_active());
    assert!(bot.emu.channel(channel).is_some());

    let list = command(
        &bot,
        ADMIN,
        here,
        "blacklist",
        json!([{"name": "list", "type": 1}]),
    )
    .await;
    assert!(
        list.contains(&format!("<@{}>", USERS[0])) && list.contains("Spam"),
        "{list}"
    );
    let answer = command(&bot, ADMIN, here, "blacklist", user_sub("remove", USERS[0])).await;
    assert_eq!(answer, texts::unblacklisted(USERS[0]));
    assert!(
        bot.db
            .run(|c| queries::blacklisted(c, USERS[0] as i64))
            .await
            .unwrap()
            .is_none()
    );
    // Off the list, a second member's click opens normally again.
    let ir = bot
        .emu
        .click_button(USERS[1], here, button, "ticket:open")
        .await;
    assert!(bot.answer_text(&ir).await.starts_with("Ticket erstellt"));
}

#[tokio::test]
async fn tags_are_kept_by_admins_autocompleted_and_posted_by_staff_under_their_name() {
    let bot = TestBot::start().await;
    let here = bot.spec().support_channel;
    let (ticket, channel) = bot.first_ticket(USERS[0]).await;
    let set = |name: &str, text: &str| text_sub("set", &[("name", name), ("text", text)]);

    let answer = command(&bot, ADMIN, here, "tags", set("zwei worte", "x")).await;
    assert_eq!(answer, texts::bad_tag_name(32));
    let answer = command(&bot, ADMIN, here, "tags", set(&"a".repeat(200), "x")).await;
    assert_eq!(answer, texts::bad_tag_name(32));
    let answer = command(&bot, SUPPORTERS[0], here, "tags", set("regeln", "x")).await;
    assert_eq!(answer, texts::NOT_ADMIN);
    let body = "Bitte lies zuerst die Serverregeln in #regeln.";
    let answer = command(&bot, ADMIN, here, "tags", set("regeln", body)).await;
    assert_eq!(answer, texts::tag_saved("regeln"));
    command(
        &bot,
        ADMIN,
        here,
        "tags",
        set("bann", "Bannfragen: bitte die ID nennen."),
    )
    .await;
    let tags = bot.db.run(queries::tags_all).await.unwrap();
    assert_eq!(tags.len(), 2);
    let actions: Vec<String> = all_audit(&bot)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "tag_saved").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "refused").count(), 3);

    // Typing "re" offers the matching name.
    let ir = bot
        .emu
        .autocomplete(
            SUPPORTERS[0],
            channel,
            "tag",
            json!([{"name": "name", "type": 3, "value": "re", "focused": true}]),
        )
        .await;
    let reply = wait_reply(&bot, &ir).await;
    assert_eq!(reply["type"], 8);
    assert_eq!(
        reply["data"]["choices"],
        json!([{"name": "regeln", "value": "regeln"}])
    );

    let answer = command(
        &bot,
        SUPPORTERS[0],
        channel,
        "tag",
        json!([{"name": "name", "type": 3, "value": "regeln"}]),
    )
    .await;
    assert_eq!(answer, texts::tag_posted("regeln"));
    let posted = bot
        .emu
        .wait_for_message(channel, |m| m.embed_text().contains(body), WAIT)
        .await
        .expect("the tag posted in the ticket");
    assert_eq!(posted.embeds[0]["author"]["name"], "supporter0");
    bot.wait_messages(ticket.id, |m| m.iter().any(|m| m.embeds.contains(body)))
        .await;
    assert!(
        bot.audit(ticket.id)
            .await
            .contains(&"tag_posted".to_owned())
    );
    // The opener cannot post tags.
    let answer = command(
        &bot,
        USERS[0],
        channel,
        "tag",
        json!([{"name": "name", "type": 3, "value": "regeln"}]),
    )
    .await;
    assert_eq!(answer, texts::NOT_STAFF);

    let list = command(
        &bot,
        ADMIN,
        here,
        "tags",
        json!([{"name": "list", "type": 1}]),
    )
    .await;
    assert!(
        list.contains("`bann`") && list.contains("`regeln`"),
        "{list}"
    );
    let answer = command(
        &bot,
        ADMIN,
        here,
        "tags",
        text_sub("delete", &[("name", "bann")]),
    )
    .await;
    assert_eq!(answer, texts::tag_deleted("bann"));
    assert_eq!(bot.db.run(queries::tags_all).await.unwrap().len(), 1);
}

async fn wait_reply(bot: &TestBot, ir: &InteractionRef) -> Value {
    bot.emu
        .wait_interaction_response(ir, WAIT)
        .await
        .expect("answered")
        .json
        .expect("a JSON callback")
}

#[tokio::test]
async fn admin_commands_are_hidden_from_members_by_default_and_ticket_commands_are_not() {
    let bot = TestBot::start().await;
    let commands = bot.emu.commands();
    let permissions = |name: &str| {
        commands
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("/{name} registered"))["default_member_permissions"]
            .clone()
    };
    // Manage Server (1 << 5).
    for admin in ["setup_ticket_button", "blacklist", "tags"] {
        assert_eq!(permissions(admin), json!("32"), "/{admin}");
    }
    for everyone in ["ticket", "tag", "ticket_transcript"] {
        assert_eq!(permissions(everyone), Value::Null, "/{everyone}");
    }
    let tag = commands.iter().find(|c| c["name"] == "tag").unwrap();
    assert_eq!(tag["options"][0]["autocomplete"], true);
}
