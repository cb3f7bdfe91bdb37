//! What an archived file is, from its bytes; and how the panel serves a type. Discord's
//! declared type is the uploader's claim and is never served.

/// Raster images a browser shows inline; everything else is a download.
const INLINE_IMAGES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/avif",
];

/// Types a browser would run or render as a document (scripts, markup): served as bytes.
const ACTIVE: &[&str] = &[
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
    "application/x-shockwave-flash",
    "application/pdf",
];

pub const OCTET_STREAM: &str = "application/octet-stream";
pub const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

/// The type a file is stored as: what its first bytes show; text without a signature as plain
/// text; anything else as bytes.
pub fn stored_type(bytes: &[u8]) -> String {
    if let Some(kind) = infer::get(bytes) {
        return kind.mime_type().to_owned();
    }
    if looks_like_svg(bytes) {
        return "image/svg+xml".to_owned();
    }
    if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        return PLAIN_TEXT.to_owned();
    }
    OCTET_STREAM.to_owned()
}

/// SVG has no magic number; its root element gives it away.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    String::from_utf8_lossy(head)
        .to_ascii_lowercase()
        .contains("<svg")
}

/// Whether the panel shows a file of this stored type inline (as an image).
pub fn is_inline_image(content_type: &str) -> bool {
    INLINE_IMAGES.contains(&essence(content_type))
}

/// How the panel serves a stored type: the `Content-Type` it sends, and whether inline. Raster
/// images inline as themselves; active content as bytes to download; the rest to download.
pub fn serving(content_type: &str) -> (String, bool) {
    let essence = essence(content_type);
    if INLINE_IMAGES.contains(&essence) {
        (essence.to_owned(), true)
    } else if ACTIVE.contains(&essence) || essence.is_empty() {
        (OCTET_STREAM.to_owned(), false)
    } else {
        (content_type.to_owned(), false)
    }
}

fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// `Content-Disposition` for `filename`: an ASCII fallback and the UTF-8 name (RFC 6266).
pub fn disposition(inline: bool, filename: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let fallback = if fallback.trim().is_empty() {
        "file".to_owned()
    } else {
        fallback
    };
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn type_comes_from_the_bytes() {
        assert_eq!(stored_type(PNG), "image/png");
        assert_eq!(stored_type(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), "image/jpeg");
        assert_eq!(stored_type(b"GIF89a......"), "image/gif");
        assert_eq!(stored_type(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(
            stored_type(b"<!DOCTYPE html><html><script>alert(1)</script>"),
            "text/html"
        );
        assert_eq!(
            stored_type(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            "text/xml"
        );
        assert_eq!(
            stored_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>"),
            "image/svg+xml"
        );
        assert_eq!(stored_type("Grüße, Log-Datei\n".as_bytes()), PLAIN_TEXT);
        assert_eq!(stored_type(b"\x00\x01\x02\x03garbage"), OCTET_STREAM);
    }

    #[test]
    fn a_declared_image_that_is_html_is_stored_as_html() {
        // What the uploader claims plays no part: only the bytes are read.
        let html = b"<html><body onload=alert(1)>";
        assert_eq!(stored_type(html), "text/html");
        assert_eq!(
            serving(&stored_type(html)),
            (OCTET_STREAM.to_owned(), false)
        );
    }

    #[test]
    fn only_raster_images_are_inline() {
        assert_eq!(serving("image/png"), ("image/png".to_owned(), true));
        assert_eq!(serving("image/jpeg"), ("image/jpeg".to_owned(), true));
        assert_eq!(serving("image/webp"), ("image/webp".to_owned(), true));
        for active in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
            "application/pdf",
            "text/javascript",
            "",
        ] {
            assert_eq!(
                serving(active),
                (OCTET_STREAM.to_owned(), false),
                "{active}"
            );
        }
        assert_eq!(serving(PLAIN_TEXT), (PLAIN_TEXT.to_owned(), false));
        assert_eq!(
            serving("application/zip"),
            ("application/zip".to_owned(), false)
        );
        assert!(is_inline_image("image/gif"));
        assert!(!is_inline_image("image/svg+xml"));
    }

    #[test]
    fn disposition_names_the_file_safely() {
        assert_eq!(
            disposition(true, "beweis.png"),
            "inline; filename=\"beweis.png\"; filename*=UTF-8''beweis.png"
        );
        assert_eq!(
            disposition(false, "a\"b\r\n.html"),
            "attachment; filename=\"a_b__.html\"; filename*=UTF-8''a%22b%0D%0A.html"
        );
        assert_eq!(
            disposition(false, "Grüße.txt"),
            "attachment; filename=\"Gr__e.txt\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt"
        );
    }
}
