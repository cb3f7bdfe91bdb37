//! What Sigrid does with the opener's messages: which messages wait for an answer, the thinking
//! (ban lookup and AI request, off the actor), and applying the result (database first, then
//! Discord).

use std::sync::Arc;
use std::time::Duration;

use twilight_model::channel::message::AllowedMentions;
use twilight_model::channel::message::embed::Embed;
use twilight_model::id::Id;
use twilight_model::id::marker::ChannelMarker;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::ban_lookup::{self, Lookup};
use super::client::{AiClient, AiFailure, Answer, Completion};
use super::conversation::{self, ASSISTANT, DATA, NOTE, USER};
use super::{player_id, prompt, script};
use crate::config::Config;
use crate::context::Ctx;
use crate::db::models::{NewAiTurn, Ticket, TicketStatus};
use crate::db::{now_ms, queries};
use crate::discord::limits::clip;
use crate::discord::reply::{self, LogEntry, Post};
use crate::error::Result;
use crate::texts;
use crate::tickets::record;

/// `tickets.ai_state` values.
pub const ACTIVE: &str = "active";
/// The AI is unavailable for this ticket; the scripted intake runs.
pub const SCRIPT: &str = "script";
pub const HANDED_OVER: &str = "handed_over";
pub const DECLINED: &str = "declined";
pub const STOPPED: &str = "stopped";

/// How often the typing indicator is renewed (Discord shows it for about 10 s).
const TYPING_EVERY: Duration = Duration::from_secs(8);

/// The secretary's part of a ticket actor.
pub struct Secretary {
    client: Option<Arc<AiClient>>,
    http: reqwest::Client,
    /// A request is in flight; new opener messages wait for it and are answered together.
    pub busy: bool,
}

/// The clients every ticket's secretary shares: built once per bot (a reqwest client costs
/// hundreds of KiB), cloned cheaply into each ticket actor.
#[derive(Clone)]
pub struct Clients {
    model: Option<Arc<AiClient>>,
    http: reqwest::Client,
}

impl Clients {
    pub fn new(config: &Config) -> Self {
        Self {
            model: AiClient::new(&config.ai).map(Arc::new),
            http: reqwest::Client::new(),
        }
    }
}

impl Secretary {
    pub fn new(clients: &Clients) -> Self {
        Self {
            client: clients.model.clone(),
            http: clients.http.clone(),
            busy: false,
        }
    }
}

/// She answers the opener while the ticket is open, unclaimed and she has not stepped back.
pub fn listens(ticket: &Ticket) -> bool {
    ticket.status() == TicketStatus::Open
        && ticket.claimed_by.is_none()
        && matches!(ticket.ai_state.as_str(), ACTIVE | SCRIPT)
}

/// The opener's messages she has not answered yet, joined.
#[derive(Debug, Clone)]
pub struct Pending {
    pub up_to: i64,
    pub text: String,
}

pub async fn pending(ctx: &Ctx, ticket: &Ticket) -> Result<Option<Pending>> {
    let (id, opener, after) = (
        ticket.id,
        ticket.opener_id,
        ticket.ai_answered_up_to.unwrap_or(0),
    );
    let unanswered = ctx
        .db
        .run(move |conn| queries::unanswered_messages(conn, id, opener, after))
        .await?;
    let Some(up_to) = unanswered.iter().map(|m| m.id).max() else {
        return Ok(None);
    };
    let text = unanswered
        .iter()
        .map(|m| m.content.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Some(Pending { up_to, text }))
}

#[derive(Debug, Clone)]
pub struct IdFound {
    pub id: String,
    pub lookup: Lookup,
}

#[derive(Debug)]
pub enum Mind {
    Ai(Result<Completion, AiFailure>),
    /// No `OPENAI_API_KEY`.
    NoAi,
    Script,
    OverBudget,
}

/// The result of thinking about one batch of opener messages.
#[derive(Debug)]
pub struct Thought {
    pub pending: Pending,
    pub found: Option<IdFound>,
    /// The turns this batch adds before her answer (lookup note, the user's text).
    pub turns: Vec<NewAiTurn>,
    pub mind: Mind,
}

