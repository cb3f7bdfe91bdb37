//! REST (`/api/v10/...`), OAuth2 and attachment downloads.
//!
//! One catch-all axum handler reads the request (JSON, form or multipart),
//! then, under the model mutex: applies injected faults, routes by matching
//! the path segments, and appends the request and its status to the log.

mod dm;

use super::limits;
use super::model::*;
use super::{Inner, RecordedRequest};
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

const MAX_BODY: usize = 32 * 1024 * 1024;
/// Discord's limit of channels in one category.
const CATEGORY_MAX_CHANNELS: usize = 50;

/// A fault queued by `DiscordEmu::fail_next`.
pub struct Fault {
    pub method: String,
    pub path_contains: String,
    /// Only requests whose JSON body holds this text (e.g. a custom_id), when set.
    pub body_contains: Option<String>,
    pub status: u16,
    pub remaining: usize,
}

struct Grant {
    user_id: u64,
    redirect_uri: String,
    code_challenge: Option<String>,
    challenge_method: String,
    scope: String,
}

#[derive(Default)]
pub struct OAuthState {
    /// Who "clicks Authorize" on /oauth2/authorize; None denies.
    pub user: Option<u64>,
    codes: HashMap<String, Grant>,
    access_tokens: HashMap<String, u64>,
    refresh_tokens: HashMap<String, (u64, String)>,
}

/// An uploaded file from a multipart body.
#[derive(Clone)]
struct Upload {
    /// Form field name, e.g. `files[0]`.
    field: String,
    filename: String,
    content_type: Option<String>,
    data: Vec<u8>,
}

/// A request as the router sees it.
struct Incoming {
    method: String,
    path: String,
    query: String,
    authorization: Option<String>,
    /// JSON body, `payload_json` of a multipart body, or a form as an object of strings.
    json: Option<Value>,
    uploads: Vec<Upload>,
    body_error: Option<String>,
}

impl Incoming {
    async fn read(req: Request) -> Incoming {
        let (parts, body) = req.into_parts();
        let header_str = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header_str(header::CONTENT_TYPE).unwrap_or_default();
        let mut incoming = Incoming {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().unwrap_or("").to_owned(),
            authorization: header_str(header::AUTHORIZATION),
            json: None,
            uploads: Vec::new(),
            body_error: None,
        };
        if content_type.starts_with("multipart/form-data") {
            let req = Request::from_parts(parts, body);
            if let Err(e) = incoming.read_multipart(req).await {
                incoming.body_error = Some(e);
            }
            return incoming;
        }
        let bytes = match to_bytes(body, MAX_BODY).await {
            Ok(b) => b,
            Err(e) => {
                incoming.body_error = Some(e.to_string());
                return incoming;
            }
        };
        if bytes.is_empty() {
            return incoming;
        }
        if content_type.starts_with("application/x-www-form-urlencoded") {
            let form: Map<String, Value> = url::form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect();
            incoming.json = Some(Value::Object(form));
        } else {
            match serde_json::from_slice(&bytes) {
                Ok(v) => incoming.json = Some(v),
                Err(e) => incoming.body_error = Some(e.to_string()),
            }
        }
        incoming
    }

    async fn read_multipart(&mut self, req: Request) -> Result<(), String> {
        let mut multipart = Multipart::from_request(req, &())
            .await
            .map_err(|e| e.body_text())?;
        while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
            let name = field.name().unwrap_or("").to_owned();
            let filename = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let data = field.bytes().await.map_err(|e| e.body_text())?;
            if name == "payload_json" {
                self.json = Some(serde_json::from_slice(&data).map_err(|e| e.to_string())?);
            } else if let Some(filename) = filename {
                self.uploads.push(Upload {
                    field: name,
                    filename,
                    content_type,
                    data: data.to_vec(),
                });
            }
        }
        Ok(())
    }

    fn query_param(&self, key: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }

    fn body(&self) -> &Value {
        self.json.as_ref().unwrap_or(&Value::Null)
    }

    fn form(&self, key: &str) -> Option<&str> {
        self.body()[key].as_str()
    }
}

enum ReplyBody {
    Empty,
    Json(Value),
    Bytes(Vec<u8>, String),
}

pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: ReplyBody,
}

type Handled = Result<Reply, Reply>;

