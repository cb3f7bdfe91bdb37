//! The ticket list's search: the term as typed made safe for every backend, and the condition
//! that finds it in opener names and message texts (SQLite's word and trigram indexes where
//! they help, LIKE elsewhere).

use diesel::dsl::{exists, sql};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::store::PAGE_SIZE;
use crate::db::schema::{messages, tickets};
use crate::db::{DbConn, MultiBackend};
use crate::error::Error;

/// Characters of a search term kept; the rest is dropped.
pub const SEARCH_MAX_CHARS: usize = 200;

/// The search term as the queries see it, or None when nothing is left. Control characters
/// are dropped: nobody types them, PostgreSQL refuses a NUL in any text value (the whole
/// query fails), and SQLite's index queries would carry them into their MATCH syntax.
pub fn search_term(raw: &str) -> Option<String> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control()).collect();
    let term: String = cleaned.trim().chars().take(SEARCH_MAX_CHARS).collect();
    let term = term.trim_end();
    (!term.is_empty()).then(|| term.to_owned())
}

/// The tickets matching `search` (a [`search_term`]): by number or opener id when it is one,
/// by opener name or message text.
pub fn matches(
    conn: &mut DbConn,
    search: &str,
) -> Result<Box<dyn BoxableExpression<tickets::table, MultiBackend, SqlType = Bool>>, Error> {
    let by_text: Box<dyn BoxableExpression<tickets::table, MultiBackend, SqlType = Bool>> =
        match indexed_matches(conn, search)? {
            Some(ids) => Box::new(tickets::id.eq_any(ids)),
            None => scanned_matches(conn, search),
        };
    Ok(match search.trim_start_matches('#').parse::<i64>() {
        Ok(number) => Box::new(
            tickets::id
                .eq(number)
                .or(tickets::opener_id.eq(number))
                .or(by_text),
        ),
        Err(_) => by_text,
    })
}

