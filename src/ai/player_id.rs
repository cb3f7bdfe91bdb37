//! Finding a player ID in what a user wrote: a word of 16 or more ASCII letters and digits, after
//! invisible and control characters are stripped (as the original bot's `\b[a-zA-Z0-9]{16,}\b`).

const MIN_LEN: usize = 16;

/// Zero-width, direction and other format characters that users paste along with IDs.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// The first player ID in `text`, if any.
pub fn find(text: &str) -> Option<String> {
    let visible: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    visible
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .find(|word| word.len() >= MIN_LEN && word.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn finds_an_id_among_words() {
        assert_eq!(
            find("Meine ID ist 76561198012345678, danke").as_deref(),
            Some("76561198012345678")
        );
    }

    #[test]
    fn strips_invisible_characters_inside_the_id() {
        assert_eq!(
            find("ID: 7656119\u{200B}8012345678\u{FEFF}").as_deref(),
            Some("76561198012345678")
        );
    }

    #[test]
    fn ignores_short_words_and_mixed_scripts() {
        assert_eq!(find("abc 123456789012345"), None);
        assert_eq!(find("abcdefghijklmnopä"), None);
        assert_eq!(find("abcdefghij_klmnopqrst"), None);
    }
}
