//! The gateway: a websocket speaking Discord's JSON protocol (no compression).
//!
//! One connection task per websocket. Outgoing frames go through an unbounded
//! channel so that model code (which runs under the emulator's mutex and is
//! synchronous) can dispatch events without awaiting.
//!
//! Sessions: IDENTIFY creates a session and makes it the *current* one; every
//! dispatch goes to the current session, gets the next sequence number and is
//! kept in the session's buffer. RESUME re-attaches a connection to its
//! session and replays everything after the client's last sequence, then
//! sends RESUMED. Events dispatched while no connection is attached stay in
//! the buffer and are delivered on RESUME; if the bot re-IDENTIFIES instead,
//! it gets a new session and those events are lost, exactly as on Discord.
//! Events dispatched before the bot ever identified go nowhere.
//!
//! Intents are honoured: CHANNEL_* need GUILDS, MESSAGE_* need GUILD_MESSAGES,
//! and without MESSAGE_CONTENT the content, embeds, attachments and components
//! of other users' messages are blanked (unless they mention the bot).

use super::Inner;
use super::model::Model;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};

pub const HEARTBEAT_INTERVAL_MS: u64 = 41_250;

const INTENT_GUILDS: u64 = 1;
const INTENT_GUILD_MESSAGES: u64 = 1 << 9;
const INTENT_MESSAGE_CONTENT: u64 = 1 << 15;

/// A frame for a connection's writer.
pub enum Out {
    Text(String),
    /// Send a close frame with this code and reason, then hang up.
    Close(u16, &'static str),
}

struct Connection {
    tx: mpsc::UnboundedSender<Out>,
    /// Notified to drop the socket without a close frame.
    kill: Arc<Notify>,
    session: Option<String>,
}

struct Session {
    intents: u64,
    seq: u64,
    /// Every dispatch of this session as (sequence, frame), for RESUME.
    buffer: Vec<(u64, String)>,
    /// The connection receiving this session's dispatches, if any.
    connection: Option<u64>,
}

#[derive(Default)]
pub struct Gateway {
    connections: HashMap<u64, Connection>,
    next_connection: u64,
    sessions: HashMap<String, Session>,
    current: Option<String>,
    pub identify_count: usize,
    pub resume_count: usize,
    /// Websockets opened so far (each one a connection attempt of the bot).
    pub connection_count: usize,
    /// When set, every IDENTIFY and RESUME is answered with this close frame instead of a
    /// session, the way Discord refuses a bad token or disallowed intents, or (4000) sheds
    /// clients in an outage.
    pub refuse_with: Option<(u16, &'static str)>,
    /// Every dispatch (event name, data) in order, across sessions.
    pub log: Vec<(String, Value)>,
}

impl Gateway {
    /// True once READY/RESUMED was sent on a live connection of the current session.
    pub fn is_connected(&self) -> bool {
        self.current
            .as_ref()
            .and_then(|id| self.sessions.get(id))
            .is_some_and(|s| s.connection.is_some())
    }

    pub fn has_session(&self) -> bool {
        self.current.is_some()
    }

    /// Drops every open websocket abruptly (no close frame), keeping sessions.
    pub fn drop_connections(&mut self) {
        for (_, conn) in self.connections.drain() {
            conn.kill.notify_one();
        }
        for session in self.sessions.values_mut() {
            session.connection = None;
        }
    }

    /// Closes every open websocket with a close frame `code`, keeping sessions resumable.
    pub fn close_connections(&mut self, code: u16, reason: &'static str) {
        for (_, conn) in self.connections.drain() {
            let _ = conn.tx.send(Out::Close(code, reason));
        }
        for session in self.sessions.values_mut() {
            session.connection = None;
        }
    }

    fn forget_connection(&mut self, id: u64) {
        self.connections.remove(&id);
        for session in self.sessions.values_mut() {
            if session.connection == Some(id) {
                session.connection = None;
            }
        }
    }