impl Reply {
    fn json(status: u16, value: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Json(value),
        }
    }
    fn ok(value: Value) -> Reply {
        Reply::json(200, value)
    }
    fn no_content() -> Reply {
        Reply {
            status: 204,
            headers: Vec::new(),
            body: ReplyBody::Empty,
        }
    }
    fn redirect(location: String) -> Reply {
        Reply {
            status: 302,
            headers: vec![("location", location)],
            body: ReplyBody::Empty,
        }
    }
    /// Discord's usual error body: `{"message": ..., "code": ...}`.
    fn error(status: u16, code: u32, message: &str) -> Reply {
        Reply::json(status, json!({"message": message, "code": code}))
    }
    fn unknown(what: &str, code: u32) -> Reply {
        Reply::error(404, code, &format!("Unknown {what}"))
    }
    /// 400 "Invalid Form Body" with one field error.
    fn invalid_form(field: &str, code: &str, message: &str) -> Reply {
        Reply::form_errors(json!({field: {"_errors": [{"code": code, "message": message}]}}))
    }
    /// 400 "Invalid Form Body" with Discord's nested `errors` object.
    fn form_errors(errors: Value) -> Reply {
        Reply::json(
            400,
            json!({"message": "Invalid Form Body", "code": 50035, "errors": errors}),
        )
    }
    fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
        Reply::json(
            status,
            json!({"error": error, "error_description": description}),
        )
    }
    fn rate_limited() -> Reply {
        let mut r = Reply::json(
            429,
            json!({"message": "You are being rate limited.", "retry_after": 0.05, "global": false}),
        );
        r.headers = vec![
            ("retry-after", "0.05".into()),
            ("x-ratelimit-scope", "user".into()),
            ("x-ratelimit-global", "false".into()),
            ("x-ratelimit-bucket", "emu-injected-bucket".into()),
            ("x-ratelimit-limit", "5".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset-after", "0.05".into()),
        ];
        r
    }
    /// What Discord answers to a third rename of a channel within 10 minutes: a 429 of the
    /// shared resource, whose `retry_after` runs until the oldest rename leaves the window.
    fn rename_limited(retry_after: std::time::Duration) -> Reply {
        let secs = retry_after.as_secs_f64();
        let mut r = Reply::json(
            429,
            json!({"message": "You are being rate limited.", "retry_after": secs, "global": false}),
        );
        let header = retry_after.as_secs_f64().ceil().to_string();
        r.headers = vec![
            ("retry-after", header.clone()),
            ("x-ratelimit-scope", "shared".into()),
            ("x-ratelimit-global", "false".into()),
            ("x-ratelimit-bucket", "emu-channel-rename".into()),
            ("x-ratelimit-limit", "2".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset-after", format!("{secs:.3}")),
        ];
        r
    }
    fn json_value(&self) -> Option<Value> {
        match &self.body {
            ReplyBody::Json(v) => Some(v.clone()),
            _ => None,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = match self.body {
            ReplyBody::Empty => Body::empty().into_response(),
            ReplyBody::Json(v) => {
                ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
            }
            ReplyBody::Bytes(data, content_type) => {
                ([(header::CONTENT_TYPE, content_type)], data).into_response()
            }
        };
        *response.status_mut() = status;
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// The fallback handler: everything except the gateway websocket.
pub async fn handle(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    let incoming = Incoming::read(req).await;
    let reply = inner.update(|m| {
        let reply = m
            .take_fault(&incoming)
            .unwrap_or_else(|| m.route(&incoming).unwrap_or_else(|e| e));
        m.requests.push(RecordedRequest {
            method: incoming.method.clone(),
            path: incoming.path.clone(),
            query: incoming.query.clone(),
            json: incoming.json.clone(),
            files: incoming
                .uploads
                .iter()
                .map(|u| (u.filename.clone(), u.data.clone()))
                .collect(),
            status: reply.status,
            response: reply.json_value(),
        });
        reply
    });
    reply.into_response()
}

fn parse_id(s: &str) -> Result<u64, Reply> {
    s.parse().map_err(|_| {
        Reply::invalid_form(
            "id",
            "NUMBER_TYPE_COERCE",
            &format!("Value \"{s}\" is not snowflake."),
        )
    })
}

/// A snowflake in a JSON body: Discord accepts strings and numbers.
fn snowflake(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// A permission bitset in a JSON body (string or number; missing = 0).
fn permission_bits(v: &Value, field: &str) -> Result<u64, Reply> {
    match v {
        Value::Null => Ok(0),
        other => snowflake(other).ok_or_else(|| {
            Reply::invalid_form(field, "NUMBER_TYPE_COERCE", "Invalid permission value.")
        }),
    }
}

fn parse_overwrites(v: &Value) -> Result<Vec<Overwrite>, Reply> {
    let Some(list) = v.as_array() else {
        return Err(Reply::invalid_form(
            "permission_overwrites",
            "LIST_TYPE_CONVERT",
            "Must be an array.",
        ));
    };
    list.iter()
        .map(|o| {
            let id = snowflake(&o["id"]).ok_or_else(|| {
                Reply::invalid_form(
                    "permission_overwrites",
                    "BASE_TYPE_REQUIRED",
                    "id is required.",
                )
            })?;
            let kind = match &o["type"] {
                Value::Number(n) if n.as_u64() == Some(0) => 0,
                Value::Number(n) if n.as_u64() == Some(1) => 1,
                Value::String(s) if s == "role" || s == "0" => 0,
                Value::String(s) if s == "member" || s == "1" => 1,
                _ => {
                    return Err(Reply::invalid_form(
                        "permission_overwrites",
                        "BASE_TYPE_CHOICES",
                        "type must be 0 (role) or 1 (member).",
                    ));
                }
            };
            Ok(Overwrite {
                id,
                kind,
                allow: permission_bits(&o["allow"], "allow")?,
                deny: permission_bits(&o["deny"], "deny")?,
            })
        })
        .collect()
}

/// Discord lower-cases text channel names and turns spaces into dashes.
fn normalize_text_channel_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
}

/// Adds `type: "rich"` to embeds, as Discord does when echoing them.
fn normalize_embeds(v: &Value) -> Result<Vec<Value>, Reply> {
    let list = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        _ => {
            return Err(Reply::invalid_form(
                "embeds",
                "LIST_TYPE_CONVERT",
                "Must be an array.",
            ));
        }
    };
    if let Some(errors) = limits::embeds_errors(list) {
        return Err(Reply::form_errors(errors));
    }
    Ok(list
        .iter()
        .map(|e| {
            let mut e = e.clone();
            if e.get("type").is_none() {
                e["type"] = json!("rich");
            }
            e["content_scan_version"] = json!(0);
            e
        })
        .collect())
}

/// Validates a component tree the way Discord does (custom ids present and
/// unique) and numbers the components depth-first like Discord's echo.
fn normalize_components(v: &Value) -> Result<Vec<Value>, Reply> {
    fn visit(c: &mut Value, next_id: &mut u64, seen: &mut HashSet<String>) -> Result<(), Reply> {
        if !c.is_object() {
            return Err(Reply::invalid_form(
                "components",
                "MODEL_TYPE_CONVERT",
                "Only dictionaries may be used in a ModelType.",
            ));
        }
        if c["id"].is_null() {
            c["id"] = json!(*next_id);
        }
        *next_id += 1;
        let kind = c["type"].as_u64().unwrap_or(0);
        let link_or_premium = kind == 2 && matches!(c["style"].as_u64(), Some(5 | 6));
        let needs_custom_id = matches!(kind, 2..=8) && !link_or_premium;
        if needs_custom_id {
            let id = c["custom_id"].as_str().unwrap_or("");
            if id.is_empty() || id.chars().count() > 100 {
                return Err(Reply::invalid_form(
                    "components",
                    "BASE_TYPE_REQUIRED",
                    "A custom id is required (1-100 characters).",
                ));
            }
            if !seen.insert(id.to_owned()) {
                return Err(Reply::invalid_form(
                    "components",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                ));
            }
        }
        if kind == 2 && c["style"].as_u64() == Some(5) && c["url"].as_str().is_none() {
            return Err(Reply::invalid_form(
                "components",
                "BASE_TYPE_REQUIRED",
                "Link buttons need a url.",
            ));
        }
        for key in ["components", "accessory", "component"] {
            match c.get_mut(key) {
                Some(Value::Array(children)) => {
                    for child in children {
                        visit(child, next_id, seen)?;
                    }
                }
                Some(child @ Value::Object(_)) => visit(child, next_id, seen)?,
                _ => {}
            }
        }
        Ok(())
    }
    let list = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        _ => {
            return Err(Reply::invalid_form(
                "components",
                "LIST_TYPE_CONVERT",
                "Must be an array.",
            ));
        }
    };
    let mut list = list.clone();
    let (mut next_id, mut seen) = (1, HashSet::new());
    for c in &mut list {
        visit(c, &mut next_id, &mut seen)?;
    }
    Ok(list)
}

fn pkce_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Model {
    fn take_fault(&mut self, r: &Incoming) -> Option<Reply> {
        let index = self.faults.iter().position(|f| {
            f.remaining > 0
                && (f.method == "*" || f.method.eq_ignore_ascii_case(&r.method))
                && r.path.contains(&f.path_contains)
                && f.body_contains.as_ref().is_none_or(|needle| {
                    r.json
                        .as_ref()
                        .is_some_and(|json| json.to_string().contains(needle.as_str()))
                })
        })?;
        let fault = &mut self.faults[index];
        fault.remaining -= 1;
        let status = fault.status;
        if fault.remaining == 0 {
            self.faults.remove(index);
        }
        Some(match status {
            429 => Reply::rate_limited(),
            500..=599 => Reply::error(status, 0, &format!("{status}: Internal Server Error")),
            // What Discord answers to a body it will not take, whatever the cause.
            400 => Reply::form_errors(json!({"embeds": {"0": {"description": {"_errors": [
                {"code": "BASE_TYPE_BAD_REQUEST", "message": "Injected: not accepted."}
            ]}}}})),
            401 => Reply::error(401, 0, "401: Unauthorized"),
            403 => Reply::error(403, 50013, "Missing Permissions"),
            404 => Reply::error(404, 0, "404: Not Found"),
            _ => Reply::error(status, 0, &format!("{status}: Injected Error")),
        })
    }

    fn bot_authorized(&self, r: &Incoming) -> bool {
        r.authorization.as_deref() == Some(format!("Bot {}", self.bot_token).as_str())
    }

    fn route(&mut self, r: &Incoming) -> Handled {
        let segments: Vec<&str> = r.path.split('/').filter(|s| !s.is_empty()).collect();
        let m = r.method.as_str();

        // Non-API paths: browser OAuth2 page and attachment downloads.
        let api: &[&str] = match segments.as_slice() {
            ["api", version, rest @ ..] if version.starts_with('v') => rest,
            ["api", rest @ ..] => rest,
            ["oauth2", "authorize"] if m == "GET" => return self.oauth_authorize(r),
            ["attachments", channel, id, _name] if m == "GET" => {
                return self.get_attachment(parse_id(channel)?, parse_id(id)?, &r.query);
            }
            _ => return Err(Reply::error(404, 0, "404: Not Found")),
        };
        if let Some(e) = &r.body_error {
            eprintln!("discord emulator: unreadable body for {m} {}: {e}", r.path);
            return Err(Reply::error(
                400,
                50109,
                "The request body contains invalid JSON.",
            ));
        }

        // Endpoints that are not authenticated with the bot token.
        match (m, api) {
            ("GET", ["oauth2", "authorize"]) => return self.oauth_authorize(r),
            ("POST", ["oauth2", "token"]) => return self.oauth_token(r),
            ("GET", ["users", "@me"]) => return self.current_user(r),
            ("POST", ["interactions", id, token, "callback"]) => {
                return self.interaction_callback(parse_id(id)?, token, r);
            }
            (_, ["webhooks", app, token, rest @ ..]) => {
                return self.webhook(m, parse_id(app)?, token, rest, r);
            }
            _ => {}
        }
        if !self.bot_authorized(r) {
            return Err(Reply::error(401, 0, "401: Unauthorized"));
        }

        let guild = self.spec.guild_id;
        let check_guild = |g: &str| -> Result<(), Reply> {
            if parse_id(g)? == guild {
                Ok(())
            } else {
                Err(Reply::unknown("Guild", 10004))
            }
        };
        let app_id = self.application_id;
        let check_app = |a: &str| -> Result<(), Reply> {
            if parse_id(a)? == app_id {
                Ok(())
            } else {
                Err(Reply::error(403, 50001, "Missing Access"))
            }
        };
        match (m, api) {
            ("GET", ["gateway"]) => Ok(Reply::ok(json!({"url": self.ws_url()}))),
            ("GET", ["gateway", "bot"]) => Ok(Reply::ok(json!({
                "url": self.ws_url(),
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1},
            }))),
            ("POST", ["users", "@me", "channels"]) => self.open_dm(r.body()),
            ("POST", ["channels", c, "messages"]) if self.is_dm_channel(c) => {
                self.post_dm(parse_id(c)?, r)
            }
            ("PATCH", ["channels", c, "messages", id]) if self.is_dm_channel(c) => {
                self.edit_dm(parse_id(c)?, id, r)
            }
            ("GET", ["users", id]) => {
                let id = parse_id(id)?;
                if self.users.contains_key(&id) {
                    Ok(Reply::ok(self.user_json(id)))
                } else {
                    Err(Reply::unknown("User", 10013))
                }
            }
            ("PUT", ["applications", a, "guilds", g, "commands"]) => {
                check_app(a)?;
                check_guild(g)?;
                self.overwrite_commands(Some(guild), r.body())
            }
            ("GET", ["applications", a, "guilds", g, "commands"]) => {
                check_app(a)?;
                check_guild(g)?;
                Ok(Reply::ok(json!(self.commands_for(Some(guild)))))
            }
            ("PUT", ["applications", a, "commands"]) => {
                check_app(a)?;
                self.overwrite_commands(None, r.body())
            }
            ("GET", ["applications", "@me"]) => Ok(Reply::ok(self.application_json())),
            ("GET", ["applications", a, "commands"]) => {
                check_app(a)?;
                Ok(Reply::ok(json!(self.commands_for(None))))
            }
            ("GET", ["guilds", g, "channels"]) => {
                check_guild(g)?;
                let list: Vec<Value> = self
                    .channels
                    .values()
                    .map(|c| self.channel_json(c))
                    .collect();
                Ok(Reply::ok(json!(list)))
            }
            ("POST", ["guilds", g, "channels"]) => {
                check_guild(g)?;
                self.create_channel(r.body())
            }
            ("GET", ["guilds", g, "members", user]) => {
                check_guild(g)?;
                self.member_json(parse_id(user)?, true)
                    .map(Reply::ok)
                    .ok_or_else(|| Reply::unknown("Member", 10007))
            }
            ("GET", ["guilds", g, "roles"]) => {
                check_guild(g)?;
                let list: Vec<Value> = self.roles.iter().map(|role| self.role_json(role)).collect();
                Ok(Reply::ok(json!(list)))
            }
            ("GET", ["channels", c]) => {
                let c = self.existing_channel(c)?;
                Ok(Reply::ok(self.channel_json(&self.channels[&c])))
            }
            ("PATCH", ["channels", c]) => {
                let c = self.existing_channel(c)?;
                self.modify_channel(c, r.body())
            }
            ("DELETE", ["channels", c]) => {
                let c = self.existing_channel(c)?;
                let channel = self.channels.remove(&c).expect("checked above");
                let v = self.channel_json(&channel);
                self.dispatch("CHANNEL_DELETE", v.clone());
                Ok(Reply::ok(v))
            }
            ("PUT", ["channels", c, "permissions", target]) => {
                let c = self.existing_channel(c)?;
                let mut body = r.body().clone();
                body["id"] = json!(target);
                let overwrite = parse_overwrites(&json!([body]))?.remove(0);
                let channel = self.channels.get_mut(&c).expect("checked above");
                channel.overwrites.retain(|o| o.id != overwrite.id);
                channel.overwrites.push(overwrite);
                self.dispatch_channel_update(c);
                Ok(Reply::no_content())
            }
            ("DELETE", ["channels", c, "permissions", target]) => {
                let c = self.existing_channel(c)?;
                let target = parse_id(target)?;
                let channel = self.channels.get_mut(&c).expect("checked above");
                channel.overwrites.retain(|o| o.id != target);
                self.dispatch_channel_update(c);
                Ok(Reply::no_content())
            }
            ("GET", ["channels", c, "messages"]) => {
                let c = self.existing_channel(c)?;
                self.list_messages(c, r)
            }
            ("POST", ["channels", c, "messages"]) => {
                let c = self.existing_channel(c)?;
                if self.channels[&c].kind != CHANNEL_TEXT {
                    return Err(Reply::error(
                        400,
                        50008,
                        "Cannot send messages in a non-text channel",
                    ));
                }
                let mut msg = self.new_message(c, self.bot_user_id, 0);
                self.apply_message_body(&mut msg, r, false)?;
                msg.flags &= !FLAG_EPHEMERAL; // only interaction replies can be ephemeral
                let v = self.message_json(&msg);
                self.post_message(msg);
                Ok(Reply::ok(v))
            }
            ("GET", ["channels", c, "messages", id]) => {
                let c = self.existing_channel(c)?;
                let msg = self.channel_message(c, id)?;
                Ok(Reply::ok(self.message_json(msg)))
            }
            ("PATCH", ["channels", c, "messages", id]) => {
                let c = self.existing_channel(c)?;
                let msg = self.channel_message(c, id)?;
                if msg.author_id != self.bot_user_id {
                    return Err(Reply::error(
                        403,
                        50005,
                        "Cannot edit a message authored by another user",
                    ));
                }
                let id = msg.id;
                self.edit_message_from_request(id, r)
            }
            ("DELETE", ["channels", c, "messages", id]) => {
                let c = self.existing_channel(c)?;
                let id = self.channel_message(c, id)?.id;
                self.remove_message(id);
                Ok(Reply::no_content())
            }
            ("POST", ["channels", c, "typing"]) => {
                self.existing_channel(c)?;
                Ok(Reply::no_content())
            }
            _ => Err(Reply::error(404, 0, "404: Not Found")),
        }
    }

    fn ws_url(&self) -> String {
        self.base_url.replacen("http://", "ws://", 1)
    }

    fn existing_channel(&self, id: &str) -> Result<u64, Reply> {
        let id = parse_id(id)?;
        if self.channels.contains_key(&id) {
            Ok(id)
        } else {
            Err(Reply::unknown("Channel", 10003))
        }
    }

    fn channel_message(&self, channel: u64, id: &str) -> Result<&MessageState, Reply> {
        let id = parse_id(id)?;
        self.messages
            .get(&channel)
            .and_then(|h| h.iter().find(|m| m.id == id))
            .ok_or_else(|| Reply::unknown("Message", 10008))
    }

    /// Discord's CDN: a signed URL until it expires; the files of a deleted channel are gone.
    fn get_attachment(&self, channel: u64, id: u64, query: &str) -> Handled {
        let not_found = || Reply::error(404, 0, "404: Not Found");
        let named = self
            .messages
            .get(&channel)
            .into_iter()
            .flatten()
            .flat_map(|m| &m.attachments)
            .find(|a| a.id == id)
            .and_then(|a| self.refused_attachment_names.get(&a.filename));
        if let Some(&status) = named {
            return Err(Reply::error(status, 0, &format!("{status}: refused")));
        }
        let channel_exists =
            self.channels.contains_key(&channel) || self.dm_channels.contains_key(&channel);
        if !channel_exists
            || self.expired_attachments.contains(&id)
            || !super::model::cdn_signature_valid(query, channel, id)
        {
            return Err(not_found());
        }
        let found = self
            .messages
            .get(&channel)
            .into_iter()
            .flatten()
            .chain(self.ephemeral.values())
            .flat_map(|m| &m.attachments)
            .find(|a| a.id == id);
        let a = found.ok_or_else(|| Reply::error(404, 0, "404: Not Found"))?;
        let content_type = a
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        Ok(Reply {
            status: 200,
            headers: Vec::new(),
            body: ReplyBody::Bytes(a.data.clone(), content_type),
        })
    }

    // ------------------------------------------------------------ commands

    fn commands_for(&self, guild: Option<u64>) -> Vec<Value> {
        let guild = guild.map(|g| g.to_string());
        self.commands
            .iter()
            .filter(|c| c["guild_id"].as_str() == guild.as_deref())
            .cloned()
            .collect()
    }

    fn overwrite_commands(&mut self, guild: Option<u64>, body: &Value) -> Handled {
        let Some(list) = body.as_array() else {
            return Err(Reply::invalid_form(
                "_root",
                "LIST_TYPE_CONVERT",
                "Must be an array.",
            ));
        };
        let existing = self.commands_for(guild);
        let mut created = Vec::new();
        for c in list {
            let name = c["name"].as_str().unwrap_or("");
            let kind = c["type"].as_u64().unwrap_or(1);
            let description = c["description"].as_str().unwrap_or("");
            let valid_name = (1..=32).contains(&name.chars().count())
                && (kind != 1
                    || name.chars().all(|ch| {
                        ch.is_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_'
                    }));
            if !valid_name {
                return Err(Reply::invalid_form(
                    "name",
                    "APPLICATION_COMMAND_INVALID_NAME",
                    "Command name is invalid",
                ));
            }
            if kind == 1 && !(1..=100).contains(&description.chars().count()) {
                return Err(Reply::invalid_form(
                    "description",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                ));
            }
            let id = existing
                .iter()
                .find(|e| e["name"] == name && e["type"] == kind)
                .and_then(|e| snowflake(&e["id"]))
                .unwrap_or_else(|| self.next_id());
            let mut out = json!({
                "id": id.to_string(),
                "application_id": self.application_id.to_string(),
                "version": self.next_id().to_string(),
                "default_member_permissions": c["default_member_permissions"],
                "type": kind,
                "name": name,
                "name_localizations": c["name_localizations"],
                "description": description,
                "description_localizations": c["description_localizations"],
                "nsfw": c["nsfw"].as_bool().unwrap_or(false),
                "contexts": c["contexts"],
                "integration_types": c.get("integration_types").cloned().unwrap_or(json!([0])),
            });
            if let Some(options) = c.get("options") {
                out["options"] = options.clone();
            }
            match guild {
                Some(g) => out["guild_id"] = json!(g.to_string()),
                None => out["dm_permission"] = json!(c["dm_permission"].as_bool().unwrap_or(true)),
            }
            created.push(out);
        }
        let guild_str = guild.map(|g| g.to_string());
        self.commands
            .retain(|c| c["guild_id"].as_str() != guild_str.as_deref());
        self.commands.extend(created.iter().cloned());
        Ok(Reply::ok(json!(created)))
    }

    // ------------------------------------------------------------ channels

    fn create_channel(&mut self, body: &Value) -> Handled {
        let kind = body["type"].as_u64().unwrap_or(0) as u8;
        if kind != CHANNEL_TEXT && kind != CHANNEL_CATEGORY {
            return Err(Reply::invalid_form(
                "type",
                "BASE_TYPE_CHOICES",
                "The emulator supports text (0) and category (4) channels.",
            ));
        }
        let name = body["name"].as_str().unwrap_or("");
        if !(1..=100).contains(&name.chars().count()) {
            return Err(Reply::invalid_form(
                "name",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            ));
        }
        let parent = self.parent_from_body(&body["parent_id"])?;
        self.check_room_in(parent, None)?;
        let overwrites = match &body["permission_overwrites"] {
            Value::Null => Vec::new(),
            v => parse_overwrites(v)?,
        };
        let id = self.next_id();
        let name = if kind == CHANNEL_TEXT {
            normalize_text_channel_name(name)
        } else {
            name.to_owned()
        };
        self.insert_channel(id, kind, &name, parent);
        let channel = self.channels.get_mut(&id).expect("just inserted");
        channel.overwrites = overwrites;
        channel.topic = body["topic"].as_str().map(str::to_owned);
        channel.nsfw = body["nsfw"].as_bool().unwrap_or(false);
        channel.rate_limit_per_user = body["rate_limit_per_user"].as_u64().unwrap_or(0);
        if let Some(p) = body["position"].as_i64() {
            channel.position = p;
        }
        let v = self.channel_json(&self.channels[&id]);
        self.dispatch("CHANNEL_CREATE", v.clone());
        Ok(Reply::json(201, v))
    }

    fn parent_from_body(&self, v: &Value) -> Result<Option<u64>, Reply> {
        if v.is_null() {
            return Ok(None);
        }
        let id = snowflake(v);
        match id.and_then(|id| self.channels.get(&id)) {
            Some(c) if c.kind == CHANNEL_CATEGORY => Ok(Some(c.id)),
            _ => Err(Reply::invalid_form(
                "parent_id",
                "CHANNEL_PARENT_INVALID",
                "Category does not exist",
            )),
        }
    }

    /// Discord allows 50 channels in a category and answers a create or a move beyond that
    /// with 50035 on `parent_id`. A channel that is already there (`moving`) takes no room.
    fn check_room_in(&self, parent: Option<u64>, moving: Option<u64>) -> Result<(), Reply> {
        let Some(parent) = parent else {
            return Ok(());
        };
        let held = self
            .channels
            .values()
            .filter(|c| c.parent_id == Some(parent))
            .count();
        let already_there = moving
            .and_then(|id| self.channels.get(&id))
            .is_some_and(|c| c.parent_id == Some(parent));
        if held >= CATEGORY_MAX_CHANNELS && !already_there {
            return Err(Reply::invalid_form(
                "parent_id",
                "CHANNEL_PARENT_MAX_CHANNELS",
                "Maximum number of channels in category reached (50)",
            ));
        }
        Ok(())
    }

    fn modify_channel(&mut self, id: u64, body: &Value) -> Handled {
        let Some(fields) = body.as_object() else {
            return Err(Reply::invalid_form(
                "_root",
                "DICT_TYPE_CONVERT",
                "Must be an object.",
            ));
        };
        let parent = match fields.get("parent_id") {
            Some(v) => Some(self.parent_from_body(v)?),
            None => None,
        };
        if let Some(parent) = parent {
            self.check_room_in(parent, Some(id))?;
        }
        let overwrites = match fields.get("permission_overwrites") {
            Some(v) => Some(parse_overwrites(v)?),
            None => None,
        };
        let lock = fields.get("lock_permissions").and_then(Value::as_bool) == Some(true);
        let parent_overwrites = parent
            .flatten()
            .and_then(|p| self.channels.get(&p))
            .map(|p| p.overwrites.clone());
        self.check_rename_limit(id, fields.get("name").and_then(Value::as_str))?;
        let channel = self.channels.get_mut(&id).expect("caller checked");
        if let Some(name) = fields.get("name").and_then(Value::as_str) {
            if !(1..=100).contains(&name.chars().count()) {
                return Err(Reply::invalid_form(
                    "name",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                ));
            }
            channel.name = if channel.kind == CHANNEL_TEXT {
                normalize_text_channel_name(name)
            } else {
                name.to_owned()
            };
        }
        if let Some(topic) = fields.get("topic") {
            channel.topic = topic.as_str().map(str::to_owned);
        }
        if let Some(p) = fields.get("position").and_then(Value::as_i64) {
            channel.position = p;
        }
        if let Some(nsfw) = fields.get("nsfw").and_then(Value::as_bool) {
            channel.nsfw = nsfw;
        }
        if let Some(rl) = fields.get("rate_limit_per_user").and_then(Value::as_u64) {
            channel.rate_limit_per_user = rl;
        }
        if let Some(parent) = parent {
            channel.parent_id = parent;
            if lock && let Some(ow) = parent_overwrites {
                channel.overwrites = ow;
            }
        }
        if let Some(ow) = overwrites {
            channel.overwrites = ow;
        }
        let v = self.channel_json(&self.channels[&id]);
        self.dispatch("CHANNEL_UPDATE", v.clone());
        Ok(Reply::ok(v))
    }

    /// Discord allows [`RENAMES_PER_WINDOW`] name changes of a channel per window (a PATCH
    /// that keeps the name does not count) and refuses the whole PATCH beyond that.
    fn check_rename_limit(&mut self, id: u64, name: Option<&str>) -> Result<(), Reply> {
        let Some(name) = name else {
            return Ok(());
        };
        let channel = &self.channels[&id];
        let new_name = if channel.kind == CHANNEL_TEXT {
            normalize_text_channel_name(name)
        } else {
            name.to_owned()
        };
        if new_name == channel.name {
            return Ok(());
        }
        let (now, window) = (std::time::Instant::now(), self.rename_window);
        let times = self.renames.entry(id).or_default();
        times.retain(|at| now.duration_since(*at) < window);
        if times.len() >= RENAMES_PER_WINDOW {
            let oldest = times[0];
            return Err(Reply::rename_limited(window - now.duration_since(oldest)));
        }
        times.push(now);
        Ok(())
    }

    fn dispatch_channel_update(&mut self, id: u64) {
        let v = self.channel_json(&self.channels[&id]);
        self.dispatch("CHANNEL_UPDATE", v);
    }

    // ------------------------------------------------------------ messages

    /// `GET /channels/{id}/messages`: newest first, like Discord.
    fn list_messages(&self, channel: u64, r: &Incoming) -> Handled {
        let limit = match r.query_param("limit") {
            None => 50,
            Some(l) => match l.parse::<usize>() {
                Ok(l) if (1..=100).contains(&l) => l,
                _ => {
                    return Err(Reply::invalid_form(
                        "limit",
                        "NUMBER_TYPE_MAX",
                        "int value should be between 1 and 100.",
                    ));
                }
            },
        };
        let param = |key| -> Result<Option<u64>, Reply> {
            r.query_param(key).map(|v| parse_id(&v)).transpose()
        };
        let history: &[MessageState] = self.messages.get(&channel).map_or(&[], Vec::as_slice);
        // Oldest-first slice of what to return.
        let picked: Vec<&MessageState> = if let Some(after) = param("after")? {
            history
                .iter()
                .filter(|m| m.id > after)
                .take(limit)
                .collect()
        } else if let Some(around) = param("around")? {
            let older: Vec<_> = history.iter().filter(|m| m.id < around).collect();
            let newer: Vec<_> = history.iter().filter(|m| m.id >= around).collect();
            let take_newer = newer.len().min(limit.div_ceil(2));
            let take_older = older.len().min(limit - take_newer);
            older[older.len() - take_older..]
                .iter()
                .chain(&newer[..take_newer])
                .copied()
                .collect()
        } else {
            let before = param("before")?.unwrap_or(u64::MAX);
            let older: Vec<_> = history.iter().filter(|m| m.id < before).collect();
            older[older.len().saturating_sub(limit)..].to_vec()
        };
        let list: Vec<Value> = picked.iter().rev().map(|m| self.message_json(m)).collect();
        Ok(Reply::ok(json!(list)))
    }

    /// A blank message stamped with a fresh id and the current time.
    pub fn new_message(&mut self, channel_id: u64, author_id: u64, kind: u8) -> MessageState {
        let id = self.next_id();
        MessageState {
            id,
            channel_id,
            author_id,
            kind,
            content: String::new(),
            embeds: Vec::new(),
            components: Vec::new(),
            attachments: Vec::new(),
            flags: 0,
            timestamp: snowflake_timestamp(id),
            edited_timestamp: None,
            mentions: Vec::new(),
            mention_roles: Vec::new(),
            mention_everyone: false,
            referenced_message_id: None,
            webhook_id: None,
            application_id: None,
            interaction: None,
        }
    }

    /// Applies a create (`editing == false`) or edit body to `msg`: content,
    /// embeds, components, flags, uploaded files, mentions, reply reference.
    fn apply_message_body(
        &mut self,
        msg: &mut MessageState,
        r: &Incoming,
        editing: bool,
    ) -> Result<(), Reply> {
        let body = r.body();
        let files_only = body.is_null() && !r.uploads.is_empty();
        if !body.is_object() && !files_only {
            return Err(Reply::error(
                400,
                50109,
                "The request body contains invalid JSON.",
            ));
        }
        if let Some(content) = body.get("content") {
            let content = content.as_str().unwrap_or("");
            if content.chars().count() > limits::CONTENT {
                return Err(Reply::form_errors(
                    json!({"content": limits::too_long(limits::CONTENT)}),
                ));
            }
            msg.content = content.to_owned();
        }
        if let Some(embeds) = body.get("embeds") {
            msg.embeds = normalize_embeds(embeds)?;
        }
        if let Some(components) = body.get("components") {
            msg.components = normalize_components(components)?;
        }
        if !editing {
            let flags = body["flags"].as_u64().unwrap_or(0);
            // SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2
            msg.flags = flags & (4 | FLAG_EPHEMERAL | 4096 | 32768);
            if let Some(reference) = snowflake(&body["message_reference"]["message_id"]) {
                msg.referenced_message_id = Some(reference);
                msg.kind = 19;
            }
        }
        self.apply_attachments(msg, r);
        self.apply_mentions(msg, &body["allowed_mentions"]);
        let empty = msg.content.is_empty()
            && msg.embeds.is_empty()
            && msg.components.is_empty()
            && msg.attachments.is_empty();
        if empty {
            return Err(Reply::error(400, 50006, "Cannot send an empty message"));
        }
        Ok(())
    }

    /// Uploaded files become attachments; on edit, `attachments: [{id}]` lists
    /// the existing attachments to keep.
    fn apply_attachments(&mut self, msg: &mut MessageState, r: &Incoming) {
        let meta = r.body()["attachments"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if r.body().get("attachments").is_some() {
            let keep: Vec<u64> = meta.iter().filter_map(|a| snowflake(&a["id"])).collect();
            msg.attachments.retain(|a| keep.contains(&a.id));
        }
        for (index, upload) in r.uploads.iter().enumerate() {
            // twilight names the parts `files[<attachment id>]`.
            let key = upload
                .field
                .strip_prefix("files[")
                .and_then(|s| s.strip_suffix(']'))
                .map_or(index.to_string(), str::to_owned);
            let info = meta
                .iter()
                .find(|a| snowflake(&a["id"]).map(|id| id.to_string()) == Some(key.clone()));
            let filename = info
                .and_then(|a| a["filename"].as_str())
                .unwrap_or(&upload.filename)
                .to_owned();
            let id = self.next_id();
            msg.attachments.push(AttachmentState {
                id,
                filename,
                description: info
                    .and_then(|a| a["description"].as_str())
                    .map(str::to_owned),
                content_type: upload.content_type.clone(),
                data: upload.data.clone(),
            });
        }
    }

    fn apply_mentions(&self, msg: &mut MessageState, allowed: &Value) {
        let (users, roles) = parse_mentions(&msg.content);
        let parse: Vec<&str> = allowed["parse"]
            .as_array()
            .map(|p| p.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let listed = |key: &str, id: u64| {
            allowed[key]
                .as_array()
                .is_some_and(|l| l.iter().any(|v| snowflake(v) == Some(id)))
        };
        let unrestricted = allowed.is_null();
        msg.mentions = users
            .into_iter()
            .filter(|id| self.users.contains_key(id))
            .filter(|id| unrestricted || parse.contains(&"users") || listed("users", *id))
            .collect();
        msg.mention_roles = roles
            .into_iter()
            .filter(|id| self.roles.iter().any(|r| r.id == *id))
            .filter(|id| unrestricted || parse.contains(&"roles") || listed("roles", *id))
            .collect();
        msg.mention_everyone = (msg.content.contains("@everyone") || msg.content.contains("@here"))
            && (unrestricted || parse.contains(&"everyone"));
    }

    /// Stores a new message and tells the bot (ephemeral ones stay private).
    pub fn post_message(&mut self, msg: MessageState) {
        if msg.is_ephemeral() {
            self.ephemeral.insert(msg.id, msg);
            return;
        }
        if let Some(c) = self.channels.get_mut(&msg.channel_id) {
            c.last_message_id = Some(msg.id);
        }
        let event = self.message_event_json(&msg);
        self.messages.entry(msg.channel_id).or_default().push(msg);
        self.dispatch("MESSAGE_CREATE", event);
    }

    /// Applies an edit body to a stored message and dispatches MESSAGE_UPDATE.
    fn edit_message_from_request(&mut self, id: u64, r: &Incoming) -> Handled {
        let mut msg = self
            .message(id)
            .cloned()
            .ok_or_else(|| Reply::unknown("Message", 10008))?;
        self.apply_message_body(&mut msg, r, true)?;
        msg.flags &= !FLAG_LOADING;
        msg.edited_timestamp = Some(now_timestamp());
        let v = self.message_json(&msg);
        self.replace_message(msg);
        Ok(Reply::ok(v))
    }

    pub fn replace_message(&mut self, msg: MessageState) {
        let ephemeral = msg.is_ephemeral();
        let event = self.message_event_json(&msg);
        if let Some(slot) = self.message_mut(msg.id) {
            *slot = msg;
        }
        if !ephemeral {
            self.dispatch("MESSAGE_UPDATE", event);
        }
    }

    pub fn remove_message(&mut self, id: u64) {
        if self.ephemeral.remove(&id).is_some() {
            return;
        }
        for (channel, history) in self.messages.iter_mut() {
            if let Some(pos) = history.iter().position(|m| m.id == id) {
                history.remove(pos);
                let event = json!({"id": id.to_string(), "channel_id": channel.to_string(),
                                   "guild_id": self.spec.guild_id.to_string()});
                self.dispatch("MESSAGE_DELETE", event);
                return;
            }
        }
    }

    // -------------------------------------------------------- interactions

    fn interaction_callback(&mut self, id: u64, token: &str, r: &Incoming) -> Handled {
        let ix = match self.interactions.get(token) {
            Some(ix) if ix.id == id => ix.clone(),
            _ => return Err(Reply::unknown("interaction", 10062)),
        };
        if ix.response_type.is_some() {
            return Err(Reply::error(
                400,
                40060,
                "Interaction has already been acknowledged.",
            ));
        }
        let body = r.body();
        let kind = body["type"].as_u64().unwrap_or(0) as u8;
        let data = &body["data"];
        let is_component = ix.kind == 3;
        // An autocomplete request takes only choices (8); choices answer nothing else.
        if (ix.kind == 4) != (kind == 8) {
            return Err(Reply::error(
                400,
                40043,
                "Interaction callback type is invalid for this interaction.",
            ));
        }
        if kind == 8 {
            let choices = data["choices"].as_array().map_or(0, Vec::len);
            if choices > 25 {
                return Err(Reply::invalid_form(
                    "data.choices",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 25 or fewer in length.",
                ));
            }
        }
        let mut original = ix.original_message_id;
        let mut resource_message = None;
        match kind {
            // CHANNEL_MESSAGE_WITH_SOURCE / DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
            4 | 5 => {
                let msg_kind = if is_component { 19 } else { 20 };
                let mut msg = self.new_message(ix.channel_id, self.bot_user_id, msg_kind);
                if kind == 4 {
                    let data = if data.is_null() {
                        json!({})
                    } else {
                        data.clone()
                    };
                    let data_request = Incoming {
                        json: Some(data),
                        uploads: r.uploads.clone(),
                        ..Incoming::empty()
                    };
                    self.apply_message_body(&mut msg, &data_request, false)?;
                } else {
                    // "Bot is thinking...": empty until the bot edits @original.
                    msg.flags =
                        FLAG_LOADING | (data["flags"].as_u64().unwrap_or(0) & FLAG_EPHEMERAL);
                }
                self.mark_interaction_reply(&mut msg, &ix);
                // A reply to a button click shows as a reply to its message.
                msg.referenced_message_id = ix.source_message_id;
                original = Some(msg.id);
                resource_message = Some(self.message_json(&msg));
                self.post_message(msg);
            }
            // DEFERRED_UPDATE_MESSAGE / UPDATE_MESSAGE: only for components.
            6 | 7 if is_component => {
                original = ix.source_message_id;
                if kind == 7 {
                    let source = ix
                        .source_message_id
                        .expect("component interactions have a message");
                    let data_request = Incoming {
                        json: Some(data.clone()),
                        uploads: r.uploads.clone(),
                        ..Incoming::empty()
                    };
                    let v = self.edit_message_from_request(source, &data_request)?;
                    resource_message = v.json_value();
                }
            }
            // MODAL: kept for the test to submit.
            9 => {
                self.check_modal(&ix, data)?;
                self.modals.insert(token.to_owned(), data.clone());
            }
            // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT / LAUNCH_ACTIVITY
            8 | 12 => {}
            _ => {
                return Err(Reply::error(
                    400,
                    40043,
                    "Interaction callback type is invalid for this interaction.",
                ));
            }
        }
        let stored = self.interactions.get_mut(token).expect("looked up above");
        stored.response_type = Some(kind);
        stored.original_message_id = original;

        if r.query_param("with_response").as_deref() == Some("true") {
            let ephemeral = resource_message
                .as_ref()
                .map(|m| m["flags"].as_u64().unwrap_or(0) & FLAG_EPHEMERAL != 0);
            let mut interaction = json!({"id": ix.id.to_string(), "type": ix.kind});
            if let Some(m) = &resource_message {
                interaction["response_message_id"] = m["id"].clone();
                interaction["response_message_loading"] = json!(kind == 5);
                interaction["response_message_ephemeral"] = json!(ephemeral);
            }
            let mut resource = json!({"type": kind});
            if let Some(m) = resource_message {
                resource["message"] = m;
            }
            return Ok(Reply::ok(
                json!({"interaction": interaction, "resource": resource}),
            ));
        }
        Ok(Reply::no_content())
    }

    fn mark_interaction_reply(&self, msg: &mut MessageState, ix: &InteractionState) {
        msg.webhook_id = Some(self.application_id);
        msg.application_id = Some(self.application_id);
        msg.interaction = Some(MessageInteraction {
            id: ix.id,
            kind: ix.kind,
            user_id: ix.user_id,
            command_name: ix.command_name.clone(),
            source_message_id: ix.source_message_id,
        });
    }

    /// `/webhooks/{app}/{token}[/messages/{id|@original}]` with an interaction token.
    fn webhook(
        &mut self,
        method: &str,
        app: u64,
        token: &str,
        rest: &[&str],
        r: &Incoming,
    ) -> Handled {
        let ix = match self.interactions.get(token) {
            Some(ix) if app == self.application_id && ix.response_type.is_some() => ix.clone(),
            _ => return Err(Reply::unknown("Webhook", 10015)),
        };
        let target = match rest {
            [] if method == "POST" => return self.followup(&ix, r),
            ["messages", "@original"] => ix
                .original_message_id
                .ok_or_else(|| Reply::unknown("Message", 10008))?,
            ["messages", id] => parse_id(id)?,
            _ => return Err(Reply::error(404, 0, "404: Not Found")),
        };
        let belongs = self
            .message(target)
            .and_then(|m| m.interaction.as_ref().map(|i| i.id))
            .is_some_and(|i| i == ix.id)
            || Some(target) == ix.source_message_id;
        if !belongs {
            return Err(Reply::unknown("Message", 10008));
        }
        match method {
            "GET" => Ok(Reply::ok(
                self.message_json(self.message(target).expect("checked")),
            )),
            "PATCH" => self.edit_message_from_request(target, r),
            "DELETE" => {
                self.remove_message(target);
                Ok(Reply::no_content())
            }
            _ => Err(Reply::error(405, 0, "405: Method Not Allowed")),
        }
    }

    /// A follow-up message. After a deferred reply, the first follow-up
    /// replaces the "thinking" message, as on Discord.
    fn followup(&mut self, ix: &InteractionState, r: &Incoming) -> Handled {
        let loading_original = ix.original_message_id.filter(|id| {
            self.message(*id)
                .is_some_and(|m| m.flags & FLAG_LOADING != 0)
        });
        if let Some(original) = loading_original {
            return self.edit_message_from_request(original, r);
        }
        let mut msg = self.new_message(ix.channel_id, self.bot_user_id, 0);
        self.apply_message_body(&mut msg, r, false)?;
        self.mark_interaction_reply(&mut msg, ix);
        let v = self.message_json(&msg);
        self.post_message(msg);
        Ok(Reply::ok(v))
    }

    // -------------------------------------------------------------- OAuth2

    fn oauth_authorize(&mut self, r: &Incoming) -> Handled {
        let param = |k| r.query_param(k);
        if param("client_id") != Some(self.application_id.to_string()) {
            return Err(Reply::error(400, 50035, "Invalid client_id"));
        }
        let redirect_uri = param("redirect_uri").unwrap_or_default();
        let Ok(mut location) = url::Url::parse(&redirect_uri) else {
            return Err(Reply::error(400, 50035, "Invalid OAuth2 redirect_uri"));
        };
        if param("response_type").as_deref() != Some("code") {
            return Err(Reply::error(400, 50035, "Invalid response_type"));
        }
        {
            let mut pairs = location.query_pairs_mut();
            match self.oauth.user {
                Some(user_id) => {
                    let code = self.next_token("emu_code_");
                    self.oauth.codes.insert(
                        code.clone(),
                        Grant {
                            user_id,
                            redirect_uri: redirect_uri.clone(),
                            code_challenge: param("code_challenge"),
                            challenge_method: param("code_challenge_method")
                                .unwrap_or_else(|| "plain".into()),
                            scope: param("scope").unwrap_or_else(|| "identify".into()),
                        },
                    );
                    pairs.append_pair("code", &code);
                }
                None => {
                    pairs.append_pair("error", "access_denied");
                    pairs.append_pair(
                        "error_description",
                        "The resource owner or authorization server denied the request",
                    );
                }
            }
            if let Some(state) = param("state") {
                pairs.append_pair("state", &state);
            }
        }
        Ok(Reply::redirect(location.to_string()))
    }

    /// Client credentials from HTTP Basic or from the form.
    fn oauth_client(&self, r: &Incoming) -> Option<(String, String)> {
        if let Some(basic) = r
            .authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Basic "))
        {
            let decoded = STANDARD.decode(basic.trim()).ok()?;
            let decoded = String::from_utf8(decoded).ok()?;
            let (id, secret) = decoded.split_once(':')?;
            let unescape = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            };
            return Some((unescape(id)?, unescape(secret)?));
        }
        Some((
            r.form("client_id")?.to_owned(),
            r.form("client_secret")?.to_owned(),
        ))
    }

    fn oauth_token(&mut self, r: &Incoming) -> Handled {
        let client_ok = self.oauth_client(r).is_some_and(|(id, secret)| {
            id == self.application_id.to_string() && secret == self.client_secret
        });
        if !client_ok {
            return Err(Reply::oauth_error(401, "invalid_client", "Invalid client"));
        }
        let (user_id, scope) = match r.form("grant_type") {
            Some("authorization_code") => {
                let code = r.form("code").unwrap_or("");
                // Codes are single use, even when the exchange fails.
                let grant = self.oauth.codes.remove(code).ok_or_else(|| {
                    Reply::oauth_error(400, "invalid_grant", "Invalid \"code\" in request.")
                })?;
                if r.form("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                    return Err(Reply::oauth_error(
                        400,
                        "invalid_grant",
                        "Invalid \"redirect_uri\" in request.",
                    ));
                }
                if let Some(challenge) = &grant.code_challenge {
                    let verifier = r.form("code_verifier").unwrap_or("");
                    let computed = if grant.challenge_method == "S256" {
                        pkce_s256(verifier)
                    } else {
                        verifier.to_owned()
                    };
                    if &computed != challenge {
                        return Err(Reply::oauth_error(
                            400,
                            "invalid_grant",
                            "Invalid \"code_verifier\" in request.",
                        ));
                    }
                }
                (grant.user_id, grant.scope)
            }
            Some("refresh_token") => self
                .oauth
                .refresh_tokens
                .remove(r.form("refresh_token").unwrap_or(""))
                .ok_or_else(|| {
                    Reply::oauth_error(
                        400,
                        "invalid_grant",
                        "Invalid \"refresh_token\" in request.",
                    )
                })?,
            _ => {
                return Err(Reply::oauth_error(
                    400,
                    "unsupported_grant_type",
                    "Unsupported grant type",
                ));
            }
        };
        let access = self.next_token("emu_access_");
        let refresh = self.next_token("emu_refresh_");
        self.oauth.access_tokens.insert(access.clone(), user_id);
        self.oauth
            .refresh_tokens
            .insert(refresh.clone(), (user_id, scope.clone()));
        Ok(Reply::ok(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 604_800,
            "refresh_token": refresh,
            "scope": scope,
        })))
    }

    /// `/users/@me`: the bot for a Bot token, the OAuth2 user for a Bearer token.
    /// `GET /applications/@me` as Discord answers the bot's owner application.
    fn application_json(&self) -> Value {
        json!({
            "id": self.application_id.to_string(),
            "name": "TicketBot",
            "icon": null,
            "description": "",
            "summary": "",
            "type": null,
            "bot_public": false,
            "bot_require_code_grant": false,
            "verify_key": "0f5e6a3c0b7e4c1f9a2d8e7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d",
            "flags": self.app_flags,
            "team": null,
            "redirect_uris": self.redirect_uris,
            "rpc_origins": [],
            "bot": self.current_user_json(),
        })
    }

    fn current_user(&self, r: &Incoming) -> Handled {
        if self.bot_authorized(r) {
            return Ok(Reply::ok(self.current_user_json()));
        }
        let bearer = r
            .authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "));
        match bearer.and_then(|t| self.oauth.access_tokens.get(t)) {
            Some(&user_id) => {
                let mut v = self.user_json(user_id);
                v["locale"] = json!("en-US");
                v["mfa_enabled"] = json!(false);
                v["premium_type"] = json!(0);
                Ok(Reply::ok(v))
            }
            None => Err(Reply::error(401, 0, "401: Unauthorized")),
        }
    }
}

impl Incoming {
    fn empty() -> Incoming {
        Incoming {
            method: String::new(),
            path: String::new(),
            query: String::new(),
            authorization: None,
            json: None,
            uploads: Vec::new(),
            body_error: None,
        }
    }
}
