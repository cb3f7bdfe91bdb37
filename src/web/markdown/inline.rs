//! Discord's syntax inside a run of text that CommonMark does not know: mentions, custom emoji,
//! timestamps, bare links, `||spoilers||` and `-# subtext` lines.

use std::ops::Range;

use pulldown_cmark::Event;

use super::{HIDDEN_LT, push_escaped};
use crate::web::names::Names;
use crate::web::view::format_time;

const SPOILER: &str = "||";

/// How many `||` each stretch of text between two block boundaries holds; only pairs become
/// spoilers, a lone `||` stays as written.
pub fn spoiler_markers(events: &[(Event<'_>, Range<usize>)]) -> Vec<usize> {
    let mut counts = vec![0];
    for (event, _) in events {
        if super::is_boundary(event) {
            counts.push(0);
        } else if let (Event::Text(text), Some(count)) = (event, counts.last_mut()) {
            *count += text.matches(SPOILER).count();
        }
    }
    counts
}

/// Where the renderer is within the text: the stretch (for spoilers), an open spoiler or
/// subtext line, the start of a line.
pub struct TextState<'a> {
    names: &'a Names,
    markers: Vec<usize>,
    segment: usize,
    spoiler_open: bool,
    subtext_open: bool,
    line_start: bool,
    /// Inside a masked link or autolink: bare URLs are its text, not links of their own.
    pub in_link: usize,
}

impl<'a> TextState<'a> {
    pub fn new(names: &'a Names, markers: Vec<usize>) -> Self {
        Self {
            names,
            markers,
            segment: 0,
            spoiler_open: false,
            subtext_open: false,
            line_start: true,
            in_link: 0,
        }
    }

    /// A block boundary ([`super::is_boundary`]): whatever is open in the text closes, the
    /// next stretch begins.
    pub fn boundary(&mut self, out: &mut String) {
        self.close(out);
        self.segment += 1;
    }

    /// Closes an open spoiler or subtext line (the end of the text, a block shown as text).
    pub fn close(&mut self, out: &mut String) {
        self.close_subtext(out);
        if self.spoiler_open {
            out.push_str("</span>");
            self.spoiler_open = false;
        }
        self.line_start = true;
    }

    pub fn line_break(&mut self, out: &mut String) {
        self.close_subtext(out);
        out.push('\n');
        self.line_start = true;
    }

    fn close_subtext(&mut self, out: &mut String) {
        if self.subtext_open {
            out.push_str("</span>");
            self.subtext_open = false;
        }
    }

    fn markers_left(&mut self) -> &mut usize {
        if self.markers.len() <= self.segment {
            self.markers.resize(self.segment + 1, 0);
        }
        &mut self.markers[self.segment]
    }

    pub fn push(&mut self, out: &mut String, text: &str) {
        let text = text.replace(HIDDEN_LT, "<");
        let mut rest = text.as_str();
        if self.line_start
            && let Some(after) = rest.strip_prefix("-# ")
        {
            out.push_str("<span class=\"subtext\">");
            self.subtext_open = true;
            rest = after;
        }
        self.line_start = false;
        let mut previous: Option<char> = None;
        while let Some(c) = rest.chars().next() {
            let at_word_start = previous.is_none_or(|p| !p.is_alphanumeric());
            let consumed = if rest.starts_with(SPOILER) {
                self.spoiler(out)
            } else if c == '<' {
                self.angle(out, rest)
            } else if c == 'h' && at_word_start && self.in_link == 0 {
                bare_link(out, rest)
            } else {
                0
            };
            let consumed = if consumed == 0 {
                push_escaped(out, &rest[..c.len_utf8()]);
                c.len_utf8()
            } else {
                consumed
            };
            previous = rest[..consumed].chars().next_back();
            rest = &rest[consumed..];
        }
    }

    fn spoiler(&mut self, out: &mut String) -> usize {
        let open = self.spoiler_open;
        let left = self.markers_left();
        if open {
            *left = left.saturating_sub(1);
            out.push_str("</span>");
            self.spoiler_open = false;
        } else if *left >= 2 {
            *left -= 1;
            out.push_str("<span class=\"spoiler\">");
            self.spoiler_open = true;
        } else {
            *left = left.saturating_sub(1);
            out.push_str(SPOILER);
        }
        SPOILER.len()
    }

    /// `<@id>`, `<@!id>`, `<@&id>`, `<#id>`, `<:name:id>`, `<a:name:id>`, `<t:secs[:style]>`
    /// at the start of `text`: bytes consumed, 0 when it is none of them.
    fn angle(&self, out: &mut String, text: &str) -> usize {
        let Some(end) = text.find('>') else {
            return 0;
        };
        let inner = &text[1..end];
        let mention = |prefix: &str| {
            inner
                .strip_prefix(prefix)
                .filter(|id| !id.is_empty() && id.len() <= 20)
                .and_then(|id| id.parse::<u64>().ok())
        };
        let shown = if let Some(id) = mention("@&") {
            Some(mention_html('@', self.names.role(id)))
        } else if let Some(id) = mention("@!").or_else(|| mention("@")) {
            Some(mention_html('@', self.names.user(id)))
        } else if let Some(id) = mention("#") {
            Some(mention_html('#', self.names.channel(id)))
        } else {
            emoji(inner).or_else(|| timestamp(inner))
        };
        match shown {
            Some(html) => {
                out.push_str(&html);
                end + 1
            }
            None => 0,
        }
    }
}

fn mention_html(sigil: char, name: String) -> String {
    let mut html = String::from("<span class=\"mention\">");
    html.push(sigil);
    push_escaped(&mut html, &name);
    html.push_str("</span>");
    html
}

/// A custom emoji as Discord's CDN shows it.
fn emoji(inner: &str) -> Option<String> {
    let (animated, rest) = match inner.strip_prefix("a:") {
        Some(rest) => (true, rest),
        None => (false, inner.strip_prefix(':')?),
    };
    let (name, id) = rest.split_once(':')?;
    let plain_name = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    let id: u64 = id.parse().ok()?;
    plain_name.then(|| {
        let ext = if animated { "gif" } else { "webp" };
        let mut html = format!(
            "<img class=\"emoji\" src=\"https://cdn.discordapp.com/emojis/{id}.{ext}?size=32\" alt=\":"
        );
        push_escaped(&mut html, name);
        html.push_str(":\" title=\":");
        push_escaped(&mut html, name);
        html.push_str(":\">");
        html
    })
}

/// `<t:1764000000:R>` as a date and time (UTC, like every time in the panel).
fn timestamp(inner: &str) -> Option<String> {
    let rest = inner.strip_prefix("t:")?;
    let secs = rest.split_once(':').map_or(rest, |(secs, _)| secs);
    let secs: i64 = secs.parse().ok()?;
    let shown = format_time(secs.checked_mul(1000)?);
    Some(format!("<span class=\"mention time\">{shown}</span>"))
}

/// A bare http(s) link at the start of `text`: bytes consumed, 0 when there is none.
fn bare_link(out: &mut String, text: &str) -> usize {
    if !(text.starts_with("https://") || text.starts_with("http://")) {
        return 0;
    }
    let end = text
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(text.len());
    let url = text[..end].trim_end_matches([
        '.', ',', ';', ':', '!', '?', ')', '*', '_', '|', '~', '"', '\'',
    ]);
    if url.len() <= "https://".len() {
        return 0;
    }
    let mut html = String::from("<a href=\"");
    push_escaped(&mut html, url);
    html.push_str("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
    push_escaped(&mut html, url);
    html.push_str("</a>");
    out.push_str(&html);
    url.len()
}
