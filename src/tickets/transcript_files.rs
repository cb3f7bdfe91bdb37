//! The archived files of a ticket as its `.html` transcript shows them when the file leaves
//! the panel (`/ticket_transcript`, the end-of-ticket DM): small images embedded, other
//! archived files linked to the panel, and why a file is missing. Bytes are read from the
//! store's async side (object_store runs local reads on the blocking pool), only for images
//! whose stored size is under the cap, never more than [`EMBED_TOTAL`] per transcript.

use base64::Engine;

use super::context::Ctx;
use crate::attachments::sniff::is_inline_image;
use crate::db::attachments::{self, ArchiveStatus};
use crate::transcript::{FileLink, FileLinks};

/// The largest image carried inside a transcript file.
pub const EMBED_MAX: i64 = 256 * 1024;
/// What all embedded images of one transcript may add up to (Discord's smallest upload
/// limit is 8 MiB, and the base64 text is a third larger).
pub const EMBED_TOTAL: i64 = 4 * 1024 * 1024;

/// The panel's public origin, from `DISCORD_REDIRECT_URI` (`https://panel.example`).
fn panel_origin(ctx: &Ctx) -> String {
    ctx.config.panel.redirect_uri.origin().ascii_serialization()
}

/// The links of every attachment of ticket `ticket_id` the archive has a row for. A failure
/// to read the rows leaves the transcript with Discord's URLs, as before the archive.
pub async fn file_links(ctx: &Ctx, ticket_id: i64) -> FileLinks {
    let rows = ctx
        .db
        .run(move |conn| {
            let rows = attachments::of_ticket(conn, ticket_id)?;
            let rows = attachments::with_types(conn, rows)?;
            let mut out = Vec::with_capacity(rows.len());
            for (row, kind) in rows {
                let size = match &row.sha256 {
                    Some(hash) => attachments::file(conn, hash)?.map(|file| file.size),
                    None => None,
                };
                out.push((row, kind, size));
            }
            Ok(out)
        })
        .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(err) => {
            tracing::warn!(ticket = ticket_id, error = %err, "transcript without archive links");
            return FileLinks::new();
        }
    };
    let origin = panel_origin(ctx);
    let mut budget = EMBED_TOTAL;
    let mut links = FileLinks::new();
    for (row, kind, size) in rows {
        let link = match (row.status(), &row.sha256) {
            (ArchiveStatus::Stored, Some(hash)) => {
                let image = kind.as_deref().is_some_and(is_inline_image);
                let size = size.unwrap_or(i64::MAX);
                let embedded = if image && size <= EMBED_MAX && size <= budget {
                    embed(ctx, hash, kind.as_deref().unwrap_or_default()).await
                } else {
                    None
                };
                match embedded {
                    Some((data_uri, len)) => {
                        budget -= len;
                        FileLink::Embedded { data_uri }
                    }
                    None => FileLink::Archived {
                        url: format!(
                            "{origin}{}",
                            crate::attachments::panel_path(row.ticket_id, hash)
                        ),
                        image,
                    },
                }
            }
            (ArchiveStatus::TooLarge | ArchiveStatus::Failed, _) => FileLink::Missing {
                note: row.error.clone().unwrap_or_default(),
            },
            _ => continue,
        };
        links.insert((row.message_id, row.position), link);
    }
    links
}

/// The file as a `data:` URI and its length in bytes; None when it cannot be read or is
/// larger than its row said.
async fn embed(ctx: &Ctx, hash: &str, content_type: &str) -> Option<(String, i64)> {
    let bytes = match ctx.files.get(hash).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::warn!(file = hash, error = %err, "archived image unreadable for a transcript");
            return None;
        }
    };
    let len = i64::try_from(bytes.len())
        .ok()
        .filter(|len| *len <= EMBED_MAX)?;
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Some((format!("data:{content_type};base64,{data}"), len))
}
