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

/// Latin letters with accents (after [`WRITTEN_OUT`]), as PostgreSQL's `search_fold` translates
/// them; each stands for the letter at its place in [`UNACCENTED`].
const ACCENTED: &str = concat!(
    "ÀÁÂÃÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÙÚÛÝàáâãåçèéêëìíîïñòó",
    "ôõùúûýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢ",
    "ģĤĥĨĩĪīĬĭĮįĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚ",
    "śŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎ",
    "ǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆ",
    "ȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂ",
    "ḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪ",
    "ḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒ",
    "ṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺ",
    "ṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨ",
    "ẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐ",
    "ốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸ",
    "ỹ",
);

/// The letter each of [`ACCENTED`] stands for.
const UNACCENTED: &str = concat!(
    "aaaaaceeeeiiiinoooouuuyaaaaaceeeeiiiinoo",
    "oouuuyyaaaaaaccccccccddeeeeeeeeeeggggggg",
    "ghhiiiiiiiijjkkllllllnnnnnnoooooorrrrrrs",
    "sssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaa",
    "iioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeee",
    "eiiiioooorrrruuuusstthhaaeeooooooooyyaab",
    "bbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhh",
    "hiiiikkkkkkllllllllmmmmmmnnnnnnnnooooooo",
    "opppprrrrrrrrssssssssssttttttttuuuuuuuuu",
    "uvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaa",
    "aaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiiooooo",
    "ooooooooooooooooooouuuuuuuuuuuuuuyyyyyyy",
    "y",
);

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

/// A GLOB pattern for SQLite that finds `folded` (a term [`written_out`]) anywhere in a text
/// written out the same way, ignoring case and the accents of Latin letters as the indexes'
/// tokenizers do: each letter becomes the class of all its forms (`e` → `[eEèéêë…]`), GLOB's
/// own wildcards stand for themselves. For the texts the indexes cannot take or that are read
/// newest first, where LIKE would ignore the case of ASCII letters only.
pub fn glob_contains(folded: &str) -> String {
    let mut pattern = String::from("*");
    for c in folded.chars() {
        let letter = unaccented(c).filter(char::is_ascii_alphabetic);
        match letter {
            Some(letter) => {
                pattern.push('[');
                pattern.push(letter);
                pattern.push(letter.to_ascii_uppercase());
                pattern.extend(
                    ACCENTED
                        .chars()
                        .zip(UNACCENTED.chars())
                        .filter(|(_, base)| *base == letter)
                        .map(|(accented, _)| accented),
                );
                pattern.push(']');
            }
            None if matches!(c, '*' | '?' | '[') => {
                pattern.push('[');
                pattern.push(c);
                pattern.push(']');
            }
            None => pattern.push(c),
        }
    }
    pattern.push('*');
    pattern
}

/// The lowercase letter `c` stands for, if it is a Latin letter.
fn unaccented(c: char) -> Option<char> {
    if c.is_ascii_alphabetic() {
        return Some(c.to_ascii_lowercase());
    }
    ACCENTED
        .chars()
        .zip(UNACCENTED.chars())
        .find(|(accented, _)| *accented == c)
        .map(|(_, base)| base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_and_undecomposable_letters_are_written_out() {
        assert_eq!(written_out("Ötzi Straße"), "oetzi Strasse");
        assert_eq!(written_out("Yılmaz Łódź Zoë"), "Yilmaz lódź Zoë");
    }

    #[test]
    fn a_glob_pattern_matches_every_form_of_a_letter_and_escapes_wildcards() {
        let pattern = glob_contains("zoé*?[");
        let z_class = &pattern[..pattern.find(']').expect("a class")];
        assert!(z_class.starts_with("*[zZ"), "{pattern}");
        assert!("źŹżŻžŽ".chars().all(|c| z_class.contains(c)), "{pattern}");
        assert!(
            pattern.contains("][eEÈÉÊË"),
            "an accented letter: all forms: {pattern}"
        );
        assert!(pattern.ends_with("[*][?][[]*"), "{pattern}");
    }

    /// PostgreSQL's `search_fold` drops the accents that [`glob_contains`] matches.
    #[test]
    fn the_accent_table_is_the_one_postgresql_translates_with() {
        let migration =
            include_str!("../../../migrations/postgresql/2026-12-02-000030_search_fold/up.sql");
        assert!(migration.contains(&format!("'{ACCENTED}',\n        '{UNACCENTED}'")));
        assert_eq!(ACCENTED.chars().count(), UNACCENTED.chars().count());
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
