//! The part of the search's spelling fold that SQLite's tokenizers do not do themselves:
//! German umlauts and ß written out (`oetzi` finds "Ötzi", `strasse` "Straße") and letters
//! without a Unicode decomposition replaced (`yilmaz` finds "Yılmaz"). Case and the remaining
//! accents (`Zoe` finds "Zoë") are the tokenizers' business on SQLite and `search_fold`'s on
//! PostgreSQL. The views of migration `2026-12-02-000030_search_fold` apply the same table to
//! the stored texts; a test below holds both to it.

/// Each letter and what it is written as, in both cases.
const WRITTEN_OUT: [(char, &str); 22] = [
    ('ä', "ae"),
    ('Ä', "ae"),
    ('ö', "oe"),
    ('Ö', "oe"),
    ('ü', "ue"),
    ('Ü', "ue"),
    ('ß', "ss"),
    ('ẞ', "ss"),
    ('æ', "ae"),
    ('Æ', "ae"),
    ('œ', "oe"),
    ('Œ', "oe"),
    ('ø', "o"),
    ('Ø', "o"),
    ('ł', "l"),
    ('Ł', "l"),
    ('đ', "d"),
    ('Đ', "d"),
    ('ı', "i"),
    ('İ', "i"),
    ('þ', "th"),
    ('Þ', "th"),
];

/// `text` with the letters of [`WRITTEN_OUT`] written out; everything else as it was.
pub fn written_out(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match WRITTEN_OUT.iter().find(|(letter, _)| *letter == c) {
            Some((_, spelled)) => out.push_str(spelled),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_and_undecomposable_letters_are_written_out() {
        assert_eq!(written_out("Ötzi Straße"), "oetzi Strasse");
        assert_eq!(written_out("Yılmaz Łódź Zoë"), "Yilmaz lódź Zoë");
    }

    /// The migration's views spell the stored texts as [`written_out`] spells search terms.
    #[test]
    fn the_stored_texts_are_written_out_as_search_terms_are() {
        use diesel::prelude::*;
        use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
        const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
        let mut conn = diesel::SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        conn.run_pending_migrations(MIGRATIONS).expect("migrations");
        let every: String = WRITTEN_OUT.iter().map(|(letter, _)| *letter).collect();
        let name = format!("a{every}z É");
        diesel::sql_query(
            "INSERT INTO tickets (opener_id, opener_name, created_at) VALUES (1, ?, 0)",
        )
        .bind::<diesel::sql_types::Text, _>(&name)
        .execute(&mut conn)
        .expect("ticket");
        #[derive(QueryableByName)]
        struct Folded {
            #[diesel(sql_type = diesel::sql_types::Text)]
            opener_name: String,
        }
        let stored: Folded = diesel::sql_query("SELECT opener_name FROM tickets_search_text")
            .get_result(&mut conn)
            .expect("view");
        assert_eq!(stored.opener_name, written_out(&name));
    }
}
