//! The Discord REST client and the retry policy every call goes through.

use std::future::IntoFuture;
use std::time::Duration;

use twilight_http::Client;
use twilight_http::error::ErrorType;
use twilight_http::response::Response;
use twilight_model::channel::message::AllowedMentions;

use crate::config::Config;
use crate::error::{Error, Result};

/// Builds the twilight client; REST goes to `DISCORD_API_BASE` when it is not Discord's.
pub fn client(config: &Config) -> Client {
    let mut builder = Client::builder()
        .token(config.bot_token.clone())
        .timeout(Duration::from_secs(10))
        // Nothing the bot writes pings anyone unless a message asks for it explicitly.
        .default_allowed_mentions(AllowedMentions::default());
    if let Some((authority, plain_http)) = config.discord.rest_proxy() {
        builder = builder.proxy(authority, plain_http);
    }
    builder.build()
}

const ATTEMPTS: u32 = 5;

/// Sends a request built by `make`, retrying 5xx answers, timeouts and broken connections with
/// exponential back-off. 429s are waited out by twilight's rate limiter before we see them.
/// A 4xx other than 429 is final: retrying cannot fix missing permissions or unknown channels.
pub async fn send<T, F, Fut>(what: &str, make: F) -> Result<Response<T>>
where
    F: Fn() -> Fut,
    Fut: IntoFuture<Output = Result<Response<T>, twilight_http::Error>>,
{
    let mut delay = Duration::from_millis(100);
    let mut attempt = 1;
    loop {
        match make().await {
            Ok(response) => return Ok(response),
            Err(err) if attempt < ATTEMPTS && is_transient(&err) => {
                crate::metrics::discord_error(false);
                tracing::warn!(request = what, attempt, error = %err, "Discord request failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            Err(err) => {
                crate::metrics::discord_error(true);
                tracing::error!(request = what, error = %err, "Discord request failed");
                return Err(Error::Discord(err));
            }
        }
    }
}

/// Like [`send`], then reads the body into the model.
pub async fn fetch<T, F, Fut>(what: &str, make: F) -> Result<T>
where
    T: serde::de::DeserializeOwned + Unpin + Send,
    F: Fn() -> Fut,
    Fut: IntoFuture<Output = Result<Response<T>, twilight_http::Error>>,
{
    Ok(send(what, make).await?.model().await?)
}

/// A failure that may pass by itself: 5xx, 429, timeouts, broken connections.
pub fn is_transient(err: &twilight_http::Error) -> bool {
    match err.kind() {
        ErrorType::Response { status, .. } => status.get() >= 500 || status.get() == 429,
        ErrorType::RequestError | ErrorType::RequestTimedOut => true,
        _ => false,
    }
}
