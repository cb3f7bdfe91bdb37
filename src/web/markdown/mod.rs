//! Discord's markdown for the chat view, the transcript pages and downloads.
//!
//! pulldown-cmark parses the text; this module turns its events into a handful of tags of its
//! own. Nothing a user wrote becomes markup: raw HTML is shown as text (a `<` that could open a
//! tag is hidden from the parser and comes back as `&lt;`), links are only http(s), images and
//! tables are not Discord's and stay text. Discord's own syntax on top of CommonMark:
//! `__underline__`, `||spoiler||`, `-# subtext`, mentions (`<@id>`, `<@&id>`, `<#id>`),
//! custom emoji and `<t:…>` timestamps ([`inline`]). Line breaks are kept by the stylesheet
//! (`white-space: pre-wrap`), so soft breaks stay newlines and no tag adds whitespace.

mod inline;
#[cfg(test)]
mod tests;

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use super::names::Names;

/// Stands in for a `<` that could open HTML while the parser reads the text (a private-use
/// character; one in the input is replaced first).
const HIDDEN_LT: char = '\u{E000}';

/// Escapes the characters that matter in HTML text and attribute values.
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + raw.len() / 8);
    push_escaped(&mut out, raw);
    out
}

fn push_escaped(out: &mut String, raw: &str) {
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' | HIDDEN_LT => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '/' => out.push_str("&#x2F;"),
            _ => out.push(c),
        }
    }
}

/// Renders `raw` (untrusted) as HTML, mentions unresolved.
pub fn render(raw: &str) -> String {
    render_with(raw, &Names::default())
}

/// Renders `raw` (untrusted) as HTML, mentions shown with the names in `names`.
pub fn render_with(raw: &str, names: &Names) -> String {
    let source = hide_html(raw);
    let events = merged_events(&source);
    let spoilers = inline::spoiler_markers(&events);
    let mut renderer = Renderer {
        out: String::with_capacity(raw.len() + raw.len() / 4 + 16),
        source: &source,
        text: inline::TextState::new(names, spoilers),
        closers: Vec::new(),
        paragraph_gap: false,
        skip_until: None,
        in_code_block: false,
    };
    for (event, range) in &events {
        renderer.event(event, range.clone());
    }
    renderer.text.close(&mut renderer.out);
    renderer.out
}

/// `raw` with every `<` that could start an HTML tag, comment or declaration hidden; an
/// autolink `<https://…>` stays, it is Discord's too.
fn hide_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            HIDDEN_LT => out.push('\u{FFFD}'),
            '<' if opens_html(after) => out.push(HIDDEN_LT),
            _ => out.push(c),
        }
        rest = after;
    }
    out
}

fn opens_html(after: &str) -> bool {
    let starts_tag = after
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
    let autolink = (after.starts_with("https://") || after.starts_with("http://"))
        && after
            .find('>')
            .is_some_and(|end| !after[..end].contains(char::is_whitespace));
    starts_tag && !autolink
}

/// The parser's events with neighbouring text joined (it splits text at entities and
/// escapes), so mentions and links are seen whole.
fn merged_events(source: &str) -> Vec<(Event<'_>, Range<usize>)> {
    let mut events: Vec<(Event<'_>, Range<usize>)> = Vec::new();
    for (event, range) in Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH).into_offset_iter()
    {
        if let (Event::Text(text), Some((Event::Text(previous), previous_range))) =
            (&event, events.last_mut())
        {
            let joined = format!("{previous}{text}");
            *previous = joined.into();
            previous_range.end = range.end;
            continue;
        }
        events.push((event, range));
    }
    events
}

struct Renderer<'a> {
    out: String,
    source: &'a str,
    text: inline::TextState<'a>,
    /// What each open tag closes with; empty for a tag that is shown as text.
    closers: Vec<String>,
    /// A paragraph just ended: the next one starts after an empty line, as in Discord.
    paragraph_gap: bool,
    /// Inside an image or an indented block (shown as their source): ignore up to this end.
    skip_until: Option<TagEnd>,
    /// Inside a fenced code block: its text is shown exactly as written.
    in_code_block: bool,
}

