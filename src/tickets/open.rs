//! Opening a ticket: reserve a number, create the private channel, hand it to its actor.

use std::sync::Arc;

use ractor::ActorRef;
use twilight_model::application::interaction::Interaction;

use crate::audit::AuditAction;
use crate::db::models::{NewAuditEntry, TicketStatus};
use crate::db::now_ms;
use crate::db::open_limits::{Limit, LimitReached, OpenLimits};
use crate::db::queries::{self, Reservation};
use crate::error::Result;
use crate::ids;
use crate::overwrites::{self, Stage};
use crate::texts;
use crate::tickets::category_fill;
use crate::tickets::context::Ctx;
use crate::tickets::policy::{self, Asker};
use crate::tickets::port::{GREEN, LogEntry, ORANGE, RED};
use crate::tickets::supervisor::SupervisorMsg;
use crate::who::{self, Who};

/// A name as a channel-name part: spaces become dashes, at most 20 characters.
pub fn name_part(name: &str) -> String {
    name.trim().replace(' ', "-").chars().take(20).collect()
}

/// A new (or unclaimed) ticket channel's name: `<opener>-<number>`.
pub fn channel_name(opener: &str, number: i64) -> String {
    format!("{}-{number}", name_part(opener))
}

pub async fn open_ticket(
    ctx: Arc<Ctx>,
    supervisor: ActorRef<SupervisorMsg>,
    interaction: Box<Interaction>,
) -> Result<()> {
    // Creating a channel can take longer than Discord's 3 s when it rate-limits us.
    ctx.discord.defer_ephemeral(&interaction).await?;
    let opened = open(&ctx, supervisor, &interaction).await;
    if let Err(err) = &opened {
        // The presser sees "thinking" until told; a failed database write changed nothing.
        let _ = ctx
            .discord
            .finish_deferred(&interaction, texts::action_failed(err))
            .await;
    }
    opened
}

/// The opening limits for whoever pressed: none for staff.
fn open_limits(ctx: &Ctx, interaction: &Interaction) -> OpenLimits {
    let asker = Asker {
        id: interaction.author_id(),
        roles: who::roles(interaction),
    };
    if policy::opens_without_limits(&ctx.config.roles, asker) {
        return OpenLimits::NONE;
    }
    OpenLimits {
        per_day: Some(ctx.config.max_tickets_per_user_per_day),
        cooldown_ms: i64::try_from(ctx.config.ticket_cooldown.as_millis()).unwrap_or(i64::MAX),
    }
}

/// The refusal's text: which limit, and when the next ticket is possible (to the second,
/// rounded up so that a click at that time succeeds).
fn refusal_text(reached: &LimitReached) -> String {
    let next_unix = (reached.next_at_ms + 999).div_euclid(1000);
    match reached.limit {
        Limit::PerDay(limit) => texts::ticket_limit_per_day(limit, next_unix),
        Limit::Cooldown => texts::ticket_cooldown(next_unix),
    }
}

fn refusal_entry(who: &Who, reached: &LimitReached, now: i64) -> NewAuditEntry {
    NewAuditEntry {
        created_at: now,
        ..NewAuditEntry::new(None, AuditAction::Refused, Some(who), refusal_text(reached))
    }
}

/// A refused opening: the presser is told when the next one is possible, the log channel
/// hears of it (the audit row is written with the refusal).
async fn refuse(
    ctx: &Ctx,
    interaction: &Interaction,
    who: &Who,
    reached: &LimitReached,
) -> Result<()> {
    let text = refusal_text(reached);
    ctx.discord.finish_deferred(interaction, &text).await?;
    ctx.discord.log(LogEntry {
        title: texts::LOG_REFUSED,
        ticket: None,
        actor: Some(who),
        detail: text,
        color: ORANGE,
    });
    tracing::info!(
        opener = %who.id,
        ?reached,
        "ticket opening refused by a limit"
    );
    Ok(())
}

