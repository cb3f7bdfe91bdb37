//! Login with Discord (OAuth2 authorization code with `state` and PKCE, scope `identify`) and
//! the role check against the guild at login; the session it starts lives in [`super::session`].

use std::sync::Arc;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use rocket::fairing::AdHoc;
use rocket::http::uri::Origin;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{Route, State, get};
use serde::{Deserialize, Serialize};

use super::admin::AdminRoles;
use super::discord_api::{DiscordApi, DiscordUser, GuildMember, oauth_http};
use super::error::PanelError;
use super::{session, text};
use crate::config::Config;
use crate::db::{Db, now_ms};

pub const LOGIN_COOKIE: &str = "ticketbot_login";
/// How long a started login may take.
const LOGIN_LIFETIME_MS: i64 = 10 * 60 * 1000;

/// Everything the login needs, managed by Rocket.
pub struct Auth {
    pub api: DiscordApi,
    client_id: String,
    client_secret: String,
    authorize_url: String,
    token_url: String,
    redirect_uri: String,
    allowed_roles: Vec<u64>,
    secure_cookies: bool,
    /// Who holds `ADMIN_ROLE_ID`, as the member lookups said.
    pub admins: AdminRoles,
}

impl Auth {
    pub fn new(config: &Config) -> Result<Self, String> {
        let api = DiscordApi::new(config).map_err(|err| format!("HTTP client: {err}"))?;
        Ok(Self {
            api,
            client_id: config.panel.client_id.clone(),
            client_secret: config.panel.client_secret.clone(),
            authorize_url: config.discord.url("oauth2/authorize"),
            token_url: config.discord.url("api/oauth2/token"),
            redirect_uri: config.panel.redirect_uri.to_string(),
            allowed_roles: config
                .panel
                .allowed_roles
                .iter()
                .map(|id| id.get())
                .collect(),
            secure_cookies: config.panel.redirect_uri.scheme() == "https",
            admins: AdminRoles::new(config.roles.admin.get()),
        })
    }

    fn oauth_client(
        &self,
    ) -> Result<
        BasicClient<
            oauth2::EndpointSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointSet,
        >,
        PanelError,
    > {
        let internal = |what: &str, err: oauth2::url::ParseError| {
            PanelError::internal(format!("OAuth2 {what} URL is invalid: {err}"))
        };
        Ok(BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(self.client_secret.clone()))
            .set_auth_uri(
                AuthUrl::new(self.authorize_url.clone()).map_err(|e| internal("authorize", e))?,
            )
            .set_token_uri(TokenUrl::new(self.token_url.clone()).map_err(|e| internal("token", e))?)
            .set_redirect_uri(
                RedirectUrl::new(self.redirect_uri.clone()).map_err(|e| internal("redirect", e))?,
            ))
    }

    pub fn allows(&self, member: &GuildMember) -> bool {
        member
            .role_ids()
            .any(|role| self.allowed_roles.contains(&role))
    }

    pub(super) fn cookie<'c>(&self, name: &'c str, value: String, max_age_ms: i64) -> Cookie<'c> {
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure_cookies)
            .max_age(rocket::time::Duration::milliseconds(max_age_ms))
            .build()
    }

    pub(super) fn removal(name: &'static str) -> Cookie<'static> {
        Cookie::build(name).path("/").build()
    }
}

/// A started login: the values the callback must see again.
#[derive(Debug, Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    verifier: String,
    next: String,
    started_at: i64,
}

pub(super) fn member_name(member: &GuildMember) -> Option<String> {
    member
        .nick
        .clone()
        .filter(|nick| !nick.is_empty())
        .or_else(|| {
            member
                .user
                .as_ref()
                .map(|user| user.display_name().to_owned())
        })
}

