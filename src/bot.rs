//! Composition of the bot: the Discord client and its port, the shared context, the ticket
//! supervisor, the gateway router, and the loop that reads the gateway until told to stop.

use std::sync::Arc;

use ractor::{Actor, ActorRef};
use tokio::sync::watch;
use twilight_gateway::{
    CloseFrame, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};

use crate::config::Config;
use crate::db::Db;
use crate::discord::adapter::DiscordRest;
use crate::discord::gateway::{GatewayActor, GatewayArgs, GatewayMsg};
use crate::discord::{backoff, close_code, commands, log_channel, rest};
use crate::error::{Error, Result};
use crate::health::GatewayLink;
use crate::tickets::cleanup;
use crate::tickets::context::{ChannelIndex, Ctx};
use crate::tickets::supervisor::{SupervisorArgs, SupervisorMsg, TicketSupervisor};

const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT)
    .union(Intents::GUILD_MEMBERS);

/// Empty for the first bot of the process, `bot2/`, `bot3/`, … for further ones.
fn next_actor_prefix() -> String {
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    match STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed) {
        0 => String::new(),
        n => format!("bot{}/", n + 1),
    }
}

pub struct Bot {
    ctx: Arc<Ctx>,
    /// The REST client, for what the gateway side does itself (commands, category rights).
    http: Arc<twilight_http::Client>,
    supervisor: ActorRef<SupervisorMsg>,
    shard: Shard,
    /// Up between READY/RESUMED and the next close, for `/healthz`.
    gateway: GatewayLink,
    /// Where the attachment archiver keeps files.
    files: crate::attachments::FileStore,
}

impl Bot {
    /// Connects the database side: starts the supervisor, which resumes every open ticket.
    pub async fn start(config: Arc<Config>, db: Db) -> Result<Self> {
        let files = crate::attachments::FileStore::open(&config.attachments)?;
        let http = Arc::new(rest::client(&config));
        let mut shard_config = ConfigBuilder::new(config.bot_token.clone(), INTENTS);
        if let Some(url) = &config.discord.gateway_url {
            shard_config = shard_config.proxy_url(url.clone());
        }
        let shard = Shard::with_config(ShardId::ONE, shard_config.build());
        let log = log_channel::LogChannel::spawn(http.clone(), config.log_channel_id);
        let discord = DiscordRest::new(http.clone(), rest::client(&config), log, config.guild_id);
        let ctx = Arc::new(Ctx {
            ai: crate::ai::Clients::new(&config).with_files(files.clone()),
            discord: Arc::new(discord),
            config,
            messages: crate::db::batch::MessageWriter::spawn(db.clone()),
            db,
            bot_user_id: Default::default(),
            channels: ChannelIndex::default(),
            category_fill: Default::default(),
            actor_prefix: next_actor_prefix(),
            files: files.clone(),
        });
        let (supervisor, _) = Actor::spawn(
            Some(format!("{}tickets", ctx.actor_prefix)),
            TicketSupervisor,
            SupervisorArgs { ctx: ctx.clone() },
        )
        .await
        .map_err(|err| Error::Actor(format!("ticket supervisor: {err}")))?;
        Ok(Self {
            ctx,
            http,
            supervisor,
            shard,
            gateway: GatewayLink::default(),
            files,
        })
    }

    pub fn supervisor(&self) -> ActorRef<SupervisorMsg> {
        self.supervisor.clone()
    }

    /// Whether this bot's gateway connection is up, for `/healthz`.
    pub fn gateway_link(&self) -> GatewayLink {
        self.gateway.clone()
    }

    /// Of the parts, not of `&self`: the shard in `self` is not `Sync`.
    async fn spawn_router(
        ctx: &Arc<Ctx>,
        supervisor: &ActorRef<SupervisorMsg>,
    ) -> Result<ActorRef<GatewayMsg>> {
        let args = GatewayArgs {
            ctx: ctx.clone(),
            supervisor: supervisor.clone(),
        };
        let (router, _) = Actor::spawn(None, GatewayActor, args)
            .await
            .map_err(|err| Error::Actor(format!("gateway router: {err}")))?;
        Ok(router)
    }