/// A member on the blacklist opens no ticket: told so, audited and logged; true when refused.
async fn refused_as_blacklisted(ctx: &Ctx, interaction: &Interaction, who: &Who) -> Result<bool> {
    let (opener, entry) = (
        ids::stored(who.id),
        NewAuditEntry::new(
            None,
            AuditAction::Refused,
            Some(who),
            texts::BLACKLISTED_OPEN,
        ),
    );
    let blacklisted = ctx
        .db
        .write(move |conn| {
            let blacklisted = queries::blacklisted(conn, opener)?.is_some();
            if blacklisted {
                queries::audit(conn, &entry)?;
            }
            Ok(blacklisted)
        })
        .await?;
    if blacklisted {
        ctx.discord
            .finish_deferred(interaction, texts::BLACKLISTED_OPEN)
            .await?;
        ctx.discord.log(LogEntry {
            title: texts::LOG_REFUSED,
            ticket: None,
            actor: Some(who),
            detail: texts::BLACKLISTED_OPEN.to_owned(),
            color: ORANGE,
        });
    }
    Ok(blacklisted)
}

/// Everything of an open after the deferral.
async fn open(
    ctx: &Arc<Ctx>,
    supervisor: ActorRef<SupervisorMsg>,
    interaction: &Interaction,
) -> Result<()> {
    let Some(who) = Who::of(interaction) else {
        return Ok(());
    };
    let (opener_id, opener_name) = (ids::stored(who.id), who.name.clone());
    if refused_as_blacklisted(ctx, interaction, &who).await? {
        return Ok(());
    }
    let limits = open_limits(ctx, interaction);
    let refusal = who.clone();
    let reservation = ctx
        .db
        .write(move |conn| {
            let now = now_ms();
            let reservation =
                queries::reserve_ticket_within(conn, opener_id, &opener_name, now, &limits)?;
            if let Reservation::Limited(reached) = &reservation {
                queries::audit(conn, &refusal_entry(&refusal, reached, now))?;
            }
            Ok(reservation)
        })
        .await?;
    let ticket = match reservation {
        Reservation::Existing(existing) => {
            return ctx
                .discord
                .finish_deferred(interaction, &texts::already_has_ticket(existing.channel_id))
                .await;
        }
        Reservation::Limited(reached) => return refuse(ctx, interaction, &who, &reached).await,
        Reservation::Created(ticket) => ticket,
    };
    let Some(opener) = interaction.author_id() else {
        return Ok(());
    };
    let config = &ctx.config;
    let name = channel_name(&who.name, ticket.id);
    let overwrites = overwrites::ticket_channel(
        config,
        Stage::Created,
        opener,
        None,
        ctx.bot_user_id.get().copied(),
    );
    let created = ctx
        .discord
        .create_channel(&name, config.categories.created, &overwrites)
        .await;
    let id = ticket.id;
    let channel = match created {
        Ok(channel) => channel,
        Err(err) => {
            // Release the reservation so the user can try again.
            ctx.db
                .write(move |conn| queries::set_status(conn, id, TicketStatus::Failed))
                .await?;
            ctx.discord
                .finish_deferred(interaction, texts::OPEN_FAILED)
                .await?;
            ctx.discord.log(LogEntry {
                title: texts::LOG_OPEN_FAILED,
                ticket: Some(id),
                actor: Some(&who),
                detail: format!("{err}"),
                color: RED,
            });
            return Ok(());
        }
    };
    let channel_id = ids::stored(channel.id);
    let entry = NewAuditEntry::new(
        Some(id),
        AuditAction::Opened,
        Some(&who),
        format!("Kanal {channel_id}"),
    );
    let ticket = ctx
        .db
        .write(move |conn| {
            queries::attach_channel(conn, id, channel_id)?;
            queries::audit(conn, &entry)?;
            queries::ticket(conn, id)
        })
        .await?;
    ctx.channels.insert(channel.id, id);
    let _ = supervisor.cast(SupervisorMsg::Spawn(Box::new(ticket)));
    ctx.discord
        .finish_deferred(interaction, &texts::ticket_created(channel.id.get()))
        .await?;
    category_fill::check(ctx, config.categories.created).await;
    ctx.discord.log(LogEntry {
        title: texts::LOG_OPENED,
        ticket: Some(id),
        actor: Some(&who),
        detail: format!("<#{channel_id}>"),
        color: GREEN,
    });
    tracing::info!(ticket = id, opener = %who.id, "ticket opened");
    Ok(())
}
