//! Reading images for Sigrid: the ban database's evidence screenshots and the opener's own.
//! Each is downloaded (size and time limits), kept in the attachment store by content hash and
//! read with Tesseract. Runs in her thinking task, off the actor. A URL that fails, bytes that
//! are no image and an image without text leave that image out of what she hears; each costs
//! one log line and nothing else.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::attachments::fetch;
use crate::attachments::{FileStore, sniff};
use crate::db::attachments::ArchivedFile;
use crate::db::now_ms;
use crate::ocr::Ocr;
use crate::texts;

/// The most images read for one lookup or one batch of messages.
pub const MAX_IMAGES: usize = 5;
/// The longest one image's download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(20);

/// What the bot needs to read images; `ocr` is None when Tesseract is not installed.
#[derive(Clone)]
pub struct Reader {
    pub ocr: Option<Ocr>,
    pub http: reqwest::Client,
    pub files: Option<FileStore>,
    pub max_bytes: u64,
}

/// One image as read: the file kept (when downloaded and stored) and its text.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub url: String,
    pub file: Option<ArchivedFile>,
    /// Recognised text; None when it could not be read or held none.
    pub text: Option<String>,
    /// Why there is no text (for the panel and the log).
    pub error: Option<String>,
}

impl Reader {
    /// Reads the first [`MAX_IMAGES`] of `urls`, in order. Empty without Tesseract: the bot
    /// then runs as it did before OCR (logged once at start-up).
    pub async fn read_all(&self, ticket: i64, urls: &[String]) -> Vec<Evidence> {
        let Some(ocr) = &self.ocr else {
            return Vec::new();
        };
        let mut read = Vec::new();
        for url in urls.iter().take(MAX_IMAGES) {
            let evidence = self.read_one(ocr, url).await;
            if let Some(error) = &evidence.error {
                tracing::warn!(ticket, url = %url, error = %error, "image not read; the intake goes on without it");
            }
            read.push(evidence);
        }
        read
    }

    async fn read_one(&self, ocr: &Ocr, url: &str) -> Evidence {
        let mut evidence = Evidence {
            url: url.to_owned(),
            file: None,
            text: None,
            error: None,
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            evidence.error = Some(texts::OCR_NO_HTTP_URL.into());
            return evidence;
        }
        let download = fetch::download(&self.http, url, self.max_bytes);
        let bytes = match tokio::time::timeout(DOWNLOAD_TIMEOUT, download).await {
            Err(_) => {
                evidence.error = Some(texts::OCR_DOWNLOAD_TIMED_OUT.into());
                return evidence;
            }
            Ok(Err(err)) => {
                evidence.error = Some(texts::ocr_download_failed(&err));
                return evidence;
            }
            Ok(Ok(bytes)) => bytes,
        };
        let file = ArchivedFile {
            sha256: Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            content_type: sniff::stored_type(&bytes),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            stored_at: now_ms(),
        };
        if let Some(files) = &self.files {
            match files.put(&file.sha256, bytes.clone()).await {
                Ok(()) => evidence.file = Some(file.clone()),
                Err(err) => {
                    tracing::warn!(url = %url, error = %err, "evidence image not stored; its text is still read")
                }
            }
        }
        if !sniff::is_inline_image(&file.content_type) {
            evidence.error = Some(texts::ocr_not_an_image(&file.content_type));
            return evidence;
        }
        match ocr.read(&bytes).await {
            Ok(text) if text.trim().is_empty() => {
                evidence.error = Some(texts::OCR_NO_TEXT.into());
            }
            Ok(text) => evidence.text = Some(text),
            Err(err) => evidence.error = Some(texts::ocr_failed(&err)),
        }
        evidence
    }
}