/// Runs off the actor: the ban lookup and the AI request, with the typing indicator shown.
pub async fn think(
    ctx: Arc<Ctx>,
    secretary: (Option<Arc<AiClient>>, reqwest::Client),
    ticket: Ticket,
    pending: Pending,
) -> Thought {
    let (client, http) = secretary;
    let channel = channel_of(&ticket);
    let typing = channel.map(|channel| {
        let http = ctx.http.clone();
        tokio::spawn(async move {
            loop {
                let _ = http.create_typing_trigger(channel).await;
                tokio::time::sleep(TYPING_EVERY).await;
            }
        })
    });
    let found = match player_id::find(&pending.text) {
        Some(id) => {
            let lookup =
                ban_lookup::lookup(&http, ctx.config.ai.ban_lookup_url.as_deref(), &id).await;
            Some(IdFound { id, lookup })
        }
        None => None,
    };
    let mut turns = Vec::new();
    if let Some(found) = &found {
        turns.push(conversation::turn(
            ticket.id,
            NOTE,
            prompt::lookup_note(&found.lookup, &found.id),
        ));
        if let Some(data) = prompt::lookup_data(&found.lookup, &found.id) {
            turns.push(conversation::turn(ticket.id, DATA, data));
        }
    }
    turns.push(conversation::turn(ticket.id, USER, pending.text.clone()));
    let mind = if ticket.ai_state == SCRIPT {
        Mind::Script
    } else if conversation::over_budget(&ticket) {
        Mind::OverBudget
    } else if let Some(client) = client {
        let id = ticket.id;
        match ctx.db.run(move |conn| queries::ai_turns_of(conn, id)).await {
            Ok(history) => Mind::Ai(
                client
                    .complete(conversation::request_messages(&history, &turns))
                    .await,
            ),
            Err(err) => Mind::Ai(Err(AiFailure::Api(format!("Verlauf nicht lesbar: {err}")))),
        }
    } else {
        Mind::NoAi
    };
    if let Some(typing) = typing {
        typing.abort();
    }
    Thought {
        pending,
        found,
        turns,
        mind,
    }
}

fn channel_of(ticket: &Ticket) -> Option<Id<ChannelMarker>> {
    ticket.channel_id.and_then(|c| Id::new_checked(c as u64))
}