/// Where the browser may be sent after login: a path on this site, nothing else, written as a
/// valid URI (a space or an umlaut typed into the address arrives decoded, and a Location
/// header cannot carry it as it is).
pub fn safe_next(next: Option<&str>) -> String {
    let Some(path) = next.filter(|path| {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.starts_with("/\\")
            && path.len() <= 512
            && !path.chars().any(|c| c.is_control())
    }) else {
        return "/".to_owned();
    };
    let encoded = percent_encode_uri(path);
    match Origin::parse(&encoded) {
        Ok(_) => encoded,
        Err(_) => "/".to_owned(),
    }
}

/// `text` with every character a URI may not hold as it is percent-encoded (as UTF-8); `%`
/// stays when it already starts an escape.
fn percent_encode_uri(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, &byte) in bytes.iter().enumerate() {
        let escape_start = byte == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let plain = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte);
        if plain || escape_start {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The login page's address with the page to return to.
pub fn login_redirect(origin: &Origin<'_>) -> Redirect {
    let next = origin.to_string();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", &next)
        .finish();
    Redirect::to(format!("/login?{query}"))
}

#[get("/login?<next>")]
fn login(
    auth: &State<Arc<Auth>>,
    cookies: &CookieJar<'_>,
    next: Option<&str>,
) -> Result<Redirect, PanelError> {
    let client = auth.oauth_client()?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("identify".into()))
        .add_extra_param("prompt", "none")
        .set_pkce_challenge(challenge)
        .url();
    let pending = PendingLogin {
        state: state.secret().clone(),
        verifier: verifier.secret().clone(),
        next: safe_next(next),
        started_at: now_ms(),
    };
    let value = serde_json::to_string(&pending)
        .map_err(|err| PanelError::internal(format!("encoding the login cookie: {err}")))?;
    cookies.add_private(auth.cookie(LOGIN_COOKIE, value, LOGIN_LIFETIME_MS));
    Ok(Redirect::to(url.to_string()))
}

/// The OAuth2 callback, mounted at the path of `DISCORD_REDIRECT_URI`.
#[get("/?<code>&<state>&<error>")]
async fn callback(
    auth: &State<Arc<Auth>>,
    db: &State<Db>,
    cookies: &CookieJar<'_>,
    code: Option<&str>,
    state: Option<&str>,
    error: Option<&str>,
) -> Result<Redirect, PanelError> {
    // A login cookie is good for exactly one callback, whatever its outcome.
    let pending = cookies
        .get_private(LOGIN_COOKIE)
        .and_then(|cookie| serde_json::from_str::<PendingLogin>(cookie.value()).ok());
    cookies.remove_private(Auth::removal(LOGIN_COOKIE));

    if let Some(error) = error {
        return Err(PanelError::login(
            text::LOGIN_CANCELLED,
            format!("Discord sent error={error}"),
        ));
    }
    let Some(pending) = pending.filter(|p| now_ms() - p.started_at < LOGIN_LIFETIME_MS) else {
        return Err(PanelError::login(
            text::LOGIN_EXPIRED,
            "callback without a valid login cookie",
        ));
    };
    if !state.is_some_and(|state| same_secret(state, &pending.state)) {
        return Err(PanelError::login(
            text::LOGIN_STATE_MISMATCH,
            "callback state does not match",
        ));
    }
    let Some(code) = code.filter(|code| !code.is_empty()) else {
        return Err(PanelError::login(
            text::LOGIN_NO_CODE,
            "callback without a code",
        ));
    };

    let client = auth.oauth_client()?;
    let http = auth.api.http().clone();
    let send = |request| oauth_http(http.clone(), request);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&send)
        .await
        .map_err(|err| PanelError::login(text::TOKEN_FAILED, token_error(&err)))?;

    let user = auth
        .api
        .current_user(token.access_token().secret())
        .await
        .map_err(|err| PanelError::upstream(text::USER_FAILED, err.to_string()))?;
    let user_id: u64 = user
        .id
        .parse()
        .map_err(|_| PanelError::upstream(text::USER_FAILED, format!("user id {:?}", user.id)))?;
    let member = auth
        .api
        .member(user_id)
        .await
        .map_err(|err| PanelError::upstream(text::MEMBER_LOOKUP_FAILED, err.to_string()))?;
    let Some(member) = member else {
        return Err(PanelError::forbidden(
            text::NOT_A_MEMBER,
            format!("user {user_id} is not a guild member"),
        ));
    };
    if !auth.allows(&member) {
        return Err(PanelError::forbidden(
            text::MISSING_ROLE,
            format!("user {user_id} holds none of the allowed roles"),
        ));
    }
    auth.admins.record(user_id, &member, now_ms());
    let name = member_name(&member).unwrap_or_else(|| user.display_name().to_owned());
    tracing::info!(user = user_id, name = %name, "panel login");
    session::start(db, auth, cookies, user_id, name, avatar_of(&user)).await?;
    // Checked again: a login begun before an upgrade may carry a path written differently.
    Ok(Redirect::to(safe_next(Some(&pending.next))))
}