impl Renderer<'_> {
    fn event(&mut self, event: &Event<'_>, range: Range<usize>) {
        if is_boundary(event) {
            self.text.boundary(&mut self.out);
        }
        if let Some(end) = self.skip_until {
            if matches!(event, Event::End(e) if *e == end) {
                self.skip_until = None;
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(*tag),
            Event::Text(text) if self.in_code_block => push_escaped(&mut self.out, text),
            Event::Text(text) => self.text.push(&mut self.out, text),
            Event::Code(code) => {
                self.out.push_str("<code>");
                push_escaped(&mut self.out, code);
                self.out.push_str("</code>");
            }
            // Raw HTML that slipped past `hide_html` (there should be none) is text.
            Event::Html(html) | Event::InlineHtml(html) => {
                push_escaped(&mut self.out, html.trim_end_matches('\n'))
            }
            Event::SoftBreak | Event::HardBreak => self.text.line_break(&mut self.out),
            Event::Rule => self.literal_block(range),
            // Options that would produce these are off; show their source if they appear.
            _ => push_escaped(&mut self.out, &self.source[range]),
        }
    }

    fn start(&mut self, tag: &Tag<'_>, range: Range<usize>) {
        let block = is_block(tag);
        if block {
            if matches!(tag, Tag::Paragraph) && self.paragraph_gap {
                self.out.push_str("\n\n");
            }
            self.paragraph_gap = false;
        }
        let source = &self.source[range.clone()];
        let (open, close): (String, String) = match tag {
            Tag::Paragraph | Tag::HtmlBlock => (String::new(), String::new()),
            Tag::Heading { level, .. } if source.starts_with('#') => {
                let n = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    _ => 3,
                };
                (format!("<h{n} class=\"md\">"), format!("</h{n}>"))
            }
            // `Text\n---` is no heading in Discord: the text, then its underline as written.
            Tag::Heading { .. } => {
                let underline = source.lines().last().unwrap_or("").trim();
                (String::new(), format!("\n{}", escape_html(underline)))
            }
            Tag::BlockQuote(_) => ("<blockquote>".into(), "</blockquote>".into()),
            Tag::CodeBlock(CodeBlockKind::Fenced(_)) => {
                self.in_code_block = true;
                ("<pre><code>".into(), "</code></pre>".into())
            }
            Tag::CodeBlock(CodeBlockKind::Indented) => {
                self.literal_block(range);
                self.skip_until = Some(TagEnd::CodeBlock);
                return;
            }
            Tag::List(Some(first)) if *first != 1 => {
                (format!("<ol start=\"{first}\">"), "</ol>".into())
            }
            Tag::List(Some(_)) => ("<ol>".into(), "</ol>".into()),
            Tag::List(None) => ("<ul>".into(), "</ul>".into()),
            Tag::Item => ("<li>".into(), "</li>".into()),
            Tag::Emphasis => ("<em>".into(), "</em>".into()),
            Tag::Strong if source.starts_with("__") => ("<u>".into(), "</u>".into()),
            Tag::Strong => ("<strong>".into(), "</strong>".into()),
            Tag::Strikethrough => ("<s>".into(), "</s>".into()),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } if is_web_link(*link_type, dest_url) => {
                let mut open = String::from("<a href=\"");
                push_escaped(&mut open, dest_url);
                open.push_str("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
                (open, "</a>".into())
            }
            // Any other link shows its text only.
            Tag::Link { .. } => (String::new(), String::new()),
            _ => {
                if block {
                    self.literal_block(range);
                } else {
                    push_escaped(&mut self.out, source);
                }
                self.skip_until = Some(tag.to_end());
                return;
            }
        };
        if matches!(tag, Tag::Link { .. }) {
            self.text.in_link += 1;
        }
        self.out.push_str(&open);
        self.closers.push(close);
    }

    fn end(&mut self, tag: TagEnd) {
        if tag == TagEnd::CodeBlock {
            self.in_code_block = false;
        }
        if tag == TagEnd::Link {
            self.text.in_link = self.text.in_link.saturating_sub(1);
        }
        if let Some(close) = self.closers.pop() {
            self.out.push_str(&close);
        }
        self.paragraph_gap = matches!(tag, TagEnd::Paragraph | TagEnd::Heading(_));
    }

    /// A block shown as it was written.
    fn literal_block(&mut self, range: Range<usize>) {
        self.text.close(&mut self.out);
        push_escaped(&mut self.out, self.source[range].trim_end_matches('\n'));
    }
}

/// Where a stretch of text ends: spoilers and subtext lines never reach across one.
fn is_boundary(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => is_block(tag),
        Event::End(tag) => !matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
        ),
        Event::Rule => true,
        _ => false,
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    !matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
    )
}

fn is_web_link(link_type: LinkType, url: &str) -> bool {
    !matches!(link_type, LinkType::Email)
        && (url.starts_with("https://") || url.starts_with("http://"))
}