/// Applies a thought to ticket `id`: database first, then Discord.
pub async fn apply(ctx: &Ctx, id: i64, thought: Thought) -> Result<()> {
    let Thought {
        pending,
        found,
        mut turns,
        mind,
    } = thought;
    if let Some(found) = &found {
        record_lookup(ctx, id, found).await?;
    }
    let ticket = ctx.db.run(move |conn| queries::ticket(conn, id)).await?;
    match mind {
        Mind::Ai(Ok(Completion { answer, tokens })) => match answer {
            Answer::Text(text) => {
                turns.push(conversation::turn(id, ASSISTANT, text.clone()));
                save_turn(ctx, id, turns, tokens, pending.up_to).await?;
                say(ctx, &ticket, &text).await
            }
            Answer::Verdict { verdict, text } => {
                turns.push(conversation::turn(
                    id,
                    ASSISTANT,
                    format!("[submit_verdict] {}", verdict.summary),
                ));
                save_turn(ctx, id, turns, tokens, pending.up_to).await?;
                let ban_id = non_empty(&verdict.ban_id).or(ticket.verdict_ban_id.clone());
                let reason = ticket
                    .verdict_ban_reason
                    .clone()
                    .or(non_empty(&verdict.ban_reason));
                let state = if verdict.cooperative {
                    HANDED_OVER
                } else {
                    DECLINED
                };
                let closing = text.unwrap_or_else(|| {
                    if verdict.cooperative {
                        texts::SECRETARY_HANDOVER
                    } else {
                        texts::SECRETARY_DECLINED
                    }
                    .to_owned()
                });
                hand_over(
                    ctx,
                    id,
                    Handover {
                        source: "ai",
                        ban_id,
                        ban_reason: reason,
                        cooperative: Some(verdict.cooperative),
                        summary: verdict.summary,
                        state,
                    },
                    &closing,
                )
                .await
            }
        },
        Mind::Ai(Err(failure)) => {
            fall_back(ctx, &ticket, &failure.to_string()).await;
            run_script(ctx, id, found.as_ref(), turns, &pending).await
        }
        Mind::NoAi => {
            fall_back(ctx, &ticket, "OPENAI_API_KEY ist nicht gesetzt").await;
            run_script(ctx, id, found.as_ref(), turns, &pending).await
        }
        Mind::Script => run_script(ctx, id, found.as_ref(), turns, &pending).await,
        Mind::OverBudget => {
            save_turn(ctx, id, turns, 0, pending.up_to).await?;
            hand_over(
                ctx,
                id,
                Handover {
                    source: "ai",
                    ban_id: ticket.verdict_ban_id.clone(),
                    ban_reason: ticket.verdict_ban_reason.clone(),
                    cooperative: None,
                    summary: texts::VERDICT_LIMIT_SUMMARY.to_owned(),
                    state: HANDED_OVER,
                },
                texts::SECRETARY_LIMIT,
            )
            .await
        }
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

async fn record_lookup(ctx: &Ctx, id: i64, found: &IdFound) -> Result<()> {
    let facts = match &found.lookup {
        Lookup::Unknown => None,
        Lookup::Found {
            reason,
            player_name,
        } => Some((player_name.clone(), Some(reason.clone()))),
        Lookup::Failed(_) | Lookup::NotConfigured => Some((None, None)),
    };
    if let Some((player_name, reason)) = facts {
        let ban_id = found.id.clone();
        ctx.db
            .write(move |conn| {
                queries::set_ban_facts(conn, id, &ban_id, player_name.as_deref(), reason.as_deref())
            })
            .await?;
    }
    if let Lookup::Failed(cause) = &found.lookup {
        tracing::warn!(ticket = id, error = %cause, "ban lookup failed");
        reply::log(
            ctx,
            LogEntry {
                title: texts::LOG_BAN_LOOKUP_FAILED,
                ticket: Some(id),
                actor: None,
                detail: format!("ID {}: {cause}. Bitte den Bann von Hand prüfen.", found.id),
                color: reply::ORANGE,
            },
        );
    }
    Ok(())
}

async fn save_turn(
    ctx: &Ctx,
    id: i64,
    turns: Vec<NewAiTurn>,
    tokens: i64,
    up_to: i64,
) -> Result<()> {
    ctx.db
        .write(move |conn| {
            queries::insert_ai_turns(conn, &turns)?;
            queries::record_ai_turn(conn, id, tokens, up_to)
        })
        .await
}

/// Switches the ticket to the scripted intake; the log channel hears it once per ticket.
async fn fall_back(ctx: &Ctx, ticket: &Ticket, cause: &str) {
    if ticket.ai_state != ACTIVE {
        return;
    }
    let id = ticket.id;
    if let Err(err) = ctx
        .db
        .write(move |conn| queries::set_ai_state(conn, id, SCRIPT))
        .await
    {
        tracing::error!(ticket = id, error = %err, "could not switch to the scripted intake");
    }
    tracing::warn!(
        ticket = id,
        cause,
        "AI unavailable; scripted intake takes over"
    );
    reply::log(
        ctx,
        LogEntry {
            title: texts::LOG_AI_FALLBACK,
            ticket: Some(id),
            actor: None,
            detail: format!("KI nicht verfügbar ({cause}); die Sekretärin fragt nach Skript."),
            color: reply::ORANGE,
        },
    );
}

async fn run_script(
    ctx: &Ctx,
    id: i64,
    found: Option<&IdFound>,
    mut turns: Vec<NewAiTurn>,
    pending: &Pending,
) -> Result<()> {
    let ticket = ctx.db.run(move |conn| queries::ticket(conn, id)).await?;
    let step = script::step(
        found.map(|f| (f.id.as_str(), &f.lookup)),
        ticket.verdict_ban_id.is_some(),
        &pending.text,
    );
    match step {
        script::Step::Ask(text) => {
            turns.push(conversation::turn(id, ASSISTANT, text.clone()));
            save_turn(ctx, id, turns, 0, pending.up_to).await?;
            say(ctx, &ticket, &text).await
        }
        script::Step::HandOver { summary } => {
            save_turn(ctx, id, turns, 0, pending.up_to).await?;
            let reason = ticket
                .verdict_ban_reason
                .clone()
                .or_else(|| non_empty(&summary));
            hand_over(
                ctx,
                id,
                Handover {
                    source: "script",
                    ban_id: ticket.verdict_ban_id.clone(),
                    ban_reason: reason,
                    cooperative: None,
                    summary,
                    state: HANDED_OVER,
                },
                texts::SECRETARY_HANDOVER,
            )
            .await
        }
    }
}

struct Handover {
    source: &'static str,
    ban_id: Option<String>,
    ban_reason: Option<String>,
    cooperative: Option<bool>,
    summary: String,
    state: &'static str,
}

/// Stores the verdict, then says `closing`, posts the verdict with the one role ping, and logs it.
async fn hand_over(ctx: &Ctx, id: i64, verdict: Handover, closing: &str) -> Result<()> {
    let stored = Handover {
        ban_id: verdict.ban_id.clone(),
        ban_reason: verdict.ban_reason.clone(),
        summary: verdict.summary.clone(),
        ..verdict
    };
    ctx.db
        .write(move |conn| {
            queries::set_verdict(
                conn,
                id,
                stored.source,
                stored.ban_id.as_deref(),
                stored.ban_reason.as_deref(),
                stored.cooperative,
                &stored.summary,
                stored.state,
                now_ms(),
            )
        })
        .await?;
    let ticket = ctx.db.run(move |conn| queries::ticket(conn, id)).await?;
    say(ctx, &ticket, closing).await?;
    // Logged whatever happens to the post below: the log channel is where staff look when a
    // hand-over did not show up in the ticket.
    reply::log(
        ctx,
        LogEntry {
            title: texts::LOG_VERDICT,
            ticket: Some(id),
            actor: None,
            detail: verdict_text(&ticket),
            color: if ticket.verdict_cooperative == Some(false) {
                reply::RED
            } else {
                reply::GREEN
            },
        },
    );
    if let Some(channel) = channel_of(&ticket) {
        let roles = &ctx.config.roles;
        let content = format!("<@&{}> <@&{}>", roles.support, roles.admin);
        // The only mention the bot ever sends: the staff roles, by id, nothing parsed.
        let mentions = AllowedMentions {
            roles: vec![roles.support, roles.admin],
            ..AllowedMentions::default()
        };
        let verdict = Post {
            content: &content,
            embeds: vec![verdict_embed(&ticket)],
            mentions: Some(mentions),
            ..Post::default()
        };
        let posted = reply::post(ctx, "verdict", channel, verdict).await?;
        let row = record::message_row(id, &posted, true);
        ctx.db
            .write(move |conn| queries::insert_message(conn, &row))
            .await?;
    }
    Ok(())
}

fn facts(ticket: &Ticket) -> [(&'static str, String); 5] {
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".to_owned());
    [
        (texts::VERDICT_BAN_ID, or_dash(&ticket.verdict_ban_id)),
        (texts::VERDICT_PLAYER, or_dash(&ticket.verdict_player_name)),
        (texts::VERDICT_REASON, or_dash(&ticket.verdict_ban_reason)),
        (
            texts::VERDICT_COOPERATIVE,
            match ticket.verdict_cooperative {
                Some(true) => "Ja".to_owned(),
                Some(false) => "Nein".to_owned(),
                None => "–".to_owned(),
            },
        ),
        (
            texts::VERDICT_SOURCE,
            match ticket.verdict_source.as_deref() {
                Some("script") => "Skript".to_owned(),
                _ => "KI".to_owned(),
            },
        ),
    ]
}

fn verdict_embed(ticket: &Ticket) -> Embed {
    let summary = ticket.verdict_summary.clone().unwrap_or_default();
    let mut embed = EmbedBuilder::new()
        .title(texts::VERDICT_TITLE)
        .description(summary)
        .color(if ticket.verdict_cooperative == Some(false) {
            reply::RED
        } else {
            reply::BLUE
        });
    for (name, value) in facts(ticket) {
        embed = embed.field(EmbedFieldBuilder::new(name, value).inline());
    }
    embed.build()
}

fn verdict_text(ticket: &Ticket) -> String {
    let mut lines: Vec<String> = facts(ticket)
        .iter()
        .map(|(name, value)| format!("**{name}:** {}", clip(value, 500)))
        .collect();
    // The log fits the description; what is cut is the end of the summary.
    lines.push(ticket.verdict_summary.clone().unwrap_or_default());
    lines.join("\n")
}

/// Posts Sigrid's text with every mention disabled and stores it as hers.
pub async fn say(ctx: &Ctx, ticket: &Ticket, text: &str) -> Result<()> {
    let Some(channel) = channel_of(ticket) else {
        return Ok(());
    };
    let message = Post {
        content: text,
        mentions: Some(AllowedMentions::default()),
        ..Post::default()
    };
    let posted = reply::post(ctx, "secretary message", channel, message).await?;
    let row = record::message_row(ticket.id, &posted, true);
    ctx.db
        .write(move |conn| queries::insert_message(conn, &row))
        .await?;
    Ok(())
}

/// She stops answering for good; `text` is said once when given.
pub async fn step_back(ctx: &Ctx, ticket: &Ticket, text: Option<&str>) -> Result<()> {
    let id = ticket.id;
    ctx.db
        .write(move |conn| queries::set_ai_state(conn, id, STOPPED))
        .await?;
    if let Some(text) = text {
        say(ctx, ticket, text).await?;
    }
    Ok(())
}

/// The client and HTTP handles a thinking task needs.
pub fn handles(secretary: &Secretary) -> (Option<Arc<AiClient>>, reqwest::Client) {
    (secretary.client.clone(), secretary.http.clone())
}
