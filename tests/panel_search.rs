//! The list's search forgives spelling (issue 19): `ae/oe/ue/ss` find `ä/ö/ü/ß`, accents and
//! letters like `ı` fold, and it looks at claimer names, the verdict's ban reason and attachment
//! names too. On SQLite through the word and trigram indexes (and LIKE for common terms), on
//! PostgreSQL through `search_fold`; both must find the same tickets.

use diesel::prelude::*;
use rocket::http::Status;
use ticketbot::db::schema::tickets;
use ticketbot::db::{Db, DbConn, queries};

use crate::panel::{Panel, body, login, message, panel, panel_on, ticket_numbers, urlencode};
use crate::support::app::ADMIN;
use crate::support::db::postgres_or_skip;

/// The tickets the examples look for, by what makes each one findable.
struct Seeded {
    zoe: i64,
    yilmaz: i64,
    oetzi_by_name: i64,
    oetzi_in_message: i64,
    strasse: i64,
    sam_support: i64,
    aimbot_reason: i64,
    aimbot_attachment: i64,
}

const T0: i64 = 1_764_000_000_000;

/// One ticket per example and one look-alike beside each that must not be found.
async fn seed(db: &Db) -> Seeded {
    let (seeded, [strasbourg, sam_other_way, wallhack, aimbot_url_only]) = db
        .write(|c| {
            let mut opener = 8_100_000_000_000_000_000_i64;
            let mut ticket = |name: &str| -> QueryResult<i64> {
                opener += 1;
                diesel::insert_into(tickets::table)
                    .values((
                        tickets::opener_id.eq(opener),
                        tickets::opener_name.eq(name),
                        tickets::status.eq("open"),
                        tickets::created_at.eq(T0),
                    ))
                    .returning(tickets::id)
                    .get_result(c)
            };
            let seeded = Seeded {
                zoe: ticket("Zoë Weber")?,
                yilmaz: ticket("Emre Yılmaz")?,
                oetzi_by_name: ticket("Ötzi1990")?,
                oetzi_in_message: ticket("Bergfreund")?,
                strasse: ticket("Lena")?,
                sam_support: ticket("Kai")?,
                aimbot_reason: ticket("Tom")?,
                aimbot_attachment: ticket("Ben")?,
            };
            // Look-alikes by name.
            for name in ["Zora Webster", "Emre Yil", "Otzelot"] {
                ticket(name)?;
            }
            let others = [
                ticket("Luc")?,
                ticket("Mia")?,
                ticket("Tim")?,
                ticket("Bea")?,
            ];
            Ok((seeded, others))
        })
        .await
        .expect("tickets");
    let s = &seeded;
    let (oetzi, strasse, sam, reason, attachment) = (
        s.oetzi_in_message,
        s.strasse,
        s.sam_support,
        s.aimbot_reason,
        s.aimbot_attachment,
    );
    db.write(move |c| {
        // Claimed and judged after opening, as the bot does: the index follows the updates.
        let claim = |c: &mut DbConn, id: i64, name: &str| {
            diesel::update(tickets::table.find(id))
                .set((
                    tickets::status.eq("claimed"),
                    tickets::claimed_by.eq(42_i64),
                    tickets::claimed_by_name.eq(name),
                ))
                .execute(c)
        };
        claim(c, sam, "Sam Support")?;
        claim(c, sam_other_way, "Support Samira")?;
        let judge = |c: &mut DbConn, id: i64, reason: &str| {
            diesel::update(tickets::table.find(id))
                .set(tickets::verdict_ban_reason.eq(reason))
                .execute(c)
        };
        judge(c, reason, "Aimbot (Cheat-Software)")?;
        judge(c, wallhack, "Wallhack")?;
        let user = (8_000_i64, "Spieler");
        let mut rows = vec![
            message(
                1_400_000_000_000_000_001,
                oetzi,
                user,
                "Ich heiße Ötzi im Spiel",
                T0,
            ),
            message(
                1_400_000_000_000_000_002,
                strasse,
                user,
                "Bin in der Straße 5",
                T0,
            ),
            message(
                1_400_000_000_000_000_003,
                strasbourg,
                user,
                "Ich bin aus Strasbourg",
                T0,
            ),
            message(
                1_400_000_000_000_000_004,
                attachment,
                user,
                "Hier der Beweis",
                T0,
            ),
            message(
                1_400_000_000_000_000_005,
                aimbot_url_only,
                user,
                "Hier auch",
                T0,
            ),
        ];
        // As src/tickets/record.rs stores them; only the names count, not the links.
        rows[3].attachments = serde_json::json!([
            { "filename": "clip.mp4", "url": "https://cdn.example/a/1/clip.mp4" },
            { "filename": "Aimbot_Beweis.png", "url": "https://cdn.example/a/2/Aimbot_Beweis.png" },
        ])
        .to_string();
        rows[4].attachments = serde_json::json!([
            { "filename": "beweis.png", "url": "https://cdn.example/aimbot/beweis.png" },
        ])
        .to_string();
        queries::insert_messages(c, &rows)?;
        Ok(())
    })
    .await
    .expect("claims, verdicts and messages");
    seeded
}

