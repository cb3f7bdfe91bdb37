//! `ATTACHMENT_STORE` and `ATTACHMENT_MAX_MB`: where the attachment archive keeps its files and
//! how large a file it takes.

use std::path::PathBuf;

use super::ConfigError;
use super::values::Env;

pub const DEFAULT_STORE: &str = "file://attachments";
const DEFAULT_MAX_MB: u32 = 25;

/// The S3 settings read with the others (so `.env` and a test's map both work); the same names
/// `AmazonS3Builder::from_env` reads.
pub const S3_KEYS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT",
    "AWS_ALLOW_HTTP",
    "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A directory, relative to the working directory unless absolute.
    Local(PathBuf),
    S3 {
        bucket: String,
        prefix: String,
    },
}

#[derive(Debug, Clone)]
pub struct AttachmentConfig {
    pub store: StoreLocation,
    /// Larger files are not archived (`ATTACHMENT_MAX_MB`, in MiB).
    pub max_mb: u32,
    /// The `AWS_*` keys that are set, for an S3 store.
    pub s3: Vec<(String, String)>,
}

impl AttachmentConfig {
    pub fn max_bytes(&self) -> u64 {
        u64::from(self.max_mb) * 1024 * 1024
    }

    pub(super) fn read(env: &Env<'_>) -> Result<Self, ConfigError> {
        let raw = env
            .optional("ATTACHMENT_STORE")
            .unwrap_or_else(|| DEFAULT_STORE.to_owned());
        let store = parse_store(&raw).ok_or_else(|| {
            ConfigError::new(
                "ATTACHMENT_STORE",
                format!(
                    "expected file://DIRECTORY (e.g. file://attachments) or s3://BUCKET/PREFIX, \
                     got {raw:?}"
                ),
            )
        })?;
        let s3 = S3_KEYS
            .iter()
            .filter_map(|key| env.optional(key).map(|value| ((*key).to_owned(), value)))
            .collect();
        Ok(Self {
            store,
            max_mb: env.number("ATTACHMENT_MAX_MB", DEFAULT_MAX_MB, 1..=10_000)?,
            s3,
        })
    }
}

fn parse_store(raw: &str) -> Option<StoreLocation> {
    if let Some(path) = raw.strip_prefix("file://") {
        return (!path.is_empty()).then(|| StoreLocation::Local(PathBuf::from(path)));
    }
    let rest = raw.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let valid = !bucket.is_empty()
        && bucket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    valid.then(|| StoreLocation::S3 {
        bucket: bucket.to_owned(),
        prefix: prefix.trim_matches('/').to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_locations_parse() {
        assert_eq!(
            parse_store("file://attachments"),
            Some(StoreLocation::Local("attachments".into()))
        );
        assert_eq!(
            parse_store("file:///var/lib/tb"),
            Some(StoreLocation::Local("/var/lib/tb".into()))
        );
        assert_eq!(
            parse_store("s3://evidence/tickets/"),
            Some(StoreLocation::S3 {
                bucket: "evidence".into(),
                prefix: "tickets".into()
            })
        );
        assert_eq!(
            parse_store("s3://evidence"),
            Some(StoreLocation::S3 {
                bucket: "evidence".into(),
                prefix: String::new()
            })
        );
        for bad in [
            "attachments",
            "file://",
            "s3://",
            "http://x/y",
            "s3://a b/c",
        ] {
            assert_eq!(parse_store(bad), None, "{bad}");
        }
    }
}
