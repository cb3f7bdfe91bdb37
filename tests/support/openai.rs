//! Loopback stand-ins for the AI secretary's outside services: an OpenAI-compatible
//! `POST /v1/chat/completions` that answers from a per-test script and records every request,
//! and a ban database (`GET /detail/{id}`).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::Notify;

pub const API_KEY: &str = "sk-test-sigrid";

/// One scripted answer of the emulator.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A plain assistant message.
    Text(String),
    /// A `submit_verdict` tool call with these JSON arguments.
    Verdict(Value),
    /// Waits, then answers with the inner reply.
    Delay(Duration, Box<Reply>),
    /// An OpenAI-style error with this HTTP status (401, 429, 500, …).
    Status(u16),
    /// 200 with a body that is not a chat completion.
    Malformed,
}

impl Reply {
    pub fn text(text: &str) -> Self {
        Self::Text(text.to_owned())
    }

    pub fn verdict(ban_id: &str, ban_reason: &str, cooperative: bool, summary: &str) -> Self {
        Self::Verdict(json!({
            "ban_id": ban_id,
            "ban_reason": ban_reason,
            "cooperative": cooperative,
            "summary": summary,
        }))
    }

    pub fn slow(delay: Duration, reply: Reply) -> Self {
        Self::Delay(delay, Box::new(reply))
    }
}

type Script = Box<dyn Fn(&Value) -> Reply + Send + Sync>;

struct Inner {
    requests: Vec<Value>,
    queue: VecDeque<Reply>,
    script: Script,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    changed: Arc<Notify>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The OpenAI-compatible emulator. Queued replies are used first, oldest first; when the queue
/// is empty the script closure answers (by default a short friendly text).
pub struct OpenAiEmu {
    addr: SocketAddr,
    shared: Shared,
}

impl OpenAiEmu {
    pub async fn start() -> Self {
        let shared = Shared {
            inner: Arc::new(Mutex::new(Inner {
                requests: Vec::new(),
                queue: VecDeque::new(),
                script: Box::new(|_| Reply::text("Danke, ich habe deine Nachricht erhalten.")),
            })),
            changed: Arc::new(Notify::new()),
            in_flight: Arc::default(),
            most_in_flight: Arc::default(),
        };
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .route("/v1/models/{model}", get(model))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind OpenAI emulator");
        let addr = listener.local_addr().expect("OpenAI emulator address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, shared }
    }

    /// For `OPENAI_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// `OPENAI_API_KEY` and `OPENAI_BASE_URL` for [`super::app::TestBot::start_with`].
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("OPENAI_API_KEY", API_KEY.to_owned()),
            ("OPENAI_BASE_URL", self.base_url()),
        ]
    }

    pub fn push(&self, reply: Reply) {
        self.shared.lock().queue.push_back(reply);
    }

    /// Answers every request the queue does not answer.
    pub fn script(&self, script: impl Fn(&Value) -> Reply + Send + Sync + 'static) {
        self.shared.lock().script = Box::new(script);
    }

    /// The most requests that were in flight at the same time.
    pub fn most_in_flight(&self) -> usize {
        self.shared.most_in_flight.load(Ordering::SeqCst)
    }

    /// Every request body received so far, oldest first.
    pub fn requests(&self) -> Vec<Value> {
        self.shared.lock().requests.clone()
    }

    /// Waits until at least `count` requests arrived; returns them all.
    pub async fn wait_requests(&self, count: usize, timeout: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let requests = self.requests();
            if requests.len() >= count {
                return requests;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!(
                    "expected {count} AI requests, got {}: {requests:#?}",
                    requests.len()
                );
            }
        }
    }
}

