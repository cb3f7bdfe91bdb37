//! The Discord REST client and the retry policy every call goes through.

use std::future::IntoFuture;
use std::time::Duration;

use twilight_http::Client;
use twilight_http::error::ErrorType;
use twilight_http::response::Response;
use twilight_http_ratelimiting::{Endpoint, Method};
use twilight_model::channel::message::AllowedMentions;

use crate::config::Config;
use crate::error::{Error, Result};

/// Builds the twilight client; REST goes to `DISCORD_API_BASE` when it is not Discord's.
pub fn client(config: &Config) -> Client {
    builder(config).build()
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

/// The longest a caller of [`send_or_later`] waits for a rate-limited request: short, as an
/// interaction waiting on it must be answered within Discord's 3 s.
pub const WAIT_IN_PLACE: Duration = Duration::from_secs(1);

/// What [`send_or_later`] did.
pub enum SentOrLater<T> {
    Sent(T),
    /// Discord rate-limits the request for longer than [`WAIT_IN_PLACE`]: not sent.
    Later(Duration),
}

/// Like [`send`], for a request on `path` (`channels/{id}`, PATCH) that Discord may
/// rate-limit for minutes (a channel's third rename within 10 minutes): twilight's limiter
/// would sleep the caller until then. When the limiter knows the route as exhausted for
/// longer than [`WAIT_IN_PLACE`], or the request is still waiting for it after that long
/// (the 429 taught it), the request is dropped and the wait returned instead.
pub async fn send_or_later<T, F, Fut>(
    what: &str,
    client: &Client,
    path: String,
    make: F,
) -> Result<SentOrLater<Response<T>>>
where
    F: Fn() -> Fut,
    Fut: IntoFuture<Output = Result<Response<T>, twilight_http::Error>>,
{
    let endpoint = Endpoint {
        method: Method::Patch,
        path,
    };
    if let Some(after) = limited_for(client, &endpoint).await {
        return Ok(SentOrLater::Later(after));
    }
    match tokio::time::timeout(WAIT_IN_PLACE, send(what, &make)).await {
        Ok(sent) => Ok(SentOrLater::Sent(sent?)),
        Err(_) => match limited_for(client, &endpoint).await {
            Some(after) => {
                tracing::info!(request = what, retry_after = ?after, "Discord rate limit; the request waits");
                Ok(SentOrLater::Later(after))
            }
            // Slow, not limited: wait for it like for any other request.
            None => Ok(SentOrLater::Sent(send(what, make).await?)),
        },
    }
}

/// How long the rate limiter keeps `endpoint` closed, when longer than [`WAIT_IN_PLACE`].
async fn limited_for(client: &Client, endpoint: &Endpoint) -> Option<Duration> {
    let bucket = client.ratelimiter()?.bucket(endpoint.clone()).await?;
    let left = bucket
        .reset_at
        .saturating_duration_since(std::time::Instant::now());
    (bucket.remaining == 0 && left > WAIT_IN_PLACE).then_some(left)
}
