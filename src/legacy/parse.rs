//! The original bot's transcripts as text: `[YYYY-MM-DD HH:MM:SS] name: text` lines.

use chrono::NaiveDateTime;

/// One line (with its continuation lines) of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEntry {
    /// As written, `YYYY-MM-DD HH:MM:SS` (UTC).
    pub time: Option<String>,
    pub at_ms: Option<i64>,
    pub author: Option<String>,
    pub content: String,
}

/// Parses `[YYYY-MM-DD HH:MM:SS] name: text` lines. A line that does not start that way
/// continues the previous message (messages may span lines); text before the first such line
/// becomes an entry without time and author.
pub fn parse_transcript(body: &str) -> Vec<TranscriptEntry> {
    let mut entries: Vec<TranscriptEntry> = Vec::new();
    for line in body.lines() {
        match parse_line(line) {
            Some((time, at_ms, author, content)) => entries.push(TranscriptEntry {
                time: Some(time.to_owned()),
                at_ms: Some(at_ms),
                author: Some(author.to_owned()),
                content: content.to_owned(),
            }),
            None => match entries.last_mut() {
                Some(last) => {
                    last.content.push('\n');
                    last.content.push_str(line);
                }
                None => entries.push(TranscriptEntry {
                    time: None,
                    at_ms: None,
                    author: None,
                    content: line.to_owned(),
                }),
            },
        }
    }
    entries
}

fn parse_line(line: &str) -> Option<(&str, i64, &str, &str)> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find(']')?;
    let time = &rest[..close];
    let at_ms = parse_time(time)?;
    let rest = rest[close + 1..].strip_prefix(' ')?;
    let (author, content) = match rest.find(": ") {
        Some(colon) => (&rest[..colon], &rest[colon + 2..]),
        None => (rest.strip_suffix(':')?, ""),
    };
    if author.is_empty() {
        return None;
    }
    Some((time, at_ms, author, content))
}

/// `YYYY-MM-DD HH:MM:SS` (SQLite's `CURRENT_TIMESTAMP`, UTC) as unix milliseconds.
pub fn parse_time(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
    .map(|time| time.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::{parse_time, parse_transcript};

    #[test]
    fn transcript_lines_parse_with_continuations() {
        let body = "Kopfzeile\n[2024-03-01 10:00:00] Max: Hallo\nzweite Zeile\n\
                    [2024-03-01 10:00:05] Support Team: Moin: wie geht's?\n[2024-03-01 10:01:00] Bot:";
        let entries = parse_transcript(body);
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].author, None);
        assert_eq!(entries[0].content, "Kopfzeile");
        assert_eq!(entries[1].author.as_deref(), Some("Max"));
        assert_eq!(entries[1].content, "Hallo\nzweite Zeile");
        assert_eq!(entries[2].author.as_deref(), Some("Support Team"));
        assert_eq!(entries[2].content, "Moin: wie geht's?");
        assert_eq!(entries[3].content, "");
        assert_eq!(entries[1].at_ms, parse_time("2024-03-01 10:00:00"));
        assert_eq!(parse_time("1970-01-01 00:00:01"), Some(1000));
    }
}