/// The texts of `role` messages in a recorded request body, in order.
pub fn texts_of(body: &Value, role: &str) -> Vec<String> {
    body["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .filter(|m| m["role"] == role)
                .filter_map(|m| m["content"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Everything the request showed the model, joined (for "contains" checks).
pub fn all_text(body: &Value) -> String {
    body["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .filter_map(|m| m["content"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

async fn completions(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {API_KEY}"));
    let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let reply = {
        let mut inner = shared.lock();
        inner.requests.push(parsed.clone());
        match inner.queue.pop_front() {
            Some(reply) => reply,
            None => (inner.script)(&parsed),
        }
    };
    shared.changed.notify_waiters();
    if !authorized {
        return error(401, "invalid_api_key");
    }
    let model = parsed["model"].as_str().unwrap_or("gpt-test").to_owned();
    let _counted = InFlight::enter(&shared);
    answer(reply, &model).await
}

/// Counts one request as in flight until dropped (also when the client gives up).
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(shared: &Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.most_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(shared.in_flight.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Models the emulator knows; `GET /v1/models/{other}` is a 404 as at OpenAI.
pub const MODELS: [&str; 4] = ["gpt-3.5-turbo", "gpt-4o-mini", "gpt-4o", "gpt-test"];

/// `GET /v1/models/{model}`: the model's card, or OpenAI's errors for a bad key or model.
async fn model(Path(model): Path<String>, headers: HeaderMap) -> Response {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {API_KEY}"));
    if !authorized {
        return error(401, "invalid_api_key");
    }
    if !MODELS.contains(&model.as_str()) {
        return error(404, "model_not_found");
    }
    axum::Json(
        json!({"id": model, "object": "model", "created": 1_686_935_002, "owned_by": "openai"}),
    )
    .into_response()
}

fn error(status: u16, code: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        axum::Json(json!({
            "error": { "message": format!("emulated {code}"), "type": code, "param": null, "code": code }
        })),
    )
        .into_response()
}

async fn answer(reply: Reply, model: &str) -> Response {
    let mut reply = reply;
    while let Reply::Delay(delay, inner) = reply {
        tokio::time::sleep(delay).await;
        reply = *inner;
    }
    let (message, finish) = match reply {
        Reply::Text(text) => (json!({ "role": "assistant", "content": text }), "stop"),
        Reply::Verdict(arguments) => (
            json!({
                "role": "assistant",
                "content": null,
                "tool_calls": [{
                    "id": "call_verdict",
                    "type": "function",
                    "function": { "name": "submit_verdict", "arguments": arguments.to_string() }
                }]
            }),
            "tool_calls",
        ),
        Reply::Status(status) => return error(status, "emulated_error"),
        Reply::Malformed => {
            return (
                StatusCode::OK,
                [("content-type", "application/json")],
                "{\"choices\": [ {\"message\": ",
            )
                .into_response();
        }
        Reply::Delay(..) => unreachable!("delays are unwrapped above"),
    };
    axum::Json(json!({
        "id": "chatcmpl-emu",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{ "index": 0, "message": message, "finish_reason": finish }],
        "usage": { "prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120 }
    }))
    .into_response()
}

/// A ban database: `GET /detail/{id}` answers `{reason, player_name}` for known ids, 404 else.
pub struct BanEmu {
    addr: SocketAddr,
    lookups: Arc<Mutex<Vec<String>>>,
    /// Evidence image URLs every found record answers with (`attachments`), as the
    /// original's ban database does; none by default.
    attachments: Arc<Mutex<Vec<String>>>,
}

impl BanEmu {
    /// `bans`: `(id, reason, player_name)`.
    pub async fn start(bans: &[(&str, &str, &str)]) -> Self {
        let table: HashMap<String, (String, String)> = bans
            .iter()
            .map(|(id, reason, name)| {
                ((*id).to_owned(), ((*reason).to_owned(), (*name).to_owned()))
            })
            .collect();
        let lookups = Arc::new(Mutex::new(Vec::new()));
        let seen = lookups.clone();
        let attachments: Arc<Mutex<Vec<String>>> = Arc::default();
        let evidence = attachments.clone();
        let app = Router::new().route(
            "/detail/{id}",
            get(move |Path(id): Path<String>| {
                let table = table.clone();
                let seen = seen.clone();
                let evidence = evidence.lock().unwrap_or_else(|e| e.into_inner()).clone();
                async move {
                    seen.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(id.clone());
                    match table.get(&id) {
                        Some((reason, name)) if evidence.is_empty() => axum::Json(json!({
                            "id": id, "reason": reason, "player_name": name
                        }))
                        .into_response(),
                        Some((reason, name)) => axum::Json(json!({
                            "id": id, "reason": reason, "player_name": name,
                            "attachments": evidence,
                        }))
                        .into_response(),
                        None => (
                            StatusCode::NOT_FOUND,
                            axum::Json(json!({"error": "not found"})),
                        )
                            .into_response(),
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind ban emulator");
        let addr = listener.local_addr().expect("ban emulator address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            lookups,
            attachments,
        }
    }

    /// From now on found records carry these evidence image URLs.
    pub fn set_attachments(&self, urls: Vec<String>) {
        *self.attachments.lock().unwrap_or_else(|e| e.into_inner()) = urls;
    }

    /// For `BAN_LOOKUP_URL`.
    pub fn url(&self) -> String {
        format!("http://{}/detail/{{id}}", self.addr)
    }

    /// The ids looked up so far.
    pub fn lookups(&self) -> Vec<String> {
        self.lookups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
