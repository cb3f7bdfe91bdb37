//! The ticket list: by default the tickets someone works on (open and claimed), one click to
//! "Meine Tickets" or all; a status filter with counts; a search; a pager by cursor. Each row
//! says who the ticket waits on and when someone last wrote.

use std::collections::HashMap;

use rocket::{FromForm, State, get};
use serde::Serialize;

use super::error::PanelError;
use super::list_cache::{ListCache, ListKey};
use super::search;
use super::session::Staff;
use super::store::{self, ACTIVE_STATUSES, Cursor, ListFilter, PAGE_SIZE, StatusFilter};
use super::templates::{Page, Templates};
use super::text;
use super::view::{TicketSummary, UserView};
use crate::db::Db;

/// The list's own views besides a single status (`?status=…`).
const ALL: &str = "all";
const MINE: &str = "mine";

#[derive(Debug, Serialize)]
struct StatusOption {
    value: &'static str,
    label: String,
    selected: bool,
}

/// One of the tabs above the list: the default, "Meine Tickets", all.
#[derive(Debug, Serialize)]
struct ViewTab {
    url: String,
    label: &'static str,
    count: i64,
    current: bool,
}

#[derive(Debug, Serialize)]
struct ListView {
    user: UserView,
    status: String,
    search: String,
    tabs: Vec<ViewTab>,
    statuses: Vec<StatusOption>,
    tickets: Vec<TicketSummary>,
    page: i64,
    first_number: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
    filtered: bool,
    /// The same search over every ticket, when this one looked at fewer.
    search_all_url: Option<String>,
}

