//! How a person is pictured in the panel: their Discord avatar, or initials on a colour.

/// A Discord CDN avatar URL, when the hash looks like one.
pub fn avatar_url(user_id: i64, hash: Option<&str>) -> Option<String> {
    let hash = hash?;
    let plausible = !hash.is_empty()
        && hash.len() <= 64
        && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plausible && user_id > 0)
        .then(|| format!("https://cdn.discordapp.com/avatars/{user_id}/{hash}.png?size=64"))
}

/// Up to two letters standing in for a missing avatar.
pub fn initials(name: &str) -> String {
    let letters: String = name
        .split(|c: char| c.is_whitespace() || c == '_' || c == '.' || c == '-')
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() {
        "?".to_owned()
    } else {
        letters
    }
}

/// One of a few calm colours, stable per author.
pub fn colour_class(author_id: i64, name: &str) -> String {
    let seed = if author_id != 0 {
        author_id.unsigned_abs()
    } else {
        name.bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    };
    format!("c{}", seed % 6)
}

#[cfg(test)]
mod tests {
    use super::{avatar_url, initials};

    #[test]
    fn pictures() {
        assert_eq!(initials("max mustermann"), "MM");
        assert_eq!(initials("ärger"), "Ä");
        assert_eq!(initials("***"), "?");
        assert_eq!(
            avatar_url(42, Some("a_1f2e")).as_deref(),
            Some("https://cdn.discordapp.com/avatars/42/a_1f2e.png?size=64")
        );
        assert_eq!(avatar_url(42, Some("../x")), None);
        assert_eq!(avatar_url(42, None), None);
    }
}
