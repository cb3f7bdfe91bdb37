//! Downloading one attachment from Discord's CDN, with a time limit and a size limit.

use std::time::Duration;

use bytes::Bytes;

/// The longest one download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// More bytes than the limit: not archived, and not tried again.
    TooLarge,
    /// The CDN answered with this status (404 for an expired URL, 403, 5xx).
    Status(u16),
    /// No answer: refused, reset or over the time limit.
    Network(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge => write!(f, "larger than the limit"),
            Self::Status(status) => write!(f, "HTTP {status}"),
            Self::Network(cause) => write!(f, "{cause}"),
        }
    }
}

pub fn client() -> reqwest::Client {
    crate::process::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(DOWNLOAD_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// The bytes at `url`, at most `max_bytes` of them.
pub async fn download(
    client: &reqwest::Client,
    url: &str,
    max_bytes: u64,
) -> Result<Bytes, FetchError> {
    let network = |err: reqwest::Error| FetchError::Network(causes(&err));
    let mut response = client.get(url).send().await.map_err(network)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    if response
        .content_length()
        .is_some_and(|length| length > max_bytes)
    {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if (body.len() + chunk.len()) as u64 > max_bytes {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

fn causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