    /// Reads the gateway until `stop` turns true. twilight reconnects and resumes by itself.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) -> Result<()> {
        let mut router = Self::spawn_router(&self.ctx, &self.supervisor).await?;
        let sweeper = tokio::spawn(cleanup::run(
            self.ctx.clone(),
            self.supervisor.clone(),
            self.ctx.config.cleanup_every,
            self.files.clone(),
            stop.clone(),
        ));
        let archiver = tokio::spawn(crate::attachments::pool::run(
            self.ctx.db.clone(),
            self.files.clone(),
            self.ctx.config.attachments.max_mb,
            self.ctx.messages.stored_signal(),
            archive_reporter(&self.ctx),
            stop.clone(),
        ));
        crate::metrics::bot_started();
        let reporter = tokio::spawn(crate::heartbeat::run(
            self.ctx.db.clone(),
            self.gateway.clone(),
            stop.clone(),
        ));
        let mut started = false;
        let mut refused = None;
        let mut backoff = backoff::Backoff::default();
        loop {
            let item = tokio::select! {
                () = crate::process::stopped(&mut stop) => break,
                item = self.shard.next_event(EventTypeFlags::all()) => item,
            };
            let event = match item {
                Some(Ok(event)) => event,
                Some(Err(err)) => {
                    self.gateway.set_up(false);
                    let pause = backoff.closed(std::time::Instant::now());
                    if started {
                        tracing::warn!(error = %causes(&err), "gateway error; reconnecting in {} s", pause.as_secs());
                    } else {
                        // Never connected yet: say where the bot tried and why it failed, which
                        // is what an operator needs to fix a host, a proxy or a firewall.
                        tracing::error!(
                            "cannot reach Discord's gateway at {}: {}; trying again in {} s",
                            gateway_address(&self.ctx.config),
                            root_causes(&err),
                            pause.as_secs()
                        );
                    }
                    tokio::select! {
                        () = crate::process::stopped(&mut stop) => break,
                        () = tokio::time::sleep(pause) => {}
                    }
                    continue;
                }
                None => break,
            };
            if let Event::GatewayClose(frame) = &event {
                self.gateway.set_up(false);
                let code = frame.as_ref().map(|frame| frame.code);
                // Logged once, by whoever ends the program with it.
                if let Some(reason) = code.and_then(close_code::fatal_reason) {
                    refused = Some(reason);
                    break;
                }
                // twilight reconnects (resuming when it has a session) the moment it is
                // polled again, so the pause is taken here.
                let pause = backoff.closed(std::time::Instant::now());
                log_close(code, pause, backoff.attempt());
                tokio::select! {
                    () = crate::process::stopped(&mut stop) => break,
                    () = tokio::time::sleep(pause) => {}
                }
                continue;
            }
            if matches!(event, Event::Ready(_) | Event::Resumed) {
                backoff.connected(std::time::Instant::now());
                self.gateway.set_up(true);
            }
            if let Event::Ready(ready) = &event {
                tracing::info!("Eingeloggt als {} (ID: {})", ready.user.name, ready.user.id);
                let _ = self.ctx.bot_user_id.set(ready.user.id);
                if !started {
                    started = true;
                    let (ctx, http) = (self.ctx.clone(), self.http.clone());
                    let application_id = ready.application.id;
                    tokio::spawn(async move {
                        if let Err(err) = commands::register(&ctx, &http, application_id).await {
                            tracing::error!(error = %err, "could not register slash commands");
                        }
                        commands::fix_category_permissions(&ctx, &http).await;
                    });
                }
            }
            if !matches!(router.get_status(), ractor::ActorStatus::Running) {
                // The router died; a new one takes over without touching the ticket actors.
                tracing::error!("gateway router was down; restarting it");
                router = Self::spawn_router(&self.ctx, &self.supervisor).await?;
            }
            if let Err(err) = router.cast(GatewayMsg::Event(Box::new(event))) {
                tracing::error!(error = %err, "gateway router did not take an event");
            }
        }
        self.gateway.set_up(false);
        self.shard.close(CloseFrame::NORMAL);
        sweeper.abort();
        reporter.abort();
        // Downloads in flight stay pending in the database and run again at the next start.
        archiver.abort();
        router.stop(None);
        // Ticket actors finish the message in hand; what is left in their mailboxes is in
        // the message writer's queue (stored below) and in Discord's history.
        let stopped = self
            .supervisor
            .stop_and_wait(None, Some(std::time::Duration::from_secs(10)))
            .await;
        // However the actors ended, what the router queued is committed before the bot goes.
        self.ctx.messages.flush().await;
        stopped.map_err(|err| Error::Actor(err.to_string()))?;
        match refused {
            Some(reason) => Err(Error::GatewayRefused(reason)),
            None => Ok(()),
        }
    }
}

/// The archiver's reports, as entries of the log channel.
fn archive_reporter(ctx: &Arc<Ctx>) -> crate::attachments::pool::Reporter {
    let discord = ctx.discord.clone();
    Arc::new(move |report: crate::attachments::pool::Report| {
        discord.log(crate::tickets::port::LogEntry {
            title: report.title,
            ticket: report.ticket,
            actor: None,
            detail: report.detail,
            color: crate::tickets::port::ORANGE,
        });
    })
}

/// One line per close, so an operator sees an outage and what the bot does about it.
fn log_close(code: Option<u16>, pause: std::time::Duration, attempt: u32) {
    let closed = match code {
        Some(code) => format!(
            "gateway closed with {code} ({})",
            close_code::describe(code)
        ),
        None => "gateway connection lost".to_owned(),
    };
    if pause.is_zero() {
        tracing::info!("{closed}; reconnecting now, attempt {attempt}");
    } else {
        tracing::warn!(
            "{closed}; reconnecting in {} s, attempt {attempt}",
            pause.as_secs_f64().ceil()
        );
    }
}

/// Where the gateway connection goes: `DISCORD_GATEWAY_URL`, or Discord's own.
fn gateway_address(config: &Config) -> String {
    config
        .discord
        .gateway_url
        .clone()
        .unwrap_or_else(|| "wss://gateway.discord.gg".to_owned())
}

/// An error with its causes, e.g. "websocket connection error: IO error: Connection refused".
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

/// Only the causes beneath `err`, each once: twilight's own text speaks of reconnecting even
/// before the first connection.
fn root_causes(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}
