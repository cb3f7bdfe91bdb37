//! What staff see every day in the panel: mentions and embeds as in Discord, the list's triage
//! (who a ticket waits on, last activity, default filter, "Meine Tickets", counts), the ticket
//! page's links and badges, `/status`.

use diesel::prelude::*;
use rocket::http::Status;
use ticketbot::db::models::NewTranscript;
use ticketbot::db::schema::tickets;
use ticketbot::db::{Db, queries};

use crate::panel::{body, links, login, message, panel};
use crate::support::app::{ADMIN, SUPPORTERS, USERS};

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
