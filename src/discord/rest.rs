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
    builder(config).build()
}

/// A client without twilight's rate limiter, for the requests whose 429 the caller handles
/// (channel renames): the limiter would sleep the caller until Discord allows the request,
/// which for a third rename within 10 minutes is minutes.
pub fn client_without_ratelimiter(config: &Config) -> Client {
    builder(config).ratelimiter(None).build()
}

fn builder(config: &Config) -> twilight_http::client::ClientBuilder {
    let mut builder = Client::builder()
        .token(config.bot_token.clone())
        .timeout(Duration::from_secs(10))
        // Nothing the bot writes pings anyone unless a message asks for it explicitly.
        .default_allowed_mentions(AllowedMentions::default());
    if let Some((authority, plain_http)) = config.discord.rest_proxy() {
        builder = builder.proxy(authority, plain_http);
    }
    builder
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

/// The longest rate limit a caller of [`send_or_later`] waits out in place.
pub const WAIT_IN_PLACE: Duration = Duration::from_secs(1);

/// What [`send_or_later`] did.
pub enum SentOrLater<T> {
    Sent(T),
    /// Discord rate-limited the request for longer than [`WAIT_IN_PLACE`]: not sent.
    Later(Duration),
}

/// Like [`send`] over a client without rate limiter: a 429 of up to [`WAIT_IN_PLACE`] is
/// waited out, a longer one is returned with its `retry_after` instead of waited for.
pub async fn send_or_later<T, F, Fut>(what: &str, make: F) -> Result<SentOrLater<Response<T>>>
where
    F: Fn() -> Fut,
    Fut: IntoFuture<Output = Result<Response<T>, twilight_http::Error>>,
{
    for _ in 1..ATTEMPTS {
        match make().await {
            Ok(response) => return Ok(SentOrLater::Sent(response)),
            Err(err) => match retry_after(&err) {
                Some(after) if after > WAIT_IN_PLACE => {
                    tracing::info!(request = what, retry_after = ?after, "Discord rate limit; the request waits");
                    return Ok(SentOrLater::Later(after));
                }
                Some(after) => tokio::time::sleep(after).await,
                None if is_transient(&err) => break,
                None => {
                    crate::metrics::discord_error(true);
                    tracing::error!(request = what, error = %err, "Discord request failed");
                    return Err(Error::Discord(err));
                }
            },
        }
    }
    Ok(SentOrLater::Sent(send(what, make).await?))
}

/// How long Discord asks to wait before a rate-limited request is tried again.
fn retry_after(err: &twilight_http::Error) -> Option<Duration> {
    use twilight_http::api_error::ApiError;
    match err.kind() {
        ErrorType::Response {
            status,
            error: ApiError::Ratelimited(limited),
            ..
        } if status.get() == 429 => {
            Some(Duration::try_from_secs_f64(limited.retry_after).unwrap_or(Duration::ZERO))
        }
        _ => None,
    }
}
