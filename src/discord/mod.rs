//! The Discord side: the websocket connection, REST, interactions and replies.

pub mod category_fill;
pub mod commands;
pub mod custom_id;
pub mod gateway;
pub mod log_channel;
pub mod permissions;
pub mod reply;
pub mod rest;

use std::sync::Arc;

use ractor::{Actor, ActorRef};
use tokio::sync::watch;
use twilight_gateway::{
    CloseFrame, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};

use crate::config::Config;
use crate::context::{ChannelIndex, Ctx};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::tickets::cleanup;
use crate::tickets::supervisor::{SupervisorArgs, SupervisorMsg, TicketSupervisor};
use gateway::{GatewayActor, GatewayArgs, GatewayMsg};

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
    supervisor: ActorRef<SupervisorMsg>,
    shard: Shard,
}

impl Bot {
    /// Connects the database side: starts the supervisor, which resumes every open ticket.
    pub async fn start(config: Arc<Config>, db: Db) -> Result<Self> {
        let http = Arc::new(rest::client(&config));
        let mut shard_config = ConfigBuilder::new(config.bot_token.clone(), INTENTS);
        if let Some(url) = &config.discord.gateway_url {
            shard_config = shard_config.proxy_url(url.clone());
        }
        let shard = Shard::with_config(ShardId::ONE, shard_config.build());
        let ctx = Arc::new(Ctx {
            ai: crate::ai::secretary::Clients::new(&config),
            log: log_channel::LogChannel::spawn(http.clone(), config.log_channel_id),
            config,
            messages: crate::db::batch::MessageWriter::spawn(db.clone()),
            db,
            http,
            bot_user_id: Default::default(),
            channels: ChannelIndex::default(),
            category_fill: Default::default(),
            actor_prefix: next_actor_prefix(),
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
            supervisor,
            shard,
        })
    }

    pub fn supervisor(&self) -> ActorRef<SupervisorMsg> {
        self.supervisor.clone()
    }

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
            stop.clone(),
        ));
        crate::metrics::bot_started();
        let reporter = tokio::spawn(crate::heartbeat::run(self.ctx.db.clone(), stop.clone()));
        let mut started = false;
        loop {
            let item = tokio::select! {
                () = crate::app::stopped(&mut stop) => break,
                item = self.shard.next_event(EventTypeFlags::all()) => item,
            };
            let event = match item {
                Some(Ok(event)) => event,
                Some(Err(err)) => {
                    tracing::warn!(error = %err, "gateway error; twilight reconnects");
                    continue;
                }
                None => break,
            };
            if let Event::Ready(ready) = &event {
                tracing::info!("Eingeloggt als {} (ID: {})", ready.user.name, ready.user.id);
                let _ = self.ctx.bot_user_id.set(ready.user.id);
                if !started {
                    started = true;
                    let ctx = self.ctx.clone();
                    let application_id = ready.application.id;
                    tokio::spawn(async move {
                        if let Err(err) = commands::register(&ctx, application_id).await {
                            tracing::error!(error = %err, "could not register slash commands");
                        }
                        commands::fix_category_permissions(&ctx).await;
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
        self.shard.close(CloseFrame::NORMAL);
        sweeper.abort();
        reporter.abort();
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
        Ok(())
    }
}
