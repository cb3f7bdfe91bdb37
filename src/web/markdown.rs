//! A small, safe subset of Discord markdown for the chat view.
//!
//! The text is HTML-escaped first; the formatting then works on the escaped text and only ever
//! adds tags of its own, so nothing a user wrote can become markup. Supported: ```code blocks```,
//! `inline code`, **bold**, *italic* / _italic_, __underline__, ~~strike~~, ||spoiler||,
//! bare http(s) links and masked links `[text](https://…)`. Line breaks are kept by the
//! stylesheet (`white-space: pre-wrap`).

/// Escapes the characters that matter in HTML text and attribute values, and `/`: the link
/// formatting below recognises URLs in their escaped form.
pub fn escape_html(raw: &str) -> String {
    crate::html::escape(raw).replace('/', "&#x2F;")
}

/// Renders `raw` (untrusted) as HTML.
pub fn render(raw: &str) -> String {
    let escaped = escape_html(raw);
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut rest = escaped.as_str();
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let Some(len) = after.find("```") else {
            break;
        };
        inline_code_spans(&rest[..start], &mut out);
        let mut block = &after[..len];
        // A language tag on the opening line (```rust) is not shown.
        if let Some(newline) = block.find('\n')
            && block[..newline]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-')
        {
            block = &block[newline + 1..];
        }
        out.push_str("<pre><code>");
        out.push_str(block);
        out.push_str("</code></pre>");
        rest = &after[len + 3..];
    }
    inline_code_spans(rest, &mut out);
    out
}

/// Splits off `inline code` (shown verbatim), formats the rest.
fn inline_code_spans(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        match after.find('`') {
            Some(len) if len > 0 => {
                out.push_str(&format_inline(&rest[..start]));
                out.push_str("<code>");
                out.push_str(&after[..len]);
                out.push_str("</code>");
                rest = &after[len + 1..];
            }
            _ => {
                out.push_str(&format_inline(&rest[..start + 1]));
                rest = after;
            }
        }
    }
    out.push_str(&format_inline(rest));
}

/// Delimited styles, longest delimiter first so `**` wins over `*`.
const STYLES: [(&str, &str, &str); 6] = [
    ("**", "<strong>", "</strong>"),
    ("__", "<u>", "</u>"),
    ("~~", "<s>", "</s>"),
    ("||", "<span class=\"spoiler\">", "</span>"),
    ("*", "<em>", "</em>"),
    ("_", "<em>", "</em>"),
];

/// Formats escaped text without code spans: links and delimited styles.
fn format_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let at_word_start = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if at_word_start
            && (rest.starts_with("https:&#x2F;&#x2F;") || rest.starts_with("http:&#x2F;&#x2F;"))
        {
            let url = url_prefix(rest);
            push_link(&mut out, url, url);
            i += url.len();
            continue;
        }
        if rest.starts_with('[')
            && let Some((label, url, consumed)) = masked_link(rest)
        {
            push_link(&mut out, url, &format_inline(label));
            i += consumed;
            continue;
        }
        if let Some((open, close, inner, consumed)) = styled(rest, at_word_start) {
            out.push_str(open);
            out.push_str(&format_inline(inner));
            out.push_str(close);
            i += consumed;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// The URL at the start of `text`: up to whitespace, without trailing punctuation.
fn url_prefix(text: &str) -> &str {
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let mut url = &text[..end];
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '*', '_', '|', '~']);
        let trimmed = trimmed
            .strip_suffix("&gt;")
            .or_else(|| trimmed.strip_suffix("&quot;"))
            .or_else(|| trimmed.strip_suffix("&#39;"))
            .unwrap_or(trimmed);
        if trimmed.len() == url.len() {
            return url;
        }
        url = trimmed;
    }
}