fn avatar_of(user: &DiscordUser) -> Option<String> {
    user.avatar.clone()
}

fn token_error(
    err: &oauth2::RequestTokenError<reqwest::Error, oauth2::basic::BasicErrorResponse>,
) -> String {
    match err {
        oauth2::RequestTokenError::ServerResponse(response) => {
            format!("token endpoint refused: {response}")
        }
        oauth2::RequestTokenError::Request(err) => format!("token request failed: {err}"),
        oauth2::RequestTokenError::Parse(err, _) => format!("token response unreadable: {err}"),
        oauth2::RequestTokenError::Other(other) => format!("token exchange failed: {other}"),
    }
}

/// Compares two secrets without an early exit.
pub(super) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn routes() -> Vec<Route> {
    rocket::routes![login]
}

/// Manages [`Auth`] and mounts the login routes and the callback at `DISCORD_REDIRECT_URI`'s path.
pub fn stage(config: Arc<Config>) -> AdHoc {
    AdHoc::try_on_ignite("Discord login", move |rocket| async move {
        let setup = callback_mount_path(&config)
            .and_then(|path| Auth::new(&config).map(|auth| (path, auth)));
        match setup {
            Ok((callback_path, auth)) => Ok(rocket
                .manage(Arc::new(auth))
                .mount("/", routes())
                .mount("/", session::routes())
                .mount(callback_path, rocket::routes![callback])),
            Err(err) => {
                tracing::error!(
                    code = "panel_auth",
                    "cannot set up the Discord login: {err}"
                );
                Err(rocket)
            }
        }
    })
}

/// The path part of `DISCORD_REDIRECT_URI`, as a mount point.
pub fn callback_mount_path(config: &Config) -> Result<String, String> {
    let path = config.panel.redirect_uri.path().trim_end_matches('/');
    if path.is_empty() {
        return Err(format!(
            "DISCORD_REDIRECT_URI needs a path of its own for the callback, like \
             https://panel.example/callback; got {}",
            config.panel.redirect_uri
        ));
    }
    rocket::http::uri::Origin::parse(path)
        .map(|_| path.to_owned())
        .map_err(|err| format!("DISCORD_REDIRECT_URI has an unusable path {path:?}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::{safe_next, same_secret};

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/tickets/4?x=1")), "/tickets/4?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/\0x")), "/");
    }

    #[test]
    fn next_is_written_as_a_valid_uri() {
        assert_eq!(safe_next(Some("/?q=a b")), "/?q=a%20b");
        assert_eq!(safe_next(Some("/?q=König")), "/?q=K%C3%B6nig");
        assert_eq!(safe_next(Some("/?q=K%C3%B6nig")), "/?q=K%C3%B6nig");
        assert_eq!(safe_next(Some("/?q=100%")), "/?q=100%25");
        assert_eq!(safe_next(Some("/a\"b<c>")), "/a%22b%3Cc%3E");
        assert_eq!(safe_next(Some("/a#b")), "/a%23b");
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