/// `/?status=…&q=…&page=…&before=…` with empty parts left out.
fn list_url(status: &str, search: &str, page: i64, cursor: Option<Cursor>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !status.is_empty() {
        query.append_pair("status", status);
    }
    if !search.is_empty() {
        query.append_pair("q", search);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    match cursor {
        Some(Cursor::Before(number)) => query.append_pair("before", &number.to_string()),
        Some(Cursor::After(number)) => query.append_pair("after", &number.to_string()),
        None => &mut query,
    };
    let query = query.finish();
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

/// The list's query: filter, search, page label and the pager's cursor.
#[derive(Debug, FromForm)]
pub struct ListQuery<'r> {
    status: Option<&'r str>,
    q: Option<&'r str>,
    page: Option<i64>,
    before: Option<i64>,
    after: Option<i64>,
}

/// The filter `status` names; without one the list shows the active tickets, a search looks
/// through all (an old ticket is what one searches for most).
fn status_filter(status: &str, searching: bool, user: i64) -> StatusFilter {
    match status {
        "" if searching => StatusFilter::All,
        "" => StatusFilter::Active,
        ALL => StatusFilter::All,
        MINE => StatusFilter::ClaimedBy(user),
        status => StatusFilter::Is(status.to_owned()),
    }
}

#[get("/?<query..>")]
pub async fn index(
    staff: Staff,
    db: &State<Db>,
    templates: &State<Templates>,
    cache: &State<ListCache>,
    query: ListQuery<'_>,
) -> Result<Page, PanelError> {
    let ListQuery {
        status,
        q,
        page,
        before,
        after,
    } = query;
    let status = status
        .filter(|s| text::STATUS_FILTERS.contains(s) || [ALL, MINE].contains(s))
        .unwrap_or("")
        .to_owned();
    let search = q.and_then(search::search_term).unwrap_or_default();
    let page = page.unwrap_or(1).clamp(1, store::MAX_PAGE);
    let cursor = before
        .map(Cursor::Before)
        .or(after.map(Cursor::After))
        .filter(|_| page > 1);
    let user_id = i64::try_from(staff.0.user_id).unwrap_or(0);
    let shown = status_filter(&status, !search.is_empty(), user_id);
    let filter = ListFilter {
        status: shown.clone(),
        search: (!search.is_empty()).then(|| search.clone()),
        page,
        cursor,
    };
    let user = UserView::of(&staff.0);
    let key = search.is_empty().then(|| ListKey {
        user_id: user.id.clone(),
        user_name: user.name.clone(),
        avatar_url: user.avatar_url.clone(),
        csrf: user.csrf.clone(),
        status: status.clone(),
        page,
        cursor,
    });
    // The change count is read before the tickets: a page kept under it is never older.
    let version = db.run_short(store::panel_version).await?;
    if let Some(html) = key.as_ref().and_then(|key| cache.get(key, version)) {
        return Ok(Page::html(html));
    }
    let kept_counts = cache.counts(version);
    let (listed, counts, mine) = db
        .run(move |conn| {
            let listed = store::list_tickets(conn, &filter)?;
            let counts = match kept_counts {
                Some(counts) => counts,
                None => store::status_counts(conn)?,
            };
            let mine = store::claimed_count(conn, user_id)?;
            Ok((listed, counts, mine))
        })
        .await?;
    cache.put_counts(version, counts.clone());
    let count = |status: &str| counts.get(status).copied().unwrap_or(0);
    let tab = |value: &str, label, count| ViewTab {
        url: list_url(value, "", 1, None),
        label,
        count,
        current: value == status && search.is_empty(),
    };
    let view = ListView {
        user,
        tabs: vec![
            tab(
                "",
                "Offen & übernommen",
                ACTIVE_STATUSES.iter().map(|s| count(s)).sum(),
            ),
            tab(MINE, "Meine Tickets", mine),
            tab(ALL, "Alle", counts.values().sum()),
        ],
        statuses: status_options(&status, &shown, &counts, mine),
        tickets: listed
            .tickets
            .iter()
            .map(|t| {
                TicketSummary::of(t, listed.latest_transcript.get(&t.id).copied())
                    .with_triage(t, listed.last_words.get(&t.id))
            })
            .collect(),
        page,
        first_number: (page - 1) * PAGE_SIZE + 1,
        // The pager starts the next page beside this one's last or first ticket.
        prev_url: listed.has_newer.then(|| match listed.tickets.first() {
            Some(first) if page > 2 => {
                list_url(&status, &search, page - 1, Some(Cursor::After(first.id)))
            }
            _ => list_url(&status, &search, (page - 1).max(1), None),
        }),
        next_url: listed
            .has_older
            .then(|| listed.tickets.last())
            .flatten()
            .map(|last| list_url(&status, &search, page + 1, Some(Cursor::Before(last.id)))),
        filtered: !status.is_empty() || !search.is_empty(),
        search_all_url: (!search.is_empty() && shown != StatusFilter::All)
            .then(|| list_url(ALL, &search, 1, None)),
        status,
        search,
    };
    let html = templates.render("list.html", &view)?;
    if let Some(key) = key {
        cache.put(key, version, html.clone());
    }
    Ok(Page::html(html))
}

/// The status menu: the default view, mine, each status, all; each with its count.
fn status_options(
    status: &str,
    shown: &StatusFilter,
    counts: &HashMap<String, i64>,
    mine: i64,
) -> Vec<StatusOption> {
    let count = |status: &str| counts.get(status).copied().unwrap_or(0);
    let active: i64 = ACTIVE_STATUSES.iter().map(|s| count(s)).sum();
    let mut options = vec![
        StatusOption {
            value: "",
            label: format!("Offen & übernommen ({active})"),
            selected: status.is_empty() && *shown == StatusFilter::Active,
        },
        StatusOption {
            value: MINE,
            label: format!("Meine Tickets ({mine})"),
            selected: status == MINE,
        },
    ];
    options.extend(text::STATUS_FILTERS.iter().map(|value| StatusOption {
        value,
        label: format!("{} ({})", text::status_label(value), count(value)),
        selected: *value == status,
    }));
    options.push(StatusOption {
        value: ALL,
        label: format!("Alle Status ({})", counts.values().sum::<i64>()),
        selected: status == ALL || (status.is_empty() && *shown == StatusFilter::All),
    });
    options
}