/// `[label](http…)` at the start of `text`: (label, url, bytes consumed).
fn masked_link(text: &str) -> Option<(&str, &str, usize)> {
    let close = text.find("](")?;
    let label = &text[1..close];
    if label.is_empty() || label.contains('\n') || label.contains('[') {
        return None;
    }
    let after = &text[close + 2..];
    let end = after.find(')')?;
    let url = &after[..end];
    let is_web = url.starts_with("https:&#x2F;&#x2F;") || url.starts_with("http:&#x2F;&#x2F;");
    if !is_web || url.contains(char::is_whitespace) {
        return None;
    }
    Some((label, url, close + 2 + end + 1))
}

/// A delimited style at the start of `text`: (open tag, close tag, inner text, bytes consumed).
fn styled(text: &str, at_word_start: bool) -> Option<(&'static str, &'static str, &str, usize)> {
    for (delimiter, open, close) in STYLES {
        if !text.starts_with(delimiter) {
            continue;
        }
        // snake_case_words stay as they are.
        if delimiter == "_" && !at_word_start {
            return None;
        }
        let after = &text[delimiter.len()..];
        if after.starts_with(char::is_whitespace) || after.starts_with(delimiter) {
            continue;
        }
        let Some(len) = find_closing(after, delimiter) else {
            continue;
        };
        let inner = &after[..len];
        if inner.is_empty() || inner.ends_with(char::is_whitespace) {
            continue;
        }
        if delimiter == "_" {
            let next = after[len + 1..].chars().next();
            if next.is_some_and(char::is_alphanumeric) {
                continue;
            }
        }
        return Some((open, close, inner, delimiter.len() + len + delimiter.len()));
    }
    None
}

/// Position of the closing `delimiter` in `text`; a single `*` does not close on `**`.
fn find_closing(text: &str, delimiter: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = text[from..].find(delimiter) {
        let at = from + pos;
        let single = delimiter.len() == 1;
        let doubled = single && text[at + 1..].starts_with(delimiter);
        if !doubled {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

fn push_link(out: &mut String, href: &str, label: &str) {
    out.push_str("<a href=\"");
    out.push_str(href);
    out.push_str("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
    out.push_str(label);
    out.push_str("</a>");
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn script_tags_stay_text() {
        let html = render("<script>alert(1)</script>");
        assert_eq!(html, "&lt;script&gt;alert(1)&lt;&#x2F;script&gt;");
    }

    #[test]
    fn bold_italic_code_and_links() {
        assert_eq!(render("**fett**"), "<strong>fett</strong>");
        assert_eq!(
            render("*kursiv* und _auch_"),
            "<em>kursiv</em> und <em>auch</em>"
        );
        assert_eq!(render("`<b>`"), "<code>&lt;b&gt;</code>");
        assert_eq!(
            render("siehe https://example.com/a?b=1&c=2."),
            "siehe <a href=\"https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2\" \
             rel=\"noopener noreferrer nofollow\" target=\"_blank\">https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2</a>."
        );
        assert_eq!(
            render("[hier](https://x.y) **[b](https://z)**"),
            "<a href=\"https:&#x2F;&#x2F;x.y\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">hier</a> \
             <strong><a href=\"https:&#x2F;&#x2F;z\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">b</a></strong>"
        );
    }

    #[test]
    fn no_markup_escapes_through_formatting() {
        let html = render(
            "**<img src=x onerror=alert(1)>** [x](javascript:alert(1)) [y](https://a\"onclick=b)",
        );
        assert!(!html.contains("<img"));
        assert!(!html.contains("href=\"javascript"));
        assert!(!html.contains("\"onclick"));
        assert!(html.contains("&lt;img"));
    }

    #[test]
    fn code_keeps_markers_and_snake_case_stays() {
        assert_eq!(render("`**nicht fett**`"), "<code>**nicht fett**</code>");
        assert_eq!(render("snake_case_name"), "snake_case_name");
        assert_eq!(render("2 * 3 * 4"), "2 * 3 * 4");
        assert_eq!(
            render("```rust\nlet x = 1;\n```"),
            "<pre><code>let x = 1;\n</code></pre>"
        );
        assert_eq!(render("**offen"), "**offen");
    }
}
