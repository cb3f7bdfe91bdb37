//! Discord's limits on what one message may hold, and the one place that fits outgoing text
//! into them. Discord rejects a whole message (50035 "Invalid Form Body") when any part is one
//! character too long, and twilight refuses to send it at all; a cut text reaches the staff,
//! a rejected one reaches nobody. Discord counts characters (Unicode code points), not bytes.

use twilight_model::channel::message::Embed;
use twilight_model::channel::message::embed::EmbedField;
use twilight_model::http::interaction::InteractionResponseData;

pub const CONTENT: usize = 2_000;
pub const DESCRIPTION: usize = 4_096;
pub const TITLE: usize = 256;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1_024;
pub const FOOTER: usize = 2_048;
pub const AUTHOR_NAME: usize = 256;
pub const FIELDS: usize = 25;
pub const EMBEDS: usize = 10;
/// Across all embeds of one message: titles, descriptions, field names and values, footers
/// and author names together.
pub const EMBEDS_TOTAL: usize = 6_000;

const ELLIPSIS: char = '…';
/// Discord requires a field's name and value; an empty one would reject the message.
const EMPTY_FIELD: &str = "–";

/// `text` cut to at most `max` characters, the last one an ellipsis when it was cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) if max == 0 => String::new(),
        Some(_) => {
            // The byte offset of the (max - 1)th character: a char boundary by construction.
            let end = text.char_indices().nth(max - 1).map_or(0, |(at, _)| at);
            let mut clipped = text[..end].to_owned();
            clipped.push(ELLIPSIS);
            clipped
        }
    }
}

fn clip_in_place(text: &mut String, max: usize) {
    if text.chars().count() > max {
        *text = clip(text, max);
    }
}

/// Message content that Discord accepts.
pub fn content(text: &str) -> String {
    clip(text, CONTENT)
}

/// One embed that Discord accepts as a message's only embed.
pub fn embed(mut embed: Embed) -> Embed {
    fit(std::slice::from_mut(&mut embed));
    embed
}

/// The embeds of one message, fitted: at most ten, each part within its own limit, and all of
/// them together within 6,000 characters.
pub fn embeds(mut embeds: Vec<Embed>) -> Vec<Embed> {
    embeds.truncate(EMBEDS);
    fit(&mut embeds);
    embeds
}

/// Cuts each part to its own limit, then the longest parts until the total fits; short parts
/// (titles, field names, a ticket number) stay whole.
fn fit(embeds: &mut [Embed]) {
    for embed in embeds.iter_mut() {
        fit_parts(embed);
    }
    let mut parts: Vec<&mut String> = embeds.iter_mut().flat_map(text_parts).collect();
    let lengths: Vec<usize> = parts.iter().map(|p| p.chars().count()).collect();
    if lengths.iter().sum::<usize>() > EMBEDS_TOTAL {
        let cap = longest_fair_cap(&lengths, EMBEDS_TOTAL);
        for part in &mut parts {
            clip_in_place(part, cap);
        }
    }
}

/// Each part of `embed` within its own limit.
fn fit_parts(embed: &mut Embed) {
    if let Some(title) = &mut embed.title {
        clip_in_place(title, TITLE);
    }
    if let Some(description) = &mut embed.description {
        clip_in_place(description, DESCRIPTION);
    }
    embed.fields.truncate(FIELDS);
    for EmbedField { name, value, .. } in &mut embed.fields {
        for (text, max) in [(name, FIELD_NAME), (value, FIELD_VALUE)] {
            if text.trim().is_empty() {
                *text = EMPTY_FIELD.to_owned();
            }
            clip_in_place(text, max);
        }
    }
    if let Some(footer) = &mut embed.footer {
        clip_in_place(&mut footer.text, FOOTER);
    }
    if let Some(author) = &mut embed.author {
        clip_in_place(&mut author.name, AUTHOR_NAME);
    }
}

/// The texts Discord counts against the 6,000 characters of a message's embeds.
fn text_parts(embed: &mut Embed) -> Vec<&mut String> {
    let mut parts = Vec::new();
    parts.extend(embed.title.as_mut());
    parts.extend(embed.description.as_mut());
    for field in &mut embed.fields {
        parts.push(&mut field.name);
        parts.push(&mut field.value);
    }
    parts.extend(embed.footer.as_mut().map(|f| &mut f.text));
    parts.extend(embed.author.as_mut().map(|a| &mut a.name));
    parts
}

/// The largest cap such that cutting every part longer than it to it keeps the sum within
/// `budget`: long parts give up characters, parts shorter than the cap keep all of theirs.
fn longest_fair_cap(lengths: &[usize], budget: usize) -> usize {
    let total_at = |cap: usize| lengths.iter().map(|&l| l.min(cap)).sum::<usize>();
    let (mut fits, mut too_much) = (0, lengths.iter().copied().max().unwrap_or(0) + 1);
    while too_much - fits > 1 {
        let mid = fits + (too_much - fits) / 2;
        if total_at(mid) <= budget {
            fits = mid;
        } else {
            too_much = mid;
        }
    }
    fits
}

