//! One message of the chat view: text, embeds, attachments, earlier versions, who wrote it.

use serde::{Deserialize, Serialize};

use super::markdown;
use super::names::Names;
use super::portrait::{avatar_url, colour_class, initials};
use super::view::{format_time, iso_time};
use crate::db::models::Message;

fn is_web_url(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// A message's author as the chat marks them.
pub fn is_staff(message: &Message, opener_id: i64) -> bool {
    // Ticket channels are seen by the opener and the staff roles; someone added by hand is
    // rare, so every other person writing in one is taken for the team.
    !message.author_is_bot && !message.is_ai && message.author_id != opener_id
}

#[derive(Debug, Deserialize)]
struct StoredAttachment {
    #[serde(default)]
    filename: String,
    #[serde(default)]
    url: String,
}

/// What `messages.embeds` holds of an embed. The bot stores title and description today;
/// fields and colour are shown when a row has them.
#[derive(Debug, Deserialize)]
struct StoredEmbed {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    fields: Vec<StoredField>,
    #[serde(default, alias = "colour")]
    color: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct StoredField {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    inline: bool,
}

#[derive(Debug, Serialize)]
pub struct AttachmentView {
    pub filename: String,
    /// Discord's URL; it expires after about a day.
    pub url: Option<String>,
    /// The archived copy on the panel, once it is stored.
    pub archive_url: Option<String>,
    /// Shown inline (a raster image from the archive).
    pub image: bool,
    /// Why there is no archived copy ("nicht archiviert: größer als 25 MB").
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FieldView {
    pub name: String,
    pub html: String,
    pub inline: bool,
}

#[derive(Debug, Serialize)]
pub struct EmbedView {
    pub title: Option<String>,
    pub html: String,
    pub fields: Vec<FieldView>,
    /// `#rrggbb` of the embed's side stripe, written by us from a number.
    pub colour: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RevisionView {
    pub replaced: String,
    pub html: String,
}

#[derive(Debug, Serialize)]
pub struct MessageView {
    pub id: String,
    pub author_name: String,
    pub author_id: String,
    pub avatar_url: Option<String>,
    pub initials: String,
    pub colour: String,
    pub time: String,
    pub iso: String,
    pub html: String,
    pub is_ai: bool,
    pub is_bot: bool,
    pub is_opener: bool,
    pub is_staff: bool,
    pub edited: Option<String>,
    pub revisions: Vec<RevisionView>,
    pub deleted: Option<String>,
    pub attachments: Vec<AttachmentView>,
    pub embeds: Vec<EmbedView>,
}

/// The texts a message shows (content and embeds), for finding its mentions.
pub fn texts_of(message: &Message) -> Vec<String> {
    let embeds: Vec<StoredEmbed> = serde_json::from_str(&message.embeds).unwrap_or_default();
    let mut texts = vec![message.content.clone()];
    for embed in embeds {
        texts.extend(embed.description);
        texts.extend(embed.fields.into_iter().map(|field| field.value));
    }
    texts
}

type Archived<'a> = &'a (crate::db::attachments::AttachmentRow, Option<String>);

impl MessageView {
    /// Points the attachments at their archived copies: images inline, other files linked,
    /// and a note where a file is not archived.
    pub fn with_archive(mut self, archived: &[Archived<'_>]) -> Self {
        use crate::db::attachments::ArchiveStatus;
        for (position, view) in self.attachments.iter_mut().enumerate() {
            let Some((row, kind)) = archived
                .iter()
                .map(|entry| (&entry.0, &entry.1))
                .find(|(row, _)| usize::try_from(row.position).ok() == Some(position))
            else {
                continue;
            };
            match (row.status(), &row.sha256) {
                (ArchiveStatus::Stored, Some(hash)) => {
                    view.archive_url = Some(super::files::file_url(row.ticket_id, hash));
                    view.image = kind
                        .as_deref()
                        .is_some_and(crate::attachments::sniff::is_inline_image);
                }
                (ArchiveStatus::TooLarge | ArchiveStatus::Failed, _) => {
                    view.note = row.error.clone();
                }
                _ => {}
            }
        }
        self
    }

    pub fn of(
        message: &Message,
        opener_id: i64,
        revisions: Vec<RevisionView>,
        names: &Names,
    ) -> Self {
        let attachments: Vec<StoredAttachment> =
            serde_json::from_str(&message.attachments).unwrap_or_default();
        let embeds: Vec<StoredEmbed> = serde_json::from_str(&message.embeds).unwrap_or_default();
        Self {
            id: message.id.to_string(),
            author_name: message.author_name.clone(),
            author_id: message.author_id.to_string(),
            avatar_url: avatar_url(message.author_id, message.author_avatar.as_deref()),
            initials: initials(&message.author_name),
            colour: colour_class(message.author_id, &message.author_name),
            time: format_time(message.created_at),
            iso: iso_time(message.created_at),
            html: markdown::render_with(&message.content, names),
            is_ai: message.is_ai,
            is_bot: message.author_is_bot && !message.is_ai,
            is_opener: message.author_id == opener_id && opener_id != 0,
            is_staff: opener_id != 0 && is_staff(message, opener_id),
            edited: message.edited_at.map(format_time),
            revisions,
            deleted: message.deleted_at.map(format_time),
            attachments: attachments
                .into_iter()
                .map(|a| AttachmentView {
                    filename: if a.filename.is_empty() {
                        "Anhang".to_owned()
                    } else {
                        a.filename
                    },
                    url: is_web_url(&a.url).then_some(a.url),
                    archive_url: None,
                    image: false,
                    note: None,
                })
                .collect(),
            embeds: embeds
                .into_iter()
                .filter(|e| e.title.is_some() || e.description.is_some() || !e.fields.is_empty())
                .map(|e| EmbedView {
                    title: e.title,
                    html: markdown::render_with(e.description.as_deref().unwrap_or(""), names),
                    fields: e
                        .fields
                        .into_iter()
                        .map(|field| FieldView {
                            name: field.name,
                            html: markdown::render_with(&field.value, names),
                            inline: field.inline,
                        })
                        .collect(),
                    colour: e
                        .color
                        .filter(|colour| *colour != 0)
                        .map(|colour| format!("#{:06x}", colour & 0xff_ff_ff)),
                })
                .collect(),
        }
    }
}