    fn send(&self, connection: u64, out: Out) {
        if let Some(c) = self.connections.get(&connection) {
            // A closed receiver means the connection is going away; the frame
            // stays in the session buffer if it was a dispatch.
            let _ = c.tx.send(out);
        }
    }
}

/// `GET /?v=10&encoding=json` upgrade.
pub async fn ws_handler(State(inner): State<Arc<Inner>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| run_connection(inner, socket))
}

async fn run_connection(inner: Arc<Inner>, socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let kill = Arc::new(Notify::new());
    let id = inner.update(|m| {
        let g = &mut m.gateway;
        g.next_connection += 1;
        g.connection_count += 1;
        let id = g.next_connection;
        let conn = Connection {
            tx: tx.clone(),
            kill: kill.clone(),
            session: None,
        };
        g.connections.insert(id, conn);
        id
    });
    let hello = json!({
        "op": 10, "s": null, "t": null,
        "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": ["[\"emu-gateway\"]"]},
    });
    let _ = tx.send(Out::Text(hello.to_string()));
    drop(tx);

    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            biased;
            _ = kill.notified() => break,
            out = rx.recv() => match out {
                Some(Out::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Out::Close(code, reason)) => {
                    let frame = CloseFrame { code, reason: reason.into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
                None => break,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    inner.update(|m| m.on_gateway_payload(id, text.as_str()));
                }
                Some(Ok(Message::Binary(_))) => inner.update(|m| {
                    m.gateway.send(id, Out::Close(4002, "Error while decoding payload."));
                }),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {} // ping/pong are handled by the websocket layer
            },
        }
    }
    // Dropping both halves closes the TCP connection.
    inner.update(|m| m.gateway.forget_connection(id));
}

impl Model {
    fn on_gateway_payload(&mut self, conn: u64, text: &str) {
        let Ok(payload) = serde_json::from_str::<Value>(text) else {
            self.gateway
                .send(conn, Out::Close(4002, "Error while decoding payload."));
            return;
        };
        match payload["op"].as_u64() {
            Some(1) => {
                let ack = json!({"op": 11, "s": null, "t": null, "d": null});
                self.gateway.send(conn, Out::Text(ack.to_string()));
            }
            Some(2) => self.identify(conn, &payload["d"]),
            Some(6) => self.resume(conn, &payload["d"]),
            // Presence update, voice state, request guild members: accepted, ignored.
            Some(3 | 4 | 8) => {}
            _ => self.gateway.send(conn, Out::Close(4001, "Unknown opcode.")),
        }
    }

    fn token_matches(&self, token: &Value) -> bool {
        let token = token.as_str().unwrap_or("");
        token.strip_prefix("Bot ").unwrap_or(token) == self.bot_token
    }

    /// Answers an IDENTIFY or RESUME with the configured refusal; true if it did.
    fn refused(&mut self, conn: u64) -> bool {
        let Some((code, reason)) = self.gateway.refuse_with else {
            return false;
        };
        self.gateway.send(conn, Out::Close(code, reason));
        true
    }

    fn identify(&mut self, conn: u64, d: &Value) {
        if !self.token_matches(&d["token"]) {
            self.gateway
                .send(conn, Out::Close(4004, "Authentication failed."));
            return;
        }
        if self.refused(conn) {
            return;
        }
        if self
            .gateway
            .connections
            .get(&conn)
            .is_none_or(|c| c.session.is_some())
        {
            self.gateway
                .send(conn, Out::Close(4005, "Already authenticated."));
            return;
        }
        let session_id = self.next_token("");
        let session_id = session_id[session_id.len() - 32..].to_owned();
        let g = &mut self.gateway;
        // One shard: a new session replaces the old one.
        g.sessions.clear();
        g.sessions.insert(
            session_id.clone(),
            Session {
                intents: d["intents"].as_u64().unwrap_or(0),
                seq: 0,
                buffer: Vec::new(),
                connection: Some(conn),
            },
        );
        g.current = Some(session_id.clone());
        if let Some(c) = g.connections.get_mut(&conn) {
            c.session = Some(session_id.clone());
        }
        g.identify_count += 1;
        let ready = json!({
            "v": 10,
            "user": self.current_user_json(),
            "user_settings": {},
            "guilds": [{"id": self.spec.guild_id.to_string(), "unavailable": true}],
            "guild_join_requests": [],
            "relationships": [],
            "private_channels": [],
            "presences": [],
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": self.base_url.replacen("http://", "ws://", 1),
            "shard": [0, 1],
            "application": {"id": self.application_id.to_string(), "flags": 565_248},
            "auth": {},
            "geo_ordered_rtc_regions": ["rotterdam", "madrid"],
            "_trace": ["[\"emu-gateway\",{\"micros\":1}]"],
        });
        self.dispatch("READY", ready);
    }

