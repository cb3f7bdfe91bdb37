//! The ticket list's search: the term as typed made safe for every backend, and the condition
//! that finds it in the tickets' names (opener, claimer), the verdict's ban reason, message
//! texts and attachment names, forgiving spelling ([`fold`]). SQLite reads its word and
//! trigram indexes where they help; PostgreSQL compares folded texts with LIKE.

mod fold;

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

type Condition = Box<dyn BoxableExpression<tickets::table, MultiBackend, SqlType = Bool>>;

/// The tickets matching `search` (a [`search_term`]): by number or opener id when it is one,
/// by names, ban reason, message text or attachment name.
pub fn matches(conn: &mut DbConn, search: &str) -> Result<Condition, Error> {
    let by_text: Condition = match conn {
        DbConn::Sqlite(sqlite) => sqlite_matches(sqlite, &fold::written_out(search))?,
        DbConn::Postgres(_) => postgres_matches(search),
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
    /// SQL `lower()`, for the LIKE that finds a term without a word in message texts.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// An FTS5 query for the word index of messages (SQLite's `messages_search`): the search's
/// words as one phrase, the last one as a prefix (`zaunk` finds "Zaunkönig", `B-47` finds
/// "B-4711"). None without a word.
fn word_query(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| format!("\"{}\" *", words.join(" ")))
}

/// A trigram query for SQLite's `tickets_name_search`: the term as one string, anywhere in
/// any of its columns.
fn trigram_query(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
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

/// True when more than a page of the newest [`NAME_SAMPLE`] tickets' names (or ban reasons)
/// contain `folded`: reading newest first then fills a page at once, while any index would
/// have to collect all of its many matches first. Only a guess at the way to search (either
/// finds the same tickets), so a plain LIKE does: the trigram index or the folded view cost
/// 1 ms here for a term in every name, LIKE 35 µs.
fn common_in_names(conn: &mut diesel::SqliteConnection, folded: &str) -> Result<bool, Error> {
    let floor: Option<i64> = tickets::table
        .select(tickets::id)
        .order(tickets::id.desc())
        .offset(NAME_SAMPLE - 1)
        .first(conn)
        .optional()?;
    let pattern = contains_pattern(folded);
    let hits: i64 = tickets::table
        .filter(tickets::id.ge(floor.unwrap_or(i64::MIN)))
        .filter(
            tickets::opener_name
                .like(pattern.clone())
                .escape('\\')
                .or(tickets::claimed_by_name.like(pattern.clone()).escape('\\'))
                .or(tickets::verdict_ban_reason.like(pattern).escape('\\')),
        )
        .count()
        .get_result(conn)?;
    Ok(hits > PAGE_SIZE)
}

/// SQLite: through the indexes when the term is rare, newest first otherwise. `folded` is the
/// term [`fold::written_out`]; the indexes' tokenizers drop case and accents on both sides.
fn sqlite_matches(conn: &mut diesel::SqliteConnection, folded: &str) -> Result<Condition, Error> {
    use diesel::sql_types::BigInt;
    let Some(words) = word_query(folded) else {
        // No word (`%`, `_`): nothing for the word index; LIKE finds it character by character.
        return Ok(Box::new(
            names_matching(folded).or(exists(
                messages::table
                    .filter(messages::ticket_id.eq(tickets::id))
                    .filter(
                        lower(messages::content)
                            .like(contains_pattern(folded))
                            .escape('\\'),
                    ),
            )),
        ));
    };
    // Under 3 characters the trigram index finds nothing; a common term is read newest first.
    if folded.chars().count() < 3 || common_in_names(conn, folded)? {
        return Ok(Box::new(
            names_matching(folded).or(messages_with_words(words)),
        ));
    }
    let mut ids: Vec<i64> = diesel::sql_query(
        "SELECT rowid AS id FROM tickets_name_search WHERE tickets_name_search MATCH ? LIMIT ?",
    )
    .bind::<Text, _>(trigram_query(folded))
    .bind::<BigInt, _>(INDEXED_SEARCH_MAX + 1)
    .load::<TicketNumber>(conn)?
    .into_iter()
    .map(|t| t.id)
    .collect();
    if ids.len() as i64 > INDEXED_SEARCH_MAX {
        return Ok(Box::new(
            names_matching(folded).or(messages_with_words(words)),
        ));
    }
    let messages = diesel::sql_query(
        "SELECT count(*) AS n FROM (SELECT 1 FROM messages_search \
         WHERE messages_search MATCH ? LIMIT ?)",
    )
    .bind::<Text, _>(&words)
    .bind::<BigInt, _>(INDEXED_SEARCH_MAX + 1)
    .get_result::<Count>(conn)?
    .n;
    if messages > INDEXED_SEARCH_MAX {
        // Rare in names, common in messages: the few name matches as they are, the messages
        // checked ticket by ticket.
        return Ok(Box::new(
            tickets::id.eq_any(ids).or(messages_with_words(words)),
        ));
    }
    ids.extend(
        diesel::sql_query(
            "SELECT DISTINCT ticket_id AS id FROM messages WHERE id IN \
             (SELECT rowid FROM messages_search WHERE messages_search MATCH ?)",
        )
        .bind::<Text, _>(words)
        .load::<TicketNumber>(conn)?
        .into_iter()
        .map(|t| t.id),
    );
    Ok(Box::new(tickets::id.eq_any(ids)))
}

/// SQLite: the tickets whose messages (text or attachment names) hold `words` (a
/// [`word_query`]), checked ticket by ticket.
fn messages_with_words(words: String) -> Condition {
    Box::new(
        sql::<Bool>(
            "tickets.id IN (SELECT m.ticket_id FROM messages m WHERE m.id IN \
             (SELECT rowid FROM messages_search WHERE messages_search MATCH ",
        )
        .bind::<Text, _>(words)
        .sql("))"),
    )
}

/// SQLite: the tickets whose names or ban reason contain `folded`, ignoring case and accents
/// as the trigram index does: the way for terms the index cannot take or that fill a page at
/// once. A plain LIKE answers first for the many rows it finds (most of them, since this way is
/// taken for common terms); the rows it misses are asked of the trigram index, or for a term
/// under 3 characters, which that index cannot take, of its view ([`fold::glob_contains`]).
/// The view is named only then: its fold, compiled into every statement naming it, cost more
/// than the whole read (the load tool's deep search page fell from 1,625/s to 1,111/s).
fn names_matching(folded: &str) -> Condition {
    let like = contains_pattern(folded);
    let plain = sql::<Bool>("(tickets.opener_name LIKE ")
        .bind::<Text, _>(like.clone())
        .sql(" ESCAPE '\\' OR tickets.claimed_by_name LIKE ")
        .bind::<Text, _>(like.clone())
        .sql(" ESCAPE '\\' OR tickets.verdict_ban_reason LIKE ")
        .bind::<Text, _>(like)
        .sql(" ESCAPE '\\' OR ");
    if folded.chars().count() >= 3 {
        return Box::new(
            plain
                .sql(
                    "EXISTS (SELECT 1 FROM tickets_name_search \
                     WHERE tickets_name_search MATCH ",
                )
                .bind::<Text, _>(trigram_query(folded))
                .sql(" AND rowid = tickets.id))"),
        );
    }
    let glob = fold::glob_contains(folded);
    Box::new(
        plain
            .sql(
                "EXISTS (SELECT 1 FROM tickets_search_text f \
                 WHERE f.id = tickets.id AND (f.opener_name GLOB ",
            )
            .bind::<Text, _>(glob.clone())
            .sql(" OR f.claimed_by_name GLOB ")
            .bind::<Text, _>(glob.clone())
            .sql(" OR f.verdict_ban_reason GLOB ")
            .bind::<Text, _>(glob)
            .sql(")))"),
    )
}

/// PostgreSQL: the tickets whose names, ban reason, message texts or attachment names
/// contain `search`, both sides through the database's `search_fold`.
fn postgres_matches(search: &str) -> Condition {
    let pattern = contains_pattern(&fold::written_out(search));
    // Each `LIKE search_fold(?) ESCAPE '\'` below compares with the folded pattern.
    const LIKE: &str = " LIKE search_fold(";
    const END: &str = ") ESCAPE '\\'";
    Box::new(
        sql::<Bool>("(search_fold(tickets.opener_name)")
            .sql(LIKE)
            .bind::<Text, _>(pattern.clone())
            .sql(END)
            .sql(" OR search_fold(tickets.claimed_by_name)")
            .sql(LIKE)
            .bind::<Text, _>(pattern.clone())
            .sql(END)
            .sql(" OR search_fold(tickets.verdict_ban_reason)")
            .sql(LIKE)
            .bind::<Text, _>(pattern.clone())
            .sql(END)
            .sql(
                " OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = tickets.id \
                 AND (search_fold(m.content)",
            )
            .sql(LIKE)
            .bind::<Text, _>(pattern.clone())
            .sql(END)
            .sql(" OR (m.attachments <> '[]' AND search_fold(attachment_names(m.attachments))")
            .sql(LIKE)
            .bind::<Text, _>(pattern)
            .sql(END)
            .sql("))))"),
    )
}

/// `%text%` for LIKE, lowercase, with LIKE's wildcards in `text` escaped by `\`.
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

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn word_query_is_one_phrase_ending_in_a_prefix() {
        assert_eq!(
            super::word_query(" Ban-ID \"B-47\" ").as_deref(),
            Some("\"Ban ID B 47\" *")
        );
        assert_eq!(super::word_query("%_*"), None, "no word, no index");
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
