//! A replay gateway: a websocket that speaks just enough of Discord's gateway (HELLO,
//! IDENTIFY → READY, heartbeat ACKs) to hold a twilight shard, then sends dispatch frames
//! serialized before the clock starts, as fast as the socket takes them. The emulator builds
//! and serializes every event while the clock runs, on the same two cores as the bot, and
//! delivers about 20,000 events a second here; the replay shows what the bot itself can take.
//! The frames are MESSAGE_CREATE events as the emulator sends them (one captured from it and
//! patched per message), so the bot parses exactly what it parses in the other scenarios.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Notify, mpsc};
use tokio_tungstenite::tungstenite::Message;

use crate::support::discord::DiscordEmu;

/// Frames waiting for the connected shard.
type Outbox = Arc<Mutex<Option<mpsc::UnboundedReceiver<Vec<String>>>>>;

pub struct ReplayGateway {
    url: String,
    frames: mpsc::UnboundedSender<Vec<String>>,
    identified: Arc<Notify>,
    server: tokio::task::JoinHandle<()>,
}

impl ReplayGateway {
    /// Listens on `127.0.0.1:0`; READY names the emulator's bot user and application.
    pub async fn start(emu: &DiscordEmu) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("ws://{}", listener.local_addr().expect("address"));
        let ready = ready_payload(emu, &url);
        let (frames, outbox) = mpsc::unbounded_channel();
        let outbox: Outbox = Arc::new(Mutex::new(Some(outbox)));
        let identified = Arc::new(Notify::new());
        let signal = identified.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (ready, outbox, signal) = (ready.clone(), outbox.clone(), signal.clone());
                tokio::spawn(async move {
                    if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
                        serve(socket, ready, outbox, signal).await;
                    }
                });
            }
        });
        Self {
            url,
            frames,
            identified,
            server,
        }
    }

    /// `DISCORD_GATEWAY_URL` for the bot.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Resolves once a shard identified (or at once if one did already).
    pub fn identified(&self) -> impl Future<Output = ()> + '_ {
        self.identified.notified()
    }

    /// Sends `frames` to the connected shard, in order, back to back.
    pub fn send(&self, frames: Vec<String>) {
        let _ = self.frames.send(frames);
    }
}

impl Drop for ReplayGateway {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(
    socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    ready: Value,
    outbox: Outbox,
    identified: Arc<Notify>,
) {
    let (mut sink, mut stream) = socket.split();
    let hello = json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": 41_250}});
    if sink.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    let mut seq = 0u64;
    // The first connection that identifies gets the frames; later ones only READY.
    let mut frames: Option<mpsc::UnboundedReceiver<Vec<String>>> = None;
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(Message::Text(text))) = incoming else {
                    match incoming {
                        Some(Ok(_)) => continue,
                        _ => return,
                    }
                };
                let Ok(payload) = serde_json::from_str::<Value>(text.as_str()) else {
                    return;
                };
                let reply = match payload["op"].as_u64() {
                    Some(1) => json!({"op": 11, "s": null, "t": null, "d": null}),
                    Some(2) => {
                        seq += 1;
                        frames = outbox.lock().await.take();
                        identified.notify_one();
                        json!({"op": 0, "s": seq, "t": "READY", "d": ready})
                    }
                    // A resume cannot be served: start a new session.
                    Some(6) => json!({"op": 9, "s": null, "t": null, "d": false}),
                    _ => continue,
                };
                if sink.send(Message::text(reply.to_string())).await.is_err() {
                    return;
                }
            }
            batch = async {
                match frames.as_mut() {
                    Some(queue) => queue.recv().await,
                    None => std::future::pending().await,
                }
            } => {
                let Some(batch) = batch else { return };
                for frame in batch {
                    if sink.feed(Message::text(frame)).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}

fn ready_payload(emu: &DiscordEmu, url: &str) -> Value {
    json!({
        "v": 10,
        "user": {
            "id": emu.bot_user_id().to_string(),
            "username": "TicketBot",
            "global_name": null,
            "discriminator": "4821",
            "avatar": null,
            "bot": true,
            "mfa_enabled": false,
            "verified": true,
            "flags": 0,
            "public_flags": 0,
        },
        "guilds": [{"id": emu.spec().guild_id.to_string(), "unavailable": true}],
        "session_id": "replay-session",
        "resume_gateway_url": url,
        "shard": [0, 1],
        "application": {"id": emu.application_id().to_string(), "flags": 565_248},
    })
}

/// MESSAGE_CREATE frames built from `template` (an event the emulator sent): message `k`
/// goes to `targets[k % len]` as `(channel, author)`. Sequence numbers start after READY.
pub fn message_frames(template: &Value, targets: &[(u64, u64)], count: usize) -> Vec<String> {
    let first_id = snowflake_now();
    (0..count)
        .map(|k| {
            let (channel, author) = targets[k % targets.len()];
            let mut data = template.clone();
            data["id"] = json!((first_id + k as u64).to_string());
            data["channel_id"] = json!(channel.to_string());
            data["author"]["id"] = json!(author.to_string());
            data["content"] = json!(format!("Nachricht {k} im Ticket"));
            json!({"op": 0, "s": k as u64 + 2, "t": "MESSAGE_CREATE", "d": data}).to_string()
        })
        .collect()
}

/// A snowflake for now, far above anything the emulator handed out so far.
fn snowflake_now() -> u64 {
    const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    ((now_ms - DISCORD_EPOCH_MS) << 22) + (1 << 21)
}

/// The Discord id of the message in a frame from [`message_frames`].
pub fn message_id(frame: &str) -> u64 {
    serde_json::from_str::<Value>(frame)
        .ok()
        .and_then(|v| v["d"]["id"].as_str().and_then(|id| id.parse().ok()))
        .unwrap_or(0)
}
