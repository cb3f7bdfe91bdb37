//! Archived attachments, served to staff from the store: `/tickets/<n>/files/<sha256>`. The
//! type is the one sniffed from the bytes when they were archived; only raster images are
//! shown inline, everything else (HTML, SVG and other active content above all) is a download,
//! with `nosniff` and a CSP that lets nothing run.

use rocket::fairing::AdHoc;
use rocket::http::Header;
use rocket::response::{Responder, Response};
use rocket::{Route, State, get};

use super::error::PanelError;
use super::session::Staff;
use super::text;
use crate::attachments::{FileStore, sniff};
use crate::config::attachments::AttachmentConfig;
use crate::db::Db;

/// What a served file may do in a browser: nothing.
pub const FILE_CSP: &str = "default-src 'none'; sandbox";

/// The panel's address of an archived file of ticket `ticket`.
pub fn file_url(ticket: i64, sha256: &str) -> String {
    crate::attachments::panel_path(ticket, sha256)
}

struct ArchivedFile {
    bytes: Vec<u8>,
    content_type: String,
    disposition: String,
}

impl<'r> Responder<'r, 'static> for ArchivedFile {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        Response::build()
            .header(Header::new("Content-Type", self.content_type))
            .header(Header::new("Content-Disposition", self.disposition))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .header(Header::new("Content-Security-Policy", FILE_CSP))
            // The bytes of a hash never change; only this browser may keep them.
            .header(Header::new(
                "Cache-Control",
                "private, max-age=86400, immutable",
            ))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

#[get("/tickets/<id>/files/<sha256>")]
async fn file(
    _staff: Staff,
    id: i64,
    sha256: &str,
    db: &State<Db>,
    store: &State<FileStore>,
) -> Result<ArchivedFile, PanelError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PanelError::not_found(text::FILE_NOT_FOUND));
    }
    let hash = sha256.to_ascii_lowercase();
    let found = {
        let hash = hash.clone();
        db.run(move |conn| crate::db::attachments::file_of_ticket(conn, id, &hash))
            .await?
    };
    let Some((stored, filename)) = found else {
        return Err(PanelError::not_found(text::FILE_NOT_FOUND));
    };
    let bytes = store.get(&hash).await.map_err(|err| {
        PanelError::internal(format!(
            "archived file {hash} of ticket #{id} unreadable: {err}"
        ))
    })?;
    let (content_type, inline) = sniff::serving(&stored.content_type);
    Ok(ArchivedFile {
        bytes: bytes.to_vec(),
        content_type,
        disposition: sniff::disposition(inline, &filename),
    })
}

pub fn routes() -> Vec<Route> {
    rocket::routes![file]
}

/// Opens the store `ATTACHMENT_STORE` names (a bad value stops the panel, naming the key).
pub fn stage(config: AttachmentConfig) -> AdHoc {
    AdHoc::try_on_ignite("Archived files", |rocket| async move {
        match FileStore::open(&config) {
            Ok(store) => Ok(rocket.manage(store).mount("/", routes())),
            Err(err) => {
                tracing::error!(error = %err, "the panel cannot open the attachment store");
                Err(rocket)
            }
        }
    })
}
