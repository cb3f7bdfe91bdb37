//! A transcript page's attachments from the archive. A transcript line keeps an attachment as
//! `[Anhang: name url]` (the stored format, read back by the import); where the archive has
//! a row for that URL of the ticket, the marker leaves the text and the line shows the file as
//! the ticket page does: an archived image inline (lazy), another file linked, or why it is
//! not archived.

use std::collections::HashMap;

use super::message_view::AttachmentView;
use crate::attachments::sniff::is_inline_image;
use crate::db::attachments::{ArchiveStatus, AttachmentRow};

/// A ticket's archive rows by Discord URL.
pub struct ArchiveByUrl(HashMap<String, (AttachmentRow, Option<String>)>);

impl ArchiveByUrl {
    pub fn new(rows: Vec<(AttachmentRow, Option<String>)>) -> Self {
        Self(
            rows.into_iter()
                .map(|entry| (entry.0.url.clone(), entry))
                .collect(),
        )
    }

    /// The line's text without the markers of archived attachments, and their views.
    pub fn take_attachments(&self, content: &str) -> (String, Vec<AttachmentView>) {
        let mut text = String::with_capacity(content.len());
        let mut views = Vec::new();
        let mut rest = content;
        while let Some((before, name, url, after)) = next_marker(rest) {
            match self.0.get(url).and_then(|entry| view_of(name, entry)) {
                Some(view) => {
                    text.push_str(before.trim_end_matches(' '));
                    views.push(view);
                }
                None => text.push_str(&rest[..rest.len() - after.len()]),
            }
            rest = after;
        }
        text.push_str(rest);
        (text.trim().to_owned(), views)
    }
}

/// `[Anhang: name url]`: the text before it, the name, the URL and the text after it.
fn next_marker(text: &str) -> Option<(&str, &str, &str, &str)> {
    const OPEN: &str = "[Anhang: ";
    let start = text.find(OPEN)?;
    let inner = &text[start + OPEN.len()..];
    let space = inner.find(" https://").or_else(|| inner.find(" http://"))?;
    let close = inner[space..].find(']')? + space;
    Some((
        &text[..start],
        &inner[..space],
        &inner[space + 1..close],
        &inner[close + 1..],
    ))
}

fn view_of(name: &str, (row, kind): &(AttachmentRow, Option<String>)) -> Option<AttachmentView> {
    let mut view = AttachmentView {
        filename: name.to_owned(),
        url: None,
        archive_url: None,
        image: false,
        note: None,
    };
    match (row.status(), &row.sha256) {
        (ArchiveStatus::Stored, Some(hash)) => {
            view.archive_url = Some(super::files::file_url(row.ticket_id, hash));
            view.image = kind.as_deref().is_some_and(is_inline_image);
        }
        (ArchiveStatus::TooLarge | ArchiveStatus::Failed, _) => view.note = row.error.clone(),
        _ => return None,
    }
    Some(view)
}

#[cfg(test)]
mod tests {
    use super::next_marker;

    #[test]
    fn markers_split_at_the_url() {
        let (before, name, url, after) =
            next_marker("Hier: [Anhang: mein bild.png https://cdn/x.png?ex=1] danke").unwrap();
        assert_eq!(
            (before, name, url, after),
            (
                "Hier: ",
                "mein bild.png",
                "https://cdn/x.png?ex=1",
                " danke"
            )
        );
        assert!(next_marker("[Anhang: ohne url]").is_none());
    }
}
