//! Why an image read for Sigrid gave no text: stored with the image and shown to staff on the
//! panel's ticket page.

pub const OCR_NO_HTTP_URL: &str = "keine http(s)-Adresse";
pub const OCR_DOWNLOAD_TIMED_OUT: &str = "Download: Zeitüberschreitung";
pub const OCR_NO_TEXT: &str = "kein Text erkannt";

pub fn ocr_download_failed(cause: &dyn std::fmt::Display) -> String {
    format!("Download: {cause}")
}

pub fn ocr_not_an_image(content_type: &str) -> String {
    format!("kein Bild ({content_type})")
}

pub fn ocr_failed(cause: &dyn std::fmt::Display) -> String {
    format!("Texterkennung: {cause}")
}
