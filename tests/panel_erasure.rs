//! The panel's admin action "Daten löschen": confirmation first, the session's CSRF token on
//! the POST, admins only; the same erasure as `ticketbot forget`.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use ticketbot::db::schema::{audit_log, messages};
use ticketbot::texts::{ERASE_BUTTON, erase_done, erase_question};

use crate::panel::{Panel, SeededTicket, body, login, panel, seed_conversation};
use crate::support::app::{ADMIN, USERS, VIEWER};

/// The texts of the opener's messages in the ticket.
async fn opener_texts(panel: &Panel, ticket: i64) -> Vec<String> {
    let opener = USERS[0] as i64;
    panel
        .db
        .run(move |c| {
            Ok(messages::table
                .filter(messages::ticket_id.eq(ticket))
                .filter(messages::author_id.eq(opener))
                .select(messages::content)
                .load::<String>(c)?)
        })
        .await
        .expect("messages")
}

/// The audit details of erasures of the ticket.
async fn erasure_rows(panel: &Panel, ticket: i64) -> Vec<(Option<i64>, String)> {
    panel
        .db
        .run(move |c| {
            Ok(audit_log::table
                .filter(audit_log::ticket_id.eq(ticket))
                .filter(audit_log::action.eq("erased"))
                .select((audit_log::actor_id, audit_log::detail))
                .load(c)?)
        })
        .await
        .expect("audit")
}

fn csrf_of(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[start..][..page[start..].find('"').expect("end of value")].to_owned()
}

async fn post_erase(panel: &Panel, ticket: i64, form: &str) -> Status {
    panel
        .client
        .post(format!("/tickets/{ticket}/erase"))
        .header(ContentType::Form)
        .body(form)
        .dispatch()
        .await
        .status()
}

async fn seeded_as(user: u64) -> (Panel, SeededTicket) {
    let panel = panel().await;
    let seeded = seed_conversation(&panel.db).await;
    assert_eq!(login(&panel, user).await.status(), Status::SeeOther);
    (panel, seeded)
}

#[tokio::test]
async fn admin_confirms_and_the_openers_texts_are_erased_by_name_via_panel() {
    let (panel, seeded) = seeded_as(ADMIN).await;
    let page = body(
        panel
            .client
            .get(format!("/tickets/{}", seeded.id))
            .dispatch()
            .await,
    )
    .await;
    assert!(page.contains(ERASE_BUTTON), "{page}");
    // Tera escapes the slashes of the form's address.
    assert!(
        page.contains(&format!(
            "action=\"&#x2F;tickets&#x2F;{}&#x2F;erase\"",
            seeded.id
        )),
        "{page}"
    );
    assert!(!opener_texts(&panel, seeded.id).await.join("").is_empty());

    let confirm = panel
        .client
        .get(format!("/tickets/{}/erase", seeded.id))
        .dispatch()
        .await;
    assert_eq!(confirm.status(), Status::Ok);
    let confirm = body(confirm).await;
    assert!(confirm.contains(&erase_question(USERS[0])), "{confirm}");
    let csrf = csrf_of(&confirm);
    // Asking changes nothing.
    assert!(erasure_rows(&panel, seeded.id).await.is_empty());

    let done = panel
        .client
        .post(format!("/tickets/{}/erase", seeded.id))
        .header(ContentType::Form)
        .body(format!("csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(done.status(), Status::SeeOther);
    assert_eq!(
        crate::panel::location(&done),
        format!("/tickets/{}", seeded.id)
    );
    let texts = opener_texts(&panel, seeded.id).await;
    assert!(!texts.is_empty());
    assert!(
        texts
            .iter()
            .all(|text| !text.contains("gebannt") && !text.contains("B-47")),
        "{texts:?}"
    );
    let rows = erasure_rows(&panel, seeded.id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, Some(ADMIN as i64));
    assert!(
        rows[0].1.contains("Anna") && rows[0].1.contains("via panel"),
        "{rows:?}"
    );
    let after = body(
        panel
            .client
            .get(format!("/tickets/{}", seeded.id))
            .dispatch()
            .await,
    )
    .await;
    assert!(after.contains(&erase_done(USERS[0])), "{after}");
}

#[tokio::test]
async fn erase_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing() {
    let (panel, seeded) = seeded_as(ADMIN).await;
    let before = opener_texts(&panel, seeded.id).await;
    assert!(before.iter().any(|text| text.contains("gebannt")));
    assert_eq!(post_erase(&panel, seeded.id, "").await, Status::Forbidden);
    assert_eq!(
        post_erase(&panel, seeded.id, "csrf=not-the-token").await,
        Status::Forbidden
    );
    assert_eq!(opener_texts(&panel, seeded.id).await, before);
    assert!(erasure_rows(&panel, seeded.id).await.is_empty());
}

#[tokio::test]
async fn a_viewer_sees_no_erase_form_and_gets_403() {
    let (panel, seeded) = seeded_as(VIEWER).await;
    let page = panel
        .client
        .get(format!("/tickets/{}", seeded.id))
        .dispatch()
        .await;
    assert_eq!(page.status(), Status::Ok);
    let page = body(page).await;
    assert!(page.contains(&format!("Ticket #{}", seeded.id)));
    assert!(!page.contains(ERASE_BUTTON), "{page}");
    assert!(!page.contains("erase"), "{page}");
    let get = panel
        .client
        .get(format!("/tickets/{}/erase", seeded.id))
        .dispatch()
        .await;
    assert_eq!(get.status(), Status::Forbidden);
    // The viewer's own token does not make them an admin.
    let csrf = csrf_of(&page);
    let before = opener_texts(&panel, seeded.id).await;
    assert_eq!(
        post_erase(&panel, seeded.id, &format!("csrf={csrf}")).await,
        Status::Forbidden
    );
    assert_eq!(opener_texts(&panel, seeded.id).await, before);
    assert!(erasure_rows(&panel, seeded.id).await.is_empty());
}

#[tokio::test]
async fn erasing_an_unknown_ticket_is_404() {
    let (panel, _) = seeded_as(ADMIN).await;
    let get = panel.client.get("/tickets/999999/erase").dispatch().await;
    assert_eq!(get.status(), Status::NotFound);
}