    fn resume(&mut self, conn: u64, d: &Value) {
        if !self.token_matches(&d["token"]) {
            self.gateway
                .send(conn, Out::Close(4004, "Authentication failed."));
            return;
        }
        if self.refused(conn) {
            return;
        }
        let session_id = d["session_id"].as_str().unwrap_or("").to_owned();
        let last_seq = d["seq"].as_u64().unwrap_or(0);
        let g = &mut self.gateway;
        let Some(session) = g.sessions.get_mut(&session_id) else {
            let invalid = json!({"op": 9, "s": null, "t": null, "d": false});
            g.send(conn, Out::Text(invalid.to_string()));
            return;
        };
        // A stale connection still attached to the session loses it.
        if let Some(old) = session.connection.replace(conn)
            && old != conn
            && let Some(old) = g.connections.remove(&old)
        {
            old.kill.notify_one();
        }
        let replay: Vec<String> = session
            .buffer
            .iter()
            .filter(|(s, _)| *s > last_seq)
            .map(|(_, frame)| frame.clone())
            .collect();
        if let Some(c) = g.connections.get_mut(&conn) {
            c.session = Some(session_id);
        }
        for frame in replay {
            g.send(conn, Out::Text(frame));
        }
        g.resume_count += 1;
        self.dispatch("RESUMED", json!({"_trace": ["[\"emu-gateway\"]"]}));
    }

    /// Sends a dispatch (op 0) to the current session, honouring its intents.
    pub fn dispatch(&mut self, event: &str, data: Value) {
        let bot = self.bot_user_id;
        let g = &mut self.gateway;
        let Some(session) = g.current.as_ref().and_then(|id| g.sessions.get_mut(id)) else {
            return; // the bot never identified: nobody to tell
        };
        let needed = match event {
            e if e.starts_with("CHANNEL_") => INTENT_GUILDS,
            e if e.starts_with("MESSAGE_") => INTENT_GUILD_MESSAGES,
            _ => 0,
        };
        if session.intents & needed != needed {
            return;
        }
        let mut data = data;
        if matches!(event, "MESSAGE_CREATE" | "MESSAGE_UPDATE")
            && session.intents & INTENT_MESSAGE_CONTENT == 0
        {
            redact_content(&mut data, bot);
        }
        session.seq += 1;
        let frame = json!({"op": 0, "s": session.seq, "t": event, "d": data});
        session.buffer.push((session.seq, frame.to_string()));
        if let Some(conn) = session.connection {
            g.send(conn, Out::Text(frame.to_string()));
        }
        g.log.push((event.to_owned(), data));
    }
}

/// What Discord strips from other users' messages without MESSAGE_CONTENT.
fn redact_content(message: &mut Value, bot: u64) {
    let bot = bot.to_string();
    let by_bot = message["author"]["id"].as_str() == Some(bot.as_str());
    let mentions_bot = message["mentions"]
        .as_array()
        .is_some_and(|m| m.iter().any(|u| u["id"].as_str() == Some(bot.as_str())));
    if by_bot || mentions_bot {
        return;
    }
    message["content"] = json!("");
    message["embeds"] = json!([]);
    message["attachments"] = json!([]);
    message["components"] = json!([]);
}