async fn found(panel: &Panel, term: &str) -> Vec<i64> {
    let response = panel
        .client
        .get(format!("/?q={}", urlencode(term)))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok, "search {term:?}");
    let mut numbers = ticket_numbers(&body(response).await);
    numbers.sort_unstable();
    numbers
}

async fn each_example_finds_its_tickets(panel: Panel) {
    let s = seed(&panel.db).await;
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);
    let sorted = |mut ids: Vec<i64>| {
        ids.sort_unstable();
        ids
    };
    for (term, expected) in [
        ("oetzi", sorted(vec![s.oetzi_by_name, s.oetzi_in_message])),
        ("Ötzi", sorted(vec![s.oetzi_by_name, s.oetzi_in_message])),
        ("strasse", vec![s.strasse]),
        ("Straße", vec![s.strasse]),
        ("Zoe", vec![s.zoe]),
        ("zoë weber", vec![s.zoe]),
        ("yilmaz", vec![s.yilmaz]),
        ("YILMAZ", vec![s.yilmaz]),
        ("Sam Support", vec![s.sam_support]),
        ("Aimbot", sorted(vec![s.aimbot_reason, s.aimbot_attachment])),
        ("aimbot_beweis", vec![s.aimbot_attachment]),
    ] {
        assert_eq!(found(&panel, term).await, expected, "search {term:?}");
    }
}

#[tokio::test]
async fn a_search_forgives_umlauts_accents_and_finds_claimers_reasons_and_attachments() {
    each_example_finds_its_tickets(panel().await).await;
}

#[tokio::test]
async fn a_search_forgives_umlauts_accents_and_finds_claimers_reasons_and_attachments_on_postgres()
{
    let Some(test_db) = postgres_or_skip(
        "a_search_forgives_umlauts_accents_and_finds_claimers_reasons_and_attachments_on_postgres",
    ) else {
        return;
    };
    each_example_finds_its_tickets(panel_on(test_db).await).await;
}

/// More than a page of the newest tickets match: SQLite reads newest first instead of the
/// index; the spelling, case and accents are forgiven there as the index forgives them.
async fn a_common_folded_name_fills_the_page_newest_first(panel: Panel) {
    let ids: Vec<i64> = panel
        .db
        .write(|c| {
            (0..60_i64)
                .map(|n| {
                    diesel::insert_into(tickets::table)
                        .values((
                            tickets::opener_id.eq(8_200_000_000_000_000_000 + n),
                            tickets::opener_name.eq(if n % 2 == 0 {
                                format!("Jürgen Zoë {n}")
                            } else {
                                format!("JÜRGEN ZOË {n}")
                            }),
                            tickets::status.eq("closed"),
                            tickets::created_at.eq(T0 + n),
                        ))
                        .returning(tickets::id)
                        .get_result(c)
                })
                .collect::<QueryResult<_>>()
                .map_err(Into::into)
        })
        .await
        .expect("tickets");
    assert_eq!(login(&panel, ADMIN).await.status(), Status::SeeOther);
    let page = body(panel.client.get("/?q=juergen%20zoe").dispatch().await).await;
    let newest: Vec<i64> = ids.iter().rev().take(50).copied().collect();
    assert_eq!(ticket_numbers(&page), newest);
}

#[tokio::test]
async fn a_common_folded_name_is_found_newest_first() {
    a_common_folded_name_fills_the_page_newest_first(panel().await).await;
}

#[tokio::test]
async fn a_common_folded_name_is_found_newest_first_on_postgres() {
    let Some(test_db) = postgres_or_skip("a_common_folded_name_is_found_newest_first_on_postgres")
    else {
        return;
    };
    a_common_folded_name_fills_the_page_newest_first(panel_on(test_db).await).await;
}