/// The characters Discord counts against a message's 6,000 for this embed.
pub fn embed_chars(embed: &Embed) -> usize {
    let text = |s: &Option<String>| s.as_deref().map_or(0, |s| s.chars().count());
    text(&embed.title)
        + text(&embed.description)
        + embed
            .fields
            .iter()
            .map(|f| f.name.chars().count() + f.value.chars().count())
            .sum::<usize>()
        + embed.footer.as_ref().map_or(0, |f| f.text.chars().count())
        + embed.author.as_ref().map_or(0, |a| a.name.chars().count())
}

/// An interaction answer whose content and embeds Discord accepts.
pub fn response(mut data: InteractionResponseData) -> InteractionResponseData {
    if let Some(text) = &mut data.content {
        clip_in_place(text, CONTENT);
    }
    if let Some(list) = data.embeds.take() {
        data.embeds = Some(embeds(list));
    }
    data
}

#[cfg(test)]
mod tests {
    use twilight_util::builder::embed::{
        EmbedAuthorBuilder, EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder,
    };

    use super::*;

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    /// What twilight checks before sending, which mirrors Discord's own checks.
    fn accepted(list: &[Embed]) -> bool {
        twilight_validate::message::embeds(list).is_ok()
    }

    #[test]
    fn clip_counts_characters_and_cuts_on_char_boundaries() {
        assert_eq!(clip("äöü", 3), "äöü");
        assert_eq!(clip("äöüß", 3), "äö…");
        let long = "😀".repeat(3_000);
        let cut = content(&long);
        assert_eq!(chars(&cut), CONTENT);
        assert!(cut.ends_with('…'));
        assert!(cut.starts_with("😀😀"));
        assert_eq!(clip("abc", 0), "");
        assert_eq!(clip("", 5), "");
    }

    #[test]
    fn every_part_of_an_embed_is_cut_to_its_limit() {
        let long = |n| "é".repeat(n);
        let mut builder = EmbedBuilder::new()
            .title(long(300))
            .description(long(5_000))
            .footer(EmbedFooterBuilder::new(long(3_000)))
            .author(EmbedAuthorBuilder::new(long(300)));
        for _ in 0..30 {
            builder = builder.field(EmbedFieldBuilder::new(long(300), long(2_000)));
        }
        let fitted = embed(builder.build());
        assert_eq!(fitted.fields.len(), FIELDS);
        assert!(chars(fitted.title.as_deref().unwrap()) <= TITLE);
        assert!(chars(fitted.description.as_deref().unwrap()) <= DESCRIPTION);
        assert!(fitted.fields.iter().all(|f| chars(&f.name) <= FIELD_NAME));
        assert!(fitted.fields.iter().all(|f| chars(&f.value) <= FIELD_VALUE));
        assert!(embed_chars(&fitted) <= EMBEDS_TOTAL);
        assert!(accepted(&[fitted]));
    }

    #[test]
    fn the_six_thousand_cut_the_longest_parts_and_spare_the_short_ones() {
        // The verdict the model once sent: 4,000 summary, 1,000 ban id and reason.
        let verdict = EmbedBuilder::new()
            .title("Zusammenfassung")
            .description("ß".repeat(4_000))
            .field(EmbedFieldBuilder::new("Bann-ID", "1".repeat(1_000)).inline())
            .field(EmbedFieldBuilder::new("Spieler", "Spieler Null").inline())
            .field(EmbedFieldBuilder::new("Grund", "g".repeat(1_000)).inline())
            .build();
        assert!(!accepted(std::slice::from_ref(&verdict)));
        let fitted = embed(verdict);
        assert_eq!(embed_chars(&fitted), EMBEDS_TOTAL);
        assert_eq!(fitted.title.as_deref(), Some("Zusammenfassung"));
        assert_eq!(fitted.fields[1].value, "Spieler Null");
        assert!(fitted.description.as_deref().unwrap().ends_with('…'));
        assert!(accepted(&[fitted]));
    }

    #[test]
    fn the_six_thousand_hold_across_all_embeds_of_a_message() {
        let list: Vec<Embed> = (0..12)
            .map(|_| EmbedBuilder::new().description("x".repeat(1_000)).build())
            .collect();
        let fitted = embeds(list);
        assert_eq!(fitted.len(), EMBEDS);
        assert!(fitted.iter().map(embed_chars).sum::<usize>() <= EMBEDS_TOTAL);
        assert!(accepted(&fitted));
    }

    #[test]
    fn empty_field_texts_are_filled_and_short_embeds_stay_as_they_are() {
        let short = EmbedBuilder::new()
            .title("Ticket erstellt")
            .field(EmbedFieldBuilder::new("Ticket", "#1"))
            .build();
        assert_eq!(embed(short.clone()), short);
        let empty = EmbedBuilder::new()
            .field(EmbedFieldBuilder::new("", " "))
            .build();
        let fitted = embed(empty);
        assert_eq!(fitted.fields[0].name, EMPTY_FIELD);
        assert_eq!(fitted.fields[0].value, EMPTY_FIELD);
    }

    #[test]
    fn an_interaction_answer_is_fitted() {
        let data = InteractionResponseData {
            content: Some("ä".repeat(2_500)),
            embeds: Some(vec![EmbedBuilder::new().title("t".repeat(500)).build()]),
            ..Default::default()
        };
        let fitted = response(data);
        assert_eq!(chars(fitted.content.as_deref().unwrap()), CONTENT);
        let embeds = fitted.embeds.unwrap();
        assert_eq!(chars(embeds[0].title.as_deref().unwrap()), TITLE);
    }
}