diesel::define_sql_function! {
    /// SQL `lower()`, so the search ignores case on PostgreSQL as it does on SQLite.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// An FTS5 query for the word index of message texts (SQLite's `messages_search`): the
/// search's words as one phrase, the last one as a prefix (`zaunk` finds "Zaunkönig",
/// `B-47` finds "B-4711"). None on PostgreSQL, which scans with LIKE, or without a word.
fn word_query(conn: &DbConn, text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    (matches!(conn, DbConn::Sqlite(_)) && !words.is_empty())
        .then(|| format!("\"{}\" *", words.join(" ")))
}

/// A search matching more tickets (or messages) than this is answered by reading the tickets
/// newest first, where common terms fill a page at once; a rarer one through the indexes, which
/// find it without reading every ticket.
const INDEXED_SEARCH_MAX: i64 = 2_000;

#[derive(QueryableByName)]
struct TicketNumber {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Newest tickets whose names tell whether a term is common (see [`common_in_names`]).
const NAME_SAMPLE: i64 = 500;

/// True when more than a page of the newest [`NAME_SAMPLE`] tickets' names contain `search`:
/// reading newest first then fills a page at once, while any index would have to collect all
/// of its many matches first.
fn common_in_names(conn: &mut diesel::SqliteConnection, search: &str) -> Result<bool, Error> {
    let floor: Option<i64> = tickets::table
        .select(tickets::id)
        .order(tickets::id.desc())
        .offset(NAME_SAMPLE - 1)
        .first(conn)
        .optional()?;
    let hits: i64 = tickets::table
        .filter(tickets::id.ge(floor.unwrap_or(i64::MIN)))
        .filter(
            lower(tickets::opener_name)
                .like(contains_pattern(search))
                .escape('\\'),
        )
        .count()
        .get_result(conn)?;
    Ok(hits > PAGE_SIZE)
}

/// The tickets whose opener name contains `search` or whose messages hold its words, from
/// SQLite's indexes; None where they cannot answer (PostgreSQL, under 3 characters, no word)
/// or the term is common (see [`INDEXED_SEARCH_MAX`]).
fn indexed_matches(conn: &mut DbConn, search: &str) -> Result<Option<Vec<i64>>, Error> {
    use diesel::sql_types::BigInt;
    let Some(words) = word_query(conn, search) else {
        return Ok(None);
    };
    let DbConn::Sqlite(sqlite) = conn else {
        return Ok(None);
    };
    if search.chars().count() < 3 || common_in_names(sqlite, search)? {
        return Ok(None);
    }
    // The trigram index matches any part of a name, ignoring case.
    let name = format!("\"{}\"", search.replace('"', "\"\""));
    let mut ids: Vec<i64> = diesel::sql_query(
        "SELECT rowid AS id FROM tickets_name_search WHERE tickets_name_search MATCH ? LIMIT ?",
    )
    .bind::<Text, _>(name)
    .bind::<BigInt, _>(INDEXED_SEARCH_MAX + 1)
    .load::<TicketNumber>(sqlite)?
    .into_iter()
    .map(|t| t.id)
    .collect();
    let messages = diesel::sql_query(
        "SELECT count(*) AS n FROM (SELECT 1 FROM messages_search \
         WHERE messages_search MATCH ? LIMIT ?)",
    )
    .bind::<Text, _>(&words)
    .bind::<BigInt, _>(INDEXED_SEARCH_MAX + 1)
    .get_result::<Count>(sqlite)?
    .n;
    if ids.len() as i64 > INDEXED_SEARCH_MAX || messages > INDEXED_SEARCH_MAX {
        return Ok(None);
    }
    ids.extend(
        diesel::sql_query(
            "SELECT DISTINCT ticket_id AS id FROM messages WHERE id IN \
             (SELECT rowid FROM messages_search WHERE messages_search MATCH ?)",
        )
        .bind::<Text, _>(words)
        .load::<TicketNumber>(sqlite)?
        .into_iter()
        .map(|t| t.id),
    );
    Ok(Some(ids))
}

/// `%text%` for LIKE, with LIKE's wildcards in `text` escaped by `\`.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The tickets whose opener name contains `search` or whose messages hold it, as a condition
/// checked ticket by ticket (newest first, so a common term fills a page at once).
fn scanned_matches(
    conn: &DbConn,
    search: &str,
) -> Box<dyn BoxableExpression<tickets::table, MultiBackend, SqlType = Bool>> {
    let pattern = contains_pattern(search);
    let by_name = lower(tickets::opener_name)
        .like(pattern.clone())
        .escape('\\');
    match word_query(conn, search) {
        Some(words) => Box::new(
            by_name.or(sql::<Bool>(
                "tickets.id IN (SELECT m.ticket_id FROM messages m WHERE m.id IN \
                 (SELECT rowid FROM messages_search WHERE messages_search MATCH ",
            )
            .bind::<Text, _>(words)
            .sql("))")),
        ),
        None => Box::new(
            by_name.or(exists(
                messages::table
                    .filter(messages::ticket_id.eq(tickets::id))
                    .filter(lower(messages::content).like(pattern).escape('\\')),
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn word_query_is_one_phrase_ending_in_a_prefix() {
        let sqlite = crate::db::DbConn::Sqlite(
            diesel::Connection::establish(":memory:").expect("in-memory SQLite"),
        );
        assert_eq!(
            super::word_query(&sqlite, " Ban-ID \"B-47\" ").as_deref(),
            Some("\"Ban ID B 47\" *")
        );
        assert_eq!(super::word_query(&sqlite, "%_*"), None, "no word, no index");
    }

    #[test]
    fn a_search_term_holds_no_control_characters() {
        use super::search_term;
        assert_eq!(search_term("abc\0").as_deref(), Some("abc"));
        assert_eq!(search_term(" Spi\0eler\u{1f} ").as_deref(), Some("Spieler"));
        assert_eq!(search_term("\0\u{7f}\u{85} "), None);
        assert_eq!(search_term(&"x".repeat(300)).map(|t| t.len()), Some(200));
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(contains_pattern("50%_A\\b"), "%50\\%\\_a\\\\b%");
    }
}
